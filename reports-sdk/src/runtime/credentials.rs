//! Signing in as an application: the OAuth 2.0 client-credentials grant with a client secret
//! against Microsoft Entra ID, the way unattended report jobs read usage reports
//! (`Reports.Read.All` as an application permission). Tokens are cached and refreshed before
//! they expire; concurrent requests share one refresh.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde::Deserialize;

use super::auth::{Secret, TokenFuture, TokenProvider};
use super::error::{Error, ErrorKind};
use super::meta::Cloud;

/// The longest token endpoint answer read; a real one is a few hundred bytes.
const READ_AT_MOST: usize = 64 * 1024;
/// The longest a token is kept, whatever `expires_in` says: Entra ID's tokens live about an
/// hour, and a larger value (or one that would overflow a clock) is not trusted.
const LONGEST_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// A [`TokenProvider`] signing in as an app registration with a client secret (the
/// client-credentials grant): `POST {authority}/{tenant}/oauth2/v2.0/token` with
/// `scope={Graph resource}/.default`. The authority and the Graph resource follow the cloud.
///
/// Tokens are cached and refreshed [`refresh_margin`](ClientSecretCredentialBuilder::refresh_margin)
/// before they expire; concurrent requests wait for one refresh rather than each asking for a
/// token. When Graph answers `401` to a token (expired early, revoked), the client drops it and
/// retries once with a fresh one.
///
/// ```no_run
/// use reports_sdk::{Client, ClientSecretCredential, Cloud};
///
/// # fn build() -> Result<(), reports_sdk::Error> {
/// let credential = ClientSecretCredential::builder("contoso.onmicrosoft.com", "app-id", "secret")
///     .cloud(Cloud::UsGovL4)
///     .build()?;
/// let client = Client::builder().cloud(Cloud::UsGovL4).token_provider(credential).build()?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct ClientSecretCredential {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    client_secret: Secret,
    scope: String,
    refresh_margin: Duration,
    cached: Mutex<Option<Cached>>,
    /// Held while a token is being fetched, so concurrent callers wait for that one.
    refreshing: tokio::sync::Mutex<()>,
    /// The last sign-in that failed, so callers that waited for it share its outcome instead
    /// of each asking again in turn.
    failed: Mutex<Option<Failed>>,
}

/// A failed sign-in, kept to hand to the callers that waited for it.
struct Failed {
    at: Instant,
    kind: ErrorKind,
    message: String,
    status: Option<u16>,
    refused: Option<SignInError>,
}

impl Failed {
    fn of(error: &Error) -> Failed {
        Failed {
            at: Instant::now(),
            kind: error.kind(),
            message: error.message().to_owned(),
            status: error.status(),
            refused: std::error::Error::source(error)
                .and_then(|source| source.downcast_ref::<SignInError>())
                .cloned(),
        }
    }

    fn error(&self) -> Error {
        let mut error = Error::new(self.kind, self.message.clone());
        if let Some(status) = self.status {
            error = error.with_status(status);
        }
        match &self.refused {
            Some(refused) => error.with_source(refused.clone()),
            None => error,
        }
    }
}

#[derive(Clone)]
struct Cached {
    token: Secret,
    refresh_at: Instant,
}

impl std::fmt::Debug for ClientSecretCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSecretCredential")
            .field("token_url", &self.inner.token_url)
            .field("client_id", &self.inner.client_id)
            .field("client_secret", &self.inner.client_secret)
            .field("scope", &self.inner.scope)
            .finish_non_exhaustive()
    }
}

