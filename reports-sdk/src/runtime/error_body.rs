//! Graph's error body, `{"error":{"code","message","innerError":{"request-id",...}}}`, read
//! with a bound and scrubbed of credentials before any of it is kept in an [`Error`].
//!
//! A misconfigured proxy or gateway may echo the request back, `Authorization` header
//! included; what is kept from the body ends up in `Display`, logs and bug reports, so the
//! request's token, and anything shaped like a bearer token or a JWT, is replaced first.
//!
//! [`Error`]: super::error::Error

use reqwest::Response;
use reqwest::header::HeaderMap;

use super::error::ServiceError;

/// Enough for any Graph error; an endless body is not read to its end.
const READ_AT_MOST: usize = 64 * 1024;

/// How much of a body that is not Graph error JSON is kept as the message.
const KEPT: usize = 512;

const REDACTED: &str = "[redacted]";

/// Reads at most [`READ_AT_MOST`] bytes of an error answer and makes a [`ServiceError`] of it,
/// falling back on the `request-id`, `client-request-id` and `date` headers. `token` (what the
/// request carried) is redacted wherever the body quotes it.
pub(crate) async fn service_error(mut response: Response, token: &str) -> ServiceError {
    let headers = response.headers().clone();
    let mut body = Vec::new();
    while body.len() < READ_AT_MOST {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            // A failure reading an error body leaves what arrived: the status says enough.
            _ => break,
        }
    }
    let mut service = parse_service_error(&body, token);
    let header = |name: &str| header_text(&headers, name).map(|text| redact(&text, token));
    service.request_id = service.request_id.or_else(|| header("request-id"));
    service.client_request_id = service
        .client_request_id
        .or_else(|| header("client-request-id"));
    service.date = service.date.or_else(|| header("date"));
    service
}

/// Graph's `{"error":{...}}`, or the start of whatever else the body is; `token` and anything
/// that looks like a credential are redacted from every field.
pub(crate) fn parse_service_error(body: &[u8], token: &str) -> ServiceError {
    #[derive(serde::Deserialize)]
    struct Body {
        error: Detail,
    }
    #[derive(serde::Deserialize)]
    struct Detail {
        code: Option<String>,
        message: Option<String>,
        #[serde(rename = "innerError", alias = "innererror")]
        inner: Option<Inner>,
    }
    #[derive(serde::Deserialize)]
    struct Inner {
        #[serde(rename = "request-id")]
        request_id: Option<String>,
        #[serde(rename = "client-request-id")]
        client_request_id: Option<String>,
        date: Option<String>,
    }
    let clean = |text: Option<String>| text.map(|text| redact(&text, token));
    let mut service = ServiceError::default();
    match serde_json::from_slice::<Body>(body) {
        Ok(Body { error }) => {
            service.code = clean(error.code);
            service.message = clean(error.message);
            if let Some(inner) = error.inner {
                service.request_id = clean(inner.request_id);
                service.client_request_id = clean(inner.client_request_id);
                service.date = clean(inner.date);
            }
        }
        Err(_) if !body.is_empty() => {
            // Redacted before it is cut, so a token straddling the cut is still found whole.
            let text = redact(&String::from_utf8_lossy(body), token);
            let mut kept: String = text.chars().take(KEPT).collect();
            if kept.len() < text.len() {
                kept.push('…');
            }
            service.message = Some(kept);
        }
        Err(_) => {}
    }
    service
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name)?.to_str().ok().map(str::to_owned)
}

/// `text` without `token`, without the credential after any `Bearer `, and without anything
/// shaped like a JWT (`eyJ...`, dot-separated): a body may quote a token other than the
/// request's (a cached one, another tenant's).
pub(crate) fn redact(text: &str, token: &str) -> String {
    // A token this short would redact ordinary words; real tokens are far longer.
    let text = if token.len() >= 8 {
        text.replace(token, REDACTED)
    } else {
        text.to_owned()
    };
    redact_jwts(&redact_after_bearer(&text))
}

/// Where a credential quoted in text ends: at white space or the punctuation that closes a
/// JSON string, header list or sentence around it.
fn ends_credential(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\'' | ',' | ';' | '\\' | '}' | ']' | ')' | '<' | '>'
        )
}

