//! The client against servers that try to make it hang, loop, hoard memory or leak a secret:
//! each must meet a typed error, within a small time budget, that names the bound it hit and
//! quotes no token, download URL or `user:password`.

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

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::Response;
use reports_sdk::{ApiVersion, ClientBuilder, Error, ErrorKind, Format, Limits, RetryPolicy};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use common::{ACTIVATION_COUNTS_CSV, REFRESH_DATE, Reply, Server, TOKEN, builder, whole_chain};

/// The secret part of every download link the tests hand out.
const SIGNATURE: &str = "sig=DOWNLOAD-SECRET";

/// Asserts that no rendering of `error` (`Display`, `Debug`, the `source()` chain) quotes the
/// token, a download link's signature or a `user:password`.
fn assert_no_secret(error: &Error) {
    let text = whole_chain(error);
    for secret in [TOKEN, SIGNATURE, "DOWNLOAD-SECRET", "hunter2", "/download"] {
        assert!(!text.contains(secret), "{secret:?} leaked into: {text}");
    }
}

/// Asserts `error` is a limit error that names `bound` and says how to raise it.
fn assert_limit(error: &Error, bound: &str) {
    assert_eq!(error.kind(), ErrorKind::Limit, "{error}");
    let message = error.to_string();
    assert!(message.contains(bound), "{message}");
    assert!(message.contains("ClientBuilder::limits"), "{message}");
    assert_no_secret(error);
}

/// Serves `router` on `127.0.0.1`, port 0, for the rest of the test.
async fn serve(router: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

fn client_at(addr: SocketAddr) -> ClientBuilder {
    reports_sdk::Client::builder()
        .base_url(format!("http://{addr}"))
        .token(TOKEN)
        .retry_policy(common::fast_retry())
}

fn json_row(product: &str) -> serde_json::Value {
    json!({
        "reportRefreshDate": REFRESH_DATE,
        "productType": product,
        "windows": 1, "mac": 0, "android": 0, "ios": 0, "windows10Mobile": 0
    })
}

// ---------------------------------------------------------------------------------------------
// 2. Calls that never end

/// A Graph that redirects the report call to its own `/download`, which sends the header and
/// one row, then one byte every 100 ms, forever: never silent long enough for a read timeout.
async fn trickling_download() -> SocketAddr {
    let router = Router::new().fallback(|request: Request| async move {
        if request.uri().path() != "/download" {
            return Response::builder()
                .status(302)
                .header("location", format!("/download?{SIGNATURE}"))
                .body(Body::empty())
                .unwrap();
        }
        // The header and the first row, whole.
        let first_row_end = ACTIVATION_COUNTS_CSV
            .match_indices('\n')
            .nth(1)
            .map(|(at, _)| at + 1)
            .unwrap();
        let head = &ACTIVATION_COUNTS_CSV[..first_row_end];
        let start = futures_util::stream::iter([Ok::<_, Infallible>(Bytes::from(head))]);
        let trickle = futures_util::stream::unfold((), |()| async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            Some((Ok::<_, Infallible>(Bytes::from_static(b"9")), ()))
        });
        Response::builder()
            .header("content-type", "application/octet-stream")
            .body(Body::from_stream(futures_util::StreamExt::chain(
                start, trickle,
            )))
            .unwrap()
    });
    serve(router).await
}

#[tokio::test]
async fn a_download_trickling_forever_stops_at_the_deadline() {
    let addr = trickling_download().await;
    let client = client_at(addr)
        .timeout(Duration::from_secs(2))
        .read_timeout(Duration::from_secs(2))
        .limits(Limits::default().deadline(Some(Duration::from_secs(1))))
        .build()
        .unwrap();

    let started = Instant::now();
    let error = client
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();

    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_limit(&error, "deadline");
    assert!(error.to_string().contains("1 s"), "{error}");
}

