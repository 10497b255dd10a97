//! `graph-reports sync` keeps what Graph throws away: run on later days against a service whose
//! window has moved on, the lake keeps the days Graph no longer serves and adds only the new
//! ones.
#![allow(clippy::unwrap_used, reason = "a test fails loudly on setup errors")]

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;

use chrono::{NaiveDate, TimeDelta};
use common::sync::{BY_DAY, BY_PERIOD, assert_success, scratch, sync};
use graph_emulator::{Config, Emulator};

fn first_today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
}

/// A sync of both reports against an emulator whose today is `today`, as Graph would be then.
async fn sync_on(today: NaiveDate, lake: &Path) -> (Output, graph_emulator::Stats) {
    let emulator = Emulator::start(Config {
        rows: 2,
        today,
        ..Config::default()
    })
    .await
    .unwrap();
    let lake = lake.to_str().unwrap();
    let today = today.to_string();
    let reports = format!("{BY_DAY},{BY_PERIOD}");
    let output = sync(
        &[("GRAPH_TOKEN", emulator.token())],
        &[
            "--lake",
            lake,
            "--base-url",
            &emulator.base_url(),
            "--tenant-id",
            &emulator.config().tenant_id,
            "--today",
            &today,
            "--report",
            &reports,
            "--quiet",
        ],
    );
    assert_success(&output);
    (output, emulator.stats())
}

/// The days `report` holds in the lake (those with a manifest), under `period` if given.
fn held_days(lake: &Path, report: &str, period: Option<&str>) -> BTreeSet<NaiveDate> {
    let tenant = &Config::default().tenant_id;
    let mut dir = lake
        .join(format!("tenant={tenant}"))
        .join(format!("report={report}"));
    if let Some(period) = period {
        dir.push(format!("period={period}"));
    }
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return BTreeSet::new();
    };
    entries
        .map(|entry| entry.unwrap().path())
        .filter(|folder| folder.join("_manifest.json").is_file())
        .map(|folder| {
            let name = folder.file_name().unwrap().to_str().unwrap().to_owned();
            NaiveDate::parse_from_str(name.strip_prefix("date=").unwrap(), "%Y-%m-%d").unwrap()
        })
        .collect()
}

/// The `count` days before `today`, oldest first: Graph's window then.
fn window(today: NaiveDate, count: i64) -> BTreeSet<NaiveDate> {
    (1..=count)
        .map(|back| today - TimeDelta::days(back))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn later_runs_add_the_new_days_and_keep_those_graph_no_longer_serves() {
    let dir = scratch("history");
    let lake = dir.join("lake");
    let first = first_today();

    let (_, stats) = sync_on(first, &lake).await;
    assert_eq!(held_days(&lake, BY_DAY, None), window(first, 30));
    assert_eq!(stats.report_calls, 30 + 1, "30 days and the period report");

    // The next day: one new day asked for, and the period report (refreshed) written again.
    let next = first + TimeDelta::days(1);
    let (_, stats) = sync_on(next, &lake).await;
    assert_eq!(
        stats.report_calls,
        1 + 1,
        "only the new day and the period report"
    );
    let mut expected = window(first, 30);
    expected.extend(window(next, 30));
    assert_eq!(held_days(&lake, BY_DAY, None), expected);

    // Forty days on, Graph serves none of the days held: all 30 it serves are new, and the 31
    // held before stay.
    let later = first + TimeDelta::days(41);
    let (_, stats) = sync_on(later, &lake).await;
    assert_eq!(stats.report_calls, 30 + 1);
    expected.extend(window(later, 30));
    assert_eq!(held_days(&lake, BY_DAY, None), expected);
    assert_eq!(expected.len(), 61);
    let refreshes: Vec<NaiveDate> = [first, next, later]
        .iter()
        .map(|today| *today - TimeDelta::days(1))
        .collect();
    assert_eq!(
        held_days(&lake, BY_PERIOD, Some("D7")),
        refreshes.into_iter().collect(),
        "one period file per Report Refresh Date"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
