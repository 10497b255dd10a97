//! `_manifest.json`: what a lake partition holds and where it came from, written after its
//! part is in place, so its presence is what makes the day held. It names the request by its
//! path, never by the download URL Graph redirected to (a preauthenticated link), and rejected
//! rows by position and reason, without their cells.

use chrono::{DateTime, NaiveDate, Utc};
use reports_sdk::RejectedRow;
use serde::{Deserialize, Serialize};

use crate::failure::Failure;
use crate::sync::store::{Key, Store};

/// The manifest format's version, bumped when a field changes meaning.
pub const FORMAT: u32 = 1;
/// The largest manifest read: one this tool wrote is a few KiB (ten rejected rows, a list of
/// column names), so a larger file is not one of its manifests, and is not parsed.
pub const MAX_BYTES: usize = 1024 * 1024;
/// Rejected rows named in a manifest; the count covers them all.
pub const REJECTED_SHOWN: usize = 10;

/// The contents of `_manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: u32,
    /// The tenant the rows are of.
    pub tenant_id: String,
    /// The report's id.
    pub report: String,
    /// Its Graph function.
    pub function: String,
    /// The form called: `date`, `period` or `none`.
    pub form: String,
    /// The `date=` partition: the day asked for, or the rows' Report Refresh Date.
    pub date: NaiveDate,
    /// The period asked for (period form only).
    pub period: Option<String>,
    /// The Report Refresh Date Graph served (the first row's).
    pub report_refresh_date: Option<NaiveDate>,
    /// The API version, as in the URL.
    pub api_version: String,
    /// The request's path after the version, e.g. `/reports/getX(date=2026-11-03)`.
    pub request_path: String,
    /// The Parquet file, beside the manifest.
    pub file: String,
    /// Rows written.
    pub rows: u64,
    /// The ETag Graph sent, sent back as `If-None-Match` next time.
    pub etag: Option<String>,
    /// How the file Graph served differed from the spec.
    pub drift: Drift,
    /// Rows that did not decode, which the file lacks.
    pub rejected: Rejected,
    /// The SDK whose spec typed the columns (`reports_sdk::VERSION`).
    pub sdk_version: String,
    /// The tool that wrote the partition.
    pub tool_version: String,
    /// When the report was requested (also the `fetched_at` column).
    pub fetched_at: DateTime<Utc>,
}

/// Columns that differ from the spec. Unknown columns are not in the Parquet file: the SDK's
/// typed rows keep the spec's columns only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drift {
    /// Columns Graph served that the spec does not know (left out of the file).
    pub unknown_columns: Vec<String>,
    /// Optional spec columns Graph did not serve (all null in the file).
    pub missing_columns: Vec<String>,
}

impl From<&reports_sdk::SchemaDrift> for Drift {
    fn from(drift: &reports_sdk::SchemaDrift) -> Self {
        Drift {
            unknown_columns: drift.unknown_columns.clone(),
            missing_columns: drift
                .missing_columns
                .iter()
                .map(|column| (*column).to_owned())
                .collect(),
        }
    }
}

/// Rows that did not decode.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    /// All of them.
    pub count: usize,
    /// The first [`REJECTED_SHOWN`].
    pub first: Vec<RejectedAt>,
}

/// Where a rejected row was and why, without its cells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedAt {
    /// The CSV line the record starts on.
    pub line: Option<u64>,
    /// The row, the header not counted.
    pub record: u64,
    /// The column whose cell failed.
    pub column: Option<String>,
    /// Why.
    pub reason: String,
}

impl Rejected {
    /// Counts `rows` and keeps the first few.
    pub fn of(rows: &[RejectedRow]) -> Rejected {
        Rejected {
            count: rows.len(),
            first: rows
                .iter()
                .take(REJECTED_SHOWN)
                .map(|row| RejectedAt {
                    line: row.line,
                    record: row.record,
                    column: row.column.clone(),
                    reason: reason_without_cell(row),
                })
                .collect(),
        }
    }
}

