//! One report call over HTTP, the way Graph serves reports: the call answers `302` with a
//! preauthenticated download URL that is fetched separately, without the token; beta JSON
//! answers `200` with pages linked by `@odata.nextLink`.
//!
//! A [`Session`] is one call, from the report request to the last byte of the last page. It
//! owns the call's bounds: the deadline (every request, retry wait, download chunk and page),
//! the number of pages and the bytes of each. Throttling and transient failures of any request
//! go through one retry loop, [`Transport::retrying`].

use std::collections::HashSet;
use std::collections::hash_map::RandomState;
use std::future::Future;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, ETAG, HeaderMap, HeaderValue, IF_NONE_MATCH, LOCATION};
use reqwest::{Response, StatusCode, Url};
use tracing::{Instrument, field};

use super::auth::Secret;
use super::client::{Client, ClientConfig};
use super::deadline::Deadline;
use super::error::{Error, ErrorKind};
use super::error_body::service_error;
use super::json_page::parse_page;
pub(crate) use super::json_page::{JsonPage, PageShape};
use super::limits::limit_error;
use super::meta::{Format, ReportMeta};
use super::random::request_id;
use super::retry::retry_after;

/// The report's body, ready to be read, or a `304`.
pub(crate) enum Opened {
    NotModified {
        etag: Option<String>,
    },
    /// `span` is the request's span, where the body's size is recorded as it is read; the body
    /// is read with [`Session::chunk`], under the call's deadline.
    Csv {
        body: Response,
        etag: Option<String>,
        span: tracing::Span,
    },
    Json {
        page: JsonPage,
        etag: Option<String>,
    },
}

/// One report call: opens the report, reads the download and fetches the JSON pages, within
/// the client's [`Limits`](super::limits::Limits).
pub(crate) struct Session {
    transport: Transport,
    shape: PageShape,
    /// JSON pages read so far, the first included.
    pages: u64,
    /// Hashes of the `@odata.nextLink`s followed, so a service that links back to a page it
    /// already served fails at once. Hashes, not links: at most `max_pages` of them, 8 bytes
    /// each, whatever the links' length.
    visited: HashSet<u64>,
    hasher: RandomState,
}

impl Session {
    /// Starts a call's clock: the deadline counts from here. `shape` says what JSON items
    /// become.
    pub(crate) fn new(client: &Client, meta: &'static ReportMeta, shape: PageShape) -> Self {
        Session {
            transport: Transport {
                deadline: Deadline::start(&client.inner.limits),
                config: Arc::clone(&client.inner),
                meta,
            },
            shape,
            pages: 0,
            visited: HashSet::new(),
            hasher: RandomState::new(),
        }
    }

    /// Sends the report call (retrying as the policy allows) and opens the report's body.
    pub(crate) async fn open(
        &mut self,
        url: &str,
        format: Format,
        if_none_match: Option<&str>,
    ) -> Result<Opened, Error> {
        let transport = &self.transport;
        let shape = self.shape;
        let opened = transport
            .retrying("sending the report call", |retries| {
                transport.attempt_report(url, format, if_none_match, shape, retries)
            })
            .await?;
        if let Opened::Json { .. } = opened {
            self.pages = 1;
        }
        Ok(opened)
    }

    /// Fetches the JSON page `link` names (an `@odata.nextLink`), with the token, after
    /// checking that it points to the configured Graph endpoint and that the report's page
    /// budget allows another.
    pub(crate) async fn next_page(&mut self, link: &str) -> Result<JsonPage, Error> {
        let transport = &self.transport;
        let max_pages = transport.config.limits.pages();
        if self.pages >= max_pages {
            return Err(limit_error(
                format!(
                    "the report has more than {max_pages} JSON pages (`@odata.nextLink` kept pointing to another one)"
                ),
                "max_pages",
                max_pages,
            )
            .with_report(transport.meta.id));
        }
        if !self.visited.insert(self.hasher.hash_one(link)) {
            return Err(transport.error(
                ErrorKind::Redirect,
                "@odata.nextLink points back to a page already read; stopping instead of looping",
            ));
        }
        let next = transport.next_link(link)?;
        let shape = self.shape;
        let page = transport
            .retrying("fetching a JSON page", |retries| {
                transport.attempt_page(&next, shape, retries)
            })
            .await?;
        self.pages += 1;
        Ok(page)
    }

