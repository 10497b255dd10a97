//! The three listeners: the Graph API (report calls, JSON pages), the download host and the
//! authority host (Entra ID's token endpoint, in [`crate::login`]).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{NaiveDate, TimeDelta};
use futures_util::stream;
use reports_sdk::{ApiVersion, CsvDelivery, Format, ParameterKind, ReportMeta};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::data::{self, DataOptions, Drift, Table};
use crate::graph_error::graph_error;
use crate::login::{self, Issuer, TokenState};
use crate::path::parse_call;

/// How the emulator behaves.
///
/// Its `Debug` output redacts `token` and `client_secret`.
#[derive(Clone)]
pub struct Config {
    /// The static bearer token it accepts, besides the tokens its token endpoint issues.
    pub token: String,
    /// Rows of a report listing users, groups, sites or apps. Per-day reports have one row per
    /// day of the period, activation counts one per product and tenant-wide counts one, as
    /// Graph serves them; with [`Config::quirks`] every report has this many rows.
    pub rows: usize,
    /// Serve the stress mix instead of realistic data: every report with [`Config::rows`] rows,
    /// text cells holding commas, quotes and CRLF line breaks, list items holding the separator,
    /// every value drawn on its own with no relation to the others. For tests of decoding;
    /// the default (`false`) is data that reads like a real tenant's.
    pub quirks: bool,
    /// Rows per beta JSON page when the call has no `$top`.
    pub page_size: usize,
    /// The service's "today": `date` arguments must fall within the 30 days before it, and the
    /// refresh date is the day before.
    pub today: NaiveDate,
    /// Columns added, dropped or reordered in every report.
    pub drift: Drift,
    /// Failures to inject.
    pub faults: Faults,
    /// Port of the Graph API listener on 127.0.0.1 (0: any free port).
    pub api_port: u16,
    /// Port of the download listener on 127.0.0.1 (0: any free port).
    pub download_port: u16,
    /// How long a download link stays valid.
    pub link_lifetime: Duration,
    /// Port of the authority host (the token endpoint) on 127.0.0.1 (0: any free port).
    pub login_port: u16,
    /// The directory (tenant) id the token endpoint knows: `POST /{tenant_id}/oauth2/v2.0/token`.
    pub tenant_id: String,
    /// The application (client) id of the one app registration it accepts.
    pub client_id: String,
    /// That registration's client secret. Never echoed in any answer.
    pub client_secret: String,
    /// How long an issued access token is accepted (`expires_in`, in whole seconds).
    pub token_lifetime: Duration,
    /// The resource whose `/.default` scope a token request must ask for: the accepted `scope`
    /// is [`Config::scope`].
    pub graph_resource: String,
}

impl Config {
    /// The one `scope` the token endpoint accepts: `{graph_resource}/.default`.
    pub fn scope(&self) -> String {
        format!("{}/.default", self.graph_resource)
    }
}

/// Shows a secret's presence, never its value.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

// Written by hand so that a logged or panicking configuration never shows a credential.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Config {
            token: _,
            rows,
            quirks,
            page_size,
            today,
            drift,
            faults,
            api_port,
            download_port,
            link_lifetime,
            login_port,
            tenant_id,
            client_id,
            client_secret: _,
            token_lifetime,
            graph_resource,
        } = self;
        f.debug_struct("Config")
            .field("token", &Redacted)
            .field("rows", rows)
            .field("quirks", quirks)
            .field("page_size", page_size)
            .field("today", today)
            .field("drift", drift)
            .field("faults", faults)
            .field("api_port", api_port)
            .field("download_port", download_port)
            .field("link_lifetime", link_lifetime)
            .field("login_port", login_port)
            .field("tenant_id", tenant_id)
            .field("client_id", client_id)
            .field("client_secret", &Redacted)
            .field("token_lifetime", token_lifetime)
            .field("graph_resource", graph_resource)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            token: "emulator-token".to_owned(),
            rows: 5,
            quirks: false,
            page_size: 200,
            today: chrono::Utc::now().date_naive(),
            drift: Drift::default(),
            faults: Faults::default(),
            api_port: 0,
            download_port: 0,
            link_lifetime: Duration::from_secs(300),
            login_port: 0,
            // Fixed, GUID-shaped and obviously not a real directory or app.
            tenant_id: "11111111-1111-4111-8111-111111111111".to_owned(),
            client_id: "22222222-2222-4222-8222-222222222222".to_owned(),
            client_secret: "emulator-secret".to_owned(),
            token_lifetime: Duration::from_secs(3600),
            graph_resource: "https://graph.microsoft.com".to_owned(),
        }
    }
}

