//! The emulator behaves like Graph at the HTTP level: tokens, parameters, unknown functions,
//! the download host's rules. Checked with a plain HTTP client, not the SDK.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on setup errors")]

use chrono::TimeDelta;
use graph_emulator::{Config, Emulator};
use reqwest::StatusCode;
use reqwest::redirect::Policy;

async fn start() -> (Emulator, reqwest::Client) {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    let http = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    (emulator, http)
}

async fn get(
    http: &reqwest::Client,
    emulator: &Emulator,
    path: &str,
    token: Option<&str>,
) -> (StatusCode, serde_json::Value, reqwest::header::HeaderMap) {
    let mut request = http.get(format!("{}{path}", emulator.base_url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
        headers,
    )
}

fn code(body: &serde_json::Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_missing_or_wrong_token_is_401_with_a_graph_error() {
    let (emulator, http) = start().await;
    for token in [None, Some("wrong")] {
        let (status, body, _) = get(
            &http,
            &emulator,
            "/v1.0/reports/getOffice365ActivationCounts",
            token,
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(code(&body), "InvalidAuthenticationToken");
        assert!(body["error"]["innerError"]["request-id"].is_string());
    }
}

#[tokio::test]
async fn bad_parameters_are_400_and_unknown_functions_404() {
    let (emulator, http) = start().await;
    let token = Some(emulator.token().to_owned());
    let today = emulator.config().today;
    let old = (today - TimeDelta::days(31)).format("%Y-%m-%d").to_string();
    let cases = [
        (
            "/v1.0/reports/getOffice365ServicesUserCounts(period='D8')",
            StatusCode::BAD_REQUEST,
            "BadRequest",
        ),
        (
            "/v1.0/reports/getOffice365ServicesUserCounts(period=D7)",
            StatusCode::BAD_REQUEST,
            "BadRequest",
        ),
        (
            "/v1.0/reports/getOffice365ServicesUserCounts",
            StatusCode::BAD_REQUEST,
            "BadRequest",
        ),
        (
            "/v1.0/reports/getOffice365ServicesUserCounts(date=2024-01-01)",
            StatusCode::BAD_REQUEST,
            "BadRequest",
        ),
        (
            "/v1.0/reports/getNoSuchReport",
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
        ),
        (
            "/v2.0/reports/getOffice365ActivationCounts",
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
        ),
        (
            "/v1.0/reports/getOffice365ActivationCounts?$format=application/json",
            StatusCode::BAD_REQUEST,
            "BadRequest",
        ),
    ];
    for (path, status, expected) in cases {
        let (got, body, _) = get(&http, &emulator, path, token.as_deref()).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(code(&body), expected, "{path}");
    }
    // The date rule, on a report with a date form.
    let meta = reports_sdk::catalog()
        .iter()
        .find(|meta| {
            meta.parameters
                .iter()
                .any(|p| p.kind == reports_sdk::ParameterKind::Date)
        })
        .unwrap();
    let recent = (today - TimeDelta::days(2)).format("%Y-%m-%d").to_string();
    let path = format!("/v1.0/reports/{}(date={recent})", meta.function);
    let (got, _, _) = get(&http, &emulator, &path, token.as_deref()).await;
    assert_eq!(got, StatusCode::FOUND, "{path}");
    let path = format!("/v1.0/reports/{}(date={old})", meta.function);
    let (got, body, _) = get(&http, &emulator, &path, token.as_deref()).await;
    assert_eq!(got, StatusCode::BAD_REQUEST, "{path}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("past 30 days"), "{message}");
    let path = format!("/v1.0/reports/{}(date=2024-13-45)", meta.function);
    let (got, body, _) = get(&http, &emulator, &path, token.as_deref()).await;
    assert_eq!(got, StatusCode::BAD_REQUEST, "{path}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("use YYYY-MM-DD"),
        "a malformed date: {message}"
    );
    let path = format!("/v1.0/reports/{}(date='{recent}')", meta.function);
    let (got, _, _) = get(&http, &emulator, &path, token.as_deref()).await;
    assert_eq!(
        got,
        StatusCode::BAD_REQUEST,
        "a date is written without quotes: {path}"
    );
}

#[tokio::test]
async fn the_download_link_is_one_time_and_refuses_authorization() {
    let (emulator, http) = start().await;
    let token = emulator.token().to_owned();
    let (status, _, headers) = get(
        &http,
        &emulator,
        "/v1.0/reports/getOffice365ServicesUserCounts(period='D7')",
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::FOUND);
    assert!(headers.contains_key("etag"));
    let location = headers["location"].to_str().unwrap().to_owned();
    assert!(
        location.contains(&emulator.download_address().to_string()),
        "another port"
    );
    assert!(location.contains("key="), "{location}");

    let with_token = http
        .get(&location)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(with_token.status(), StatusCode::BAD_REQUEST);
    assert_eq!(emulator.stats().downloads_with_authorization, 1);

    let first = http.get(&location).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let body = first.bytes().await.unwrap();
    assert!(body.starts_with("\u{feff}Report Refresh Date,".as_bytes()));
    assert!(body.ends_with(b"\r\n"));

    let again = http.get(&location).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::FORBIDDEN, "a key works once");
    let tampered = http
        .get(location.replace("key=", "key=0"))
        .send()
        .await
        .unwrap();
    assert_eq!(tampered.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_same_call_always_gets_the_same_file_and_tag() {
    let (emulator, http) = start().await;
    let token = emulator.token().to_owned();
    let mut tags = Vec::new();
    let mut bodies = Vec::new();
    for _ in 0..2 {
        let (_, _, headers) = get(
            &http,
            &emulator,
            "/v1.0/reports/getOffice365ActivationCounts",
            Some(&token),
        )
        .await;
        tags.push(headers["etag"].clone());
        let location = headers["location"].to_str().unwrap().to_owned();
        bodies.push(
            http.get(location)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap(),
        );
    }
    assert_eq!(tags[0], tags[1]);
    assert_eq!(bodies[0], bodies[1]);
    let (status, _, _) = {
        let response = http
            .get(format!(
                "{}/v1.0/reports/getOffice365ActivationCounts",
                emulator.base_url()
            ))
            .bearer_auth(&token)
            .header("if-none-match", tags[0].clone())
            .send()
            .await
            .unwrap();
        (response.status(), (), ())
    };
    assert_eq!(status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn emulators_run_side_by_side_on_their_own_ports() {
    let (first, second) = tokio::join!(
        Emulator::start(Config::default()),
        Emulator::start(Config::default())
    );
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_ne!(first.base_url(), second.base_url());
    assert_ne!(first.download_address(), second.download_address());
}
