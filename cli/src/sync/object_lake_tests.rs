//! The sync against object stores, the same rules as the folder lake's end-to-end tests
//! (cli/tests/sync.rs): a backfill, a second run that writes nothing, a part without its
//! manifest fetched again (or kept, when Graph no longer serves its day), and shards filling one store with what one worker writes. Each runs
//! on `object_store`'s in-memory store and its local-file store. The built binary cannot reach
//! an in-memory store, so these drive [`super::run_in`], the run behind `sync`, with an
//! emulator of three tenants standing in for Graph and Entra ID.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{NaiveDate, TimeDelta};
use graph_emulator::{Config, Emulator, TenantApp};
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt as _, PutPayload};
use parquet::file::reader::{FileReader as _, SerializedFileReader};

use super::lake::Lake;
use super::options::SyncOptions;
use super::store::Store;
use super::store::object::ObjectLake;
use crate::sync_args::{Shard, SyncArgs};

const BY_DAY: &str = "teams_user_activity_user_detail";
const BY_PERIOD: &str = "office365_services_user_counts";
const ONCE: &str = "office365_activations_user_detail";
/// The lake's prefix in each store.
const PREFIX: &str = "graph/lake";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()
}

/// An emulator serving three extra tenants, and a tenants file naming them.
struct World {
    emulator: Emulator,
    apps: Vec<TenantApp>,
    tenants_file: PathBuf,
}

async fn world(scratch: &std::path::Path) -> World {
    let apps: Vec<TenantApp> = (1..=3).map(TenantApp::numbered).collect();
    let emulator = Emulator::start(Config {
        rows: 3,
        today: today(),
        more_tenants: apps.clone(),
        ..Config::default()
    })
    .await
    .unwrap();
    let mut text = String::from("tenant_id,client_id,credential\n");
    for (n, app) in apps.iter().enumerate() {
        text.push_str(&format!(
            "{},{},env:SYNC_SECRET_{n}\n",
            app.tenant_id, app.client_id
        ));
    }
    let tenants_file = scratch.join("tenants.csv");
    std::fs::write(&tenants_file, text).unwrap();
    World {
        emulator,
        apps,
        tenants_file,
    }
}

/// A scratch folder of its own for each test and store.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "graph-reports-object-lake-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The two stores each test runs on: in memory, and files under `dir`.
fn stores(dir: &std::path::Path) -> Vec<(&'static str, Arc<dyn ObjectStore>)> {
    let files = dir.join("store");
    std::fs::create_dir_all(&files).unwrap();
    vec![
        ("memory", Arc::new(InMemory::new())),
        (
            "local files",
            Arc::new(LocalFileSystem::new_with_prefix(files).unwrap()),
        ),
    ]
}

/// Runs `graph-reports sync --tenants FILE --report REPORTS --since SINCE [--shard SHARD]`
/// into `store`.
async fn sync(
    world: &World,
    store: &Arc<dyn ObjectStore>,
    reports: &[&str],
    since: NaiveDate,
    shard: Option<Shard>,
) {
    let options = SyncOptions::from_args(SyncArgs {
        lake: "named-in-the-banner-only".into(),
        reports: reports
            .iter()
            .map(|id| reports_sdk::find_report(id).unwrap())
            .collect(),
        since: Some(since),
        tenants: Some(world.tenants_file.clone()),
        shard,
        base_url: Some(world.emulator.base_url()),
        today: Some(today()),
        quiet: true,
        ..SyncArgs::default()
    })
    .unwrap();
    let lake = Lake::new(Store::Object(ObjectLake::new(
        store.clone(),
        ObjectPath::from(PREFIX),
        format!("test:///{PREFIX}"),
    )));
    let authority = world.emulator.authority_host();
    let secrets: Vec<String> = world
        .apps
        .iter()
        .map(|app| app.client_secret.clone())
        .collect();
    let env = move |name: &str| match name {
        "AZURE_AUTHORITY_HOST" => Some(authority.clone()),
        _ => name
            .strip_prefix("SYNC_SECRET_")
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| secrets.get(n).cloned()),
    };
    super::run_in(lake, options, None, env).await.unwrap();
}