/// Failures to inject, counted over the emulator's lifetime.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Answer the first N report calls `429 Too Many Requests`.
    pub throttle_first: u32,
    /// The `Retry-After` (whole seconds) of those answers.
    pub retry_after: u64,
    /// Then answer the next N report calls `503 Service Unavailable`.
    pub unavailable_first: u32,
    /// Wait this long before every answer, and between download chunks.
    pub slow: Option<Duration>,
    /// Cut every CSV download short in the middle of a row.
    pub truncate_downloads: bool,
    /// Mint the first N download links already expired.
    pub expire_first_links: u32,
    /// Every Nth row (0: none) leaves its first required count empty (`null` in JSON), as
    /// tenants' files sometimes do though the spec says the column always holds a number.
    pub blank_counts_every: usize,
    /// Missing admin consent: the token endpoint still issues tokens, but report calls made
    /// with one get `403` `Authorization_RequestDenied` (the static token is unaffected).
    pub forbid_issued_tokens: bool,
}

/// What the emulator has seen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Report calls (including JSON pages), accepted or not.
    pub report_calls: u64,
    /// `429 Too Many Requests` answers injected by [`Faults::throttle_first`].
    pub throttled: u64,
    /// `503 Service Unavailable` answers injected by [`Faults::unavailable_first`].
    pub unavailable: u64,
    /// Download requests, accepted or not.
    pub downloads: u64,
    /// Download requests refused because they carried `Authorization`.
    pub downloads_with_authorization: u64,
    /// Download requests refused because the link was expired, reused or unknown.
    pub refused_links: u64,
    /// Requests to the token endpoint, accepted or not.
    pub token_requests: u64,
    /// Access tokens the token endpoint issued.
    pub tokens_issued: u64,
    /// Report calls refused because their issued token had expired.
    pub expired_token_calls: u64,
}

/// A running emulator. Dropping it stops its listeners.
#[derive(Debug)]
pub struct Emulator {
    api: SocketAddr,
    download: SocketAddr,
    login: SocketAddr,
    shared: Arc<Shared>,
    stop: Vec<oneshot::Sender<()>>,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) issuer: Issuer,
    download_base: String,
    api_base: String,
    report_calls: AtomicU64,
    throttled: AtomicU64,
    unavailable: AtomicU64,
    downloads: AtomicU64,
    downloads_with_authorization: AtomicU64,
    refused_links: AtomicU64,
    links_minted: AtomicU64,
    links: Mutex<HashMap<String, Link>>,
}

#[derive(Debug)]
struct Link {
    file: bytes::Bytes,
    expires: Instant,
    used: bool,
}

