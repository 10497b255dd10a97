//! The `azure-identity` feature: any azure_core credential signs the client in, asked for the
//! configured cloud's Graph resource, through the one reqwest the SDK and azure_core share.

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

use std::sync::{Arc, Mutex};

use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::time::{Duration, OffsetDateTime};
use common::{ACTIVATION_COUNTS_CSV, Reply, Server};
use reports_sdk::{AzureCredential, Client, Cloud, ErrorKind, TokenProvider};

/// A credential recording the scopes it is asked for, as a managed identity or the Azure CLI
/// would be asked.
#[derive(Debug, Default)]
struct Recording {
    scopes: Mutex<Vec<String>>,
    fail: bool,
}

#[async_trait::async_trait]
impl TokenCredential for Recording {
    async fn get_token(
        &self,
        scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        self.scopes
            .lock()
            .unwrap()
            .extend(scopes.iter().map(|scope| (*scope).to_owned()));
        if self.fail {
            return Err(azure_core::Error::with_message(
                azure_core::error::ErrorKind::Credential,
                "ManagedIdentityCredential: no identity endpoint",
            ));
        }
        Ok(AccessToken::new(
            "azure-token",
            OffsetDateTime::now_utc() + Duration::hours(1),
        ))
    }
}

#[tokio::test]
async fn an_azure_credential_signs_the_client_in_for_its_clouds_graph() {
    let download = Server::start(|_| Reply::csv(ACTIVATION_COUNTS_CSV)).await;
    let location = format!("{}/file", download.url());
    let graph = Server::start(move |_| Reply::found(&location)).await;
    let credential = Arc::new(Recording::default());
    let client = Client::builder()
        .cloud(Cloud::China)
        .base_url(graph.url())
        .azure_credential(credential.clone())
        .build()
        .unwrap();
    let report = client.office365_activation_counts().send().await.unwrap();
    assert_eq!(report.rows.len(), 2);
    assert_eq!(
        graph.hits()[0].header("authorization"),
        Some("Bearer azure-token")
    );
    assert_eq!(download.hits()[0].header("authorization"), None);
    assert_eq!(
        *credential.scopes.lock().unwrap(),
        ["https://microsoftgraph.chinacloudapi.cn/.default"]
    );
}

#[tokio::test]
async fn a_failing_azure_credential_is_a_token_error_that_says_why() {
    let graph = Server::start(|_| Reply::status(500)).await;
    let client = Client::builder()
        .base_url(graph.url())
        .azure_credential(Arc::new(Recording {
            fail: true,
            ..Recording::default()
        }))
        .build()
        .unwrap();
    let error = client
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Token);
    assert!(
        error.to_string().contains("no identity endpoint"),
        "{error}"
    );
    assert_eq!(graph.count(), 0);
}

#[tokio::test]
async fn the_adapter_asks_for_the_scope_it_is_given() {
    let credential = Arc::new(Recording::default());
    let provider = AzureCredential::new(credential.clone())
        .cloud(Cloud::UsGovL5)
        .scope("api://override/.default");
    assert_eq!(provider.token().await.unwrap().expose(), "azure-token");
    let provider = AzureCredential::new(credential.clone()).cloud(Cloud::UsGovL5);
    provider.token().await.unwrap();
    assert_eq!(
        *credential.scopes.lock().unwrap(),
        [
            "api://override/.default",
            "https://dod-graph.microsoft.us/.default"
        ]
    );
}
