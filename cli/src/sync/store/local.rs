//! The lake in a folder on this machine. Every file is written to a hidden sibling
//! (`.part-00000.parquet.XXXXXX.partial`, see [`crate::atomic_file`]), synced, and renamed into
//! place: such names never match `*.parquet`, Spark and Hive skip names starting with `.`, and
//! the next run sweeps any a killed run left. After each rename the folder itself is synced
//! (on Unix), so the new name survives a power cut: the part's before the manifest is written,
//! and the manifest's before the day counts as held. Calls block; [`super::Store`] runs the
//! ones that wait on the disk (fsync, rename) on tokio's blocking threads.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{Folder, Key, Listed};
use crate::atomic_file::PendingFile;
use crate::failure::Failure;

/// Temporary files end so (see [`crate::atomic_file`]).
const PARTIAL_SUFFIX: &str = ".partial";

/// A lake folder.
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    /// The lake at `root`.
    pub fn new(root: PathBuf) -> LocalStore {
        LocalStore { root }
    }

    /// The path of `key`.
    pub fn path(&self, key: &Key) -> PathBuf {
        let mut path = self.root.clone();
        path.extend(key.segments());
        path
    }

    /// Creates the root folder.
    pub fn prepare(&self) -> Result<(), Failure> {
        create_folder(&self.root)
    }

    /// See [`super::Store::folders`]. Hidden temporary files are listed too, so the sweep
    /// can remove them.
    pub fn folders(&self, key: &Key) -> Result<Vec<Folder>, Failure> {
        let path = self.path(key);
        let mut folders = Vec::new();
        for (name, is_folder) in entries(&path)? {
            if is_folder {
                let folder = path.join(&name);
                let mut files = Vec::new();
                for (file, is_folder) in entries(&folder)? {
                    if is_folder {
                        continue;
                    }
                    // Gone since the listing (swept): listed without a time.
                    let modified = std::fs::metadata(folder.join(&file))
                        .and_then(|metadata| metadata.modified())
                        .ok()
                        .map(chrono::DateTime::<chrono::Utc>::from);
                    files.push(Listed {
                        name: file,
                        modified,
                    });
                }
                folders.push((name, files));
            }
        }
        Ok(folders)
    }

    /// See [`super::Store::read`].
    pub fn read(&self, key: &Key, limit: usize) -> Result<Option<Vec<u8>>, Failure> {
        use std::io::Read as _;
        let path = self.path(key);
        let failure = |err| Failure::other(format!("cannot read {}", path.display()), err);
        let file = match std::fs::File::open(&path) {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(failure(err)),
        };
        let mut bytes = Vec::new();
        file.take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(failure)?;
        Ok(Some(bytes))
    }

    /// See [`super::Store::put`]: through a synced hidden sibling renamed into place.
    pub fn put(&self, key: &Key, bytes: &[u8]) -> Result<(), Failure> {
        let target = self.path(key);
        if let Some(folder) = target.parent() {
            create_folder(folder)?;
        }
        let (mut file, pending) = PendingFile::create(&target)?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|err| Failure::other(format!("cannot write {}", target.display()), err))?;
        drop(file);
        commit(pending)
    }

    /// See [`super::Store::delete`].
    pub fn delete(&self, key: &Key) -> Result<(), Failure> {
        let path = self.path(key);
        match std::fs::remove_file(&path) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(Failure::other(
                format!("cannot remove {}", path.display()),
                err,
            )),
            _ => Ok(()),
        }
    }

    /// See [`super::Store::sweep_partials`].
    pub fn sweep_partials(&self, key: &Key) -> Result<(), Failure> {
        sweep_partials(&self.path(key))
    }

    /// See [`super::Store::begin_part`]: a hidden sibling of the target, after sweeping the
    /// ones a killed run left in that folder.
    pub fn begin_part(&self, key: &Key) -> Result<PendingFile, Failure> {
        let target = self.path(key);
        if let Some(folder) = target.parent() {
            create_folder(folder)?;
            sweep_partials(folder)?;
        }
        // The Parquet writer opens the temporary path itself.
        let (file, pending) = PendingFile::create(&target)?;
        drop(file);
        Ok(pending)
    }
}

/// Renames `pending` onto its target, then syncs the folder so the rename itself is on disk:
/// without it a power cut can lose the new name (ext4, XFS) after the next file was written,
/// leaving a manifest whose part is the old one or none.
pub fn commit(pending: PendingFile) -> Result<(), Failure> {
    let target = pending.commit()?;
    sync_folder(&target)
}

/// Syncs the folder holding `target` (Unix; Windows has no way to open a folder for it, and
/// NTFS journals renames).
fn sync_folder(target: &Path) -> Result<(), Failure> {
    #[cfg(unix)]
    if let Some(folder) = target
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())
    {
        std::fs::File::open(folder)
            .and_then(|folder| folder.sync_all())
            .map_err(|err| {
                Failure::other(format!("cannot sync the folder {}", folder.display()), err)
            })?;
    }
    #[cfg(not(unix))]
    let _ = target;
    Ok(())
}

/// Whether `name` is a temporary file a killed run left (hidden, ending `.partial`).
pub fn is_partial(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(PARTIAL_SUFFIX)
}

/// Removes the temporary files a killed run left in `folder`.
fn sweep_partials(folder: &Path) -> Result<(), Failure> {
    for (name, is_folder) in entries(folder)? {
        if !is_folder && is_partial(&name) {
            let path = folder.join(&name);
            match std::fs::remove_file(&path) {
                Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Failure::other(
                        format!("cannot remove {}", path.display()),
                        err,
                    ));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// The names in `folder` that are UTF-8 (the lake writes no others), each with whether it is a
/// folder; nothing if `folder` is missing.
fn entries(folder: &Path) -> Result<Vec<(String, bool)>, Failure> {
    let read_failure =
        |err| Failure::other(format!("cannot read the folder {}", folder.display()), err);
    let listing = match std::fs::read_dir(folder) {
        Ok(listing) => listing,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(read_failure(err)),
    };
    let mut names = Vec::new();
    for entry in listing {
        let entry = entry.map_err(read_failure)?;
        let is_folder = entry.file_type().map_err(read_failure)?.is_dir();
        if let Ok(name) = entry.file_name().into_string() {
            names.push((name, is_folder));
        }
    }
    Ok(names)
}

fn create_folder(path: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(path)
        .map_err(|err| Failure::other(format!("cannot create the folder {}", path.display()), err))
}
