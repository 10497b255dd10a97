//! Bearer tokens: where they come from, and a wrapper that keeps them out of logs.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A string that must never be shown: an access token or a preauthenticated download URL.
/// `Debug` and `Display` print `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for the one place that has to send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

/// The error a token provider returns.
pub type TokenError = Box<dyn std::error::Error + Send + Sync>;

/// The future a token provider returns.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<Secret, TokenError>> + Send + 'a>>;

/// Supplies the bearer token. Asked before every request, so a provider that refreshes or
/// caches tokens (e.g. an OAuth client-credentials flow) always hands out a valid one.
///
/// Any `Fn() -> impl Future<Output = Result<Secret, TokenError>>` closure is a provider:
///
/// ```
/// # use reports_sdk::{Client, Secret, TokenError};
/// let client = Client::builder()
///     .token_provider(|| async { Ok::<_, TokenError>(Secret::new("token from your OAuth flow")) })
///     .build();
/// ```
pub trait TokenProvider: Send + Sync + 'static {
    /// The token to send with the next request.
    fn token(&self) -> TokenFuture<'_>;

    /// Graph refused `rejected` with `401` (expired early, revoked): drop it if it is cached.
    /// Returns whether the next [`token`](Self::token) may be a different one, in which case
    /// the request is retried once. The default, for providers that cannot refresh, is `false`.
    fn invalidate(&self, rejected: &Secret) -> bool {
        let _ = rejected;
        false
    }
}

impl<F, Fut> TokenProvider for F
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Secret, TokenError>> + Send + 'static,
{
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(self())
    }
}

/// A fixed bearer token.
#[derive(Debug, Clone)]
pub struct StaticToken(Secret);

impl StaticToken {
    /// A provider that always answers `token`.
    pub fn new(token: impl Into<Secret>) -> Self {
        StaticToken(token.into())
    }
}

impl TokenProvider for StaticToken {
    fn token(&self) -> TokenFuture<'_> {
        let token = self.0.clone();
        Box::pin(async move { Ok(token) })
    }
}

pub(crate) type SharedTokenProvider = Arc<dyn TokenProvider>;