impl Emulator {
    /// Binds the three listeners on 127.0.0.1 and starts serving.
    pub async fn start(config: Config) -> std::io::Result<Emulator> {
        let api_listener = TcpListener::bind(("127.0.0.1", config.api_port)).await?;
        let download_listener = TcpListener::bind(("127.0.0.1", config.download_port)).await?;
        let login_listener = TcpListener::bind(("127.0.0.1", config.login_port)).await?;
        let api = api_listener.local_addr()?;
        let download = download_listener.local_addr()?;
        let login = login_listener.local_addr()?;
        let shared = Arc::new(Shared {
            config,
            issuer: Issuer::new(),
            download_base: format!("http://{download}"),
            api_base: format!("http://{api}"),
            report_calls: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            unavailable: AtomicU64::new(0),
            downloads: AtomicU64::new(0),
            downloads_with_authorization: AtomicU64::new(0),
            refused_links: AtomicU64::new(0),
            links_minted: AtomicU64::new(0),
            links: Mutex::new(HashMap::new()),
        });
        let api_router = Router::new()
            .route("/{version}/reports/{call}", get(report_call))
            .fallback(not_found)
            .with_state(shared.clone());
        let download_router = Router::new()
            .route("/data/download", get(download_file))
            .fallback(not_found)
            .with_state(shared.clone());
        let login_router = login::router(shared.clone());
        let mut stop = Vec::new();
        for (listener, router) in [
            (api_listener, api_router),
            (download_listener, download_router),
            (login_listener, login_router),
        ] {
            let (sender, receiver) = oneshot::channel::<()>();
            stop.push(sender);
            tokio::spawn(async move {
                let shutdown = async {
                    let _ = receiver.await;
                };
                // A serve error ends this listener; requests to it then fail to connect, which
                // the test or command using it reports.
                let _ = axum::serve(listener, router)
                    .with_graceful_shutdown(shutdown)
                    .await;
            });
        }
        Ok(Emulator {
            api,
            download,
            login,
            shared,
            stop,
        })
    }

    /// The Graph endpoint to give the SDK, e.g. `http://127.0.0.1:40123`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.api)
    }

    /// The address of the download listener.
    pub fn download_address(&self) -> SocketAddr {
        self.download
    }

    /// The static bearer token the emulator accepts.
    pub fn token(&self) -> &str {
        &self.shared.config.token
    }

    /// The authority host serving the token endpoint, e.g. `http://127.0.0.1:40125`: what
    /// `AZURE_AUTHORITY_HOST` would be set to. Tokens come from
    /// `POST {authority_host}/{tenant_id}/oauth2/v2.0/token` ([`Emulator::token_url`]).
    pub fn authority_host(&self) -> String {
        format!("http://{}", self.login)
    }

    /// The token endpoint for the configured tenant:
    /// `{authority_host}/{tenant_id}/oauth2/v2.0/token`.
    pub fn token_url(&self) -> String {
        format!(
            "{}/{}/oauth2/v2.0/token",
            self.authority_host(),
            self.shared.config.tenant_id
        )
    }

    /// Revokes every access token issued so far: report calls with one get `401`
    /// "Access token has been revoked." Tokens issued afterwards are accepted.
    pub fn revoke_issued_tokens(&self) {
        self.shared.issuer.revoke_all();
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    /// What it has seen so far.
    pub fn stats(&self) -> Stats {
        let shared = &self.shared;
        Stats {
            report_calls: shared.report_calls.load(Ordering::SeqCst),
            throttled: shared.throttled.load(Ordering::SeqCst),
            unavailable: shared.unavailable.load(Ordering::SeqCst),
            downloads: shared.downloads.load(Ordering::SeqCst),
            downloads_with_authorization: shared
                .downloads_with_authorization
                .load(Ordering::SeqCst),
            refused_links: shared.refused_links.load(Ordering::SeqCst),
            token_requests: shared.issuer.token_requests.load(Ordering::SeqCst),
            tokens_issued: shared.issuer.tokens_issued.load(Ordering::SeqCst),
            expired_token_calls: shared.issuer.expired_token_calls.load(Ordering::SeqCst),
        }
    }

    /// The table this emulator serves for a call: what a client should decode.
    pub fn expected(
        &self,
        meta: &'static ReportMeta,
        arguments: &[(String, String)],
        version: ApiVersion,
    ) -> Table {
        data::generate(
            meta,
            arguments,
            version.as_str(),
            &self.shared.data_options(),
        )
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        for stop in self.stop.drain(..) {
            let _ = stop.send(());
        }
    }
}

impl Shared {
    fn data_options(&self) -> DataOptions {
        DataOptions {
            rows: self.config.rows,
            today: self.config.today,
            drift: self.config.drift,
            blank_counts_every: self.config.faults.blank_counts_every,
            quirks: self.config.quirks,
        }
    }
}

async fn not_found(headers: HeaderMap) -> Response {
    graph_error(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        "Resource not found for the segment.",
        &headers,
    )
}

