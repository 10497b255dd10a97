//! The client's thread-safety and timeouts.

#![allow(
    clippy::unwrap_used,
    reason = "test servers panic on setup failures by design"
)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use reports_sdk::{Client, ErrorKind, RetryPolicy};

const TOKEN: &str = "token-SHOULD-NOT-LEAK";
const CSV: &str = "\u{feff}Report Refresh Date,Product Type,Windows,Mac,Android,iOS,Windows 10 Mobile\r\n2024-01-31,X,1,2,3,4,5\r\n";

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

#[test]
fn client_is_cheap_to_clone_and_thread_safe() {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    shareable::<Client>();
    fn sendable<T: Send>() {}
    sendable::<reports_sdk::ReportRequest<reports_sdk::office365::Office365ActivationCountsRow>>();
    sendable::<reports_sdk::RowStream<reports_sdk::office365::Office365ActivationCountsRow>>();
    sendable::<reports_sdk::Error>();
    fn error_is_std<T: std::error::Error + Send + Sync + 'static>() {}
    error_is_std::<reports_sdk::Error>();
}

#[tokio::test]
async fn a_slow_answer_times_out_and_is_retried_as_the_policy_says() {
    let calls = Arc::new(Mutex::new(0));
    let counted = calls.clone();
    let base = serve(Router::new().route(
        "/v1.0/reports/getOffice365ActivationCounts",
        get(move || {
            *counted.lock().unwrap() += 1;
            async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                CSV
            }
        }),
    ))
    .await;
    let client = Client::builder()
        .base_url(base)
        .token(TOKEN)
        .timeout(Duration::from_millis(50))
        .retry_policy(
            RetryPolicy::default()
                .max_retries(1)
                .initial_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let error = client
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(*calls.lock().unwrap(), 2, "one attempt and one retry");
    assert!(error.to_string().contains("timed out"), "{error}");
}