/// Every object under the lake's prefix, relative to it, with its ETag and size.
async fn objects(store: &Arc<dyn ObjectStore>) -> BTreeMap<String, (Option<String>, u64)> {
    let prefix = ObjectPath::from(PREFIX);
    let mut found = BTreeMap::new();
    let listed: Vec<_> = futures_util::TryStreamExt::try_collect(store.list(Some(&prefix)))
        .await
        .unwrap();
    for object in listed {
        let relative: Vec<String> = object
            .location
            .prefix_match(&prefix)
            .unwrap()
            .map(|part| part.as_ref().to_owned())
            .collect();
        found.insert(relative.join("/"), (object.e_tag, object.size));
    }
    found
}

async fn get(store: &Arc<dyn ObjectStore>, relative: &str) -> Vec<u8> {
    let path = ObjectPath::from(format!("{PREFIX}/{relative}"));
    let bytes = store.get(&path).await.unwrap().bytes().await.unwrap();
    bytes.to_vec()
}

/// The rows of the Parquet part in `folder`, read back with the Parquet reader.
async fn part_rows(store: &Arc<dyn ObjectStore>, folder: &str) -> i64 {
    let path = ObjectPath::from(format!("{PREFIX}/{folder}/part-00000.parquet"));
    let bytes = store.get(&path).await.unwrap().bytes().await.unwrap();
    SerializedFileReader::new(bytes)
        .unwrap()
        .metadata()
        .file_metadata()
        .num_rows()
}

fn manifest(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).unwrap()
}

