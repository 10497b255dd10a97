//! A scriptable HTTP server for the client's behaviour tests: it records every request it
//! receives (path, query, headers) and answers what the test's closure says.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, Response, StatusCode};
use reports_sdk::{Client, ClientBuilder, RetryPolicy};
use tokio::net::TcpListener;

/// The token every test client sends.
pub const TOKEN: &str = "secret-token";

/// `Report Refresh Date` of the fixtures.
pub const REFRESH_DATE: &str = "2024-01-31";

/// `getOffice365ActivationCounts` as Graph serves it: UTF-8 BOM, CRLF line ends.
pub const ACTIVATION_COUNTS_CSV: &str = "\u{feff}Report Refresh Date,Product Type,Windows,Mac,Android,iOS,Windows 10 Mobile\r\n\
    2024-01-31,Microsoft 365 Apps for enterprise,120,14,9,33,0\r\n\
    2024-01-31,\"Project, Online\",5,0,1,2,0\r\n";

/// `getOffice365ServicesUserCounts(period='D7')`.
pub const SERVICES_USER_COUNTS_CSV: &str = "\u{feff}Report Refresh Date,Exchange Active,Exchange Inactive,OneDrive Active,OneDrive Inactive,SharePoint Active,SharePoint Inactive,Skype For Business Active,Skype For Business Inactive,Yammer Active,Yammer Inactive,Teams Active,Teams Inactive,Office 365 Active,Office 365 Inactive,Report Period\r\n\
    2024-01-31,1,2,3,4,5,6,7,8,9,10,11,12,13,14,7\r\n";

/// One request a test server received.
#[derive(Debug, Clone)]
pub struct Hit {
    /// 0-based index among every request this server received.
    pub n: usize,
    /// The server's own address, for answers that point back at it.
    pub server: SocketAddr,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    /// The request body (up to 1 MiB).
    pub body: Vec<u8>,
}

impl Hit {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }

    /// `http://{this server}`.
    pub fn origin(&self) -> String {
        format!("http://{}", self.server)
    }
}

/// What a test server answers.
#[derive(Debug, Clone)]
pub struct Reply {
    status: StatusCode,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delay: Option<Duration>,
}

impl Reply {
    /// An empty answer with this status.
    pub fn status(status: u16) -> Self {
        Reply {
            status: StatusCode::from_u16(status).unwrap(),
            headers: Vec::new(),
            body: Vec::new(),
            delay: None,
        }
    }

    /// `200` with a CSV file.
    pub fn csv(body: &str) -> Self {
        Reply::status(200)
            .header("content-type", "application/octet-stream")
            .body(body)
    }

    /// `302 Found` to `location`, as Graph answers a report call.
    pub fn found(location: &str) -> Self {
        Reply::status(302).header("location", location)
    }

    /// A JSON body with this status.
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Reply::status(status)
            .header("content-type", "application/json; odata.metadata=minimal")
            .body(value.to_string())
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// Waits this long before answering.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    fn into_response(self) -> Response<Body> {
        let mut response = Response::builder().status(self.status);
        for (name, value) in &self.headers {
            response = response.header(name, value);
        }
        response.body(Body::from(self.body)).unwrap()
    }
}

/// A test server on `127.0.0.1`, port 0; it lives as long as the test's runtime.
pub struct Server {
    pub addr: SocketAddr,
    hits: Arc<Mutex<Vec<Hit>>>,
}

impl Server {
    /// Starts a server answering every request with `handler`.
    pub async fn start<H>(handler: H) -> Server
    where
        H: Fn(&Hit) -> Reply + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
        let handler = Arc::new(handler);
        let log = Arc::clone(&hits);
        let router = Router::new().fallback(move |request: Request| {
            let handler = Arc::clone(&handler);
            let log = Arc::clone(&log);
            async move {
                let (parts, body) = request.into_parts();
                let body = axum::body::to_bytes(body, 1 << 20)
                    .await
                    .unwrap_or_default()
                    .to_vec();
                let hit = {
                    let mut log = log.lock().unwrap();
                    let path = parts.uri.path().to_owned();
                    let hit = Hit {
                        n: log.len(),
                        server: addr,
                        path,
                        query: parts.uri.query().map(str::to_owned),
                        headers: parts.headers,
                        body,
                    };
                    log.push(hit.clone());
                    hit
                };
                let reply = handler(&hit);
                if let Some(delay) = reply.delay {
                    tokio::time::sleep(delay).await;
                }
                reply.into_response()
            }
        });
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Server { addr, hits }
    }

    /// `http://{addr}`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far, in order.
    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    /// How many requests were received.
    pub fn count(&self) -> usize {
        self.hits.lock().unwrap().len()
    }
}

/// Retries fast: backoffs of a few milliseconds, so retry tests take no time.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
}

/// A builder pointed at `server`, with [`TOKEN`] and [`fast_retry`].
pub fn builder(server: &Server) -> ClientBuilder {
    Client::builder()
        .base_url(server.url())
        .token(TOKEN)
        .retry_policy(fast_retry())
}

/// A client pointed at `server`, with [`TOKEN`] and [`fast_retry`].
pub fn client(server: &Server) -> Client {
    builder(server).build().unwrap()
}

/// A port nothing listens on (bound, then released).
pub async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// Every message of an error and its `source()` chain, `Display` and `Debug`.
pub fn whole_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = format!("{error}\n{error:?}");
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(&format!("\n{inner}\n{inner:?}"));
        source = inner.source();
    }
    text
}
