//! What the emulator has seen: [`Stats`], kept once overall and once per tenant.

use std::sync::atomic::{AtomicU64, Ordering};

/// What the emulator has seen, overall ([`crate::Emulator::stats`]) or in one tenant's calls
/// ([`crate::Emulator::tenant_stats`]).
///
/// An event counts for a tenant when the emulator can tell whose it is: a report call by its
/// token (the static token is the configured tenant's), a download by the tenant whose call
/// minted the link, a token request by the tenant in its path. Events it cannot place (a call
/// with no valid token, a download with an unknown key, a request for an unknown tenant) count
/// overall only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Report calls (including JSON pages), accepted or not.
    pub report_calls: u64,
    /// `429 Too Many Requests` answers injected by [`crate::Faults::throttle_first`] or
    /// [`crate::TenantApp::throttle_first`].
    pub throttled: u64,
    /// `503 Service Unavailable` answers injected by [`crate::Faults::unavailable_first`].
    pub unavailable: u64,
    /// Download requests, accepted or not.
    pub downloads: u64,
    /// Download requests refused because they carried `Authorization`.
    pub downloads_with_authorization: u64,
    /// Download requests refused because the link was expired, reused or unknown.
    pub refused_links: u64,
    /// Requests to the token endpoint, accepted or not.
    pub token_requests: u64,
    /// Access tokens the token endpoint issued.
    pub tokens_issued: u64,
    /// Report calls refused because their issued token had expired.
    pub expired_token_calls: u64,
    /// Report calls carrying `If-None-Match`, that got past the token and fault checks.
    pub conditional_calls: u64,
    /// `304 Not Modified` answers.
    pub not_modified: u64,
}

/// The live counters behind one [`Stats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) report_calls: AtomicU64,
    pub(crate) throttled: AtomicU64,
    pub(crate) unavailable: AtomicU64,
    pub(crate) downloads: AtomicU64,
    pub(crate) downloads_with_authorization: AtomicU64,
    pub(crate) refused_links: AtomicU64,
    pub(crate) token_requests: AtomicU64,
    pub(crate) tokens_issued: AtomicU64,
    pub(crate) expired_token_calls: AtomicU64,
    pub(crate) conditional_calls: AtomicU64,
    pub(crate) not_modified: AtomicU64,
}

/// Picks one counter out of a [`Counters`], so one call can bump it overall and for a tenant.
pub(crate) type Counter = fn(&Counters) -> &AtomicU64;

impl Counters {
    /// Adds one to `counter`, returning the new count.
    pub(crate) fn bump(&self, counter: Counter) -> u64 {
        counter(self).fetch_add(1, Ordering::SeqCst) + 1
    }

    pub(crate) fn snapshot(&self) -> Stats {
        let load = |counter: &AtomicU64| counter.load(Ordering::SeqCst);
        Stats {
            report_calls: load(&self.report_calls),
            throttled: load(&self.throttled),
            unavailable: load(&self.unavailable),
            downloads: load(&self.downloads),
            downloads_with_authorization: load(&self.downloads_with_authorization),
            refused_links: load(&self.refused_links),
            token_requests: load(&self.token_requests),
            tokens_issued: load(&self.tokens_issued),
            expired_token_calls: load(&self.expired_token_calls),
            conditional_calls: load(&self.conditional_calls),
            not_modified: load(&self.not_modified),
        }
    }
}