    /// The next chunk of an opened CSV body, `None` at its end. The deadline bounds it: a
    /// server sending a byte now and then never trips the read timeout.
    pub(crate) async fn chunk(&self, body: &mut Response) -> Result<Option<Bytes>, Error> {
        let meta = self.transport.meta;
        self.transport
            .deadline
            .bound("downloading the report", body.chunk())
            .await
            .map_err(|error| error.with_report(meta.id))?
            .map_err(|err| Error::body(err).with_report(meta.id))
    }
}

/// What one attempt came to.
enum Attempt<T> {
    Done(T),
    /// Throttled or transiently failed: worth another try after `Retry-After` or a backoff.
    Retry(Error),
    /// The download link was refused: worth asking for a fresh one, once.
    LinkRefused(Error),
    /// Graph refused this token (`401`): worth one more try if the provider can get another.
    Unauthorized(Error, Secret),
    Fail(Error),
}

/// What every request of a call shares: the client's configuration, the report, the deadline.
struct Transport {
    config: Arc<ClientConfig>,
    meta: &'static ReportMeta,
    deadline: Deadline,
}

impl Transport {
    /// Runs `attempt` (given the number of retries so far) until it is done, fails, or the
    /// retry policy or the deadline says stop. The one retry loop of a call: the report
    /// request, the download and every JSON page go through it.
    async fn retrying<T, F, Fut>(&self, doing: &str, mut attempt: F) -> Result<T, Error>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Attempt<T>>,
    {
        let mut retries = 0;
        let mut fresh_link_requested = false;
        let mut signed_in_again = false;
        loop {
            let outcome = self
                .deadline
                .bound(doing, attempt(retries))
                .await
                .map_err(|error| error.with_report(self.meta.id))?;
            let error = match outcome {
                Attempt::Done(done) => return Ok(done),
                Attempt::Fail(error) => return Err(error),
                Attempt::Unauthorized(error, rejected) => {
                    if signed_in_again || !self.drop_token(&rejected) {
                        return Err(error);
                    }
                    signed_in_again = true;
                    continue;
                }
                Attempt::LinkRefused(error) if fresh_link_requested => {
                    return Err(Error::new(
                        ErrorKind::DownloadExpired,
                        "the download link was refused twice, also right after a fresh one was requested",
                    )
                    .with_status(error.status().unwrap_or_default())
                    .with_report(self.meta.id)
                    .with_source(error));
                }
                Attempt::LinkRefused(_) => {
                    fresh_link_requested = true;
                    tracing::debug!(
                        report = self.meta.id,
                        "download link refused; requesting a fresh one"
                    );
                    continue;
                }
                Attempt::Retry(error) => error,
            };
            retries += 1;
            let Some(wait) = self.config.retry.wait(retries, error.retry_after()) else {
                return Err(self.no_more_retries(retries, error));
            };
            tracing::debug!(
                report = self.meta.id,
                retry = retries,
                wait_ms = wait.as_millis() as u64,
                "retrying"
            );
            self.deadline.sleep(wait, error).await?;
        }
    }

    /// The error when the policy allows no more retries: the budget is spent, or, within the
    /// budget, Graph asked for a longer wait than the policy honours; then say so, with the
    /// server's wait, rather than that the budget is spent.
    fn no_more_retries(&self, retry: u32, error: Error) -> Error {
        let budget = self.config.retry.retries();
        match error.retry_after() {
            Some(wait) if retry <= budget => {
                let status = error
                    .status()
                    .map_or_else(|| "an error".to_owned(), |status| status.to_string());
                let message = format!(
                    "Graph answered {status} and asked to wait {} s (Retry-After), longer than the {} s the retry policy waits at most; try again later, or raise it with `ClientBuilder::retry_policy(RetryPolicy::default().max_retry_after(...))`",
                    wait.as_secs(),
                    self.config.retry.longest_retry_after().as_secs()
                );
                error.with_message(message)
            }
            _ => {
                let message = format!(
                    "{}, and the retry budget ({budget} retries) is spent; try again later",
                    error.message()
                );
                error.with_message(message)
            }
        }
    }

