//! `.stream()` decodes rows while the body downloads: the first rows reach the caller while the
//! server still holds back the rest of the file.

#![allow(
    clippy::unwrap_used,
    reason = "test servers panic on setup failures by design"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use futures_util::{StreamExt, stream};
use reports_sdk::Client;
use tokio::sync::{Mutex, oneshot};

const HEADER: &str =
    "\u{feff}Report Refresh Date,Product Type,Assigned,Activated,Shared Computer Activation\r\n";
const FIRST_ROWS: usize = 10;
const HELD_BACK_CHUNKS: usize = 50;
const ROWS_PER_CHUNK: usize = 1000;

fn rows(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|index| format!("2024-01-31,\"Product {index}, \"\"quoted\"\"\",{index},1,\r\n"))
        .collect()
}

/// The download body: the header and a few rows, then nothing until `gate` opens, then the rest.
fn gated_body(gate: oneshot::Receiver<()>, chunks_sent: Arc<AtomicUsize>) -> Body {
    let chunks = stream::unfold((0usize, Some(gate)), move |(chunk, gate)| {
        let chunks_sent = chunks_sent.clone();
        async move {
            let (text, gate) = match (chunk, gate) {
                (0, gate) => (format!("{HEADER}{}", rows(0, FIRST_ROWS)), gate),
                (n, gate) if n <= HELD_BACK_CHUNKS => {
                    if let Some(gate) = gate {
                        gate.await.ok()?;
                    }
                    (
                        rows(FIRST_ROWS + (n - 1) * ROWS_PER_CHUNK, ROWS_PER_CHUNK),
                        None,
                    )
                }
                _ => return None,
            };
            chunks_sent.fetch_add(1, Ordering::SeqCst);
            Some((Ok::<_, std::io::Error>(text), (chunk + 1, gate)))
        }
    });
    Body::from_stream(chunks)
}

#[tokio::test]
async fn first_rows_arrive_before_the_body_is_complete() {
    let (open_gate, gate) = oneshot::channel::<()>();
    let gate = Arc::new(Mutex::new(Some(gate)));
    let chunks_sent = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let sent = chunks_sent.clone();
    let app = Router::new()
        .route(
            "/v1.0/reports/getOffice365ActivationsUserCounts",
            get(move || async move {
                Response::builder()
                    .status(StatusCode::FOUND)
                    .header(header::LOCATION, format!("http://{address}/download"))
                    .body(Body::empty())
                    .unwrap()
            }),
        )
        .route(
            "/download",
            get(move |headers: HeaderMap| async move {
                assert!(!headers.contains_key(header::AUTHORIZATION));
                let gate = gate.lock().await.take().unwrap();
                Response::new(gated_body(gate, sent))
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = Client::builder()
        .base_url(format!("http://{address}"))
        .token("token")
        .build()
        .unwrap();

    // A deadlock guard, not a timing assertion: if the SDK waited for the whole body, the
    // first row would never come, because the server waits for it before sending the rest.
    let guard = Duration::from_secs(30);
    let mut rows_stream =
        tokio::time::timeout(guard, client.office365_activations_user_counts().stream())
            .await
            .expect("the stream opened before the body was complete")
            .unwrap();
    let first = tokio::time::timeout(guard, rows_stream.next())
        .await
        .expect("a row arrived before the body was complete")
        .unwrap()
        .unwrap();
    assert_eq!(first.product_type, "Product 0, \"quoted\"");
    assert_eq!(
        chunks_sent.load(Ordering::SeqCst),
        1,
        "only the first chunk was sent"
    );
    assert_eq!(
        rows_stream
            .info()
            .refresh_date
            .map(|date| date.to_string())
            .as_deref(),
        Some("2024-01-31")
    );

    open_gate.send(()).unwrap();
    let mut count = 1;
    let mut last_assigned = 0;
    while let Some(row) = rows_stream.next_row().await {
        let row = row.unwrap();
        assert_eq!(row.assigned, count as i64, "rows in file order");
        last_assigned = row.assigned;
        count += 1;
    }
    let total = FIRST_ROWS + HELD_BACK_CHUNKS * ROWS_PER_CHUNK;
    assert_eq!(count, total);
    assert_eq!(last_assigned, total as i64 - 1);
    assert_eq!(chunks_sent.load(Ordering::SeqCst), 1 + HELD_BACK_CHUNKS);
}