fn redact_after_bearer(text: &str) -> String {
    const SCHEME: &[u8] = b"bearer";
    // Shorter words after "Bearer" are prose ("bearer token"), not credentials.
    const SHORTEST_CREDENTIAL: usize = 8;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest
        .as_bytes()
        .windows(SCHEME.len())
        .position(|window| window.eq_ignore_ascii_case(SCHEME))
    {
        // `at` and `at + 6` are ASCII positions, so char boundaries.
        let after = &rest[at + SCHEME.len()..];
        let credential = after.trim_start_matches([' ', '\t']);
        let gap = after.len() - credential.len();
        let len = credential.find(ends_credential).unwrap_or(credential.len());
        out.push_str(&rest[..at + SCHEME.len() + gap]);
        // Already redacted (the exact token goes first) is left as it is.
        if gap > 0 && len >= SHORTEST_CREDENTIAL && !credential.starts_with(REDACTED) {
            out.push_str(REDACTED);
            rest = &credential[len..];
        } else {
            rest = credential;
        }
    }
    out.push_str(rest);
    out
}

fn redact_jwts(text: &str) -> String {
    // A JWT's header is base64url JSON, which always starts `{"`: `eyJ`.
    const JWT_START: &str = "eyJ";
    let is_jwt_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(JWT_START) {
        let candidate = &rest[at..];
        let len = candidate
            .find(|c: char| !is_jwt_char(c))
            .unwrap_or(candidate.len());
        let word = &candidate[..len];
        out.push_str(&rest[..at]);
        if word.len() >= 16 && word.contains('.') {
            out.push_str(REDACTED);
        } else {
            out.push_str(word);
        }
        rest = &candidate[len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_error_json_is_read_whole() {
        let body = br#"{"error":{"code":"UnknownError","message":"boom","innerError":{"request-id":"r-1","client-request-id":"c-1","date":"2024-01-31T00:00:00"}}}"#;
        let service = parse_service_error(body, "");
        assert_eq!(service.code.as_deref(), Some("UnknownError"));
        assert_eq!(service.message.as_deref(), Some("boom"));
        assert_eq!(service.request_id.as_deref(), Some("r-1"));
        assert_eq!(service.client_request_id.as_deref(), Some("c-1"));
    }

    #[test]
    fn other_bodies_are_kept_cut_to_their_start() {
        let body = "x".repeat(2_000);
        let message = parse_service_error(body.as_bytes(), "").message.unwrap();
        assert_eq!(message.chars().count(), KEPT + 1);
        assert!(message.ends_with('…'));
        assert_eq!(parse_service_error(b"", "").message, None);
    }

    #[test]
    fn tokens_are_redacted_wherever_a_body_quotes_them() {
        let token = "opaque-token-1234";
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJncmFwaCJ9.c2lnbmF0dXJl";
        for (text, expected) in [
            (
                format!("echo: Authorization: Bearer {token}"),
                "echo: Authorization: Bearer [redacted]".to_owned(),
            ),
            (
                format!("{{\"authorization\":\"bearer   {jwt}\"}}"),
                "{\"authorization\":\"bearer   [redacted]\"}".to_owned(),
            ),
            (format!("token={token}&x"), "token=[redacted]&x".to_owned()),
            (format!("cached {jwt}."), "cached [redacted]".to_owned()),
            (
                "the bearer token is invalid".to_owned(),
                "the bearer token is invalid".to_owned(),
            ),
            ("Bearer".to_owned(), "Bearer".to_owned()),
            (
                "naïve BEARER ünïcödé-crédential!".to_owned(),
                "naïve BEARER [redacted]".to_owned(),
            ),
        ] {
            assert_eq!(redact(&text, token), expected, "{text}");
        }
        let body = format!(r#"{{"error":{{"code":"Echo","message":"you sent Bearer {token}"}}}}"#);
        let service = parse_service_error(body.as_bytes(), token);
        assert_eq!(
            service.message.as_deref(),
            Some("you sent Bearer [redacted]")
        );
    }
}