    async fn attempt_report(
        &self,
        url: &str,
        format: Format,
        if_none_match: Option<&str>,
        shape: PageShape,
        retries: u32,
    ) -> Attempt<Opened> {
        let span = request_span("report", self.meta.id, retries + 1);
        async {
            let (response, token) = match self.send_api(url, if_none_match, &span).await {
                Ok(sent) => sent,
                Err(attempt) => return attempt,
            };
            let etag = header_text(response.headers(), ETAG);
            match response.status() {
                status if status.is_redirection() && status != StatusCode::NOT_MODIFIED => {
                    let Some(location) = location(&response) else {
                        return Attempt::Fail(self.error(
                            ErrorKind::Redirect,
                            format!("Graph answered {status} without a usable Location header; there is no report to download"),
                        ).with_status(status.as_u16()));
                    };
                    if let Err(error) = self.check_link(&location, "the download link") {
                        return Attempt::Fail(error.with_status(status.as_u16()));
                    }
                    self.download(location, etag).await
                }
                StatusCode::NOT_MODIFIED => Attempt::Done(Opened::NotModified { etag }),
                status if status.is_success() => {
                    if is_json(response.headers()) {
                        match self.read_page(response, &span, shape, &token).await {
                            Ok(page) => Attempt::Done(Opened::Json { page, etag }),
                            Err(attempt) => attempt,
                        }
                    } else if format == Format::Json {
                        Attempt::Fail(self.error(
                            ErrorKind::Decode,
                            "asked for JSON, but Graph answered with another content type",
                        ))
                    } else {
                        Attempt::Done(Opened::Csv {
                            body: response,
                            etag,
                            span: span.clone(),
                        })
                    }
                }
                _ => self.failure(response, token).await,
            }
        }
        .instrument(span.clone())
        .await
    }

    async fn attempt_page(&self, link: &Url, shape: PageShape, retries: u32) -> Attempt<JsonPage> {
        let span = request_span("page", self.meta.id, retries + 1);
        async {
            let (response, token) = match self.send_api(link.as_str(), None, &span).await {
                Ok(sent) => sent,
                Err(attempt) => return attempt,
            };
            let status = response.status();
            if status.is_success() && is_json(response.headers()) {
                match self.read_page(response, &span, shape, &token).await {
                    Ok(page) => Attempt::Done(page),
                    Err(attempt) => attempt,
                }
            } else if status.is_success() || status.is_redirection() {
                Attempt::Fail(self.error(
                    ErrorKind::Decode,
                    format!("a JSON page answered {status} without a JSON body"),
                ))
            } else {
                self.failure(response, token).await
            }
        }
        .instrument(span.clone())
        .await
    }

    /// Sends one authorised GET to Graph, returning the answer and the token it carried.
    /// `Err` carries the attempt's outcome.
    async fn send_api<T>(
        &self,
        url: &str,
        if_none_match: Option<&str>,
        span: &tracing::Span,
    ) -> Result<(Response, Secret), Attempt<T>> {
        let token = self.token().await.map_err(Attempt::Fail)?;
        if let Some(etag) = if_none_match
            && HeaderValue::from_str(etag).is_err()
        {
            return Err(Attempt::Fail(self.error(
                ErrorKind::Configuration,
                "the If-None-Match tag holds characters a header cannot carry",
            )));
        }
        let mut request = self
            .config
            .api
            .get(url)
            .bearer_auth(token.expose())
            .header("client-request-id", request_id())
            .timeout(self.config.timeout);
        if let Some(etag) = if_none_match {
            request = request.header(IF_NONE_MATCH, etag);
        }
        let started = Instant::now();
        let response = request.send().await.map_err(|err| {
            let error = Error::transport("the report call", err).with_report(self.meta.id);
            if error.is_retryable() {
                Attempt::Retry(error)
            } else {
                Attempt::Fail(error)
            }
        })?;
        span.record("status", response.status().as_u16());
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        if response.url().as_str() != url && Url::parse(url).ok().as_ref() != Some(response.url()) {
            return Err(Attempt::Fail(self.error(
                ErrorKind::Configuration,
                "the HTTP client followed a redirect by itself; build the reqwest::Client given to `http_client` with `.redirect(reqwest::redirect::Policy::none())` so the token never travels with it",
            )));
        }
        Ok((response, token))
    }

