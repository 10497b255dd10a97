//! One negative test per validation rule: each breaks a valid minimal spec in one place and
//! checks the one problem reported (message, file, report, raw subject, line, hint), then a spec
//! with many problems proves they are all reported at once.

use codegen::{Diagnostic, SpecSource};

/// `office365_activation_counts` -> `Office365ActivationCounts`.
fn pascal(id: &str) -> String {
    id.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A valid report entry: one `Period` parameter and three columns.
fn report(id: &str) -> String {
    report_with_function(id, &format!("get{}", pascal(id)))
}

fn report_with_function(id: &str, function: &str) -> String {
    let page = function.to_ascii_lowercase();
    format!(
        "  - id: {id}
    function: {function}
    summary: Summary of {id}.
    docs: https://learn.microsoft.com/graph/api/reportroot-{page}
    versions:
      - version: v1.0
        formats: [csv]
      - version: beta
        formats: [csv, json]
    permissions:
      delegated_work: [Reports.Read.All]
      delegated_personal: []
      application: [Reports.Read.All]
    clouds: [global]
    if_none_match: true
    parameters:
      - name: period
        kind: enum
        enum: Period
        values: [D7, D30, D90, D180]
        quoted: true
    columns:
      - header: Report Refresh Date
        type: date
      - header: User Principal Name
        type: string
      - header: Storage Used (Byte)
        type: integer
"
    )
}

/// A valid spec file holding `reports`.
fn family(name: &str, reports: &[String]) -> String {
    format!(
        "family: {name}\nsummary: Test family {name}.\nreports:\n{}",
        reports.concat()
    )
}

/// `text` with `from` replaced by `to`; `from` must occur exactly once, so a test cannot pass
/// because its edit silently did nothing.
#[track_caller]
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} must occur exactly once in:\n{text}"
    );
    text.replacen(from, to, 1)
}

/// 1-based line of the `nth` (0-based) line of `text` containing `needle`.
#[track_caller]
fn line(text: &str, needle: &str, nth: usize) -> Option<usize> {
    let found = text
        .lines()
        .enumerate()
        .filter(|(_, line)| line.contains(needle))
        .nth(nth)
        .map(|(index, _)| index + 1);
    assert!(found.is_some(), "{needle:?} is not in:\n{text}");
    found
}

fn problems(files: &[(&str, &str)]) -> Vec<Diagnostic> {
    let sources: Vec<SpecSource<'_>> = files
        .iter()
        .map(|(file, text)| SpecSource { file, text })
        .collect();
    match codegen::validate(&sources) {
        Ok(_) => panic!("the spec is valid, expected problems"),
        Err(diagnostics) => {
            // `generate` reports exactly what `validate` does.
            assert_eq!(codegen::generate(&sources), Err(diagnostics.clone()));
            diagnostics.0
        }
    }
}

/// The single problem of a single spec file `spec/test.yaml`.
#[track_caller]
fn only_problem(text: &str) -> Diagnostic {
    let mut all = problems(&[(FILE, text)]);
    assert_eq!(
        all.len(),
        1,
        "expected one problem, got:\n{}",
        all.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
    all.remove(0)
}

const FILE: &str = "spec/test.yaml";

/// What a problem must say. `hint` is a fragment of the hint.
struct Expected<'a> {
    file: &'a str,
    line: Option<usize>,
    report: Option<&'a str>,
    subject: Option<&'a str>,
    message: &'a str,
    hint: Option<&'a str>,
}

impl Default for Expected<'_> {
    fn default() -> Self {
        Expected {
            file: FILE,
            line: None,
            report: None,
            subject: None,
            message: "",
            hint: None,
        }
    }
}

#[track_caller]
fn check(problem: &Diagnostic, expected: Expected<'_>) {
    assert_eq!(problem.message, expected.message, "{problem}");
    assert_eq!(problem.file, expected.file, "{problem}");
    assert_eq!(problem.report.as_deref(), expected.report, "{problem}");
    assert_eq!(problem.subject.as_deref(), expected.subject, "{problem}");
    assert_eq!(problem.line, expected.line, "{problem}");
    match expected.hint {
        Some(fragment) => assert!(
            problem
                .hint
                .as_deref()
                .is_some_and(|hint| hint.contains(fragment)),
            "hint of {problem:?} mentions {fragment:?}"
        ),
        None => assert_eq!(problem.hint, None, "{problem}"),
    }
    // What the user reads names the file, line, report and raw subject.
    let shown = problem.to_string();
    let place = match expected.line {
        Some(line) => format!("{}:{line}: ", expected.file),
        None => format!("{}: ", expected.file),
    };
    assert!(shown.starts_with(&place), "{shown:?} starts with {place:?}");
    if let Some(report) = expected.report {
        assert!(shown.contains(&format!("report `{report}`")), "{shown}");
    }
    if let Some(subject) = expected.subject {
        assert!(shown.contains(&format!("{subject:?}")), "{shown}");
    }
    assert!(shown.contains(expected.message), "{shown}");
    if let Some(fragment) = expected.hint {
        assert!(shown.contains("\n  hint: "), "{shown}");
        assert!(shown.contains(fragment), "{shown}");
    }
}

