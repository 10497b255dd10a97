//! Signing in as an app (client credentials with a secret) against local servers playing
//! Microsoft Entra ID and Graph: the token request, caching and refresh before expiry, one
//! refresh shared by concurrent requests, a `401` answered by signing in again, and refusals
//! that say what to do without ever showing the secret.

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

use common::{ACTIVATION_COUNTS_CSV, Hit, Reply, Server, fast_retry, whole_chain};
use reports_sdk::{Client, ClientSecretCredential, Cloud, Credentials, ErrorKind, SignInError};

const SECRET: &str = "s3cr3t-value~with/odd&chars";

/// Entra ID handing out `token-1`, `token-2`, ... valid `lifetime` seconds each.
async fn entra(lifetime: u64, delay: Duration) -> (Server, Arc<AtomicUsize>) {
    let issued = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&issued);
    let server = Server::start(move |_| {
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        Reply::json(
            200,
            &serde_json::json!({
                "token_type": "Bearer",
                "expires_in": lifetime,
                "ext_expires_in": lifetime,
                "access_token": format!("token-{n}"),
            }),
        )
        .delay(delay)
    })
    .await;
    (server, issued)
}

/// Graph redirecting every call to a download of the activation counts file, refusing the
/// tokens in `refused` with `401`.
async fn graph_refusing(refused: &'static [&'static str]) -> (Server, Server) {
    let download = Server::start(|_| Reply::csv(ACTIVATION_COUNTS_CSV)).await;
    let location = format!("{}/file", download.url());
    let graph = Server::start(move |hit: &Hit| {
        let token = hit.header("authorization").unwrap_or_default();
        if refused.iter().any(|refused| token == format!("Bearer {refused}")) {
            Reply::json(
                401,
                &serde_json::json!({"error": {"code": "InvalidAuthenticationToken", "message": "Access token has been revoked."}}),
            )
        } else {
            Reply::found(&location)
        }
    })
    .await;
    (graph, download)
}

fn client(graph: &Server, login: &Server) -> Client {
    Client::builder()
        .base_url(graph.url())
        .credentials(Credentials::ClientSecret {
            tenant_id: "contoso.onmicrosoft.com".to_owned(),
            client_id: "app-id".to_owned(),
            client_secret: SECRET.into(),
            authority_host: Some(login.url()),
        })
        .retry_policy(fast_retry())
        .build()
        .unwrap()
}

fn bearer(hit: &Hit) -> String {
    hit.header("authorization").unwrap_or_default().to_owned()
}

#[tokio::test]
async fn the_token_request_is_a_client_credentials_grant_for_the_clouds_graph() {
    let (login, _) = entra(3600, Duration::ZERO).await;
    let (graph, _download) = graph_refusing(&[]).await;
    let client = Client::builder()
        .cloud(Cloud::China)
        .base_url(graph.url())
        .credentials(Credentials::ClientSecret {
            tenant_id: "contoso.partner.onmschina.cn".to_owned(),
            client_id: "app-id".to_owned(),
            client_secret: SECRET.into(),
            authority_host: Some(login.url()),
        })
        .build()
        .unwrap();
    client.office365_activation_counts().send().await.unwrap();
    let hit = &login.hits()[0];
    assert_eq!(hit.path, "/contoso.partner.onmschina.cn/oauth2/v2.0/token");
    assert_eq!(
        hit.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let form: Vec<(String, String)> = url_decode_pairs(&hit.body);
    let get = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    assert_eq!(get("grant_type"), Some("client_credentials"));
    assert_eq!(get("client_id"), Some("app-id"));
    assert_eq!(
        get("client_secret"),
        Some(SECRET),
        "the secret survives form encoding"
    );
    assert_eq!(
        get("scope"),
        Some("https://microsoftgraph.chinacloudapi.cn/.default"),
        "the client's cloud decides the Graph resource"
    );
    assert_eq!(bearer(&graph.hits()[0]), "Bearer token-1");
}

#[tokio::test]
async fn a_token_is_cached_then_refreshed_before_it_expires() {
    // A 2 s token is replaced after half its life: the margin is at most half.
    let (login, issued) = entra(2, Duration::ZERO).await;
    let (graph, _download) = graph_refusing(&[]).await;
    let client = client(&graph, &login);
    client.office365_activation_counts().send().await.unwrap();
    client.office365_activation_counts().send().await.unwrap();
    assert_eq!(
        issued.load(Ordering::SeqCst),
        1,
        "the second call reuses the token"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.office365_activation_counts().send().await.unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 2, "refreshed before expiry");
    let tokens: Vec<String> = graph.hits().iter().map(bearer).collect();
    assert_eq!(
        tokens,
        ["Bearer token-1", "Bearer token-1", "Bearer token-2"]
    );
}

#[tokio::test]
async fn concurrent_requests_share_one_sign_in() {
    let (login, issued) = entra(3600, Duration::from_millis(200)).await;
    let (graph, _download) = graph_refusing(&[]).await;
    let client = client(&graph, &login);
    let calls = (0..12).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.office365_activation_counts().send().await })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap().unwrap();
    }
    assert_eq!(issued.load(Ordering::SeqCst), 1);
    assert_eq!(graph.count(), 12);
}

