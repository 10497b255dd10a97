//! `graph-reports sync` keeps what Graph throws away: run on later days against a service whose
//! window has moved on, the lake keeps the days Graph no longer serves and adds only the new
//! ones.
#![allow(clippy::unwrap_used, reason = "a test fails loudly on setup errors")]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{NaiveDate, TimeDelta};
use graph_emulator::{Config, Emulator};

const BY_DAY: &str = "teams_user_activity_user_detail";
const BY_PERIOD: &str = "office365_services_user_counts";

fn first_today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
}

fn scratch() -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("graph-reports-sync-history-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
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
    let mut command = Command::new(env!("CARGO_BIN_EXE_graph-reports"));
    command
        .arg("sync")
        .arg("--lake")
        .arg(lake)
        .args(["--base-url", &emulator.base_url()])
        .args(["--tenant-id", &emulator.config().tenant_id])
        .args(["--today", &today.to_string()])
        .args(["--report", &format!("{BY_DAY},{BY_PERIOD}"), "--quiet"]);
    for name in [
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_AUTHORITY_HOST",
    ] {
        command.env_remove(name);
    }
    command.env("GRAPH_TOKEN", emulator.token());
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "sync on {today} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
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
    let dir = scratch();
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