#[tokio::test]
async fn a_stream_that_trickles_fails_after_the_rows_it_got() {
    let addr = trickling_download().await;
    let client = client_at(addr)
        .limits(Limits::default().deadline(Some(Duration::from_millis(700))))
        .build()
        .unwrap();

    let mut stream = client.office365_activation_counts().stream().await.unwrap();
    let started = Instant::now();
    let first = stream.next_row().await.unwrap().unwrap();
    assert_eq!(first.product_type, "Microsoft 365 Apps for enterprise");
    let error = stream.next_row().await.unwrap().unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_limit(&error, "deadline");
    assert!(
        stream.next_row().await.is_none(),
        "the stream ends after the error"
    );
}

#[tokio::test]
async fn a_retry_after_that_would_pass_the_deadline_fails_at_once() {
    let graph = Server::start(|_| Reply::status(429).header("retry-after", "5")).await;
    let client = builder(&graph)
        .limits(Limits::default().deadline(Some(Duration::from_secs(1))))
        .build()
        .unwrap();

    let started = Instant::now();
    let error = client
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();

    assert!(
        started.elapsed() < Duration::from_millis(500),
        "no sleep to fail later"
    );
    assert_limit(&error, "deadline");
    assert!(
        error.to_string().contains("waiting 5 s to retry"),
        "{error}"
    );
    assert_eq!(error.retry_after(), Some(Duration::from_secs(5)));
    assert_eq!(error.status(), Some(429));
    assert_eq!(graph.count(), 1);
}

#[tokio::test]
async fn a_retry_after_beyond_the_policy_fails_at_once_with_the_servers_wait() {
    let graph = Server::start(|_| Reply::status(503).header("retry-after", "90")).await;
    let client = builder(&graph)
        .retry_policy(RetryPolicy::default().max_retry_after(Duration::from_secs(10)))
        .build()
        .unwrap();

    let error = client
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Service);
    assert_eq!(error.status(), Some(503));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(90)));
    let message = error.to_string();
    assert!(message.contains("wait 90 s"), "{message}");
    assert!(message.contains("max_retry_after"), "{message}");
    assert_eq!(graph.count(), 1);
}

