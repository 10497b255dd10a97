//! The client's HTTP behaviour against local servers that play Graph and its download host:
//! the `302` to a preauthenticated URL fetched without the token, retries, errors, `304`,
//! JSON paging, availability checks, tokens, secrets and schema drift.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers panic on a broken fixture or server by design"
)]

#[allow(
    dead_code,
    reason = "each test crate uses its own part of the shared helpers"
)]
mod common;

use std::error::Error as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::NaiveDate;
use reports_sdk::{
    ApiVersion, Client, Cloud, ErrorKind, Fetched, Format, Period, RetryPolicy, Secret, TokenError,
};
use serde_json::json;

use common::{
    ACTIVATION_COUNTS_CSV, REFRESH_DATE, Reply, SERVICES_USER_COUNTS_CSV, Server, TOKEN, builder,
    client, closed_port, fast_retry, whole_chain,
};

const ACTIVATION_COUNTS_PATH: &str = "/v1.0/reports/getOffice365ActivationCounts";

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// A download host serving `csv` on every path.
async fn download_host(csv: &'static str) -> Server {
    Server::start(move |_| Reply::csv(csv)).await
}

/// A Graph that answers every report call `302` to `location`.
async fn graph_redirecting_to(location: String) -> Server {
    Server::start(move |_| Reply::found(&location)).await
}

/// A Graph serving `getOffice365ActivationCounts` directly (`200`), after answering the first
/// `failures` calls with `failure`.
async fn graph_failing_then_serving(failures: usize, failure: Reply) -> Server {
    Server::start(move |hit| {
        if hit.n < failures {
            failure.clone()
        } else {
            Reply::csv(ACTIVATION_COUNTS_CSV)
        }
    })
    .await
}

fn assert_activation_rows(rows: &[reports_sdk::office365::Office365ActivationCountsRow]) {
    let seen: Vec<(NaiveDate, &str, i64, i64, i64, i64, i64)> = rows
        .iter()
        .map(|row| {
            (
                row.report_refresh_date,
                row.product_type.as_str(),
                row.windows,
                row.mac,
                row.android,
                row.ios,
                row.windows_10_mobile,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                date(REFRESH_DATE),
                "Microsoft 365 Apps for enterprise",
                120,
                14,
                9,
                33,
                0
            ),
            (date(REFRESH_DATE), "Project, Online", 5, 0, 1, 2, 0),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Redirects and downloads

#[tokio::test]
async fn v1_csv_follows_302_to_another_host_without_the_token() {
    let download = download_host(SERVICES_USER_COUNTS_CSV).await;
    let location = format!("{}/files/report.csv?key=preauthenticated", download.url());
    let graph = Server::start(move |_| {
        Reply::found(&location).header("set-cookie", "graph-session=abc; Path=/")
    })
    .await;

    let report = client(&graph)
        .office365_services_user_counts(Period::D7)
        .send()
        .await
        .unwrap();

    assert_eq!(report.rows.len(), 1);
    let row = &report.rows[0];
    assert_eq!(row.report_refresh_date, date(REFRESH_DATE));
    assert_eq!(
        (row.exchange_active, row.teams_inactive, row.report_period),
        (1, 12, 7)
    );

    let calls = graph.hits();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0].path,
        "/v1.0/reports/getOffice365ServicesUserCounts(period='D7')"
    );
    assert_eq!(
        calls[0].header("authorization"),
        Some("Bearer secret-token")
    );
    let request_id = calls[0].header("client-request-id").unwrap_or_default();
    assert_eq!(request_id.len(), 36, "a GUID: {request_id:?}");

    let downloads = download.hits();
    assert_eq!(downloads.len(), 1);
    assert_eq!(downloads[0].path, "/files/report.csv");
    assert_eq!(downloads[0].query.as_deref(), Some("key=preauthenticated"));
    assert_eq!(downloads[0].header("authorization"), None);
    assert_eq!(downloads[0].header("cookie"), None);
}

#[tokio::test]
async fn each_report_call_gets_a_fresh_client_request_id() {
    let graph = graph_failing_then_serving(1, Reply::status(503)).await;
    client(&graph)
        .office365_activation_counts()
        .send()
        .await
        .unwrap();
    let ids: Vec<String> = graph
        .hits()
        .iter()
        .map(|hit| hit.header("client-request-id").unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
}

#[tokio::test]
async fn redirect_to_the_same_host_still_drops_the_token() {
    let graph = Server::start(|hit| {
        if hit.path.starts_with("/v1.0/reports/") {
            Reply::found(&format!("{}/download/report.csv?key=k1", hit.origin()))
        } else {
            Reply::csv(ACTIVATION_COUNTS_CSV)
        }
    })
    .await;

    let report = client(&graph)
        .office365_activation_counts()
        .send()
        .await
        .unwrap();

    assert_activation_rows(&report.rows);
    let hits = graph.hits();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].header("authorization"), Some("Bearer secret-token"));
    assert_eq!(hits[1].path, "/download/report.csv");
    assert_eq!(hits[1].header("authorization"), None);
}

