//! One report call of one tenant into the lake: streamed into a Parquet part (a hidden sibling
//! of its final name, or a temporary file to upload, see [`super::store`]), put in place when
//! complete, then its manifest written. Until the manifest exists the day is not held, so a
//! call cut short at any point is made again.
//!
//! A day held already (a provisional date-form day, or a period report's refresh date served
//! again with a new ETag) is replaced in three steps: its manifest deleted (the day is no
//! longer held), the new part put in place, the new manifest written. Killed between any two,
//! the day is not held and is fetched again; an old manifest never stands beside a new part.

use chrono::{DateTime, Utc};
use reports_sdk::{BadRows, Client, Fetched};

use crate::failure::Failure;
use crate::parquet::{Constant, ConstantValue, ParquetSink};
use crate::sync::jobs::Job;
use crate::sync::lake::{Lake, MANIFEST, PART};
use crate::sync::manifest::{Drift, Manifest, Rejected};

/// What one call brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A day written: its rows and the rows that did not decode.
    Written {
        /// Rows in the part.
        rows: u64,
        /// Rows left out.
        rejected: usize,
    },
    /// `304 Not Modified`: the period report's latest answer held, or a provisional day as
    /// held, is still Graph's.
    Unchanged,
    /// Graph served again a refresh date the lake holds with the same ETag.
    Held,
    /// No rows and so no Report Refresh Date to file them under: nothing written.
    Empty,
}

/// Makes `job`'s call for `tenant` and files what comes back.
pub async fn fetch(
    client: &Client,
    lake: &Lake,
    tenant: &str,
    job: &Job,
) -> Result<Outcome, Failure> {
    let meta = job.report.meta;
    let request = client
        .report(meta.id)?
        .request(job.report.form, job.arguments.clone())?
        .on_bad_row(BadRows::reject());
    let request_path = request.path();
    let api_version = request.api_version();
    let fetched_at = now();
    let mut stream = match &job.etag {
        Some(etag) => match request.stream_if_none_match(etag.clone()).await? {
            Fetched::Modified(stream) => stream,
            Fetched::NotModified(_) => return Ok(Outcome::Unchanged),
        },
        None => request.stream().await?,
    };
    let info = stream.info().clone();
    let Some(day) = job.day.or(info.refresh_date) else {
        return Ok(Outcome::Empty);
    };
    let folder = job.dir.day(day);
    let mut replaces = job.replaces;
    if job.day.is_none()
        && let Some(held) = Manifest::read(lake.store(), &folder.child(MANIFEST)).await?
    {
        if held.etag == info.etag {
            return Ok(Outcome::Held);
        }
        replaces = true;
    }

    let constants = vec![
        Constant {
            name: "tenant_id",
            value: ConstantValue::Text(tenant.to_owned()),
        },
        // Graph's Report Refresh Date, as the manifest says it: the `date=` partition already
        // names the day the rows describe.
        Constant {
            name: "refresh_date",
            value: ConstantValue::Date(info.refresh_date),
        },
        Constant {
            name: "fetched_at",
            value: ConstantValue::Timestamp(fetched_at),
        },
    ];
    // Dropped unfinished (a failure below), the temporary part is deleted and the day stays
    // unheld.
    let pending = lake.store().begin_part(&folder.child(PART))?;
    // Columns Microsoft added since the spec are kept, as text, in this day's file.
    let beyond_spec = info.drift.unknown_columns.clone();
    let mut sink = ParquetSink::for_lake(pending.path(), meta, beyond_spec, constants)?;
    let mut rows = 0u64;
    while let Some(row) = stream.next_row().await {
        sink.write(&row?)?;
        rows += 1;
    }
    // The footer's write and fsync wait on the disk: off the async workers.
    crate::sync::store::blocking(move || sink.finish()).await?;
    if replaces {
        lake.store().delete(&folder.child(MANIFEST)).await?;
    }
    pending.commit().await?;
    let rejected = stream.rejected();
    Manifest {
        format: crate::sync::manifest::FORMAT,
        tenant_id: tenant.to_owned(),
        report: meta.id.to_owned(),
        function: meta.function.to_owned(),
        form: job.report.shape.form_name().to_owned(),
        date: day,
        period: job.report.shape.period().map(str::to_owned),
        report_refresh_date: info.refresh_date,
        api_version: api_version.to_string(),
        request_path,
        file: PART.to_owned(),
        rows,
        etag: info.etag.clone(),
        drift: Drift::from(&info.drift),
        rejected: Rejected::of(&rejected),
        sdk_version: reports_sdk::VERSION.to_owned(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        fetched_at,
    }
    .write(lake.store(), &folder)
    .await?;
    Ok(Outcome::Written {
        rows,
        rejected: rejected.len(),
    })
}

/// Now, to the microsecond the `fetched_at` column keeps, so the manifest says the same.
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeDelta};
    use graph_emulator::{Config, Emulator};
    use reports_sdk::{Argument, Secret};

    use super::*;
    use crate::sync::jobs::{self, Job};
    use crate::sync::options::SyncOptions;
    use crate::sync::store::Store;
    use crate::sync::store::local::LocalStore;

    #[tokio::test]
    async fn a_held_day_being_replaced_loses_its_manifest_before_its_part() {
        let today = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
        let emulator = Emulator::start(Config {
            rows: 3,
            today,
            ..Config::default()
        })
        .await
        .unwrap();
        let client = Client::builder()
            .base_url(emulator.base_url())
            .token(Secret::new(emulator.token()))
            .build()
            .unwrap();
        let root =
            std::env::temp_dir().join(format!("graph-reports-day-{}-replace", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let lake = Lake::new(Store::Local(LocalStore::new(root.clone())));
        let options = SyncOptions::from_args(crate::sync_args::SyncArgs {
            lake: "lake".into(),
            reports: vec![reports_sdk::find_report("teams_user_activity_user_detail").unwrap()],
            ..Default::default()
        })
        .unwrap();
        let (plans, _) = jobs::reports(&options).unwrap();
        let plan = plans[0].clone();
        let day = today - TimeDelta::days(2);
        let parameter = &plan.meta.parameters[plan.form.parameters[0]];
        let job = Job {
            dir: lake.report_dir("t", plan.meta.id, None),
            arguments: vec![Argument::parse(parameter, &day.to_string()).unwrap()],
            report: plan,
            day: Some(day),
            etag: None,
            replaces: true,
        };
        // A provisional day held, whose new part cannot be put in place: a folder stands
        // where the rename would put it, as a kill between the two steps would leave things.
        let folder = root.join(job.dir.day(day).as_str());
        std::fs::create_dir_all(folder.join(PART).join("in-the-way")).unwrap();
        std::fs::write(folder.join(MANIFEST), "{}").unwrap();

        let outcome = fetch(&client, &lake, "t", &job).await;
        assert!(outcome.is_err(), "{outcome:?}");
        assert!(
            !folder.join(MANIFEST).exists(),
            "the old manifest would describe a part it was not written for"
        );
        std::fs::remove_dir_all(root).unwrap();
    }
}
