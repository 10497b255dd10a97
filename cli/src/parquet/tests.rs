//! Files written from rows of every report in the catalogue, read back with parquet's own
//! Arrow reader and compared value by value with the values the rows were made from
//! ([`test_rows`](super::test_rows)).

use std::collections::BTreeSet;
use std::fs::File;
use std::path::PathBuf;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::metadata::ParquetMetaData;
use reports_sdk::{AnyRow, ColumnType, ReportMeta};

use super::test_rows::{Value, text_rows, typed_rows, values};
use super::*;
use crate::failure::error_chain;

/// A directory of this test's own, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "graph-reports-parquet-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Cell `row` of `array`, by the array's Arrow type.
fn actual(array: &dyn Array, row: usize) -> Value {
    if array.is_null(row) {
        return Value::Null;
    }
    match array.data_type() {
        DataType::Date32 => Value::Day(
            Date32Type::to_naive_date_opt(array.as_primitive::<Date32Type>().value(row)).unwrap(),
        ),
        DataType::Timestamp(..) => {
            Value::Micros(array.as_primitive::<TimestampMicrosecondType>().value(row))
        }
        DataType::Int64 => Value::Int(array.as_primitive::<Int64Type>().value(row)),
        DataType::Boolean => Value::Bool(array.as_boolean().value(row)),
        DataType::Utf8 => Value::Text(array.as_string::<i32>().value(row).to_owned()),
        DataType::List(_) => {
            let items = array.as_list::<i32>().value(row);
            let items = items.as_string::<i32>();
            Value::List(
                (0..items.len())
                    .map(|index| items.value(index).to_owned())
                    .collect(),
            )
        }
        other => panic!("unexpected column type {other}"),
    }
}

/// The Arrow type each spec type must become, written out here rather than taken from the
/// sink, so a change of mapping fails a test.
fn arrow_type(ty: ColumnType) -> DataType {
    match ty {
        ColumnType::Date => DataType::Date32,
        ColumnType::DateTime => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        ColumnType::Integer | ColumnType::Duration => DataType::Int64,
        ColumnType::Boolean => DataType::Boolean,
        ColumnType::List { .. } => {
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
        }
        _ => DataType::Utf8,
    }
}

fn write(path: &Path, sink: Result<ParquetSink, Failure>, rows: &[AnyRow]) {
    let mut sink = sink.unwrap_or_else(|failure| panic!("{}: {failure:?}", path.display()));
    for row in rows {
        sink.write(row).unwrap();
    }
    sink.finish().unwrap();
}

/// The file's metadata, Arrow schema and batches.
fn read(path: &Path) -> (Arc<ParquetMetaData>, SchemaRef, Vec<RecordBatch>) {
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
    let metadata = builder.metadata().clone();
    let schema = builder.schema().clone();
    let batches = builder
        .build()
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    (metadata, schema, batches)
}

/// Checks the file's schema and metadata against the spec, and each of its cells against the
/// values the rows were made from, returning the spec types of the columns that held a value.
fn check_file(path: &Path, meta: &ReportMeta, values: &[Vec<Value>]) -> BTreeSet<&'static str> {
    let (metadata, schema, batches) = read(path);

    assert_eq!(schema.fields().len(), meta.columns.len(), "{}", meta.id);
    for (field, column) in schema.fields().iter().zip(meta.columns) {
        assert_eq!(field.name(), column.header, "{}", meta.id);
        assert_eq!(
            field.data_type(),
            &arrow_type(column.ty),
            "{} {}",
            meta.id,
            column.header
        );
        assert!(field.is_nullable(), "{} {}", meta.id, column.header);
    }
    let key_value: Vec<(String, Option<String>)> = metadata
        .file_metadata()
        .key_value_metadata()
        .unwrap()
        .iter()
        .map(|pair| (pair.key.clone(), pair.value.clone()))
        .collect();
    for (key, value) in [
        (REPORT_KEY, meta.id),
        (FUNCTION_KEY, meta.function),
        (VERSION_KEY, env!("CARGO_PKG_VERSION")),
        (SDK_VERSION_KEY, reports_sdk::VERSION),
        (DURATION_KEY, "seconds"),
    ] {
        assert!(
            key_value.contains(&(key.to_owned(), Some(value.to_owned()))),
            "{}: {key} in {key_value:?}",
            meta.id
        );
    }

    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(rows, values.len(), "{}", meta.id);
    let mut seen = BTreeSet::new();
    let mut row = 0;
    for batch in &batches {
        for index in 0..batch.num_rows() {
            for (position, column) in meta.columns.iter().enumerate() {
                let value = actual(batch.column(position).as_ref(), index);
                assert_eq!(
                    value, values[row][position],
                    "{} row {row} column {:?}",
                    meta.id, column.header
                );
                if value != Value::Null {
                    seen.insert(column.ty.spec_name());
                }
            }
            row += 1;
        }
    }
    seen
}