#[tokio::test]
async fn relative_location_resolves_against_the_report_url() {
    let graph = Server::start(|hit| {
        if hit.path == ACTIVATION_COUNTS_PATH {
            Reply::found("files/report.csv?key=k2")
        } else {
            Reply::csv(ACTIVATION_COUNTS_CSV)
        }
    })
    .await;

    let report = client(&graph)
        .office365_activation_counts()
        .send()
        .await
        .unwrap();

    assert_activation_rows(&report.rows);
    let hits = graph.hits();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[1].path, "/v1.0/reports/files/report.csv");
    assert_eq!(hits[1].query.as_deref(), Some("key=k2"));
    assert_eq!(hits[1].header("authorization"), None);
}

#[tokio::test]
async fn redirect_without_location_is_a_redirect_error() {
    let graph = Server::start(|_| Reply::status(302)).await;

    let error = client(&graph)
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Redirect);
    assert_eq!(error.status(), Some(302));
    assert_eq!(error.report(), Some("office365_activation_counts"));
    let message = error.to_string();
    assert!(message.contains("Location"), "{message}");
    assert!(!error.is_retryable());
    assert_eq!(graph.count(), 1, "not retried");
}

#[tokio::test]
async fn csv_served_directly_on_the_report_url_decodes() {
    let graph =
        Server::start(|_| Reply::csv(ACTIVATION_COUNTS_CSV).header("etag", "\"direct\"")).await;

    let report = client(&graph)
        .office365_activation_counts()
        .send()
        .await
        .unwrap();

    assert_activation_rows(&report.rows);
    assert_eq!(report.info.etag.as_deref(), Some("\"direct\""));
    assert_eq!(report.info.version, ApiVersion::V1);
    assert_eq!(report.info.format, Format::Csv);
    assert_eq!(graph.count(), 1);
}

#[tokio::test]
async fn caller_default_headers_stay_off_the_download() {
    let download = download_host(ACTIVATION_COUNTS_CSV).await;
    let graph = graph_redirecting_to(format!("{}/blob?key=k3", download.url())).await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-caller", "proxy-auth".parse().unwrap());
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap();

    let report = builder(&graph)
        .http_client(http)
        .build()
        .unwrap()
        .office365_activation_counts()
        .send()
        .await
        .unwrap();

    assert_activation_rows(&report.rows);
    assert_eq!(graph.hits()[0].header("x-caller"), Some("proxy-auth"));
    let downloads = download.hits();
    assert_eq!(downloads.len(), 1);
    assert_eq!(downloads[0].header("x-caller"), None);
    assert_eq!(downloads[0].header("authorization"), None);
}

#[tokio::test]
async fn supplied_client_that_follows_redirects_is_a_configuration_error() {
    let download = download_host(ACTIVATION_COUNTS_CSV).await;
    let graph = graph_redirecting_to(format!("{}/blob?key=k4", download.url())).await;

    let error = builder(&graph)
        .http_client(reqwest::Client::new())
        .build()
        .unwrap()
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Configuration);
    let message = error.to_string();
    assert!(message.contains("redirect"), "{message}");
    assert!(!error.is_retryable());
    assert_eq!(graph.count(), 1, "a configuration error is not retried");
}

// ---------------------------------------------------------------------------------------------
// Retries

#[tokio::test]
async fn throttled_with_retry_after_seconds_then_served() {
    let graph = graph_failing_then_serving(1, Reply::status(429).header("retry-after", "0")).await;

    let report = client(&graph)
        .office365_activation_counts()
        .send()
        .await
        .unwrap();

    assert_activation_rows(&report.rows);
    assert_eq!(graph.count(), 2);
}

#[tokio::test]
async fn throttled_with_retry_after_date_in_the_past_then_served() {
    let graph = graph_failing_then_serving(
        1,
        Reply::status(429).header("retry-after", "Sun, 06 Nov 1994 08:49:37 GMT"),
    )
    .await;

    let report = client(&graph)
        .office365_activation_counts()
        .send()
        .await
        .unwrap();

    assert_activation_rows(&report.rows);
    assert_eq!(graph.count(), 2);
}

