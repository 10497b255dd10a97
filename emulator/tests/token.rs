//! The token endpoint (Entra ID's client-credentials grant) and the Graph listener's handling of
//! the tokens it issues, through a plain HTTP client.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on setup errors")]

use std::time::Duration;

use graph_emulator::{Config, Emulator, Faults};
use reqwest::StatusCode;
use serde_json::Value;

const REPORT: &str = "/v1.0/reports/getOffice365ActivationCounts";
const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";

/// Does not follow the `302` to the download host: a report call answering it is a success.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `application/x-www-form-urlencoded`, every byte but the unreserved ones escaped.
fn form(pairs: &[(&str, &str)]) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|byte| match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    char::from(byte).to_string()
                }
                _ => format!("%{byte:02X}"),
            })
            .collect()
    };
    pairs
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The request a client-credentials client sends for the emulator's default app.
fn good_form(config: &Config) -> Vec<(&'static str, String)> {
    vec![
        ("grant_type", "client_credentials".to_owned()),
        ("client_id", config.client_id.clone()),
        ("client_secret", config.client_secret.clone()),
        ("scope", config.scope()),
    ]
}

fn pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect()
}

struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap()
    }
}

async fn post_token(url: &str, content_type: &str, body: String) -> Answer {
    let response = client()
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    Answer {
        status: response.status(),
        headers: response.headers().clone(),
        text: response.text().await.unwrap(),
    }
}

