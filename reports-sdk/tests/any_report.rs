//! Reports chosen at run time (`Client::report`), and what the catalogue's special reports need
//! from the runtime: beta-only reports on a `v1.0` client, JSON served by default, CSV in the
//! body with ragged rows, optional parameters set on the request.

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
use reports_sdk::{ErrorKind, Format, Report};

const NEW_REPORT_CSV: &str =
    "\u{feff}Report Refresh Date,Widgets,Note\r\n2024-01-31,007,\"a, b\"\r\n2024-01-31,8,\r\n";

#[tokio::test]
async fn a_report_is_found_by_id_or_function_name_in_any_case() {
    let server = Server::start(|_| Reply::status(500)).await;
    let client = client(&server);
    for name in [
        "office365_activation_counts",
        "getOffice365ActivationCounts",
        "GETOFFICE365ACTIVATIONCOUNTS",
        " getoffice365activationcounts ",
    ] {
        let report = client.report(name).unwrap();
        assert!(report.is_known(), "{name}");
        assert_eq!(report.meta().id, "office365_activation_counts");
    }
    let error = client.report("not a report").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotAvailable);
    assert!(
        error
            .to_string()
            .contains("neither the id nor the Graph function"),
        "{error}"
    );
    assert_eq!(server.count(), 0, "nothing is sent to find a report");
}

#[tokio::test]
async fn a_known_report_by_name_decodes_its_typed_row_into_a_map() {
    let download = Server::start(|_| Reply::csv(common::ACTIVATION_COUNTS_CSV)).await;
    let location = format!("{}/file", download.url());
    let graph = Server::start(move |_| Reply::found(&location)).await;
    let report = client(&graph)
        .report("getOffice365ActivationCounts")
        .unwrap()
        .request(
            &reports_sdk::office365::Office365ActivationCountsRow::META.forms[0],
            vec![],
        )
        .unwrap()
        .send()
        .await
        .unwrap();
    let first = &report.rows[0];
    let headers: Vec<&str> = first.keys().map(String::as_str).collect();
    assert_eq!(
        headers,
        [
            "Report Refresh Date",
            "Product Type",
            "Windows",
            "Mac",
            "Android",
            "iOS",
            "Windows 10 Mobile"
        ],
        "keys are the CSV headers in spec order"
    );
    assert!(
        first["Windows"].is_i64(),
        "typed: counts are numbers, not text"
    );
    assert!(report.info.drift.is_empty());
}

#[tokio::test]
async fn a_function_the_sdk_does_not_know_still_gives_its_rows_as_served() {
    let download = Server::start(|_| Reply::csv(NEW_REPORT_CSV)).await;
    let location = format!("{}/file", download.url());
    let graph = Server::start(move |_| Reply::found(&location)).await;
    let client = client(&graph);
    let report = client.report("getBrandNewWidgetCounts").unwrap();
    assert!(!report.is_known());
    let rows = report.call("period='D7'").unwrap().send().await.unwrap();
    assert_eq!(
        graph.hits()[0].path,
        "/v1.0/reports/getBrandNewWidgetCounts(period='D7')"
    );
    assert_eq!(rows.rows.len(), 2);
    assert_eq!(rows.rows[0]["Widgets"], "007", "cells stay text as served");
    assert_eq!(rows.rows[0]["Note"], "a, b");
    assert_eq!(rows.rows[1]["Note"], "");
    assert_eq!(
        rows.info.drift.unknown_columns,
        ["Report Refresh Date", "Widgets", "Note"],
        "the spec knows none of its columns"
    );
    assert_eq!(download.hits()[0].header("authorization"), None);
}

