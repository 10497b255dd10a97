//! `graph-reports sync` over many tenants, run as a built tool against emulators started here:
//! which credentials it reads, how tenant ids are filed, and that one tenant's trouble stays
//! that tenant's.
#![allow(clippy::unwrap_used, reason = "a test fails loudly on setup errors")]

mod common;

use std::path::{Path, PathBuf};

use chrono::TimeDelta;
use common::sync::{BY_DAY, BY_PERIOD, assert_success, scratch, sync, text, today};
use graph_emulator::{Config, Emulator, TenantApp};

fn manifests(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_owned()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.ends_with("_manifest.json") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// An emulator serving `apps` besides its own tenant, with a fixed today and three users.
async fn emulator(apps: &[TenantApp]) -> Emulator {
    Emulator::start(Config {
        rows: 3,
        today: today(),
        more_tenants: apps.to_vec(),
        ..Config::default()
    })
    .await
    .unwrap()
}

/// A tenants file naming `apps` (secrets in `SYNC_SECRET_<n>`, `ids` as written in the file),
/// and the environment holding their secrets and the emulator's authority.
fn tenants_file(
    dir: &Path,
    emulator: &Emulator,
    apps: &[TenantApp],
    ids: &[&str],
) -> (PathBuf, Vec<(String, String)>) {
    let mut text = String::from("tenant_id,client_id,credential\n");
    let mut env = vec![("AZURE_AUTHORITY_HOST".to_owned(), emulator.authority_host())];
    for (n, (app, id)) in apps.iter().zip(ids).enumerate() {
        text.push_str(&format!("{id},{},env:SYNC_SECRET_{n}\n", app.client_id));
        env.push((format!("SYNC_SECRET_{n}"), app.client_secret.clone()));
    }
    let path = dir.join("tenants.csv");
    std::fs::write(&path, text).unwrap();
    (path, env)
}

fn pairs(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The arguments of a sync of `file` into `lake` from `emulator`, then `more`.
fn arguments<'a>(
    lake: &'a Path,
    file: &'a Path,
    base_url: &'a str,
    today: &'a str,
    more: &[&'a str],
) -> Vec<&'a str> {
    let mut arguments = vec![
        "--lake",
        lake.to_str().unwrap(),
        "--tenants",
        file.to_str().unwrap(),
        "--base-url",
        base_url,
        "--today",
        today,
    ];
    arguments.extend_from_slice(more);
    arguments
}

#[test]
fn azure_variables_meant_for_the_lake_do_not_stop_an_emulator_sync() {
    let dir = scratch("workload-identity");
    let lake = dir.join("lake");
    let since = (today() - TimeDelta::days(1)).to_string();
    let today = today().to_string();
    // AKS workload identity sets the tenant and client id, no secret: for the object store.
    let workload_identity = [
        ("AZURE_TENANT_ID", "11111111-1111-4111-8111-111111111111"),
        ("AZURE_CLIENT_ID", "22222222-2222-4222-8222-222222222222"),
        ("AZURE_FEDERATED_TOKEN_FILE", "/var/run/secrets/token"),
    ];
    let output = sync(
        &workload_identity,
        &[
            "--emulator",
            "--lake",
            lake.to_str().unwrap(),
            "--today",
            &today,
            "--since",
            &since,
            "--report",
            BY_DAY,
            "--quiet",
        ],
    );
    assert_success(&output);
    assert_eq!(manifests(&lake).len(), 1);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tenants_sync_ignores_credential_variables_and_files_ids_lowercase() {
    let mut app = TenantApp::numbered(1);
    app.tenant_id = "contoso.example".to_owned();
    let emulator = emulator(std::slice::from_ref(&app)).await;
    let dir = scratch("lowercase");
    let lake = dir.join("lake");
    let (file, mut env) = tenants_file(&dir, &emulator, &[app], &["Contoso.Example"]);
    // Both kinds at once would be refused as the sync's own credentials; here they are not.
    env.push(("GRAPH_TOKEN".to_owned(), "unused".to_owned()));
    env.push(("AZURE_TENANT_ID".to_owned(), "other.example".to_owned()));
    env.push(("AZURE_CLIENT_ID".to_owned(), "app".to_owned()));
    let since = (today() - TimeDelta::days(1)).to_string();
    let (base_url, today) = (emulator.base_url(), today().to_string());
    let output = sync(
        &pairs(&env),
        &arguments(
            &lake,
            &file,
            &base_url,
            &today,
            &["--since", &since, "--report", BY_DAY],
        ),
    );
    assert_success(&output);
    let found = manifests(&lake);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with(lake.join("tenant=contoso.example")),
        "{found:?}"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&found[0]).unwrap()).unwrap();
    assert_eq!(manifest["tenant_id"], "contoso.example");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tenant_whose_lake_cannot_be_read_fails_alone() {
    let apps = [TenantApp::numbered(1), TenantApp::numbered(2)];
    let emulator = emulator(&apps).await;
    let dir = scratch("planning");
    let lake = dir.join("lake");
    let ids: Vec<&str> = apps.iter().map(|app| app.tenant_id.as_str()).collect();
    let (file, env) = tenants_file(&dir, &emulator, &apps, &ids);
    // The first tenant holds a manifest no version of the tool wrote: planning it fails.
    let held = lake
        .join(format!("tenant={}", apps[0].tenant_id))
        .join(format!("report={BY_PERIOD}/period=D7/date=2026-06-10"));
    std::fs::create_dir_all(&held).unwrap();
    std::fs::write(held.join("_manifest.json"), "not json").unwrap();
    std::fs::write(held.join("part-00000.parquet"), "not parquet").unwrap();
    let (base_url, today) = (emulator.base_url(), today().to_string());
    let output = sync(
        &pairs(&env),
        &arguments(&lake, &file, &base_url, &today, &["--report", BY_PERIOD]),
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!("tenant {}: planning", apps[0].tenant_id)),
        "{stderr}"
    );
    assert_eq!(
        manifests(&lake.join(format!("tenant={}", apps[1].tenant_id))).len(),
        1,
        "the other tenant was not synced: {stderr}"
    );
    assert!(
        lake.join(format!("tenant={}/_sync.json", apps[1].tenant_id))
            .exists()
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_after_beyond_the_longest_wait_stops_the_tenant_alone() {
    let mut throttled = TenantApp::numbered(1);
    throttled.throttle_first = 1;
    throttled.retry_after = 3600;
    let apps = [throttled, TenantApp::numbered(2)];
    let emulator = emulator(&apps).await;
    let dir = scratch("long-retry-after");
    let lake = dir.join("lake");
    let ids: Vec<&str> = apps.iter().map(|app| app.tenant_id.as_str()).collect();
    let (file, env) = tenants_file(&dir, &emulator, &apps, &ids);
    let since = (today() - TimeDelta::days(3)).to_string();
    let (base_url, today) = (emulator.base_url(), today().to_string());
    let output = sync(
        &pairs(&env),
        &arguments(
            &lake,
            &file,
            &base_url,
            &today,
            &[
                "--since",
                &since,
                "--report",
                BY_DAY,
                "--tenant-concurrency",
                "1",
            ],
        ),
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    // Its other days would each have met a 429 of their own: they are not sent.
    let stats = emulator.tenant_stats(&apps[0].tenant_id).unwrap();
    assert_eq!((stats.report_calls, stats.throttled), (1, 1));
    let summary = text(&output.stdout);
    assert!(
        summary.contains("2 not tried after Graph asked to wait 3600 s"),
        "{summary}"
    );
    assert_eq!(
        manifests(&lake.join(format!("tenant={}", apps[1].tenant_id))).len(),
        3
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_request_for_the_oldest_day_is_a_day_no_longer_served() {
    let apps = [TenantApp::numbered(1)];
    let emulator = emulator(&apps).await;
    let dir = scratch("edge");
    let lake = dir.join("lake");
    let (file, env) = tenants_file(&dir, &emulator, &apps, &[apps[0].tenant_id.as_str()]);
    // A day behind the service: the oldest day counted here is one Graph no longer serves.
    let behind = (today() - TimeDelta::days(1)).to_string();
    let base_url = emulator.base_url();
    let output = sync(
        &pairs(&env),
        &arguments(&lake, &file, &base_url, &behind, &["--report", BY_DAY]),
    );
    assert_success(&output);
    let summary = text(&output.stdout);
    assert!(summary.contains("1 no longer served by Graph"), "{summary}");
    assert_eq!(manifests(&lake).len(), 29);
    std::fs::remove_dir_all(dir).unwrap();
}
