//! Each fault the emulator injects, observed through the public SDK; the emulator's counters
//! show the fault was really served. The stress mix (`quirks`) gives every report the asked-for
//! number of rows, which the cut-short and paging cases count on.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on setup errors")]

use std::time::Duration;

use end_to_end::{client_for, compare_typed};
use graph_emulator::{Config, Emulator, Faults};
use reports_sdk::office365::Office365ServicesUserCountsRow;
use reports_sdk::{ApiVersion, ErrorKind, Fetched, Format, Period, RetryPolicy};

async fn emulator(faults: Faults) -> Emulator {
    Emulator::start(Config {
        quirks: true,
        rows: 12,
        faults,
        ..Config::default()
    })
    .await
    .unwrap()
}

fn expected(emulator: &Emulator, period: &str, version: ApiVersion) -> graph_emulator::Table {
    emulator.expected(
        <Office365ServicesUserCountsRow as reports_sdk::Report>::META,
        &[("period".to_owned(), period.to_owned())],
        version,
    )
}

#[tokio::test]
async fn throttling_with_retry_after_is_waited_out() {
    let emulator = emulator(Faults {
        throttle_first: 2,
        retry_after: 0,
        ..Faults::default()
    })
    .await;
    let client = client_for(&emulator).build().unwrap();
    let report = client
        .office365_services_user_counts(Period::D7)
        .send()
        .await
        .unwrap();
    compare_typed(&report.rows, &expected(&emulator, "D7", ApiVersion::V1)).unwrap();
    let stats = emulator.stats();
    assert_eq!(stats.report_calls, 3, "two 429s, then the report");
    assert_eq!(stats.throttled, 2);
}

#[tokio::test]
async fn throttling_beyond_the_budget_is_a_throttled_error() {
    let emulator = emulator(Faults {
        throttle_first: 10,
        retry_after: 0,
        ..Faults::default()
    })
    .await;
    let client = client_for(&emulator)
        .retry_policy(
            RetryPolicy::default()
                .max_retries(2)
                .initial_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let error = client
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Throttled);
    assert_eq!(error.status(), Some(429));
    assert_eq!(
        error.service().unwrap().code.as_deref(),
        Some("TooManyRequests")
    );
    assert!(error.request_id().is_some());
    assert_eq!(emulator.stats().report_calls, 3);
}

#[tokio::test]
async fn unavailable_until_the_budget_is_spent_is_an_error_with_the_status() {
    let emulator = emulator(Faults {
        unavailable_first: 10,
        ..Faults::default()
    })
    .await;
    let client = client_for(&emulator)
        .retry_policy(
            RetryPolicy::default()
                .max_retries(3)
                .initial_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let error = client
        .office365_activations_user_counts()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Service);
    assert_eq!(error.status(), Some(503));
    assert!(error.is_retryable());
    let stats = emulator.stats();
    assert_eq!(stats.report_calls, 4, "the call and three retries");
    assert_eq!(stats.unavailable, 4, "every one of them was a 503");
    assert_eq!(stats.downloads, 0);
}

#[tokio::test]
async fn a_brief_outage_is_retried_through() {
    let emulator = emulator(Faults {
        unavailable_first: 2,
        ..Faults::default()
    })
    .await;
    let client = client_for(&emulator).build().unwrap();
    let report = client
        .office365_services_user_counts(Period::D90)
        .send()
        .await
        .unwrap();
    compare_typed(&report.rows, &expected(&emulator, "D90", ApiVersion::V1)).unwrap();
    let stats = emulator.stats();
    assert_eq!(
        stats.unavailable, 2,
        "the emulator really answered 503 twice"
    );
    assert_eq!(stats.throttled, 0);
    assert_eq!(
        stats.report_calls, 3,
        "two 503s retried, then the report: {stats:?}"
    );
    assert_eq!(stats.downloads, 1, "only the third call reached a download");
}

