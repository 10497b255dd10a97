//! The generated rows and methods of the seed reports, decoded with plain `csv`/`serde_json`
//! (the runtime's own readers are tested with the client).

#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on bad fixtures by design"
)]

use chrono::NaiveDate;
use reports_sdk::office365::{
    Office365ActivationCountsRow, Office365ActivationsUserCountsRow, Office365ServicesUserCountsRow,
};
use reports_sdk::{ApiVersion, Client, ColumnType, EnumParameter, Format, Period, Report};

fn rows<R: Report>(csv_text: &str) -> Vec<R> {
    csv::Reader::from_reader(csv_text.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

#[test]
fn activation_counts_decode_by_header() {
    let decoded: Vec<Office365ActivationCountsRow> = rows(
        "Report Refresh Date,Product Type,Windows,Mac,Android,iOS,Windows 10 Mobile\r\n\
         2024-01-31,Microsoft 365 Apps for enterprise,120,14,9,33,0\r\n",
    );
    assert_eq!(decoded.len(), 1);
    let row = &decoded[0];
    assert_eq!(row.report_refresh_date, date("2024-01-31"));
    assert_eq!(row.product_type, "Microsoft 365 Apps for enterprise");
    assert_eq!(
        (
            row.windows,
            row.mac,
            row.android,
            row.ios,
            row.windows_10_mobile
        ),
        (120, 14, 9, 33, 0)
    );
}

#[test]
fn activations_user_counts_read_both_editions() {
    // The older edition of the report has no `Shared Computer Activation` column.
    let older: Vec<Office365ActivationsUserCountsRow> = rows(
        "Report Refresh Date,Product Type,Assigned,Activated\n2017-09-01,Office 365 ProPlus,267984,171005\n",
    );
    assert_eq!(older[0].assigned, 267_984);
    assert_eq!(older[0].activated, 171_005);
    assert_eq!(older[0].shared_computer_activation, None);

    let newer: Vec<Office365ActivationsUserCountsRow> = rows(
        "Report Refresh Date,Product Type,Assigned,Activated,Shared Computer Activation\n\
         2024-01-31,Office 365 ProPlus,10,8,3\n\
         2024-01-31,Visio,4,1,\n",
    );
    assert_eq!(newer[0].shared_computer_activation, Some(3));
    assert_eq!(newer[1].shared_computer_activation, None, "empty cell");
}

#[test]
fn reordered_and_unknown_columns_decode() {
    let decoded: Vec<Office365ActivationsUserCountsRow> = rows(
        "Activated,Brand New Column,Product Type,Report Refresh Date,Assigned\n8,x,Visio,2024-01-31,10\n",
    );
    assert_eq!(decoded[0].activated, 8);
    assert_eq!(decoded[0].assigned, 10);
    assert_eq!(decoded[0].product_type, "Visio");
}

#[test]
fn services_user_counts_decode() {
    let decoded: Vec<Office365ServicesUserCountsRow> = rows(
        "Report Refresh Date,Exchange Active,Exchange Inactive,OneDrive Active,OneDrive Inactive,SharePoint Active,SharePoint Inactive,Skype For Business Active,Skype For Business Inactive,Yammer Active,Yammer Inactive,Teams Active,Teams Inactive,Office 365 Active,Office 365 Inactive,Report Period\n\
         2024-01-31,1,2,3,4,5,6,7,8,9,10,11,12,13,14,7\n",
    );
    let row = &decoded[0];
    assert_eq!(row.exchange_active, 1);
    assert_eq!(row.one_drive_inactive, 4);
    assert_eq!(row.skype_for_business_inactive, 8);
    assert_eq!(row.office_365_inactive, 14);
    assert_eq!(row.report_period, 7);
}

#[test]
fn required_empty_cell_is_an_error_that_says_what_to_do() {
    let result: Result<Vec<Office365ActivationCountsRow>, _> = csv::Reader::from_reader(
        "Report Refresh Date,Product Type,Windows,Mac,Android,iOS,Windows 10 Mobile\n2024-01-31,X,,1,1,1,1\n"
            .as_bytes(),
    )
    .deserialize()
    .collect();
    let message = result.unwrap_err().to_string();
    assert!(message.contains("empty cell"), "{message}");
    assert!(message.contains("optional: true"), "{message}");
}

#[test]
fn beta_json_rows_decode_by_property_name() {
    // The beta page's example, with the report period typed as text as the 2021 resources do.
    let row: Office365ActivationsUserCountsRow = serde_json::from_str(
        r#"{"reportRefreshDate":"2017-09-01","productType":"Office 365 ProPlus","assigned":267984,"activated":171005}"#,
    )
    .unwrap();
    assert_eq!(row.report_refresh_date, date("2017-09-01"));
    assert_eq!(row.assigned, 267_984);
    assert_eq!(row.shared_computer_activation, None);

    let row: Office365ServicesUserCountsRow = serde_json::from_str(
        r#"{"reportRefreshDate":"2024-01-31","exchangeActive":1,"exchangeInactive":2,"oneDriveActive":3,"oneDriveInactive":4,"sharePointActive":5,"sharePointInactive":6,"skypeForBusinessActive":7,"skypeForBusinessInactive":8,"yammerActive":9,"yammerInactive":10,"teamsActive":11,"teamsInactive":12,"office365Active":13,"office365Inactive":14,"reportPeriod":"7"}"#,
    )
    .unwrap();
    assert_eq!(row.report_period, 7);
    assert_eq!(row.office_365_active, 13);
}

#[test]
fn methods_build_the_documented_paths() {
    let client = Client::builder().build().unwrap();
    assert_eq!(
        client.office365_activation_counts().url(),
        "https://graph.microsoft.com/v1.0/reports/getOffice365ActivationCounts"
    );
    assert_eq!(
        client.office365_activations_user_counts().path(),
        "/reports/getOffice365ActivationsUserCounts"
    );
    for period in Period::ALL {
        assert_eq!(
            client.office365_services_user_counts(*period).path(),
            format!("/reports/getOffice365ServicesUserCounts(period='{period}')")
        );
    }
    let beta_json = client
        .office365_services_user_counts(Period::D30)
        .version(ApiVersion::Beta)
        .format(Format::Json);
    assert_eq!(
        beta_json.url(),
        "https://graph.microsoft.com/beta/reports/getOffice365ServicesUserCounts(period='D30')?$format=application/json"
    );
}

#[test]
fn a_report_with_a_period_form_and_a_date_form_has_a_method_for_each() {
    let client = Client::builder().build().unwrap();
    assert_eq!(
        client.office365_active_user_detail(Period::D30).path(),
        "/reports/getOffice365ActiveUserDetail(period='D30')"
    );
    assert_eq!(
        client
            .office365_active_user_detail_by_date(date("2024-01-31"))
            .path(),
        "/reports/getOffice365ActiveUserDetail(date=2024-01-31)"
    );
}

#[test]
fn active_user_detail_decodes_booleans_optional_dates_and_lists() {
    use reports_sdk::office365::Office365ActiveUserDetailRow;
    let decoded: Vec<Office365ActiveUserDetailRow> = rows(
        "Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Has Exchange License,Has OneDrive License,Has SharePoint License,Has Skype For Business License,Has Yammer License,Has Teams License,Exchange Last Activity Date,OneDrive Last Activity Date,SharePoint Last Activity Date,Skype For Business Last Activity Date,Yammer Last Activity Date,Teams Last Activity Date,Exchange License Assign Date,OneDrive License Assign Date,SharePoint License Assign Date,Skype For Business License Assign Date,Yammer License Assign Date,Teams License Assign Date,Assigned Products\n\
         2024-01-31,a@contoso.com,\"Doe, Jane\",False,,True,True,false,FALSE,True,True,2024-01-30,,,,,2024-01-29,2023-05-01,,,,,,OFFICE 365 E3+MICROSOFT TEAMS\n",
    );
    let row = &decoded[0];
    assert_eq!(row.display_name, "Doe, Jane");
    assert!(!row.is_deleted);
    assert_eq!(row.deleted_date, None);
    assert!(row.has_exchange_license && !row.has_share_point_license);
    assert!(!row.has_skype_for_business_license);
    assert_eq!(row.exchange_last_activity_date, Some(date("2024-01-30")));
    assert_eq!(row.one_drive_last_activity_date, None);
    assert_eq!(row.assigned_products, ["OFFICE 365 E3", "MICROSOFT TEAMS"]);
}

#[test]
fn period_parses_and_prints_as_graph_writes_it() {
    assert_eq!("D90".parse::<Period>().unwrap(), Period::D90);
    assert_eq!("d7".parse::<Period>().unwrap(), Period::D7);
    assert_eq!(Period::D180.to_string(), "D180");
    let error = "D8".parse::<Period>().unwrap_err().to_string();
    assert_eq!(
        error,
        "\"D8\" is not a Period; expected one of: D7, D30, D90, D180"
    );
    assert_eq!(Period::WIRE_VALUES, ["D7", "D30", "D90", "D180"]);
}

#[test]
fn catalogue_lists_every_seed_report_with_its_metadata() {
    let ids: Vec<&str> = reports_sdk::catalog().iter().map(|meta| meta.id).collect();
    // The 75 v1.0 functions and the 17 served by beta only, each once.
    assert_eq!(ids.len(), 92);
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
    for seed in [
        "office365_activation_counts",
        "office365_activations_user_counts",
        "office365_services_user_counts",
        "office365_active_user_detail",
    ] {
        assert!(ids.contains(&seed), "{seed} missing from the catalogue");
    }
    let meta = Office365ActivationsUserCountsRow::META;
    assert_eq!(meta.function, "getOffice365ActivationsUserCounts");
    let shared = meta.column("Shared Computer Activation").unwrap();
    assert!(shared.optional);
    assert_eq!(shared.ty, ColumnType::Integer);
    assert_eq!(
        meta.formats(ApiVersion::Beta),
        Some(&[Format::Csv, Format::Json][..])
    );
    assert_eq!(meta.formats(ApiVersion::V1), Some(&[Format::Csv][..]));
    let services = Office365ServicesUserCountsRow::META;
    assert_eq!(services.forms[0].method, "office365_services_user_counts");
    assert_eq!(
        services.forms[0].path_template,
        "/reports/getOffice365ServicesUserCounts(period='{period}')"
    );
}
