//! `--out-format parquet` end to end: the built tool writes every report and form of the embedded
//! emulator as Parquet and as Graph's CSV in the same run of each, and the Parquet files, read
//! back with the Arrow reader, hold the CSV's values cell by cell in the spec's column types.
#![allow(clippy::unwrap_used, reason = "a test fails loudly on setup errors")]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use arrow_array::RecordBatch;
use common::{from_csv, from_parquet};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use reports_sdk::{AnyRow, CsvReader, ReportMeta};

fn write_every_report(dir: &Path, format: &str) {
    let output = Command::new(env!("CARGO_BIN_EXE_graph-reports"))
        .args(["--emulator", "--quiet", "--out-format", format, "--out-dir"])
        .arg(dir)
        .env_remove("GRAPH_TOKEN")
        .env_remove("AZURE_TENANT_ID")
        .env_remove("AZURE_CLIENT_ID")
        .env_remove("AZURE_CLIENT_SECRET")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{format}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "graph-reports-parquet-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn meta_of(file_name: &str) -> &'static ReportMeta {
    let id = file_name.split('.').next().unwrap();
    reports_sdk::catalog()
        .iter()
        .copied()
        .find(|meta| meta.id == id)
        .unwrap()
}

#[test]
fn parquet_files_hold_the_csv_values_in_the_spec_types() {
    let dir = scratch("every-report");
    let (csv_dir, parquet_dir) = (dir.join("csv"), dir.join("parquet"));
    write_every_report(&csv_dir, "csv");
    write_every_report(&parquet_dir, "parquet");

    let mut files = 0;
    let mut cells = 0;
    let mut types_seen = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(&csv_dir).unwrap() {
        let csv_path = entry.unwrap().path();
        let name = csv_path.file_name().unwrap().to_str().unwrap().to_owned();
        let meta = meta_of(&name);
        let parquet_path = parquet_dir.join(name.replace(".csv", ".parquet"));
        let rows: Vec<AnyRow> =
            CsvReader::<AnyRow, _>::with_meta(meta, File::open(&csv_path).unwrap())
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
        let batches: Vec<RecordBatch> =
            ParquetRecordBatchReaderBuilder::try_new(File::open(&parquet_path).unwrap())
                .unwrap()
                .build()
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
        let parquet_rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        assert_eq!(parquet_rows, rows.len(), "{name}: rows");

        let mut row_index = 0;
        for batch in &batches {
            for within in 0..batch.num_rows() {
                let row = &rows[row_index];
                for column in meta.columns {
                    let array = batch.column_by_name(column.header).unwrap_or_else(|| {
                        panic!("{name}: no column {:?} in the Parquet file", column.header)
                    });
                    types_seen.insert(format!("{:?}", array.data_type()));
                    assert_eq!(
                        from_parquet(array, within),
                        from_csv(column, row.get(column.header)),
                        "{name}: row {row_index}, column {:?}",
                        column.header
                    );
                    cells += 1;
                }
                row_index += 1;
            }
        }
        files += 1;
    }
    assert!(
        files >= reports_sdk::catalog().len(),
        "every report has at least one file: {files}"
    );
    assert!(cells > 10_000, "the comparison met data: {cells} cells");
    for expected in ["Date32", "Int64", "Boolean", "Utf8", "List"] {
        assert!(
            types_seen.iter().any(|seen| seen.starts_with(expected)),
            "{expected} among {types_seen:?}"
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}