#[tokio::test]
async fn a_refused_token_is_dropped_and_the_call_retried_once_with_a_fresh_one() {
    let (login, issued) = entra(3600, Duration::ZERO).await;
    let (graph, _download) = graph_refusing(&["token-1"]).await;
    let report = client(&graph, &login)
        .office365_activation_counts()
        .send()
        .await
        .unwrap();
    assert_eq!(report.rows.len(), 2);
    assert_eq!(issued.load(Ordering::SeqCst), 2);
    let tokens: Vec<String> = graph.hits().iter().map(bearer).collect();
    assert_eq!(tokens, ["Bearer token-1", "Bearer token-2"]);

    // Refused again after signing in again: the 401 is the answer, not a loop.
    let (login_again, issued_again) = entra(3600, Duration::ZERO).await;
    let (graph_again, _download) = graph_refusing(&["token-1", "token-2", "token-3"]).await;
    let error = client(&graph_again, &login_again)
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401));
    assert_eq!(graph_again.count(), 2);
    assert_eq!(issued_again.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_fixed_token_refused_is_not_retried() {
    let (graph, _download) = graph_refusing(&["fixed"]).await;
    let error = Client::builder()
        .base_url(graph.url())
        .token("fixed")
        .build()
        .unwrap()
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401));
    assert_eq!(graph.count(), 1, "the same token would be refused again");
}

#[tokio::test]
async fn a_refused_sign_in_keeps_entras_code_and_ids_and_never_the_secret() {
    let login = Server::start(|_| {
        Reply::json(
            401,
            &serde_json::json!({
                "error": "invalid_client",
                "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.\r\nTrace ID: 0b1c\r\nCorrelation ID: 7e9a\r\nTimestamp: 2026-11-23 10:00:00Z",
                "error_codes": [7000215],
                "trace_id": "0b1c",
                "correlation_id": "7e9a",
            }),
        )
    })
    .await;
    let (graph, _download) = graph_refusing(&[]).await;
    let error = client(&graph, &login)
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Token);
    assert_eq!(graph.count(), 0, "nothing is sent to Graph without a token");
    let shown = error.to_string();
    for expected in [
        "AADSTS7000215",
        "trace id 0b1c",
        "correlation id 7e9a",
        "Certificates & secrets",
    ] {
        assert!(shown.contains(expected), "{expected:?} in {shown}");
    }
    let sign_in = error
        .source()
        .and_then(|source| source.downcast_ref::<SignInError>())
        .expect("the sign-in refusal is the source");
    assert_eq!(sign_in.codes, [7_000_215]);
    assert_eq!(sign_in.error.as_deref(), Some("invalid_client"));
    for rendering in [shown, format!("{error:?}"), whole_chain(&error)] {
        assert!(!rendering.contains("s3cr3t"), "{rendering}");
    }
}

#[tokio::test]
async fn a_credential_used_alone_is_a_token_provider() {
    let (login, issued) = entra(3600, Duration::ZERO).await;
    let (graph, _download) = graph_refusing(&[]).await;
    let credential = ClientSecretCredential::builder("t", "app-id", SECRET)
        .authority_host(login.url())
        .build()
        .unwrap();
    let client = Client::builder()
        .base_url(graph.url())
        .token_provider(credential.clone())
        .build()
        .unwrap();
    client.office365_activation_counts().send().await.unwrap();
    let other = Client::builder()
        .base_url(graph.url())
        .token_provider(credential)
        .build()
        .unwrap();
    other.office365_activation_counts().send().await.unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 1, "clones share the cache");
}

fn url_decode_pairs(body: &[u8]) -> Vec<(String, String)> {
    let decode = |text: &str| {
        let mut out = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' => {
                    out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
                    i += 2;
                }
                byte => out.push(byte),
            }
            i += 1;
        }
        String::from_utf8(out).unwrap()
    };
    std::str::from_utf8(body)
        .unwrap()
        .split('&')
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap();
            (decode(name), decode(value))
        })
        .collect()
}

#[tokio::test]
async fn a_lifetime_too_long_to_trust_is_capped_not_a_crash() {
    let login = Server::start(|_| {
        Reply::json(
            200,
            &serde_json::json!({"access_token": "forever", "expires_in": u64::MAX}),
        )
    })
    .await;
    let (graph, _download) = graph_refusing(&[]).await;
    let client = client(&graph, &login);
    client.office365_activation_counts().send().await.unwrap();
    client.office365_activation_counts().send().await.unwrap();
    assert_eq!(login.count(), 1, "cached for the capped lifetime");
}

#[tokio::test]
async fn callers_waiting_for_a_sign_in_that_fails_share_its_refusal() {
    let login = Server::start(|_| {
        Reply::json(
            401,
            &serde_json::json!({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided.", "error_codes": [7000215]}),
        )
        .delay(Duration::from_millis(200))
    })
    .await;
    let (graph, _download) = graph_refusing(&[]).await;
    let client = client(&graph, &login);
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.office365_activation_counts().send().await })
        })
        .collect();
    for call in calls {
        let error = call.await.unwrap().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Token);
        assert!(error.to_string().contains("AADSTS7000215"), "{error}");
        let refused = error
            .source()
            .and_then(|source| source.downcast_ref::<SignInError>())
            .expect("every caller gets the refusal");
        assert_eq!(refused.codes, [7_000_215]);
    }
    assert_eq!(
        login.count(),
        1,
        "one sign-in attempt for eight waiting callers"
    );
    // A later call tries again: the refusal is not cached.
    let _ = client.office365_activation_counts().send().await;
    assert_eq!(login.count(), 2);
}
