//! The lake's layout: Hive-style folders that DuckDB, Polars, Spark, Trino and Fabric read as
//! they are, always with the tenant level, so a lake can grow from one tenant to many.
//!
//! ```text
//! DIR/tenant=<tenant id>/report=<report id>/date=<YYYY-MM-DD>/part-00000.parquet
//! DIR/tenant=<tenant id>/report=<report id>/period=<D7>/date=<YYYY-MM-DD>/part-00000.parquet
//! ```
//!
//! with a `_manifest.json` beside each part, and `DIR/tenant=<tenant id>/_sync.json` once a
//! run of that tenant ended. `DIR` is a folder or a bucket's prefix (see [`super::store`]). A
//! day is held once its manifest and part both exist: the part is put in place first, the
//! manifest last, each whole or not at all; a day replaced loses its manifest first, so an old
//! manifest never describes a new part. Names are fixed by the tenant, report, period and day,
//! so a rerun after a crash writes the same names again.
//!
//! Sharding: `--shard I/N` gives each of N workers the tenants at positions I, I+N, … of the
//! tenants file, so no tenant is ever in two shards and no two workers write in one tenant's
//! folders. That is what makes the sweep safe without locks, on a shared disk or an object
//! store alike: each worker sweeps only the folders of its own tenants, before fetching into
//! them, and whatever it finds unfinished there was left by an earlier run of the same shard.
//! Workers never list, read or delete outside their tenants, so N workers on N machines fill
//! one lake with the union of what one worker would write.

use chrono::NaiveDate;

use crate::failure::Failure;
use crate::sync::store::{Key, Listed, Store, local::is_partial};

/// The one data file of a partition.
pub const PART: &str = "part-00000.parquet";
/// What is known about the part, written once the part is in place.
pub const MANIFEST: &str = "_manifest.json";

/// A lake: its layout over a store.
#[derive(Debug)]
pub struct Lake {
    store: Store,
    /// Report folders listed, for the tests that count them.
    #[cfg(test)]
    pub listings: std::sync::atomic::AtomicUsize,
}

/// Where one report of one tenant is kept: the folder holding its `date=` partitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDir {
    key: Key,
}