#[tokio::test]
async fn retries_stop_at_the_deadline_too() {
    // Each answer takes 250 ms and is worth a retry: the policy's 10 retries would take 2.75 s.
    let graph = Server::start(|_| Reply::status(503).delay(Duration::from_millis(250))).await;
    let client = builder(&graph)
        .retry_policy(common::fast_retry().max_retries(10))
        .limits(Limits::default().deadline(Some(Duration::from_millis(600))))
        .build()
        .unwrap();

    let started = Instant::now();
    let error = client
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();

    assert!(
        started.elapsed() < Duration::from_millis(1_500),
        "{:?}",
        started.elapsed()
    );
    assert_limit(&error, "deadline");
    assert!(
        (2..=4).contains(&graph.count()),
        "retried until the deadline, not through the budget: {} requests",
        graph.count()
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Paging that never ends

#[tokio::test]
async fn fresh_next_links_forever_stop_at_max_pages() {
    let graph = Server::start(|hit| {
        Reply::json(
            200,
            &json!({
                "value": [],
                "@odata.nextLink": format!(
                    "{}/beta/reports/getOffice365ActivationCounts?$skiptoken={}",
                    hit.origin(),
                    hit.n
                )
            }),
        )
    })
    .await;
    let client = builder(&graph)
        .limits(Limits::default().max_pages(25))
        .build()
        .unwrap();

    let error = client
        .office365_activation_counts()
        .version(ApiVersion::Beta)
        .format(Format::Json)
        .send()
        .await
        .unwrap_err();

    assert_limit(&error, "max_pages");
    assert!(error.to_string().contains("25"), "{error}");
    assert_eq!(graph.count(), 25, "the first page and 24 links followed");
}

#[tokio::test]
async fn a_next_link_back_to_a_page_read_is_refused() {
    let graph = Server::start(|hit| {
        Reply::json(
            200,
            &json!({
                "value": [json_row("A")],
                "@odata.nextLink": format!(
                    "{}/beta/reports/getOffice365ActivationCounts?$skiptoken={}",
                    hit.origin(),
                    hit.n % 2
                )
            }),
        )
    })
    .await;

    let error = builder(&graph)
        .build()
        .unwrap()
        .office365_activation_counts()
        .version(ApiVersion::Beta)
        .format(Format::Json)
        .bytes()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Redirect);
    assert!(error.to_string().contains("already read"), "{error}");
    assert_eq!(graph.count(), 3);
}

// ---------------------------------------------------------------------------------------------
// 4. JSON pages held whole

/// A page of about `bytes` bytes: one row, then padding in an ignored property.
fn big_page(bytes: usize) -> String {
    json!({"value": [json_row("A")], "@odata.padding": "x".repeat(bytes)}).to_string()
}

#[tokio::test]
async fn a_page_declared_larger_than_max_page_bytes_is_refused_unread() {
    let page = big_page(5 << 20);
    let graph = Server::start(move |_| {
        Reply::status(200)
            .header("content-type", "application/json")
            .body(page.clone())
    })
    .await;
    let client = builder(&graph)
        .limits(Limits::default().max_page_bytes(1 << 20))
        .build()
        .unwrap();

    let error = client
        .office365_activation_counts()
        .version(ApiVersion::Beta)
        .format(Format::Json)
        .send()
        .await
        .unwrap_err();

    assert_limit(&error, "max_page_bytes");
    assert!(error.to_string().contains("Content-Length"), "{error}");
    assert_eq!(graph.count(), 1, "not retried");
}

#[tokio::test]
async fn a_page_streamed_past_max_page_bytes_stops_there() {
    // Chunked, no Content-Length: the bound is met while reading.
    let served = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&served);
    let router = Router::new().fallback(move || {
        let counter = Arc::clone(&counter);
        async move {
            let chunks = futures_util::stream::unfold(0usize, move |sent| {
                let counter = Arc::clone(&counter);
                async move {
                    let chunk = if sent == 0 {
                        Bytes::from_static(b"{\"value\":[],\"@odata.padding\":\"")
                    } else {
                        Bytes::from(vec![b'x'; 64 * 1024])
                    };
                    counter.fetch_add(chunk.len(), Ordering::Relaxed);
                    Some((Ok::<_, Infallible>(chunk), sent + 1))
                }
            });
            Response::builder()
                .header("content-type", "application/json")
                .body(Body::from_stream(chunks))
                .unwrap()
        }
    });
    let addr = serve(router).await;
    let client = client_at(addr)
        .limits(Limits::default().max_page_bytes(1 << 20))
        .build()
        .unwrap();

    let error = client
        .office365_activation_counts()
        .version(ApiVersion::Beta)
        .format(Format::Json)
        .send()
        .await
        .unwrap_err();

    assert_limit(&error, "max_page_bytes");
    assert!(error.to_string().contains("1048576"), "{error}");
}

#[tokio::test]
async fn a_page_within_max_page_bytes_still_decodes() {
    let page = big_page(100 << 10);
    let graph = Server::start(move |_| {
        Reply::status(200)
            .header("content-type", "application/json")
            .body(page.clone())
    })
    .await;
    let client = builder(&graph)
        .limits(Limits::default().max_page_bytes(1 << 20))
        .build()
        .unwrap();

    let report = client
        .office365_activation_counts()
        .version(ApiVersion::Beta)
        .format(Format::Json)
        .send()
        .await
        .unwrap();
    assert_eq!(report.rows.len(), 1);
}

// ---------------------------------------------------------------------------------------------
// 5. Bodies shorter than their Content-Length