#[tokio::test]
async fn retry_after_as_a_future_http_date_is_honoured_as_a_wait() {
    let in_an_hour = chrono::DateTime::<chrono::Utc>::from(
        std::time::SystemTime::now() + Duration::from_secs(3600),
    )
    .format("%a, %d %b %Y %H:%M:%S GMT")
    .to_string();
    let graph = Server::start(move |_| Reply::status(429).header("retry-after", &in_an_hour)).await;

    let error = client(&graph)
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Throttled);
    let wait = error.retry_after().expect("the date is read as a wait");
    assert!(
        wait > Duration::from_secs(3000) && wait <= Duration::from_secs(3600),
        "{wait:?}"
    );
    assert_eq!(
        graph.count(),
        1,
        "longer than max_retry_after: not waited for"
    );
}

#[tokio::test]
async fn unavailable_forever_spends_the_retry_budget() {
    let graph = Server::start(|_| Reply::status(503)).await;

    let error = builder(&graph)
        .retry_policy(fast_retry().max_retries(2))
        .build()
        .unwrap()
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Service);
    assert_eq!(error.status(), Some(503));
    assert!(error.is_retryable());
    assert_eq!(graph.count(), 3, "the first attempt and 2 retries");
}

#[tokio::test]
async fn throttled_forever_is_a_throttled_error_with_the_wait() {
    let graph = Server::start(|_| Reply::status(429).header("retry-after", "0")).await;

    let error = builder(&graph)
        .retry_policy(fast_retry().max_retries(3))
        .build()
        .unwrap()
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Throttled);
    assert_eq!(error.status(), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::ZERO));
    assert!(error.is_retryable());
    assert_eq!(graph.count(), 4, "the first attempt and 3 retries");
}

#[tokio::test]
async fn retry_after_beyond_the_allowed_wait_fails_at_once() {
    let graph = Server::start(|_| Reply::status(429).header("retry-after", "3600")).await;

    let error = client(&graph)
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Throttled);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(graph.count(), 1, "no hour-long sleep");
    let message = error.to_string();
    assert!(message.contains("Retry-After"), "{message}");
    assert!(!message.contains("budget"), "{message}");
}

#[tokio::test]
async fn client_errors_are_never_retried() {
    for status in [400, 401, 403, 404] {
        let graph = Server::start(move |_| Reply::status(status)).await;

        let error = client(&graph)
            .office365_activation_counts()
            .send()
            .await
            .unwrap_err();

        assert_eq!(error.kind(), ErrorKind::Service, "{status}");
        assert_eq!(error.status(), Some(status));
        assert!(!error.is_retryable(), "{status}");
        assert_eq!(graph.count(), 1, "{status} was retried");
    }
}

#[tokio::test]
async fn timeouts_are_retried_then_reported_as_timeouts() {
    let graph =
        Server::start(|_| Reply::csv(ACTIVATION_COUNTS_CSV).delay(Duration::from_secs(5))).await;

    let error = builder(&graph)
        .timeout(Duration::from_millis(50))
        .retry_policy(fast_retry().max_retries(1))
        .build()
        .unwrap()
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert!(error.is_retryable());
    assert!(error.source().is_some(), "the reqwest error is kept");
    assert_eq!(graph.count(), 2);
}

// ---------------------------------------------------------------------------------------------
// Graph's error bodies

#[tokio::test]
async fn graph_error_json_is_exposed() {
    let graph = Server::start(|_| {
        Reply::json(
            403,
            &json!({"error": {
                "code": "Authorization_RequestDenied",
                "message": "Insufficient privileges to complete the operation.",
                "innerError": {
                    "request-id": "3f1c8d2e-0000-4000-a000-000000000001",
                    "client-request-id": "3f1c8d2e-0000-4000-a000-000000000002",
                    "date": "2024-02-01T10:00:00"
                }
            }}),
        )
    })
    .await;

    let error = client(&graph)
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Service);
    assert_eq!(error.status(), Some(403));
    let service = error.service().unwrap();
    assert_eq!(service.code.as_deref(), Some("Authorization_RequestDenied"));
    assert_eq!(
        service.message.as_deref(),
        Some("Insufficient privileges to complete the operation.")
    );
    assert_eq!(
        service.client_request_id.as_deref(),
        Some("3f1c8d2e-0000-4000-a000-000000000002")
    );
    assert_eq!(service.date.as_deref(), Some("2024-02-01T10:00:00"));
    assert_eq!(
        error.request_id(),
        Some("3f1c8d2e-0000-4000-a000-000000000001")
    );
    let message = error.to_string();
    for part in [
        "Authorization_RequestDenied",
        "Insufficient privileges",
        "3f1c8d2e-0000-4000-a000-000000000001",
        "Reports.Read.All",
    ] {
        assert!(message.contains(part), "{part:?} missing from {message}");
    }
}