impl Lake {
    /// The lake in `store`.
    pub fn new(store: Store) -> Lake {
        Lake {
            store,
            #[cfg(test)]
            listings: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Where its bytes live.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The folder of `tenant`.
    pub fn tenant(&self, tenant: &str) -> Key {
        Key::root().child(&format!("tenant={tenant}"))
    }

    /// The folder of `report` for `tenant`, under `period=` for a report fetched by period.
    pub fn report_dir(&self, tenant: &str, report: &str, period: Option<&str>) -> ReportDir {
        let mut key = self.tenant(tenant).child(&format!("report={report}"));
        if let Some(period) = period {
            key = key.child(&format!("period={period}"));
        }
        ReportDir { key }
    }

    /// Lists the `date=` folders of `report`: the one listing of it a run makes, from which
    /// the sweep, the days held and the latest manifest are all read (a listing of an object
    /// store is a paged request per thousand objects, and a report's folder grows a day a day).
    pub async fn scan(&self, report: &ReportDir) -> Result<Scan, Failure> {
        #[cfg(test)]
        self.listings
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let mut days: Vec<DayFolder> = self
            .store
            .folders(&report.key)
            .await?
            .into_iter()
            .filter_map(|(name, files)| {
                let day = name.strip_prefix("date=")?;
                let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
                Some(DayFolder { day, files })
            })
            .collect();
        days.sort_by_key(|folder| folder.day);
        Ok(Scan {
            report: report.clone(),
            days,
        })
    }

    /// Removes the temporary files a killed run left under `report` (names that never match
    /// `*.parquet`, but Spark and Trino list them, and they fill the disk). Parts without a
    /// manifest are left: a part is only ever put whole (a rename, a single PUT, a completed
    /// multipart upload), so one is a day fetched whole whose manifest a kill cut off. A day
    /// still in Graph's window is fetched again and replaces it under the same name; one of a
    /// day Graph no longer serves is the only copy there is, so it stays, readable.
    pub async fn sweep(&self, scan: &Scan) -> Result<(), Failure> {
        for folder in &scan.days {
            for file in folder.files.iter().filter(|file| is_partial(&file.name)) {
                let key = scan.report.day(folder.day).child(&file.name);
                self.store.delete(&key).await?;
            }
        }
        Ok(())
    }

    /// Removes the temporary files a killed run left directly in the tenant's folder: a
    /// `._sync.json.XXXXXX.partial` of a run killed while writing its record.
    pub fn sweep_tenant(&self, tenant: &str) -> Result<(), Failure> {
        self.store.sweep_partials(&self.tenant(tenant))
    }
}

/// What one listing of a report's folder found (see [`Lake::scan`]).
#[derive(Debug, Clone)]
pub struct Scan {
    report: ReportDir,
    /// Oldest first.
    days: Vec<DayFolder>,
}

/// One `date=` folder and the files in it.
#[derive(Debug, Clone)]
struct DayFolder {
    day: NaiveDate,
    files: Vec<Listed>,
}

impl DayFolder {
    fn file(&self, name: &str) -> Option<&Listed> {
        self.files.iter().find(|file| file.name == name)
    }

    /// Held: its manifest and its part both exist. The manifest is written last and deleted
    /// first, so one without its part only comes of someone deleting the part, and then the
    /// day is fetched again rather than counted.
    fn held(&self) -> bool {
        self.file(MANIFEST).is_some() && self.file(PART).is_some()
    }
}

impl Scan {
    /// The days held, oldest first.
    pub fn held_days(&self) -> Vec<NaiveDate> {
        self.days
            .iter()
            .filter(|folder| folder.held())
            .map(|folder| folder.day)
            .collect()
    }

    /// The manifest of the held day written last, whatever its date: the one of the latest
    /// call, whose ETag is Graph's latest answer. Graph can serve an older Report Refresh Date
    /// again after a newer one, so the latest date need not be the latest fetched. The time
    /// the store lists stands in for the manifest's `fetched_at`: one tenant's manifests are
    /// written by one worker, each right after its call, so the two orders agree, and reading
    /// every manifest of a report (one per refresh date, growing without end) to compare would
    /// cost a request each, every run. Ties and files listed without a time go by date.
    pub fn latest_manifest(&self) -> Option<Key> {
        self.days
            .iter()
            .filter(|folder| folder.held())
            .max_by_key(|folder| (folder.file(MANIFEST).and_then(|m| m.modified), folder.day))
            .map(|folder| self.report.day(folder.day).child(MANIFEST))
    }
}

impl ReportDir {
    /// The folder of one day.
    pub fn day(&self, day: NaiveDate) -> Key {
        self.key.child(&format!("date={}", day.format("%Y-%m-%d")))
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::sync::store::local::LocalStore;

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

    fn local(root: &Path) -> Lake {
        Lake::new(Store::Local(LocalStore::new(root.to_owned())))
    }

    #[test]
    fn paths_are_hive_partitions_with_the_tenant_first() {
        let lake = local(Path::new("lake"));
        let report = lake.report_dir("contoso.example", "teams_user_activity_user_detail", None);
        assert_eq!(
            lake.store().show(&report.day(day("2026-11-03"))),
            Path::new(
                "lake/tenant=contoso.example/report=teams_user_activity_user_detail/date=2026-11-03"
            )
            .display()
            .to_string()
        );
        let report = lake.report_dir("t", "office365_services_user_counts", Some("D7"));
        assert_eq!(
            report.day(day("2026-11-03")).as_str(),
            "tenant=t/report=office365_services_user_counts/period=D7/date=2026-11-03"
        );
    }

    #[tokio::test]
    async fn a_day_is_held_with_its_manifest_and_part_and_a_sweep_removes_only_temporary_files() {
        let root = scratch("held");
        let lake = local(&root);
        let report = lake.report_dir("t", "r", None);
        let folder = |day| root.join(report.day(day).as_str());
        let [held, orphan, stray, partless] =
            ["2026-11-02", "2026-11-03", "2026-11-01", "2026-11-04"].map(day);
        for (day, files) in [
            (
                held,
                &[PART, MANIFEST, ".part-00000.parquet.a1b2c3.partial"][..],
            ),
            (orphan, &[PART, "._manifest.json.x.partial"]),
            (stray, &["notes.txt"]),
            (partless, &[MANIFEST]),
        ] {
            std::fs::create_dir_all(folder(day)).unwrap();
            for file in files {
                std::fs::write(folder(day).join(file), "x").unwrap();
            }
        }
        std::fs::create_dir_all(root.join(report.key.as_str()).join("date=not-a-day")).unwrap();
        let tenant = root.join("tenant=t");
        std::fs::write(tenant.join("._sync.json.k3y.partial"), "{").unwrap();
        std::fs::write(tenant.join("_sync.json"), "{}").unwrap();

        let scan = lake.scan(&report).await.unwrap();
        assert_eq!(scan.held_days(), [held]);
        assert_eq!(
            scan.latest_manifest(),
            Some(report.day(held).child(MANIFEST))
        );
        lake.sweep(&scan).await.unwrap();
        lake.sweep_tenant("t").unwrap();
        let names = |path: PathBuf| {
            let mut names: Vec<String> = std::fs::read_dir(path)
                .map(|entries| {
                    entries
                        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            names.sort();
            names
        };
        assert_eq!(names(folder(held)), [MANIFEST, PART]);
        // Whole, as every part put in place is: fetched again if Graph still serves its day.
        assert_eq!(names(folder(orphan)), [PART]);
        assert_eq!(names(folder(stray)), ["notes.txt"]);
        assert_eq!(names(tenant.clone()), ["_sync.json", "report=r"]);
        std::fs::remove_dir_all(root).unwrap();
    }

    #[tokio::test]
    async fn the_latest_manifest_is_the_one_written_last_not_the_one_of_the_latest_date() {
        let root = scratch("latest");
        let lake = local(&root);
        let report = lake.report_dir("t", "r", Some("D7"));
        // Graph served 11-03, then 11-02 again: the 11-02 answer is the latest.
        for date in ["2026-11-03", "2026-11-02"] {
            let folder = report.day(day(date));
            lake.store()
                .put(&folder.child(PART), b"x".to_vec())
                .await
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(20));
            lake.store()
                .put(&folder.child(MANIFEST), b"{}".to_vec())
                .await
                .unwrap();
        }
        let scan = lake.scan(&report).await.unwrap();
        assert_eq!(
            scan.latest_manifest(),
            Some(report.day(day("2026-11-02")).child(MANIFEST))
        );
        std::fs::remove_dir_all(root).unwrap();
    }
}
