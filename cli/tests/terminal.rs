//! The built binary against a server whose report holds terminal control sequences in its
//! cells, column names and error text: nothing reaches the terminal raw, and the escaped form
//! is shown instead.
#![allow(clippy::unwrap_used, reason = "a test fails loudly on setup errors")]

use std::net::SocketAddr;
use std::process::{Command, Output};

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use unicode_width::UnicodeWidthStr as _;

const REPORT_PATH: &str = "/v1.0/reports/getOffice365ActivationsUserCounts";

/// Sets the clipboard (OSC 52) and clears the screen.
const CLIPBOARD_AND_CLEAR: &str = "\u{1b}]52;c;SGVsbG8=\u{7}\u{1b}[2J";

/// `getOffice365ActivationsUserCounts` from a hostile server: three good rows whose Product
/// Type steers the terminal (OSC 52 and clear screen; a bidi override, a C1 CSI and an isolate;
/// wide CJK and a combining accent), a fourth whose `Assigned` cell is an escape sequence (it
/// does not decode and is reported on stderr), and an extra column named with escapes.
fn hostile_csv() -> String {
    let header = "\u{feff}Report Refresh Date,Product Type,Assigned,Activated,Shared Computer Activation,Evil\u{1b}[2J\u{202e}Column\r\n";
    let rows = [
        format!("2024-01-31,\"{CLIPBOARD_AND_CLEAR}\",10,5,1,x"),
        "2024-01-31,\"\u{202e}\u{9b}31mevil\u{2066}\r\nnext\",20,6,2,x".to_owned(),
        "2024-01-31,東京 Apps cafe\u{301},30,7,3,x".to_owned(),
        "2024-01-31,Fine,\"\u{1b}[2J\u{7}\u{9b}\u{202e}\",8,4,x".to_owned(),
    ];
    let mut csv = header.to_owned();
    for row in rows {
        csv.push_str(&row);
        csv.push_str("\r\n");
    }
    csv
}

/// Serves `router` on a free port of 127.0.0.1 for as long as the test's runtime lives.
async fn serve(router: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

/// A server that answers the report call as Graph does: `302` to a download of [`hostile_csv`].
async fn hostile_report_server() -> SocketAddr {
    let download = "/download/report.csv";
    let router = Router::new()
        .route(
            REPORT_PATH,
            get(move |headers: axum::http::HeaderMap| async move {
                let host = headers
                    .get(header::HOST)
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                (
                    StatusCode::FOUND,
                    [(header::LOCATION, format!("http://{host}{download}"))],
                )
                    .into_response()
            }),
        )
        .route(
            download,
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/octet-stream")],
                    hostile_csv(),
                )
                    .into_response()
            }),
        );
    serve(router).await
}

/// A server that refuses the report call with Graph's error body, its text full of escapes.
async fn hostile_error_server() -> SocketAddr {
    let body = serde_json::json!({
        "error": {
            "code": "Forbidden\u{1b}[2J",
            "message": format!("Denied {CLIPBOARD_AND_CLEAR} \u{202e}\u{9b}31m"),
        }
    })
    .to_string();
    let router = Router::new().route(
        REPORT_PATH,
        get(move || async move {
            let response: Response = (
                StatusCode::FORBIDDEN,
                [(header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response();
            response
        }),
    );
    serve(router).await
}

/// Runs the binary for the one report against `addr`, with a token, off the async runtime the
/// server runs on.
async fn run_report(addr: SocketAddr) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_graph-reports"));
        command.args([
            "--base-url",
            &format!("http://{addr}"),
            "--report",
            "office365_activations_user_counts",
        ]);
        for name in [
            "AZURE_TENANT_ID",
            "AZURE_CLIENT_ID",
            "AZURE_CLIENT_SECRET",
            "AZURE_AUTHORITY_HOST",
        ] {
            command.env_remove(name);
        }
        command.env("GRAPH_TOKEN", "test-token");
        command.output().unwrap()
    })
    .await
    .unwrap()
}

/// `text` (one of the binary's streams) holds no character that steers a terminal.
fn assert_inert(stream: &str, bytes: &[u8]) {
    for byte in [0x1b, 0x07] {
        assert!(
            !bytes.contains(&byte),
            "{stream} holds byte {byte:#04x}:\n{}",
            String::from_utf8_lossy(bytes)
        );
    }
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    for c in ['\u{9b}', '\u{202e}', '\u{2066}', '\r'] {
        assert!(!text.contains(c), "{stream} holds {c:?}:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn control_sequences_in_a_report_are_printed_escaped() {
    let addr = hostile_report_server().await;
    let output = run_report(addr).await;
    assert_inert("stdout", &output.stdout);
    assert_inert("stderr", &output.stderr);
    let text = String::from_utf8(output.stdout).unwrap();
    let errors = String::from_utf8(output.stderr).unwrap();
    // Three rows decoded, one skipped.
    assert_eq!(output.status.code(), Some(3), "{text}\n{errors}");

    // Cells: cut to the table's width after escaping, so the cut ends on a whole escape.
    assert!(text.contains("\\e]52;c;SGVsbG8=…"), "{text}");
    assert!(text.contains("\\u{202e}\\u{9b}31m…"), "{text}");
    assert!(text.contains("東京 Apps cafe\u{301}"), "{text}");
    // The column name from the file, in the drift list.
    assert!(
        text.contains("not in the spec: Evil\\e[2J\\u{202e}Column"),
        "{text}"
    );
    // The rejected row's line on stderr quotes its cell escaped, on one line (line 6: the
    // second row's cell holds a line break).
    let skipped: Vec<&str> = errors
        .lines()
        .filter(|line| line.contains("skipped line 6 (row 4)"))
        .collect();
    assert_eq!(skipped.len(), 1, "{errors}");
    assert!(skipped[0].contains("Assigned"), "{errors}");
    assert!(skipped[0].contains("[2J"), "{errors}");

    // The table lines up in terminal columns: every line of it ends on the same column (the
    // last column is numbers, aligned right), wide and combining characters included.
    let table: Vec<&str> = text
        .lines()
        .skip_while(|line| !line.trim_start().starts_with("Report Refresh"))
        .take(5)
        .collect();
    assert_eq!(table.len(), 5, "{text}");
    let widths: Vec<usize> = table.iter().map(|line| line.width()).collect();
    assert!(
        widths.iter().all(|width| *width == widths[0]),
        "{widths:?}\n{}",
        table.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn control_sequences_in_a_server_error_are_printed_escaped() {
    let addr = hostile_error_server().await;
    let output = run_report(addr).await;
    assert_inert("stdout", &output.stdout);
    assert_inert("stderr", &output.stderr);
    let errors = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{errors}");
    assert!(errors.contains("403"), "{errors}");
    assert!(errors.contains("Forbidden\\e[2J"), "{errors}");
    assert!(
        errors.contains("Denied \\e]52;c;SGVsbG8=\\u{7}\\e[2J \\u{202e}\\u{9b}31m"),
        "{errors}"
    );
}
