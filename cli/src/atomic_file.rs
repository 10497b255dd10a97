//! Files that appear whole or not at all: written to a temporary file in the same folder, then
//! renamed over the target, so a run that fails part way (a download cut short, a full disk,
//! Ctrl-C) never leaves half a report, and a file from an earlier run stays as it was. Renaming
//! within one folder is atomic; a temporary file elsewhere could sit on another file system.
//! `tempfile` names the temporary file without races and deletes it when it is dropped
//! unrenamed, so every failure path cleans up by leaving scope.

use std::path::{Path, PathBuf};

use tempfile::TempPath;
use tokio::io::AsyncWriteExt as _;

use crate::failure::Failure;

/// A temporary file beside `target`, renamed onto it by [`commit`](Self::commit) and deleted
/// if dropped before.
pub struct PendingFile {
    temp: TempPath,
    target: PathBuf,
}

impl PendingFile {
    /// Creates the temporary file beside `target` (its folder must exist), returning it open
    /// for writing. A blocking call, even from async code: one small file-system operation
    /// per report is not worth a thread hop.
    pub fn create(target: &Path) -> Result<(std::fs::File, PendingFile), Failure> {
        let folder = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let name = target
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Hidden, and named after the target, so one left by a killed process says whose it is.
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".partial");
        // Readable as a file made by `File::create` would be (the umask still applies), not
        // tempfile's owner-only default: the report replaces, or stands beside, such files.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let (file, temp) = builder
            .tempfile_in(folder)
            .map_err(|err| Failure::other(format!("cannot create {}", show(target)), err))?
            .into_parts();
        Ok((
            file,
            PendingFile {
                temp,
                target: target.to_owned(),
            },
        ))
    }

    /// The temporary file, for a writer that opens the file itself (the Parquet writer).
    #[cfg(any(feature = "parquet", test))]
    pub fn temporary_path(&self) -> &Path {
        &self.temp
    }

    /// The file it will become.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Renames the temporary file onto the target, replacing any file there.
    pub fn commit(self) -> Result<PathBuf, Failure> {
        let PendingFile { temp, target } = self;
        // On failure the error holds the temporary file, which is deleted as it drops.
        temp.persist(&target)
            .map_err(|err| Failure::other(format!("cannot write {}", show(&target)), err.error))?;
        Ok(target)
    }
}

/// A [`PendingFile`] written through tokio.
pub struct AtomicFile {
    file: tokio::fs::File,
    pending: PendingFile,
}

impl AtomicFile {
    /// Starts the file that will replace `target`.
    pub fn create(target: &Path) -> Result<AtomicFile, Failure> {
        let (file, pending) = PendingFile::create(target)?;
        Ok(AtomicFile {
            file: tokio::fs::File::from_std(file),
            pending,
        })
    }

    /// Where the bytes go until [`commit`](Self::commit).
    pub fn writer(&mut self) -> &mut tokio::fs::File {
        &mut self.file
    }

    /// Appends `bytes`.
    pub async fn write_all(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        self.file.write_all(bytes).await.map_err(|err| {
            Failure::other(format!("cannot write {}", show(self.pending.target())), err)
        })
    }

    /// Flushes the bytes to disk, then puts the file in place. Synced first: a rename that
    /// reached the disk before the data would leave an empty file after a crash.
    pub async fn commit(mut self) -> Result<PathBuf, Failure> {
        let written = async {
            self.file.flush().await?;
            self.file.sync_all().await
        }
        .await;
        written.map_err(|err| {
            Failure::other(format!("cannot write {}", show(self.pending.target())), err)
        })?;
        drop(self.file);
        self.pending.commit()
    }
}

fn show(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "graph-reports-atomic-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[tokio::test]
    async fn the_target_changes_only_on_commit() {
        let dir = scratch("commit");
        let target = dir.join("rows.csv");
        std::fs::write(&target, "earlier run").unwrap();

        let mut file = AtomicFile::create(&target).unwrap();
        file.write_all(b"new rows").await.unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"earlier run");
        assert_eq!(names(&dir).len(), 2, "the target and a temporary file");
        assert_eq!(file.commit().await.unwrap(), target);
        assert_eq!(std::fs::read(&target).unwrap(), b"new rows");
        assert_eq!(names(&dir), ["rows.csv"]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_file_dropped_unfinished_leaves_nothing_behind() {
        let dir = scratch("drop");
        let target = dir.join("rows.csv");
        std::fs::write(&target, "earlier run").unwrap();
        let mut file = AtomicFile::create(&target).unwrap();
        file.write_all(b"half a repo").await.unwrap();
        drop(file);
        assert_eq!(names(&dir), ["rows.csv"]);
        assert_eq!(std::fs::read(&target).unwrap(), b"earlier run");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_bare_file_name_is_written_in_the_current_folder() {
        let (_, pending) = PendingFile::create(Path::new("graph-reports-test.csv")).unwrap();
        let folder = pending.temporary_path().parent().unwrap();
        assert_eq!(
            folder.canonicalize().unwrap(),
            Path::new(".").canonicalize().unwrap()
        );
    }
}
