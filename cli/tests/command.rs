//! The built `graph-reports` binary, run as a user would, against the embedded emulator (no
//! credentials) or against an emulator started here standing in for Graph and Entra ID (with a
//! token, or signing in as an app with the `AZURE_*` variables).
#![allow(clippy::unwrap_used, reason = "a test fails loudly on setup errors")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use graph_emulator::{Config, Emulator};
use reports_sdk::ReportMeta;

/// The variables the tool reads credentials from: none leaks in from the caller's environment.
const CREDENTIAL_VARIABLES: &[&str] = &[
    "GRAPH_TOKEN",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_AUTHORITY_HOST",
];

/// Runs the binary with `arguments` and exactly the credential variables in `env`.
fn run_with_env(env: &[(&str, &str)], arguments: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_graph-reports"));
    command.args(arguments);
    for name in CREDENTIAL_VARIABLES {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    command.output().unwrap()
}

/// Runs the binary with `arguments` and no credentials.
fn run(arguments: &[&str]) -> Output {
    run_with_env(&[], arguments)
}

fn run_with_token(token: &str, arguments: &[&str]) -> Output {
    run_with_env(&[("GRAPH_TOKEN", token)], arguments)
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn meta(id: &str) -> &'static ReportMeta {
    reports_sdk::catalog()
        .iter()
        .copied()
        .find(|meta| meta.id == id)
        .unwrap()
}

fn headers(id: &str) -> Vec<&'static str> {
    meta(id)
        .columns
        .iter()
        .map(|column| column.header)
        .collect()
}

/// `<report id>.<form>`: how the tool names the file of the report's first form (the one
/// `--period` selects), `<form>` being its parameter (`period`) or `none`, as the README says.
fn first_form_key(meta: &ReportMeta) -> String {
    let form = &meta.forms[0];
    let parameters: Vec<&str> = form
        .parameters
        .iter()
        .map(|index| meta.parameters[*index].name)
        .collect();
    if parameters.is_empty() {
        format!("{}.none", meta.id)
    } else {
        format!("{}.{}", meta.id, parameters.join("-"))
    }
}

/// The names of the files in `dir`, sorted.
fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A fresh, empty folder for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("graph-reports-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn path_text(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn with_no_arguments_every_report_runs_against_the_emulator() {
    let output = run(&[]);
    let text = stdout(&output);
    assert!(output.status.success(), "{text}\n{}", stderr(&output));
    assert!(text.contains("LOCAL GRAPH EMULATOR"), "{text}");
    assert!(text.contains("because no credentials are set"), "{text}");
    assert!(text.contains("set AZURE_TENANT_ID"), "{text}");
    for meta in reports_sdk::catalog() {
        assert!(
            text.contains(&format!("== {} ==", meta.id)),
            "{} missing:\n{text}",
            meta.id
        );
        assert!(text.contains(meta.function), "{text}");
    }
    let reports = reports_sdk::catalog().len();
    let forms: usize = reports_sdk::catalog()
        .iter()
        .map(|meta| meta.forms.len())
        .sum();
    let total = text.lines().last().unwrap();
    assert!(
        total.starts_with(&format!("Total: {reports} reports, {forms} forms, ")),
        "{total}"
    );
    // Not a terminal: no progress line.
    assert_eq!(stderr(&output), "");
}

/// Runs the binary with a token against `emulator` (standing in for Graph), off the async
/// runtime the emulator serves from.
async fn run_against(emulator: &Emulator, arguments: &[&str]) -> Output {
    let mut all = vec!["--base-url".to_owned(), emulator.base_url()];
    all.extend(arguments.iter().map(|argument| (*argument).to_owned()));
    let token = emulator.token().to_owned();
    tokio::task::spawn_blocking(move || {
        let arguments: Vec<&str> = all.iter().map(String::as_str).collect();
        run_with_token(&token, &arguments)
    })
    .await
    .unwrap()
}

