//! What a request or a file reader does with rows that do not decode: fail on the first one
//! (the default), or set them aside with their line, column, cell and reason and keep going.

#![allow(
    clippy::unwrap_used,
    reason = "test servers panic on setup failures by design"
)]

#[allow(
    dead_code,
    reason = "each test crate uses its own part of the shared helpers"
)]
mod common;

use common::{Reply, Server, builder};
use futures_util::StreamExt;
use reports_sdk::office365::Office365ActivationsUserCountsRow;
use reports_sdk::{ApiVersion, AsyncCsvReader, BadRows, CsvReader, ErrorKind, Format, RejectedRow};
use serde_json::json;

/// Three good rows around four bad ones: a blank required count, a float, text in a count and
/// a record with a field too many. Row 2 spans two lines (a quoted line break), so lines and
/// row numbers differ.
const FILE: &str = "\u{feff}Report Refresh Date,Product Type,Assigned,Activated,Shared Computer Activation\r\n\
    2024-01-31,Visio,4,1,\r\n\
    2024-01-31,\"Project\r\nOnline\",2,,0\r\n\
    2024-01-31,Office,1e3,1,0\r\n\
    2024-01-31,Teams,5,3,0\r\n\
    2024-01-31,Word,five,1,0\r\n\
    2024-01-31,Excel,1,1,0,extra\r\n\
    2024-01-31,Access,7,7,\r\n";

const GOOD: [(&str, i64); 3] = [("Visio", 4), ("Teams", 5), ("Access", 7)];

fn products(rows: &[Office365ActivationsUserCountsRow]) -> Vec<(&str, i64)> {
    rows.iter()
        .map(|row| (row.product_type.as_str(), row.assigned))
        .collect()
}

/// Where a row was rejected: `(line, row, column, cell)`.
type Place<'a> = (Option<u64>, u64, Option<&'a str>, Option<&'a str>);

/// The [`Place`] of each rejected row.
fn places(rejected: &[RejectedRow]) -> Vec<Place<'_>> {
    rejected
        .iter()
        .map(|row| {
            (
                row.line,
                row.record,
                row.column.as_deref(),
                row.cell.as_deref(),
            )
        })
        .collect()
}

const EXPECTED_PLACES: [Place<'static>; 4] = [
    (Some(3), 2, Some("Activated"), Some("")),
    (Some(5), 3, Some("Assigned"), Some("1e3")),
    (Some(7), 5, Some("Assigned"), Some("five")),
    (Some(8), 6, None, None),
];

/// Graph answering a report call with a `302` to a download of `file`.
async fn graph_serving(file: &'static str) -> (Server, Server) {
    let download = Server::start(move |_| Reply::csv(file)).await;
    let location = format!("{}/file.csv", download.url());
    let graph = Server::start(move |_| Reply::found(&location)).await;
    (graph, download)
}

#[tokio::test]
async fn by_default_the_first_bad_row_fails_the_request_and_says_how_to_keep_going() {
    let (graph, _download) = graph_serving(FILE).await;
    let client = builder(&graph).build().unwrap();

    let error = client
        .office365_activations_user_counts()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);
    let position = error.position().unwrap();
    assert_eq!(
        (position.line, position.record, position.column.as_deref()),
        (Some(3), 2, Some("Activated"))
    );
    assert!(error.message().contains("BadRows::reject()"), "{error}");

    // A stream still hands out the rows before the bad one, then the error, then ends.
    let mut stream = client
        .office365_activations_user_counts()
        .stream()
        .await
        .unwrap();
    assert_eq!(stream.next().await.unwrap().unwrap().product_type, "Visio");
    assert!(stream.next().await.unwrap().is_err());
    assert!(stream.next().await.is_none());
    assert!(stream.rejected().is_empty());
}

#[tokio::test]
async fn rejecting_keeps_every_good_row_and_lists_the_bad_ones_with_line_column_cell_and_reason() {
    let (graph, _download) = graph_serving(FILE).await;
    let client = builder(&graph).build().unwrap();

    let report = client
        .office365_activations_user_counts()
        .on_bad_row(BadRows::reject())
        .send()
        .await
        .unwrap();

    assert_eq!(products(&report.rows), GOOD);
    assert_eq!(places(&report.rejected), EXPECTED_PLACES);
    let reasons: Vec<&str> = report
        .rejected
        .iter()
        .map(|row| row.reason.as_str())
        .collect();
    assert!(reasons[0].contains("empty cell"), "{}", reasons[0]);
    assert!(reasons[1].contains("\"1e3\""), "{}", reasons[1]);
    assert!(reasons[2].contains("\"five\""), "{}", reasons[2]);
    assert!(reasons[3].contains("6 field(s)"), "{}", reasons[3]);
    assert_eq!(
        report.rejected[1].to_string(),
        format!("line 5 (row 3), column \"Assigned\": {}", reasons[1])
    );
}