#[tokio::test]
async fn slow_responses_still_decode_and_a_short_timeout_fails_cleanly() {
    let emulator = Emulator::start(Config {
        quirks: true,
        rows: 2_000,
        faults: Faults {
            slow: Some(Duration::from_millis(20)),
            ..Faults::default()
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let patient = client_for(&emulator).build().unwrap();
    let mut stream = patient
        .office365_services_user_counts(Period::D30)
        .stream()
        .await
        .unwrap();
    let mut rows = Vec::new();
    while let Some(row) = stream.next_row().await {
        rows.push(row.unwrap());
    }
    compare_typed(&rows, &expected(&emulator, "D30", ApiVersion::V1)).unwrap();

    let impatient = client_for(&emulator)
        .timeout(Duration::from_millis(5))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let error = impatient
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error:?}");
}

#[tokio::test]
async fn a_body_cut_short_mid_row_is_a_transport_error_after_the_rows_before_it() {
    let emulator = Emulator::start(Config {
        quirks: true,
        rows: 200,
        faults: Faults {
            truncate_downloads: true,
            ..Faults::default()
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let client = client_for(&emulator).build().unwrap();
    let error = client
        .office365_services_user_counts(Period::D7)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error:?}");
    assert!(error.to_string().contains("body was cut short"), "{error}");

    let mut stream = client
        .office365_services_user_counts(Period::D7)
        .stream()
        .await
        .unwrap();
    let mut decoded = 0;
    let mut failed = None;
    while let Some(row) = stream.next_row().await {
        match row {
            Ok(_) => decoded += 1,
            Err(error) => failed = Some(error),
        }
    }
    let failed = failed.expect("the stream ends with the error");
    assert_eq!(failed.kind(), ErrorKind::Transport, "{failed:?}");
    assert!(
        decoded > 0 && decoded < 200,
        "{decoded} rows before the cut"
    );
}

#[tokio::test]
async fn an_expired_download_link_is_requested_afresh_once() {
    let emulator = emulator(Faults {
        expire_first_links: 1,
        ..Faults::default()
    })
    .await;
    let client = client_for(&emulator).build().unwrap();
    let report = client
        .office365_services_user_counts(Period::D180)
        .send()
        .await
        .unwrap();
    compare_typed(&report.rows, &expected(&emulator, "D180", ApiVersion::V1)).unwrap();
    let stats = emulator.stats();
    assert_eq!(stats.report_calls, 2);
    assert_eq!(stats.refused_links, 1);

    let emulator = emulator_with_expired_links(2).await;
    let client = client_for(&emulator).build().unwrap();
    let error = client
        .office365_activation_counts()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::DownloadExpired);
    assert_eq!(error.status(), Some(403));
    assert_eq!(emulator.stats().report_calls, 2);
}

async fn emulator_with_expired_links(count: u32) -> Emulator {
    emulator(Faults {
        expire_first_links: count,
        ..Faults::default()
    })
    .await
}

#[tokio::test]
async fn an_unchanged_report_answers_not_modified() {
    let emulator = emulator(Faults::default()).await;
    let client = client_for(&emulator).build().unwrap();
    let first = client
        .office365_services_user_counts(Period::D7)
        .send()
        .await
        .unwrap();
    let etag = first.info.etag.clone().unwrap();
    let again = client
        .office365_services_user_counts(Period::D7)
        .if_none_match(etag.clone())
        .send()
        .await
        .unwrap();
    assert!(again.is_not_modified());
    let other_period = client
        .office365_services_user_counts(Period::D30)
        .if_none_match(etag)
        .send()
        .await
        .unwrap();
    match other_period {
        Fetched::Modified(report) => {
            compare_typed(&report.rows, &expected(&emulator, "D30", ApiVersion::V1)).unwrap();
        }
        Fetched::NotModified(_) => panic!("another period has another tag"),
    }
}

#[tokio::test]
async fn json_pages_are_followed_to_the_end() {
    let emulator = Emulator::start(Config {
        quirks: true,
        rows: 25,
        page_size: 10,
        ..Config::default()
    })
    .await
    .unwrap();
    let client = client_for(&emulator).build().unwrap();
    let report = client
        .office365_services_user_counts(Period::D7)
        .version(ApiVersion::Beta)
        .format(Format::Json)
        .send()
        .await
        .unwrap();
    compare_typed(&report.rows, &expected(&emulator, "D7", ApiVersion::Beta)).unwrap();
    assert_eq!(
        emulator.stats().report_calls,
        3,
        "pages of 10, 10 and 5 rows"
    );
    assert_eq!(emulator.stats().downloads, 0);
}

#[tokio::test]
async fn days_not_yet_processed_answer_the_header_alone_and_the_refresh_date_lags() {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
    let emulator = Emulator::start(Config {
        rows: 3,
        today,
        faults: Faults {
            unpublished_days: 2,
            ..Faults::default()
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let client = client_for(&emulator).build().unwrap();
    let day = |back: i64| today - chrono::TimeDelta::days(back);
    for back in [1, 2] {
        let report = client
            .office365_active_user_detail_by_date(day(back))
            .send()
            .await
            .unwrap();
        assert!(report.rows.is_empty(), "{} is not processed yet", day(back));
    }
    let report = client
        .office365_active_user_detail_by_date(day(3))
        .send()
        .await
        .unwrap();
    assert_eq!(report.rows.len(), 3);
    let counts = client
        .office365_services_user_counts(Period::D7)
        .send()
        .await
        .unwrap();
    assert!(
        counts
            .rows
            .iter()
            .all(|row| row.report_refresh_date == day(3)),
        "the refresh date is the last day processed"
    );
}
