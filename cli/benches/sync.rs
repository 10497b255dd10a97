//! `graph-reports sync` filling a lake from the emulator: a 30-day backfill of every report,
//! then a second run with nothing new, for one tenant and for many, and a large tenant for the
//! lake's size per million rows. The built tool runs as users run it (a process, a tenants file,
//! client secrets in the environment, sign-in at the emulator's token endpoint).
//!
//! `cargo bench -p graph-reports --features parquet --bench sync [-- TENANTS:USERS ...]`
//! (default `1:25 50:25 1:2000`).

#![allow(clippy::unwrap_used, reason = "a benchmark fails loudly on bad input")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use graph_emulator::{Config, Emulator, Stats, TenantApp};

const CASES: &[&str] = &["1:25", "50:25", "1:2000"];

/// One sync, as measured.
struct Run {
    wall: Duration,
    /// Report calls (conditional ones among them), downloads and token requests.
    stats: Stats,
}

/// What the lake holds after the backfill.
struct LakeSize {
    parts: u64,
    rows: u64,
    bytes: u64,
}

fn main() {
    let cases: Vec<String> = std::env::args()
        .skip(1)
        .filter(|argument| !argument.starts_with('-'))
        .collect();
    let cases: Vec<String> = if cases.is_empty() {
        CASES.iter().map(|case| (*case).to_owned()).collect()
    } else {
        cases
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "{:>7} {:>6} | {:>9} {:>8} {:>9} {:>7} | {:>9} {:>8} {:>6} | {:>6} {:>10} {:>9} {:>12}",
        "tenants",
        "users",
        "backfill",
        "calls",
        "downloads",
        "tokens",
        "again",
        "calls",
        "304s",
        "parts",
        "rows",
        "MB",
        "MB/M rows"
    );
    for case in cases {
        let (tenants, users) = case
            .split_once(':')
            .map(|(t, u)| (t.parse::<usize>().unwrap(), u.parse::<usize>().unwrap()))
            .unwrap_or_else(|| panic!("`{case}` is not TENANTS:USERS"));
        runtime.block_on(measure(tenants, users));
    }
}

async fn measure(tenants: usize, users: usize) {
    let today = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
    let emulator = Emulator::start(Config {
        rows: users,
        today,
        more_tenants: (1..tenants).map(TenantApp::numbered).collect(),
        ..Config::default()
    })
    .await
    .unwrap();
    let dir = std::env::temp_dir().join(format!(
        "graph-reports-sync-bench-{}-{tenants}-{users}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let secrets = tenants_file(&emulator, &dir);
    let lake = dir.join("lake");

    let backfill = sync(&emulator, &dir, &secrets, &lake, today, Stats::default());
    let size = lake_size(&lake);
    let again = sync(&emulator, &dir, &secrets, &lake, today, emulator.stats());
    let megabytes = size.bytes as f64 / 1e6;
    println!(
        "{tenants:>7} {users:>6} | {:>7.2} s {:>8} {:>9} {:>7} | {:>7.2} s {:>8} {:>6} | {:>6} {:>10} {:>9.1} {:>12.1}",
        backfill.wall.as_secs_f64(),
        backfill.stats.report_calls,
        backfill.stats.downloads,
        backfill.stats.token_requests,
        again.wall.as_secs_f64(),
        again.stats.report_calls,
        again.stats.not_modified,
        size.parts,
        size.rows,
        megabytes,
        megabytes / (size.rows as f64 / 1e6),
    );
    assert_eq!(
        again.stats.conditional_calls, again.stats.report_calls,
        "a second run sent unconditional calls"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Writes the tenants file for every tenant of `emulator`; returns the secrets' variables.
fn tenants_file(emulator: &Emulator, dir: &Path) -> Vec<(String, String)> {
    let mut csv = String::from("tenant_id,client_id,credential\n");
    let mut secrets = Vec::new();
    for (index, app) in emulator.config().tenant_apps().iter().enumerate() {
        let variable = format!("SYNC_BENCH_SECRET_{index}");
        csv.push_str(&format!(
            "{},{},env:{variable}\n",
            app.tenant_id, app.client_id
        ));
        secrets.push((variable, app.client_secret.clone()));
    }
    std::fs::write(dir.join("tenants.csv"), csv).unwrap();
    secrets
}

/// Runs the built tool over every report; the stats are those of this run alone.
fn sync(
    emulator: &Emulator,
    dir: &Path,
    secrets: &[(String, String)],
    lake: &PathBuf,
    today: NaiveDate,
    before: Stats,
) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_graph-reports"));
    command
        .arg("sync")
        .arg("--lake")
        .arg(lake)
        .arg("--tenants")
        .arg(dir.join("tenants.csv"))
        .args(["--base-url", &emulator.base_url()])
        .args(["--today", &today.to_string(), "--quiet"]);
    for name in [
        "GRAPH_TOKEN",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
    ] {
        command.env_remove(name);
    }
    command.env("AZURE_AUTHORITY_HOST", emulator.authority_host());
    command.envs(secrets.iter().map(|(name, value)| (name, value)));
    let started = Instant::now();
    let output = command.output().unwrap();
    let wall = started.elapsed();
    assert!(
        output.status.success(),
        "sync failed ({:?}): {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    let after = emulator.stats();
    Run {
        wall,
        stats: Stats {
            report_calls: after.report_calls - before.report_calls,
            conditional_calls: after.conditional_calls - before.conditional_calls,
            not_modified: after.not_modified - before.not_modified,
            downloads: after.downloads - before.downloads,
            token_requests: after.token_requests - before.token_requests,
            ..Stats::default()
        },
    }
}

/// Parts, the rows their manifests count, and the parts' bytes.
fn lake_size(lake: &Path) -> LakeSize {
    let mut size = LakeSize {
        parts: 0,
        rows: 0,
        bytes: 0,
    };
    let mut folders = vec![lake.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path
                .extension()
                .is_some_and(|extension| extension == "parquet")
            {
                size.parts += 1;
                size.bytes += std::fs::metadata(&path).unwrap().len();
            } else if path
                .file_name()
                .is_some_and(|name| name == "_manifest.json")
            {
                let manifest: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
                size.rows += manifest["rows"].as_u64().unwrap();
            }
        }
    }
    size
}
