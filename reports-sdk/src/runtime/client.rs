//! The client every generated report method hangs off.

use std::sync::Arc;

use super::meta::{ApiVersion, Cloud};

/// A Microsoft Graph usage reports client. Cheap to clone: clones share one configuration.
///
/// Every report has a method on it (generated from `spec/`), e.g.
/// [`office365_services_user_counts`](Client::office365_services_user_counts).
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientConfig>,
}

#[derive(Debug)]
pub(crate) struct ClientConfig {
    pub(crate) cloud: Cloud,
    /// Without a trailing slash.
    pub(crate) base_url: String,
    pub(crate) version: ApiVersion,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("cloud", &self.inner.cloud)
            .field("base_url", &self.inner.base_url)
            .field("version", &self.inner.version)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The cloud whose reports this client fetches.
    pub fn cloud(&self) -> Cloud {
        self.inner.cloud
    }

    /// The Graph endpoint requests go to, e.g. `https://graph.microsoft.com`.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The API version requests use unless a request overrides it.
    pub fn version(&self) -> ApiVersion {
        self.inner.version
    }
}

/// Configures a [`Client`].
#[derive(Debug, Default)]
pub struct ClientBuilder {
    cloud: Cloud,
    base_url: Option<String>,
    version: ApiVersion,
}

impl ClientBuilder {
    /// The national cloud; its Graph endpoint becomes the base URL. Default: [`Cloud::Global`].
    pub fn cloud(mut self, cloud: Cloud) -> Self {
        self.cloud = cloud;
        self
    }

    /// Sends requests to this endpoint instead of the cloud's (a proxy, or a local emulator in
    /// tests). The cloud still decides which reports are available.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// The default API version. Default: [`ApiVersion::V1`].
    pub fn version(mut self, version: ApiVersion) -> Self {
        self.version = version;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Client {
        let base_url = self
            .base_url
            .unwrap_or_else(|| self.cloud.base_url().to_owned());
        Client {
            inner: Arc::new(ClientConfig {
                cloud: self.cloud,
                base_url: base_url.trim_end_matches('/').to_owned(),
                version: self.version,
            }),
        }
    }
}