fn day_folder(tenant: &str, report: &str, day: NaiveDate) -> String {
    format!("tenant={tenant}/report={report}/date={day}")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backfill_then_a_second_run_that_writes_nothing() {
    let dir = scratch("backfill");
    let world = world(&dir).await;
    for (name, store) in stores(&dir) {
        let calls = world.emulator.stats();
        let first_day = today() - TimeDelta::days(30);
        sync(&world, &store, &[BY_DAY, BY_PERIOD, ONCE], first_day, None).await;
        let after_first = objects(&store).await;
        let refreshed = today() - TimeDelta::days(1);
        for app in &world.apps {
            let tenant = &app.tenant_id;
            let days = after_first
                .keys()
                .filter(|key| {
                    key.starts_with(&format!("tenant={tenant}/report={BY_DAY}/date="))
                        && key.ends_with("/part-00000.parquet")
                })
                .count();
            assert_eq!(days, 30, "{name}: {tenant}");
            for folder in [
                day_folder(tenant, BY_DAY, first_day),
                day_folder(tenant, BY_DAY, refreshed),
                format!("tenant={tenant}/report={BY_PERIOD}/period=D7/date={refreshed}"),
                day_folder(tenant, ONCE, refreshed),
            ] {
                let rows = part_rows(&store, &folder).await;
                let held = manifest(&get(&store, &format!("{folder}/_manifest.json")).await);
                assert_eq!(held["rows"], rows, "{name}: {folder}");
                assert!(rows > 0, "{name}: {folder}");
            }
            assert!(after_first.contains_key(&format!("tenant={tenant}/_sync.json")));
        }
        // Per tenant: 32 parts, 32 manifests, the finished record; nothing hidden or staged.
        assert_eq!(
            after_first.len(),
            3 * 65,
            "{name}: {:?}",
            after_first.keys()
        );
        assert!(
            !after_first.keys().any(|key| key.contains("partial")),
            "{name}"
        );
        let first_calls = world.emulator.stats();
        assert_eq!(
            first_calls.report_calls - calls.report_calls,
            3 * 32,
            "{name}"
        );

        sync(&world, &store, &[BY_DAY, BY_PERIOD, ONCE], first_day, None).await;
        let second_calls = world.emulator.stats();
        // The days held are not asked for; the others only with If-None-Match, and unchanged.
        assert_eq!(
            second_calls.report_calls - first_calls.report_calls,
            3 * 2,
            "{name}"
        );
        assert_eq!(
            second_calls.not_modified - first_calls.not_modified,
            3 * 2,
            "{name}"
        );
        let data = |objects: BTreeMap<String, (Option<String>, u64)>| {
            objects
                .into_iter()
                .filter(|(key, _)| !key.ends_with("/_sync.json"))
                .collect::<BTreeMap<_, _>>()
        };
        assert!(
            data(after_first) == data(objects(&store).await),
            "{name}: the second run rewrote objects"
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_part_without_its_manifest_is_fetched_again_and_one_of_a_day_gone_is_kept() {
    let dir = scratch("orphan");
    let world = world(&dir).await;
    let since = today() - TimeDelta::days(3);
    for (name, store) in stores(&dir) {
        sync(&world, &store, &[BY_DAY], since, None).await;
        // A run killed between the part and its manifest, in the window and out of it.
        let tenant = &world.apps[1].tenant_id;
        let cut_short = day_folder(tenant, BY_DAY, today() - TimeDelta::days(2));
        let gone = day_folder(tenant, BY_DAY, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        let path = |relative: String| ObjectPath::from(format!("{PREFIX}/{relative}"));
        store
            .delete(&path(format!("{cut_short}/_manifest.json")))
            .await
            .unwrap();
        for folder in [&cut_short, &gone] {
            store
                .put(
                    &path(format!("{folder}/part-00000.parquet")),
                    PutPayload::from_static(b"a part whose manifest a kill cut off"),
                )
                .await
                .unwrap();
        }
        let before = world.emulator.tenant_stats(tenant).unwrap().report_calls;

        sync(&world, &store, &[BY_DAY], since, None).await;
        let after = objects(&store).await;
        assert_eq!(
            world.emulator.tenant_stats(tenant).unwrap().report_calls - before,
            1,
            "{name}: only the day without a manifest is asked for"
        );
        let rows = part_rows(&store, &cut_short).await;
        let held = manifest(&get(&store, &format!("{cut_short}/_manifest.json")).await);
        assert_eq!(held["rows"], rows, "{name}");
        // Graph serves that day no more: the part is the only copy, and whole (a part is only
        // ever put whole), so the sweep leaves it and no call is made for it.
        assert_eq!(
            get(&store, &format!("{gone}/part-00000.parquet")).await,
            b"a part whose manifest a kill cut off",
            "{name}"
        );
        assert!(
            !after.contains_key(&format!("{gone}/_manifest.json")),
            "{name}: {:?}",
            after.keys()
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn two_shards_fill_one_store_with_what_one_worker_writes() {
    let dir = scratch("shards");
    let world = world(&dir).await;
    let since = today() - TimeDelta::days(2);
    let reports = [BY_DAY, BY_PERIOD];
    let pairs = stores(&dir.join("alone"))
        .into_iter()
        .zip(stores(&dir.join("shared")));
    for ((name, alone), (_, shared)) in pairs {
        sync(&world, &alone, &reports, since, None).await;
        let shard = |index| Some(Shard { index, count: 2 });
        // At the same time, as workers on two machines would.
        tokio::join!(
            sync(&world, &shared, &reports, since, shard(0)),
            sync(&world, &shared, &reports, since, shard(1)),
        );
        let (alone, shared) = (objects(&alone).await, objects(&shared).await);
        let names = |objects: &BTreeMap<String, _>| objects.keys().cloned().collect::<Vec<_>>();
        assert_eq!(names(&alone), names(&shared), "{name}");
        // Per tenant: 2 days and 1 period report, each a part and a manifest, and the record.
        assert_eq!(shared.len(), 3 * 7, "{name}: {:?}", shared.keys());
        for app in &world.apps {
            let record = format!("tenant={}/_sync.json", app.tenant_id);
            assert!(shared.contains_key(&record), "{name}: {record}");
        }
    }
    std::fs::remove_dir_all(dir).unwrap();
}
