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
//! day is held once its manifest exists: the part is put in place first, the manifest last,
//! each whole or not at all. Names are fixed by the tenant, report, period and day, so a rerun
//! after a crash writes the same names again.
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
use crate::sync::store::{Key, Store, local::is_partial};

/// The one data file of a partition.
pub const PART: &str = "part-00000.parquet";
/// What is known about the part, written once the part is in place.
pub const MANIFEST: &str = "_manifest.json";

/// A lake: its layout over a store.
#[derive(Debug)]
pub struct Lake {
    store: Store,
}

/// Where one report of one tenant is kept: the folder holding its `date=` partitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDir {
    key: Key,
}

impl Lake {
    /// The lake in `store`.
    pub fn new(store: Store) -> Lake {
        Lake { store }
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

    /// The days of `report` held: those whose folder has a manifest, oldest first.
    pub async fn held_days(&self, report: &ReportDir) -> Result<Vec<NaiveDate>, Failure> {
        let mut days: Vec<NaiveDate> = self
            .day_folders(report)
            .await?
            .into_iter()
            .filter(|(_, files)| files.iter().any(|file| file == MANIFEST))
            .map(|(day, _)| day)
            .collect();
        days.sort();
        Ok(days)
    }

    /// The manifest of the latest day of `report` held, if any.
    pub async fn latest_manifest(&self, report: &ReportDir) -> Result<Option<Key>, Failure> {
        Ok(self
            .held_days(report)
            .await?
            .last()
            .map(|day| report.day(*day).child(MANIFEST)))
    }

    /// Removes what a killed run left under `report`: temporary files, and parts whose
    /// manifest was never written (they are not held, so they are fetched again, or were of a
    /// day Graph no longer serves). Afterwards every `*.parquet` under it is a held day, which
    /// matters on an object store too: Spark reads every part it lists.
    pub async fn sweep(&self, report: &ReportDir) -> Result<(), Failure> {
        for (day, files) in self.day_folders(report).await? {
            let folder = report.day(day);
            for file in files.iter().filter(|file| is_partial(file)) {
                self.store.delete(&folder.child(file)).await?;
            }
            if !files.iter().any(|file| file == MANIFEST) {
                self.store.delete(&folder.child(PART)).await?;
                self.store.forget_folder(&folder);
            }
        }
        Ok(())
    }

    /// Every `date=` folder of `report`, with its day and files; names that are not a day are
    /// left alone.
    async fn day_folders(
        &self,
        report: &ReportDir,
    ) -> Result<Vec<(NaiveDate, Vec<String>)>, Failure> {
        Ok(self
            .store
            .folders(&report.key)
            .await?
            .into_iter()
            .filter_map(|(name, files)| {
                let day = name.strip_prefix("date=")?;
                let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
                Some((day, files))
            })
            .collect())
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
    async fn a_day_is_held_once_its_manifest_exists_and_a_sweep_removes_the_rest() {
        let root = scratch("held");
        let lake = local(&root);
        let report = lake.report_dir("t", "r", None);
        let folder = |day| root.join(report.day(day).as_str());
        let [held, orphan, stray] = ["2026-11-02", "2026-11-03", "2026-11-01"].map(day);
        for (day, files) in [
            (
                held,
                &[PART, MANIFEST, ".part-00000.parquet.a1b2c3.partial"][..],
            ),
            (orphan, &[PART, "._manifest.json.x.partial"]),
            (stray, &["notes.txt"]),
        ] {
            std::fs::create_dir_all(folder(day)).unwrap();
            for file in files {
                std::fs::write(folder(day).join(file), "x").unwrap();
            }
        }
        std::fs::create_dir_all(root.join(report.key.as_str()).join("date=not-a-day")).unwrap();
        assert_eq!(lake.held_days(&report).await.unwrap(), [held]);
        assert_eq!(
            lake.latest_manifest(&report).await.unwrap(),
            Some(report.day(held).child(MANIFEST))
        );
        lake.sweep(&report).await.unwrap();
        let names = |day| {
            let mut names: Vec<String> = std::fs::read_dir(folder(day))
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
        assert!(!folder(orphan).exists(), "{:?}", names(orphan));
        assert_eq!(names(stray), ["notes.txt"]);
        std::fs::remove_dir_all(root).unwrap();
    }
}
