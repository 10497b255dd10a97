//! Microsoft changing a report, simulated by the emulator and observed through the SDK: an added
//! column, dropped optional columns, reordered columns.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on setup errors")]

use end_to_end::{cases, check, client_for, fetch};
use graph_emulator::{Config, Drift, EXTRA_COLUMN, Emulator};
use reports_sdk::office365::Office365ActivationsUserCountsRow;
use reports_sdk::{ApiVersion, Format, Report};

async fn run_catalogue(drift: Drift) -> Vec<(String, reports_sdk::SchemaDrift)> {
    // The stress mix, so every column of every report has values to drift.
    let emulator = Emulator::start(Config {
        quirks: true,
        rows: 9,
        drift,
        ..Config::default()
    })
    .await
    .unwrap();
    let client = client_for(&emulator).build().unwrap();
    let mut drifts = Vec::new();
    for meta in reports_sdk::catalog() {
        for case in cases(meta, emulator.config().today) {
            let checked = check(&client, &emulator, &case)
                .await
                .unwrap_or_else(|failure| panic!("{failure}"));
            drifts.push((case.label(), checked.info.drift));
        }
    }
    drifts
}

#[tokio::test]
async fn an_added_column_is_reported_and_ignored_everywhere() {
    for (label, drift) in run_catalogue(Drift {
        extra_column: true,
        ..Drift::default()
    })
    .await
    {
        // JSON rows name the column by its property, CSV files by its header.
        let expected = if label.ends_with("json") {
            "emulatorAddedColumn"
        } else {
            EXTRA_COLUMN
        };
        assert_eq!(drift.unknown_columns, [expected], "{label}");
        assert!(drift.missing_columns.is_empty(), "{label}");
    }
}

#[tokio::test]
async fn an_added_column_reaches_any_row_with_the_cells_graph_sent() {
    let emulator = Emulator::start(Config {
        quirks: true,
        rows: 5,
        drift: Drift {
            extra_column: true,
            ..Drift::default()
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let client = client_for(&emulator).build().unwrap();
    let mut cells = 0;
    for meta in reports_sdk::catalog() {
        for case in cases(meta, emulator.config().today) {
            let label = case.label();
            let rows = fetch(&client, &case).await.unwrap();
            let expected = emulator.expected(case.meta, &case.argument_pairs(), case.version);
            // Typed rows know nothing of the column; the run-time handle's rows keep it under
            // the name the file gave it.
            let name = if case.format == Format::Json {
                "emulatorAddedColumn"
            } else {
                EXTRA_COLUMN
            };
            assert_eq!(rows.rows.len(), expected.rows.len(), "{label}");
            for (index, row) in rows.rows.iter().enumerate() {
                let served = expected.cell(index, EXTRA_COLUMN).unwrap().csv_text();
                assert_eq!(
                    row.get(name).and_then(|value| value.as_str()),
                    Some(served.as_str()),
                    "{label} row {index}"
                );
                cells += 1;
            }
        }
    }
    assert!(cells > 1000, "only {cells} cells compared");
}

#[tokio::test]
async fn dropped_optional_columns_are_none_and_reported() {
    let drifts = run_catalogue(Drift {
        drop_optional: true,
        ..Drift::default()
    })
    .await;
    for (label, drift) in &drifts {
        let report = reports_sdk::catalog()
            .iter()
            .find(|meta| label.starts_with(meta.id))
            .unwrap();
        let optional: Vec<&str> = report
            .columns
            .iter()
            .filter(|column| column.optional)
            .map(|column| column.header)
            .collect();
        assert_eq!(drift.missing_columns, optional, "{label}");
    }
    assert!(
        drifts
            .iter()
            .any(|(_, drift)| !drift.missing_columns.is_empty()),
        "the catalogue has an optional column to drop"
    );
}

#[tokio::test]
async fn reordered_columns_decode_by_header() {
    let drifts = run_catalogue(Drift {
        reverse_columns: true,
        extra_column: true,
        drop_optional: true,
    })
    .await;
    assert!(!drifts.is_empty());
}

#[tokio::test]
async fn the_older_edition_of_activations_user_counts_decodes() {
    // The first edition of the report had no `Shared Computer Activation` column.
    let emulator = Emulator::start(Config {
        quirks: true,
        rows: 4,
        drift: Drift {
            drop_optional: true,
            ..Drift::default()
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let client = client_for(&emulator).build().unwrap();
    for (version, format) in [
        (ApiVersion::V1, Format::Csv),
        (ApiVersion::Beta, Format::Json),
    ] {
        let report = client
            .office365_activations_user_counts()
            .version(version)
            .format(format)
            .send()
            .await
            .unwrap();
        assert_eq!(report.rows.len(), 4);
        assert!(
            report
                .rows
                .iter()
                .all(|row| row.shared_computer_activation.is_none())
        );
        assert_eq!(
            report.info.drift.missing_columns,
            ["Shared Computer Activation"],
            "{version} {format}"
        );
        let expected = emulator.expected(Office365ActivationsUserCountsRow::META, &[], version);
        for (index, row) in report.rows.iter().enumerate() {
            let Some(graph_emulator::Cell::Integer(assigned)) = expected.cell(index, "Assigned")
            else {
                panic!("Assigned is an integer column");
            };
            assert_eq!(row.assigned, *assigned);
        }
    }
}