#[test]
fn the_minimal_spec_is_valid() {
    let text = family("test", &[report("alpha_counts"), report("beta_counts")]);
    let catalog = codegen::validate(&[SpecSource {
        file: FILE,
        text: &text,
    }])
    .unwrap_or_else(|problems| panic!("{problems}"));
    assert_eq!(catalog.families.len(), 1);
    assert_eq!(catalog.families[0].reports.len(), 2);
    assert_eq!(catalog.enums.len(), 1);
}

#[test]
fn unknown_key_is_reported_with_the_serde_yaml_line() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(
        &text,
        "        type: string\n",
        "        type: string\n        optinal: true\n",
    );
    let problem = only_problem(&text);
    let line = line(&text, "optinal: true", 0).expect("line");
    assert_eq!(problem.line, Some(line));
    assert!(
        problem.message.contains("unknown field `optinal`"),
        "{problem}"
    );
    assert!(
        problem.message.contains("expected one of `header`, `type`"),
        "serde lists the keys a column takes: {problem}"
    );
    assert!(
        problem.message.contains(&format!("at line {line} column")),
        "serde_yaml's own position is kept: {problem}"
    );
    assert_eq!(problem.file, FILE);
    assert!(
        problem
            .hint
            .as_deref()
            .is_some_and(|h| h.contains("spec/README.md"))
    );
    assert!(problem.to_string().starts_with(&format!("{FILE}:{line}: ")));
}

#[test]
fn unknown_column_type() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(&text, "type: integer", "type: int");
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "- header: Storage Used (Byte)", 0),
            report: Some("alpha_counts"),
            subject: Some("Storage Used (Byte)"),
            message: "unknown column type `int`",
            hint: Some("date, datetime, string, integer, boolean, duration, list"),
            ..Expected::default()
        },
    );
}

#[test]
fn unknown_parameter_kind() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(&text, "kind: enum", "kind: choice");
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "kind: choice", 0),
            report: Some("alpha_counts"),
            subject: Some("choice"),
            message: "unknown parameter kind of `period`",
            hint: Some("enum, date, string"),
            ..Expected::default()
        },
    );
}

#[test]
fn duplicate_report_id_across_two_files() {
    let first = family("first", &[report("alpha_counts")]);
    let second = family(
        "second",
        &[report_with_function("alpha_counts", "getOtherCounts")],
    );
    let all = problems(&[("spec/first.yaml", &first), ("spec/second.yaml", &second)]);
    let expected_line = line(&second, "- id: alpha_counts", 0);
    check(
        &all[0],
        Expected {
            file: "spec/second.yaml",
            line: expected_line,
            report: Some("alpha_counts"),
            subject: Some("alpha_counts"),
            message: "duplicate report id, first declared in spec/first.yaml (alpha_counts)",
            hint: Some("unique across every spec file"),
        },
    );
    // The id is also the first form's method name; that collision is the same problem, so it
    // is not reported a second time.
    assert_eq!(all.len(), 1, "{all:?}");
}

#[test]
fn two_reports_with_one_id_in_one_file_each_point_at_their_own_line() {
    let text = family(
        "test",
        &[
            report("alpha_counts"),
            report_with_function("alpha_counts", "getOtherCounts"),
        ],
    );
    let all = problems(&[("spec/test.yaml", &text)]);
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].line, line(&text, "- id: alpha_counts", 1));
}

#[test]
fn enum_type_may_not_take_a_name_the_sdk_exports() {
    let text = family("test", &[report("alpha_counts")]).replace("enum: Period", "enum: Format");
    let all = problems(&[("spec/test.yaml", &text)]);
    assert_eq!(all.len(), 1, "{all:?}");
    check(
        &all[0],
        Expected {
            line: line(&text, "enum: Format", 0),
            report: Some("alpha_counts"),
            subject: Some("Format"),
            message: "enum type name is taken by a type the SDK exports",
            hint: Some("ReportFormat"),
            ..Expected::default()
        },
    );
    let text = family("test", &[report("request")]);
    let all = problems(&[("spec/test.yaml", &text)]);
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(
        all[0].message,
        "method name is taken by a hand-written `Client` method"
    );
}

#[test]
fn report_method_may_not_take_a_hand_written_client_method_name() {
    let text = family("test", &[report("version")]);
    let all = problems(&[("spec/test.yaml", &text)]);
    assert_eq!(all.len(), 1, "{all:?}");
    check(
        &all[0],
        Expected {
            file: "spec/test.yaml",
            line: line(&text, "- id: version", 0),
            report: Some("version"),
            subject: Some("version"),
            message: "method name is taken by a hand-written `Client` method",
            hint: Some("`method:`"),
        },
    );
}

#[test]
fn duplicate_function() {
    let text = family(
        "test",
        &[
            report("alpha_counts"),
            report_with_function("beta_counts", "getAlphaCounts"),
        ],
    );
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "function: getAlphaCounts", 1),
            report: Some("beta_counts"),
            subject: Some("getAlphaCounts"),
            message: "duplicate function, first declared in spec/test.yaml (alpha_counts)",
            hint: Some("optional: true"),
            ..Expected::default()
        },
    );
}