/// A rejected row's reason without the cell it quotes: the SDK says what it expected and what
/// it `found`, and the cell may be a user's name or e-mail address, which a manifest (read by
/// whoever reads the lake) must not keep. What was expected, and where, says enough to look.
pub fn reason_without_cell(row: &RejectedRow) -> String {
    let mut reason = row.reason.clone();
    if let Some(at) = reason.find("found") {
        reason.truncate(at);
        let kept = reason.trim_end_matches([',', ' ', ';', ':']).len();
        reason.truncate(kept);
        reason.push_str(" (the cell is not kept)");
    }
    // A reason worded otherwise may still quote the cell: cut it out wherever it is.
    if let Some(cell) = row
        .cell
        .as_deref()
        .map(str::trim)
        .filter(|cell| !cell.is_empty())
    {
        reason = reason.replace(cell, "…");
    }
    reason
}

impl Manifest {
    /// Reads the manifest `key` of `lake`, or `None` if there is none.
    pub async fn read(lake: &Store, key: &Key) -> Result<Option<Manifest>, Failure> {
        let Some(bytes) = lake.read(key, MAX_BYTES).await? else {
            return Ok(None);
        };
        Manifest::parse(&bytes, &lake.show(key)).map(Some)
    }

    /// A manifest's `bytes`; `shown` names it in messages.
    pub fn parse(bytes: &[u8], shown: &str) -> Result<Manifest, Failure> {
        if bytes.len() > MAX_BYTES {
            return Err(Failure::usage(format!(
                "{shown} holds {} bytes, more than the {MAX_BYTES} a manifest of this tool has at most (a fixed limit); remove its folder to fetch the day again",
                bytes.len()
            )));
        }
        serde_json::from_slice(bytes).map_err(|err| {
            Failure::other(
                format!(
                    "{shown} is not a manifest this tool wrote; remove its folder to fetch the day again"
                ),
                err,
            )
        })
    }

    /// Writes the manifest into `folder`, whole or not at all.
    pub async fn write(&self, lake: &Store, folder: &Key) -> Result<(), Failure> {
        let target = folder.child(super::lake::MANIFEST);
        lake.put(&target, json(self, lake, &target)?).await
    }
}

/// `value` as pretty JSON ending in a newline, to be written as `target`.
pub fn json(value: &impl Serialize, lake: &Store, target: &Key) -> Result<Vec<u8>, Failure> {
    let mut text = serde_json::to_vec_pretty(value)
        .map_err(|err| Failure::other(format!("cannot write {}", lake.show(target)), err))?;
    text.push(b'\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_larger_than_the_limit_is_not_parsed() {
        let mut bytes = b"{\"format\": 1, \"padding\": \"".to_vec();
        bytes.resize(MAX_BYTES + 1, b'x');
        let Err(Failure::Usage(message)) = Manifest::parse(&bytes, "m.json") else {
            panic!("a manifest over the limit was parsed");
        };
        assert!(
            message.contains("m.json holds 1048577 bytes, more than the 1048576"),
            "{message}"
        );
    }

    #[test]
    fn a_rejected_row_keeps_where_and_why_but_not_the_cell() -> Result<(), reports_sdk::Error> {
        use reports_sdk::office365::Office365ActivationsUserCountsRow;
        let file: &[u8] = b"Report Refresh Date,Product Type,Assigned,Activated\n\
                            2024-01-31,Visio,someone@contoso.example,1\n";
        let mut reader = reports_sdk::CsvReader::<Office365ActivationsUserCountsRow, _>::new(file)?
            .on_bad_row(reports_sdk::BadRows::reject());
        assert!(reader.next().is_none());
        let rows = reader.rejected();
        assert!(
            rows[0].reason.contains("someone@contoso.example"),
            "{rows:?}"
        );
        let rejected = Rejected::of(&rows);
        let kept = &rejected.first[0];
        assert_eq!((kept.line, kept.record), (Some(2), 1));
        assert_eq!(kept.column.as_deref(), Some("Assigned"));
        assert!(kept.reason.starts_with("expected "), "{}", kept.reason);
        let json = serde_json::to_string(&rejected).unwrap_or_default();
        assert!(!json.contains("contoso"), "{json}");
        Ok(())
    }
}
