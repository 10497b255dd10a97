//! One report call over HTTP, the way Graph serves reports: the call answers `302` with a
//! preauthenticated download URL that is fetched separately, without the token; beta JSON
//! answers `200` with pages linked by `@odata.nextLink`. Throttling and transient failures are
//! retried here.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Instant;

use reqwest::header::{CONTENT_TYPE, ETAG, HeaderMap, IF_NONE_MATCH, LOCATION};
use reqwest::{Response, StatusCode, Url};
use tracing::{Instrument, field};

use super::auth::Secret;
use super::client::ClientConfig;
use super::error::{Error, ErrorKind, ServiceError};
use super::meta::{Format, ReportMeta};
use super::retry::retry_after;

/// The report's body, ready to be read, or a `304`.
pub(crate) enum Opened {
    NotModified {
        etag: Option<String>,
    },
    /// `span` is the request's span, where the body's size is recorded as it is read.
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

/// One page of a beta JSON report.
pub(crate) struct JsonPage {
    pub(crate) rows: Vec<serde_json::Value>,
    pub(crate) next_link: Option<String>,
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

pub(crate) struct Call<'a> {
    pub(crate) config: &'a ClientConfig,
    pub(crate) meta: &'static ReportMeta,
    pub(crate) url: String,
    pub(crate) format: Format,
    pub(crate) if_none_match: Option<&'a str>,
}

impl Call<'_> {
    /// Sends the report call (retrying as the policy allows) and opens the report's body.
    pub(crate) async fn open(&self) -> Result<Opened, Error> {
        let mut retries = 0;
        let mut fresh_link_requested = false;
        let mut signed_in_again = false;
        loop {
            let error = match self.attempt_report(retries).await {
                Attempt::Done(opened) => return Ok(opened),
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
            self.wait_or_fail(retries, error).await?;
        }
    }

    /// Fetches a JSON page named by `@odata.nextLink`, with the token, after checking that it
    /// points to the configured Graph endpoint.
    pub(crate) async fn next_page(&self, link: &str) -> Result<JsonPage, Error> {
        let base = Url::parse(&self.config.base_url).ok();
        let next = Url::parse(link).ok();
        let same_origin = match (&base, &next) {
            (Some(base), Some(next)) => base.origin() == next.origin(),
            _ => false,
        };
        if !same_origin {
            return Err(self.error(
                ErrorKind::Redirect,
                "@odata.nextLink points outside the configured Graph endpoint; the token is not sent there",
            ));
        }
        let mut retries = 0;
        let mut signed_in_again = false;
        loop {
            let error = match self.attempt_page(link, retries).await {
                Attempt::Done(page) => return Ok(page),
                Attempt::Fail(error) | Attempt::LinkRefused(error) => return Err(error),
                Attempt::Unauthorized(error, rejected) => {
                    if signed_in_again || !self.drop_token(&rejected) {
                        return Err(error);
                    }
                    signed_in_again = true;
                    continue;
                }
                Attempt::Retry(error) => error,
            };
            retries += 1;
            self.wait_or_fail(retries, error).await?;
        }
    }

    async fn wait_or_fail(&self, retry: u32, error: Error) -> Result<(), Error> {
        match self.config.retry.wait(retry, error.retry_after()) {
            Some(wait) => {
                tracing::debug!(
                    report = self.meta.id,
                    retry,
                    wait_ms = wait.as_millis() as u64,
                    "retrying"
                );
                tokio::time::sleep(wait).await;
                Ok(())
            }
            // Within the budget, the policy refused only because `Retry-After` asked for a
            // longer wait than it allows: say so, rather than that the budget is spent.
            None => Err(match error.retry_after() {
                Some(wait) if retry <= self.config.retry.retries() => {
                    let status = error
                        .status()
                        .map_or_else(|| "an error".to_owned(), |status| status.to_string());
                    let message = format!(
                        "Graph answered {status} and asked to wait {} s (Retry-After), longer than the retry policy's `max_retry_after`; try again later",
                        wait.as_secs()
                    );
                    error.with_message(message)
                }
                _ => error,
            }),
        }
    }

    async fn attempt_report(&self, retries: u32) -> Attempt<Opened> {
        let span = request_span("report", self.meta.id, retries + 1);
        async {
            let (response, token) = match self.send_api(&self.url, self.if_none_match, &span).await {
                Ok(sent) => sent,
                Err(attempt) => return attempt,
            };
            let etag = header_text(response.headers(), ETAG);
            match response.status() {
                status if status.is_redirection() && status != StatusCode::NOT_MODIFIED => {
                    let Some(location) = self.location(&response) else {
                        return Attempt::Fail(self.error(
                            ErrorKind::Redirect,
                            format!("Graph answered {status} without a usable Location header; there is no report to download"),
                        ).with_status(status.as_u16()));
                    };
                    self.download(location, etag).await
                }
                StatusCode::NOT_MODIFIED => Attempt::Done(Opened::NotModified { etag }),
                status if status.is_success() => {
                    if is_json(response.headers()) {
                        match self.read_page(response, &span).await {
                            Ok(page) => Attempt::Done(Opened::Json { page, etag }),
                            Err(attempt) => attempt,
                        }
                    } else if self.format == Format::Json {
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

    async fn attempt_page(&self, link: &str, retries: u32) -> Attempt<JsonPage> {
        let span = request_span("page", self.meta.id, retries + 1);
        async {
            let (response, token) = match self.send_api(link, None, &span).await {
                Ok(sent) => sent,
                Err(attempt) => return attempt,
            };
            let status = response.status();
            if status.is_success() && is_json(response.headers()) {
                match self.read_page(response, &span).await {
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
            && reqwest::header::HeaderValue::from_str(etag).is_err()
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
            .header("client-request-id", client_request_id())
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

    fn location(&self, response: &Response) -> Option<Url> {
        let location = response.headers().get(LOCATION)?.to_str().ok()?;
        let url = response.url().join(location).ok()?;
        matches!(url.scheme(), "https" | "http").then_some(url)
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

    async fn read_page<T>(
        &self,
        response: Response,
        span: &tracing::Span,
    ) -> Result<JsonPage, Attempt<T>> {
        let body = response.bytes().await.map_err(|err| {
            Attempt::Retry(Error::transport("reading a JSON page", err).with_report(self.meta.id))
        })?;
        span.record("bytes", body.len() as u64);
        #[derive(serde::Deserialize)]
        struct Page {
            value: Vec<serde_json::Value>,
            #[serde(rename = "@odata.nextLink", default)]
            next_link: Option<String>,
        }
        let page: Page = serde_json::from_slice(&body).map_err(|err| {
            let service = parse_service_error(&body);
            if service.code.is_some() {
                // An error body under a success status: report it as the error it is.
                return Attempt::Fail(
                    self.error(ErrorKind::Service, "Graph answered 200 with an error body")
                        .with_status(200)
                        .with_service(service),
                );
            }
            Attempt::Fail(
                self.error(
                    ErrorKind::Decode,
                    "the JSON page is not a Graph collection (no `value` array)",
                )
                .with_source(err),
            )
        })?;
        Ok(JsonPage {
            rows: page.value,
            next_link: page.next_link,
        })
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
        let service = service_error(response).await;
        let (kind, message) = if status == StatusCode::TOO_MANY_REQUESTS {
            (
                ErrorKind::Throttled,
                format!(
                    "Graph throttled the call ({status}) and the retry budget ({} retries) is spent; try again later",
                    self.config.retry.retries()
                ),
            )
        } else if retryable {
            (
                ErrorKind::Service,
                format!(
                    "Graph answered {status} and the retry budget ({} retries) is spent",
                    self.config.retry.retries()
                ),
            )
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

/// Graph's `{"error":{...}}` body, or the start of whatever else the body was.
async fn service_error(mut response: Response) -> ServiceError {
    // Enough for any Graph error; an endless body is not read to its end.
    const READ_AT_MOST: usize = 64 * 1024;
    let headers = response.headers().clone();
    let mut body = Vec::new();
    while body.len() < READ_AT_MOST {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    let mut service = parse_service_error(&body);
    service.request_id = service
        .request_id
        .or_else(|| header_text(&headers, "request-id"));
    service.client_request_id = service
        .client_request_id
        .or_else(|| header_text(&headers, "client-request-id"));
    service.date = service.date.or_else(|| header_text(&headers, "date"));
    service
}

/// Graph's `{"error":{...}}`, or the start of whatever else the body is.
fn parse_service_error(body: &[u8]) -> ServiceError {
    const KEPT: usize = 512;
    #[derive(serde::Deserialize)]
    struct Body {
        error: Detail,
    }
    #[derive(serde::Deserialize)]
    struct Detail {
        code: Option<String>,
        message: Option<String>,
        #[serde(rename = "innerError", alias = "innererror")]
        inner: Option<Inner>,
    }
    #[derive(serde::Deserialize)]
    struct Inner {
        #[serde(rename = "request-id")]
        request_id: Option<String>,
        #[serde(rename = "client-request-id")]
        client_request_id: Option<String>,
        date: Option<String>,
    }
    let mut service = ServiceError::default();
    match serde_json::from_slice::<Body>(body) {
        Ok(Body { error }) => {
            service.code = error.code;
            service.message = error.message;
            if let Some(inner) = error.inner {
                service.request_id = inner.request_id;
                service.client_request_id = inner.client_request_id;
                service.date = inner.date;
            }
        }
        Err(_) if !body.is_empty() => {
            let text = String::from_utf8_lossy(body);
            let mut kept: String = text.chars().take(KEPT).collect();
            if kept.len() < text.len() {
                kept.push('…');
            }
            service.message = Some(kept);
        }
        Err(_) => {}
    }
    service
}

/// A fresh id per request, sent as `client-request-id` so a failure can be traced in Graph's
/// logs. Random enough from the standard library's per-process hash keys.
fn client_request_id() -> String {
    let random = || RandomState::new().build_hasher().finish();
    let (high, low) = (random(), random());
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0xfff,
        low >> 52,
        low & 0xffff_ffff_ffff
    )
}