#[tokio::test]
async fn non_json_error_body_is_kept_as_truncated_text() {
    let graph = Server::start(|_| {
        Reply::status(500)
            .header("content-type", "text/html")
            .header("request-id", "from-the-header")
            .body("x".repeat(5000))
    })
    .await;

    let error = client(&graph)
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.status(), Some(500));
    let service = error.service().unwrap();
    assert_eq!(service.code, None);
    let message = service.message.as_deref().unwrap();
    assert!(message.chars().count() <= 513, "{} chars", message.len());
    assert!(message.starts_with("xxxx"), "{message}");
    assert!(message.ends_with('…'), "{message}");
    assert_eq!(error.request_id(), Some("from-the-header"));
}

// ---------------------------------------------------------------------------------------------
// If-None-Match

#[tokio::test]
async fn if_none_match_answers_not_modified_or_the_report() {
    let download = download_host(ACTIVATION_COUNTS_CSV).await;
    let location = format!("{}/blob?key=k5", download.url());
    let graph = Server::start(move |hit| {
        if hit.header("if-none-match") == Some("\"etag-1\"") {
            Reply::status(304).header("etag", "\"etag-1\"")
        } else {
            Reply::found(&location).header("etag", "\"etag-2\"")
        }
    })
    .await;
    let client = client(&graph);

    let unchanged = client
        .office365_activation_counts()
        .if_none_match("\"etag-1\"")
        .send()
        .await
        .unwrap();
    match unchanged {
        Fetched::NotModified(not_modified) => {
            assert_eq!(not_modified.etag.as_deref(), Some("\"etag-1\""));
        }
        Fetched::Modified(report) => panic!("expected 304, got {report:?}"),
    }
    assert_eq!(download.count(), 0, "nothing downloaded on 304");

    let changed = client
        .office365_activation_counts()
        .if_none_match("\"etag-0\"")
        .send()
        .await
        .unwrap();
    let Fetched::Modified(report) = changed else {
        panic!("expected the report, got {changed:?}");
    };
    assert_activation_rows(&report.rows);
    assert_eq!(report.info.etag.as_deref(), Some("\"etag-2\""));

    let sent: Vec<Option<String>> = graph
        .hits()
        .iter()
        .map(|hit| hit.header("if-none-match").map(str::to_owned))
        .collect();
    assert_eq!(
        sent,
        [Some("\"etag-1\"".to_owned()), Some("\"etag-0\"".to_owned())]
    );
    assert_eq!(download.hits()[0].header("if-none-match"), None);
}

#[tokio::test]
async fn if_none_match_bytes_and_write_to_answer_not_modified() {
    let graph = Server::start(|_| Reply::status(304)).await;
    let client = client(&graph);

    let bytes = client
        .office365_activation_counts()
        .if_none_match("\"etag-1\"")
        .bytes()
        .await
        .unwrap();
    assert!(bytes.is_not_modified());

    let mut sink = Vec::new();
    let written = client
        .office365_activation_counts()
        .if_none_match("\"etag-1\"")
        .write_to(&mut sink)
        .await
        .unwrap();
    assert!(written.is_not_modified());
    assert!(sink.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Expired download links

#[tokio::test]
async fn refused_download_link_is_requested_afresh_once() {
    let download = Server::start(|hit| {
        if hit.n == 0 {
            Reply::status(403).body("AuthenticationFailed: signature expired")
        } else {
            Reply::csv(ACTIVATION_COUNTS_CSV)
        }
    })
    .await;
    let origin = download.url();
    let graph =
        Server::start(move |hit| Reply::found(&format!("{origin}/blob?key=link-{}", hit.n))).await;

    let report = client(&graph)
        .office365_activation_counts()
        .send()
        .await
        .unwrap();

    assert_activation_rows(&report.rows);
    assert_eq!(graph.count(), 2);
    let keys: Vec<Option<String>> = download.hits().into_iter().map(|hit| hit.query).collect();
    assert_eq!(
        keys,
        [Some("key=link-0".to_owned()), Some("key=link-1".to_owned())]
    );
}

#[tokio::test]
async fn download_link_refused_every_time_is_download_expired() {
    let download = Server::start(|_| Reply::status(403)).await;
    let graph = graph_redirecting_to(format!("{}/blob?key=k6", download.url())).await;

    let error = client(&graph)
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::DownloadExpired);
    assert_eq!(error.status(), Some(403));
    assert_eq!(graph.count(), 2, "one fresh link, no more");
    assert_eq!(download.count(), 2);
}

// ---------------------------------------------------------------------------------------------
// Availability

#[tokio::test]
async fn report_outside_its_clouds_is_refused_before_any_request() {
    let graph = Server::start(|_| Reply::csv(ACTIVATION_COUNTS_CSV)).await;

    let error = builder(&graph)
        .cloud(Cloud::UsGovL4)
        .build()
        .unwrap()
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::NotAvailable);
    let message = error.to_string();
    assert!(message.contains("us_gov_l4"), "{message}");
    assert_eq!(graph.count(), 0);
}

