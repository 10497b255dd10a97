//! What a sync fetches: which reports and how (by day, or by period once per refresh), and for
//! each tenant the report-days its lake lacks.

use chrono::{NaiveDate, TimeDelta};
use reports_sdk::{Argument, FormMeta, ParameterKind, ParameterMeta, ReportMeta};

use crate::failure::Failure;
use crate::sync::lake::{Lake, MANIFEST, ReportDir};
use crate::sync::manifest::Manifest;
use crate::sync::options::SyncOptions;

/// Graph serves a detail report's `date` form for the 30 days before today: `today - 30` to
/// `today - 1` (its latest data is yesterday's at best). The emulator follows the same rule.
pub const WINDOW_DAYS: i64 = 30;

/// Names Hive readers give the partition levels, and the columns the lake adds. DuckDB matches
/// names without regard to case and silently replaces a file's column by a partition of the
/// same name (seen with DuckDB 2.0: a `Date` column under `date=` reads as the partition's
/// day), so a report with a column of one of these names is not synced rather than mangled.
/// [`crate::parquet::ParquetSink::for_lake`] refuses a clash with an added column by
/// itself; checked here too, so such a report is left out with its reason before any call,
/// and the partition names (not columns of the file) are kept out as well.
pub const RESERVED_NAMES: [&str; 7] = [
    "tenant",
    "report",
    "period",
    "date",
    "tenant_id",
    "refresh_date",
    "fetched_at",
];

/// How one report is kept.
#[derive(Debug, Clone)]
pub struct ReportPlan {
    /// The report.
    pub meta: &'static ReportMeta,
    /// The form called.
    pub form: &'static FormMeta,
    /// By day, or once per refresh.
    pub shape: Shape,
}

/// How a report is fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// Its `date` form, each day of the window.
    Date,
    /// Its period form with this value, once per Report Refresh Date.
    Period(&'static str),
    /// A report without parameters, once per Report Refresh Date.
    NoParameters,
}

impl Shape {
    /// The form's name, as the manifest says it.
    pub fn form_name(&self) -> &'static str {
        match self {
            Shape::Date => "date",
            Shape::Period(_) => "period",
            Shape::NoParameters => "none",
        }
    }

    /// The `period=` level of the report's folder.
    pub fn period(&self) -> Option<&'static str> {
        match self {
            Shape::Period(period) => Some(period),
            _ => None,
        }
    }
}

/// One report call of one tenant.
#[derive(Debug, Clone)]
pub struct Job {
    /// The report and how it is fetched.
    pub report: ReportPlan,
    /// The day asked for (date form); otherwise the rows' refresh date names the partition.
    pub day: Option<NaiveDate>,
    /// The form's arguments.
    pub arguments: Vec<Argument>,
    /// Sent as `If-None-Match`: the ETag of the manifest written last (period form), or of
    /// the provisional day asked for again (date form).
    pub etag: Option<String>,
    /// The day asked for is held already, provisionally: replacing it deletes its manifest
    /// first (see [`super::day::fetch`]).
    pub replaces: bool,
    /// Where the report's days go.
    pub dir: ReportDir,
}

impl Job {
    /// `report office365_active_user_detail date 2026-11-03`, for messages.
    pub fn label(&self) -> String {
        match (self.day, self.report.shape.period()) {
            (Some(day), _) => format!("report {} date {day}", self.report.meta.id),
            (None, Some(period)) => format!("report {} period {period}", self.report.meta.id),
            (None, None) => format!("report {}", self.report.meta.id),
        }
    }
}

