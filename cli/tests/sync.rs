//! `graph-reports sync` end to end: the built tool fills a lake from an emulator started here
//! with a fixed today, standing in for Graph and Entra ID, and the lake is read back.
#![allow(clippy::unwrap_used, reason = "a test fails loudly on setup errors")]

mod common;

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::SystemTime;

use arrow_array::RecordBatch;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use common::sync::{BY_DAY, BY_PERIOD, assert_success, scratch, sync, tenants_file, text, today};
use common::{from_csv, from_parquet};
use graph_emulator::{Config, Emulator, TenantApp};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use reports_sdk::{AnyRow, ApiVersion, CsvReader, ReportMeta};

/// A report without parameters (`BY_DAY` and `BY_PERIOD` are the other kinds).
const ONCE: &str = "office365_activations_user_detail";

fn config() -> Config {
    Config {
        rows: 3,
        today: today(),
        ..Config::default()
    }
}

fn meta(id: &str) -> &'static ReportMeta {
    reports_sdk::find_report(id).unwrap()
}

/// Runs a sync of the emulator's configured tenant with its static token.
fn sync_with_token(emulator: &Emulator, lake: &Path, more: &[&str]) -> Output {
    let base_url = emulator.base_url();
    let today = today().to_string();
    let mut arguments = vec![
        "--lake",
        lake.to_str().unwrap(),
        "--base-url",
        &base_url,
        "--tenant-id",
        &emulator.config().tenant_id,
        "--today",
        &today,
    ];
    arguments.extend_from_slice(more);
    sync(&[("GRAPH_TOKEN", emulator.token())], &arguments)
}

/// Every file under `dir`, relative, with its bytes and modification time.
fn files(dir: &Path) -> BTreeMap<String, (Vec<u8>, SystemTime)> {
    let mut found = BTreeMap::new();
    let mut folders = vec![dir.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
                found.insert(relative, (std::fs::read(&path).unwrap(), modified));
            }
        }
    }
    found
}

