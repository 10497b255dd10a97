//! A report defined outside the SDK, as a user blocked by a report newer than this release
//! would: a row type of their own with `const` metadata, fetched through the SDK's client.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers panic on a broken fixture or server by design"
)]

#[allow(
    dead_code,
    reason = "each test crate uses its own part of the shared helpers"
)]
mod common;

use common::{Reply, Server, client};
use reports_sdk::{
    ApiVersion, Argument, ColumnMeta, ColumnType, FormMeta, Format, ParameterKind, ParameterMeta,
    Report, ReportMeta, VersionMeta,
};

#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
struct WidgetRow {
    #[serde(rename = "Report Refresh Date")]
    report_refresh_date: chrono::NaiveDate,
    #[serde(rename = "Widgets")]
    widgets: i64,
}

const PERIOD: ParameterMeta = ParameterMeta::new(
    "period",
    ParameterKind::Enum {
        type_name: "Period",
        values: &["D7", "D30"],
    },
    true,
);

impl Report for WidgetRow {
    const META: &'static ReportMeta = &ReportMeta::new(
        "widget_counts",
        "getWidgetCounts",
        &[
            ColumnMeta::new(
                "Report Refresh Date",
                "report_refresh_date",
                "reportRefreshDate",
                ColumnType::Date,
            ),
            ColumnMeta::new("Widgets", "widgets", "widgets", ColumnType::Integer),
        ],
    )
    .with_parameters(
        &[PERIOD],
        &[FormMeta::new(
            "widget_counts",
            &[0],
            "/reports/getWidgetCounts(period='{period}')",
        )],
    )
    .with_versions(&[VersionMeta::new(ApiVersion::Beta, &[Format::Csv])]);
}

#[tokio::test]
async fn a_row_type_defined_outside_the_sdk_is_fetched_like_a_generated_one() {
    let download = Server::start(|_| {
        Reply::csv("\u{feff}Report Refresh Date,Widgets,Gadgets\r\n2024-01-31,5,1\r\n")
    })
    .await;
    let location = format!("{}/file", download.url());
    let graph = Server::start(move |_| Reply::found(&location)).await;
    let report = client(&graph)
        .request::<WidgetRow>(&WidgetRow::META.forms[0], vec![Argument::Enum("D30")])
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(
        graph.hits()[0].path,
        "/beta/reports/getWidgetCounts(period='D30')"
    );
    assert_eq!(report.rows[0].widgets, 5);
    assert_eq!(report.info.drift.unknown_columns, ["Gadgets"]);
    let error = client(&graph)
        .request::<WidgetRow>(&WidgetRow::META.forms[0], vec![Argument::Enum("D90")])
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("is not a value of parameter `period`"),
        "{error}"
    );
}