#[test]
fn duplicate_header() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(
        &text,
        "        type: integer\n",
        "        type: integer\n      - header: User Principal Name\n        type: string\n",
    );
    // One problem, not also a field and a JSON-name collision with itself.
    check(
        &only_problem(&text),
        Expected {
            // The line of the repetition, not of the first occurrence.
            line: line(&text, "- header: User Principal Name", 1),
            report: Some("alpha_counts"),
            subject: Some("User Principal Name"),
            message: "duplicate header",
            ..Expected::default()
        },
    );
}

/// Adds the columns `User Id` and `User ID` (both sanitize to `user_id`; their JSON names
/// `userId` and `userID` differ), `extra` going under the second.
fn with_user_id_columns(text: &str, extra: &str) -> String {
    replace_once(
        text,
        "        type: integer\n",
        &format!(
            "        type: integer\n      - header: User Id\n        type: string\n      - header: User ID\n        type: string\n{extra}"
        ),
    )
}

#[test]
fn two_headers_that_sanitize_to_one_field() {
    let text = with_user_id_columns(&family("test", &[report("alpha_counts")]), "");
    let problem = only_problem(&text);
    check(
        &problem,
        Expected {
            line: line(&text, "- header: User ID", 0),
            report: Some("alpha_counts"),
            subject: Some("User ID"),
            message: "header and \"User Id\" both become the field `user_id`",
            hint: Some("`field:`"),
            ..Expected::default()
        },
    );
    // Both headers are named, raw.
    let shown = problem.to_string();
    assert!(shown.contains("\"User ID\""), "{shown}");
    assert!(shown.contains("\"User Id\""), "{shown}");
}

#[test]
fn field_override_resolves_a_collision() {
    let text = with_user_id_columns(
        &family("test", &[report("alpha_counts")]),
        "        field: user_object_id\n",
    );
    let catalog = codegen::validate(&[SpecSource {
        file: FILE,
        text: &text,
    }])
    .unwrap_or_else(|problems| panic!("the override resolves the collision: {problems}"));
    let fields: Vec<(&str, &str)> = catalog.families[0].reports[0]
        .columns
        .iter()
        .map(|column| (column.header.as_str(), column.field.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("Report Refresh Date", "report_refresh_date"),
            ("User Principal Name", "user_principal_name"),
            ("Storage Used (Byte)", "storage_used_byte"),
            ("User Id", "user_id"),
            ("User ID", "user_object_id"),
        ]
    );
}

#[test]
fn headers_colliding_as_field_and_as_json_name_get_both_problems() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(
        &text,
        "        type: integer\n",
        "        type: integer\n      - header: Storage used byte\n        type: integer\n",
    );
    let all = problems(&[(FILE, &text)]);
    let messages: Vec<(&str, Option<&str>)> = all
        .iter()
        .map(|problem| (problem.message.as_str(), problem.hint.as_deref()))
        .collect();
    assert_eq!(
        messages,
        [
            (
                "header and \"Storage Used (Byte)\" both become the field `storage_used_byte`",
                Some("set `field:` on one of them")
            ),
            (
                "header and \"Storage Used (Byte)\" both have the JSON name `storageUsedByte`",
                Some("set `json:` to the property name Graph uses")
            ),
        ]
    );
    let expected_line = line(&text, "- header: Storage used byte", 0);
    assert!(all.iter().all(|problem| problem.line == expected_line));
}

#[test]
fn field_override_that_is_not_an_identifier() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(
        &text,
        "        type: integer\n",
        "        type: integer\n        field: Storage\n",
    );
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "- header: Storage Used (Byte)", 0),
            report: Some("alpha_counts"),
            subject: Some("Storage Used (Byte)"),
            message: "field override `Storage` is not a snake_case identifier",
            ..Expected::default()
        },
    );
}

/// Adds a `date` parameter and the given `forms:` block to the report.
fn with_date_parameter_and_forms(text: &str, forms: &str) -> String {
    replace_once(
        text,
        "        quoted: true\n    columns:\n",
        &format!(
            "        quoted: true\n      - name: date\n        kind: date\n{forms}    columns:\n"
        ),
    )
}

#[test]
fn parameter_the_path_never_uses() {
    let text = family("test", &[report("alpha_counts")]);
    let text = with_date_parameter_and_forms(&text, "    forms:\n      - parameters: [period]\n");
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "- name: date", 0),
            report: Some("alpha_counts"),
            subject: Some("date"),
            message: "parameter is declared but the path never uses it",
            hint: Some("forms:"),
            ..Expected::default()
        },
    );
}

#[test]
fn form_using_an_undeclared_parameter() {
    let text = family("test", &[report("alpha_counts")]);
    let text = with_date_parameter_and_forms(
        &text,
        "    forms:\n      - parameters: [period]\n      - parameters: [date]\n      - parameters: [day]\n",
    );
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "- parameters: [day]", 0),
            report: Some("alpha_counts"),
            subject: Some("day"),
            message: "form uses a parameter that is not declared",
            hint: Some("parameters:"),
            ..Expected::default()
        },
    );
}

