//! `azure_identity`'s credentials as the client's token provider (feature `azure-identity`):
//! certificates, managed identity, workload identity and the Azure CLI sign in unchanged,
//! through the same reqwest the SDK uses.

use std::sync::Arc;

use azure_core::credentials::TokenCredential;

use super::auth::{Secret, TokenFuture, TokenProvider};
use super::meta::Cloud;

/// Any `azure_core` [`TokenCredential`] (`azure_identity`'s `ClientCertificateCredential`,
/// `ManagedIdentityCredential`, `WorkloadIdentityCredential`, `AzureCliCredential`,
/// `DeveloperToolsCredential`, ...) as a [`TokenProvider`], asking for
/// `{the cloud's Graph resource}/.default`. The credential caches and refreshes its tokens
/// itself, and has no call to drop a token, so a `401` from Graph is not retried with another.
/// [`ClientBuilder::azure_credential`](crate::ClientBuilder::azure_credential) sets the cloud
/// from the client's.
///
/// ```ignore
/// let credential = azure_identity::ManagedIdentityCredential::new(None)?;
/// let client = reports_sdk::Client::builder().azure_credential(credential).build()?;
/// ```
#[derive(Clone)]
pub struct AzureCredential {
    credential: Arc<dyn TokenCredential>,
    scope: String,
}

impl std::fmt::Debug for AzureCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AzureCredential")
            .field("credential", &self.credential)
            .field("scope", &self.scope)
            .finish()
    }
}

impl AzureCredential {
    /// The credential, asking for the global Graph's scope.
    pub fn new(credential: Arc<dyn TokenCredential>) -> Self {
        AzureCredential {
            credential,
            scope: scope_of(Cloud::Global),
        }
    }

    /// Asks for the Graph resource of `cloud`.
    pub fn cloud(mut self, cloud: Cloud) -> Self {
        self.scope = scope_of(cloud);
        self
    }

    /// Asks for this scope instead.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }
}

fn scope_of(cloud: Cloud) -> String {
    format!("{}/.default", cloud.base_url())
}

impl TokenProvider for AzureCredential {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async move {
            let token = self
                .credential
                .get_token(&[self.scope.as_str()], None)
                .await?;
            Ok(Secret::new(token.token.secret()))
        })
    }
}
