//! The codegen fixtures' generated code (`fixtures/`, from `codegen/tests/fixtures/*.yaml`)
//! through the runtime: every column type decoded from CSV and from beta JSON, required and
//! optional, present, empty and absent; bad cells named by column; nested JSON; rows serialized
//! back; every generated method and setter by the request it builds. The fixtures compile here
//! whatever report families are enabled, so every branch of the generator reaches the compiler
//! and every decoder and encoder it names is called.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

use super::fixtures::columns::{AwkwardHeadersRow, EveryColumnTypeRow};
use super::fixtures::options::{AppUsageRow, NestedActivityRow};
use super::fixtures::parameters::{ActivityDetailRow, ScopedCountsRow};
use super::fixtures::{self, Period, Scope, UsagePeriod};
use super::json_rows::rows_of;
use super::{
    ApiVersion, Client, ColumnType, CsvDelivery, EnumParameter, ErrorKind, Format, Report,
    ReportMeta, ReportRequest, ReportVisitor, Row, read_csv,
};

fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

fn at(date: NaiveDate, hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    date.and_hms_opt(hour, minute, second).unwrap().and_utc()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

fn client() -> Client {
    Client::builder().token("fixture-token").build().unwrap()
}

const EVERY_COLUMN_TYPE_HEADER: &str = "Report Refresh Date,Last Activity Date,Created Date Time,\
Deleted Date Time,User Principal Name,Display Name,Item Count,Active File Count,Is Deleted,\
Has Exchange License,Audio Duration,Video Duration,Assigned Products,Products Used";

/// The first row of [`every_column_type_decodes_from_csv`]: every optional column filled.
fn full_row() -> EveryColumnTypeRow {
    EveryColumnTypeRow {
        report_refresh_date: day(2024, 1, 31),
        last_activity_date: Some(day(2024, 1, 30)),
        created_date_time: at(day(2024, 1, 2), 3, 4, 5),
        deleted_date_time: Some(at(day(2024, 1, 29), 8, 0, 0)),
        user_principal_name: "a@contoso.com".to_owned(),
        display_name: Some("Doe, Ann".to_owned()),
        item_count: 12,
        active_file_count: Some(3),
        is_deleted: false,
        has_exchange_license: Some(true),
        audio_duration: Duration::from_secs(3723),
        video_duration: Some(Duration::from_millis(1500)),
        assigned_products: strings(&["OFFICE E3", "TEAMS"]),
        products_used: Some(strings(&["TEAMS"])),
    }
}

/// Every optional column empty; required text and lists empty too.
fn sparse_row() -> EveryColumnTypeRow {
    EveryColumnTypeRow {
        report_refresh_date: day(2024, 1, 31),
        last_activity_date: None,
        created_date_time: at(day(2024, 1, 2), 2, 4, 5),
        deleted_date_time: None,
        user_principal_name: String::new(),
        display_name: None,
        item_count: 0,
        active_file_count: None,
        is_deleted: true,
        has_exchange_license: None,
        audio_duration: Duration::from_secs(123 * 3600),
        video_duration: None,
        assigned_products: Vec::new(),
        products_used: None,
    }
}

#[test]
fn every_column_type_decodes_from_csv() {
    let file = format!(
        "\u{feff}{EVERY_COLUMN_TYPE_HEADER}\r\n\
2024-01-31,2024-01-30,2024-01-02 03:04:05,2024-01-29T08:00:00Z,a@contoso.com,\"Doe, Ann\",12,3,False,true,01:02:03,00:00:01.5,OFFICE E3+TEAMS,TEAMS\r\n\
2024-01-31, ,2024-01-02T03:04:05+01:00,,,,0,,TRUE,,123:00:00,,,\r\n"
    );
    let (rows, drift) = read_csv::<EveryColumnTypeRow>(file.as_bytes()).unwrap();
    assert_eq!(rows, [full_row(), sparse_row()]);
    assert!(drift.is_empty(), "{drift:?}");
}

#[test]
fn optional_columns_may_be_absent_from_the_file() {
    let required: Vec<&str> = EveryColumnTypeRow::META
        .columns
        .iter()
        .filter(|column| !column.optional)
        .map(|column| column.header)
        .collect();
    let file = format!(
        "{}\n2024-01-31,2024-01-02 02:04:05,,0,True,123:00:00,\n",
        required.join(",")
    );
    let (rows, drift) = read_csv::<EveryColumnTypeRow>(file.as_bytes()).unwrap();
    assert_eq!(rows, [sparse_row()]);
    assert_eq!(
        drift.missing_columns,
        [
            "Last Activity Date",
            "Deleted Date Time",
            "Display Name",
            "Active File Count",
            "Has Exchange License",
            "Video Duration",
            "Products Used",
        ]
    );
    assert!(drift.unknown_columns.is_empty());
}

#[test]
fn a_bad_cell_of_each_type_is_named_by_its_column() {
    let good = [
        "2024-01-31",
        "2024-01-30",
        "2024-01-02 03:04:05",
        "2024-01-29T08:00:00Z",
        "a@contoso.com",
        "Ann",
        "12",
        "3",
        "False",
        "True",
        "01:02:03",
        "00:00:01",
        "A+B",
        "B",
    ];
    let columns = EveryColumnTypeRow::META.columns;
    assert_eq!(columns.len(), good.len());
    let mut failed = Vec::new();
    for (index, column) in columns.iter().enumerate() {
        let bad = match column.ty {
            ColumnType::Date => "31/01/2024",
            ColumnType::DateTime => "yesterday",
            ColumnType::Integer => "many",
            ColumnType::Boolean => "yes",
            ColumnType::Duration => "1h",
            // Any text is a string or a list.
            ColumnType::String | ColumnType::List { .. } => continue,
        };
        let mut cells = good;
        cells[index] = bad;
        let file = format!("{EVERY_COLUMN_TYPE_HEADER}\n{}\n", cells.join(","));
        let error = read_csv::<EveryColumnTypeRow>(file.as_bytes()).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode);
        assert_eq!(
            error.position().unwrap().column.as_deref(),
            Some(column.header),
            "{error}"
        );
        assert!(error.to_string().contains(&format!("{bad:?}")), "{error}");
        failed.push(column.header);
    }
    assert_eq!(failed.len(), 10, "five types, each required and optional");
    let (rows, _) = read_csv::<EveryColumnTypeRow>(
        format!("{EVERY_COLUMN_TYPE_HEADER}\n{}\n", good.join(",")).as_bytes(),
    )
    .unwrap();
    assert_eq!(rows.len(), 1, "the good cells decode");
}