/// The `(name, value)` pairs of the call `--period D7` makes of `meta`.
fn d7_arguments(meta: &ReportMeta) -> Vec<(String, String)> {
    meta.parameters
        .iter()
        .filter(|parameter| parameter.name == "period" && !parameter.optional)
        .map(|_| ("period".to_owned(), "D7".to_owned()))
        .collect()
}

/// `--out x.csv` writes the file Graph serves, byte for byte (BOM, CRLF, headers, quoting,
/// `True`/`False`, joined lists, durations, timestamps), so it can stand in for a file
/// downloaded by hand; `--out x.json` writes Graph's JSON property names and values (lists as
/// arrays, booleans as booleans). Every report, so every column type is covered.
#[tokio::test(flavor = "multi_thread")]
async fn out_files_are_what_graph_would_have_served() {
    let emulator = Emulator::start(Config {
        rows: 7,
        ..Config::default()
    })
    .await
    .unwrap();
    let dir = scratch("faithful");
    for extension in ["csv", "json"] {
        let out = dir.join(format!("out.{extension}"));
        let output = run_against(&emulator, &["--period", "D7", "--out", path_text(&out)]).await;
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let mut compared = 0;
    for meta in reports_sdk::catalog() {
        let Ok(csv) = std::fs::read(dir.join(format!("out.{}.csv", first_form_key(meta)))) else {
            // Not served on v1.0 (beta-only reports are fetched from beta, still as CSV) or
            // fetched under its form's name: checked below by what was found.
            continue;
        };
        let version = meta
            .versions
            .iter()
            .find(|version| version.version == reports_sdk::ApiVersion::V1)
            .map_or(reports_sdk::ApiVersion::Beta, |version| version.version);
        let expected = emulator.expected(meta, &d7_arguments(meta), version);
        assert_eq!(
            String::from_utf8_lossy(&csv),
            String::from_utf8_lossy(&expected.to_csv()),
            "{}",
            meta.id
        );

        let json: Vec<serde_json::Value> = serde_json::from_slice(
            &std::fs::read(dir.join(format!("out.{}.json", first_form_key(meta)))).unwrap(),
        )
        .unwrap();
        assert_eq!(json.len(), expected.rows.len(), "{}", meta.id);
        for (index, object) in json.iter().enumerate() {
            let object = object.as_object().unwrap();
            let names: Vec<&str> = object.keys().map(String::as_str).collect();
            let spec: Vec<&str> = meta.columns.iter().map(|column| column.json).collect();
            assert_eq!(names, spec, "{}", meta.id);
            for column in meta.columns {
                let cell = expected.cell(index, column.header).unwrap();
                // Graph writes `null` for an empty cell; a typed row holds a required text
                // or list column's empty value, which is written as such.
                let wanted = match (cell, column.ty, column.optional) {
                    (graph_emulator::Cell::Empty, reports_sdk::ColumnType::String, false) => {
                        serde_json::json!("")
                    }
                    (graph_emulator::Cell::Empty, reports_sdk::ColumnType::List { .. }, false) => {
                        serde_json::json!([])
                    }
                    _ => cell.service_json(),
                };
                assert_eq!(object[column.json], wanted, "{} {}", meta.id, column.header);
            }
        }
        compared += 1;
    }
    // Reports with several forms under `--period` are written under the form's name; every
    // other one was compared.
    assert!(compared > 80, "only {compared} reports compared");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_output_reads_back_with_the_spec_headers() {
    // The stress mix (commas and quotes in text), with enough rows to be written in several
    // pieces: the embedded emulator serves realistic data, so one is started here.
    let emulator = Emulator::start(Config {
        quirks: true,
        rows: 3000,
        ..Config::default()
    })
    .await
    .unwrap();
    let dir = scratch("csv");
    let file = dir.join("rows.csv");
    let output = run_against(
        &emulator,
        &[
            "--report",
            "office365_activations_user_counts",
            "--out",
            path_text(&file),
        ],
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    let mut reader = csv::Reader::from_path(&file).unwrap();
    let file_headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(file_headers, headers("office365_activations_user_counts"));
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 3000);
    assert!(std::fs::metadata(&file).unwrap().len() > 2 * 64 * 1024);
    // Commas and quotes in values survive the round trip.
    assert!(
        records
            .iter()
            .any(|record| record[1].contains(", \"quoted\""))
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// A tenant's file with blank counts: by default every good row is written, each skipped row
/// is named on stderr with its line, column and reason, and the exit code is 3; `--strict`
/// fails the report on the first one and writes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn bad_rows_are_skipped_and_reported_unless_strict() {
    // The stress mix: ten rows even in a report Graph serves as one.
    let emulator = Emulator::start(Config {
        quirks: true,
        rows: 10,
        faults: graph_emulator::Faults {
            blank_counts_every: 3,
            ..graph_emulator::Faults::default()
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let dir = scratch("bad-rows");
    let out = dir.join("rows.csv");
    let arguments = [
        "--report",
        "office365_services_user_counts",
        "--period",
        "D7",
        "--out",
        path_text(&out),
    ];

    let output = run_against(&emulator, &arguments).await;
    let errors = stderr(&output);
    assert_eq!(output.status.code(), Some(3), "{errors}");
    let skipped: Vec<&str> = errors
        .lines()
        .filter(|line| line.starts_with("graph-reports: office365_services_user_counts: skipped"))
        .collect();
    assert_eq!(skipped.len(), 3, "{errors}");
    // Rows 3, 6 and 9 sit on lines 4, 7 and 10 (the header is line 1).
    for (line, row) in [(4, 3), (7, 6), (10, 9)] {
        assert!(
            errors.contains(&format!(
                "graph-reports: office365_services_user_counts: skipped line {line} (row {row}), column \"Exchange Active\": empty cell"
            )),
            "{errors}"
        );
    }
    assert!(errors.contains("--strict"), "{errors}");
    let text = stdout(&output);
    assert!(text.contains("3 row(s) did not decode"), "{text}");
    assert!(text.contains("Total: 1 reports, 1 forms, 7 rows"), "{text}");
    let mut reader = csv::Reader::from_path(&out).unwrap();
    assert_eq!(reader.records().count(), 7);

    std::fs::remove_file(&out).unwrap();
    let mut strict = arguments.to_vec();
    strict.push("--strict");
    let output = run_against(&emulator, &strict).await;
    let errors = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{errors}");
    assert!(errors.contains("line 4"), "{errors}");
    assert!(errors.contains("Exchange Active"), "{errors}");
    assert!(!out.exists(), "a strict failure writes no file");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn several_reports_write_one_file_each() {
    let dir = scratch("several");
    let file = dir.join("out.json");
    let output = run(&["--rows", "4", "--emulator", "--out", path_text(&file)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!file.exists(), "one file per report, not one for all");
    for meta in reports_sdk::catalog() {
        let part = dir.join(format!("out.{}.json", first_form_key(meta)));
        let rows: Vec<serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(&part).unwrap()).unwrap();
        // `--rows` sets the users, groups or sites listed; per-day reports have a row per day.
        let options = graph_emulator::DataOptions {
            rows: 4,
            today: chrono::Utc::now().date_naive(),
            drift: graph_emulator::Drift::default(),
            blank_counts_every: 0,
            quirks: false,
        };
        let expected = graph_emulator::data::generate(meta, &d7_arguments(meta), "v1.0", &options);
        assert_eq!(rows.len(), expected.rows.len(), "{}", part.display());
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn beta_json_works_against_the_emulator() {
    let output = run(&["--format", "json", "--rows", "3"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("(beta, json)"), "{text}");
    assert!(text.contains("GET /beta/reports/"), "{text}");
}

#[test]
fn a_report_the_cloud_does_not_serve_is_skipped_unless_named() {
    let output = run(&["--cloud", "china", "--rows", "2"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("skipped: the spec lists this report for"),
        "{text}"
    );
    let not_in_china: usize = reports_sdk::catalog()
        .iter()
        .filter(|meta| !meta.clouds.contains(&reports_sdk::Cloud::China))
        .map(|meta| meta.forms.len())
        .sum();
    assert!(
        not_in_china > 0,
        "the spec has a report China does not serve"
    );
    assert!(
        text.contains(&format!("({not_in_china} skipped)")),
        "{text}"
    );

    // Named, a report the cloud does not serve fails before anything is sent.
    let output = run(&[
        "--cloud",
        "china",
        "--report",
        "office365_activations_user_counts",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("none of the reports asked for is served in the `china` cloud"),
        "{}",
        stderr(&output)
    );
    assert_eq!(stdout(&output), "");
}

#[test]
fn bad_command_lines_exit_2_with_the_problem_named() {
    let cases: &[(&[&str], &str)] = &[
        (&["--bogus"], "unexpected argument '--bogus' found"),
        (&["--report"], "a value is required for '--report <ID>'"),
        (&["--report", "nope"], "unknown report `nope`"),
        (&["--period", "D31"], "D7, D30, D90, D180"),
        (&["--date", "2024-02-30"], "`2024-02-30` is not a date"),
        (
            &["--format", "json", "--api-version", "v1.0"],
            "--format json needs --api-version beta",
        ),
        (
            &["--cloud", "mars"],
            "invalid value 'mars' for '--cloud <NAME>'",
        ),
        (
            &["--version", "beta"],
            "choose the Graph API version with --api-version",
        ),
        (
            &["--base-url", "https://proxy.example"],
            "--base-url needs credentials",
        ),
        (
            &["--out", "rows.csv"],
            "written to --out or --out-dir only with --emulator",
        ),
        (
            &["--emulator=yes"],
            "unexpected value 'yes' for '--emulator'",
        ),
        (&["--out", "rows.xlsx"], "cannot tell the format"),
    ];
    for (arguments, problem) in cases {
        let output = run(arguments);
        let errors = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{arguments:?}: {errors}");
        assert!(
            output.stdout.is_empty(),
            "{arguments:?}: {}",
            stdout(&output)
        );
        assert!(errors.contains(problem), "{arguments:?}: {errors}");
        assert!(errors.contains("--help"), "{arguments:?}: {errors}");
        assert!(!errors.contains("panicked"), "{arguments:?}: {errors}");
    }
    let output = run(&["--report", "nope"]);
    for meta in reports_sdk::catalog() {
        assert!(stderr(&output).contains(meta.id), "valid ids are listed");
    }
}

#[test]
fn help_lists_the_flags() {
    let output = run(&["--help"]);
    assert!(output.status.success());
    let text = stdout(&output);
    for flag in [
        "--report",
        "--period",
        "--date",
        "--format",
        "--api-version",
        "--cloud",
        "--base-url",
        "--emulator",
        "--out",
        "--out-dir",
        "--out-format",
        "--raw",
        "--rows",
        "--strict",
        "--quiet",
        "--version",
        "completions",
    ] {
        assert!(text.contains(flag), "{flag}");
    }
}

/// With a token the command talks to whatever `--base-url` names: here an emulator started by
/// the test, standing in for Graph.
#[tokio::test(flavor = "multi_thread")]
async fn with_a_token_it_queries_the_endpoint_it_is_given() {
    let emulator = Emulator::start(Config {
        quirks: true,
        rows: 6,
        ..Config::default()
    })
    .await
    .unwrap();
    let base_url = emulator.base_url();
    let token = emulator.token().to_owned();

    let arguments = [
        "--base-url",
        &base_url,
        "--report",
        "office365_services_user_counts",
        "--period",
        "D90",
    ]
    .map(str::to_owned);
    let good = {
        let arguments = arguments.clone();
        let token = token.clone();
        tokio::task::spawn_blocking(move || {
            let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
            run_with_token(&token, &arguments)
        })
    }
    .await
    .unwrap();
    let text = stdout(&good);
    assert!(good.status.success(), "{text}\n{}", stderr(&good));
    assert!(
        text.starts_with(&format!("Querying Microsoft Graph at {base_url}")),
        "{text}"
    );
    assert!(text.contains("Total: 1 reports, 1 forms, 6 rows"), "{text}");

    let bad = tokio::task::spawn_blocking(move || {
        let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
        run_with_token("not-the-token", &arguments)
    })
    .await
    .unwrap();
    let errors = stderr(&bad);
    assert_eq!(bad.status.code(), Some(1), "{errors}");
    assert!(errors.contains("InvalidAuthenticationToken"), "{errors}");
    assert!(!errors.contains("panicked"), "{errors}");
}

#[test]
fn a_date_selects_the_date_form_against_the_emulator() {
    let day = (chrono::Utc::now().date_naive() - chrono::TimeDelta::days(3))
        .format("%Y-%m-%d")
        .to_string();
    let output = run(&[
        "--report",
        "office365_active_user_detail",
        "--date",
        &day,
        "--rows",
        "4",
    ]);
    let text = stdout(&output);
    assert!(output.status.success(), "{text}\n{}", stderr(&output));
    assert!(
        text.contains(&format!("getOffice365ActiveUserDetail(date={day})")),
        "{text}"
    );
    assert!(
        text.contains("office365_active_user_detail_by_date"),
        "{text}"
    );
    assert!(
        text.trim_end()
            .ends_with("Total: 1 reports, 1 forms, 4 rows"),
        "{text}"
    );

    let long_ago = run(&[
        "--report",
        "office365_active_user_detail",
        "--date",
        "2001-01-01",
    ]);
    assert_eq!(
        long_ago.status.code(),
        Some(1),
        "Graph refuses it: {}",
        stdout(&long_ago)
    );
    assert!(
        stderr(&long_ago).contains("past 30 days"),
        "{}",
        stderr(&long_ago)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_that_fails_part_way_leaves_no_partial_file() {
    let emulator = Emulator::start(Config {
        rows: 3_000,
        faults: graph_emulator::Faults {
            truncate_downloads: true,
            ..graph_emulator::Faults::default()
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let dir = scratch("partial");
    let out = dir.join("rows.csv");
    std::fs::write(&out, "an earlier run's rows").unwrap();
    let arguments = [
        "--base-url".to_owned(),
        emulator.base_url(),
        "--report".to_owned(),
        "office365_services_user_counts".to_owned(),
        "--out".to_owned(),
        path_text(&out).to_owned(),
    ];
    let token = emulator.token().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
        run_with_token(&token, &arguments)
    })
    .await
    .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(stderr(&output).contains("cut short"), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "an earlier run's rows",
        "the earlier file is untouched"
    );
    assert_eq!(
        file_names(&dir),
        ["rows.csv"],
        "no partial or temporary file"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_period_and_a_date_together_are_refused() {
    let output = run(&["--period", "D7", "--date", "2024-01-31"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("'--period <VALUE>' cannot be used with '--date <YYYY-MM-DD>'"),
        "{}",
        stderr(&output)
    );
    assert_eq!(stdout(&output), "");
}

/// Synthetic rows are written only when the emulator was asked for by name: a scheduled job
/// whose secret went missing fails instead of filling its files with made-up data.
#[test]
fn without_credentials_out_needs_the_emulator_by_name() {
    let dir = scratch("no-credentials");
    let file = dir.join("rows.csv");
    let arguments = [
        "--report",
        "office365_activation_counts",
        "--out",
        path_text(&file),
    ];
    let output = run(&arguments);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(!file.exists());
    let mut with_emulator = arguments.to_vec();
    with_emulator.push("--emulator");
    // --emulator wins over credentials too.
    let output = run_with_token("eyJ0-ignored", &with_emulator);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("because --emulator asked for it"));
    assert!(file.exists());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn partial_or_doubled_credentials_are_refused_before_anything_starts() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("AZURE_TENANT_ID", "t"), ("AZURE_CLIENT_ID", "c")],
            "but AZURE_CLIENT_SECRET is not",
        ),
        (
            &[("AZURE_CLIENT_SECRET", "hunter2")],
            "AZURE_TENANT_ID and AZURE_CLIENT_ID are not",
        ),
        (
            &[
                ("AZURE_TENANT_ID", "t"),
                ("AZURE_CLIENT_ID", "c"),
                ("AZURE_CLIENT_SECRET", "hunter2"),
                ("GRAPH_TOKEN", "eyJ0"),
            ],
            "both GRAPH_TOKEN and",
        ),
    ];
    for (env, problem) in cases {
        let output = run_with_env(env, &["--report", "office365_activation_counts"]);
        let errors = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{env:?}: {errors}");
        assert!(errors.contains(problem), "{env:?}: {errors}");
        assert!(!errors.contains("hunter2"), "{errors}");
        assert_eq!(stdout(&output), "", "nothing ran");
    }
}

/// The tool signs in as an app against the emulator's Entra ID stand-in, with the variables the
/// Azure SDKs use, and reads Graph with the token it got.
#[tokio::test(flavor = "multi_thread")]
async fn it_signs_in_as_an_app_with_the_azure_variables() {
    let emulator = Emulator::start(Config {
        quirks: true,
        rows: 5,
        ..Config::default()
    })
    .await
    .unwrap();
    let dir = scratch("app-sign-in");
    let out = dir.join("rows.jsonl");
    let config = emulator.config().clone();
    let env = vec![
        ("AZURE_TENANT_ID", config.tenant_id.clone()),
        ("AZURE_CLIENT_ID", config.client_id.clone()),
        ("AZURE_CLIENT_SECRET", config.client_secret.clone()),
        ("AZURE_AUTHORITY_HOST", emulator.authority_host()),
    ];
    let arguments = vec![
        "--base-url".to_owned(),
        emulator.base_url(),
        "--report".to_owned(),
        "office365_services_user_counts,office365_activation_counts".to_owned(),
        "--out".to_owned(),
        path_text(&out).to_owned(),
    ];
    let run_app = |env: Vec<(&'static str, String)>, arguments: Vec<String>| {
        tokio::task::spawn_blocking(move || {
            let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
            run_with_env(&env, &arguments)
        })
    };
    let output = run_app(env.clone(), arguments.clone()).await.unwrap();
    let text = stdout(&output);
    assert!(output.status.success(), "{text}\n{}", stderr(&output));
    assert!(
        text.contains(&format!("signing in as app {}", config.client_id)),
        "{text}"
    );
    assert!(
        text.contains("Total: 2 reports, 2 forms, 10 rows"),
        "{text}"
    );
    let stats = emulator.stats();
    assert_eq!(stats.tokens_issued, 1, "one sign-in serves every report");
    assert!(
        dir.join("rows.office365_services_user_counts.period.jsonl")
            .exists()
    );

    // A wrong secret: Entra's refusal, with its code and what to do, and never the secret.
    let mut wrong = env.clone();
    wrong[2].1 = "not-the-secret-value".to_owned();
    let output = run_app(wrong, arguments).await.unwrap();
    let errors = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{errors}");
    assert!(errors.contains("AADSTS7000215"), "{errors}");
    assert!(errors.contains("Certificates & secrets"), "{errors}");
    assert!(!errors.contains("not-the-secret-value"), "{errors}");
    assert!(!stdout(&output).contains("not-the-secret-value"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn version_prints_the_tool_version_and_api_version_chooses_graph_version() {
    for flag in ["--version", "-V"] {
        let output = run(&[flag]);
        assert!(output.status.success(), "{flag}: {}", stderr(&output));
        assert_eq!(
            stdout(&output),
            format!("graph-reports {}\n", env!("CARGO_PKG_VERSION")),
            "{flag}"
        );
    }
    let output = run(&[
        "--api-version",
        "beta",
        "--report",
        "office365_activation_counts",
        "--rows",
        "2",
    ]);
    let text = stdout(&output);
    assert!(output.status.success(), "{text}\n{}", stderr(&output));
    assert!(
        text.contains("GET /beta/reports/getOffice365ActivationCounts"),
        "{text}"
    );
}

#[test]
fn completions_are_printed_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let output = run(&["completions", shell]);
        assert!(output.status.success(), "{shell}: {}", stderr(&output));
        let script = stdout(&output);
        assert!(script.contains("graph-reports"), "{shell}: {script}");
        assert!(script.contains("api-version"), "{shell}: {script}");
        // PowerShell's script completes flags only, not their values.
        if shell != "powershell" {
            assert!(
                script.contains("us_gov_l4"),
                "{shell}: cloud names are completed"
            );
        }
    }
}

#[test]
fn a_mistyped_flag_gets_a_suggestion() {
    let output = run(&["--stirct"]);
    let errors = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{errors}");
    assert!(
        errors.contains("a similar argument exists: '--strict'"),
        "{errors}"
    );
    assert_eq!(stdout(&output), "");
}

#[test]
fn quiet_prints_nothing_but_still_writes_files() {
    let dir = scratch("quiet");
    let arguments = [
        "--quiet",
        "--emulator",
        "--report",
        "office365_activation_counts",
        "--rows",
        "2",
        "--out-dir",
        path_text(&dir),
    ];
    let output = run(&arguments);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    assert_eq!(stderr(&output), "");
    assert_eq!(file_names(&dir), ["office365_activation_counts.none.csv"]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn graph_function_names_select_reports_in_any_case() {
    for name in [
        "getTeamsUserActivityUserDetail",
        "GETTEAMSUSERACTIVITYUSERDETAIL",
    ] {
        let output = run(&["--report", name, "--period", "D7", "--rows", "2"]);
        let text = stdout(&output);
        assert!(output.status.success(), "{name}: {}", stderr(&output));
        assert!(
            text.contains("== teams_user_activity_user_detail =="),
            "{text}"
        );
        assert!(text.contains("Total: 1 reports, 1 forms"), "{text}");
    }
}

/// `--out -` puts the report's data alone on stdout: the CSV byte for byte as Graph serves it,
/// or one JSON object a line; the banner and summary go to stderr.
#[tokio::test(flavor = "multi_thread")]
async fn out_dash_writes_only_the_data_to_stdout() {
    let emulator = Emulator::start(Config {
        rows: 5,
        ..Config::default()
    })
    .await
    .unwrap();
    let meta = meta("office365_services_user_counts");
    let expected = emulator.expected(meta, &d7_arguments(meta), reports_sdk::ApiVersion::V1);
    let arguments = [
        "--report",
        "getOffice365ServicesUserCounts",
        "--period",
        "D7",
        "--out",
        "-",
    ];

    let output = run_against(&emulator, &arguments).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&expected.to_csv())
    );
    assert!(
        stderr(&output).contains("Total: 1 reports, 1 forms"),
        "the summary goes to stderr: {}",
        stderr(&output)
    );

    let mut jsonl = arguments.to_vec();
    jsonl.extend(["--out-format", "jsonl", "--quiet"]);
    let output = run_against(&emulator, &jsonl).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stderr(&output), "", "--quiet silences the summary");
    let lines: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), expected.rows.len());
    let names: Vec<&str> = meta.columns.iter().map(|column| column.json).collect();
    for line in &lines {
        let keys: Vec<&str> = line
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, names);
    }

    // Several forms cannot share stdout.
    let output = run_against(
        &emulator,
        &["--out", "-", "--report", "office365_active_user_detail"],
    )
    .await;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--out-dir"), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
}

#[test]
fn out_dir_names_each_file_by_report_and_form() {
    let dir = scratch("out-dir");
    let reports = dir.join("reports");
    let output = run(&[
        "--emulator",
        "--rows",
        "2",
        "--report",
        "office365_active_user_detail,office365_activation_counts",
        "--out-dir",
        path_text(&reports),
        "--out-format",
        "jsonl",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        file_names(&reports),
        [
            "office365_activation_counts.none.jsonl",
            "office365_active_user_detail.date.jsonl",
            "office365_active_user_detail.period.jsonl",
        ]
    );
    let text = stdout(&output);
    assert!(
        text.contains(
            &path_text(&reports.join("office365_active_user_detail.date.jsonl")).to_owned()
        ),
        "each block names its file: {text}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// `--raw` saves exactly the bytes Graph serves, as the SDK downloads them: CSV to a file, beta
/// JSON to stdout.
#[tokio::test(flavor = "multi_thread")]
async fn raw_saves_what_graph_serves_byte_for_byte() {
    let emulator = Emulator::start(Config {
        rows: 5,
        ..Config::default()
    })
    .await
    .unwrap();
    let client = reports_sdk::Client::builder()
        .base_url(emulator.base_url())
        .token(emulator.token())
        .build()
        .unwrap();
    let meta = meta("office365_services_user_counts");
    let served = |format: reports_sdk::Format| {
        let client = client.clone();
        async move {
            let form = &meta.forms[0];
            let arguments = vec![reports_sdk::Argument::Enum("D7")];
            let request = client
                .report(meta.id)
                .unwrap()
                .request(form, arguments)
                .unwrap();
            // JSON is served by beta only; the tool asks beta for it too.
            let version = match format {
                reports_sdk::Format::Json => reports_sdk::ApiVersion::Beta,
                _ => reports_sdk::ApiVersion::V1,
            };
            let request = request.format(format).version(version);
            request.bytes().await.unwrap().bytes
        }
    };

    let dir = scratch("raw");
    let file = dir.join("report.bin");
    let arguments = ["--report", meta.id, "--period", "D7", "--raw"];
    let mut to_file = arguments.to_vec();
    to_file.extend(["--out", path_text(&file)]);
    let output = run_against(&emulator, &to_file).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let csv = served(reports_sdk::Format::Csv).await;
    assert_eq!(std::fs::read(&file).unwrap(), csv);
    assert!(
        csv.starts_with("\u{feff}".as_bytes()),
        "Graph's BOM is kept"
    );

    let mut json = arguments.to_vec();
    json.extend(["--format", "json", "--out", "-"]);
    let output = run_against(&emulator, &json).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(output.stdout, served(reports_sdk::Format::Json).await);
    std::fs::remove_dir_all(dir).unwrap();
}

/// A reader that stops early (`| head`) has seen enough: the tool stops quietly with 0, for
/// decoded rows and raw bytes alike.
#[test]
fn a_closed_stdout_ends_the_run_quietly() {
    use std::io::Read as _;

    for raw in [false, true] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_graph-reports"));
        command.args([
            "--emulator",
            "--quiet",
            "--rows",
            "5000",
            "--report",
            "office365_activations_user_detail",
            "--out",
            "-",
        ]);
        if raw {
            command.arg("--raw");
        }
        for name in CREDENTIAL_VARIABLES {
            command.env_remove(name);
        }
        let mut child = command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut start = [0u8; 100];
        child.stdout.take().unwrap().read_exact(&mut start).unwrap();
        // The reader is dropped here: the tool's next writes meet a closed pipe.
        let output = child.wait_with_output().unwrap();
        let errors = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "raw {raw}: {errors}");
        assert_eq!(errors, "", "raw {raw}");
    }
}

/// The README's flag table and the tool's `--help` (generated by clap from `cli/src/args.rs`)
/// name the same flags: a flag added, renamed or removed in one is caught in the other.
#[test]
fn the_readme_flag_table_is_the_help() {
    fn flags(text: &str) -> std::collections::BTreeSet<String> {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter(|word| word.starts_with("--") && word.len() > 2)
            .map(str::to_owned)
            .collect()
    }
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let section = readme
        .split("## The command-line tool")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .unwrap();
    // The first cell of each table row that starts with a flag.
    let table: String = section
        .lines()
        .filter(|line| line.starts_with("| `-"))
        .filter_map(|line| line.split(" | ").next())
        .collect::<Vec<_>>()
        .join(" ");
    let help = run(&["--help"]);
    assert!(help.status.success());
    assert_eq!(flags(&table), flags(&stdout(&help)));
}