fn bad_request(message: &str, headers: &HeaderMap) -> Response {
    graph_error(StatusCode::BAD_REQUEST, "BadRequest", message, headers)
}

async fn report_call(
    State(shared): State<Arc<Shared>>,
    Path((version, call)): Path<(String, String)>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let number = shared.report_calls.fetch_add(1, Ordering::SeqCst) + 1;
    if let Some(delay) = shared.config.faults.slow {
        tokio::time::sleep(delay).await;
    }
    if let Some(refused) = refusal(&shared, &headers) {
        return refused;
    }
    let faults = &shared.config.faults;
    if number <= u64::from(faults.throttle_first) {
        shared.throttled.fetch_add(1, Ordering::SeqCst);
        let mut response = graph_error(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Too many requests; retry after the time in Retry-After.",
            &headers,
        );
        if let Ok(value) = HeaderValue::from_str(&faults.retry_after.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    if number <= u64::from(faults.throttle_first) + u64::from(faults.unavailable_first) {
        shared.unavailable.fetch_add(1, Ordering::SeqCst);
        return graph_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "The service is temporarily unavailable.",
            &headers,
        );
    }
    let api_version = match version.as_str() {
        "v1.0" => ApiVersion::V1,
        "beta" => ApiVersion::Beta,
        _ => return not_found(headers).await,
    };
    let call = match parse_call(&call) {
        Ok(call) => call,
        Err(message) => return bad_request(&format!("Invalid report call: {message}."), &headers),
    };
    let Some(meta) = reports_sdk::catalog()
        .iter()
        .copied()
        .find(|meta| meta.function == call.function)
    else {
        return not_found(headers).await;
    };
    let Some(served) = meta.version(api_version) else {
        return not_found(headers).await;
    };
    let formats = served.formats;
    let format = match query.get("$format").map(String::as_str) {
        None => served.default_format,
        Some("text/csv") => Format::Csv,
        Some("application/json") => Format::Json,
        Some(other) => {
            return bad_request(&format!("Unsupported $format '{other}'."), &headers);
        }
    };
    if !formats.contains(&format) {
        return bad_request(
            &format!("The format {format} is not supported by {version} for this report."),
            &headers,
        );
    }
    let arguments = match check_arguments(meta, &call.arguments, shared.config.today) {
        Ok(arguments) => arguments,
        Err(message) => return bad_request(&message, &headers),
    };
    let table = data::generate(meta, &arguments, &version, &shared.data_options());
    // The tag is the CSV file's, for both formats: the same data, the same tag.
    let file = bytes::Bytes::from(table.to_csv());
    let etag = data::etag(&file);
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        match format {
            Format::Json => json_page(
                &shared,
                &table,
                &version,
                &call_path(&call),
                &query,
                &headers,
            ),
            _ if served.csv_delivery == CsvDelivery::Body => csv_body(file),
            _ => redirect_to_download(&shared, file),
        }
    };
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// Why a report call may not go on: `None` if it carries the static token or a valid issued
/// one; otherwise Graph's `401` (or, with [`Faults::forbid_issued_tokens`], `403`) answer.
fn refusal(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let Some(presented) = presented else {
        return Some(invalid_token(headers));
    };
    if presented == shared.config.token {
        return None;
    }
    let message = match shared.issuer.check(presented) {
        None => return Some(invalid_token(headers)),
        Some(TokenState::Valid) if shared.config.faults.forbid_issued_tokens => {
            return Some(graph_error(
                StatusCode::FORBIDDEN,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
                headers,
            ));
        }
        Some(TokenState::Valid) => return None,
        Some(TokenState::Expired) => {
            shared
                .issuer
                .expired_token_calls
                .fetch_add(1, Ordering::SeqCst);
            "Lifetime validation failed, the token is expired."
        }
        Some(TokenState::Revoked) => "Access token has been revoked.",
    };
    Some(graph_error(
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        message,
        headers,
    ))
}

fn invalid_token(headers: &HeaderMap) -> Response {
    graph_error(
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        "Access token is empty or invalid.",
        headers,
    )
}

/// The call's path segment again, for `@odata.nextLink`.
fn call_path(call: &crate::path::ReportCall) -> String {
    if call.arguments.is_empty() {
        return call.function.clone();
    }
    let arguments: Vec<String> = call
        .arguments
        .iter()
        .map(|(name, value, quoted)| {
            if *quoted {
                format!("{name}='{}'", value.replace('\'', "''"))
            } else {
                format!("{name}={value}")
            }
        })
        .collect();
    format!("{}({})", call.function, arguments.join(","))
}

/// Checks the call's arguments against the report's forms (a form's parameters in its order,
/// then any of the optional ones), returning them as `(name, value)`.
fn check_arguments(
    meta: &'static ReportMeta,
    arguments: &[(String, String, bool)],
    today: NaiveDate,
) -> Result<Vec<(String, String)>, String> {
    let names: Vec<&str> = arguments.iter().map(|(name, ..)| name.as_str()).collect();
    let is_optional = |name: &str| meta.parameters.iter().any(|p| p.optional && p.name == name);
    let required: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| !is_optional(name))
        .collect();
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    let form_fits = unique.len() == names.len()
        && meta.forms.iter().any(|form| {
            form.parameters.len() == required.len()
                && form.parameters.iter().zip(&required).all(|(index, name)| {
                    meta.parameters.get(*index).is_some_and(|p| p.name == *name)
                })
        });
    if !form_fits {
        let forms: Vec<&str> = meta.forms.iter().map(|form| form.path_template).collect();
        return Err(format!(
            "Invalid parameters for {}: expected {}.",
            meta.function,
            forms.join(" or ")
        ));
    }
    let mut checked = Vec::new();
    for (name, value, quoted) in arguments {
        let Some(parameter) = meta.parameters.iter().find(|p| p.name == name) else {
            continue;
        };
        if parameter.quoted != *quoted {
            return Err(format!(
                "Invalid value for parameter '{name}': it must be written {}.",
                if parameter.quoted {
                    "in single quotes"
                } else {
                    "without quotes"
                }
            ));
        }
        match parameter.kind {
            ParameterKind::Enum { values, .. } if !values.contains(&value.as_str()) => {
                return Err(format!(
                    "Invalid value '{value}' for parameter '{name}'; supported values are {}.",
                    values.join(", ")
                ));
            }
            ParameterKind::Date => {
                let date = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
                    format!("Invalid date '{value}' for parameter '{name}'; use YYYY-MM-DD.")
                })?;
                if date > today || date < today - TimeDelta::days(30) {
                    return Err(format!(
                        "Invalid date '{value}': reports are available for the past 30 days only."
                    ));
                }
            }
            _ => {}
        }
        checked.push((name.clone(), value.clone()));
    }
    Ok(checked)
}