#[tokio::test]
async fn json_on_v1_is_refused_before_any_request() {
    let graph = Server::start(|_| Reply::csv(ACTIVATION_COUNTS_CSV)).await;

    let error = client(&graph)
        .office365_activation_counts()
        .format(Format::Json)
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::NotAvailable);
    assert!(!error.is_retryable());
    assert_eq!(graph.count(), 0);
}

// ---------------------------------------------------------------------------------------------
// Tokens

#[tokio::test]
async fn token_provider_is_asked_before_every_request() {
    let graph = Server::start(|hit| match (hit.n, hit.path.as_str()) {
        (0, _) => Reply::status(503),
        (_, ACTIVATION_COUNTS_PATH) => Reply::found(&format!("{}/blob?key=k9", hit.origin())),
        _ => Reply::csv(ACTIVATION_COUNTS_CSV),
    })
    .await;
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);

    let report = Client::builder()
        .base_url(graph.url())
        .retry_policy(fast_retry())
        .token_provider(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            async move { Ok::<_, TokenError>(Secret::new(format!("token-{n}"))) }
        })
        .build()
        .unwrap()
        .office365_activation_counts()
        .send()
        .await
        .unwrap();

    assert_activation_rows(&report.rows);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "not asked for the download"
    );
    let hits = graph.hits();
    let sent: Vec<Option<&str>> = hits.iter().map(|hit| hit.header("authorization")).collect();
    assert_eq!(sent, [Some("Bearer token-1"), Some("Bearer token-2"), None]);
}

#[tokio::test]
async fn failing_token_provider_is_a_token_error_with_its_source() {
    let graph = Server::start(|_| Reply::csv(ACTIVATION_COUNTS_CSV)).await;

    let error = Client::builder()
        .base_url(graph.url())
        .retry_policy(fast_retry())
        .token_provider(|| async { Err::<Secret, TokenError>("the vault is sealed".into()) })
        .build()
        .unwrap()
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Token);
    let source = error.source().expect("the provider's error is the source");
    assert_eq!(source.to_string(), "the vault is sealed");
    assert_eq!(graph.count(), 0);
}

#[tokio::test]
async fn missing_token_is_a_token_error() {
    let graph = Server::start(|_| Reply::csv(ACTIVATION_COUNTS_CSV)).await;

    let error = Client::builder()
        .base_url(graph.url())
        .retry_policy(fast_retry())
        .build()
        .unwrap()
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Token);
    assert_eq!(graph.count(), 0);
}

// ---------------------------------------------------------------------------------------------
// Secrets

#[tokio::test]
async fn debug_output_never_shows_the_token() {
    let graph = Server::start(|_| Reply::status(500)).await;
    let builder = builder(&graph);
    let builder_debug = format!("{builder:?}");
    let client = builder.build().unwrap();
    let client_debug = format!("{client:?}");
    let request_debug = format!("{:?}", client.office365_activation_counts());

    for text in [builder_debug, client_debug, request_debug] {
        assert!(!text.contains(TOKEN), "{text}");
    }
    assert!(format!("{client:?}").contains("redacted"));
}

#[tokio::test]
async fn failed_download_never_shows_the_download_url() {
    let download = Server::start(|_| {
        Reply::status(500)
            .header("content-type", "text/plain")
            .body("internal failure in the blob store")
    })
    .await;
    let graph =
        graph_redirecting_to(format!("{}/download?key=SUPERSECRETKEY", download.url())).await;

    let error = client(&graph)
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Service);
    assert_eq!(error.status(), Some(500));
    let text = whole_chain(&error);
    // A download host's body is not kept at all: it could quote the secret URL.
    assert!(!text.contains("internal failure"), "{text}");
    assert!(!text.contains("SUPERSECRETKEY"), "{text}");
    assert!(!text.contains("/download"), "{text}");
}

#[tokio::test]
async fn unreachable_download_host_never_shows_the_download_url() {
    let port = closed_port().await;
    let graph = graph_redirecting_to(format!(
        "http://127.0.0.1:{port}/download?key=SUPERSECRETKEY"
    ))
    .await;

    let error = builder(&graph)
        .retry_policy(fast_retry().max_retries(1))
        .build()
        .unwrap()
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Transport);
    assert!(error.source().is_some(), "the reqwest error is kept");
    let text = whole_chain(&error);
    assert!(!text.contains("SUPERSECRETKEY"), "{text}");
    assert_eq!(graph.count(), 2, "a connection failure is retried");
}