#[tokio::test]
async fn a_stream_skips_bad_rows_and_lists_them_once_it_has_passed_them() {
    let (graph, _download) = graph_serving(FILE).await;
    let client = builder(&graph).build().unwrap();

    let mut stream = client
        .office365_activations_user_counts()
        .on_bad_row(BadRows::reject())
        .stream()
        .await
        .unwrap();
    let mut rows = Vec::new();
    while let Some(row) = stream.next().await {
        rows.push(row.unwrap());
    }
    assert_eq!(products(&rows), GOOD);
    assert_eq!(places(&stream.rejected()), EXPECTED_PLACES);
}

#[tokio::test]
async fn more_bad_rows_than_the_limit_fail_with_a_limit_error_naming_it() {
    let (graph, _download) = graph_serving(FILE).await;
    let client = builder(&graph).build().unwrap();

    let error = client
        .office365_activations_user_counts()
        .on_bad_row(BadRows::Reject { max: 2 })
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Limit);
    assert!(error.message().contains("more than 2 rows"), "{error}");
    assert!(
        error.message().contains("BadRows::Reject { max }"),
        "{error}"
    );
    // The row that went over the limit.
    assert_eq!(error.position().unwrap().line, Some(7));
}

#[tokio::test]
async fn a_long_bad_cell_is_kept_cut_short() {
    let long = "9".repeat(100_000) + "x";
    let file: &'static str = Box::leak(
        format!(
            "Report Refresh Date,Product Type,Assigned,Activated\r\n2024-01-31,Visio,{long},1\r\n2024-01-31,Word,1,1\r\n"
        )
        .into_boxed_str(),
    );
    let (graph, _download) = graph_serving(file).await;
    let client = builder(&graph).build().unwrap();

    let report = client
        .office365_activations_user_counts()
        .on_bad_row(BadRows::reject())
        .send()
        .await
        .unwrap();
    assert_eq!(report.rows.len(), 1);
    let cell = report.rejected[0].cell.as_deref().unwrap();
    assert_eq!(cell.chars().count(), 200);
    assert!(cell.ends_with('…'));
    assert!(report.rejected[0].reason.len() < 1_000);
}

#[tokio::test]
async fn json_rows_are_rejected_by_property_with_the_value_as_json() {
    let graph = Server::start(|_| {
        Reply::json(
            200,
            &json!({"value": [
                {"reportRefreshDate": "2024-01-31", "productType": "Visio", "assigned": 4, "activated": 1},
                {"reportRefreshDate": "2024-01-31", "productType": "Word", "assigned": "many", "activated": 1},
                {"reportRefreshDate": "2024-01-31", "productType": "Excel", "assigned": 2},
                {"reportRefreshDate": "2024-01-31", "productType": null, "assigned": 3, "activated": 1},
            ]}),
        )
    })
    .await;
    let client = builder(&graph).build().unwrap();

    let report = client
        .office365_activations_user_counts()
        .version(ApiVersion::Beta)
        .format(Format::Json)
        .on_bad_row(BadRows::reject())
        .send()
        .await
        .unwrap();
    // `null` in a required text column is an empty cell, not a bad row.
    assert_eq!(products(&report.rows), [("Visio", 4), ("", 3)]);
    assert_eq!(
        places(&report.rejected),
        [
            (None, 2, Some("Assigned"), Some("\"many\"")),
            (None, 3, Some("Activated"), Some("null")),
        ]
    );

    let error = client
        .office365_activations_user_counts()
        .version(ApiVersion::Beta)
        .format(Format::Json)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(
        error.position().unwrap().column.as_deref(),
        Some("Assigned")
    );
}

#[test]
fn a_file_reader_fails_by_default_and_rejects_when_asked() {
    let mut rows = CsvReader::<Office365ActivationsUserCountsRow, _>::new(FILE.as_bytes()).unwrap();
    assert_eq!(rows.next().unwrap().unwrap().product_type, "Visio");
    assert_eq!(rows.next().unwrap().unwrap_err().kind(), ErrorKind::Decode);
    assert!(rows.next().is_none());

    // The header is read by the constructor, the rows only after the setting.
    let mut rows = CsvReader::<Office365ActivationsUserCountsRow, _>::new(FILE.as_bytes())
        .unwrap()
        .on_bad_row(BadRows::reject());
    let good: Vec<_> = rows.by_ref().map(Result::unwrap).collect();
    assert_eq!(products(&good), GOOD);
    assert_eq!(places(&rows.rejected()), EXPECTED_PLACES);
}

#[tokio::test]
async fn an_async_file_reader_rejects_when_asked() {
    let mut rows = AsyncCsvReader::<Office365ActivationsUserCountsRow, _>::new(FILE.as_bytes())
        .await
        .unwrap()
        .on_bad_row(BadRows::reject());
    let mut good = Vec::new();
    while let Some(row) = rows.next_row().await {
        good.push(row.unwrap());
    }
    assert_eq!(products(&good), GOOD);
    assert_eq!(places(&rows.rejected()), EXPECTED_PLACES);
}
