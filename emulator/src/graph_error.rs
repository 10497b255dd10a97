//! Graph's error responses: `{"error":{"code","message","innerError":{...}}}`.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

static REQUEST_IDS: AtomicU64 = AtomicU64::new(1);

/// A Graph error answer with a fresh request id, echoing the caller's `client-request-id`.
pub(crate) fn graph_error(
    status: StatusCode,
    code: &str,
    message: &str,
    request: &HeaderMap,
) -> Response {
    let request_id = format!(
        "00000000-0000-4000-8000-{:012x}",
        REQUEST_IDS.fetch_add(1, Ordering::Relaxed)
    );
    let client_request_id = request
        .get("client-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let date = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string();
    let body = serde_json::json!({
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": date,
                "request-id": request_id,
                "client-request-id": client_request_id,
            }
        }
    });
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert("request-id", value);
    }
    response
}
