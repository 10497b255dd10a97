//! How the emulator is set up: [`Config`], the [`Faults`] to inject and the [`TenantApp`]s it
//! serves besides the configured tenant. `Debug` is written by hand wherever a credential sits.

use std::fmt;
use std::time::Duration;

use chrono::NaiveDate;

use crate::data::Drift;

/// How the emulator behaves.
///
/// Its `Debug` output redacts `token` and every client secret.
#[derive(Clone)]
pub struct Config {
    /// The static bearer token it accepts, besides the tokens its token endpoint issues.
    pub token: String,
    /// Rows of a report listing users, groups, sites or apps. Per-day reports have one row per
    /// day of the period, activation counts one per product and tenant-wide counts one, as
    /// Graph serves them; with [`Config::quirks`] every report has this many rows.
    pub rows: usize,
    /// Serve the stress mix instead of realistic data: every report with [`Config::rows`] rows,
    /// text cells holding commas, quotes and CRLF line breaks, list items holding the separator,
    /// every value drawn on its own with no relation to the others. For tests of decoding;
    /// the default (`false`) is data that reads like a real tenant's.
    pub quirks: bool,
    /// Rows per beta JSON page when the call has no `$top`.
    pub page_size: usize,
    /// The service's "today": `date` arguments must fall within the 30 days before it, and the
    /// refresh date is the day before.
    pub today: NaiveDate,
    /// Columns added, dropped or reordered in every report.
    pub drift: Drift,
    /// Failures to inject.
    pub faults: Faults,
    /// Port of the Graph API listener on 127.0.0.1 (0: any free port).
    pub api_port: u16,
    /// Port of the download listener on 127.0.0.1 (0: any free port).
    pub download_port: u16,
    /// How long a download link stays valid.
    pub link_lifetime: Duration,
    /// Port of the authority host (the token endpoint) on 127.0.0.1 (0: any free port).
    pub login_port: u16,
    /// The directory (tenant) id the token endpoint knows: `POST /{tenant_id}/oauth2/v2.0/token`.
    pub tenant_id: String,
    /// The application (client) id of the one app registration it accepts.
    pub client_id: String,
    /// That registration's client secret. Never echoed in any answer.
    pub client_secret: String,
    /// How long an issued access token is accepted (`expires_in`, in whole seconds).
    pub token_lifetime: Duration,
    /// Tenants served besides the configured one (`tenant_id`/`client_id`/`client_secret`),
    /// e.g. for multi-tenant sync. Each has its own app registration at its own token endpoint
    /// ([`crate::Emulator::token_url_for`]); a token it issues serves that tenant's data, which
    /// differs from every other tenant's. Tenant ids must be distinct (ignoring case).
    pub more_tenants: Vec<TenantApp>,
    /// The resource whose `/.default` scope a token request must ask for: the accepted `scope`
    /// is [`Config::scope`].
    pub graph_resource: String,
}

impl Config {
    /// The one `scope` the token endpoint accepts: `{graph_resource}/.default`.
    pub fn scope(&self) -> String {
        format!("{}/.default", self.graph_resource)
    }

    /// Every tenant served, each with its app registration: the configured one
    /// (`tenant_id`, `client_id`, `client_secret`; its throttling is [`Config::faults`]), then
    /// [`Config::more_tenants`] in order.
    pub fn tenant_apps(&self) -> Vec<TenantApp> {
        let configured = TenantApp {
            tenant_id: self.tenant_id.clone(),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            throttle_first: 0,
            retry_after: 0,
        };
        std::iter::once(configured)
            .chain(self.more_tenants.iter().cloned())
            .collect()
    }
}

/// Shows a secret's presence, never its value.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

