//! The emulator binary listens on the ports it is given, prints its app sign-in settings and
//! serves reports, with its static token and with a token from its token endpoint.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on setup errors")]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().port()
}

/// Sends one bare HTTP/1.1 request and returns the whole answer, head and body.
fn exchange(port: u16, request: &str) -> String {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn the_binary_prints_its_address_and_serves_reports() {
    let port = free_port();
    let login_port = free_port();
    let mut child = Running(
        Command::new(env!("CARGO_BIN_EXE_graph-emulator"))
            .args(["--port", &port.to_string(), "--token", "t0ken"])
            .args(["--login-port", &login_port.to_string()])
            .args(["--tenant-id", "tenant-1", "--client-secret", "local-s3cret"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    let lines: Vec<String> = (0..5)
        .map(|_| {
            let mut line = String::new();
            stdout.read_line(&mut line).unwrap();
            line.trim_end().to_owned()
        })
        .collect();
    assert_eq!(
        lines,
        [
            format!("http://127.0.0.1:{port}"),
            format!("AZURE_AUTHORITY_HOST=http://127.0.0.1:{login_port}"),
            "AZURE_TENANT_ID=tenant-1".to_owned(),
            "AZURE_CLIENT_ID=22222222-2222-4222-8222-222222222222".to_owned(),
            "AZURE_CLIENT_SECRET=local-s3cret".to_owned(),
        ]
    );

    // The report call answers 302 to the download listener, with the static token...
    let report = |token: &str| {
        exchange(
            port,
            &format!(
                "GET /v1.0/reports/getOffice365ActivationCounts HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
            ),
        )
    };
    let answer = report("t0ken");
    assert!(answer.starts_with("HTTP/1.1 302"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("location: http://127.0.0.1:"),
        "{answer}"
    );

    // ...and with a token from the token endpoint, for the printed app registration.
    let form = "grant_type=client_credentials&client_id=22222222-2222-4222-8222-222222222222&client_secret=local-s3cret&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default";
    let answer = exchange(
        login_port,
        &format!(
            "POST /tenant-1/oauth2/v2.0/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
            form.len()
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let (_, body) = answer.split_once("\r\n\r\n").unwrap();
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["expires_in"], 3600);
    let answer = report(body["access_token"].as_str().unwrap());
    assert!(answer.starts_with("HTTP/1.1 302"), "{answer}");
}

#[test]
fn the_binary_serves_and_prints_several_tenants() {
    let port = free_port();
    let login_port = free_port();
    let mut child = Running(
        Command::new(env!("CARGO_BIN_EXE_graph-emulator"))
            .args(["--port", &port.to_string()])
            .args(["--login-port", &login_port.to_string()])
            .args(["--tenants", "3", "--today", "2024-03-15"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    let lines: Vec<String> = (0..11)
        .map(|_| {
            let mut line = String::new();
            stdout.read_line(&mut line).unwrap();
            line.trim_end().to_owned()
        })
        .collect();
    let third = graph_emulator::TenantApp::numbered(2);
    assert_eq!(
        lines[2],
        "AZURE_TENANT_ID=11111111-1111-4111-8111-111111111111"
    );
    assert_eq!(
        lines[5..],
        [
            format!(
                "AZURE_TENANT_ID_1={}",
                graph_emulator::TenantApp::numbered(1).tenant_id
            ),
            format!(
                "AZURE_CLIENT_ID_1={}",
                graph_emulator::TenantApp::numbered(1).client_id
            ),
            "AZURE_CLIENT_SECRET_1=emulator-secret-1".to_owned(),
            format!("AZURE_TENANT_ID_2={}", third.tenant_id),
            format!("AZURE_CLIENT_ID_2={}", third.client_id),
            "AZURE_CLIENT_SECRET_2=emulator-secret-2".to_owned(),
        ]
    );

    // The third tenant signs in with the printed app and gets a report for the given today.
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret=emulator-secret-2&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default",
        third.client_id
    );
    let answer = exchange(
        login_port,
        &format!(
            "POST /{}/oauth2/v2.0/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
            third.tenant_id,
            form.len()
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let (_, body) = answer.split_once("\r\n\r\n").unwrap();
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    let token = body["access_token"].as_str().unwrap();
    let report = |date: &str| {
        exchange(
            port,
            &format!(
                "GET /v1.0/reports/getOffice365ActiveUserDetail(date={date}) HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
            ),
        )
    };
    let answer = report("2024-03-13");
    assert!(answer.starts_with("HTTP/1.1 302"), "{answer}");
    let answer = report("2024-03-16");
    assert!(
        answer.starts_with("HTTP/1.1 400"),
        "after --today: {answer}"
    );
}

/// Stops the emulator process however the test ends.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