#[test]
fn parameter_twice_in_one_form() {
    let text = family("test", &[report("alpha_counts")]);
    let text = with_date_parameter_and_forms(
        &text,
        "    forms:\n      - parameters: [period]\n      - parameters: [date, date]\n",
    );
    check(
        &only_problem(&text),
        Expected {
            // The subject is found at its declaration, the first line naming it.
            line: line(&text, "- name: date", 0),
            report: Some("alpha_counts"),
            subject: Some("date"),
            message: "parameter appears twice in one form",
            ..Expected::default()
        },
    );
}

#[test]
fn empty_forms() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(&text, "    columns:\n", "    forms: []\n    columns:\n");
    let all = problems(&[(FILE, &text)]);
    let messages: Vec<&str> = all.iter().map(|p| p.message.as_str()).collect();
    // No form uses `period` either: both are reported.
    assert_eq!(
        messages,
        [
            "`forms` is empty",
            "parameter is declared but the path never uses it"
        ]
    );
    check(
        &all[0],
        Expected {
            line: line(&text, "- id: alpha_counts", 0),
            report: Some("alpha_counts"),
            message: "`forms` is empty",
            hint: Some("remove `forms`"),
            ..Expected::default()
        },
    );
}

#[test]
fn empty_column_list() {
    let text = family("test", &[report("alpha_counts")]);
    let (head, _) = text.split_once("    columns:\n").expect("columns");
    let text = format!("{head}    columns: []\n");
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "- id: alpha_counts", 0),
            report: Some("alpha_counts"),
            message: "the report has no columns",
            hint: Some("`columns:`"),
            ..Expected::default()
        },
    );
}

#[test]
fn enum_parameter_without_values() {
    let text = family("test", &[report("alpha_counts")]);
    for (from, to) in [
        ("        values: [D7, D30, D90, D180]\n", ""),
        ("values: [D7, D30, D90, D180]", "values: []"),
    ] {
        let text = replace_once(&text, from, to);
        check(
            &only_problem(&text),
            Expected {
                line: line(&text, "- name: period", 0),
                report: Some("alpha_counts"),
                subject: Some("period"),
                message: "enum parameter has no values",
                hint: Some("values: [D7, D30, D90, D180]"),
                ..Expected::default()
            },
        );
    }
}

#[test]
fn enum_parameter_without_a_type_name() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(&text, "        enum: Period\n", "");
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "- name: period", 0),
            report: Some("alpha_counts"),
            subject: Some("period"),
            message: "enum parameter has no type name",
            hint: Some("enum: Period"),
            ..Expected::default()
        },
    );
}

#[test]
fn enum_type_name_that_is_not_pascal_case() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(&text, "enum: Period", "enum: period_values");
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "enum: period_values", 0),
            report: Some("alpha_counts"),
            subject: Some("period_values"),
            message: "enum type name is not a PascalCase identifier",
            hint: Some("enum: Period"),
            ..Expected::default()
        },
    );
}

#[test]
fn enum_values_that_become_one_variant() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(&text, "[D7, D30, D90, D180]", "[D7, D30, d7]");
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "values: [D7, D30, d7]", 0),
            report: Some("alpha_counts"),
            subject: Some("d7"),
            message: "value of `Period` collides with \"D7\": both become `D7`",
            ..Expected::default()
        },
    );
}

#[test]
fn same_enum_type_with_other_values_in_another_report() {
    let first = family("first", &[report("alpha_counts")]);
    let second = family("second", &[report("beta_counts")]);
    let second = replace_once(&second, "[D7, D30, D90, D180]", "[D7, D30]");
    let all = problems(&[("spec/first.yaml", &first), ("spec/second.yaml", &second)]);
    assert_eq!(all.len(), 1, "{all:?}");
    check(
        &all[0],
        Expected {
            file: "spec/second.yaml",
            line: line(&second, "enum: Period", 0),
            report: Some("beta_counts"),
            subject: Some("Period"),
            message: "enum `Period` is declared with other values in spec/first.yaml (alpha_counts)",
            hint: Some("another type name"),
        },
    );
}

#[test]
fn date_or_string_parameter_with_values() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(&text, "kind: enum", "kind: string");
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "- name: period", 0),
            report: Some("alpha_counts"),
            subject: Some("period"),
            message: "a `string` parameter takes no `enum` or `values`",
            hint: Some("kind: enum"),
            ..Expected::default()
        },
    );
}

#[test]
fn parameter_name_that_is_not_a_path_name() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(&text, "- name: period", "- name: Period");
    // The default form uses the parameter, so this is the only problem.
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "- name: Period", 0),
            report: Some("alpha_counts"),
            subject: Some("Period"),
            message: "parameter name is not a path parameter name",
            hint: Some("`period` or `serviceArea`"),
            ..Expected::default()
        },
    );
}