fn manifest(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn fetched_at(manifest_path: &Path) -> DateTime<Utc> {
    manifest(manifest_path)["fetched_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn tenant_dir(lake: &Path, tenant: &str) -> PathBuf {
    lake.join(format!("tenant={tenant}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_run_backfills_and_the_second_asks_only_conditionally() {
    let emulator = Emulator::start(config()).await.unwrap();
    let lake = scratch("backfill");
    let reports = format!("{BY_DAY},{BY_PERIOD},{ONCE}");
    let first = sync_with_token(&emulator, &lake, &["--report", &reports]);
    assert_success(&first);
    let tenant = tenant_dir(&lake, &emulator.config().tenant_id);
    let after_first = files(&lake);
    let under = |prefix: &str, name: &str| {
        after_first
            .keys()
            .filter(|path| path.contains(prefix) && path.ends_with(name))
            .count()
    };
    // The 30 days before today, one part and one manifest each.
    assert_eq!(
        under(&format!("report={BY_DAY}/date="), "/part-00000.parquet"),
        30
    );
    assert_eq!(
        under(&format!("report={BY_DAY}/date="), "/_manifest.json"),
        30
    );
    for day in [today() - TimeDelta::days(30), today() - TimeDelta::days(1)] {
        let folder = tenant.join(format!("report={BY_DAY}/date={day}"));
        assert!(
            folder.join("_manifest.json").is_file(),
            "{}",
            folder.display()
        );
    }
    assert!(
        !tenant
            .join(format!("report={BY_DAY}/date={}", today()))
            .exists()
    );
    let refreshed = today() - TimeDelta::days(1);
    for folder in [
        format!("report={BY_PERIOD}/period=D7/date={refreshed}"),
        format!("report={ONCE}/date={refreshed}"),
    ] {
        assert!(
            tenant.join(&folder).join("part-00000.parquet").is_file(),
            "{folder}"
        );
        assert!(
            tenant.join(&folder).join("_manifest.json").is_file(),
            "{folder}"
        );
    }
    assert_eq!(after_first.len(), 2 * 32 + 1, "{:?}", after_first.keys());
    assert!(after_first.contains_key(&format!(
        "tenant={}/_sync.json",
        emulator.config().tenant_id
    )));
    assert!(!after_first.keys().any(|path| path.ends_with(".partial")));
    let stats = emulator.stats();
    assert_eq!(stats.report_calls, 32);
    assert_eq!(stats.conditional_calls, 0);

    let second = sync_with_token(&emulator, &lake, &["--report", &reports]);
    assert_success(&second);
    let stats_after = emulator.stats();
    // The days held are not asked for; the two other reports only with If-None-Match.
    assert_eq!(stats_after.report_calls - stats.report_calls, 2);
    assert_eq!(stats_after.conditional_calls - stats.conditional_calls, 2);
    assert_eq!(stats_after.not_modified - stats.not_modified, 2);
    let after_second = files(&lake);
    let data = |files: &BTreeMap<String, (Vec<u8>, SystemTime)>| {
        files
            .iter()
            .filter(|(path, _)| !path.ends_with("_sync.json"))
            .map(|(path, file)| (path.clone(), file.clone()))
            .collect::<BTreeMap<_, _>>()
    };
    assert!(
        data(&after_first) == data(&after_second),
        "the second run rewrote files"
    );
    let summary = text(&second.stdout);
    assert!(
        summary.contains("0 day(s) written (0 rows), 2 unchanged (304), 30 already held, 0 failed"),
        "{summary}"
    );
    std::fs::remove_dir_all(lake).unwrap();
}

/// The part's rows, read with the Arrow reader.
fn batches(path: &Path) -> Vec<RecordBatch> {
    ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_lake_holds_the_rows_the_emulator_serves_value_by_value() {
    let emulator = Emulator::start(config()).await.unwrap();
    let tenant_id = emulator.config().tenant_id.clone();
    let lake = scratch("values");
    let since = (today() - TimeDelta::days(3)).to_string();
    let output = sync_with_token(
        &emulator,
        &lake,
        &[
            "--report",
            &format!("{BY_DAY},{BY_PERIOD}"),
            "--since",
            &since,
        ],
    );
    assert_success(&output);
    let refreshed = today() - TimeDelta::days(1);
    let mut checked = Vec::new();
    let calls = (1..=3)
        .map(|ago| {
            let day = today() - TimeDelta::days(ago);
            (
                BY_DAY,
                "date",
                day.to_string(),
                format!("report={BY_DAY}/date={day}"),
            )
        })
        .chain(std::iter::once((
            BY_PERIOD,
            "period",
            "D7".to_owned(),
            format!("report={BY_PERIOD}/period=D7/date={refreshed}"),
        )));
    for (id, parameter, value, folder) in calls {
        let meta = meta(id);
        let folder = tenant_dir(&lake, &tenant_id).join(folder);
        let table = emulator
            .expected_for(
                &tenant_id,
                meta,
                &[(parameter.to_owned(), value)],
                ApiVersion::V1,
            )
            .unwrap();
        let csv = table.to_csv();
        let expected: Vec<AnyRow> = CsvReader::<AnyRow, _>::with_meta(meta, csv.as_slice())
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let batches = batches(&folder.join("part-00000.parquet"));
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        assert_eq!(rows, expected.len(), "{}", folder.display());
        assert!(rows > 0, "{}", folder.display());
        let mut index = 0;
        for batch in &batches {
            for within in 0..batch.num_rows() {
                for column in meta.columns {
                    assert_eq!(
                        from_parquet(batch.column_by_name(column.header).unwrap(), within),
                        from_csv(column, expected[index].get(column.header)),
                        "{}: row {index}, column {:?}",
                        folder.display(),
                        column.header
                    );
                }
                let constant =
                    |name: &str| from_parquet(batch.column_by_name(name).unwrap(), within);
                assert_eq!(constant("tenant_id").as_deref(), Some(tenant_id.as_str()));
                let manifest_path = folder.join("_manifest.json");
                // Graph's Report Refresh Date, not the partition's day.
                let refresh_date = manifest(&manifest_path)["report_refresh_date"]
                    .as_str()
                    .map(str::to_owned);
                assert_eq!(refresh_date, Some(refreshed.to_string()));
                assert_eq!(constant("refresh_date"), refresh_date);
                assert_eq!(
                    constant("fetched_at"),
                    Some(fetched_at(&manifest_path).timestamp_micros().to_string())
                );
                index += 1;
            }
        }
        let schema = batches[0].schema();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        let mut expected_names: Vec<&str> = meta.columns.iter().map(|c| c.header).collect();
        expected_names.extend(["tenant_id", "refresh_date", "fetched_at"]);
        assert_eq!(names, expected_names);
        let manifest = manifest(&folder.join("_manifest.json"));
        assert_eq!(manifest["rows"], rows);
        assert_eq!(manifest["report"], id);
        assert_eq!(manifest["tenant_id"], tenant_id.as_str());
        assert_eq!(manifest["sdk_version"], reports_sdk::VERSION);
        assert!(
            manifest["etag"]
                .as_str()
                .is_some_and(|etag| !etag.is_empty())
        );
        assert!(
            manifest["request_path"]
                .as_str()
                .unwrap()
                .starts_with(&format!("/reports/{}(", meta.function))
        );
        assert!(!manifest.to_string().contains("download"), "{manifest}");
        checked.push(id);
    }
    assert_eq!(checked.len(), 4);
    std::fs::remove_dir_all(lake).unwrap();
}

/// Three extra tenants of the emulator, the second throttled, and a tenants file naming them
/// (secrets in `SYNC_SECRET_<n>`), with the environment to run it.
fn three_tenants(throttled: Option<u32>) -> (Config, Vec<TenantApp>) {
    let apps: Vec<TenantApp> = (1..=3)
        .map(|n| {
            let mut app = TenantApp::numbered(n);
            if n == 2 {
                if let Some(first) = throttled {
                    app.throttle_first = first;
                    app.retry_after = 2;
                }
            }
            app
        })
        .collect();
    let config = Config {
        more_tenants: apps.clone(),
        ..config()
    };
    (config, apps)
}

fn sync_tenants(emulator: &Emulator, apps: &[TenantApp], dir: &Path, more: &[&str]) -> Output {
    let (file, secrets) = tenants_file(dir, apps);
    let lake = dir.join("lake");
    let base_url = emulator.base_url();
    let authority = emulator.authority_host();
    let today = today().to_string();
    let mut env: Vec<(&str, &str)> = secrets
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    env.push(("AZURE_AUTHORITY_HOST", &authority));
    let mut arguments = vec![
        "--lake",
        lake.to_str().unwrap(),
        "--tenants",
        file.to_str().unwrap(),
        "--base-url",
        &base_url,
        "--today",
        &today,
        "--report",
        BY_DAY,
    ];
    arguments.extend_from_slice(more);
    sync(&env, &arguments)
}

fn manifests_of(lake: &Path, tenant: &str) -> Vec<PathBuf> {
    files(&tenant_dir(lake, tenant))
        .into_keys()
        .filter(|path| path.ends_with("_manifest.json"))
        .map(|path| tenant_dir(lake, tenant).join(path))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_throttled_tenant_waits_alone_while_the_others_finish() {
    let (config, apps) = three_tenants(Some(2));
    let emulator = Emulator::start(config).await.unwrap();
    let dir = scratch("throttled");
    let since = (today() - TimeDelta::days(3)).to_string();
    // One call in flight in all: a throttled tenant holding it through its waits would stall
    // the others until its own calls went through.
    let output = sync_tenants(
        &emulator,
        &apps,
        &dir,
        &[
            "--since",
            &since,
            "--concurrency",
            "1",
            "--tenant-concurrency",
            "1",
        ],
    );
    assert_success(&output);
    let lake = dir.join("lake");
    let throttled = &apps[1].tenant_id;
    assert_eq!(emulator.tenant_stats(throttled).unwrap().throttled, 2);
    let mut others_last = Vec::new();
    for app in [&apps[0], &apps[2]] {
        assert_eq!(emulator.tenant_stats(&app.tenant_id).unwrap().throttled, 0);
        let manifests = manifests_of(&lake, &app.tenant_id);
        assert_eq!(manifests.len(), 3, "{}", app.tenant_id);
        others_last.extend(manifests.iter().map(|path| fetched_at(path)));
    }
    let throttled_manifests = manifests_of(&lake, throttled);
    assert_eq!(throttled_manifests.len(), 3);
    let throttled_first = throttled_manifests
        .iter()
        .map(|path| fetched_at(path))
        .min()
        .unwrap();
    let others_last = others_last.into_iter().max().unwrap();
    assert!(
        others_last < throttled_first,
        "the other tenants finished at {others_last}, after the throttled one's first day at {throttled_first}"
    );
    let summary = text(&output.stdout);
    assert!(summary.contains("2 throttled wait(s)"), "{summary}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shard_takes_every_nth_tenant_of_the_file() {
    let (config, apps) = three_tenants(None);
    let emulator = Emulator::start(config).await.unwrap();
    let dir = scratch("shard");
    let since = (today() - TimeDelta::days(1)).to_string();
    let output = sync_tenants(
        &emulator,
        &apps,
        &dir,
        &["--since", &since, "--shard", "1/2"],
    );
    assert_success(&output);
    let lake = dir.join("lake");
    let present: Vec<bool> = apps
        .iter()
        .map(|app| tenant_dir(&lake, &app.tenant_id).exists())
        .collect();
    assert_eq!(present, [false, true, false]);
    assert_eq!(manifests_of(&lake, &apps[1].tenant_id).len(), 1);
    assert_eq!(
        emulator
            .tenant_stats(&apps[0].tenant_id)
            .unwrap()
            .report_calls,
        0
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_bad_tenants_file_is_refused_line_by_line_without_quoting_credentials() {
    let dir = scratch("bad-file");
    let file = dir.join("tenants.csv");
    std::fs::write(
        &file,
        "tenant_id,client_id,credential\ngood.example,app,env:SYNC_TEST_PRESENT\nbad tenant,app,env:X\nc.example,app,s3cret-pasted-here\ngood.example,app,env:Y\n",
    )
    .unwrap();
    let lake = dir.join("lake");
    let output = sync(
        &[],
        &[
            "--lake",
            lake.to_str().unwrap(),
            "--tenants",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    for expected in [
        "tenants.csv line 3: tenant_id",
        "tenants.csv line 4: tenant c.example: credential must be env:VAR or file:PATH",
        "tenants.csv line 5: tenant good.example is already on line 2",
    ] {
        assert!(stderr.contains(expected), "{expected}: {stderr}");
    }
    assert!(!stderr.contains("s3cret"), "{stderr}");
    assert!(!lake.exists());

    std::fs::write(
        &file,
        "tenant_id,client_id,credential\na.example,app,env:SYNC_TEST_PRESENT\nb.example,app,env:SYNC_TEST_MISSING\nc.example,app,file:missing-secret.txt\n",
    )
    .unwrap();
    let output = sync(
        &[
            ("SYNC_TEST_PRESENT", "the-secret-value"),
            ("SYNC_TEST_MISSING", ""),
        ],
        &[
            "--lake",
            lake.to_str().unwrap(),
            "--tenants",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("line 3 (tenant b.example): the environment variable SYNC_TEST_MISSING is not set or empty"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 4 (tenant c.example): cannot read the secret file"),
        "{stderr}"
    );
    assert!(stderr.contains("missing-secret.txt"), "{stderr}");
    assert!(!stderr.contains("the-secret-value"), "{stderr}");
    assert!(!lake.exists());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn without_credentials_synthetic_rows_need_emulator_by_name() {
    let lake = scratch("no-credentials").join("lake");
    let output = sync(&[], &["--lake", lake.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("only with --emulator"));
    let output = sync(&[("GRAPH_TOKEN", "t")], &["--lake", lake.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("give --tenant-id"));
    assert!(!lake.exists());
}

/// The manifest of `BY_DAY`'s `day` in `lake`.
fn day_manifest(lake: &Path, tenant: &str, day: NaiveDate) -> serde_json::Value {
    manifest(
        &tenant_dir(lake, tenant)
            .join(format!("report={BY_DAY}/date={day}"))
            .join("_manifest.json"),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn days_graph_had_not_processed_are_asked_again_until_their_rows_land() {
    let late = Emulator::start(Config {
        faults: graph_emulator::Faults {
            unpublished_days: 2,
            ..graph_emulator::Faults::default()
        },
        ..config()
    })
    .await
    .unwrap();
    let tenant = late.config().tenant_id.clone();
    let lake = scratch("provisional");
    let since = (today() - TimeDelta::days(4)).to_string();
    let arguments = ["--report", BY_DAY, "--since", &since];
    let unprocessed = [today() - TimeDelta::days(2), today() - TimeDelta::days(1)];
    assert_success(&sync_with_token(&late, &lake, &arguments));
    for day in unprocessed {
        assert_eq!(day_manifest(&lake, &tenant, day)["rows"], 0, "{day}");
    }
    let processed = today() - TimeDelta::days(3);
    assert!(day_manifest(&lake, &tenant, processed)["rows"].as_u64() > Some(0));

    // Still unprocessed: only the two days, each conditionally, each unchanged.
    let before = late.stats();
    let again = sync_with_token(&late, &lake, &arguments);
    assert_success(&again);
    let after = late.stats();
    assert_eq!(after.report_calls - before.report_calls, 2);
    assert_eq!(after.conditional_calls - before.conditional_calls, 2);
    assert_eq!(after.not_modified - before.not_modified, 2);
    assert!(
        text(&again.stdout)
            .contains("0 day(s) written (0 rows), 2 unchanged (304), 2 already held"),
        "{}",
        text(&again.stdout)
    );

    // Graph caught up: the two days are asked conditionally and replaced with their rows.
    let caught_up = Emulator::start(config()).await.unwrap();
    let before = caught_up.stats();
    assert_success(&sync_with_token(&caught_up, &lake, &arguments));
    let after = caught_up.stats();
    assert_eq!(after.report_calls - before.report_calls, 2);
    assert_eq!(after.conditional_calls - before.conditional_calls, 2);
    assert_eq!(after.not_modified - before.not_modified, 0);
    for day in unprocessed {
        let held = day_manifest(&lake, &tenant, day);
        assert!(held["rows"].as_u64() > Some(0), "{day}: {held}");
        let part = tenant_dir(&lake, &tenant)
            .join(format!("report={BY_DAY}/date={day}"))
            .join("part-00000.parquet");
        let rows: usize = batches(&part).iter().map(RecordBatch::num_rows).sum();
        assert_eq!(held["rows"], rows, "{day}");
    }

    // Final now: nothing is asked.
    let before = caught_up.stats();
    assert_success(&sync_with_token(&caught_up, &lake, &arguments));
    assert_eq!(caught_up.stats().report_calls - before.report_calls, 0);
    std::fs::remove_dir_all(lake).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_column_microsoft_added_is_kept_as_text_and_named_in_the_manifest() {
    let emulator = Emulator::start(Config {
        drift: graph_emulator::Drift {
            extra_column: true,
            ..graph_emulator::Drift::default()
        },
        ..config()
    })
    .await
    .unwrap();
    let tenant_id = emulator.config().tenant_id.clone();
    let lake = scratch("drift");
    let day = today() - TimeDelta::days(1);
    let output = sync_with_token(
        &emulator,
        &lake,
        &["--report", BY_DAY, "--since", &day.to_string()],
    );
    assert_success(&output);

    let folder = tenant_dir(&lake, &tenant_id).join(format!("report={BY_DAY}/date={day}"));
    let manifest = manifest(&folder.join("_manifest.json"));
    assert_eq!(
        manifest["drift"]["unknown_columns"],
        serde_json::json!([graph_emulator::EXTRA_COLUMN])
    );
    let expected = emulator.expected(
        meta(BY_DAY),
        &[("date".to_owned(), day.to_string())],
        ApiVersion::V1,
    );
    let batches = batches(&folder.join("part-00000.parquet"));
    let mut values = Vec::new();
    for batch in &batches {
        let column = batch
            .column_by_name(graph_emulator::EXTRA_COLUMN)
            .expect("the added column is in the file");
        let column = column
            .as_any()
            .downcast_ref::<arrow_array::StringArray>()
            .unwrap();
        values.extend(column.iter().map(|value| value.map(str::to_owned)));
    }
    let served: Vec<Option<String>> = (0..expected.rows.len())
        .map(|row| {
            expected
                .cell(row, graph_emulator::EXTRA_COLUMN)
                .map(graph_emulator::Cell::csv_text)
        })
        .collect();
    assert_eq!(values, served);
    assert!(!values.is_empty());
    let _ = std::fs::remove_dir_all(&lake);
}