#[test]
fn every_column_type_decodes_from_json() {
    let full = json!({
        "reportRefreshDate": "2024-01-31",
        "lastActivityDate": "2024-01-30",
        "createdDateTime": "2024-01-02T03:04:05Z",
        "deletedDateTime": "2024-01-29T10:00:00+02:00",
        "userPrincipalName": "a@contoso.com",
        "displayName": "Doe, Ann",
        "itemCount": 12,
        "activeFileCount": "3",
        "isDeleted": false,
        "hasExchangeLicense": true,
        "audioDuration": "PT1H2M3S",
        "videoDuration": "PT1.5S",
        "assignedProducts": ["OFFICE E3", "TEAMS"],
        "productsUsed": ["TEAMS"],
        "@odata.type": "#microsoft.graph.everyColumnType",
    });
    assert_eq!(EveryColumnTypeRow::from_json(full).unwrap(), full_row());
    // Optional properties `null` or absent; required ones in their other JSON shapes.
    let sparse = json!({
        "reportRefreshDate": "2024-01-31",
        "lastActivityDate": null,
        "createdDateTime": "2024-01-02T03:04:05+01:00",
        "userPrincipalName": "",
        "displayName": null,
        "itemCount": "0",
        "isDeleted": true,
        "audioDuration": "P5DT3H",
        "videoDuration": null,
        "assignedProducts": [],
    });
    // A count written as a float is refused, even a whole one: Graph writes integers.
    let mut float = sparse.clone();
    float["itemCount"] = json!(0.0);
    let error = EveryColumnTypeRow::from_json(float).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("expected a whole number, found the floating-point number 0.0"),
        "{error}"
    );
    assert_eq!(EveryColumnTypeRow::from_json(sparse).unwrap(), sparse_row());
    let missing = json!({"reportRefreshDate": "2024-01-31"});
    let error = EveryColumnTypeRow::from_json(missing).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("missing field `Created Date Time`"),
        "{error}"
    );
}