#[test]
fn duplicate_parameter() {
    let text = family("test", &[report("alpha_counts")]);
    let text = with_date_parameter_and_forms(&text, "");
    let text = replace_once(&text, "- name: date", "- name: period");
    let all = problems(&[(FILE, &text)]);
    assert!(
        all.iter()
            .any(|problem| problem.message == "duplicate parameter"
                && problem.subject.as_deref() == Some("period")
                && problem.report.as_deref() == Some("alpha_counts")),
        "{all:?}"
    );
}

#[test]
fn list_column_without_a_separator() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(&text, "type: string", "type: list");
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "- header: User Principal Name", 0),
            report: Some("alpha_counts"),
            subject: Some("User Principal Name"),
            message: "list column has no separator",
            hint: Some("`separator:`"),
            ..Expected::default()
        },
    );
}

#[test]
fn list_separator_of_more_than_one_character() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(
        &text,
        "type: string\n",
        "type: list\n        separator: \"++\"\n",
    );
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "- header: User Principal Name", 0),
            report: Some("alpha_counts"),
            subject: Some("User Principal Name"),
            message: "list separator is more than one character",
            ..Expected::default()
        },
    );
}

#[test]
fn separator_on_a_column_that_is_not_a_list() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(
        &text,
        "type: string\n",
        "type: string\n        separator: \"+\"\n",
    );
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "- header: User Principal Name", 0),
            report: Some("alpha_counts"),
            subject: Some("User Principal Name"),
            message: "only `list` columns take a separator",
            ..Expected::default()
        },
    );
}

#[test]
fn header_with_surrounding_spaces() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(
        &text,
        "- header: User Principal Name",
        "- header: \" User Principal Name\"",
    );
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "- header: \" User Principal Name\"", 0),
            report: Some("alpha_counts"),
            subject: Some(" User Principal Name"),
            message: "header is empty or has leading/trailing spaces",
            hint: Some("trimmed"),
            ..Expected::default()
        },
    );
}

#[test]
fn header_without_a_letter_or_digit() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(
        &text,
        "- header: Storage Used (Byte)",
        "- header: \"(%)\"\n        json: percent",
    );
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "- header: \"(%)\"", 0),
            report: Some("alpha_counts"),
            subject: Some("(%)"),
            message: "header has no letter or digit to name a field after",
            hint: Some("`field:`"),
            ..Expected::default()
        },
    );
}

#[test]
fn two_headers_with_one_json_name() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(
        &text,
        "type: integer\n",
        "type: integer\n        json: userPrincipalName\n",
    );
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "- header: Storage Used (Byte)", 0),
            report: Some("alpha_counts"),
            subject: Some("Storage Used (Byte)"),
            message: "header and \"User Principal Name\" both have the JSON name `userPrincipalName`",
            hint: Some("`json:`"),
            ..Expected::default()
        },
    );
}

#[test]
fn unknown_api_version() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(&text, "version: v1.0", "version: v2.0");
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "- version: v2.0", 0),
            report: Some("alpha_counts"),
            subject: Some("v2.0"),
            message: "unknown API version",
            hint: Some("`v1.0` or `beta`"),
            ..Expected::default()
        },
    );
}

#[test]
fn unknown_format() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(&text, "formats: [csv, json]", "formats: [csv, xml]");
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "formats: [csv, xml]", 0),
            report: Some("alpha_counts"),
            subject: Some("xml"),
            message: "unknown format",
            hint: Some("`csv` or `json`"),
            ..Expected::default()
        },
    );
}

#[test]
fn unknown_cloud() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(&text, "clouds: [global]", "clouds: [global, moon]");
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "clouds: [global, moon]", 0),
            report: Some("alpha_counts"),
            subject: Some("moon"),
            message: "unknown cloud",
            hint: Some("`us_gov_l4`"),
            ..Expected::default()
        },
    );
}

#[test]
fn duplicate_version_format_and_cloud() {
    for (from, to, subject, message) in [
        (
            "version: beta",
            "version: v1.0",
            "v1.0",
            "duplicate version",
        ),
        ("[csv, json]", "[csv, csv]", "csv", "duplicate format"),
        ("[global]", "[global, global]", "global", "duplicate cloud"),
    ] {
        let text = family("test", &[report("alpha_counts")]);
        let text = replace_once(&text, from, to);
        let problem = only_problem(&text);
        assert_eq!(problem.message, message);
        assert_eq!(problem.subject.as_deref(), Some(subject));
        assert_eq!(problem.report.as_deref(), Some("alpha_counts"));
    }
}