#[test]
fn every_report_of_the_catalogue_reads_back_value_by_value() {
    let dir = scratch("catalogue");
    let mut types = BTreeSet::new();
    let mut spaced_item = false;
    let mut nulls = 0;
    for meta in reports_sdk::catalog().iter().copied() {
        let values = values(meta, 23);
        let rows = typed_rows(meta, &values);
        let path = dir.join(format!("{}.parquet", meta.id));
        // Small batches and row groups, so every report crosses both several times.
        write(
            &path,
            ParquetSink::with_sizes(&path, meta, Vec::new(), Vec::new(), 4, 10),
            &rows,
        );
        types.extend(check_file(&path, meta, &values));

        let (metadata, _, batches) = read(&path);
        assert_eq!(
            metadata.num_row_groups(),
            3,
            "{}: 23 rows, 10 per group",
            meta.id
        );
        nulls += batches
            .iter()
            .map(|batch| {
                batch
                    .columns()
                    .iter()
                    .map(|column| column.null_count())
                    .sum::<usize>()
            })
            .sum::<usize>();
        spaced_item |= batches.iter().any(|batch| {
            batch.columns().iter().any(|column| {
                (0..column.len()).any(|row| match actual(column.as_ref(), row) {
                    Value::List(items) => items
                        .iter()
                        .any(|item| item == "ENTERPRISE MOBILITY + SECURITY E5"),
                    _ => false,
                })
            })
        });
    }
    assert_eq!(
        types,
        BTreeSet::from([
            "boolean", "date", "datetime", "duration", "integer", "list", "string"
        ]),
        "the catalogue's reports cover every column type"
    );
    assert!(
        spaced_item,
        "a product name with ` + ` inside reads back as one list item"
    );
    assert!(nulls > 0, "blank cells read back as nulls");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn rows_read_as_text_give_the_same_file_as_typed_rows() {
    let dir = scratch("text");
    for meta in reports_sdk::catalog().iter().copied() {
        let values = values(meta, 23);
        let path = dir.join(format!("{}.parquet", meta.id));
        write(
            &path,
            ParquetSink::create(&path, meta),
            &text_rows(meta, &values),
        );
        check_file(&path, meta, &values);
    }
    std::fs::remove_dir_all(dir).unwrap();
}

fn report(id: &str) -> &'static ReportMeta {
    reports_sdk::catalog()
        .iter()
        .copied()
        .find(|meta| meta.id == id)
        .unwrap()
}

