//! `--out rows.parquet`: typed rows written as a Parquet file while they stream, for DuckDB,
//! Polars, Spark or pandas to query without parsing Graph's CSV again.
//!
//! The schema comes from the spec, not from the rows: every column the spec lists, in its
//! order, typed (see [`column::data_type`]) and nullable, since Microsoft declares every report
//! property nullable and tenants do send blanks. Columns are named by Graph's CSV headers, as
//! the rows are keyed and as the `.csv` output writes them: a query written against the file
//! Graph serves (`"Report Refresh Date"`) works on the Parquet file too, and every report has
//! headers, while beta JSON names exist only for the reports and versions that serve JSON.
//! Columns the file had and the spec does not are left out (the SDK lists them as drift);
//! columns the spec has and the file did not are all null.
//!
//! Memory stays bounded whatever the report's size: rows are buffered in Arrow builders and
//! handed to the Parquet writer as a record batch every [`BATCH_ROWS`] rows (or sooner, once
//! [`BATCH_BYTES`] of text piled up), and the writer closes a row group every
//! [`ROW_GROUP_ROWS`] rows.

mod column;
mod constant;
#[cfg(test)]
mod test_rows;
#[cfg(test)]
mod tests;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use reports_sdk::{AnyRow, ColumnType, ReportMeta};

use crate::failure::Failure;
use column::{Builder, Cell};
pub use constant::{Constant, ConstantValue};

/// Rows per record batch: big enough that Arrow's per-batch work is noise, small enough that a
/// batch of a wide report stays a few megabytes.
pub const BATCH_ROWS: usize = 64 * 1024;

/// A batch is handed over sooner once its text reaches this many bytes, so a report of long
/// cells stays bounded too.
pub const BATCH_BYTES: usize = 32 * 1024 * 1024;

/// Rows per row group: two batches. Readers split work and skip data by row group (DuckDB's own
/// files hold 122,880 rows per group), and the writer keeps a whole group in memory until it is
/// closed, so the arrow-rs default of a million rows would be neither quick to scan in parallel
/// nor small.
pub const ROW_GROUP_ROWS: usize = 2 * BATCH_ROWS;

/// A row group is closed sooner once its encoded size reaches this, for the same reason.
const ROW_GROUP_BYTES: usize = 64 * 1024 * 1024;

/// Keys of the file's key-value metadata, so a file found later says what it holds.
pub const REPORT_KEY: &str = "graph_reports.report";
/// The Graph function, e.g. `getOffice365ActivationsUserCounts`.
pub const FUNCTION_KEY: &str = "graph_reports.function";
/// The version of the tool that wrote the file.
pub const VERSION_KEY: &str = "graph_reports.version";
/// The version of the SDK whose spec typed the columns.
pub const SDK_VERSION_KEY: &str = "reports_sdk.version";
/// How durations are stored, since nothing else in the file says so.
pub const DURATION_KEY: &str = "graph_reports.duration_unit";

/// Rows on their way into a Parquet file.
pub struct ParquetSink {
    path: PathBuf,
    meta: &'static ReportMeta,
    schema: SchemaRef,
    writer: ArrowWriter<File>,
    /// One per spec column, in spec order, then one per column kept beyond the spec.
    builders: Vec<Builder>,
    /// Columns the file had beyond the spec, kept as text (see [`ParquetSink::for_lake`]).
    beyond_spec: Vec<String>,
    /// Columns after those, one value each (see [`ParquetSink::for_lake`]).
    constants: Vec<Constant>,
    /// Rows and bytes of text in the builders.
    buffered_rows: usize,
    buffered_bytes: usize,
    /// Where a batch is handed over (see [`BATCH_ROWS`]); smaller in tests, to cross it often.
    batch_rows: usize,
}

impl ParquetSink {
    /// Creates (or truncates) the file for rows of `meta`.
    pub fn create(path: &Path, meta: &'static ReportMeta) -> Result<ParquetSink, Failure> {
        ParquetSink::with_sizes(
            path,
            meta,
            Vec::new(),
            Vec::new(),
            BATCH_ROWS,
            ROW_GROUP_ROWS,
        )
    }

    /// Like [`create`](Self::create), with more columns after the spec's: `beyond_spec`, the
    /// columns the file Graph served had and the spec does not (Microsoft adds columns over
    /// time), kept as nullable text under their headers so nothing Graph sent is lost and
    /// readers union the schemas of older and newer files; then `constants`, each holding its
    /// one value in every row (the lake's tenant, refresh date and fetch time).
    ///
    /// A constant named like a spec column or another constant is refused, ignoring case: the
    /// file would have two fields of one name, which Arrow writes but readers resolve each
    /// their own way (DuckDB, Spark and Trino match names without regard to case). A column
    /// beyond the spec named like a spec column, a constant or one before it is left out for
    /// the same reason (the lake's manifest still names it as drift).
    pub fn for_lake(
        path: &Path,
        meta: &'static ReportMeta,
        beyond_spec: Vec<String>,
        constants: Vec<Constant>,
    ) -> Result<ParquetSink, Failure> {
        let mut names: Vec<&str> = meta.columns.iter().map(|column| column.header).collect();
        for constant in &constants {
            if let Some(taken) = names
                .iter()
                .find(|name| name.eq_ignore_ascii_case(constant.name))
            {
                return Err(Failure::other(
                    format!("cannot write {}", show(path)),
                    format!(
                        "the added column {:?} has the name of the column {taken:?} of {}",
                        constant.name, meta.id
                    ),
                ));
            }
            names.push(constant.name);
        }
        let mut kept: Vec<String> = Vec::with_capacity(beyond_spec.len());
        for name in beyond_spec {
            let taken = names
                .iter()
                .copied()
                .chain(kept.iter().map(String::as_str))
                .any(|taken| taken.eq_ignore_ascii_case(&name));
            if !taken {
                kept.push(name);
            }
        }
        ParquetSink::with_sizes(path, meta, kept, constants, BATCH_ROWS, ROW_GROUP_ROWS)
    }