#[test]
fn no_version_no_format_no_cloud() {
    let text = family("test", &[report("alpha_counts")]);
    let no_versions = replace_once(
        &text,
        "    versions:\n      - version: v1.0\n        formats: [csv]\n      - version: beta\n        formats: [csv, json]\n",
        "    versions: []\n",
    );
    check(
        &only_problem(&no_versions),
        Expected {
            line: line(&no_versions, "- id: alpha_counts", 0),
            report: Some("alpha_counts"),
            message: "no API version listed",
            hint: Some("`versions:`"),
            ..Expected::default()
        },
    );
    let no_formats = replace_once(&text, "formats: [csv]", "formats: []");
    check(
        &only_problem(&no_formats),
        Expected {
            line: line(&no_formats, "- version: v1.0", 0),
            report: Some("alpha_counts"),
            subject: Some("v1.0"),
            message: "version lists no format",
            hint: Some("`formats:`"),
            ..Expected::default()
        },
    );
    let no_clouds = replace_once(&text, "clouds: [global]", "clouds: []");
    check(
        &only_problem(&no_clouds),
        Expected {
            line: line(&no_clouds, "- id: alpha_counts", 0),
            report: Some("alpha_counts"),
            message: "no cloud listed",
            hint: Some("clouds: [global]"),
            ..Expected::default()
        },
    );
}

#[test]
fn report_id_that_is_not_snake_case() {
    for id in [
        "AlphaCounts",
        "alpha-counts",
        "alpha__counts",
        "1st_counts",
        "type",
    ] {
        let text = family("test", &[report_with_function(id, "getAlphaCounts")]);
        check(
            &only_problem(&text),
            Expected {
                line: line(&text, &format!("- id: {id}"), 0),
                report: Some(id),
                subject: Some(id),
                message: "report id is not a snake_case identifier",
                hint: Some("teams_user_activity_counts"),
                ..Expected::default()
            },
        );
    }
}

#[test]
fn function_that_is_not_a_graph_function_name() {
    for function in [
        "GetAlphaCounts",
        "getAlphaCounts(period='D7')",
        "reports/getAlphaCounts",
    ] {
        let text = family("test", &[report_with_function("alpha_counts", function)]);
        check(
            &only_problem(&text),
            Expected {
                line: line(&text, &format!("function: {function}"), 0),
                report: Some("alpha_counts"),
                subject: Some(function),
                message: "function is not a Graph function name",
                hint: Some("getOffice365ActivationCounts"),
                ..Expected::default()
            },
        );
    }
}

#[test]
fn docs_that_are_not_an_https_link_and_an_empty_summary() {
    let text = family("test", &[report("alpha_counts")]);
    let http = replace_once(&text, "docs: https://", "docs: http://");
    check(
        &only_problem(&http),
        Expected {
            line: line(&http, "docs: http://", 0),
            report: Some("alpha_counts"),
            subject: Some("http://learn.microsoft.com/graph/api/reportroot-getalphacounts"),
            message: "docs is not an https:// link",
            hint: Some("reference page"),
            ..Expected::default()
        },
    );
    let empty = replace_once(&text, "summary: Summary of alpha_counts.", "summary: \" \"");
    check(
        &only_problem(&empty),
        Expected {
            line: line(&empty, "- id: alpha_counts", 0),
            report: Some("alpha_counts"),
            message: "summary is empty",
            ..Expected::default()
        },
    );
}

#[test]
fn duplicate_method_name_across_reports() {
    let first = with_date_parameter_and_forms(
        &family("test", &[report("alpha_counts")]),
        "    forms:\n      - parameters: [period]\n      - parameters: [date]\n",
    );
    // `alpha_counts` has the methods `alpha_counts` and `alpha_counts_by_date`.
    let text = format!("{first}{}", report("alpha_counts_by_date"));
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "- id: alpha_counts_by_date", 0),
            report: Some("alpha_counts_by_date"),
            subject: Some("alpha_counts_by_date"),
            message: "method name already used by spec/test.yaml (alpha_counts)",
            hint: Some("`method:`"),
            ..Expected::default()
        },
    );
}

#[test]
fn method_override_resolves_a_method_collision() {
    let first = with_date_parameter_and_forms(
        &family("test", &[report("alpha_counts")]),
        "    forms:\n      - parameters: [period]\n      - parameters: [date]\n        method: alpha_counts_on_day\n",
    );
    let text = format!("{first}{}", report("alpha_counts_by_date"));
    let catalog = codegen::validate(&[SpecSource {
        file: FILE,
        text: &text,
    }])
    .unwrap_or_else(|problems| panic!("{problems}"));
    let methods: Vec<&str> = catalog.families[0]
        .reports
        .iter()
        .flat_map(|report| report.forms.iter().map(|form| form.method.as_str()))
        .collect();
    assert_eq!(
        methods,
        [
            "alpha_counts",
            "alpha_counts_on_day",
            "alpha_counts_by_date"
        ]
    );
}

#[test]
fn method_override_that_is_not_snake_case() {
    let text = with_date_parameter_and_forms(
        &family("test", &[report("alpha_counts")]),
        "    forms:\n      - parameters: [period]\n      - parameters: [date]\n        method: AlphaOnDay\n",
    );
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "method: AlphaOnDay", 0),
            report: Some("alpha_counts"),
            subject: Some("AlphaOnDay"),
            message: "method name is not a snake_case identifier",
            ..Expected::default()
        },
    );
}

