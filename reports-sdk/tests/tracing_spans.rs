//! Each HTTP request is a `tracing` span with the report, attempt, status, bytes and duration,
//! and nothing recorded anywhere carries the token or the download URL.
//!
//! This file holds one test on purpose: it installs a thread-local subscriber, and tracing
//! caches per call site whether anyone listens, so tests running beside it in the same process
//! could make it miss spans.

#![allow(
    clippy::unwrap_used,
    reason = "test servers panic on setup failures by design"
)]

use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use reports_sdk::Client;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const TOKEN: &str = "token-SHOULD-NOT-LEAK";
const DOWNLOAD_KEY: &str = "key-SHOULD-NOT-LEAK";
const CSV: &str = "\u{feff}Report Refresh Date,Product Type,Windows,Mac,Android,iOS,Windows 10 Mobile\r\n2024-01-31,X,1,2,3,4,5\r\n";

/// A span's name and its fields as `(name, value)` text.
type RecordedSpan = (String, Vec<(String, String)>);

/// Records every span's name and fields, and every event's fields, as text.
#[derive(Default, Clone)]
struct Recorder {
    spans: Arc<Mutex<Vec<RecordedSpan>>>,
    events: Arc<Mutex<Vec<String>>>,
}

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = Vec::new();
        span.record(&mut Fields(&mut fields));
        let mut spans = self.spans.lock().unwrap();
        spans.push((span.metadata().name().to_owned(), fields));
        Id::from_u64(spans.len() as u64)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        let index = usize::try_from(span.into_u64()).unwrap() - 1;
        values.record(&mut Fields(&mut spans[index].1));
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Vec::new();
        event.record(&mut Fields(&mut fields));
        self.events.lock().unwrap().push(format!("{fields:?}"));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

impl Recorder {
    fn spans_named(&self, name: &str) -> Vec<Vec<(String, String)>> {
        self.spans
            .lock()
            .unwrap()
            .iter()
            .filter(|(span, _)| span == name)
            .map(|(_, fields)| fields.clone())
            .collect()
    }
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .rev()
        .find(|(field, _)| field == name)
        .map(|(_, value)| value.as_str())
}

#[tokio::test]
async fn requests_are_spans_without_secrets() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let attempts = Arc::new(Mutex::new(0));
    let app = Router::new()
        .route(
            "/v1.0/reports/getOffice365ActivationCounts",
            get(move || async move {
                let attempt = {
                    let mut attempts = attempts.lock().unwrap();
                    *attempts += 1;
                    *attempts
                };
                if attempt == 1 {
                    return Response::builder()
                        .status(StatusCode::TOO_MANY_REQUESTS)
                        .header(header::RETRY_AFTER, "0")
                        .body(Body::empty())
                        .unwrap();
                }
                Response::builder()
                    .status(StatusCode::FOUND)
                    .header(
                        header::LOCATION,
                        format!("http://{address}/download?{DOWNLOAD_KEY}"),
                    )
                    .body(Body::empty())
                    .unwrap()
            }),
        )
        .route("/download", get(|| async { CSV }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = Client::builder()
        .base_url(format!("http://{address}"))
        .token(TOKEN)
        .build()
        .unwrap();

    let report = client.office365_activation_counts().send().await.unwrap();
    assert_eq!(report.rows.len(), 1);

    let requests = recorder.spans_named("graph.request");
    assert_eq!(requests.len(), 2, "{requests:?}");
    for (attempt, status) in [(1, "429"), (2, "302")] {
        let span = &requests[attempt - 1];
        assert_eq!(field(span, "report"), Some("office365_activation_counts"));
        assert_eq!(field(span, "attempt"), Some(attempt.to_string().as_str()));
        assert_eq!(field(span, "status"), Some(status));
        assert!(field(span, "duration_ms").is_some(), "{span:?}");
    }
    let downloads = recorder.spans_named("graph.download");
    assert_eq!(downloads.len(), 1, "{downloads:?}");
    assert_eq!(field(&downloads[0], "status"), Some("200"));
    assert_eq!(
        field(&downloads[0], "bytes"),
        Some(CSV.len().to_string().as_str())
    );

    let everything = format!(
        "{:?} {:?}",
        recorder.spans.lock().unwrap(),
        recorder.events.lock().unwrap()
    );
    assert!(!everything.contains(TOKEN), "{everything}");
    assert!(!everything.contains(DOWNLOAD_KEY), "{everything}");
    assert!(!everything.contains("/download"), "{everything}");
}