/// A raw HTTP/1.1 server: the report call is redirected to `/download`, whose answer declares
/// more bytes than it sends (whole records, so only the length tells) and then closes.
async fn short_download() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(read) => request.extend_from_slice(&buffer[..read]),
                    }
                }
                let answer = if request.starts_with(b"GET /download") {
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\n\r\n{ACTIVATION_COUNTS_CSV}",
                        ACTIVATION_COUNTS_CSV.len() + 10_000
                    )
                } else {
                    format!(
                        "HTTP/1.1 302 Found\r\nlocation: /download?{SIGNATURE}\r\ncontent-length: 0\r\n\r\n"
                    )
                };
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_download_shorter_than_its_content_length_is_cut_short_not_rows() {
    let addr = short_download().await;
    let client = client_at(addr).build().unwrap();

    let error = client
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert!(error.to_string().contains("cut short"), "{error}");
    assert_no_secret(&error);

    let error = client
        .office365_activation_counts()
        .bytes()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert!(error.to_string().contains("cut short"), "{error}");
}

#[tokio::test]
async fn a_json_page_shorter_than_its_content_length_is_cut_short() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                let _ = socket.read(&mut buffer).await;
                let page = json!({"value": [json_row("A")]}).to_string();
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{page}",
                    page.len() + 100
                );
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    let client = client_at(addr).build().unwrap();

    let error = client
        .office365_activation_counts()
        .version(ApiVersion::Beta)
        .format(Format::Json)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert!(error.to_string().contains("cut short"), "{error}");
    assert_no_secret(&error);
}

// ---------------------------------------------------------------------------------------------
// 7. Secrets

#[tokio::test]
async fn a_token_echoed_in_an_error_body_is_redacted() {
    let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJncmFwaCJ9.c2lnbmF0dXJl";
    for reply in [
        Reply::json(
            400,
            &json!({"error": {
                "code": "BadRequest",
                "message": format!("Authorization: Bearer {TOKEN}; also saw bearer {jwt}"),
                "innerError": {"request-id": "r-1"}
            }}),
        ),
        Reply::status(400)
            .header("content-type", "text/plain")
            .body(format!(
                "GET /reports HTTP/1.1\r\nauthorization: Bearer {TOKEN}\r\nx: {jwt}\r\n"
            )),
    ] {
        let graph = Server::start(move |_| reply.clone()).await;
        let error = builder(&graph)
            .build()
            .unwrap()
            .office365_activation_counts()
            .send()
            .await
            .unwrap_err();

        assert_eq!(error.kind(), ErrorKind::Service);
        let text = whole_chain(&error);
        assert!(!text.contains(jwt), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
        assert_no_secret(&error);
    }
}

#[tokio::test]
async fn a_download_link_with_user_and_password_is_refused_before_it_is_fetched() {
    let download = Server::start(|_| Reply::csv(ACTIVATION_COUNTS_CSV)).await;
    let location = format!(
        "http://reader:hunter2@{}/download?{SIGNATURE}",
        download.addr
    );
    let graph = Server::start(move |_| Reply::found(&location)).await;

    let error = builder(&graph)
        .build()
        .unwrap()
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Redirect);
    assert!(
        error.to_string().contains("user name or password"),
        "{error}"
    );
    assert_no_secret(&error);
    assert_eq!(
        download.count(),
        0,
        "no Basic credentials were sent anywhere"
    );
}

#[tokio::test]
async fn a_next_link_with_user_and_password_is_refused_before_it_is_fetched() {
    let graph = Server::start(|hit| {
        let origin = hit.origin().replace("http://", "http://reader:hunter2@");
        Reply::json(
            200,
            &json!({
                "value": [json_row("A")],
                "@odata.nextLink": format!("{origin}/beta/reports/getOffice365ActivationCounts?$skiptoken=2")
            }),
        )
    })
    .await;

    let error = builder(&graph)
        .build()
        .unwrap()
        .office365_activation_counts()
        .version(ApiVersion::Beta)
        .format(Format::Json)
        .send()
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Redirect);
    assert_no_secret(&error);
    assert_eq!(graph.count(), 1);
    assert!(
        graph
            .hits()
            .iter()
            .all(|hit| hit.header("authorization") != Some("Basic cmVhZGVyOmh1bnRlcjI=")),
        "no Basic credentials"
    );
}