#[test]
fn family_problems() {
    let bad_name = family("Test-Family", &[report("alpha_counts")]);
    check(
        &only_problem(&bad_name),
        Expected {
            line: line(&bad_name, "family: Test-Family", 0),
            subject: Some("Test-Family"),
            message: "family name is not a snake_case identifier",
            hint: Some("Cargo feature"),
            ..Expected::default()
        },
    );

    let empty = "family: test\nsummary: Nothing yet.\nreports: []\n";
    check(
        &only_problem(empty),
        Expected {
            message: "the family has no reports",
            hint: Some("`reports:`"),
            ..Expected::default()
        },
    );

    let first = family("test", &[report("alpha_counts")]);
    let second = family("test", &[report("beta_counts")]);
    let all = problems(&[("spec/first.yaml", &first), ("spec/second.yaml", &second)]);
    assert_eq!(all.len(), 1, "{all:?}");
    check(
        &all[0],
        Expected {
            file: "spec/second.yaml",
            line: line(&second, "family: test", 0),
            subject: Some("test"),
            message: "family already declared in spec/first.yaml",
            hint: Some("one spec file"),
            report: None,
        },
    );
}

#[test]
fn line_numbers_point_into_the_right_report_when_ids_share_a_prefix() {
    // `- id: alpha_counts_by_user` comes first and starts with `- id: alpha_counts`.
    let broken = replace_once(&report("alpha_counts"), "type: integer", "type: int");
    let text = family("test", &[report("alpha_counts_by_user"), broken]);
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "- header: Storage Used (Byte)", 1),
            report: Some("alpha_counts"),
            subject: Some("Storage Used (Byte)"),
            message: "unknown column type `int`",
            hint: Some("use one of"),
            ..Expected::default()
        },
    );
}

#[test]
fn line_numbers_match_whole_values_not_substrings() {
    // The header `Active` after `OneDrive Active`.
    let text = replace_once(
        &family("test", &[report("alpha_counts")]),
        "        type: integer\n",
        "        type: integer\n      - header: OneDrive Active\n        type: integer\n      - header: Active\n        type: int\n",
    );
    assert_eq!(only_problem(&text).line, line(&text, "- header: Active", 0));
    // The parameter `date` in a report whose id holds `date`.
    let text = with_date_parameter_and_forms(
        &family("test", &[report("update_counts")]),
        "    forms:\n      - parameters: [period]\n",
    );
    let problem = only_problem(&text);
    assert_eq!(problem.subject.as_deref(), Some("date"));
    assert_eq!(problem.line, line(&text, "- name: date", 0));
}

/// Validation does not stop at the first problem: every problem of every report of every file
/// is reported in one `Diagnostics`, in file and spec order.
#[test]
fn many_problems_are_all_reported_at_once() {
    // A file serde cannot read: its one problem is reported alongside the others.
    let unreadable = replace_once(
        &family("unreadable", &[report("gamma_counts")]),
        "    if_none_match: true\n",
        "    if_none_match: true\n    paging: true\n",
    );
    // Two reports with several problems each.
    let alpha = report("alpha_counts");
    let alpha = replace_once(&alpha, "type: integer", "type: int");
    let alpha = replace_once(&alpha, "clouds: [global]", "clouds: [mars]");
    let beta = report_with_function("BetaCounts", "getAlphaCounts");
    let beta = replace_once(&beta, "clouds: [global]", "clouds: [global, global]");
    let beta = replace_once(&beta, "        values: [D7, D30, D90, D180]\n", "");
    let beta = replace_once(&beta, "type: string", "type: list");
    let beta = replace_once(&beta, "type: integer", "type: int");
    let broken = family("broken", &[alpha, beta]);

    let all = problems(&[
        ("spec/unreadable.yaml", &unreadable),
        ("spec/broken.yaml", &broken),
    ]);
    let summary: Vec<(&str, Option<&str>, Option<&str>, &str)> = all
        .iter()
        .map(|problem| {
            (
                problem.file.as_str(),
                problem.report.as_deref(),
                problem.subject.as_deref(),
                problem.message.as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary.len(),
        9,
        "{}",
        all.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(summary[0].0, "spec/unreadable.yaml");
    assert!(
        summary[0].3.contains("unknown field `paging`"),
        "{}",
        summary[0].3
    );
    assert_eq!(
        &summary[1..],
        [
            (
                "spec/broken.yaml",
                Some("alpha_counts"),
                Some("mars"),
                "unknown cloud"
            ),
            (
                "spec/broken.yaml",
                Some("alpha_counts"),
                Some("Storage Used (Byte)"),
                "unknown column type `int`"
            ),
            (
                "spec/broken.yaml",
                Some("BetaCounts"),
                Some("BetaCounts"),
                "report id is not a snake_case identifier"
            ),
            (
                "spec/broken.yaml",
                Some("BetaCounts"),
                Some("getAlphaCounts"),
                "duplicate function, first declared in spec/broken.yaml (alpha_counts)"
            ),
            (
                "spec/broken.yaml",
                Some("BetaCounts"),
                Some("global"),
                "duplicate cloud"
            ),
            (
                "spec/broken.yaml",
                Some("BetaCounts"),
                Some("period"),
                "enum parameter has no values"
            ),
            (
                "spec/broken.yaml",
                Some("BetaCounts"),
                Some("User Principal Name"),
                "list column has no separator"
            ),
            (
                "spec/broken.yaml",
                Some("BetaCounts"),
                Some("Storage Used (Byte)"),
                "unknown column type `int`"
            ),
        ]
    );
    // Every problem has a line, and the rendered list counts them.
    assert!(all.iter().all(|problem| problem.line.is_some()), "{all:?}");
    let rendered = codegen::Diagnostics(all).to_string();
    assert!(
        rendered.starts_with("9 problems in the spec:\n"),
        "{rendered}"
    );
    // The whole message as a user reads it, so a change to any wording or hint is reviewed.
    insta::assert_snapshot!("nine_problems_at_once", rendered);
}

#[test]
fn optional_parameter_listed_in_a_form() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(
        &text,
        "        quoted: true\n",
        "        quoted: true\n        optional: true\n    forms:\n      - parameters: [period]\n",
    );
    check(
        &only_problem(&text),
        Expected {
            // The locator finds the parameter's first mention: its declaration.
            line: line(&text, "- name: period", 0),
            report: Some("alpha_counts"),
            subject: Some("period"),
            message: "an optional parameter is listed in a form",
            hint: Some("set on the request"),
            ..Expected::default()
        },
    );
}

#[test]
fn default_on_a_required_parameter() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(
        &text,
        "        quoted: true\n",
        "        quoted: true\n        default: D30\n",
    );
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "- name: period", 0),
            report: Some("alpha_counts"),
            subject: Some("period"),
            message: "only optional parameters have a default",
            hint: Some("optional: true"),
            ..Expected::default()
        },
    );
}