    /// Tells the provider Graph refused `rejected`; whether signing in again may help.
    fn drop_token(&self, rejected: &Secret) -> bool {
        let again = self
            .config
            .token
            .as_ref()
            .is_some_and(|provider| provider.invalidate(rejected));
        if again {
            tracing::debug!(
                report = self.meta.id,
                "Graph refused the token; asking the provider for a fresh one"
            );
        }
        again
    }

    async fn token(&self) -> Result<Secret, Error> {
        let Some(provider) = &self.config.token else {
            return Err(self.error(
                ErrorKind::Token,
                "no token: give the client builder a `token` or a `token_provider`",
            ));
        };
        let token = provider.token().await.map_err(|err| {
            // The SDK's own providers fail with an `Error` that says what went wrong: keep it.
            match err.downcast::<Error>() {
                Ok(error) => error.with_report(self.meta.id),
                Err(err) => Error::new(
                    ErrorKind::Token,
                    format!("the token provider failed: {err}"),
                )
                .with_report(self.meta.id)
                .with_source(err),
            }
        })?;
        // A header value cannot carry control characters; a token read from a file often ends
        // with a line break. Say so instead of failing inside the HTTP library.
        if token.expose().is_empty() || token.expose().chars().any(|c| c.is_control()) {
            return Err(self.error(
                ErrorKind::Token,
                "the token is empty or holds a line break or another control character; trim it",
            ));
        }
        Ok(token)
    }

    /// `link` as a URL the token may be sent to: on the configured endpoint's origin, and
    /// passing [`check_link`](Self::check_link).
    fn next_link(&self, link: &str) -> Result<Url, Error> {
        let base = Url::parse(&self.config.base_url).ok();
        let next = Url::parse(link).ok();
        match (&base, next) {
            (Some(base), Some(next)) if base.origin() == next.origin() => {
                self.check_link(&next, "@odata.nextLink")?;
                Ok(next)
            }
            _ => Err(self.error(
                ErrorKind::Redirect,
                "@odata.nextLink points outside the configured Graph endpoint; the token is not sent there",
            )),
        }
    }

    /// Refuses a link (named `what` in the error, never quoted: it may be a secret) that
    /// carries credentials of its own, which reqwest would send as `Authorization: Basic`,
    /// or that steps down from the endpoint's https to plain http.
    fn check_link(&self, link: &Url, what: &str) -> Result<(), Error> {
        if !link.username().is_empty() || link.password().is_some() {
            return Err(self.error(
                ErrorKind::Redirect,
                format!(
                    "{what} carries a user name or password (`user:password@`); it is refused so no credentials travel with the request"
                ),
            ));
        }
        let base_is_https = Url::parse(&self.config.base_url)
            .is_ok_and(|base| base.scheme().eq_ignore_ascii_case("https"));
        if base_is_https && link.scheme() != "https" && !is_loopback(link) {
            return Err(self.error(
                ErrorKind::Redirect,
                format!(
                    "{what} steps down from https to plain {}; it is refused so the report does not travel unencrypted",
                    link.scheme()
                ),
            ));
        }
        Ok(())
    }