// Written by hand so that a logged or panicking configuration never shows a credential.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Config {
            token: _,
            rows,
            quirks,
            page_size,
            today,
            drift,
            faults,
            api_port,
            download_port,
            link_lifetime,
            login_port,
            tenant_id,
            client_id,
            client_secret: _,
            token_lifetime,
            graph_resource,
            more_tenants,
        } = self;
        f.debug_struct("Config")
            .field("token", &Redacted)
            .field("rows", rows)
            .field("quirks", quirks)
            .field("page_size", page_size)
            .field("today", today)
            .field("drift", drift)
            .field("faults", faults)
            .field("api_port", api_port)
            .field("download_port", download_port)
            .field("link_lifetime", link_lifetime)
            .field("login_port", login_port)
            .field("tenant_id", tenant_id)
            .field("client_id", client_id)
            .field("client_secret", &Redacted)
            .field("token_lifetime", token_lifetime)
            .field("graph_resource", graph_resource)
            .field("more_tenants", more_tenants)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            token: "emulator-token".to_owned(),
            rows: 5,
            quirks: false,
            page_size: 200,
            today: chrono::Utc::now().date_naive(),
            drift: Drift::default(),
            faults: Faults::default(),
            api_port: 0,
            download_port: 0,
            link_lifetime: Duration::from_secs(300),
            login_port: 0,
            // Fixed, GUID-shaped and obviously not a real directory or app.
            tenant_id: "11111111-1111-4111-8111-111111111111".to_owned(),
            client_id: "22222222-2222-4222-8222-222222222222".to_owned(),
            client_secret: "emulator-secret".to_owned(),
            token_lifetime: Duration::from_secs(3600),
            graph_resource: "https://graph.microsoft.com".to_owned(),
            more_tenants: Vec::new(),
        }
    }
}

/// Failures to inject, counted over the emulator's lifetime and all its tenants' calls
/// ([`TenantApp::throttle_first`] throttles one tenant alone).
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Answer the first N report calls `429 Too Many Requests`.
    pub throttle_first: u32,
    /// The `Retry-After` (whole seconds) of those answers.
    pub retry_after: u64,
    /// Then answer the next N report calls `503 Service Unavailable`.
    pub unavailable_first: u32,
    /// Wait this long before every answer, and between download chunks.
    pub slow: Option<Duration>,
    /// Cut every CSV download short in the middle of a row.
    pub truncate_downloads: bool,
    /// Mint the first N download links already expired.
    pub expire_first_links: u32,
    /// Every Nth row (0: none) leaves its first required count empty (`null` in JSON), as
    /// tenants' files sometimes do though the spec says the column always holds a number.
    pub blank_counts_every: usize,
    /// Missing admin consent: the token endpoint still issues tokens, but report calls made
    /// with one get `403` `Authorization_RequestDenied` (the static token is unaffected).
    pub forbid_issued_tokens: bool,
    /// The service has not processed the last N days before today yet (Graph's data lands a
    /// day or two late): its refresh date is N days before the usual day before today, period
    /// calls end there, and a `date=` call for a later day (still inside the 30 days it
    /// accepts) answers the header alone.
    pub unpublished_days: u32,
}

/// Another tenant the emulator serves, with its own app registration.
///
/// Its `Debug` output redacts `client_secret`.
#[derive(Clone)]
pub struct TenantApp {
    /// Its directory (tenant) id: tokens come from `POST /{tenant_id}/oauth2/v2.0/token`.
    pub tenant_id: String,
    /// The application (client) id of its app registration.
    pub client_id: String,
    /// That registration's client secret. Never echoed in any answer.
    pub client_secret: String,
    /// Answer this tenant's first N report calls `429` with `Retry-After` [`TenantApp::retry_after`]
    /// seconds (other tenants unaffected).
    pub throttle_first: u32,
    /// The `Retry-After` (whole seconds) of those answers.
    pub retry_after: u64,
}

impl TenantApp {
    /// The `n`-th extra tenant (`n >= 1`): tenant id `33333333-3333-4333-8333-{n:012}` and
    /// client id `44444444-4444-4444-8444-{n:012}` (GUID-shaped for `n` below 10^12, never the
    /// configured defaults, obviously not a real directory or app), client secret
    /// `emulator-secret-{n}`, no throttling. The same `n` always gives the same tenant.
    pub fn numbered(n: usize) -> TenantApp {
        TenantApp {
            tenant_id: format!("33333333-3333-4333-8333-{n:012}"),
            client_id: format!("44444444-4444-4444-8444-{n:012}"),
            client_secret: format!("emulator-secret-{n}"),
            throttle_first: 0,
            retry_after: 0,
        }
    }
}

// Written by hand so that a logged or panicking configuration never shows a credential.
impl fmt::Debug for TenantApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let TenantApp {
            tenant_id,
            client_id,
            client_secret: _,
            throttle_first,
            retry_after,
        } = self;
        f.debug_struct("TenantApp")
            .field("tenant_id", tenant_id)
            .field("client_id", client_id)
            .field("client_secret", &Redacted)
            .field("throttle_first", throttle_first)
            .field("retry_after", retry_after)
            .finish()
    }
}