// ---------------------------------------------------------------------------------------------
// Schema drift

#[tokio::test]
async fn schema_drift_is_reported_from_the_served_header() {
    let graph = Server::start(|_| {
        Reply::csv(
            "\u{feff}Report Refresh Date,Product Type,Assigned,Activated,New Column\r\n\
             2024-01-31,Office 365 ProPlus,10,8,x\r\n\
             2024-01-30,Visio,4,1,y\r\n",
        )
    })
    .await;

    let report = client(&graph)
        .office365_activations_user_counts()
        .send()
        .await
        .unwrap();

    assert_eq!(report.info.drift.unknown_columns, ["New Column"]);
    assert_eq!(
        report.info.drift.missing_columns,
        ["Shared Computer Activation"]
    );
    assert_eq!(report.info.refresh_date, Some(date("2024-01-31")));
    let rows: Vec<(&str, i64, i64, Option<i64>)> = report
        .rows
        .iter()
        .map(|row| {
            (
                row.product_type.as_str(),
                row.assigned,
                row.activated,
                row.shared_computer_activation,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [("Office 365 ProPlus", 10, 8, None), ("Visio", 4, 1, None)]
    );
}

#[tokio::test]
async fn missing_required_column_fails_before_any_row() {
    let graph = Server::start(|_| {
        Reply::csv(
            "\u{feff}Report Refresh Date,Product Type,Assigned\r\n\
             2024-01-31,Office 365 ProPlus,10\r\n",
        )
    })
    .await;

    let error = client(&graph)
        .office365_activations_user_counts()
        .stream()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::MissingColumn);
    let message = error.to_string();
    assert!(message.contains("\"Activated\""), "{message}");
    assert!(!error.is_retryable());
}

// ---------------------------------------------------------------------------------------------
// Raw bytes

#[tokio::test]
async fn bytes_and_write_to_return_the_file_as_served() {
    let download = download_host(ACTIVATION_COUNTS_CSV).await;
    let graph = graph_redirecting_to(format!("{}/blob?key=k7", download.url())).await;
    let client = client(&graph);

    let raw = client.office365_activation_counts().bytes().await.unwrap();
    assert_eq!(&raw.bytes[..], ACTIVATION_COUNTS_CSV.as_bytes());
    assert!(raw.bytes.starts_with(b"\xEF\xBB\xBF"), "BOM kept");
    assert_eq!(raw.format, Format::Csv);

    let mut file = Vec::new();
    let written = client
        .office365_activation_counts()
        .write_to(&mut file)
        .await
        .unwrap();
    assert_eq!(file, ACTIVATION_COUNTS_CSV.as_bytes());
    assert_eq!(written, file.len() as u64);
}

// ---------------------------------------------------------------------------------------------
// Beta JSON paging

fn json_row(product: &str, windows: i64) -> serde_json::Value {
    json!({
        "reportRefreshDate": REFRESH_DATE,
        "productType": product,
        "windows": windows,
        "mac": 0,
        "android": 0,
        "ios": 0,
        "windows10Mobile": 0
    })
}

/// A beta Graph serving `getOffice365ActivationCounts` as JSON over three pages linked by
/// absolute `@odata.nextLink`s on the same server.
async fn graph_with_three_pages() -> Server {
    Server::start(|hit| {
        let next = |token: &str| {
            format!(
                "{}/beta/reports/getOffice365ActivationCounts?$format=application/json&$skiptoken={token}",
                hit.origin()
            )
        };
        let query = hit.query.as_deref().unwrap_or_default();
        if query.ends_with("$skiptoken=page2") {
            Reply::json(
                200,
                &json!({"value": [json_row("B", 2), json_row("C", 3)], "@odata.nextLink": next("page3")}),
            )
        } else if query.ends_with("$skiptoken=page3") {
            Reply::json(200, &json!({"value": [json_row("D", 4)]}))
        } else {
            Reply::json(
                200,
                &json!({
                    "@odata.context": "https://graph.microsoft.com/beta/$metadata#Collection(microsoft.graph.office365ActivationCounts)",
                    "value": [json_row("A", 1)],
                    "@odata.nextLink": next("page2")
                }),
            )
        }
    })
    .await
}

#[tokio::test]
async fn json_pages_are_followed_in_order_with_the_token() {
    let graph = graph_with_three_pages().await;

    let report = client(&graph)
        .office365_activation_counts()
        .version(ApiVersion::Beta)
        .format(Format::Json)
        .send()
        .await
        .unwrap();

    let rows: Vec<(&str, i64)> = report
        .rows
        .iter()
        .map(|row| (row.product_type.as_str(), row.windows))
        .collect();
    assert_eq!(rows, [("A", 1), ("B", 2), ("C", 3), ("D", 4)]);
    assert_eq!(report.info.format, Format::Json);
    assert_eq!(report.info.version, ApiVersion::Beta);
    assert_eq!(report.info.refresh_date, Some(date(REFRESH_DATE)));

    let hits = graph.hits();
    let queries: Vec<&str> = hits
        .iter()
        .map(|hit| hit.query.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(
        queries,
        [
            "$format=application/json",
            "$format=application/json&$skiptoken=page2",
            "$format=application/json&$skiptoken=page3",
        ]
    );
    for hit in &hits {
        assert_eq!(hit.path, "/beta/reports/getOffice365ActivationCounts");
        assert_eq!(hit.header("authorization"), Some("Bearer secret-token"));
    }
}

#[tokio::test]
async fn next_link_to_another_origin_is_refused() {
    let elsewhere = Server::start(|_| Reply::json(200, &json!({"value": []}))).await;
    let next = format!(
        "{}/beta/reports/getOffice365ActivationCounts?$skiptoken=page2",
        elsewhere.url()
    );
    let graph = Server::start(move |_| {
        Reply::json(
            200,
            &json!({"value": [json_row("A", 1)], "@odata.nextLink": next}),
        )
    })
    .await;

    let error = client(&graph)
        .office365_activation_counts()
        .version(ApiVersion::Beta)
        .format(Format::Json)
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Redirect);
    assert_eq!(graph.count(), 1);
    assert_eq!(elsewhere.count(), 0, "the token went to another origin");
}

#[tokio::test]
async fn json_bytes_merge_every_page_into_one_document() {
    let graph = graph_with_three_pages().await;
    let client = client(&graph);
    let request = || {
        client
            .office365_activation_counts()
            .version(ApiVersion::Beta)
            .format(Format::Json)
    };

    let raw = request().bytes().await.unwrap();
    assert_eq!(raw.format, Format::Json);
    let document: serde_json::Value = serde_json::from_slice(&raw.bytes).unwrap();
    assert_eq!(
        document,
        json!({"value": [json_row("A", 1), json_row("B", 2), json_row("C", 3), json_row("D", 4)]})
    );

    let mut file = Vec::new();
    let written = request().write_to(&mut file).await.unwrap();
    assert_eq!(file, raw.bytes);
    assert_eq!(written, file.len() as u64);
    assert_eq!(graph.count(), 6, "three pages, twice");
}

#[tokio::test]
async fn retry_policy_none_sends_once() {
    let graph = graph_failing_then_serving(1, Reply::status(503)).await;

    let error = builder(&graph)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.status(), Some(503));
    assert_eq!(graph.count(), 1);
}