/// The reports to keep, and those left out with why. A report named with `--report` that
/// cannot be kept is a bad command line.
#[allow(clippy::type_complexity, reason = "a pair of lists, named at the call")]
pub fn reports(
    options: &SyncOptions,
) -> Result<(Vec<ReportPlan>, Vec<(&'static ReportMeta, String)>), Failure> {
    let requested = !options.reports.is_empty();
    let all = if requested {
        options.reports.as_slice()
    } else {
        reports_sdk::catalog()
    };
    let mut plans = Vec::new();
    let mut skipped = Vec::new();
    for &meta in all {
        match plan_report(meta, options) {
            Ok(plan) => plans.push(plan),
            Err(reason) if requested => {
                return Err(Failure::usage(format!("report `{}`: {reason}", meta.id)));
            }
            Err(reason) => skipped.push((meta, reason)),
        }
    }
    if plans.is_empty() {
        return Err(Failure::usage(format!(
            "no report to sync with --cloud {} and --api-version {}",
            options.cloud, options.version
        )));
    }
    Ok((plans, skipped))
}

fn plan_report(meta: &'static ReportMeta, options: &SyncOptions) -> Result<ReportPlan, String> {
    if !meta.clouds.contains(&options.cloud) {
        return Err(format!("not served in the `{}` cloud", options.cloud));
    }
    if meta.formats(options.version).is_none() {
        return Err(format!("not served by API version {}", options.version));
    }
    if let Some(column) = meta.columns.iter().find(|column| {
        RESERVED_NAMES
            .iter()
            .any(|name| column.header.eq_ignore_ascii_case(name))
    }) {
        return Err(format!(
            "its column {:?} has the name of a lake partition or added column, which Hive readers would put in its place",
            column.header
        ));
    }
    let kinds = |form: &FormMeta| -> Vec<&'static ParameterMeta> {
        form.parameters
            .iter()
            .filter_map(|index| meta.parameters.get(*index))
            .collect()
    };
    let find =
        |wanted: fn(&[&ParameterMeta]) -> bool| meta.forms.iter().find(|form| wanted(&kinds(form)));
    if let Some(form) = find(|p| p.len() == 1 && p[0].kind == ParameterKind::Date) {
        return Ok(ReportPlan {
            meta,
            form,
            shape: Shape::Date,
        });
    }
    if let Some(form) = find(|p| p.len() == 1 && matches!(p[0].kind, ParameterKind::Enum { .. })) {
        let ParameterKind::Enum { values, .. } = kinds(form)[0].kind else {
            return Err("its period form takes no period".to_owned());
        };
        let period = match &options.period {
            Some(asked) => values
                .iter()
                .copied()
                .find(|value| value.eq_ignore_ascii_case(asked.trim()))
                .ok_or_else(|| {
                    format!(
                        "--period {asked} is not one of its periods ({})",
                        values.join(", ")
                    )
                })?,
            None => shortest(values).ok_or("its period parameter lists no value")?,
        };
        return Ok(ReportPlan {
            meta,
            form,
            shape: Shape::Period(period),
        });
    }
    if let Some(form) = find(|p| p.is_empty()) {
        return Ok(ReportPlan {
            meta,
            form,
            shape: Shape::NoParameters,
        });
    }
    Err("no form takes only a date or a period".to_owned())
}

/// The shortest period: `D7` before `D30`; a value that is not `D<days>` counts as longest.
fn shortest(values: &'static [&'static str]) -> Option<&'static str> {
    values.iter().copied().min_by_key(|value| {
        value
            .strip_prefix(['D', 'd'])
            .and_then(|days| days.parse::<u32>().ok())
            .unwrap_or(u32::MAX)
    })
}

/// The days Graph serves by date, counted from the service's `today`, from `since` on.
pub fn window(today: NaiveDate, since: Option<NaiveDate>) -> Vec<NaiveDate> {
    (1..=WINDOW_DAYS)
        .rev()
        .map(|ago| today - TimeDelta::days(ago))
        .filter(|day| since.is_none_or(|since| *day >= since))
        .collect()
}

/// Whether a held date-form day may still change: it has no row, or Graph had not refreshed
/// up to it when it was fetched. Graph's data lands a day or two late, and until then a `date=`
/// call for the day answers the header alone (or older rows); held as final, the day would stay
/// empty for good.
pub fn provisional(manifest: &Manifest) -> bool {
    manifest.rows == 0
        || manifest
            .report_refresh_date
            .is_some_and(|refreshed| refreshed < manifest.date)
}

