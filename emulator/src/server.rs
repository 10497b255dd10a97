//! The three listeners: the Graph API (report calls, JSON pages), the download host and the
//! authority host (Entra ID's token endpoint, in [`crate::login`]). Every tenant the emulator
//! serves ([`crate::directory`]) shares them: a report call's token says whose data it gets.

use std::collections::{BTreeMap, HashMap};
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

use crate::config::Config;
use crate::counters::{Counter, Counters, Stats};
use crate::data::{self, DataOptions, Table};
use crate::directory::{Directory, TenantIndex};
use crate::graph_error::graph_error;
use crate::login::{self, Issuer, TokenState};
use crate::path::parse_call;

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
    pub(crate) directory: Directory,
    pub(crate) issuer: Issuer,
    download_base: String,
    api_base: String,
    /// Overall; each tenant keeps its own in the directory.
    counters: Counters,
    links_minted: AtomicU64,
    links: Mutex<HashMap<String, Link>>,
}

#[derive(Debug)]
struct Link {
    file: bytes::Bytes,
    expires: Instant,
    used: bool,
    /// Whose call minted it, so its download counts for that tenant.
    tenant: TenantIndex,
}

impl Emulator {
    /// Binds the three listeners on 127.0.0.1 and starts serving, for every tenant at once.
    ///
    /// Fails with [`std::io::ErrorKind::InvalidInput`] if two tenants have the same id
    /// (ignoring case).
    pub async fn start(config: Config) -> std::io::Result<Emulator> {
        let directory = Directory::new(&config)
            .map_err(|message| std::io::Error::new(std::io::ErrorKind::InvalidInput, message))?;
        let api_listener = TcpListener::bind(("127.0.0.1", config.api_port)).await?;
        let download_listener = TcpListener::bind(("127.0.0.1", config.download_port)).await?;
        let login_listener = TcpListener::bind(("127.0.0.1", config.login_port)).await?;
        let api = api_listener.local_addr()?;
        let download = download_listener.local_addr()?;
        let login = login_listener.local_addr()?;
        let shared = Arc::new(Shared {
            config,
            directory,
            issuer: Issuer::new(),
            download_base: format!("http://{download}"),
            api_base: format!("http://{api}"),
            counters: Counters::default(),
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
        self.token_url_for(&self.shared.config.tenant_id)
    }

    /// The token endpoint for a tenant: `{authority_host}/{tenant_id}/oauth2/v2.0/token`. Only
    /// the tenants in [`Emulator::tenant_ids`] get tokens there; others get Entra ID's
    /// "tenant not found".
    pub fn token_url_for(&self, tenant_id: &str) -> String {
        format!("{}/{tenant_id}/oauth2/v2.0/token", self.authority_host())
    }

    /// The tenants it serves: the configured one first, then [`Config::more_tenants`] in order.
    pub fn tenant_ids(&self) -> Vec<String> {
        self.shared
            .directory
            .iter()
            .map(|tenant| tenant.app.tenant_id.clone())
            .collect()
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

    /// What it has seen so far, in all tenants' calls and those it could not place.
    pub fn stats(&self) -> Stats {
        self.shared.counters.snapshot()
    }

    /// What one tenant's calls have seen so far (see [`Stats`] for which events are a
    /// tenant's); `None` for a tenant it does not serve. Calls with the static token count for
    /// the configured tenant.
    pub fn tenant_stats(&self, tenant_id: &str) -> Option<Stats> {
        let directory = &self.shared.directory;
        let tenant = directory.get(directory.find(tenant_id)?)?;
        Some(tenant.counters.snapshot())
    }

    /// The table this emulator serves the configured tenant for a call: what a client should
    /// decode.
    pub fn expected(
        &self,
        meta: &'static ReportMeta,
        arguments: &[(String, String)],
        version: ApiVersion,
    ) -> Table {
        self.shared.table(0, meta, arguments, version.as_str())
    }

    /// [`Emulator::expected`] for any tenant it serves (`None` for one it does not): each
    /// tenant's table differs from the others', and is the same on every call.
    pub fn expected_for(
        &self,
        tenant_id: &str,
        meta: &'static ReportMeta,
        arguments: &[(String, String)],
        version: ApiVersion,
    ) -> Option<Table> {
        let tenant = self.shared.directory.find(tenant_id)?;
        Some(self.shared.table(tenant, meta, arguments, version.as_str()))
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
    /// Adds one to `counter` overall and, for an event it can place, for that tenant.
    pub(crate) fn count(&self, tenant: Option<TenantIndex>, counter: Counter) {
        if let Some(tenant) = tenant.and_then(|index| self.directory.get(index)) {
            tenant.counters.bump(counter);
        }
        self.counters.bump(counter);
    }

    /// The table a tenant is served for a call.
    fn table(
        &self,
        tenant: TenantIndex,
        meta: &'static ReportMeta,
        arguments: &[(String, String)],
        version: &str,
    ) -> Table {
        let salt = self
            .directory
            .get(tenant)
            .and_then(|tenant| tenant.salt.as_deref());
        let options = self.data_options();
        let mut table = data::generate_for_tenant(meta, arguments, version, &options, salt);
        let refresh_date = options.today - TimeDelta::days(1);
        let asked_after_refresh = arguments
            .iter()
            .filter_map(|(_, value)| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok())
            .any(|day| day > refresh_date);
        if asked_after_refresh {
            table.rows.clear();
        }
        table
    }

    /// The data as the service has processed it: with [`Faults::unpublished_days`], as if
    /// today were that many days earlier.
    fn data_options(&self) -> DataOptions {
        let unpublished = TimeDelta::days(i64::from(self.config.faults.unpublished_days));
        DataOptions {
            rows: self.config.rows,
            today: self.config.today - unpublished,
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
    let number = shared.counters.bump(|c| &c.report_calls);
    if let Some(delay) = shared.config.faults.slow {
        tokio::time::sleep(delay).await;
    }
    let authenticated = authenticate(&shared, &headers);
    // A refused call still counts for the tenant its token names (an expired one, say).
    let whose = match &authenticated {
        Ok(tenant) => Some(*tenant),
        Err(refused) => refused.tenant,
    };
    let tenant_number = whose
        .and_then(|index| shared.directory.get(index))
        .map_or(0, |tenant| tenant.counters.bump(|c| &c.report_calls));
    let tenant = match authenticated {
        Ok(tenant) => tenant,
        Err(refused) => return refused.response(&headers),
    };
    let faults = &shared.config.faults;
    if number <= u64::from(faults.throttle_first) {
        shared.count(Some(tenant), |c| &c.throttled);
        return too_many_requests(faults.retry_after, &headers);
    }
    if number <= u64::from(faults.throttle_first) + u64::from(faults.unavailable_first) {
        shared.count(Some(tenant), |c| &c.unavailable);
        return graph_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "The service is temporarily unavailable.",
            &headers,
        );
    }
    if let Some(app) = shared.directory.get(tenant).map(|tenant| &tenant.app)
        && tenant_number <= u64::from(app.throttle_first)
    {
        shared.count(Some(tenant), |c| &c.throttled);
        return too_many_requests(app.retry_after, &headers);
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
    let table = shared.table(tenant, meta, &arguments, &version);
    // The tag is the CSV file's, for both formats: the same data, the same tag.
    let file = bytes::Bytes::from(table.to_csv());
    let etag = data::etag(&file);
    let if_none_match = headers.get(header::IF_NONE_MATCH);
    if if_none_match.is_some() {
        shared.count(Some(tenant), |c| &c.conditional_calls);
    }
    let matches = if_none_match
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    let mut response = if matches {
        shared.count(Some(tenant), |c| &c.not_modified);
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
            _ => redirect_to_download(&shared, file, tenant),
        }
    };
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// Why a report call may not go on, and the tenant its token names if it names one.
struct Refused {
    tenant: Option<TenantIndex>,
    reason: Refusal,
}

enum Refusal {
    /// No bearer token, or one the emulator never issued.
    Invalid,
    /// An issued token, refused for [`crate::Faults::forbid_issued_tokens`].
    Forbidden,
    Expired,
    Revoked,
}

impl Refused {
    /// Graph's answer: `401`, or `403` for missing consent.
    fn response(&self, headers: &HeaderMap) -> Response {
        let message = match self.reason {
            Refusal::Invalid => "Access token is empty or invalid.",
            Refusal::Forbidden => {
                return graph_error(
                    StatusCode::FORBIDDEN,
                    "Authorization_RequestDenied",
                    "Insufficient privileges to complete the operation.",
                    headers,
                );
            }
            Refusal::Expired => "Lifetime validation failed, the token is expired.",
            Refusal::Revoked => "Access token has been revoked.",
        };
        graph_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
            headers,
        )
    }
}

/// Whose call this is: the configured tenant's for the static token, the issuing tenant's for
/// a valid issued one.
fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<TenantIndex, Refused> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let invalid = Refused {
        tenant: None,
        reason: Refusal::Invalid,
    };
    let Some(presented) = presented else {
        return Err(invalid);
    };
    if presented == shared.config.token {
        return Ok(0);
    }
    let Some((state, tenant)) = shared.issuer.check(presented) else {
        return Err(invalid);
    };
    let reason = match state {
        TokenState::Valid if shared.config.faults.forbid_issued_tokens => Refusal::Forbidden,
        TokenState::Valid => return Ok(tenant),
        TokenState::Expired => {
            shared.count(Some(tenant), |c| &c.expired_token_calls);
            Refusal::Expired
        }
        TokenState::Revoked => Refusal::Revoked,
    };
    Err(Refused {
        tenant: Some(tenant),
        reason,
    })
}

/// Graph's throttling answer, telling the client how long to wait.
fn too_many_requests(retry_after: u64, headers: &HeaderMap) -> Response {
    let mut response = graph_error(
        StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequests",
        "Too many requests; retry after the time in Retry-After.",
        headers,
    );
    if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
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

fn redirect_to_download(shared: &Shared, file: bytes::Bytes, tenant: TenantIndex) -> Response {
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
            tenant,
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
    let key = query.get("key");
    let tenant = key.and_then(|key| {
        let links = shared.links.lock().unwrap_or_else(PoisonError::into_inner);
        links.get(key).map(|link| link.tenant)
    });
    shared.count(tenant, |c| &c.downloads);
    if headers.contains_key(header::AUTHORIZATION) {
        shared.count(tenant, |c| &c.downloads_with_authorization);
        return graph_error(
            StatusCode::BAD_REQUEST,
            "AuthorizationNotAllowed",
            "Download URLs are preauthenticated: a request carrying an Authorization header is refused.",
            &headers,
        );
    }
    let body = {
        let mut links = shared.links.lock().unwrap_or_else(PoisonError::into_inner);
        let link = key.and_then(|key| links.get_mut(key));
        match link {
            Some(link) if !link.used && Instant::now() < link.expires => {
                link.used = true;
                Some(link.file.clone())
            }
            _ => None,
        }
    };
    let Some(body) = body else {
        shared.count(tenant, |c| &c.refused_links);
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