/// A token for the emulator's configured app.
async fn issue(emulator: &Emulator) -> Value {
    let body = form(&pairs(&good_form(emulator.config())));
    let answer = post_token(
        &emulator.token_url(),
        "application/x-www-form-urlencoded",
        body,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.json()
}

async fn report_call(emulator: &Emulator, token: &str) -> (StatusCode, Value) {
    let response = client()
        .get(format!("{}{REPORT}", emulator.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn assert_graph_error(answer: &(StatusCode, Value), status: StatusCode, code: &str, message: &str) {
    assert_eq!(answer.0, status, "{}", answer.1);
    assert_eq!(answer.1["error"]["code"], code, "{}", answer.1);
    assert_eq!(answer.1["error"]["message"], message, "{}", answer.1);
}

fn is_guid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(at, c)| match at {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[tokio::test]
async fn an_issued_token_opens_report_calls() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    assert!(emulator.authority_host().starts_with("http://127.0.0.1:"));
    assert_eq!(
        emulator.token_url(),
        format!(
            "{}/11111111-1111-4111-8111-111111111111/oauth2/v2.0/token",
            emulator.authority_host()
        )
    );
    assert_eq!(emulator.config().scope(), GRAPH_SCOPE);

    let first = issue(&emulator).await;
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["token_type", "expires_in", "ext_expires_in", "access_token"]
    );
    assert_eq!(first["token_type"], "Bearer");
    assert_eq!(first["expires_in"], 3600);
    assert_eq!(first["ext_expires_in"], 3600);
    let token = first["access_token"].as_str().unwrap();
    assert!(token.len() >= 32, "{token}");
    let second = issue(&emulator).await;
    assert_ne!(second["access_token"], first["access_token"]);

    let (status, _) = report_call(&emulator, token).await;
    assert_eq!(status, StatusCode::FOUND);
    // An issued token looks like no other: a made-up one is still refused.
    assert_graph_error(
        &report_call(&emulator, &token.replace(|c| c != '0', "0")).await,
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        "Access token is empty or invalid.",
    );
    let stats = emulator.stats();
    assert_eq!(
        (stats.token_requests, stats.tokens_issued),
        (2, 2),
        "{stats:?}"
    );
    assert_eq!(stats.expired_token_calls, 0);
}

#[tokio::test]
async fn the_token_answer_is_not_cacheable_and_carries_the_trace() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    let correlation = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d";
    let response = client()
        .post(emulator.token_url())
        .header("content-type", "application/x-www-form-urlencoded")
        .header("client-request-id", correlation)
        .body(form(&pairs(&good_form(emulator.config()))))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("cache-control"), "no-store, no-cache");
    assert_eq!(header("pragma"), "no-cache");
    assert!(header("content-type").starts_with("application/json"));
    assert!(is_guid(&header("x-ms-request-id")));
    assert_eq!(header("client-request-id"), correlation);
}

/// One refused token request and what Entra ID answers to it.
struct Refusal {
    what: &'static str,
    tenant: &'static str,
    content_type: &'static str,
    body: String,
    status: StatusCode,
    error: &'static str,
    code: u64,
    message: &'static str,
}

#[tokio::test]
async fn refused_requests_get_entra_errors() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    let config = emulator.config();
    let tenant: &'static str = "11111111-1111-4111-8111-111111111111";
    let form_type = "application/x-www-form-urlencoded";
    let good = good_form(config);
    let with = |name: &str, value: &str| {
        let mut pairs = pairs(&good);
        for pair in &mut pairs {
            if pair.0 == name {
                pair.1 = value;
            }
        }
        form(&pairs)
    };
    let without = |name: &str| {
        let mut pairs = pairs(&good);
        pairs.retain(|pair| pair.0 != name);
        form(&pairs)
    };
    let wrong_secret = "not-the-emulator-secret";
    let refusals = [
        Refusal {
            what: "unknown tenant",
            tenant: "contoso.example",
            content_type: form_type,
            body: form(&pairs(&good)),
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request",
            code: 90002,
            message: "Tenant 'contoso.example' not found.",
        },
        Refusal {
            what: "unknown client",
            tenant,
            content_type: form_type,
            body: with("client_id", "33333333-3333-4333-8333-333333333333"),
            status: StatusCode::BAD_REQUEST,
            error: "unauthorized_client",
            code: 700016,
            message: "Application with identifier '33333333-3333-4333-8333-333333333333' was not found in the directory",
        },
        Refusal {
            what: "the secret sent as client_id",
            tenant,
            content_type: form_type,
            body: with("client_id", "emulator-secret"),
            status: StatusCode::BAD_REQUEST,
            error: "unauthorized_client",
            code: 700016,
            message: "Application with identifier '<redacted>' was not found in the directory",
        },
        Refusal {
            what: "the wrong secret in the scope too",
            tenant,
            content_type: form_type,
            body: form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &config.client_id),
                ("client_secret", wrong_secret),
                ("scope", &format!("{wrong_secret}/.default")),
            ]),
            status: StatusCode::BAD_REQUEST,
            error: "invalid_scope",
            code: 1002012,
            message: "The provided value for scope <redacted> is not valid.",
        },
        Refusal {
            what: "wrong secret",
            tenant,
            content_type: form_type,
            body: with("client_secret", wrong_secret),
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            code: 7000215,
            message: "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID",
        },
        Refusal {
            what: "a delegated permission as scope",
            tenant,
            content_type: form_type,
            body: with("scope", "https://graph.microsoft.com/Reports.Read.All"),
            status: StatusCode::BAD_REQUEST,
            error: "invalid_scope",
            code: 1002012,
            message: "The provided value for scope https://graph.microsoft.com/Reports.Read.All is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier",
        },
        Refusal {
            what: "the resource without /.default",
            tenant,
            content_type: form_type,
            body: with("scope", "https://graph.microsoft.com"),
            status: StatusCode::BAD_REQUEST,
            error: "invalid_scope",
            code: 1002012,
            message: "The provided value for scope https://graph.microsoft.com is not valid.",
        },
        Refusal {
            what: "empty scope",
            tenant,
            content_type: form_type,
            body: with("scope", ""),
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request",
            code: 900144,
            message: "The request body must contain the following parameter: 'scope'.",
        },
        Refusal {
            what: "password grant",
            tenant,
            content_type: form_type,
            body: with("grant_type", "password"),
            status: StatusCode::BAD_REQUEST,
            error: "unsupported_grant_type",
            code: 70003,
            message: "The app requested an unsupported grant type 'password'.",
        },
        Refusal {
            what: "JSON body",
            tenant,
            content_type: "application/json",
            body: serde_json::json!({
                "grant_type": "client_credentials",
                "client_id": config.client_id,
                "client_secret": config.client_secret,
                "scope": GRAPH_SCOPE,
            })
            .to_string(),
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request",
            code: 900144,
            message: "The request body must contain the following parameter: 'grant_type'.",
        },
        Refusal {
            what: "empty body",
            tenant,
            content_type: form_type,
            body: String::new(),
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request",
            code: 900144,
            message: "The request body must contain the following parameter: 'grant_type'.",
        },
        Refusal {
            what: "no client_id",
            tenant,
            content_type: form_type,
            body: without("client_id"),
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request",
            code: 900144,
            message: "The request body must contain the following parameter: 'client_id'.",
        },
        Refusal {
            what: "no scope",
            tenant,
            content_type: form_type,
            body: without("scope"),
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request",
            code: 900144,
            message: "The request body must contain the following parameter: 'scope'.",
        },
        Refusal {
            what: "no client_secret",
            tenant,
            content_type: form_type,
            body: without("client_secret"),
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request",
            code: 900144,
            message: "The request body must contain the following parameter: 'client_secret'.",
        },
    ];
    let mut trace_ids = Vec::new();
    for refusal in &refusals {
        let what = refusal.what;
        let url = format!(
            "{}/{}/oauth2/v2.0/token",
            emulator.authority_host(),
            refusal.tenant
        );
        let answer = post_token(&url, refusal.content_type, refusal.body.clone()).await;
        assert_eq!(answer.status, refusal.status, "{what}: {}", answer.text);
        for secret in [config.client_secret.as_str(), wrong_secret] {
            assert!(!answer.text.contains(secret), "{what}: {}", answer.text);
            for value in answer.headers.values() {
                assert!(
                    !value
                        .as_bytes()
                        .windows(secret.len())
                        .any(|w| w == secret.as_bytes())
                );
            }
        }
        let body = answer.json();
        let keys: Vec<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "error",
                "error_description",
                "error_codes",
                "timestamp",
                "trace_id",
                "correlation_id",
                "error_uri"
            ],
            "{what}"
        );
        assert_eq!(body["error"], refusal.error, "{what}");
        assert_eq!(
            body["error_codes"],
            serde_json::json!([refusal.code]),
            "{what}"
        );
        let trace_id = body["trace_id"].as_str().unwrap();
        let correlation_id = body["correlation_id"].as_str().unwrap();
        let timestamp = body["timestamp"].as_str().unwrap();
        assert!(
            is_guid(trace_id) && is_guid(correlation_id),
            "{what}: {body}"
        );
        assert_ne!(trace_id, correlation_id);
        // Entra ID's own format: `2024-05-01 12:34:56Z`.
        assert!(
            chrono::NaiveDateTime::parse_from_str(timestamp, "%Y-%m-%d %H:%M:%SZ").is_ok(),
            "{what}: {timestamp}"
        );
        let description = body["error_description"].as_str().unwrap();
        let prefix = format!("AADSTS{}: {}", refusal.code, refusal.message);
        assert!(description.starts_with(&prefix), "{what}: {description}");
        let suffix = format!(
            "\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}"
        );
        assert!(description.ends_with(&suffix), "{what}: {description:?}");
        assert_eq!(
            body["error_uri"],
            format!(
                "https://login.microsoftonline.com/error?code={}",
                refusal.code
            ),
            "{what}"
        );
        assert_eq!(
            answer.headers.get("x-ms-request-id").unwrap(),
            trace_id,
            "{what}"
        );
        trace_ids.push(trace_id.to_owned());
    }
    trace_ids.sort();
    trace_ids.dedup();
    assert_eq!(
        trace_ids.len(),
        refusals.len(),
        "a fresh trace id each time"
    );
    let stats = emulator.stats();
    assert_eq!(stats.token_requests, refusals.len() as u64);
    assert_eq!(stats.tokens_issued, 0);
}

