//! The client every generated report method hangs off.

use std::sync::Arc;
use std::time::Duration;

use super::auth::{Secret, SharedTokenProvider, StaticToken, TokenProvider};
use super::credentials::ClientSecretCredential;
use super::error::{Error, ErrorKind};
use super::limits::Limits;
use super::meta::{ApiVersion, Cloud};
use super::retry::RetryPolicy;
use super::sign_in::Credentials;

/// A Microsoft Graph usage reports client. Cheap to clone (clones share one configuration and
/// connection pool), `Send` and `Sync`.
///
/// Every report has a method on it, generated from `spec/`, e.g.
/// [`office365_services_user_counts`](Client::office365_services_user_counts).
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientConfig>,
}

pub(crate) struct ClientConfig {
    pub(crate) cloud: Cloud,
    /// Without a trailing slash.
    pub(crate) base_url: String,
    pub(crate) version: ApiVersion,
    pub(crate) token: Option<SharedTokenProvider>,
    /// Sends the report calls and JSON pages; never follows redirects.
    pub(crate) api: reqwest::Client,
    /// Fetches preauthenticated download URLs: no default headers, no cookies, no token.
    pub(crate) download: reqwest::Client,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) limits: Limits,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("cloud", &inner.cloud)
            .field("base_url", &inner.base_url)
            .field("version", &inner.version)
            .field("token", &inner.token.as_ref().map(|_| "[redacted]"))
            .field("timeout", &inner.timeout)
            .field("retry", &inner.retry)
            .field("limits", &inner.limits)
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
pub struct ClientBuilder {
    cloud: Cloud,
    base_url: Option<String>,
    version: ApiVersion,
    token: Option<SharedTokenProvider>,
    /// An app sign-in, made into a token provider at `build`, when the cloud is known.
    app: Option<Credentials>,
    #[cfg(feature = "azure-identity")]
    azure: Option<std::sync::Arc<dyn azure_core::credentials::TokenCredential>>,
    http: Option<reqwest::Client>,
    timeout: Duration,
    connect_timeout: Duration,
    read_timeout: Duration,
    retry: RetryPolicy,
    limits: Limits,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            cloud: Cloud::Global,
            base_url: None,
            version: ApiVersion::V1,
            token: None,
            app: None,
            #[cfg(feature = "azure-identity")]
            azure: None,
            http: None,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            limits: Limits::default(),
        }
    }
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("cloud", &self.cloud)
            .field("base_url", &self.base_url)
            .field("version", &self.version)
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("app", &self.app)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The national cloud; its Graph endpoint becomes the base URL, and reports the spec does
    /// not list for it are refused. Default: [`Cloud::Global`].
    pub fn cloud(mut self, cloud: Cloud) -> Self {
        self.cloud = cloud;
        self
    }

    /// Sends requests to this endpoint instead of the cloud's (a proxy, or a local emulator).
    /// The cloud still decides which reports are available.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// The default API version. Default: [`ApiVersion::V1`].
    pub fn version(mut self, version: ApiVersion) -> Self {
        self.version = version;
        self
    }

    /// A fixed bearer token.
    pub fn token(self, token: impl Into<Secret>) -> Self {
        self.token_provider(StaticToken::new(token))
    }

    /// Where tokens come from; asked before every request.
    pub fn token_provider(mut self, provider: impl TokenProvider) -> Self {
        self.token = Some(Arc::new(provider));
        self.app = None;
        #[cfg(feature = "azure-identity")]
        {
            self.azure = None;
        }
        self
    }

    /// Signs in as an app registration with a client secret, at the configured cloud's
    /// authority for its Graph resource (see [`ClientSecretCredential`]).
    pub fn client_secret(
        self,
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Self {
        self.credentials(Credentials::client_secret(
            tenant_id,
            client_id,
            client_secret,
        ))
    }

    /// Signs in with an `azure_identity` credential (certificate, managed identity, workload
    /// identity, Azure CLI, ...), asking for the configured cloud's Graph resource.
    #[cfg(feature = "azure-identity")]
    pub fn azure_credential(
        mut self,
        credential: std::sync::Arc<dyn azure_core::credentials::TokenCredential>,
    ) -> Self {
        self.token = None;
        self.app = None;
        self.azure = Some(credential);
        self
    }

    /// Signs in with `credentials`, e.g. [`Credentials::from_env`]:
    ///
    /// ```no_run
    /// # fn build() -> Result<(), reports_sdk::Error> {
    /// let client = reports_sdk::Client::builder()
    ///     .credentials(reports_sdk::Credentials::from_env()?)
    ///     .build()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn credentials(self, credentials: Credentials) -> Self {
        match credentials {
            Credentials::Token(token) => self.token(token),
            app @ Credentials::ClientSecret { .. } => {
                let mut builder = self.token_provider(StaticToken::new(""));
                builder.token = None;
                builder.app = Some(app);
                builder
            }
        }
    }

    /// Sends the report calls through this client (its proxy, TLS and pool settings; the
    /// builder's `connect_timeout` does not apply to it). It must be built with
    /// `.redirect(reqwest::redirect::Policy::none())`: the SDK follows Graph's `302` itself,
    /// without the token. reqwest gives no way to see a client's redirect policy, so a client
    /// that follows redirects is only caught after it did ([`ErrorKind::Configuration`]); by
    /// then reqwest has dropped `Authorization` if the download was on another host, as Graph's
    /// are, but not on the same host. Downloads always use a client of the SDK's own, with no
    /// default headers and no cookies.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Time limit of each report call and JSON page request. Default: 60 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time limit to connect. Default: 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Longest silence while downloading a report, which may take longer than
    /// [`timeout`](Self::timeout) in total. Default: 60 s.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// How throttling and transient failures are retried. Default: [`RetryPolicy::default`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Bounds on what one call may take: fields and bytes per record, bytes per JSON page,
    /// pages per report, and the whole call's deadline. Default: [`Limits::default`].
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Builds the client. Fails only if the TLS backend cannot be initialised.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = self
            .base_url
            .unwrap_or_else(|| self.cloud.base_url().to_owned());
        let token = match self.app {
            Some(Credentials::ClientSecret {
                tenant_id,
                client_id,
                client_secret,
                authority_host,
            }) => {
                let mut credential =
                    ClientSecretCredential::builder(tenant_id, client_id, client_secret)
                        .cloud(self.cloud);
                if let Some(authority_host) = authority_host {
                    credential = credential.authority_host(authority_host);
                }
                let provider: SharedTokenProvider = Arc::new(credential.build()?);
                Some(provider)
            }
            _ => self.token,
        };
        #[cfg(feature = "azure-identity")]
        let token = match self.azure {
            Some(credential) => {
                let provider: SharedTokenProvider =
                    Arc::new(super::azure::AzureCredential::new(credential).cloud(self.cloud));
                Some(provider)
            }
            None => token,
        };
        let bare = || {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(self.connect_timeout)
        };
        let build_error = |err: reqwest::Error| {
            Error::new(ErrorKind::Configuration, "cannot build the HTTP client").with_source(err)
        };
        let api = match self.http {
            Some(client) => client,
            None => bare().build().map_err(build_error)?,
        };
        let download = bare()
            .read_timeout(self.read_timeout)
            .build()
            .map_err(build_error)?;
        Ok(Client {
            inner: Arc::new(ClientConfig {
                cloud: self.cloud,
                base_url: base_url.trim_end_matches('/').to_owned(),
                version: self.version,
                token,
                api,
                download,
                timeout: self.timeout,
                retry: self.retry,
                limits: self.limits,
            }),
        })
    }
}