impl ClientSecretCredential {
    /// Starts a credential for the app `client_id` in the directory `tenant_id` (its GUID or a
    /// verified domain such as `contoso.onmicrosoft.com`).
    pub fn builder(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> ClientSecretCredentialBuilder {
        ClientSecretCredentialBuilder {
            tenant_id: tenant_id.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            cloud: Cloud::Global,
            authority_host: None,
            scope: None,
            refresh_margin: Duration::from_secs(300),
        }
    }

    /// The token endpoint this credential signs in at.
    pub fn token_url(&self) -> &str {
        &self.inner.token_url
    }

    /// The scope it asks for, e.g. `https://graph.microsoft.com/.default`.
    pub fn scope(&self) -> &str {
        &self.inner.scope
    }
}

/// Configures a [`ClientSecretCredential`].
pub struct ClientSecretCredentialBuilder {
    tenant_id: String,
    client_id: String,
    client_secret: Secret,
    cloud: Cloud,
    authority_host: Option<String>,
    scope: Option<String>,
    refresh_margin: Duration,
}

impl std::fmt::Debug for ClientSecretCredentialBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSecretCredentialBuilder")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("cloud", &self.cloud)
            .field("authority_host", &self.authority_host)
            .field("scope", &self.scope)
            .finish()
    }
}

impl ClientSecretCredentialBuilder {
    /// The national cloud: its Entra ID authority and Graph resource. Default: global.
    pub fn cloud(mut self, cloud: Cloud) -> Self {
        self.cloud = cloud;
        self
    }

    /// Signs in at this authority instead of the cloud's (`AZURE_AUTHORITY_HOST`: a proxy, a
    /// sovereign endpoint, a local emulator), e.g. `https://login.microsoftonline.com`.
    pub fn authority_host(mut self, authority_host: impl Into<String>) -> Self {
        self.authority_host = Some(authority_host.into());
        self
    }

    /// Asks for this scope instead of `{the cloud's Graph resource}/.default`.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// How long before expiry a token is replaced. Default: 5 minutes (at most half the
    /// token's lifetime, for short-lived tokens).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// Checks the settings and builds the credential; nothing is sent yet.
    pub fn build(self) -> Result<ClientSecretCredential, Error> {
        let invalid = |message: String| Err(Error::new(ErrorKind::Configuration, message));
        // Both go into the token URL or the form: refuse what could change the request. The
        // value is not quoted back: a secret pasted into the wrong variable would be shown.
        let id_like = |text: &str| {
            text.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
                && text.chars().any(|c| c.is_ascii_alphanumeric())
        };
        if !id_like(&self.tenant_id) {
            return invalid(format!(
                "the tenant id ({} characters) is not a directory's GUID or verified domain (contoso.onmicrosoft.com): it may hold only letters, digits, '-', '.' and '_'",
                self.tenant_id.chars().count()
            ));
        }
        if !id_like(&self.client_id) {
            return invalid(format!(
                "the client id ({} characters) is not an app registration's Application (client) ID: it may hold only letters, digits, '-', '.' and '_'",
                self.client_id.chars().count()
            ));
        }
        if self.client_secret.expose().is_empty() {
            return invalid("the client secret is empty".to_owned());
        }
        let authority = self
            .authority_host
            .unwrap_or_else(|| self.cloud.authority_host().to_owned());
        let authority = authority.trim_end_matches('/');
        // The client secret travels in the request body: only loopback (tests, a local
        // emulator) may have it in clear text.
        match reqwest::Url::parse(authority) {
            Ok(url) if url.scheme() == "https" => {}
            Ok(url) if url.scheme() == "http" && is_loopback(&url) => {}
            Ok(url) if url.scheme() == "http" => {
                return invalid(format!(
                    "the authority host {authority:?} is plain http: the client secret would travel unencrypted; use https (http is accepted for loopback addresses only)"
                ));
            }
            _ => {
                return invalid(format!(
                    "{authority:?} is not an https URL; the authority host looks like https://login.microsoftonline.com"
                ));
            }
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|err| {
                Error::new(ErrorKind::Configuration, "cannot build the HTTP client")
                    .with_source(err)
            })?;
        Ok(ClientSecretCredential {
            inner: Arc::new(Inner {
                http,
                token_url: format!("{authority}/{}/oauth2/v2.0/token", self.tenant_id),
                client_id: self.client_id,
                client_secret: self.client_secret,
                scope: self
                    .scope
                    .unwrap_or_else(|| format!("{}/.default", self.cloud.base_url())),
                refresh_margin: self.refresh_margin,
                cached: Mutex::new(None),
                refreshing: tokio::sync::Mutex::new(()),
                failed: Mutex::new(None),
            }),
        })
    }
}