#[tokio::test]
async fn an_expired_token_is_refused_and_counted() {
    let emulator = Emulator::start(Config {
        token_lifetime: Duration::from_secs(1),
        ..Config::default()
    })
    .await
    .unwrap();
    let issued = issue(&emulator).await;
    assert_eq!(issued["expires_in"], 1);
    assert_eq!(issued["ext_expires_in"], 1);
    let token = issued["access_token"].as_str().unwrap();
    assert_eq!(report_call(&emulator, token).await.0, StatusCode::FOUND);

    tokio::time::sleep(Duration::from_millis(1200)).await;
    for _ in 0..2 {
        assert_graph_error(
            &report_call(&emulator, token).await,
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Lifetime validation failed, the token is expired.",
        );
    }
    assert_eq!(emulator.stats().expired_token_calls, 2);
    // A fresh token works again, and the static token never expires.
    let fresh = issue(&emulator).await;
    let fresh = fresh["access_token"].as_str().unwrap();
    assert_eq!(report_call(&emulator, fresh).await.0, StatusCode::FOUND);
    assert_eq!(
        report_call(&emulator, "emulator-token").await.0,
        StatusCode::FOUND
    );
    assert_eq!(emulator.stats().expired_token_calls, 2);
}

#[tokio::test]
async fn revoked_tokens_are_refused() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    let before: Vec<String> = [issue(&emulator).await, issue(&emulator).await]
        .iter()
        .map(|issued| issued["access_token"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        report_call(&emulator, &before[0]).await.0,
        StatusCode::FOUND
    );

    emulator.revoke_issued_tokens();
    for token in &before {
        assert_graph_error(
            &report_call(&emulator, token).await,
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Access token has been revoked.",
        );
    }
    let after = issue(&emulator).await;
    let after = after["access_token"].as_str().unwrap();
    assert_eq!(report_call(&emulator, after).await.0, StatusCode::FOUND);
    assert_eq!(
        report_call(&emulator, "emulator-token").await.0,
        StatusCode::FOUND
    );
    let stats = emulator.stats();
    assert_eq!((stats.tokens_issued, stats.expired_token_calls), (3, 0));
}

