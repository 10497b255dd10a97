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
    /// Report-days at the window's oldest edge Graph no longer served (`400`): its window
    /// can end a day earlier than the one counted here (time zones, the hour of the run).
    pub no_longer_served: usize,
    /// Calls not sent after the tenant was stopped.
    pub not_tried: usize,
    /// Why they were not, when some were not.
    pub not_tried_because: Option<String>,
    /// Throttled answers waited out.
    pub throttle_waits: u64,
    /// Calls that failed (each counted, the first [`FAILURES_KEPT`] kept below).
    pub failures: usize,
    /// The first [`FAILURES_KEPT`] that failed: what was asked, and the error with its causes.
    pub failed: Vec<(String, String)>,
}

/// Failures kept per tenant in the summary and `_sync.json`: a tenant whose every call fails
/// would otherwise hold hundreds of messages, most the same. The rest are counted.
pub const FAILURES_KEPT: usize = 100;

impl Tally {
    /// An empty tally for `tenant_id`.
    pub fn new(tenant_id: &str) -> Tally {
        Tally {
            tenant_id: tenant_id.to_owned(),
            ..Tally::default()
        }
    }

    /// Counts a failed call, keeping the first [`FAILURES_KEPT`].
    pub fn fail(&mut self, what: String, error: String) {
        self.failures += 1;
        if self.failed.len() < FAILURES_KEPT {
            self.failed.push((what, error));
        }
    }

    /// Counts a call not sent because the tenant was stopped, and why.
    pub fn not_sent(&mut self, why: &impl std::fmt::Display) {
        self.not_tried += 1;
        self.not_tried_because
            .get_or_insert_with(|| why.to_string());
    }

    /// Whether every call of the tenant ended well.
    pub fn complete(&self) -> bool {
        self.failures == 0 && self.not_tried == 0
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
        if self.no_longer_served > 0 {
            let _ = write!(
                text,
                ", {} no longer served by Graph",
                self.no_longer_served
            );
        }
        let _ = write!(text, ", {} failed", self.failures);
        if self.not_tried > 0 {
            let _ = write!(
                text,
                ", {} not tried after {}",
                self.not_tried,
                escape(
                    self.not_tried_because
                        .as_deref()
                        .unwrap_or("an earlier failure")
                )
            );
        }
        text.push('\n');
        for (what, error) in &self.failed {
            let first = error.lines().next().unwrap_or_default();
            let _ = writeln!(text, "  failed: {} : {}", escape(what), first);
        }
        if self.failures > self.failed.len() {
            let _ = writeln!(
                text,
                "  and {} more failure(s), counted but not kept (the first {FAILURES_KEPT} are)",
                self.failures - self.failed.len()
            );
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
            complete: self.complete(),
            tally: self,
        };
        let target = lake.tenant(&self.tenant_id).child(FINISHED);
        let text = json(&record, lake.store(), &target)?;
        lake.store().put(&target, text).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_failures_are_kept_and_the_rest_counted() {
        let mut tally = Tally::new("t");
        for n in 0..FAILURES_KEPT + 5 {
            tally.fail(format!("report r date {n}"), "boom".to_owned());
        }
        assert_eq!(tally.failures, FAILURES_KEPT + 5);
        assert_eq!(tally.failed.len(), FAILURES_KEPT);
        let summary = tally.summary();
        assert!(summary.contains(", 105 failed"), "{summary}");
        assert!(summary.contains("and 5 more failure(s)"), "{summary}");
        assert!(!tally.complete());
    }
}
