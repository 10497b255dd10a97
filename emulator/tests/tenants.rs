//! Several tenants behind one emulator: each signs in with its own app registration, gets its
//! own data (the same every time), its own throttling and its own counters, through a plain
//! HTTP client.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on setup errors")]

use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeDelta};
use graph_emulator::{Config, Emulator, Faults, Stats, TenantApp};
use reports_sdk::ApiVersion;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";

/// The call most tests make: a per-user report whose counts and dates are drawn from the seed.
const FUNCTION: &str = "getOffice365ActiveUserDetail";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, 15).unwrap()
}

/// The configured tenant (A) and two numbered ones (B, C); `b` adjusts B.
async fn emulator(b: TenantApp) -> Emulator {
    Emulator::start(Config {
        today: today(),
        more_tenants: vec![b, TenantApp::numbered(2)],
        ..Config::default()
    })
    .await
    .unwrap()
}

fn meta() -> &'static reports_sdk::ReportMeta {
    reports_sdk::catalog()
        .iter()
        .copied()
        .find(|meta| meta.function == FUNCTION)
        .unwrap()
}

/// Does not follow the `302`: the download is fetched by hand, without `Authorization`, as the
/// download host requires.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A form value with every byte but the unreserved ones escaped.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// A token from `tenant_id`'s endpoint for these credentials: the status and the JSON answer.
async fn sign_in(
    emulator: &Emulator,
    tenant_id: &str,
    client_id: &str,
    secret: &str,
) -> (StatusCode, Value, String) {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("client_secret", secret),
        ("scope", GRAPH_SCOPE),
    ]
    .map(|(name, value)| format!("{name}={}", encode(value)))
    .join("&");
    let response = client()
        .post(emulator.token_url_for(tenant_id))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap(), text)
}

async fn token_for(emulator: &Emulator, app: &TenantApp) -> String {
    let (status, body, text) =
        sign_in(emulator, &app.tenant_id, &app.client_id, &app.client_secret).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    body["access_token"].as_str().unwrap().to_owned()
}

/// The configured tenant as a [`TenantApp`], to sign in like the others.
fn first(config: &Config) -> TenantApp {
    config.tenant_apps().swap_remove(0)
}

/// One report call's answer: for a `302`, the downloaded file as the body.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn etag(&self) -> String {
        self.headers["etag"].to_str().unwrap().to_owned()
    }
}