#[tokio::test]
async fn without_admin_consent_issued_tokens_are_forbidden() {
    let emulator = Emulator::start(Config {
        faults: Faults {
            forbid_issued_tokens: true,
            ..Faults::default()
        },
        ..Config::default()
    })
    .await
    .unwrap();
    // Entra ID still issues the token: the refusal comes from Graph.
    let issued = issue(&emulator).await;
    assert_graph_error(
        &report_call(&emulator, issued["access_token"].as_str().unwrap()).await,
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
    );
    assert_eq!(
        report_call(&emulator, "emulator-token").await.0,
        StatusCode::FOUND
    );
    assert_eq!(emulator.stats().tokens_issued, 1);
}

#[tokio::test]
async fn the_static_token_works_as_before() {
    let emulator = Emulator::start(Config {
        token: "static-t0ken".to_owned(),
        ..Config::default()
    })
    .await
    .unwrap();
    assert_eq!(
        report_call(&emulator, "static-t0ken").await.0,
        StatusCode::FOUND
    );
    assert_graph_error(
        &report_call(&emulator, "emulator-token").await,
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        "Access token is empty or invalid.",
    );
    let response = client()
        .get(format!("{}{REPORT}", emulator.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(emulator.stats().token_requests, 0);
}

#[tokio::test]
async fn another_app_registration_and_cloud() {
    let emulator = Emulator::start(Config {
        tenant_id: "contoso.onmicrosoft.com".to_owned(),
        client_id: "app-1".to_owned(),
        client_secret: "s3cret with spaces & symbols=+%".to_owned(),
        graph_resource: "https://graph.microsoft.us".to_owned(),
        ..Config::default()
    })
    .await
    .unwrap();
    assert!(
        emulator
            .token_url()
            .ends_with("/contoso.onmicrosoft.com/oauth2/v2.0/token")
    );
    let issued = issue(&emulator).await;
    let token = issued["access_token"].as_str().unwrap();
    assert_eq!(report_call(&emulator, token).await.0, StatusCode::FOUND);

    // The public cloud's scope is not this emulator's.
    let mut form_pairs = good_form(emulator.config());
    form_pairs[3].1 = GRAPH_SCOPE.to_owned();
    let answer = post_token(
        &emulator.token_url(),
        "application/x-www-form-urlencoded; charset=utf-8",
        form(&pairs(&form_pairs)),
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json()["error"], "invalid_scope");
}

#[tokio::test]
async fn debug_output_shows_no_credential() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    let issued = issue(&emulator).await;
    let token = issued["access_token"].as_str().unwrap();
    let printed = format!("{emulator:?}");
    assert!(printed.contains("tenant_id"), "{printed}");
    assert!(printed.contains("<redacted>"), "{printed}");
    for credential in ["emulator-secret", "emulator-token", token] {
        assert!(!printed.contains(credential), "{credential} in {printed}");
    }
}
