//! Microsoft Entra ID's token endpoint, for the OAuth 2.0 client-credentials grant, and the
//! access tokens it has issued (which the Graph listener then accepts).
//!
//! `POST /{tenant}/oauth2/v2.0/token` with an `application/x-www-form-urlencoded` body answers
//! `200` with a fresh opaque token, or an error shaped as Entra ID shapes them:
//! `{"error","error_description","error_codes","timestamp","trace_id","correlation_id",
//! "error_uri"}`, the description starting with the `AADSTS` code and ending with the trace id,
//! correlation id and timestamp. The client secret is compared and never written anywhere.
//!
//! Every tenant the emulator serves has its endpoint here, under its own id, and accepts only
//! its own app registration; a token remembers the tenant that issued it.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use crate::directory::TenantIndex;
use crate::server::{Shared, random_u64};

/// Where Entra ID's error answers point (`error_uri`): its public page explaining each code.
const ERROR_URI: &str = "https://login.microsoftonline.com/error?code=";

/// The tokens issued so far, for every tenant.
pub(crate) struct Issuer {
    tokens: Mutex<HashMap<String, Issued>>,
}

struct Issued {
    /// `None`: a lifetime too long to represent, i.e. never expires.
    expires: Option<Instant>,
    revoked: bool,
    /// Whose data report calls with it get.
    tenant: TenantIndex,
}

/// What a presented bearer token is, as far as the issuer knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenState {
    Valid,
    Expired,
    Revoked,
}

// Written by hand so that printing the emulator never prints a usable access token.
impl fmt::Debug for Issuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let held = self
            .tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("Issuer")
            .field("tokens_held", &held)
            .finish()
    }
}

impl Issuer {
    pub(crate) fn new() -> Issuer {
        Issuer {
            tokens: Mutex::new(HashMap::new()),
        }
    }

    /// The state of a token this issuer minted and the tenant it was issued for, `None` for
    /// any other string.
    ///
    /// Expiry is checked before revocation, as Graph validates a token's lifetime before asking
    /// whether it was revoked.
    pub(crate) fn check(&self, token: &str) -> Option<(TokenState, TenantIndex)> {
        let tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        let issued = tokens.get(token)?;
        let state = if issued.expires.is_some_and(|at| Instant::now() >= at) {
            TokenState::Expired
        } else if issued.revoked {
            TokenState::Revoked
        } else {
            TokenState::Valid
        };
        Some((state, issued.tenant))
    }

    /// Revokes every token issued so far; later ones are unaffected.
    pub(crate) fn revoke_all(&self) {
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        for issued in tokens.values_mut() {
            issued.revoked = true;
        }
    }

    /// Mints and remembers a token. Expired tokens are kept, not pruned, so that a late call
    /// with one gets Graph's "expired" answer rather than "invalid"; the table grows by one
    /// entry per token request, which is nothing for tests or a local session.
    fn issue(&self, lifetime: std::time::Duration, tenant: TenantIndex) -> String {
        let token = format!(
            "{:016x}{:016x}{:016x}{:016x}",
            random_u64(),
            random_u64(),
            random_u64(),
            random_u64()
        );
        let issued = Issued {
            expires: Instant::now().checked_add(lifetime),
            revoked: false,
            tenant,
        };
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(token.clone(), issued);
        token
    }
}

/// The authority host's routes.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(token_request))
        .fallback(|| async { StatusCode::NOT_FOUND })
        .with_state(shared)
}

/// One answer's trace and correlation ids and time, as Entra ID reports them in both the body
/// and the headers.
struct Trace {
    trace_id: String,
    correlation_id: String,
    timestamp: String,
}

impl Trace {
    /// A fresh trace id; the correlation id is the caller's `client-request-id` when it sent a
    /// GUID there (as Entra ID does, so a client can match its logs), a fresh one otherwise.
    fn new(request: &HeaderMap) -> Trace {
        let correlation_id = request
            .get("client-request-id")
            .and_then(|value| value.to_str().ok())
            .filter(|value| is_guid(value))
            .map_or_else(guid, |value| value.to_ascii_lowercase());
        Trace {
            trace_id: guid(),
            correlation_id,
            timestamp: chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string(),
        }
    }

    fn respond(&self, status: StatusCode, body: &serde_json::Value) -> Response {
        let mut response = (status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        // RFC 6749 §5.1: token answers must not be cached.
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store, no-cache"),
        );
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        for (name, value) in [
            ("x-ms-request-id", &self.trace_id),
            ("client-request-id", &self.correlation_id),
        ] {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name, value);
            }
        }
        response
    }

    fn error(&self, failure: &Failure) -> Response {
        let description = format!(
            "AADSTS{}: {}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
            failure.code, failure.message, self.trace_id, self.correlation_id, self.timestamp
        );
        let body = serde_json::json!({
            "error": failure.error,
            "error_description": description,
            "error_codes": [failure.code],
            "timestamp": self.timestamp,
            "trace_id": self.trace_id,
            "correlation_id": self.correlation_id,
            "error_uri": format!("{ERROR_URI}{}", failure.code),
        });
        self.respond(failure.status, &body)
    }
}

/// A refused token request. The message never contains the client secret: only values that
/// are not secret (tenant, client id, scope, grant type, parameter names) are echoed.
struct Failure {
    status: StatusCode,
    error: &'static str,
    code: u32,
    message: String,
}

impl Failure {
    fn missing(parameter: &str) -> Failure {
        Failure {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request",
            code: 900144,
            message: format!(
                "The request body must contain the following parameter: '{parameter}'."
            ),
        }
    }
}