impl TokenProvider for ClientSecretCredential {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async move { self.inner.token().await.map_err(Into::into) })
    }

    fn invalidate(&self, rejected: &Secret) -> bool {
        let mut cached = self
            .inner
            .cached
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if cached
            .as_ref()
            .is_some_and(|cached| &cached.token == rejected)
        {
            *cached = None;
        }
        true
    }
}

impl Inner {
    fn fresh(&self) -> Option<Secret> {
        let cached = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        cached
            .as_ref()
            .filter(|cached| Instant::now() < cached.refresh_at)
            .map(|cached| cached.token.clone())
    }

    async fn token(&self) -> Result<Secret, Error> {
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let waiting_since = Instant::now();
        let _refreshing = self.refreshing.lock().await;
        // Another caller may have refreshed while this one waited, or failed to: then this
        // one shares that outcome rather than asking Entra ID again.
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        if let Some(failed) = self
            .failed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .filter(|failed| failed.at >= waiting_since)
        {
            return Err(failed.error());
        }
        let asked = Instant::now();
        let (token, lifetime) = match self.request().await {
            Ok(granted) => granted,
            Err(error) => {
                *self.failed.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some(Failed::of(&error));
                return Err(error);
            }
        };
        let lifetime = lifetime.min(LONGEST_LIFETIME);
        let margin = self.refresh_margin.min(lifetime / 2);
        *self.cached.lock().unwrap_or_else(PoisonError::into_inner) = Some(Cached {
            token: token.clone(),
            refresh_at: asked
                .checked_add(lifetime.saturating_sub(margin))
                .unwrap_or(asked),
        });
        tracing::debug!(
            lifetime_s = lifetime.as_secs(),
            "signed in with the client credentials"
        );
        Ok(token)
    }

    async fn request(&self) -> Result<(Secret, Duration), Error> {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
            ("scope", self.scope.as_str()),
        ];
        let body = form
            .iter()
            .map(|(name, value)| format!("{name}={}", form_encode(value)))
            .collect::<Vec<_>>()
            .join("&");
        let response = self
            .http
            .post(&self.token_url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await
            .map_err(|err| Error::transport("signing in at the token endpoint", err))?;
        let status = response.status();
        let bytes = read_limited(response).await?;
        if status != StatusCode::OK {
            let refused = SignInError::parse(status.as_u16(), &bytes);
            return Err(Error::new(ErrorKind::Token, refused.to_string())
                .with_status(status.as_u16())
                .with_source(refused));
        }
        #[derive(Deserialize)]
        struct Granted {
            access_token: String,
            #[serde(default)]
            expires_in: Option<serde_json::Value>,
        }
        let granted: Granted = serde_json::from_slice(&bytes).map_err(|err| {
            Error::new(
                ErrorKind::Token,
                "the token endpoint answered 200 without an access_token",
            )
            .with_source(err)
        })?;
        // `expires_in` is a number, or a number in a string from some proxies; without it,
        // the documented default lifetime of an hour less a margin.
        let seconds = match &granted.expires_in {
            Some(serde_json::Value::Number(n)) => n.as_u64(),
            Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        }
        .unwrap_or(3600);
        if granted.access_token.is_empty() {
            return Err(Error::new(
                ErrorKind::Token,
                "the token endpoint answered 200 with an empty access_token",
            ));
        }
        Ok((
            Secret::new(granted.access_token),
            Duration::from_secs(seconds),
        ))
    }
}

async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>, Error> {
    let mut body = Vec::new();
    while body.len() < READ_AT_MOST {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(err) => return Err(Error::body(err)),
        }
    }
    Ok(body)
}