#[tokio::test]
async fn throttled_json_page_is_retried_alone() {
    // Answers page 2 with 429 once.
    let graph = Server::start(move |hit| {
        let query = hit.query.as_deref().unwrap_or_default();
        if query.ends_with("page2") && hit.n == 1 {
            return Reply::status(429).header("retry-after", "0");
        }
        let next = |token: &str| {
            format!(
                "{}/beta/reports/getOffice365ActivationCounts?$format=application/json&$skiptoken={token}",
                hit.origin()
            )
        };
        match query {
            q if q.ends_with("page2") => Reply::json(
                200,
                &json!({"value": [json_row("B", 2)], "@odata.nextLink": next("page3")}),
            ),
            q if q.ends_with("page3") => Reply::json(200, &json!({"value": [json_row("C", 3)]})),
            _ => Reply::json(
                200,
                &json!({"value": [json_row("A", 1)], "@odata.nextLink": next("page2")}),
            ),
        }
    })
    .await;

    let report = client(&graph)
        .office365_activation_counts()
        .version(ApiVersion::Beta)
        .format(Format::Json)
        .send()
        .await
        .unwrap();

    let products: Vec<&str> = report
        .rows
        .iter()
        .map(|row| row.product_type.as_str())
        .collect();
    assert_eq!(products, ["A", "B", "C"]);
    let queries: Vec<String> = graph
        .hits()
        .into_iter()
        .map(|hit| hit.query.unwrap_or_default())
        .collect();
    assert_eq!(
        queries,
        [
            "$format=application/json",
            "$format=application/json&$skiptoken=page2",
            "$format=application/json&$skiptoken=page2",
            "$format=application/json&$skiptoken=page3",
        ]
    );
}