#[test]
fn batches_are_handed_over_at_the_flush_size_and_row_groups_closed_at_theirs() {
    let dir = scratch("flush");
    let meta = report("office365_services_user_counts");
    let values = values(meta, ROW_GROUP_ROWS + 5);
    let rows = typed_rows(meta, &values);
    let path = dir.join("rows.parquet");
    let mut sink = ParquetSink::create(&path, meta).unwrap();
    for (index, row) in rows.iter().enumerate() {
        sink.write(row).unwrap();
        // What is buffered never reaches a batch; the writer holds at most one row group.
        assert_eq!(sink.buffered_rows, (index + 1) % BATCH_ROWS);
        assert!(sink.writer.in_progress_rows() <= ROW_GROUP_ROWS);
    }
    sink.finish().unwrap();
    check_file(&path, meta, &values);
    let (metadata, _, _) = read(&path);
    let group_rows: Vec<i64> = metadata
        .row_groups()
        .iter()
        .map(|group| group.num_rows())
        .collect();
    assert_eq!(group_rows, [ROW_GROUP_ROWS as i64, 5]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_report_without_rows_gives_a_file_with_its_schema() {
    let dir = scratch("empty");
    let meta = report("teams_user_activity_user_detail");
    let path = dir.join("rows.parquet");
    write(&path, ParquetSink::create(&path, meta), &[]);
    check_file(&path, meta, &[]);
    assert_eq!(read(&path).0.num_row_groups(), 0);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_function_the_spec_does_not_know_is_refused_before_a_file_is_made() {
    static UNKNOWN: ReportMeta = ReportMeta::new("getNewThing", "getNewThing", &[]);
    let dir = scratch("unknown");
    let path = dir.join("rows.parquet");
    let Err(Failure::Other(error)) = ParquetSink::create(&path, &UNKNOWN) else {
        panic!("a report without columns must be refused");
    };
    let message = error_chain(error.as_ref());
    assert!(
        message.contains("getNewThing is not in this build's spec"),
        "{message}"
    );
    assert!(!path.exists());
    std::fs::remove_dir_all(dir).unwrap();
}

/// The message of a row the sink refuses.
fn refused(sink: &mut ParquetSink, row: AnyRow) -> String {
    match sink.write(&row) {
        Err(Failure::Other(error)) => error_chain(error.as_ref()),
        other => panic!("{row:?} must be refused, got {other:?}"),
    }
}

#[test]
fn a_cell_that_does_not_fit_its_column_fails_naming_both_and_adds_nothing() {
    let dir = scratch("bad");
    let meta = report("teams_user_activity_user_detail");
    let values = values(meta, 3);
    let good = typed_rows(meta, &values);
    let path = dir.join("rows.parquet");
    let mut sink = ParquetSink::create(&path, meta).unwrap();
    sink.write(&good[0]).unwrap();

    let column_of = |ty: fn(ColumnType) -> bool| {
        meta.columns
            .iter()
            .find(|column| ty(column.ty))
            .unwrap()
            .header
    };
    let date = column_of(|ty| ty == ColumnType::Date);
    let integer = column_of(|ty| ty == ColumnType::Integer);
    let boolean = column_of(|ty| ty == ColumnType::Boolean);
    let duration = column_of(|ty| ty == ColumnType::Duration);
    let list = column_of(|ty| matches!(ty, ColumnType::List { .. }));
    let long = "9".repeat(1000);
    for (header, cell, shown, expected) in [
        (date, "2024-13-45".into(), "\"2024-13-45\"", "a date"),
        (integer, "1.5".into(), "\"1.5\"", "a whole number"),
        (integer, serde_json::json!(1.5), "\"1.5\"", "a whole number"),
        (
            integer,
            long.clone().into(),
            "... (cut; 1000 bytes in all)",
            "a whole number",
        ),
        (boolean, "yes".into(), "\"yes\"", "True or False"),
        (
            duration,
            "00:00:01.5".into(),
            "\"00:00:01.5\"",
            "whole seconds",
        ),
        (duration, "01:75:00".into(), "\"01:75:00\"", "whole seconds"),
        (
            list,
            serde_json::json!([1, 2]),
            "\"[1,2]\"",
            "a list of text",
        ),
    ] {
        let mut row = good[1].clone();
        row.insert(header.to_owned(), cell);
        let message = refused(&mut sink, row);
        assert!(message.contains(&format!("column {header:?}")), "{message}");
        assert!(message.contains(shown), "{message}");
        assert!(message.contains(expected), "{message}");
        assert!(message.len() < 600, "the cell is cut: {message}");
    }
    sink.write(&good[2]).unwrap();
    sink.finish().unwrap();

    // The refused rows left nothing behind: the file holds the two good rows, aligned.
    let (_, _, batches) = read(&path);
    assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 2);
    check_file(&path, meta, &[values[0].clone(), values[2].clone()]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_added_column_named_like_a_report_column_or_another_added_one_is_refused() {
    let dir = scratch("constants");
    let meta = reports_sdk::find_report("teams_user_activity_user_detail").unwrap();
    let text = |name| Constant {
        name,
        value: ConstantValue::Text("x".to_owned()),
    };
    // "Report Refresh Date" is a column of the report, named without regard to case.
    for constants in [
        vec![text("report refresh date")],
        vec![text("tenant_id"), text("Tenant_ID")],
    ] {
        let path = dir.join("clash.parquet");
        let Err(Failure::Other(error)) =
            ParquetSink::for_lake(&path, meta, Vec::new(), constants.clone())
        else {
            panic!("{constants:?} was taken");
        };
        let chain = error_chain(error.as_ref());
        assert!(chain.contains("has the name of the column"), "{chain}");
        assert!(!path.exists());
    }
    let path = dir.join("fine.parquet");
    let sink = ParquetSink::for_lake(
        &path,
        meta,
        Vec::new(),
        vec![text("tenant_id"), text("fetched_at")],
    )
    .unwrap();
    sink.finish().unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}
