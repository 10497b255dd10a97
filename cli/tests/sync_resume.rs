//! `graph-reports sync` killed at random moments and run again ends with the lake an
//! uninterrupted run writes: the same files, holding the same rows, with no day missing and none
//! twice. Each seed kills the built tool (SIGKILL, no chance to clean up) one to three times,
//! then lets it finish: first once the lake holds a number of files drawn from what a whole
//! run writes (so the kill lands in the middle of the work however fast the machine is), then
//! at moments drawn from the length of an uninterrupted run.
#![allow(clippy::unwrap_used, reason = "a test fails loudly on setup errors")]

mod common;

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use arrow_array::RecordBatch;
use common::sync::{scratch, sync_command, tenants_file, today};
use graph_emulator::{Config, Emulator, TenantApp};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// Seeds of kill moments; the issue asks for at least 20.
const SEEDS: u64 = 20;

/// A report by day (30 report-days per tenant), one by period and one without parameters.
const REPORTS: &str = "teams_user_activity_user_detail,office365_services_user_counts,office365_activations_user_detail";

/// The columns and manifest fields that say when a run fetched, which differ between any two
/// runs, interrupted or not.
const WHEN_FETCHED: &str = "fetched_at";

/// A tenant's record of its last run (times and counts), rewritten by every run: it must be
/// there, but its content is that run's own.
const RUN_RECORD: &str = "_sync.json";

/// Two tenants, so a kill can land while both are being written.
fn config() -> Config {
    Config {
        rows: 4,
        today: today(),
        more_tenants: vec![TenantApp::numbered(1)],
        ..Config::default()
    }
}

/// Starts `graph-reports sync` into `lake`.
fn start_sync(
    emulator: &Emulator,
    tenants: &(PathBuf, Vec<(String, String)>),
    lake: &Path,
) -> Child {
    let mut command = sync_command(&["--report", REPORTS, "--quiet"]);
    command
        .arg("--lake")
        .arg(lake)
        .arg("--tenants")
        .arg(&tenants.0)
        .args(["--base-url", &emulator.base_url()])
        .args(["--today", &today().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command.env("AZURE_AUTHORITY_HOST", emulator.authority_host());
    command.envs(tenants.1.iter().map(|(name, value)| (name, value)));
    command.spawn().unwrap()
}

/// Runs sync to its end and checks it succeeded.
fn finish_sync(child: Child) {
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// SplitMix64: a few reproducible kill moments per seed, no dependency for it.
struct Moments(u64);

impl Moments {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A moment within `span`.
    fn within(&mut self, span: Duration) -> Duration {
        let micros = u64::try_from(span.as_micros()).unwrap().max(1);
        Duration::from_micros(self.next() % micros)
    }
}

/// What a lake holds, file by file, with what says when it was fetched taken out: a Parquet
/// file as its schema and batches without the `fetched_at` column, a manifest as JSON without
/// its `fetched_at` field, anything else as bytes.
#[derive(Debug, PartialEq)]
enum Held {
    Parquet(Vec<RecordBatch>),
    Manifest(serde_json::Value),
    /// Only whether the run says it completed.
    RunRecord {
        complete: serde_json::Value,
    },
    Other(Vec<u8>),
}

fn held(lake: &Path) -> BTreeMap<String, Held> {
    let mut found = BTreeMap::new();
    if !lake.exists() {
        // Killed before it made the folder.
        return found;
    }
    let mut folders = vec![lake.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let relative = path
                .strip_prefix(lake)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let content = if relative.ends_with(".parquet") {
                Held::Parquet(batches_without_fetched_at(&path))
            } else if relative.ends_with(RUN_RECORD) {
                let record: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
                Held::RunRecord {
                    complete: record["complete"].clone(),
                }
            } else if relative.ends_with("_manifest.json") {
                let mut manifest: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
                let fetched = manifest.as_object_mut().unwrap().remove(WHEN_FETCHED);
                assert!(fetched.is_some(), "{relative} names no {WHEN_FETCHED}");
                Held::Manifest(manifest)
            } else {
                Held::Other(std::fs::read(&path).unwrap())
            };
            found.insert(relative, content);
        }
    }
    found
}

/// Files under `dir` (temporary ones too), by name only: cheap enough to poll.
fn file_count(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() { file_count(&path) } else { 1 }
        })
        .sum()
}

fn batches_without_fetched_at(path: &Path) -> Vec<RecordBatch> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap();
    reader
        .map(|batch| {
            let mut batch = batch.unwrap();
            let index = batch.schema().index_of(WHEN_FETCHED).unwrap();
            batch.remove_column(index);
            batch
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_killed_at_random_moments_then_resumed_equals_an_uninterrupted_run() {
    let emulator = Emulator::start(config()).await.unwrap();
    let dir = scratch("lakes");
    let tenants = tenants_file(&dir, &emulator.config().tenant_apps());

    let whole = dir.join("whole");
    let started = Instant::now();
    finish_sync(start_sync(&emulator, &tenants, &whole));
    let uninterrupted = started.elapsed();
    let expected = held(&whole);
    let parts = expected
        .keys()
        .filter(|name| name.ends_with(".parquet"))
        .count();
    // Two tenants, each 30 days of the daily report, one period and one parameterless report.
    assert_eq!(parts, 2 * (30 + 1 + 1), "{:#?}", expected.keys());

    let mut interrupted_midway = 0;
    for seed in 0..SEEDS {
        let lake = dir.join(format!("seed-{seed}"));
        let mut moments = Moments(seed);
        let kills = 1 + moments.next() % 3;
        let mut killed_midway = false;
        for kill in 0..kills {
            let mut child = start_sync(&emulator, &tenants, &lake);
            if kill == 0 {
                let target = 1 + moments.next() % u64::try_from(expected.len()).unwrap();
                while child.try_wait().unwrap().is_none()
                    && u64::try_from(file_count(&lake)).unwrap() < target
                {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                tokio::time::sleep(moments.within(Duration::from_millis(3))).await;
            } else {
                // Up to a little past an uninterrupted run, so some kills land after the end.
                tokio::time::sleep(moments.within(uninterrupted.mul_f64(1.1))).await;
            }
            if child.try_wait().unwrap().is_none() {
                // Killed while it runs, with some of its work already in the lake.
                killed_midway |= file_count(&lake) > 0;
                child.kill().unwrap();
            }
            child.wait().unwrap();
        }
        if killed_midway {
            interrupted_midway += 1;
        }
        finish_sync(start_sync(&emulator, &tenants, &lake));
        let resumed = held(&lake);
        assert_eq!(
            resumed.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "seed {seed}: the resumed lake's files differ from an uninterrupted run's"
        );
        for (name, content) in &expected {
            assert!(
                resumed[name] == *content,
                "seed {seed}: {name} differs from an uninterrupted run's"
            );
        }
    }
    eprintln!(
        "{interrupted_midway} of {SEEDS} seeds killed a run midway (an uninterrupted run took \
         {uninterrupted:?})"
    );
    // Otherwise the seeds only killed runs before they wrote anything or after they ended, and
    // the test would show nothing about a crash in the middle.
    assert!(
        interrupted_midway >= SEEDS / 2,
        "only {interrupted_midway} of {SEEDS} seeds killed a run in the middle of its work \
         (an uninterrupted run took {uninterrupted:?})"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