#[tokio::test]
async fn not_modified_without_if_none_match_is_an_error_for_every_terminal_call() {
    let graph = Server::start(|_| Reply::status(304)).await;
    let client = client(&graph);

    let send = client
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();
    let bytes = client.office365_activation_counts().bytes().await;
    let mut sink = Vec::new();
    let write_to = client
        .office365_activation_counts()
        .write_to(&mut sink)
        .await;

    assert_eq!(send.kind(), ErrorKind::Service);
    assert_eq!(send.status(), Some(304));
    let bytes = bytes.expect_err("an empty file is not the report");
    assert_eq!(bytes.status(), Some(304));
    let write_to = write_to.expect_err("nothing written is not the report");
    assert_eq!(write_to.status(), Some(304));
}

#[tokio::test]
async fn report_futures_can_be_spawned() {
    let graph = Server::start(|_| Reply::csv(ACTIVATION_COUNTS_CSV)).await;
    let client = client(&graph);

    let task = tokio::spawn({
        let client = client.clone();
        async move { client.office365_activation_counts().send().await }
    });
    let stream = tokio::spawn(async move {
        let mut rows = client.office365_activation_counts().stream().await?;
        let mut products = Vec::new();
        while let Some(row) = rows.next_row().await {
            products.push(row?.product_type);
        }
        Ok::<_, reports_sdk::Error>(products)
    });

    assert_activation_rows(&task.await.unwrap().unwrap().rows);
    assert_eq!(
        stream.await.unwrap().unwrap(),
        ["Microsoft 365 Apps for enterprise", "Project, Online"]
    );
}

#[tokio::test]
async fn json_request_answered_with_a_csv_redirect_is_labelled_csv() {
    let graph = Server::start(|hit| {
        if hit.path.starts_with("/beta/reports/") {
            Reply::found(&format!("{}/blob?key=k8", hit.origin()))
        } else {
            Reply::csv(ACTIVATION_COUNTS_CSV)
        }
    })
    .await;

    let raw = client(&graph)
        .office365_activation_counts()
        .version(ApiVersion::Beta)
        .format(Format::Json)
        .bytes()
        .await
        .unwrap();

    assert_eq!(&raw.bytes[..], ACTIVATION_COUNTS_CSV.as_bytes());
    assert_eq!(raw.format, Format::Csv, "`format` describes `bytes`");
}

#[tokio::test]
async fn rows_before_a_bad_row_are_streamed_then_the_error() {
    const BAD_THIRD_ROW: &str = "\u{feff}Report Refresh Date,Product Type,Windows,Mac,Android,iOS,Windows 10 Mobile\r\n\
        2024-01-31,A,1,1,1,1,1\r\n2024-01-31,B,2,2,2,2,2\r\n2024-01-31,C,many,3,3,3,3\r\n2024-01-31,D,4,4,4,4,4\r\n";
    let graph = Server::start(|_| Reply::csv(BAD_THIRD_ROW)).await;
    let mut stream = client(&graph)
        .office365_activation_counts()
        .stream()
        .await
        .unwrap();
    let mut products = Vec::new();
    let mut failure = None;
    while let Some(row) = stream.next_row().await {
        match row {
            Ok(row) => products.push(row.product_type),
            Err(error) => failure = Some(error),
        }
    }
    assert_eq!(products, ["A", "B"], "the rows before the bad one");
    let failure = failure.unwrap();
    assert_eq!(failure.kind(), ErrorKind::Decode);
    assert_eq!(failure.position().unwrap().record, 3);
    assert_eq!(
        failure.position().unwrap().column.as_deref(),
        Some("Windows")
    );

    let error = client(&graph)
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.position().unwrap().line, Some(4));
}

#[tokio::test]
async fn a_token_with_a_line_break_is_refused_before_sending() {
    let graph = Server::start(|_| Reply::csv(ACTIVATION_COUNTS_CSV)).await;
    let error = Client::builder()
        .base_url(graph.url())
        .token("abc\n")
        .build()
        .unwrap()
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Token);
    assert!(!error.is_retryable());
    assert!(error.to_string().contains("trim it"), "{error}");
    assert_eq!(graph.count(), 0);

    let error = client(&graph)
        .office365_activation_counts()
        .if_none_match("\"tag\"\n")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Configuration);
    assert_eq!(graph.count(), 0);
}

#[tokio::test]
async fn a_json_answer_that_is_not_a_collection_is_an_error_not_an_empty_report() {
    let graph = Server::start(|hit| {
        if hit.n == 0 {
            Reply::json(200, &json!({}))
        } else {
            Reply::json(
                200,
                &json!({"error": {"code": "UnknownError", "message": "boom"}}),
            )
        }
    })
    .await;
    let request = || {
        client(&graph)
            .office365_activation_counts()
            .version(ApiVersion::Beta)
            .format(Format::Json)
    };
    let error = request().send().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(error.to_string().contains("no `value` array"), "{error}");
    let error = request().send().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Service);
    assert_eq!(
        error.service().unwrap().code.as_deref(),
        Some("UnknownError")
    );
}