    /// Fetches the preauthenticated download URL with the bare client: no token, no cookies,
    /// no caller headers.
    async fn download(&self, location: Url, etag: Option<String>) -> Attempt<Opened> {
        let span = tracing::debug_span!(
            "graph.download",
            report = self.meta.id,
            status = field::Empty,
            bytes = field::Empty,
            duration_ms = field::Empty
        );
        async {
            let started = Instant::now();
            let response = match self.config.download.get(location).send().await {
                Ok(response) => response,
                Err(err) => {
                    let error =
                        Error::transport("downloading the report", err).with_report(self.meta.id);
                    return if error.is_retryable() {
                        Attempt::Retry(error)
                    } else {
                        Attempt::Fail(error)
                    };
                }
            };
            span.record("status", response.status().as_u16());
            span.record("duration_ms", started.elapsed().as_millis() as u64);
            let status = response.status();
            match status {
                status if status.is_success() => {
                    let etag = etag.or_else(|| header_text(response.headers(), ETAG));
                    Attempt::Done(Opened::Csv {
                        body: response,
                        etag,
                        span: span.clone(),
                    })
                }
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Attempt::LinkRefused(
                    self.error(
                        ErrorKind::DownloadExpired,
                        format!("the download link answered {status}"),
                    )
                    .with_status(status.as_u16()),
                ),
                StatusCode::TOO_MANY_REQUESTS
                | StatusCode::SERVICE_UNAVAILABLE
                | StatusCode::GATEWAY_TIMEOUT => {
                    let wait = retry_after(response.headers());
                    Attempt::Retry(
                        self.error(
                            ErrorKind::Service,
                            format!("the download answered {status}"),
                        )
                        .with_status(status.as_u16())
                        .with_retry_after(wait),
                    )
                }
                // The body is not read: a download host could quote its secret URL in it.
                _ => Attempt::Fail(
                    self.error(
                        ErrorKind::Service,
                        format!("the download answered {status}"),
                    )
                    .with_status(status.as_u16()),
                ),
            }
        }
        .instrument(span.clone())
        .await
    }

    /// Reads a JSON page's body, at most `max_page_bytes` of it (a larger `Content-Length`
    /// fails before any byte is read), then parses it item by item.
    async fn read_page<T>(
        &self,
        mut response: Response,
        span: &tracing::Span,
        shape: PageShape,
        token: &Secret,
    ) -> Result<JsonPage, Attempt<T>> {
        let limit = self.config.limits.page_bytes();
        let too_large = |what: String| {
            Attempt::Fail(limit_error(what, "max_page_bytes", limit).with_report(self.meta.id))
        };
        let declared = response.content_length();
        if let Some(declared) = declared
            && declared > limit as u64
        {
            return Err(too_large(format!(
                "a JSON page declares {declared} bytes (Content-Length)"
            )));
        }
        // The header sizes the buffer only up to 1 MiB: a header that lies (or a body cut
        // short) must not cost a page's worth of memory up front; a real page grows past it.
        const PRESIZED_AT_MOST: u64 = 1 << 20;
        let mut body = Vec::with_capacity(
            declared
                .unwrap_or(0)
                .min(limit as u64)
                .min(PRESIZED_AT_MOST) as usize,
        );
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len().saturating_add(chunk.len()) > limit {
                        return Err(too_large(format!(
                            "a JSON page is larger than {limit} bytes"
                        )));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(err) => {
                    return Err(Attempt::Retry(
                        Error::transport("reading a JSON page", err).with_report(self.meta.id),
                    ));
                }
            }
        }
        span.record("bytes", body.len() as u64);
        parse_page(self.meta, shape, &body, token.expose()).map_err(Attempt::Fail)
    }

    /// Turns an error status into the attempt's outcome: `429`, `503` and `504` are retried,
    /// a `401` may be after signing in again with another token than `token`.
    async fn failure<T>(&self, response: Response, token: Secret) -> Attempt<T> {
        let status = response.status();
        let wait = retry_after(response.headers());
        let retryable = matches!(
            status,
            StatusCode::TOO_MANY_REQUESTS
                | StatusCode::SERVICE_UNAVAILABLE
                | StatusCode::GATEWAY_TIMEOUT
        );
        let service = service_error(response, token.expose()).await;
        // A retryable answer's message is completed by the retry loop, which knows whether the
        // budget is spent or a wait was refused.
        let (kind, message) = if status == StatusCode::TOO_MANY_REQUESTS {
            (
                ErrorKind::Throttled,
                format!("Graph throttled the call ({status})"),
            )
        } else if retryable {
            (ErrorKind::Service, format!("Graph answered {status}"))
        } else {
            (
                ErrorKind::Service,
                format!("Graph answered {status}{}", hint(status)),
            )
        };
        let error = self
            .error(kind, message)
            .with_status(status.as_u16())
            .with_service(service)
            .with_retry_after(wait);
        if retryable {
            Attempt::Retry(error)
        } else if status == StatusCode::UNAUTHORIZED {
            Attempt::Unauthorized(error, token)
        } else {
            Attempt::Fail(error)
        }
    }

    fn error(&self, kind: ErrorKind, message: impl Into<String>) -> Error {
        Error::new(kind, message).with_report(self.meta.id)
    }
}