#[test]
fn rows_serialize_under_their_headers_as_the_report_writes_them() {
    let full = serde_json::to_value(full_row()).unwrap();
    let headers: Vec<&str> = full
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(headers.join(","), EVERY_COLUMN_TYPE_HEADER);
    assert_eq!(full["Audio Duration"], "01:02:03");
    assert_eq!(full["Video Duration"], "00:00:01.5");
    assert_eq!(full["Assigned Products"], "OFFICE E3+TEAMS");
    assert_eq!(full["Products Used"], "TEAMS");
    assert_eq!(full["Is Deleted"], false);
    assert_eq!(full["Item Count"], 12);
    assert_eq!(full["Report Refresh Date"], "2024-01-31");
    let sparse = serde_json::to_value(sparse_row()).unwrap();
    for header in ["Video Duration", "Products Used", "Last Activity Date"] {
        assert_eq!(sparse[header], Value::Null, "{header}");
    }
    assert_eq!(sparse["Audio Duration"], "123:00:00");
    assert_eq!(sparse["Assigned Products"], "");
}

#[test]
fn awkward_headers_decode_by_exact_header_and_by_json_name() {
    let file = b"Type,Self,gen,crate,Windows 10 Mobile,Storage Used (Byte),Peer-to-peer,10 Mobile,iOS,User Id,User ID,OneDrive Active,Report Period\n\
file,1,true,,2,3,4,5,6,lower,upper,7,30\n";
    let (rows, _) = read_csv::<AwkwardHeadersRow>(file).unwrap();
    let expected = AwkwardHeadersRow {
        type_: "file".to_owned(),
        self_: 1,
        gen_: true,
        crate_: None,
        windows_10_mobile: 2,
        storage_used_byte: 3,
        peer_to_peer: 4,
        n10_mobile: 5,
        ios: 6,
        user_id: "lower".to_owned(),
        user_object_id: "upper".to_owned(),
        one_drive_active: 7,
        report_period: 30,
    };
    assert_eq!(rows, std::slice::from_ref(&expected));
    let json = json!({
        "type": "file", "self": 1, "gen": true, "crate": null, "windows10Mobile": 2,
        "storageUsedByte": 3, "peerToPeer": 4, "10Mobile": 5, "iOS": 6, "userId": "lower",
        "userID": "upper", "oneDriveActive": 7, "reportPeriodInDays": "30",
    });
    assert_eq!(AwkwardHeadersRow::from_json(json).unwrap(), expected);
}

#[test]
fn nested_json_items_become_one_row_per_element() {
    let meta = NestedActivityRow::META;
    assert_eq!(meta.json_nested, Some("activityByPeriod"));
    let nested: Vec<&str> = meta
        .columns
        .iter()
        .filter(|column| column.json_nested)
        .map(|column| column.header)
        .collect();
    assert_eq!(nested, ["Report Period", "Meetings", "Meeting Duration"]);
    let items = vec![
        json!({
            "reportRefreshDate": "2024-01-31",
            "userPrincipalName": "a@contoso.com",
            "lastActivityDate": "2024-01-30",
            "activityByPeriod": [
                {"reportPeriod": 7, "meetings": 2, "meetingDuration": "PT30M"},
                {"reportPeriod": 30, "meetings": 9},
            ],
        }),
        json!({
            "reportRefreshDate": "2024-01-31",
            "userPrincipalName": "b@contoso.com",
            "lastActivityDate": null,
            "activityByPeriod": {"reportPeriod": "7", "meetings": 0, "meetingDuration": null},
        }),
    ];
    let rows: Vec<NestedActivityRow> = rows_of(meta, items)
        .into_iter()
        .map(|row| NestedActivityRow::from_json(row).unwrap())
        .collect();
    let row = |user: &str, last: Option<NaiveDate>, period, meetings, duration| NestedActivityRow {
        report_refresh_date: day(2024, 1, 31),
        user_principal_name: user.to_owned(),
        last_activity_date: last,
        report_period: period,
        meetings,
        meeting_duration: duration,
    };
    assert_eq!(
        rows,
        [
            row(
                "a@contoso.com",
                Some(day(2024, 1, 30)),
                7,
                2,
                Some(Duration::from_secs(1800))
            ),
            row("a@contoso.com", Some(day(2024, 1, 30)), 30, 9, None),
            row("b@contoso.com", None, 7, 0, None),
        ]
    );
    // The same report as CSV is flat.
    let file = b"Report Refresh Date,User Principal Name,Last Activity Date,Report Period,Meetings,Meeting Duration\n\
2024-01-31,a@contoso.com,2024-01-30,7,2,00:30:00\n";
    let (csv_rows, _) = read_csv::<NestedActivityRow>(file).unwrap();
    assert_eq!(csv_rows, rows[..1]);
}

