//! What a sync did, per tenant: counted as calls end, printed as the summary, and written as
//! the tenant's `_sync.json` once all its calls ended, so a finished run can be told from a
//! killed one.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::failure::Failure;
use crate::sync::day::Outcome;
use crate::sync::lake::Lake;
use crate::sync::manifest::json;
use crate::terminal::escape;

/// The record of a tenant's finished sync, in `DIR/tenant=<id>/`.
pub const FINISHED: &str = "_sync.json";

/// One tenant's counts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    /// The tenant.
    pub tenant_id: String,
    /// Reports with at least one day written.
    pub reports_written: Vec<&'static str>,
    /// Report-days written.
    pub written: usize,
    /// Rows in them.
    pub rows: u64,
    /// Rows that did not decode (left out, counted in the manifests).
    pub rejected_rows: usize,
    /// Period reports Graph answered `304 Not Modified` for.
    pub unchanged: usize,
    /// Report-days the lake held already (not asked for), and period reports served again
    /// with the refresh date and ETag the lake holds.
    pub held: usize,
    /// Calls that brought no row, so no day to file.
    pub empty: usize,
    /// Calls not tried after the tenant's sign-in failed.
    pub not_tried: usize,
    /// Throttled answers waited out.
    pub throttle_waits: u64,
    /// Calls that failed: what was asked, and the error with its causes.
    pub failed: Vec<(String, String)>,
}

impl Tally {
    /// An empty tally for `tenant_id`.
    pub fn new(tenant_id: &str) -> Tally {
        Tally {
            tenant_id: tenant_id.to_owned(),
            ..Tally::default()
        }
    }

    /// Counts one call's outcome.
    pub fn count(&mut self, report: &'static str, outcome: &Outcome) {
        match outcome {
            Outcome::Written { rows, rejected } => {
                self.written += 1;
                self.rows += rows;
                self.rejected_rows += rejected;
                if !self.reports_written.contains(&report) {
                    self.reports_written.push(report);
                }
            }
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Held => self.held += 1,
            Outcome::Empty => self.empty += 1,
        }
    }

    /// The tenant's lines of the summary.
    pub fn summary(&self) -> String {
        let mut text = format!(
            "tenant {}: {} report(s), {} day(s) written ({} rows), {} unchanged (304), {} already held",
            escape(&self.tenant_id),
            self.reports_written.len(),
            self.written,
            self.rows,
            self.unchanged,
            self.held,
        );
        if self.empty > 0 {
            let _ = write!(text, ", {} without rows", self.empty);
        }
        if self.rejected_rows > 0 {
            let _ = write!(text, ", {} row(s) did not decode", self.rejected_rows);
        }
        if self.throttle_waits > 0 {
            let _ = write!(text, ", {} throttled wait(s)", self.throttle_waits);
        }
        let _ = write!(text, ", {} failed", self.failed.len());
        if self.not_tried > 0 {
            let _ = write!(
                text,
                ", {} not tried after the sign-in failed",
                self.not_tried
            );
        }
        text.push('\n');
        for (what, error) in &self.failed {
            let first = error.lines().next().unwrap_or_default();
            let _ = writeln!(text, "  failed: {} : {}", escape(what), first);
        }
        text
    }

    /// Writes `DIR/tenant=<id>/_sync.json`, whole or not at all: present and with a
    /// `started_at` of this run only once every call of the tenant ended.
    pub async fn write_finished(
        &self,
        lake: &Lake,
        started_at: DateTime<Utc>,
    ) -> Result<(), Failure> {
        #[derive(Serialize)]
        struct Finished<'a> {
            started_at: DateTime<Utc>,
            finished_at: DateTime<Utc>,
            tool_version: &'static str,
            complete: bool,
            #[serde(flatten)]
            tally: &'a Tally,
        }
        let record = Finished {
            started_at,
            finished_at: Utc::now(),
            tool_version: env!("CARGO_PKG_VERSION"),
            complete: self.failed.is_empty() && self.not_tried == 0,
            tally: self,
        };
        let target = lake.tenant(&self.tenant_id).child(FINISHED);
        let text = json(&record, lake.store(), &target)?;
        lake.store().put(&target, text).await
    }
}