#[tokio::test]
async fn raw_arguments_are_checked_and_known_reports_take_typed_ones() {
    let server = Server::start(|_| Reply::status(500)).await;
    let client = client(&server);
    let unknown = client.report("getBrandNewWidgetCounts").unwrap();
    let error = unknown.call("period='D7')/../x").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Configuration);
    let known = client.report("office365_services_user_counts").unwrap();
    assert_eq!(
        known.call("period='D7'").unwrap_err().kind(),
        ErrorKind::Configuration
    );
    let error = known.request(&known.meta().forms[0], vec![]).unwrap_err();
    assert!(
        error.to_string().contains("takes 1 argument(s), not 0"),
        "{error}"
    );
    // A form of another report is refused, not silently replaced.
    let other = &reports_sdk::office365::Office365ActivationCountsRow::META.forms[0];
    let error = known.request(other, vec![]).unwrap_err();
    assert!(
        error.to_string().contains("is not a form of this report"),
        "{error}"
    );
    let error = known.request(&known.meta().forms[0], vec![]).unwrap_err();
    assert!(
        error.to_string().contains("takes 1 argument(s), not 0"),
        "{error}"
    );
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn default_requests_cover_every_form() {
    let server = Server::start(|_| Reply::status(500)).await;
    let today = chrono::NaiveDate::from_ymd_opt(2024, 2, 10).unwrap();
    let paths: Vec<String> = client(&server)
        .report("office365_active_user_detail")
        .unwrap()
        .default_requests(today)
        .iter()
        .map(reports_sdk::AnyRequest::path)
        .collect();
    assert_eq!(
        paths,
        [
            "/reports/getOffice365ActiveUserDetail(period='D7')",
            "/reports/getOffice365ActiveUserDetail(date=2024-02-08)",
        ]
    );
}

#[tokio::test]
async fn a_beta_only_report_is_asked_of_beta_and_as_csv_where_graph_defaults_to_json() {
    let server = Server::start(|_| Reply::status(500)).await;
    let client = client(&server);
    let request = client.microsoft365_copilot_usage_user_detail(reports_sdk::CopilotPeriod::All);
    assert_eq!(
        request.url(),
        format!(
            "{}/beta/reports/getMicrosoft365CopilotUsageUserDetail(period='ALL')?$format=text/csv",
            server.url()
        )
    );
    let json = client
        .microsoft365_copilot_usage_user_detail(reports_sdk::CopilotPeriod::D7)
        .format(Format::Json);
    assert!(
        json.url().ends_with("(period='D7')"),
        "JSON is the default: no $format"
    );
    // A v1.0 report on a v1.0 client asks for JSON explicitly.
    let v1 = client
        .office365_services_user_counts(reports_sdk::Period::D7)
        .version(reports_sdk::ApiVersion::Beta)
        .format(Format::Json);
    assert!(
        v1.url().ends_with("?$format=application/json"),
        "{}",
        v1.url()
    );
}

#[tokio::test]
async fn api_usage_takes_optional_parameters_and_serves_ragged_csv_in_the_body() {
    let body = "Date,Service Area,Tenant ID,App ID,Usage,Active Apps\r\n\
                2024-08-28T00:00:00Z,Exchange,t1,,120,3\r\n\
                2024-08-28T00:00:00Z,Exchange,t1,app-1,100\r\n";
    let server = Server::start(move |_| Reply::csv(body)).await;
    let client = client(&server);
    let report = client
        .api_usage()
        .period(reports_sdk::ApiUsagePeriod::D7)
        .service_area(reports_sdk::ApiUsageServiceArea::TeamsMessaging)
        .app_id("it's")
        .send()
        .await
        .unwrap();
    let hits = server.hits();
    assert_eq!(hits.len(), 1, "CSV in the body: no download");
    assert_eq!(
        hits[0].path,
        "/beta/reports/getApiUsage(period='D7',serviceArea='Teams%20Messaging',appId='it''s')"
    );
    assert_eq!(report.rows.len(), 2);
    assert_eq!(report.rows[0].active_apps, Some(3));
    assert_eq!(
        report.rows[1].active_apps, None,
        "a left-out trailing field is empty"
    );
    assert_eq!(report.rows[1].usage, 100);
    assert_eq!(
        report.rows[0].date.to_rfc3339(),
        "2024-08-28T00:00:00+00:00"
    );
    // Unset, the optional parameters are left out of the path.
    assert_eq!(client.api_usage().path(), "/reports/getApiUsage");
}

#[tokio::test]
async fn a_short_row_of_another_report_is_still_an_error() {
    let body =
        "\u{feff}Report Refresh Date,Product Type,Assigned,Activated\r\n2024-01-31,Visio,4\r\n";
    let download = Server::start(move |_| Reply::csv(body)).await;
    let location = format!("{}/file", download.url());
    let graph = Server::start(move |_| Reply::found(&location)).await;
    let error = client(&graph)
        .office365_activations_user_counts()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(
        error
            .to_string()
            .contains("3 field(s) but the header has 4"),
        "{error}"
    );
}