#[test]
fn optional_parameter_named_like_a_request_method() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(
        &text,
        "      - name: period\n",
        "      - name: format\n        optional: true\n",
    );
    let text = replace_once(
        &text,
        "        enum: Period\n",
        "        enum: ReportFormatChoice\n",
    );
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "- name: format", 0),
            report: Some("alpha_counts"),
            subject: Some("format"),
            message: "optional parameter's setter `format` is taken by a method every report request has",
            hint: Some("cannot be optional under that name"),
            ..Expected::default()
        },
    );
}

#[test]
fn default_format_the_version_does_not_serve() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(
        &text,
        "        formats: [csv]\n",
        "        formats: [csv]\n        default_format: json\n",
    );
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "- version: v1.0", 0),
            report: Some("alpha_counts"),
            subject: Some("v1.0"),
            message: "the default format is not one of the version's formats",
            hint: Some("formats:"),
            ..Expected::default()
        },
    );
}

#[test]
fn unknown_csv_delivery_and_delivery_without_csv() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(
        &text,
        "        formats: [csv]\n",
        "        formats: [csv]\n        csv_delivery: mail\n",
    );
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "csv_delivery: mail", 0),
            report: Some("alpha_counts"),
            subject: Some("mail"),
            message: "unknown csv_delivery",
            hint: Some("`redirect`"),
            ..Expected::default()
        },
    );
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(
        &text,
        "        formats: [csv, json]\n",
        "        formats: [json]\n        default_format: json\n        csv_delivery: body\n",
    );
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "- version: beta", 0),
            report: Some("alpha_counts"),
            subject: Some("beta"),
            message: "csv_delivery on a version that serves no CSV",
            hint: Some("remove `csv_delivery`"),
            ..Expected::default()
        },
    );
}

#[test]
fn json_nested_parent_column_that_is_not_a_column() {
    let text = family("test", &[report("alpha_counts")]);
    let text = format!(
        "{text}    json_nested:\n      property: details\n      parent_columns: [Report Refresh Date, User Name]\n"
    );
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "parent_columns", 0),
            report: Some("alpha_counts"),
            subject: Some("User Name"),
            message: "parent column is not a column of the report",
            hint: Some("`columns:`"),
            ..Expected::default()
        },
    );
}

#[test]
fn json_nested_with_every_column_a_parent() {
    let text = family("test", &[report("alpha_counts")]);
    let text = format!(
        "{text}    json_nested:\n      property: details\n      parent_columns: [Report Refresh Date, User Principal Name, Storage Used (Byte)]\n"
    );
    check(
        &only_problem(&text),
        Expected {
            line: line(&text, "property: details", 0),
            report: Some("alpha_counts"),
            subject: Some("details"),
            message: "every column is a parent column: nothing is nested",
            hint: Some("remove `json_nested`"),
            ..Expected::default()
        },
    );
}

#[test]
fn camel_case_parameter_names_derive_snake_case_arguments() {
    let text = family("test", &[report("alpha_counts")]);
    let text = replace_once(
        &text,
        "      - name: period\n",
        "      - name: servicePeriod\n",
    );
    let catalog = codegen::validate(&[SpecSource {
        file: FILE,
        text: &text,
    }])
    .unwrap();
    let parameter = &catalog.families[0].reports[0].parameters[0];
    assert_eq!(
        (parameter.name.as_str(), parameter.ident.as_str()),
        ("servicePeriod", "service_period")
    );
    assert_eq!(catalog.families[0].reports[0].forms[0].parameters, [0]);
}
