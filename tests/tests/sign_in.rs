//! Signing in as an app against the emulator's Entra ID stand-in, through the public SDK:
//! tokens refreshed before they expire, a revoked token replaced, and missing consent reported.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on setup errors")]

use std::time::Duration;

use graph_emulator::{Config, Emulator, Faults};
use reports_sdk::{Client, Credentials, ErrorKind};

fn app_client(emulator: &Emulator) -> Client {
    let config = emulator.config();
    Client::builder()
        .base_url(emulator.base_url())
        .credentials(Credentials::ClientSecret {
            tenant_id: config.tenant_id.clone(),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone().into(),
            authority_host: Some(emulator.authority_host()),
        })
        .build()
        .unwrap()
}

#[tokio::test]
async fn short_lived_tokens_are_replaced_before_graph_sees_them_expire() {
    let emulator = Emulator::start(Config {
        rows: 3,
        token_lifetime: Duration::from_secs(2),
        ..Config::default()
    })
    .await
    .unwrap();
    let client = app_client(&emulator);
    for _ in 0..3 {
        client.office365_activation_counts().send().await.unwrap();
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    let stats = emulator.stats();
    assert_eq!(
        stats.expired_token_calls, 0,
        "no call carried an expired token"
    );
    assert_eq!(
        stats.tokens_issued, 2,
        "refreshed once, at half the 2 s lifetime"
    );
}

#[tokio::test]
async fn a_revoked_token_is_replaced_and_the_call_succeeds() {
    let emulator = Emulator::start(Config {
        rows: 3,
        ..Config::default()
    })
    .await
    .unwrap();
    let client = app_client(&emulator);
    client.office365_activation_counts().send().await.unwrap();
    emulator.revoke_issued_tokens();
    let rows = client.office365_activation_counts().send().await.unwrap();
    let expected = emulator.expected(
        <reports_sdk::office365::Office365ActivationCountsRow as reports_sdk::Report>::META,
        &[],
        reports_sdk::ApiVersion::V1,
    );
    assert_eq!(rows.rows.len(), expected.rows.len(), "one row per product");
    assert_eq!(emulator.stats().tokens_issued, 2);
}

#[tokio::test]
async fn an_app_without_consent_is_told_what_to_grant() {
    let emulator = Emulator::start(Config {
        faults: Faults {
            forbid_issued_tokens: true,
            ..Faults::default()
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let error = app_client(&emulator)
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Service);
    assert_eq!(error.status(), Some(403));
    let text = error.to_string();
    assert!(text.contains("Authorization_RequestDenied"), "{text}");
    assert!(text.contains("Reports.Read.All"), "{text}");
    assert_eq!(
        emulator.stats().tokens_issued,
        1,
        "a 403 is not a reason to sign in again"
    );
}