#[test]
fn flat_json_rows_of_the_other_fixtures_decode() {
    let items = vec![
        json!({"reportRefreshDate": "2024-01-31", "scope": "ALL", "activeUsers": 3, "inactiveUsers": 1}),
        json!({"reportRefreshDate": "2024-01-31", "scope": "self", "activeUsers": "4"}),
    ];
    let rows: Vec<ScopedCountsRow> = rows_of(ScopedCountsRow::META, items)
        .into_iter()
        .map(|row| ScopedCountsRow::from_json(row).unwrap())
        .collect();
    assert_eq!(
        rows.iter()
            .map(|row| (row.scope.as_str(), row.active_users, row.inactive_users))
            .collect::<Vec<_>>(),
        [("ALL", 3, Some(1)), ("self", 4, None)]
    );
    let usage = AppUsageRow::from_json(json!({
        "date": "2024-01-31T00:00:00Z", "appID": "", "usage": 5, "services": ["Exchange", "Teams"],
    }))
    .unwrap();
    assert_eq!(
        usage,
        AppUsageRow {
            date: at(day(2024, 1, 31), 0, 0, 0),
            app_id: String::new(),
            usage: 5,
            active_apps: None,
            services: Some(strings(&["Exchange", "Teams"])),
        }
    );
    assert_eq!(
        serde_json::to_value(&usage).unwrap()["Services"],
        "Exchange;Teams",
        "a list serializes with its own separator"
    );
    let detail = ActivityDetailRow::from_json(json!({
        "reportRefreshDate": "2024-01-31", "userPrincipalName": "a@contoso.com", "reportPeriod": 7,
    }))
    .unwrap();
    assert_eq!(
        detail,
        ActivityDetailRow {
            report_refresh_date: day(2024, 1, 31),
            user_principal_name: "a@contoso.com".to_owned(),
            report_period: 7,
        }
    );
}

/// The report and form a request was built for, and the optional parameters set on it.
fn called<R>(request: &ReportRequest<R>) -> (&'static str, &'static str, Vec<&'static str>) {
    (
        request.meta.id,
        request.form.method,
        request.optional.iter().map(|(name, _)| *name).collect(),
    )
}

