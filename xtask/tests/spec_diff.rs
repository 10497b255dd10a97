//! `cargo xtask spec-diff` end to end: the binary run on CSV and JSON files written to a scratch
//! directory, compared with the real spec's metadata, its output and exit code checked.
#![cfg(feature = "spec-diff")]
#![allow(clippy::unwrap_used, reason = "a test fails loudly on setup errors")]

use std::path::{Path, PathBuf};
use std::process::Command;

use reports_sdk::ErrorKind;
use reports_sdk::office365::Office365ActivationsUserCountsRow;

/// `office365_activations_user_counts`, as Graph serves it: BOM, CRLF.
const COUNTS_HEADER: &str =
    "Report Refresh Date,Product Type,Assigned,Activated,Shared Computer Activation";

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn spec_diff(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("spec-diff")
        .args(args)
        .output()
        .unwrap();
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Writes `contents` to `<scratch>/<test>/<name>`; each test has its own directory, so tests
/// run in parallel without clashes.
fn write(test: &str, name: &str, contents: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("spec_diff")
        .join(test);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

/// A CSV file as Graph serves it: BOM, CRLF, one data row.
fn graph_csv(header: &str, row: &str) -> Vec<u8> {
    format!("\u{feff}{header}\r\n{row}\r\n").into_bytes()
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn assert_contains(run: &Run, expected: &[&str]) {
    for expected in expected {
        assert!(
            run.stdout.contains(expected),
            "missing {expected:?} in\n{run:?}"
        );
    }
}

#[test]
fn a_matching_csv_file_exits_0() {
    let file = write(
        "matching",
        "download.csv",
        &graph_csv(COUNTS_HEADER, "2024-01-31,\"Microsoft 365, Apps\",10,8,2"),
    );
    let run = spec_diff(&[arg(&file), "--report", "office365_activations_user_counts"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_contains(
        &run,
        &[
            "report: office365_activations_user_counts (getOffice365ActivationsUserCounts, in spec/office365.yaml): 5 of 5 columns",
            "the file matches the spec",
        ],
    );
    assert!(!run.stdout.contains("new columns"), "{run:?}");
}

#[test]
fn a_new_column_exits_1_with_the_yaml_to_paste() {
    let header = format!("{COUNTS_HEADER},Copilot Activated");
    let file = write(
        "new",
        "download.csv",
        &graph_csv(&header, "2024-01-31,x,1,1,1,1"),
    );
    let run = spec_diff(&[arg(&file), "--report", "office365_activations_user_counts"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_contains(
        &run,
        &[
            "new columns (in the file, not in the spec):\n  + \"Copilot Activated\"\n",
            "paste at the end of `columns:` of office365_activations_user_counts in spec/office365.yaml:\n",
            "      - header: Copilot Activated\n        type: integer  # a guess (like \"Activated\"): check it against the file's values\n        optional: true  # files from before this change lack it\n",
            "cargo xtask codegen",
        ],
    );
    // CSV input: the JSON name is left to its default.
    assert!(!run.stdout.contains("json:"), "{run:?}");

    // The runtime sees the same drift: it decodes, and lists the column as unknown.
    let (rows, drift) =
        reports_sdk::read_csv::<Office365ActivationsUserCountsRow>(&std::fs::read(&file).unwrap())
            .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(drift.unknown_columns, ["Copilot Activated"]);
}

#[test]
fn a_missing_required_column_exits_1_with_the_optional_line() {
    let header = "Report Refresh Date,Product Type,Activated";
    let file = write(
        "missing",
        "download.csv",
        &graph_csv(header, "2024-01-31,x,1"),
    );
    let run = spec_diff(&[arg(&file), "--report", "office365_activations_user_counts"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_contains(
        &run,
        &[
            "missing required columns (in the spec, not in the file: decoding fails until the spec changes):\n  - \"Assigned\"\n",
            "missing optional columns (in the spec, not in the file: fine, their fields are None):\n  - \"Shared Computer Activation\"\n",
            "add `optional: true` to these columns of office365_activations_user_counts in spec/office365.yaml:\n      - header: Assigned\n        optional: true",
        ],
    );
    assert!(!run.stdout.contains("paste at the end"), "{run:?}");

    // The runtime refuses the same file for the same column.
    let error =
        reports_sdk::read_csv::<Office365ActivationsUserCountsRow>(&std::fs::read(&file).unwrap())
            .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::MissingColumn);
    assert!(error.to_string().contains("\"Assigned\""), "{error}");
}

#[test]
fn a_missing_optional_column_alone_exits_0() {
    let header = "Report Refresh Date,Product Type,Assigned,Activated";
    let file = write(
        "older",
        "download.csv",
        &graph_csv(header, "2024-01-31,x,1,1"),
    );
    let run = spec_diff(&[arg(&file), "--report", "office365_activations_user_counts"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_contains(
        &run,
        &[
            "  - \"Shared Computer Activation\"",
            "the file matches the spec",
        ],
    );
}

#[test]
fn a_renamed_column_is_paired_with_the_one_it_replaces() {
    let header =
        "Report Refresh Date,Product Type,Assigned,Activated Users,Shared Computer Activation";
    let file = write(
        "renamed",
        "download.csv",
        &graph_csv(header, "2024-01-31,x,1,1,1"),
    );
    let run = spec_diff(&[arg(&file), "--report", "office365_activations_user_counts"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_contains(
        &run,
        &[
            "  + \"Activated Users\"",
            "  - \"Activated\"",
            "renamed-looking pairs (a missing and a new column with close names):\n  \"Activated\" -> \"Activated Users\" (one contains the other)\n",
            "change \"Activated\" to `header: Activated Users` and add `field: activated`",
            "      - header: Activated Users\n        type: integer  # a guess (the type of \"Activated\", which it looks renamed from)",
        ],
    );
    // Case and punctuation alone.
    let header = "report refresh date,Product-Type,Assigned,Activated,Shared Computer Activation";
    let file = write(
        "renamed",
        "case.csv",
        &graph_csv(header, "2024-01-31,x,1,1,1"),
    );
    let run = spec_diff(&[arg(&file), "--report", "office365_activations_user_counts"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_contains(
        &run,
        &[
            "  \"Report Refresh Date\" -> \"report refresh date\" (equal ignoring case, spaces and punctuation)",
            "  \"Product Type\" -> \"Product-Type\" (equal ignoring case, spaces and punctuation)",
            "change \"Product Type\" to `header: Product-Type` and add `field: product_type`",
        ],
    );
}

#[test]
fn reordered_columns_match() {
    let header = "Shared Computer Activation,Activated,Assigned,Product Type,Report Refresh Date";
    let file = write(
        "reordered",
        "download.csv",
        &graph_csv(header, "1,1,1,x,2024-01-31"),
    );
    let run = spec_diff(&[arg(&file), "--report", "office365_activations_user_counts"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_contains(
        &run,
        &[
            "the columns come in another order than the spec's: fine, they are matched by name",
            "the file matches the spec",
        ],
    );
}

#[test]
fn a_json_page_is_compared_by_property_name() {
    let page = br##"{
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#Collection(microsoft.graph.office365ActivationsUserCounts)",
        "value": [
            {"@odata.type": "#microsoft.graph.office365ActivationsUserCounts",
             "reportRefreshDate": "2024-01-31", "productType": "Microsoft 365 Apps",
             "assigned": 10, "activated": 8, "sharedComputerActivation": 2}
        ],
        "@odata.nextLink": "https://graph.microsoft.com/beta/reports/next"
    }"##;
    let file = write("json", "page.json", page);
    let run = spec_diff(&[arg(&file)]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_contains(
        &run,
        &[
            "(5 JSON property names)",
            "report: office365_activations_user_counts",
            "the file matches the spec",
        ],
    );

    // A bare array with a new property: its YAML carries the `json:` name.
    let rows = br#"[{"reportRefreshDate": "2024-01-31", "productType": "x", "assigned": 1,
                    "activated": 1, "sharedComputerActivation": 1, "copilotActivated": 1}]"#;
    let file = write("json", "rows.json", rows);
    let run = spec_diff(&[arg(&file), "--report", "office365_activations_user_counts"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_contains(
        &run,
        &[
            "  + \"copilotActivated\"",
            "      - header: Copilot Activated  # guessed from the JSON name: check it against the CSV file\n        type: integer",
            "        json: copilotActivated\n",
        ],
    );
}

#[test]
fn a_nested_json_page_merges_items_with_their_elements() {
    let page = br#"{"value": [
        {"reportRefreshDate": "2024-01-31", "userPrincipalName": "a@contoso.com", "displayName": "A",
         "userActivationCounts": [
            {"productType": "Microsoft 365 Apps", "lastActivatedDate": "2024-01-02", "windows": 1,
             "mac": 0, "windows10Mobile": 0, "ios": 1, "android": 0, "activatedOnSharedComputer": false},
            {"productType": "Visio", "lastActivatedDate": null, "windows": 1,
             "mac": 0, "windows10Mobile": 0, "ios": 0, "android": 0, "activatedOnSharedComputer": false}
         ]}
    ]}"#;
    let file = write("nested", "page.json", page);
    let run = spec_diff(&[arg(&file)]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_contains(
        &run,
        &[
            "report: office365_activations_user_detail (getOffice365ActivationsUserDetail, in spec/office365.yaml): 11 of 11 columns",
            "the file matches the spec",
        ],
    );

    // A new property in the elements, and one on the item: only the item's needs
    // `parent_columns`.
    let page = br#"{"value": [
        {"reportRefreshDate": "2024-01-31", "userPrincipalName": "a@contoso.com", "displayName": "A",
         "department": "Sales",
         "userActivationCounts": [
            {"productType": "Microsoft 365 Apps", "lastActivatedDate": "2024-01-02", "windows": 1,
             "mac": 0, "windows10Mobile": 0, "ios": 1, "android": 0, "activatedOnSharedComputer": false,
             "windowsArm": 1}
         ]}
    ]}"#;
    let file = write("nested", "changed.json", page);
    let run = spec_diff(&[arg(&file), "--report", "office365_activations_user_detail"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_contains(
        &run,
        &[
            "  + \"department\"",
            "  + \"windowsArm\"",
            "        json: department\n        # on the value[] item, not in `userActivationCounts`: also list the header under `json_nested: parent_columns:`\n",
            "        json: windowsArm\n",
        ],
    );
    assert!(
        !run.stdout
            .contains("json: windowsArm\n        # on the value[] item"),
        "{run:?}"
    );
}

#[test]
fn the_report_is_detected_and_the_runner_up_named() {
    let header = format!("{COUNTS_HEADER},Copilot Activated");
    let file = write(
        "detect",
        "download.csv",
        &graph_csv(&header, "2024-01-31,x,1,1,1,1"),
    );
    let run = spec_diff(&[arg(&file)]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_contains(
        &run,
        &[
            "report: office365_activations_user_counts (getOffice365ActivationsUserCounts, in spec/office365.yaml): 5 of 5 columns, 1 new",
            "picked as the best match of the file's columns; runner-up: office365_activation_counts (",
        ],
    );
}

#[test]
fn report_by_graph_function_name_in_any_case() {
    let file = write(
        "function",
        "download.csv",
        &graph_csv(COUNTS_HEADER, "2024-01-31,x,1,1,1"),
    );
    for name in [
        "getOffice365ActivationsUserCounts",
        "GETOFFICE365ACTIVATIONSUSERCOUNTS",
        "Office365_Activations_User_Counts",
    ] {
        let run = spec_diff(&[arg(&file), "--report", name]);
        assert_eq!(run.code, Some(0), "{name}: {run:?}");
        assert_contains(&run, &["report: office365_activations_user_counts ("]);
        assert!(!run.stdout.contains("picked"), "{run:?}");
    }
    // Another report on purpose: everything differs, and it says so.
    let run = spec_diff(&[arg(&file), "--report=getOffice365ActivationCounts"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_contains(&run, &["report: office365_activation_counts ("]);
}

#[test]
fn reports_with_the_same_columns_are_ambiguous_unless_named() {
    let meta = reports_sdk::catalog()
        .iter()
        .find(|meta| meta.id == "email_activity_counts")
        .unwrap();
    let header: Vec<&str> = meta.columns.iter().map(|column| column.header).collect();
    let contents = graph_csv(&header.join(","), &vec!["1"; header.len()].join(","));
    let file = write("ambiguous", "download.csv", &contents);
    let run = spec_diff(&[arg(&file)]);
    assert_eq!(run.code, Some(2), "{run:?}");
    for expected in [
        arg(&file),
        "email_activity_counts",
        "email_activity_user_counts",
        "pass --report",
    ] {
        assert!(run.stderr.contains(expected), "{expected}: {run:?}");
    }
    let run = spec_diff(&[arg(&file), "--report", "email_activity_user_counts"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    // Named after the report: the file name settles it.
    let file = write("ambiguous", "EmailActivityUserCounts.csv", &contents);
    let run = spec_diff(&[arg(&file)]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_contains(
        &run,
        &[
            "report: email_activity_user_counts (",
            "picked by the file name among reports matching equally well",
        ],
    );
}

#[test]
fn usage_errors_and_unreadable_files_exit_2() {
    let missing = Path::new(env!("CARGO_TARGET_TMPDIR")).join("spec_diff/none/absent.csv");
    let run = spec_diff(&[arg(&missing)]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains(arg(&missing)), "{run:?}");
    assert!(run.stderr.contains("check the path"), "{run:?}");

    let file = write(
        "usage",
        "download.csv",
        &graph_csv(COUNTS_HEADER, "2024-01-31,x,1,1,1"),
    );
    for args in [
        &[][..],
        &[arg(&file), "--report"],
        &[arg(&file), "--frobnicate"],
        &[arg(&file), arg(&file)],
    ] {
        let run = spec_diff(args);
        assert_eq!(run.code, Some(2), "{args:?}: {run:?}");
        assert!(
            run.stderr.contains("usage: cargo xtask spec-diff"),
            "{run:?}"
        );
    }
    let run = spec_diff(&[arg(&file), "--report", "office365_activation_count"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stderr
            .contains("did you mean `office365_activation_counts`?"),
        "{run:?}"
    );

    for (name, contents, expected) in [
        ("empty.csv", &b""[..], "the file is empty"),
        ("broken.json", b"{\"value\": [", "not valid JSON"),
        ("nothing.json", b"{\"value\": []}", "no rows"),
        ("other.json", b"{\"error\": {}}", "no `value` array"),
    ] {
        let file = write("usage", name, contents);
        let run = spec_diff(&[arg(&file)]);
        assert_eq!(run.code, Some(2), "{name}: {run:?}");
        assert!(run.stderr.contains(arg(&file)), "{name}: {run:?}");
        assert!(run.stderr.contains(expected), "{name}: {run:?}");
    }
    let file = write("usage", "unrelated.csv", b"Name,Colour\r\nx,y\r\n");
    let run = spec_diff(&[arg(&file)]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("pass --report ID"), "{run:?}");
}

#[test]
fn help_exits_0() {
    let run = spec_diff(&["--help"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout.contains("usage: cargo xtask spec-diff"),
        "{run:?}"
    );
}