/// `application/x-www-form-urlencoded` value encoding.
fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Microsoft Entra ID refused to sign the app in: its OAuth error, the `AADSTS` codes, and the
/// trace and correlation ids to quote to Microsoft support. Never holds the secret. The
/// [`Error`] of a failed sign-in ([`ErrorKind::Token`]) has it as its `source()`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignInError {
    /// HTTP status of the token endpoint's answer.
    pub status: u16,
    /// The OAuth error, e.g. `invalid_client`.
    pub error: Option<String>,
    /// The first line of `error_description`, e.g. `AADSTS7000215: Invalid client secret
    /// provided...`.
    pub description: Option<String>,
    /// `error_codes`, e.g. `[7000215]`.
    pub codes: Vec<u64>,
    /// `trace_id`.
    pub trace_id: Option<String>,
    /// `correlation_id`.
    pub correlation_id: Option<String>,
}

impl SignInError {
    fn parse(status: u16, body: &[u8]) -> SignInError {
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Body {
            error: Option<String>,
            error_description: Option<String>,
            error_codes: Vec<u64>,
            trace_id: Option<String>,
            correlation_id: Option<String>,
        }
        let parsed: Body = serde_json::from_slice(body).unwrap_or_default();
        // Entra appends "Trace ID: ...", "Correlation ID: ..." and "Timestamp: ..." lines,
        // which are kept as fields instead.
        let description = parsed
            .error_description
            .as_deref()
            .and_then(|text| text.lines().next())
            .map(|line| cut(line.trim(), 300));
        SignInError {
            status,
            error: parsed.error.map(|error| cut(&error, 100)),
            description,
            codes: parsed.error_codes,
            trace_id: parsed.trace_id.map(|id| cut(&id, 100)),
            correlation_id: parsed.correlation_id.map(|id| cut(&id, 100)),
        }
    }

    /// What to do about the refusal, by its `AADSTS` code.
    pub fn hint(&self) -> &'static str {
        let has = |code: u64| self.codes.contains(&code);
        if has(7_000_215) || has(7_000_222) {
            "the client secret is wrong or expired: create a new one under the app registration's Certificates & secrets (AZURE_CLIENT_SECRET is the secret's value, not its ID)"
        } else if has(700_016) {
            "no app with this client id in the tenant: check AZURE_CLIENT_ID and AZURE_TENANT_ID, and that an admin consented to the app in this tenant"
        } else if has(90_002) || has(900_023) {
            "the tenant is unknown: AZURE_TENANT_ID takes the directory's GUID or a verified domain"
        } else if has(65_001) || has(500_011) {
            "the app has no consent in this tenant: an administrator must grant admin consent to its Reports.Read.All application permission"
        } else if has(1_002_012) || has(70_011) {
            "the scope is not valid: client credentials ask for `{Graph resource}/.default`"
        } else {
            "check the tenant, client id and secret, and that the app has the Reports.Read.All application permission with admin consent"
        }
    }
}

impl std::fmt::Display for SignInError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Microsoft Entra ID refused the sign-in ({}", self.status)?;
        if let Some(error) = &self.error {
            write!(f, " {error}")?;
        }
        f.write_str(")")?;
        if let Some(description) = &self.description {
            write!(f, ": {description}")?;
        }
        if let Some(trace) = &self.trace_id {
            write!(f, "; trace id {trace}")?;
        }
        if let Some(correlation) = &self.correlation_id {
            write!(f, "; correlation id {correlation}")?;
        }
        write!(f, ". Hint: {}", self.hint())
    }
}

impl std::error::Error for SignInError {}