#[test]
fn every_generated_method_and_setter_builds_its_path() {
    let client = client();
    let date = day(2024, 1, 31);
    let mut seen = Vec::new();
    let mut check = |request: (String, (&'static str, &'static str, Vec<&'static str>)),
                     expected: &str| {
        assert_eq!(request.0, expected);
        seen.push(request.1);
    };
    macro_rules! call {
        ($request:expr) => {{
            let request = $request;
            (request.path(), called(&request))
        }};
    }
    check(
        call!(client.every_column_type(Period::D7)),
        "/reports/getEveryColumnType(period='D7')",
    );
    check(
        call!(client.awkward_headers()),
        "/reports/getAwkwardHeaders",
    );
    check(
        call!(client.activity_detail(Period::D30)),
        "/reports/getActivityDetail(period='D30')",
    );
    check(
        call!(client.activity_detail_by_date(date)),
        "/reports/getActivityDetail(date=2024-01-31)",
    );
    check(
        call!(client.scoped_counts(Period::D90, Scope::Self_)),
        "/reports/getScopedCounts(period='D90',scope='self')",
    );
    check(
        call!(client.scoped_counts(Period::D7, Scope::N7days)),
        "/reports/getScopedCounts(period='D7',scope='7days')",
    );
    check(
        call!(client.scoped_counts_for_team("Sales & Ops's", Period::D180)),
        "/reports/getScopedCounts(team='Sales%20%26%20Ops''s',period='D180')",
    );
    check(call!(client.app_usage()), "/reports/getAppUsage");
    // Optional parameters follow the form's, in the order the spec declares them, whatever
    // order they are set in; setting one again replaces it.
    check(
        call!(
            client
                .app_usage()
                .since(date)
                .app_id("app 1")
                .period(UsagePeriod::D7)
                .period(UsagePeriod::D60)
        ),
        "/reports/getAppUsage(period='D60',appId='app%201',since=2024-01-31)",
    );
    check(
        call!(client.app_usage().since(date)),
        "/reports/getAppUsage(since=2024-01-31)",
    );
    check(
        call!(client.nested_activity(Period::D7)),
        "/reports/getNestedActivity(period='D7')",
    );
    check(
        call!(client.nested_activity(Period::D30).team("Sales")),
        "/reports/getNestedActivity(period='D30',team='Sales')",
    );

    // Every form of every fixture report was called, and every optional parameter set.
    let forms: BTreeSet<(&str, &str)> = seen.iter().map(|(id, form, _)| (*id, *form)).collect();
    let optional: BTreeSet<(&str, &str)> = seen
        .iter()
        .flat_map(|(id, _, names)| names.iter().map(move |name| (*id, *name)))
        .collect();
    let all_forms: BTreeSet<(&str, &str)> = fixtures::CATALOG
        .iter()
        .flat_map(|meta| meta.forms.iter().map(move |form| (meta.id, form.method)))
        .collect();
    let all_optional: BTreeSet<(&str, &str)> = fixtures::CATALOG
        .iter()
        .flat_map(|meta| {
            meta.parameters
                .iter()
                .filter(|parameter| parameter.optional)
                .map(move |parameter| (meta.id, parameter.name))
        })
        .collect();
    assert_eq!(forms, all_forms);
    assert_eq!(optional, all_optional);
    assert_eq!(all_optional.len(), 4);
}

#[test]
fn generated_methods_build_what_the_catalogue_builds() {
    let client = client();
    let generated = client.scoped_counts_for_team("x", Period::D7);
    let from_catalogue = client
        .request::<ScopedCountsRow>(
            &<ScopedCountsRow as crate::runtime::meta::Report>::META.forms[1],
            vec![
                super::Argument::String("x".to_owned()),
                super::Argument::Enum("D7"),
            ],
        )
        .unwrap();
    assert_eq!(generated.path(), from_catalogue.path());
    assert_eq!(generated.url(), from_catalogue.url());
}

#[test]
fn versions_formats_and_delivery_come_from_the_spec() {
    let client = client();
    // Served by v1.0 and beta: the client's version.
    let request = client.activity_detail(Period::D7);
    assert_eq!(request.api_version(), ApiVersion::V1);
    assert_eq!(
        request.url(),
        "https://graph.microsoft.com/v1.0/reports/getActivityDetail(period='D7')"
    );
    let request = client
        .every_column_type(Period::D7)
        .version(ApiVersion::Beta);
    assert_eq!(
        request.format(Format::Json).url(),
        "https://graph.microsoft.com/beta/reports/getEveryColumnType(period='D7')?$format=application/json"
    );
    // Beta only: beta, whatever the client's version.
    assert_eq!(
        client.scoped_counts(Period::D7, Scope::All).api_version(),
        ApiVersion::Beta
    );
    // JSON by default: `$format` only to ask for CSV.
    let nested = client.nested_activity(Period::D7);
    assert_eq!(nested.api_version(), ApiVersion::Beta);
    let version = nested.meta().version(ApiVersion::Beta).unwrap();
    assert_eq!(version.default_format, Format::Json);
    assert_eq!(
        nested.url(),
        "https://graph.microsoft.com/beta/reports/getNestedActivity(period='D7')?$format=text/csv",
        "a request asks for CSV unless told otherwise, so here it says so"
    );
    assert_eq!(
        client
            .nested_activity(Period::D7)
            .format(Format::Json)
            .url(),
        "https://graph.microsoft.com/beta/reports/getNestedActivity(period='D7')"
    );
    assert_eq!(
        AppUsageRow::META.versions[0].csv_delivery,
        CsvDelivery::Body
    );
    assert!(AppUsageRow::META.ragged_rows);
    assert_eq!(
        EveryColumnTypeRow::META.versions[0].csv_delivery,
        CsvDelivery::Redirect
    );
}

#[tokio::test]
async fn the_spec_refuses_a_report_where_it_is_not_served_before_anything_is_sent() {
    // Nothing listens on port 9: a request that got as far as sending would fail otherwise.
    let client = Client::builder()
        .token("fixture-token")
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    let error = client.awkward_headers().send().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotAvailable);
    assert!(error.to_string().contains("`global`"), "{error}");
    let error = client
        .activity_detail(Period::D7)
        .format(Format::Json)
        .bytes()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotAvailable);
    assert!(error.to_string().contains("v1.0"), "{error}");
}

