//! Running the built `graph-reports sync` from the tests, with no credential variable of the
//! machine leaking in.

use std::path::PathBuf;
use std::process::{Command, Output};

use chrono::NaiveDate;

/// Reports of each kind: by day, by period.
pub const BY_DAY: &str = "teams_user_activity_user_detail";
pub const BY_PERIOD: &str = "office365_services_user_counts";

/// The variables the tool reads credentials from, removed from every run unless a test sets
/// them.
pub const CREDENTIAL_VARIABLES: &[&str] = &[
    "GRAPH_TOKEN",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_AUTHORITY_HOST",
];

/// The emulators' fixed today, so Graph's 30-day window does not move under a test.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()
}

/// An empty folder of this test process named `name`.
pub fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("graph-reports-sync-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `graph-reports sync ARGUMENTS`, with no credential variable set.
pub fn sync_command(arguments: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_graph-reports"));
    command.arg("sync").args(arguments);
    for name in CREDENTIAL_VARIABLES {
        command.env_remove(name);
    }
    command
}

/// Runs `graph-reports sync` with exactly the credential variables in `env`.
pub fn sync(env: &[(&str, &str)], arguments: &[&str]) -> Output {
    sync_command(arguments)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr)
    );
}

/// A tenants file in `dir` listing `apps`, each secret in its own variable; returns the file
/// and those variables, to set on the run.
pub fn tenants_file(
    dir: &std::path::Path,
    apps: &[graph_emulator::TenantApp],
) -> (PathBuf, Vec<(String, String)>) {
    let mut csv = String::from("tenant_id,client_id,credential\n");
    let mut secrets = Vec::new();
    for (index, app) in apps.iter().enumerate() {
        let variable = format!("SYNC_SECRET_{index}");
        csv.push_str(&format!(
            "{},{},env:{variable}\n",
            app.tenant_id, app.client_id
        ));
        secrets.push((variable, app.client_secret.clone()));
    }
    let path = dir.join("tenants.csv");
    std::fs::write(&path, csv).unwrap();
    (path, secrets)
}
