//! Every report of the catalogue, every parameter form, both versions and formats where the spec
//! allows them, fetched through the public SDK and compared value by value.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on setup errors")]

use end_to_end::{cases, check, client_for};
use graph_emulator::{Config, Emulator};

#[tokio::test]
async fn every_report_every_form_version_and_format_decodes_to_the_generated_values() {
    // The stress mix: 23 rows in every report, commas, quotes and line breaks in text cells.
    // Realistic data goes through the same check in `realistic.rs`.
    let emulator = Emulator::start(Config {
        quirks: true,
        rows: 23,
        page_size: 10,
        ..Config::default()
    })
    .await
    .unwrap();
    let client = client_for(&emulator).build().unwrap();
    let today = emulator.config().today;
    let reports = reports_sdk::catalog();
    let (mut case_count, mut forms, mut values, mut failures) = (0, 0, 0, Vec::new());
    for &report in reports {
        forms += report.forms.len();
        let report_cases = cases(report, today);
        assert!(!report_cases.is_empty(), "{}", report.id);
        for case in &report_cases {
            case_count += 1;
            match check(&client, &emulator, case).await {
                Ok(checked) => {
                    assert_eq!(checked.rows, 23, "{}", case.label());
                    assert!(
                        checked.info.drift.is_empty(),
                        "{}: {:?}",
                        case.label(),
                        checked.info.drift
                    );
                    assert!(checked.info.etag.is_some(), "{}", case.label());
                    // Every report but getApiUsage starts with its refresh date.
                    let refresh_date = report
                        .column("Report Refresh Date")
                        .map(|_| today - chrono::TimeDelta::days(1));
                    assert_eq!(checked.info.refresh_date, refresh_date, "{}", case.label());
                    assert_eq!(checked.info.format, case.format, "{}", case.label());
                    values += checked.values;
                }
                Err(failure) => failures.push(failure),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing case(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    let stats = emulator.stats();
    assert_eq!(
        stats.downloads_with_authorization, 0,
        "no download ever carried the token"
    );
    assert_eq!(stats.refused_links, 0);
    println!(
        "{} reports, {forms} parameter forms, {case_count} cases, {values} values compared",
        reports.len()
    );
}