#[test]
fn enum_parameters_parse_and_print_their_wire_values() {
    assert_eq!(Scope::WIRE_VALUES, ["ALL", "Licensed", "self", "7days"]);
    assert_eq!("SELF".parse::<Scope>(), Ok(Scope::Self_));
    assert_eq!(Scope::N7days.to_string(), "7days");
    assert_eq!(
        "D90".parse::<UsagePeriod>().unwrap_err().to_string(),
        "\"D90\" is not a UsagePeriod; expected one of: D7, D30, D60"
    );
    for period in Period::ALL {
        assert_eq!(period.to_string().parse::<Period>(), Ok(*period));
    }
    assert_eq!(UsagePeriod::ALL.len(), 3);
}

/// Every fixture report, through the generated visitor: one row of its own columns, with a value
/// of each column's type, decodes from CSV and from JSON (nested where the report nests) into
/// the same row, and serializes back under its headers.
#[test]
fn every_fixture_report_decodes_a_row_of_its_columns() {
    struct Decode(Vec<&'static str>);
    impl ReportVisitor for Decode {
        fn visit<R: Report>(&mut self) {
            let meta = R::META;
            self.0.push(meta.id);
            let headers: Vec<&str> = meta.columns.iter().map(|column| column.header).collect();
            let cells: Vec<String> = meta
                .columns
                .iter()
                .map(|column| csv_cell(column.ty))
                .collect();
            let file = format!("{}\n{}\n", headers.join(","), cells.join(","));
            let (rows, drift) = read_csv::<R>(file.as_bytes()).unwrap();
            assert!(drift.is_empty(), "{}: {drift:?}", meta.id);
            assert_eq!(rows.len(), 1, "{}", meta.id);

            let json_rows: Vec<R> = rows_of(meta, vec![json_item(meta)])
                .into_iter()
                .map(|row| R::from_json(row).unwrap())
                .collect();
            let serialized = serde_json::to_value(&rows[0]).unwrap();
            assert_eq!(
                serde_json::to_value(&json_rows).unwrap(),
                json!([serialized]),
                "{}",
                meta.id
            );
            let serialized = serialized.as_object().unwrap();
            for (column, cell) in meta.columns.iter().zip(&cells) {
                let value = &serialized[column.header];
                let text = match value {
                    Value::String(text) => text.clone(),
                    Value::Bool(true) => "True".to_owned(),
                    other => other.to_string(),
                };
                let expected = match column.ty {
                    ColumnType::DateTime => "2024-01-31T10:20:30Z".to_owned(),
                    _ => cell.clone(),
                };
                assert_eq!(text, expected, "{}: {}", meta.id, column.header);
            }
        }
    }
    fn csv_cell(ty: ColumnType) -> String {
        match ty {
            ColumnType::Date => "2024-01-31".to_owned(),
            ColumnType::DateTime => "2024-01-31 10:20:30".to_owned(),
            ColumnType::String => "text".to_owned(),
            ColumnType::Integer => "7".to_owned(),
            ColumnType::Boolean => "True".to_owned(),
            ColumnType::Duration => "00:01:02".to_owned(),
            ColumnType::List { separator } => format!("a{separator}b"),
        }
    }
    fn json_value(ty: ColumnType) -> Value {
        match ty {
            ColumnType::Date => json!("2024-01-31"),
            ColumnType::DateTime => json!("2024-01-31T10:20:30Z"),
            ColumnType::String => json!("text"),
            ColumnType::Integer => json!(7),
            ColumnType::Boolean => json!(true),
            ColumnType::Duration => json!("PT1M2S"),
            ColumnType::List { .. } => json!(["a", "b"]),
        }
    }
    /// One beta JSON item: nested columns inside the nesting property where the report has one.
    fn json_item(meta: &ReportMeta) -> Value {
        let mut item = serde_json::Map::new();
        let mut nested = serde_json::Map::new();
        for column in meta.columns {
            let target = if meta.json_nested.is_some() && column.json_nested {
                &mut nested
            } else {
                &mut item
            };
            target.insert(column.json.to_owned(), json_value(column.ty));
        }
        if let Some(property) = meta.json_nested {
            item.insert(property.to_owned(), json!([nested]));
        }
        Value::Object(item)
    }

    let mut visited = Decode(Vec::new());
    fixtures::visit_reports(&mut visited);
    let catalogue: Vec<&str> = fixtures::CATALOG.iter().map(|meta| meta.id).collect();
    assert_eq!(visited.0, catalogue);
    assert_eq!(
        catalogue,
        [
            "every_column_type",
            "awkward_headers",
            "app_usage",
            "nested_activity",
            "activity_detail",
            "scoped_counts",
        ]
    );
}

/// The fixtures reach every column type, each required and optional, every parameter kind,
/// required and optional, and every per-report option: if a fixture loses one, the tests above
/// stop covering it.
#[test]
fn the_fixtures_reach_every_branch_of_the_spec() {
    let columns: BTreeSet<(&str, bool)> = fixtures::CATALOG
        .iter()
        .flat_map(|meta| meta.columns)
        .map(|column| (column.ty.spec_name(), column.optional))
        .collect();
    let mut expected = BTreeSet::new();
    for name in [
        "date", "datetime", "string", "integer", "boolean", "duration", "list",
    ] {
        expected.insert((name, false));
        expected.insert((name, true));
    }
    assert_eq!(columns, expected);

    let parameters: BTreeSet<(&str, bool)> = fixtures::CATALOG
        .iter()
        .flat_map(|meta| meta.parameters)
        .map(|parameter| {
            let kind = match parameter.kind {
                super::ParameterKind::Enum { .. } => "enum",
                super::ParameterKind::Date => "date",
                super::ParameterKind::String => "string",
            };
            (kind, parameter.optional)
        })
        .collect();
    let mut expected = BTreeSet::new();
    for kind in ["enum", "date", "string"] {
        expected.insert((kind, false));
        expected.insert((kind, true));
    }
    assert_eq!(parameters, expected);

    let metas = || fixtures::CATALOG.iter().copied();
    let versions = || metas().flat_map(|meta| meta.versions);
    assert!(metas().any(|meta| meta.ragged_rows));
    assert!(metas().any(|meta| meta.json_nested.is_some()));
    assert!(metas().any(|meta| meta.if_none_match));
    assert!(metas().any(|meta| meta.versions.len() == 1
        && meta.versions[0].version == ApiVersion::Beta
        && meta.versions[0].default_format == Format::Json));
    assert!(versions().any(|version| version.csv_delivery == CsvDelivery::Body));
    assert!(versions().any(|version| version.csv_delivery == CsvDelivery::Redirect));
    assert!(metas().any(|meta| meta.forms.len() > 1));
    assert!(metas().any(|meta| meta.forms.iter().all(|form| form.parameters.is_empty())));
    assert!(
        metas()
            .flat_map(|meta| meta.parameters)
            .any(|parameter| parameter.optional && parameter.default.is_none())
    );
}