/// A tenant's jobs: the window's days its lake lacks or holds provisionally, and one call per
/// period report; and the report-days held already. What a killed run left in the tenant's
/// folders is swept first. Each report folder is listed once.
///
/// A provisional day (see [`provisional`]) still in the window is asked for again each run,
/// with its manifest's ETag as `If-None-Match`: `304` leaves it as it is, `200` replaces it.
/// The cost: each held day of the window has its manifest read every run, and a report a
/// tenant never uses stays provisional (no row ever), so it costs one conditional call per day
/// of the window per run, answered `304`, until the day leaves the window.
pub async fn tenant_jobs(
    lake: &Lake,
    tenant: &str,
    reports: &[ReportPlan],
    window: &[NaiveDate],
) -> Result<(Vec<Job>, usize), Failure> {
    lake.sweep_tenant(tenant)?;
    let mut jobs = Vec::new();
    let mut held = 0;
    for report in reports {
        let dir = lake.report_dir(tenant, report.meta.id, report.shape.period());
        let scan = lake.scan(&dir).await?;
        lake.sweep(&scan).await?;
        let parameter = report
            .form
            .parameters
            .first()
            .and_then(|index| report.meta.parameters.get(*index));
        let argument = |text: &str| -> Result<Vec<Argument>, Failure> {
            match parameter {
                Some(parameter) => Argument::parse(parameter, text)
                    .map(|argument| vec![argument])
                    .map_err(|message| {
                        Failure::usage(format!("report `{}`: {message}", report.meta.id))
                    }),
                None => Ok(Vec::new()),
            }
        };
        match report.shape {
            Shape::Date => {
                let days_held = scan.held_days();
                for day in window {
                    let mut etag = None;
                    let replaces = days_held.contains(day);
                    if replaces {
                        let key = dir.day(*day).child(MANIFEST);
                        match Manifest::read(lake.store(), &key).await? {
                            Some(manifest) if provisional(&manifest) => etag = manifest.etag,
                            Some(_) => {
                                held += 1;
                                continue;
                            }
                            // Gone since the listing: fetched as a day not held.
                            None => {}
                        }
                    }
                    jobs.push(Job {
                        report: report.clone(),
                        day: Some(*day),
                        arguments: argument(&day.format("%Y-%m-%d").to_string())?,
                        etag,
                        replaces,
                        dir: dir.clone(),
                    });
                }
            }
            Shape::Period(_) | Shape::NoParameters => {
                let etag = match scan.latest_manifest() {
                    Some(key) => Manifest::read(lake.store(), &key)
                        .await?
                        .and_then(|manifest| manifest.etag),
                    None => None,
                };
                jobs.push(Job {
                    report: report.clone(),
                    day: None,
                    arguments: argument(report.shape.period().unwrap_or_default())?,
                    etag,
                    // Decided once the rows' refresh date names the day.
                    replaces: false,
                    dir,
                });
            }
        }
    }
    Ok((jobs, held))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_window_is_the_thirty_days_before_today_from_since_on() {
        let days = window(day("2026-12-04"), None);
        assert_eq!(days.len(), 30);
        assert_eq!(days[0], day("2026-11-04"));
        assert_eq!(days[29], day("2026-12-03"));
        let days = window(day("2026-12-04"), Some(day("2026-12-01")));
        assert_eq!(
            days,
            [day("2026-12-01"), day("2026-12-02"), day("2026-12-03")]
        );
    }

    #[test]
    fn the_shortest_period_is_chosen() {
        assert_eq!(shortest(&["D30", "D7", "D180"]), Some("D7"));
        assert_eq!(shortest(&["ALL", "D90"]), Some("D90"));
    }

    #[test]
    fn every_report_is_kept_by_day_by_period_or_once_unless_a_column_would_clash() {
        let options = crate::sync::options::SyncOptions::from_args(crate::sync_args::SyncArgs {
            lake: "lake".into(),
            api_version: Some(reports_sdk::ApiVersion::Beta),
            ..Default::default()
        })
        .unwrap();
        let (plans, skipped) = reports(&options).unwrap();
        let shape = |id: &str| {
            plans
                .iter()
                .find(|plan| plan.meta.id == id)
                .map(|plan| plan.shape.clone())
        };
        assert_eq!(shape("teams_user_activity_user_detail"), Some(Shape::Date));
        assert_eq!(
            shape("office365_services_user_counts"),
            Some(Shape::Period("D7"))
        );
        assert_eq!(
            shape("office365_activations_user_detail"),
            Some(Shape::NoParameters)
        );
        let api_usage = skipped.iter().find(|(meta, _)| meta.id == "api_usage");
        assert!(
            api_usage.is_some_and(|(_, why)| why.contains("\"Date\"")),
            "{skipped:?}"
        );
    }
}

#[cfg(test)]
mod listing_tests {
    use std::sync::atomic::Ordering;

    use super::*;
    use crate::sync::store::Store;
    use crate::sync::store::local::LocalStore;

    #[tokio::test]
    async fn each_report_folder_is_listed_once_per_run_after_the_tenant_folder_is_swept() {
        let root = std::env::temp_dir().join(format!(
            "graph-reports-jobs-{}-listings",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        let lake = Lake::new(Store::Local(LocalStore::new(root.clone())));
        // Left by a run killed while writing the tenant's `_sync.json`.
        let partial = root.join("tenant=t").join("._sync.json.k3y.partial");
        std::fs::create_dir_all(root.join("tenant=t")).unwrap();
        std::fs::write(&partial, "{").unwrap();
        let options = SyncOptions::from_args(crate::sync_args::SyncArgs {
            lake: "lake".into(),
            reports: [
                "teams_user_activity_user_detail",
                "office365_services_user_counts",
                "office365_activations_user_detail",
            ]
            .iter()
            .map(|id| reports_sdk::find_report(id).unwrap())
            .collect(),
            ..Default::default()
        })
        .unwrap();
        let (plans, _) = reports(&options).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let (jobs, held) = tenant_jobs(&lake, "t", &plans, &window(today, None))
            .await
            .unwrap();
        assert_eq!((jobs.len(), held), (30 + 1 + 1, 0));
        assert_eq!(lake.listings.load(Ordering::SeqCst), 3);
        assert!(!partial.exists());
        let _ = std::fs::remove_dir_all(root);
    }
}