async fn token_request(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let known = shared.directory.find(&tenant);
    shared.count(known, |c| &c.token_requests);
    let trace = Trace::new(&headers);
    match grant(&shared, &tenant, &headers, &body) {
        Ok(token) => {
            shared.count(known, |c| &c.tokens_issued);
            let lifetime = shared.config.token_lifetime.as_secs();
            let body = serde_json::json!({
                "token_type": "Bearer",
                "expires_in": lifetime,
                "ext_expires_in": lifetime,
                "access_token": token,
            });
            trace.respond(StatusCode::OK, &body)
        }
        Err(failure) => trace.error(&failure),
    }
}

/// Checks the request in Entra ID's order (tenant, then the form's parameters, then the client)
/// and issues a token bound to the tenant.
fn grant(
    shared: &Shared,
    tenant: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<String, Failure> {
    let config = &shared.config;
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| {
            media
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    // Entra ID reads parameters from a form body only: any other body (JSON, say) has none, so
    // it is refused as missing the first one, `grant_type`.
    let form = if is_form {
        parse_form(body)
    } else {
        Vec::new()
    };
    // Entra ID treats an empty value as a missing parameter.
    let field = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.is_empty())
    };
    // The answers echo the tenant, client id, scope and grant type; a client that put a
    // secret (any tenant's, or the one it sent) in one of them by mistake must not get it back.
    let directory = &shared.directory;
    let known_secrets = directory
        .iter()
        .map(|tenant| tenant.app.client_secret.as_str());
    let secrets: Vec<&str> = known_secrets.chain(field("client_secret")).collect();
    let shown = |value: &str| -> String {
        let secret_inside = secrets
            .iter()
            .any(|secret| !secret.is_empty() && value.contains(secret));
        if secret_inside {
            "<redacted>".to_owned()
        } else {
            value.to_owned()
        }
    };

    let Some((index, app)) = directory
        .find(tenant)
        .and_then(|index| Some((index, &directory.get(index)?.app)))
    else {
        return Err(Failure {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request",
            code: 90002,
            message: format!(
                "Tenant '{}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.",
                shown(tenant)
            ),
        });
    };
    let grant_type = field("grant_type").ok_or_else(|| Failure::missing("grant_type"))?;
    if grant_type != "client_credentials" {
        return Err(Failure {
            status: StatusCode::BAD_REQUEST,
            error: "unsupported_grant_type",
            code: 70003,
            message: format!(
                "The app requested an unsupported grant type '{}'.",
                shown(grant_type)
            ),
        });
    }
    let client_id = field("client_id").ok_or_else(|| Failure::missing("client_id"))?;
    if !client_id.eq_ignore_ascii_case(&app.client_id) {
        return Err(Failure {
            status: StatusCode::BAD_REQUEST,
            error: "unauthorized_client",
            code: 700016,
            message: format!(
                "Application with identifier '{}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
                shown(client_id),
                shown(tenant)
            ),
        });
    }
    // A missing scope is a missing parameter (900144), as Entra ID answers; a wrong one is
    // `invalid_scope`.
    let scope = field("scope").ok_or_else(|| Failure::missing("scope"))?;
    if scope != config.scope() {
        return Err(Failure {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_scope",
            code: 1002012,
            message: format!(
                "The provided value for scope {} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).",
                shown(scope)
            ),
        });
    }
    let secret = field("client_secret").ok_or_else(|| Failure::missing("client_secret"))?;
    if secret != app.client_secret {
        return Err(Failure {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            code: 7000215,
            message: format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.",
                shown(&app.client_id)
            ),
        });
    }
    Ok(shared.issuer.issue(config.token_lifetime, index))
}

/// Decodes an `application/x-www-form-urlencoded` body: `&`-separated `name=value` pairs, `+`
/// for a space, `%XX` for a byte; a malformed escape is kept as written, as browsers do.
fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    body.split(|byte| *byte == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = match pair.iter().position(|byte| *byte == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &[][..]),
            };
            (decode(name), decode(value))
        })
        .collect()
}

fn decode(text: &[u8]) -> String {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some((&first, tail)) = rest.split_first() {
        let escaped = match (first, tail) {
            (b'%', [high, low, ..]) => hex(*high).zip(hex(*low)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        match escaped {
            Some(byte) => {
                bytes.push(byte);
                rest = &tail[2..];
            }
            None => {
                bytes.push(if first == b'+' { b' ' } else { first });
                rest = tail;
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn hex(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

/// A random version-4 GUID, for trace and correlation ids.
fn guid() -> String {
    let (high, low) = (random_u64(), random_u64());
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        (high & 0x0fff) | 0x4000,
        ((low >> 48) & 0x3fff) | 0x8000,
        low & 0xffff_ffff_ffff
    )
}

fn is_guid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(at, c)| match at {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_decoded() {
        let form = parse_form(b"a=1&scope=https%3A%2F%2Fx%2F.default&b=two+words&&c&d=%zz%4");
        let pairs: Vec<(&str, &str)> = form
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("a", "1"),
                ("scope", "https://x/.default"),
                ("b", "two words"),
                ("c", ""),
                ("d", "%zz%4"),
            ]
        );
    }

    #[test]
    fn guids_look_like_guids() {
        let id = guid();
        assert!(is_guid(&id), "{id}");
        assert_eq!(id.as_bytes()[14], b'4');
        assert!(
            matches!(id.as_bytes()[19], b'8' | b'9' | b'a' | b'b'),
            "{id}"
        );
        assert_ne!(guid(), id);
        assert!(!is_guid("not-a-guid"));
    }
}