fn request_span(kind: &'static str, report: &'static str, attempt: u32) -> tracing::Span {
    tracing::debug_span!(
        "graph.request",
        kind,
        report,
        attempt,
        status = field::Empty,
        bytes = field::Empty,
        duration_ms = field::Empty
    )
}

/// The `Location` of a redirect, resolved against the request's URL, if it is http(s).
fn location(response: &Response) -> Option<Url> {
    let location = response.headers().get(LOCATION)?.to_str().ok()?;
    let url = response.url().join(location).ok()?;
    matches!(url.scheme(), "https" | "http").then_some(url)
}

/// Whether `url` names this machine: plain http is fine there (tests, the Graph emulator).
fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn hint(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => " (a parameter is out of range: dates must be within the last 30 days)",
        401 => " (the token is missing, expired or for another audience)",
        403 => {
            " (an app needs the Reports.Read.All application permission, granted with admin consent in the tenant; a signed-in user also needs a reports reader role)"
        }
        404 => " (this report is not served at this endpoint or version)",
        _ => "",
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    header_text(headers, CONTENT_TYPE)
        .is_some_and(|content_type| content_type.to_ascii_lowercase().contains("json"))
}

fn header_text(headers: &HeaderMap, name: impl reqwest::header::AsHeaderName) -> Option<String> {
    headers.get(name)?.to_str().ok().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::meta::{ColumnMeta, ColumnType};

    static META: ReportMeta = ReportMeta::new(
        "test_report",
        "getTest",
        &[ColumnMeta::new(
            "Report Period",
            "report_period",
            "reportPeriod",
            ColumnType::Integer,
        )],
    );

    fn session(base_url: &str) -> Session {
        let client = Client::builder()
            .base_url(base_url)
            .token("token-1234567")
            .build()
            .unwrap();
        Session::new(&client, &META, PageShape::Rows)
    }

    // The tests' servers speak plain http, so the step down from an https endpoint is checked
    // here.
    #[test]
    fn links_stepping_down_from_https_are_refused_except_to_this_machine() {
        let session = session("https://graph.example.com");
        let check = |link: &str| {
            session
                .transport
                .check_link(&Url::parse(link).unwrap(), "the download link")
        };
        let error = check("http://download.example.net/r.csv?sig=SECRET").unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Redirect);
        assert!(error.to_string().contains("plain http"), "{error}");
        assert!(!format!("{error} {error:?}").contains("SECRET"));
        assert!(check("https://download.example.net/r.csv").is_ok());
        assert!(check("http://127.0.0.1:9/r.csv").is_ok());
        assert!(check("http://[::1]:9/r.csv").is_ok());
        assert!(check("http://localhost:9/r.csv").is_ok());
        let error = check("https://u:p@download.example.net/r.csv").unwrap_err();
        assert!(!format!("{error} {error:?}").contains("u:p"));

        // An http endpoint (the emulator, tests) has nothing to step down from.
        let plain = self::session("http://graph.example.com");
        assert!(
            plain
                .transport
                .check_link(&Url::parse("http://download.example.net/").unwrap(), "x")
                .is_ok()
        );

        let error = session
            .transport
            .next_link("http://graph.example.com/beta/next?$skiptoken=SECRET")
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Redirect);
        assert!(!error.to_string().contains("SECRET"));
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        for (url, loopback) in [
            ("http://127.0.0.1:8080/x", true),
            ("http://127.1.2.3/x", true),
            ("http://[::1]:80/x", true),
            ("http://LOCALHOST/x", true),
            ("http://localhost.evil.example/x", false),
            ("http://10.0.0.1/x", false),
            ("http://example.com/x", false),
        ] {
            assert_eq!(is_loopback(&Url::parse(url).unwrap()), loopback, "{url}");
        }
    }
}