    fn with_sizes(
        path: &Path,
        meta: &'static ReportMeta,
        beyond_spec: Vec<String>,
        constants: Vec<Constant>,
        batch_rows: usize,
        row_group_rows: usize,
    ) -> Result<ParquetSink, Failure> {
        if meta.columns.is_empty() {
            // A function the spec does not know has no columns to type; its CSV cells are
            // plain text, which the `.csv` and `.json` outputs keep as served.
            return Err(Failure::other(
                format!("cannot write {}", show(path)),
                format!(
                    "{} is not in this build's spec, so its columns and their types are unknown; Parquet needs them: write .csv, .json or .jsonl instead",
                    meta.function
                ),
            ));
        }
        let schema: SchemaRef = Arc::new(Schema::new(
            meta.columns
                .iter()
                .map(|column| Field::new(column.header, column::data_type(column.ty), true))
                .chain(
                    beyond_spec
                        .iter()
                        .map(|name| Field::new(name, DataType::Utf8, true)),
                )
                .chain(constants.iter().map(Constant::field))
                .collect::<Vec<_>>(),
        ));
        let file = File::create(path)
            .map_err(|err| Failure::other(format!("cannot create {}", show(path)), err))?;
        let writer =
            ArrowWriter::try_new(file, schema.clone(), Some(properties(meta, row_group_rows)))
                .map_err(|err| Failure::other(format!("cannot write {}", show(path)), err))?;
        Ok(ParquetSink {
            path: path.to_owned(),
            meta,
            schema,
            writer,
            builders: meta
                .columns
                .iter()
                .map(|column| Builder::new(column.ty))
                .chain(beyond_spec.iter().map(|_| Builder::new(ColumnType::String)))
                .collect(),
            beyond_spec,
            constants,
            buffered_rows: 0,
            buffered_bytes: 0,
            batch_rows: batch_rows.max(1),
        })
    }

    /// Adds one row (cells keyed by CSV header), handing a batch to the writer when enough has
    /// piled up. A cell that does not fit its column fails naming the column and the cell, and
    /// adds nothing of the row.
    pub fn write(&mut self, row: &AnyRow) -> Result<(), Failure> {
        let cells = self
            .meta
            .columns
            .iter()
            .map(|column| column::check(column, row.get(column.header)))
            .chain(
                self.beyond_spec
                    .iter()
                    .map(|name| Ok(column::as_text(row.get(name)))),
            )
            .collect::<Result<Vec<Cell<'_>>, _>>()
            .map_err(|err| {
                Failure::other(format!("cannot write a row to {}", show(&self.path)), err)
            })?;
        for (builder, cell) in self.builders.iter_mut().zip(cells) {
            self.buffered_bytes += builder.append(cell);
        }
        self.buffered_rows += 1;
        if self.buffered_rows >= self.batch_rows || self.buffered_bytes >= BATCH_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the rows still buffered and the file's footer. A report without rows gives a
    /// file with the schema and no row group.
    /// The file is synced to disk before this returns: a rename that reached the disk before
    /// the data would leave an empty file after a crash.
    pub fn finish(mut self) -> Result<(), Failure> {
        self.flush()?;
        let context = || format!("cannot write {}", show(&self.path));
        let file = self
            .writer
            .into_inner()
            .map_err(|err| Failure::other(context(), err))?;
        file.sync_all()
            .map_err(|err| Failure::other(context(), err))
    }

    /// Hands the buffered rows to the writer as one record batch.
    fn flush(&mut self) -> Result<(), Failure> {
        if self.buffered_rows == 0 {
            return Ok(());
        }
        let rows = self.buffered_rows;
        let columns = self
            .builders
            .iter_mut()
            .map(Builder::finish)
            .chain(self.constants.iter().map(|constant| constant.array(rows)))
            .collect();
        self.buffered_rows = 0;
        self.buffered_bytes = 0;
        let context = || format!("cannot write {}", show(&self.path));
        let batch = RecordBatch::try_new(self.schema.clone(), columns)
            .map_err(|err| Failure::other(context(), err))?;
        self.writer
            .write(&batch)
            .map_err(|err| Failure::other(context(), err))
    }
}

/// Snappy-compressed (pure Rust here, and read by every Parquet reader), row groups of
/// `row_group_rows`, and the report named in the key-value metadata. `created_by` keeps the
/// parquet-rs default: readers key their workarounds for writer bugs on it.
fn properties(meta: &ReportMeta, row_group_rows: usize) -> WriterProperties {
    let metadata = [
        (REPORT_KEY, meta.id),
        (FUNCTION_KEY, meta.function),
        (VERSION_KEY, env!("CARGO_PKG_VERSION")),
        (SDK_VERSION_KEY, reports_sdk::VERSION),
        (DURATION_KEY, "seconds"),
    ]
    .into_iter()
    .map(|(key, value)| KeyValue::new(key.to_owned(), value.to_owned()))
    .collect();
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(row_group_rows.max(1)))
        .set_max_row_group_bytes(Some(ROW_GROUP_BYTES))
        .set_key_value_metadata(Some(metadata))
        .build()
}

fn show(path: &Path) -> String {
    path.display().to_string()
}