/// Whether the URL names this machine: `localhost` or a loopback address.
fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn cut(text: &str, at_most: usize) -> String {
    match text.char_indices().nth(at_most) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

impl Cloud {
    /// The Microsoft Entra ID authority of the cloud, where apps sign in.
    pub fn authority_host(self) -> &'static str {
        match self {
            Cloud::Global => "https://login.microsoftonline.com",
            Cloud::UsGovL4 | Cloud::UsGovL5 => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cloud_signs_in_at_its_authority_for_its_graph_resource() {
        let cases = [
            (
                Cloud::Global,
                "https://login.microsoftonline.com/t/oauth2/v2.0/token",
                "https://graph.microsoft.com/.default",
            ),
            (
                Cloud::UsGovL4,
                "https://login.microsoftonline.us/t/oauth2/v2.0/token",
                "https://graph.microsoft.us/.default",
            ),
            (
                Cloud::UsGovL5,
                "https://login.microsoftonline.us/t/oauth2/v2.0/token",
                "https://dod-graph.microsoft.us/.default",
            ),
            (
                Cloud::China,
                "https://login.chinacloudapi.cn/t/oauth2/v2.0/token",
                "https://microsoftgraph.chinacloudapi.cn/.default",
            ),
        ];
        for (cloud, url, scope) in cases {
            let credential = ClientSecretCredential::builder("t", "c", "s")
                .cloud(cloud)
                .build()
                .unwrap_or_else(|err| panic!("{err}"));
            assert_eq!(credential.token_url(), url, "{cloud}");
            assert_eq!(credential.scope(), scope, "{cloud}");
        }
        let overridden = ClientSecretCredential::builder("t", "c", "s")
            .cloud(Cloud::China)
            .authority_host("http://127.0.0.1:9/")
            .scope("api://x/.default")
            .build()
            .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(
            overridden.token_url(),
            "http://127.0.0.1:9/t/oauth2/v2.0/token"
        );
        assert_eq!(overridden.scope(), "api://x/.default");
    }

    #[test]
    fn ids_that_could_change_the_request_are_refused() {
        for (tenant, client) in [
            ("a/b", "c"),
            ("", "c"),
            ("..", "c"),
            ("t", "c&scope=x"),
            ("t", ""),
        ] {
            let error = ClientSecretCredential::builder(tenant, client, "s")
                .build()
                .map(drop)
                .unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Configuration, "{tenant} {client}");
        }
        assert!(
            ClientSecretCredential::builder("t", "c", "")
                .build()
                .is_err()
        );
        // A secret pasted as the client id is not shown back.
        let error = ClientSecretCredential::builder("t", "Xy8Q~sEcReT", "s")
            .build()
            .map(drop)
            .unwrap_err()
            .to_string();
        assert!(!error.contains("sEcReT"), "{error}");
    }

    #[test]
    fn the_secret_travels_in_clear_text_only_to_loopback() {
        for authority in ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9"] {
            assert!(
                ClientSecretCredential::builder("t", "c", "s")
                    .authority_host(authority)
                    .build()
                    .is_ok(),
                "{authority}"
            );
        }
        for authority in [
            "http://login.example",
            "ftp://login.example",
            "login.example",
        ] {
            let error = ClientSecretCredential::builder("t", "c", "s")
                .authority_host(authority)
                .build()
                .map(drop)
                .unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Configuration, "{authority}");
        }
    }

    #[test]
    fn the_secret_is_never_shown() {
        let builder = ClientSecretCredential::builder("t", "c", "hunter2-secret");
        assert!(!format!("{builder:?}").contains("hunter2"));
        let credential = builder.build().unwrap_or_else(|err| panic!("{err}"));
        assert!(!format!("{credential:?}").contains("hunter2"));
    }

    #[test]
    fn entra_errors_keep_their_code_ids_and_a_hint() {
        let body = br#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 11\r\nCorrelation ID: 22\r\nTimestamp: 2024","error_codes":[7000215],"trace_id":"11","correlation_id":"22"}"#;
        let error = SignInError::parse(401, body);
        assert_eq!(error.codes, [7_000_215]);
        let text = error.to_string();
        assert_eq!(
            text,
            "Microsoft Entra ID refused the sign-in (401 invalid_client): AADSTS7000215: Invalid client secret provided.; trace id 11; correlation id 22. Hint: the client secret is wrong or expired: create a new one under the app registration's Certificates & secrets (AZURE_CLIENT_SECRET is the secret's value, not its ID)"
        );
        let garbage = SignInError::parse(502, b"<html>bad gateway</html>");
        assert_eq!(garbage.error, None);
        assert!(
            garbage
                .to_string()
                .starts_with("Microsoft Entra ID refused the sign-in (502)")
        );
    }

    #[test]
    fn form_values_are_encoded() {
        assert_eq!(form_encode("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
        assert_eq!(
            form_encode("https://graph.microsoft.com/.default"),
            "https%3A%2F%2Fgraph.microsoft.com%2F.default"
        );
    }
}
