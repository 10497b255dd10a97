//! The lake's layout: Hive-style folders that DuckDB, Polars and Spark read as they are,
//! always with the tenant level, so a lake can grow from one tenant to many.
//!
//! ```text
//! DIR/tenant=<tenant id>/report=<report id>/date=<YYYY-MM-DD>/part-00000.parquet
//! DIR/tenant=<tenant id>/report=<report id>/period=<D7>/date=<YYYY-MM-DD>/part-00000.parquet
//! ```
//!
//! with a `_manifest.json` beside each part. A day is held once its manifest exists: the part
//! is put in place first, the manifest last, both by rename. Names are fixed by the tenant,
//! report, period and day, so a rerun after a crash writes the same names again. Temporary
//! files are hidden siblings (`.part-00000.parquet.XXXXXX.partial`): they never match
//! `*.parquet`, Spark and Hive skip names starting with `.`, a rename within one folder is
//! atomic, and only the worker that owns a tenant ever touches that tenant's folders, so it can
//! sweep what a killed run left there.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::failure::Failure;

/// The one data file of a partition.
pub const PART: &str = "part-00000.parquet";
/// What is known about the part, written once the part is in place.
pub const MANIFEST: &str = "_manifest.json";
/// Temporary files end so (see [`crate::atomic_file`]); the next run removes them.
const PARTIAL_SUFFIX: &str = ".partial";

/// A lake on disk.
#[derive(Debug, Clone)]
pub struct Lake {
    root: PathBuf,
}

/// Where one report of one tenant is kept: the folder holding its `date=` partitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDir {
    path: PathBuf,
}

impl Lake {
    /// The lake at `root`.
    pub fn new(root: PathBuf) -> Lake {
        Lake { root }
    }

    /// The root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder of `report` for `tenant`, under `period=` for a report fetched by period.
    pub fn report_dir(&self, tenant: &str, report: &str, period: Option<&str>) -> ReportDir {
        let mut path = self
            .root
            .join(format!("tenant={tenant}"))
            .join(format!("report={report}"));
        if let Some(period) = period {
            path.push(format!("period={period}"));
        }
        ReportDir { path }
    }
}

impl ReportDir {
    /// The folder of one day.
    pub fn day(&self, day: NaiveDate) -> PathBuf {
        self.path.join(format!("date={}", day.format("%Y-%m-%d")))
    }

    /// The days held: those whose folder has a manifest, oldest first.
    pub fn held_days(&self) -> Result<Vec<NaiveDate>, Failure> {
        let mut days: Vec<NaiveDate> = self
            .day_folders()?
            .into_iter()
            .filter(|(_, folder)| folder.join(MANIFEST).is_file())
            .map(|(day, _)| day)
            .collect();
        days.sort();
        Ok(days)
    }

    /// The manifest of the latest day held, if any.
    pub fn latest_manifest(&self) -> Result<Option<PathBuf>, Failure> {
        Ok(self
            .held_days()?
            .last()
            .map(|day| self.day(*day).join(MANIFEST)))
    }

    /// Removes what a killed run left: temporary files, and parts whose manifest was never
    /// written (they are not held, so they are fetched again, or were of a day Graph no longer
    /// serves). Afterwards every `*.parquet` under this folder is a held day.
    pub fn sweep(&self) -> Result<(), Failure> {
        for (_, folder) in self.day_folders()? {
            sweep_partials(&folder)?;
            if !folder.join(MANIFEST).exists() {
                remove(&folder.join(PART))?;
                // Empty now unless someone put other files there: then it stays.
                let _ = std::fs::remove_dir(&folder);
            }
        }
        Ok(())
    }

    /// Every `date=` folder under this one, with its day; names that are not a day are left
    /// alone.
    fn day_folders(&self) -> Result<Vec<(NaiveDate, PathBuf)>, Failure> {
        let entries = match std::fs::read_dir(&self.path) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(read_failure(&self.path, err)),
        };
        let mut folders = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|err| read_failure(&self.path, err))?;
            let name = entry.file_name();
            let day = name
                .to_str()
                .and_then(|name| name.strip_prefix("date="))
                .and_then(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok());
            if let Some(day) = day {
                folders.push((day, entry.path()));
            }
        }
        Ok(folders)
    }
}

/// Removes the temporary files a killed run left in `folder` (hidden, ending `.partial`).
pub fn sweep_partials(folder: &Path) -> Result<(), Failure> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(read_failure(folder, err)),
    };
    for entry in entries {
        let entry = entry.map_err(|err| read_failure(folder, err))?;
        let name = entry.file_name();
        let leftover = name
            .to_str()
            .is_some_and(|name| name.starts_with('.') && name.ends_with(PARTIAL_SUFFIX));
        if leftover {
            remove(&entry.path())?;
        }
    }
    Ok(())
}

fn remove(path: &Path) -> Result<(), Failure> {
    match std::fs::remove_file(path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(Failure::other(
            format!("cannot remove {}", path.display()),
            err,
        )),
        _ => Ok(()),
    }
}

fn read_failure(path: &Path, err: std::io::Error) -> Failure {
    Failure::other(format!("cannot read the folder {}", path.display()), err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("graph-reports-lake-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn paths_are_hive_partitions_with_the_tenant_first() {
        let lake = Lake::new(PathBuf::from("lake"));
        let report = lake.report_dir("contoso.example", "teams_user_activity_user_detail", None);
        assert_eq!(
            report.day(day("2026-11-03")),
            Path::new(
                "lake/tenant=contoso.example/report=teams_user_activity_user_detail/date=2026-11-03"
            )
        );
        let report = lake.report_dir("t", "office365_services_user_counts", Some("D7"));
        assert_eq!(
            report.day(day("2026-11-03")),
            Path::new(
                "lake/tenant=t/report=office365_services_user_counts/period=D7/date=2026-11-03"
            )
        );
    }

    #[test]
    fn a_day_is_held_once_its_manifest_exists_and_a_sweep_removes_the_rest() {
        let root = scratch("held");
        let report = Lake::new(root.clone()).report_dir("t", "r", None);
        let [held, orphan, stray] = ["2026-11-02", "2026-11-03", "2026-11-01"].map(day);
        for (day, files) in [
            (
                held,
                &[PART, MANIFEST, ".part-00000.parquet.a1b2c3.partial"][..],
            ),
            (orphan, &[PART, "._manifest.json.x.partial"]),
            (stray, &["notes.txt"]),
        ] {
            std::fs::create_dir_all(report.day(day)).unwrap();
            for file in files {
                std::fs::write(report.day(day).join(file), "x").unwrap();
            }
        }
        std::fs::create_dir_all(report.path.join("date=not-a-day")).unwrap();
        assert_eq!(report.held_days().unwrap(), [held]);
        assert_eq!(
            report.latest_manifest().unwrap(),
            Some(report.day(held).join(MANIFEST))
        );
        report.sweep().unwrap();
        let names = |day| {
            let mut names: Vec<String> = std::fs::read_dir(report.day(day))
                .map(|entries| {
                    entries
                        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            names.sort();
            names
        };
        assert_eq!(names(held), [MANIFEST, PART]);
        assert!(!report.day(orphan).exists(), "{:?}", names(orphan));
        assert_eq!(names(stray), ["notes.txt"]);
        std::fs::remove_dir_all(root).unwrap();
    }
}