async fn call(emulator: &Emulator, token: &str, path: &str, if_none_match: Option<&str>) -> Answer {
    let mut request = client()
        .get(format!("{}/v1.0/reports/{path}", emulator.base_url()))
        .bearer_auth(token);
    if let Some(tag) = if_none_match {
        request = request.header("if-none-match", tag);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    if status != StatusCode::FOUND {
        let body = response.bytes().await.unwrap().to_vec();
        return Answer {
            status,
            headers,
            body,
        };
    }
    let location = headers["location"].to_str().unwrap().to_owned();
    let file = client().get(location).send().await.unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    Answer {
        status,
        headers,
        body: file.bytes().await.unwrap().to_vec(),
    }
}

/// The file the emulator says `tenant_id` is served for `FUNCTION(period='D7')`.
fn expected_file(emulator: &Emulator, tenant_id: &str, arguments: &[(&str, &str)]) -> Vec<u8> {
    let arguments: Vec<(String, String)> = arguments
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    emulator
        .expected_for(tenant_id, meta(), &arguments, ApiVersion::V1)
        .unwrap()
        .to_csv()
}

const D7: &str = "getOffice365ActiveUserDetail(period='D7')";

#[tokio::test]
async fn each_tenant_gets_its_own_data_and_the_same_data_every_time() {
    let emulator = emulator(TenantApp::numbered(1)).await;
    let a = first(emulator.config());
    let b = TenantApp::numbered(1);
    let token_a = token_for(&emulator, &a).await;
    let token_b = token_for(&emulator, &b).await;

    let from_a = call(&emulator, &token_a, D7, None).await;
    let from_b = call(&emulator, &token_b, D7, None).await;
    assert_eq!(from_a.status, StatusCode::FOUND);
    assert_eq!(from_b.status, StatusCode::FOUND);
    assert_eq!(
        from_a.body,
        expected_file(&emulator, &a.tenant_id, &[("period", "D7")])
    );
    assert_eq!(
        from_b.body,
        expected_file(&emulator, &b.tenant_id, &[("period", "D7")])
    );
    assert_ne!(from_a.body, from_b.body, "two tenants, two files");
    assert_ne!(from_a.etag(), from_b.etag());

    // The configured tenant's data is what `expected` (and the static token) always gave.
    let arguments = [("period".to_owned(), "D7".to_owned())];
    assert_eq!(
        from_a.body,
        emulator
            .expected(meta(), &arguments, ApiVersion::V1)
            .to_csv()
    );
    let static_token = call(&emulator, emulator.token(), D7, None).await;
    assert_eq!(static_token.body, from_a.body);

    // Asked again, in any order, each tenant gets the same bytes and the same tag.
    for _ in 0..2 {
        let again_b = call(&emulator, &token_b, D7, None).await;
        let again_a = call(&emulator, &token_a, D7, None).await;
        assert_eq!(again_b.body, from_b.body);
        assert_eq!(
            (again_b.etag(), again_a.etag()),
            (from_b.etag(), from_a.etag())
        );
        assert_eq!(again_a.body, from_a.body);
    }

    // And so does another emulator with the same tenants and the same today.
    let twin = self::emulator(TenantApp::numbered(1)).await;
    let twin_b = call(&twin, &token_for(&twin, &b).await, D7, None).await;
    assert_eq!(twin_b.etag(), from_b.etag());
    assert_eq!(twin_b.body, from_b.body);
}

#[tokio::test]
async fn tenants_are_listed_and_unknown_ones_have_nothing() {
    let emulator = emulator(TenantApp::numbered(1)).await;
    let ids = emulator.tenant_ids();
    assert_eq!(
        ids,
        [
            Config::default().tenant_id,
            TenantApp::numbered(1).tenant_id,
            TenantApp::numbered(2).tenant_id
        ]
    );
    assert_eq!(
        emulator.token_url_for(&ids[1]),
        format!("{}/{}/oauth2/v2.0/token", emulator.authority_host(), ids[1])
    );
    assert_eq!(emulator.token_url_for(&ids[0]), emulator.token_url());
    assert_eq!(emulator.tenant_stats("not-a-tenant"), None);
    assert_eq!(
        emulator.tenant_stats(&ids[2].to_ascii_uppercase()),
        Some(Stats::default()),
        "tenant ids match in any case"
    );
    assert!(
        emulator
            .expected_for("not-a-tenant", meta(), &[], ApiVersion::V1)
            .is_none()
    );
    for (number, id) in ids.iter().enumerate() {
        assert!(id.len() == 36 && id.matches('-').count() == 4, "{id}");
        for other in &ids[number + 1..] {
            assert_ne!(id, other);
        }
    }
}

#[tokio::test]
async fn a_date_call_serves_each_day_its_own_data() {
    let emulator = emulator(TenantApp::numbered(1)).await;
    let b = TenantApp::numbered(1);
    let token_b = token_for(&emulator, &b).await;
    let day = |days_back: i64| (today() - TimeDelta::days(days_back)).to_string();
    for token in [emulator.token().to_owned(), token_b] {
        let mut files = Vec::new();
        for days_back in [2, 3] {
            let path = format!("{FUNCTION}(date={})", day(days_back));
            let answer = call(&emulator, &token, &path, None).await;
            assert_eq!(answer.status, StatusCode::FOUND, "{path}");
            let again = call(&emulator, &token, &path, None).await;
            assert_eq!(again.body, answer.body, "{path} twice");
            files.push(answer.body);
        }
        assert_ne!(files[0], files[1], "two days, two files");
    }
    for tenant in emulator.tenant_ids() {
        assert_ne!(
            expected_file(&emulator, &tenant, &[("date", &day(2))]),
            expected_file(&emulator, &tenant, &[("date", &day(3))]),
        );
    }
}

#[tokio::test]
async fn each_tenant_signs_in_with_its_own_app_only() {
    let emulator = emulator(TenantApp::numbered(1)).await;
    let a = first(emulator.config());
    let b = TenantApp::numbered(1);
    let mut texts = Vec::new();

    // B's secret with A's app, at A's endpoint: the secret is wrong.
    let (status, body, text) =
        sign_in(&emulator, &a.tenant_id, &a.client_id, &b.client_secret).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{text}");
    assert_eq!(body["error_codes"][0], 7000215, "{text}");
    texts.push(text);

    // B's whole app at A's endpoint: A's directory does not hold it.
    let asked = a.tenant_id.to_ascii_uppercase();
    let (status, body, text) = sign_in(&emulator, &asked, &b.client_id, &b.client_secret).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert_eq!(body["error"], "unauthorized_client", "{text}");
    let description = body["error_description"].as_str().unwrap();
    assert!(description.starts_with("AADSTS700016: "), "{text}");
    assert!(
        description.contains(&format!(
            "'{}' was not found in the directory '{asked}'",
            b.client_id
        )),
        "names the app and the tenant asked for: {text}"
    );
    texts.push(text);

    // A tenant the emulator does not serve.
    let unknown = "99999999-9999-4999-8999-999999999999";
    let (status, body, text) = sign_in(&emulator, unknown, &b.client_id, &b.client_secret).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert_eq!(body["error_codes"][0], 90002, "{text}");
    assert!(
        text.contains(&format!("Tenant '{unknown}' not found")),
        "{text}"
    );
    texts.push(text);

    // A tenant's own app at its own endpoint is the one way in.
    token_for(&emulator, &b).await;
    for text in &texts {
        for secret in [&a.client_secret, &b.client_secret] {
            assert!(!text.contains(secret.as_str()), "{text}");
        }
    }
    let b_stats = emulator.tenant_stats(&b.tenant_id).unwrap();
    assert_eq!((b_stats.token_requests, b_stats.tokens_issued), (1, 1));
    let a_stats = emulator.tenant_stats(&a.tenant_id).unwrap();
    assert_eq!((a_stats.token_requests, a_stats.tokens_issued), (2, 0));
    let stats = emulator.stats();
    assert_eq!(
        (stats.token_requests, stats.tokens_issued),
        (4, 1),
        "the unknown tenant's request counts overall only"
    );
}

#[tokio::test]
async fn throttling_one_tenant_leaves_the_others_alone() {
    let emulator = emulator(TenantApp {
        throttle_first: 2,
        retry_after: 7,
        ..TenantApp::numbered(1)
    })
    .await;
    let a = first(emulator.config());
    let b = TenantApp::numbered(1);
    let c = TenantApp::numbered(2);
    let token_a = token_for(&emulator, &a).await;
    let token_b = token_for(&emulator, &b).await;
    let token_c = token_for(&emulator, &c).await;

    let throttled = call(&emulator, &token_b, D7, None).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.headers["retry-after"], "7");
    let error: Value = serde_json::from_slice(&throttled.body).unwrap();
    assert_eq!(error["error"]["code"], "TooManyRequests");
    for token in [&token_a, emulator.token(), &token_c] {
        assert_eq!(
            call(&emulator, token, D7, None).await.status,
            StatusCode::FOUND
        );
    }
    assert_eq!(
        call(&emulator, &token_b, D7, None).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let served = call(&emulator, &token_b, D7, None).await;
    assert_eq!(served.status, StatusCode::FOUND, "B's third call is served");
    assert_eq!(
        served.body,
        expected_file(&emulator, &b.tenant_id, &[("period", "D7")])
    );

    let a_stats = emulator.tenant_stats(&a.tenant_id).unwrap();
    assert_eq!(
        (a_stats.report_calls, a_stats.throttled, a_stats.downloads),
        (2, 0, 2),
        "the static token's call is A's"
    );
    let b_stats = emulator.tenant_stats(&b.tenant_id).unwrap();
    assert_eq!(
        (b_stats.report_calls, b_stats.throttled, b_stats.downloads),
        (3, 2, 1)
    );
    let c_stats = emulator.tenant_stats(&c.tenant_id).unwrap();
    assert_eq!((c_stats.report_calls, c_stats.throttled), (1, 0));
    let stats = emulator.stats();
    assert_eq!(
        (stats.report_calls, stats.throttled, stats.downloads),
        (6, 2, 4)
    );
}

#[tokio::test]
async fn the_global_faults_still_count_and_land_on_the_caller_tenant() {
    let emulator = Emulator::start(Config {
        today: today(),
        more_tenants: vec![TenantApp::numbered(1)],
        faults: Faults {
            throttle_first: 1,
            unavailable_first: 1,
            ..Faults::default()
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let b = TenantApp::numbered(1);
    let token_b = token_for(&emulator, &b).await;
    let statuses = [
        call(&emulator, &token_b, D7, None).await.status,
        call(&emulator, emulator.token(), D7, None).await.status,
        call(&emulator, &token_b, D7, None).await.status,
    ];
    assert_eq!(
        statuses,
        [
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::SERVICE_UNAVAILABLE,
            StatusCode::FOUND
        ]
    );
    let b_stats = emulator.tenant_stats(&b.tenant_id).unwrap();
    assert_eq!((b_stats.throttled, b_stats.unavailable), (1, 0));
    let a_stats = emulator.tenant_stats(&emulator.tenant_ids()[0]).unwrap();
    assert_eq!((a_stats.throttled, a_stats.unavailable), (0, 1));
    let stats = emulator.stats();
    assert_eq!((stats.throttled, stats.unavailable), (1, 1));
}

#[tokio::test]
async fn not_modified_answers_are_per_tenant_and_counted() {
    let emulator = emulator(TenantApp::numbered(1)).await;
    let a = first(emulator.config());
    let b = TenantApp::numbered(1);
    let token_a = token_for(&emulator, &a).await;
    let token_b = token_for(&emulator, &b).await;
    let tag_a = call(&emulator, &token_a, D7, None).await.etag();
    let tag_b = call(&emulator, &token_b, D7, None).await.etag();

    // A's tag means nothing for B's data, and B's is B's.
    let with_a_tag = call(&emulator, &token_b, D7, Some(&tag_a)).await;
    assert_eq!(with_a_tag.status, StatusCode::FOUND);
    assert_eq!(with_a_tag.etag(), tag_b);
    let unchanged = call(&emulator, &token_b, D7, Some(&tag_b)).await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
    assert!(unchanged.body.is_empty());
    assert_eq!(unchanged.etag(), tag_b);
    let unchanged = call(&emulator, &token_a, D7, Some(&format!("\"x\", {tag_a}"))).await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);

    let b_stats = emulator.tenant_stats(&b.tenant_id).unwrap();
    assert_eq!((b_stats.conditional_calls, b_stats.not_modified), (2, 1));
    let a_stats = emulator.tenant_stats(&a.tenant_id).unwrap();
    assert_eq!((a_stats.conditional_calls, a_stats.not_modified), (1, 1));
    let stats = emulator.stats();
    assert_eq!((stats.conditional_calls, stats.not_modified), (3, 2));
    assert_eq!(stats.downloads, 3, "a 304 mints no download link");
}

#[tokio::test]
async fn no_debug_output_shows_a_secret() {
    let config = Config {
        token: "static-t0ken-value".to_owned(),
        client_secret: "configured-s3cret".to_owned(),
        more_tenants: vec![
            TenantApp {
                client_secret: "extra-s3cret".to_owned(),
                ..TenantApp::numbered(1)
            },
            TenantApp::numbered(2),
        ],
        ..Config::default()
    };
    let emulator = Emulator::start(config.clone()).await.unwrap();
    token_for(&emulator, &config.more_tenants[1]).await;
    let secrets = [
        "static-t0ken-value",
        "configured-s3cret",
        "extra-s3cret",
        "emulator-secret-2",
    ];
    let printed = [
        format!("{config:?}"),
        format!("{config:#?}"),
        format!("{:?}", config.more_tenants[1]),
        format!("{:#?}", TenantApp::numbered(3)),
        format!("{emulator:?}"),
    ];
    for text in &printed {
        for secret in secrets.iter().chain(&["emulator-secret-3"]) {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("<redacted>"), "{text}");
    }
    // The ids are not secret, and a reader needs them.
    assert!(printed[0].contains(&TenantApp::numbered(2).tenant_id));
    assert!(printed[2].contains(&TenantApp::numbered(2).client_id));
}

#[tokio::test]
async fn fifty_tenants_start_at_once_and_the_last_one_works() {
    let started = Instant::now();
    let emulator = Emulator::start(Config {
        today: today(),
        more_tenants: (1..50).map(TenantApp::numbered).collect(),
        ..Config::default()
    })
    .await
    .unwrap();
    // Generous for a loaded 2-core machine: a listener per tenant would not make it slower
    // than this, but generating data up front would.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(emulator.tenant_ids().len(), 50);
    let last = TenantApp::numbered(49);
    let token = token_for(&emulator, &last).await;
    let answer = call(&emulator, &token, D7, None).await;
    assert_eq!(
        answer.body,
        expected_file(&emulator, &last.tenant_id, &[("period", "D7")])
    );
}

#[tokio::test]
async fn a_tenant_id_served_twice_is_refused_at_start() {
    let error = Emulator::start(Config {
        more_tenants: vec![TenantApp::numbered(1), TenantApp::numbered(1)],
        ..Config::default()
    })
    .await
    .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    assert!(
        error
            .to_string()
            .contains(&TenantApp::numbered(1).tenant_id),
        "{error}"
    );
}

/// Every catalogue report's file for the configured tenant, with the realistic data and the
/// stress mix, digested. The digest was taken from the emulator as it was before it served
/// several tenants: serving more must not change a byte of the first tenant's data, which other
/// tests and users' saved files compare with.
#[tokio::test]
async fn the_configured_tenant_data_is_what_it_was_before_tenants() {
    let mut files = Vec::new();
    for quirks in [false, true] {
        let emulator = Emulator::start(Config {
            today: today(),
            quirks,
            more_tenants: vec![TenantApp::numbered(1)],
            ..Config::default()
        })
        .await
        .unwrap();
        let first = &emulator.tenant_ids()[0];
        for meta in reports_sdk::catalog() {
            for version in meta.versions {
                let mut argument_sets = vec![Vec::new()];
                for parameter in meta.parameters {
                    match parameter.name {
                        "period" => {
                            argument_sets.push(vec![("period".to_owned(), "D7".to_owned())])
                        }
                        "date" => {
                            argument_sets.push(vec![("date".to_owned(), "2024-03-13".to_owned())])
                        }
                        _ => {}
                    }
                }
                for arguments in argument_sets {
                    let table = emulator.expected(meta, &arguments, version.version);
                    let for_first = emulator.expected_for(first, meta, &arguments, version.version);
                    assert_eq!(for_first.as_ref(), Some(&table), "{}", meta.function);
                    files.extend(table.to_csv());
                }
            }
        }
    }
    assert_eq!(
        (files.len(), graph_emulator::data::etag(&files)),
        (552_681, "\"298e64d919a3250d\"".to_owned())
    );
}