/// A report served in the `200` body, as `getApiUsage` is.
fn csv_body(file: bytes::Bytes) -> Response {
    let mut response = Response::new(Body::from(file));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    response
}

fn redirect_to_download(shared: &Shared, file: bytes::Bytes) -> Response {
    let minted = shared.links_minted.fetch_add(1, Ordering::SeqCst) + 1;
    let expired = minted <= u64::from(shared.config.faults.expire_first_links);
    let now = Instant::now();
    let expires = if expired {
        now
    } else {
        now + shared.config.link_lifetime
    };
    let key = format!("{:016x}{minted:08x}", random_u64());
    let mut links = shared.links.lock().unwrap_or_else(PoisonError::into_inner);
    // Used and expired links are refused alike, so they need not be kept: the table stays as
    // small as the links still usable.
    links.retain(|_, link| !link.used && link.expires > now);
    links.insert(
        key.clone(),
        Link {
            file,
            expires,
            used: false,
        },
    );
    drop(links);
    let mut response = StatusCode::FOUND.into_response();
    let location = format!("{}/data/download?key={key}", shared.download_base);
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// 64 unguessable bits (download keys, access tokens, trace ids), from the standard library's
/// randomly keyed SipHash: enough for a local test service, with no extra dependency.
pub(crate) fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

fn json_page(
    shared: &Shared,
    table: &Table,
    version: &str,
    call: &str,
    query: &BTreeMap<String, String>,
    headers: &HeaderMap,
) -> Response {
    let top = match query.get("$top").map(|top| top.parse::<usize>()) {
        None => shared.config.page_size.max(1),
        Some(Ok(top)) if top > 0 => top,
        Some(_) => return bad_request("Invalid $top: use a positive whole number.", headers),
    };
    let skip = match query.get("$skiptoken").map(|token| token.parse::<usize>()) {
        None => 0,
        Some(Ok(skip)) => skip,
        Some(Err(_)) => return bad_request("Invalid $skiptoken.", headers),
    };
    let rows = table.json_items();
    let end = skip.saturating_add(top).min(rows.len());
    let page: Vec<serde_json::Value> = rows.get(skip..end).unwrap_or_default().to_vec();
    let mut body = serde_json::json!({
        "@odata.context": format!("{}/{version}/$metadata#Collection(microsoft.graph.report)", shared.api_base),
        "value": page,
    });
    if end < rows.len() {
        body["@odata.nextLink"] = format!(
            "{}/{version}/reports/{call}?$format=application/json&$top={top}&$skiptoken={end}",
            shared.api_base
        )
        .into();
    }
    let mut response = (StatusCode::OK, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

async fn download_file(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    shared.downloads.fetch_add(1, Ordering::SeqCst);
    if headers.contains_key(header::AUTHORIZATION) {
        shared
            .downloads_with_authorization
            .fetch_add(1, Ordering::SeqCst);
        return graph_error(
            StatusCode::BAD_REQUEST,
            "AuthorizationNotAllowed",
            "Download URLs are preauthenticated: a request carrying an Authorization header is refused.",
            &headers,
        );
    }
    let body = {
        let mut links = shared.links.lock().unwrap_or_else(PoisonError::into_inner);
        let link = query.get("key").and_then(|key| links.get_mut(key));
        match link {
            Some(link) if !link.used && Instant::now() < link.expires => {
                link.used = true;
                Some(link.file.clone())
            }
            _ => None,
        }
    };
    let Some(body) = body else {
        shared.refused_links.fetch_add(1, Ordering::SeqCst);
        return graph_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "The download link is expired, already used or unknown.",
            &headers,
        );
    };
    let faults = &shared.config.faults;
    let body = if faults.truncate_downloads {
        cut_mid_row(body)
    } else if let Some(delay) = faults.slow {
        slow_body(body, delay)
    } else {
        Body::from(body)
    };
    let mut response = Response::new(body);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    response
}

/// Sends the file up to the middle of a row, then breaks the connection.
fn cut_mid_row(body: bytes::Bytes) -> Body {
    let header_end = body.iter().position(|b| *b == b'\n').map_or(0, |i| i + 1);
    let cut = header_end + (body.len() - header_end) / 2;
    let cut = body[cut..]
        .iter()
        .position(|b| *b == b',')
        .map_or(cut, |offset| cut + offset + 1)
        .min(body.len().saturating_sub(1));
    let sent = body.slice(..cut);
    // The pause lets the head and the first part reach the client before the connection
    // breaks, as when a real download drops mid-file.
    let chunks = stream::unfold(Some(Some(sent)), |step| async move {
        match step? {
            Some(part) => Some((Ok(part), Some(None))),
            None => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                let lost = std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "emulated connection loss",
                );
                Some((Err(lost), None))
            }
        }
    });
    Body::from_stream(chunks)
}

/// Sends the file in small chunks with a pause before each.
fn slow_body(body: bytes::Bytes, delay: Duration) -> Body {
    let chunk = 16 * 1024;
    let pieces: Vec<bytes::Bytes> = (0..body.len())
        .step_by(chunk)
        .map(|start| body.slice(start..(start + chunk).min(body.len())))
        .collect();
    let chunks = stream::unfold(pieces.into_iter(), move |mut pieces| async move {
        let piece = pieces.next()?;
        tokio::time::sleep(delay).await;
        Some((Ok::<_, std::io::Error>(piece), pieces))
    });
    Body::from_stream(chunks)
}
