//! The seam between the lake's layout ([`super::lake`]) and where its bytes live: a folder on
//! this machine ([`local`]) or, with the `lake-object-store` feature, a bucket or container
//! (`object`). The layout decides names and what makes a day held; a store only lists, reads,
//! writes whole and deletes, so the same sync, resume and sweep rules run on both.
//!
//! What each store promises for a write:
//! - a folder: a part or manifest is written to a hidden `.…partial` sibling, synced and renamed
//!   into place (a rename within one folder is atomic), so a name holds a whole file or none;
//! - an object store: a PUT (or a completed multipart upload) makes an object appear whole or
//!   not at all, so nothing hidden is needed. A part is written to a local temporary file by the
//!   Parquet writer, then uploaded, and only then is the manifest put.
//!
//! On both, a part whose manifest is missing (a run killed between the two) is not held, but it
//! is whole: a day still in Graph's window is fetched again under the same name, replacing
//! it; one of a day Graph no longer serves stays, readable, rather than be lost.

pub mod local;
#[cfg(feature = "lake-object-store")]
pub mod object;
#[cfg(feature = "lake-object-store")]
mod upload;

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::failure::Failure;
use crate::sync::location::LakeLocation;

/// A name in the lake, relative to its root: `/`-separated segments such as
/// `tenant=t/report=r/date=2026-11-03/_manifest.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key(String);

impl Key {
    /// The lake's root.
    pub fn root() -> Key {
        Key::default()
    }

    /// The name `segment` under this one (one segment, without `/`).
    pub fn child(&self, segment: &str) -> Key {
        if self.0.is_empty() {
            Key(segment.to_owned())
        } else {
            Key(format!("{}/{segment}", self.0))
        }
    }

    /// Its segments, from the root down.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/').filter(|segment| !segment.is_empty())
    }

    /// The `/`-separated name.
    #[cfg_attr(
        not(any(test, feature = "lake-object-store")),
        allow(dead_code, reason = "object keys and tests name keys whole")
    )]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A folder one level down and the files directly in it.
pub type Folder = (String, Vec<Listed>);

/// A file as a listing shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// Its name in its folder.
    pub name: String,
    /// When it was last written, if the store says: a folder's modification time, an
    /// object's `Last-Modified`.
    pub modified: Option<DateTime<Utc>>,
}

/// Where the lake's bytes live.
#[derive(Debug)]
pub enum Store {
    /// A folder on this machine.
    Local(local::LocalStore),
    /// A bucket or container, through `object_store`.
    #[cfg(feature = "lake-object-store")]
    Object(object::ObjectLake),
}

impl Store {
    /// The store `--lake` names. An object store reads its credentials from the environment
    /// here; none is checked until the first request.
    pub fn open(location: &LakeLocation) -> Result<Store, Failure> {
        match location {
            LakeLocation::Folder(path) => Ok(Store::Local(local::LocalStore::new(path.clone()))),
            #[cfg(feature = "lake-object-store")]
            LakeLocation::Url(url) => Ok(Store::Object(object::ObjectLake::open(url)?)),
        }
    }

    /// Makes the lake ready for writing: a folder is created; a bucket must exist already.
    pub fn prepare(&self) -> Result<(), Failure> {
        match self {
            Store::Local(store) => store.prepare(),
            #[cfg(feature = "lake-object-store")]
            Store::Object(_) => Ok(()),
        }
    }

    /// `key` as a person finds it: a path, or a URL without any query.
    pub fn show(&self, key: &Key) -> String {
        match self {
            Store::Local(store) => store.path(key).display().to_string(),
            #[cfg(feature = "lake-object-store")]
            Store::Object(store) => store.show(key),
        }
    }

    /// The folders directly under `key`, each with the files directly in it; nothing if `key`
    /// does not exist.
    pub async fn folders(&self, key: &Key) -> Result<Vec<Folder>, Failure> {
        match self {
            Store::Local(store) => store.folders(key),
            #[cfg(feature = "lake-object-store")]
            Store::Object(store) => store.folders(key).await,
        }
    }

    /// The bytes of `key`, or `None` if it does not exist, read only up to `limit + 1` bytes:
    /// a file longer than `limit` comes back cut there, so the caller can tell it is too long
    /// without holding it whole. For small files (manifests).
    pub async fn read(&self, key: &Key, limit: usize) -> Result<Option<Vec<u8>>, Failure> {
        match self {
            Store::Local(store) => store.read(key, limit),
            #[cfg(feature = "lake-object-store")]
            Store::Object(store) => store.read(key, limit).await,
        }
    }

    /// Writes `bytes` as `key`, whole or not at all, replacing what was there.
    pub async fn put(&self, key: &Key, bytes: Vec<u8>) -> Result<(), Failure> {
        match self {
            Store::Local(store) => {
                // Two fsyncs and a rename: off the async workers, which run other tenants'
                // downloads meanwhile.
                let (store, key) = (store.clone(), key.clone());
                blocking(move || store.put(&key, &bytes)).await
            }
            #[cfg(feature = "lake-object-store")]
            Store::Object(store) => store.put(key, bytes).await,
        }
    }

    /// Deletes `key`; one that is missing already is no failure.
    pub async fn delete(&self, key: &Key) -> Result<(), Failure> {
        match self {
            Store::Local(store) => store.delete(key),
            #[cfg(feature = "lake-object-store")]
            Store::Object(store) => store.delete(key).await,
        }
    }

    /// Removes the temporary files directly in the folder `key` that a killed run left
    /// (`._sync.json.XXXXXX.partial`, say). An object store has none: it writes nothing
    /// hidden, each PUT makes an object whole or not at all, so it is not listed for them.
    pub fn sweep_partials(&self, key: &Key) -> Result<(), Failure> {
        match self {
            Store::Local(store) => store.sweep_partials(key),
            #[cfg(feature = "lake-object-store")]
            Store::Object(_) => Ok(()),
        }
    }

    /// Starts the file that becomes `key`: a local file for the Parquet writer to fill, put in
    /// place by [`PendingPart::commit`] and deleted if dropped before.
    pub fn begin_part(&self, key: &Key) -> Result<PendingPart, Failure> {
        match self {
            Store::Local(store) => store.begin_part(key).map(PendingPart::Local),
            #[cfg(feature = "lake-object-store")]
            Store::Object(store) => store.begin_part(key).map(PendingPart::Object),
        }
    }
}

/// A part being written (see [`Store::begin_part`]).
pub enum PendingPart {
    /// A hidden sibling of the target, renamed onto it.
    Local(crate::atomic_file::PendingFile),
    /// A temporary file, uploaded as the target.
    #[cfg(feature = "lake-object-store")]
    Object(object::PendingUpload),
}

impl PendingPart {
    /// The local file to write.
    pub fn path(&self) -> &Path {
        match self {
            PendingPart::Local(pending) => pending.temporary_path(),
            #[cfg(feature = "lake-object-store")]
            PendingPart::Object(pending) => pending.path(),
        }
    }

    /// Puts the written file in place as its key. The Parquet writer has synced it already.
    pub async fn commit(self) -> Result<(), Failure> {
        match self {
            // A rename and an fsync of the folder: off the async workers.
            PendingPart::Local(pending) => blocking(move || local::commit(pending)).await,
            #[cfg(feature = "lake-object-store")]
            PendingPart::Object(pending) => pending.commit().await,
        }
    }
}

/// Runs `work` (file-system calls that wait on the disk) on tokio's blocking threads, so the
/// async workers go on with other downloads meanwhile.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| Failure::other("a file-system task of the sync stopped", err))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_join_segments_with_slashes() {
        let key = Key::root().child("tenant=t").child("_sync.json");
        assert_eq!(key.as_str(), "tenant=t/_sync.json");
        assert_eq!(
            key.segments().collect::<Vec<_>>(),
            ["tenant=t", "_sync.json"]
        );
        assert_eq!(Key::root().segments().count(), 0);
    }

    /// Every store behind the seam, each over an empty lake.
    fn stores(name: &str) -> Vec<Store> {
        let root =
            std::env::temp_dir().join(format!("graph-reports-store-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let local = Store::Local(local::LocalStore::new(root));
        let Ok(()) = local.prepare() else {
            panic!("cannot make the test lake");
        };
        #[cfg(feature = "lake-object-store")]
        let stores = vec![
            local,
            Store::Object(object::ObjectLake::new(
                std::sync::Arc::new(object_store::memory::InMemory::new()),
                object_store::path::Path::from("lake"),
                "memory:///lake/".to_owned(),
            )),
        ];
        #[cfg(not(feature = "lake-object-store"))]
        let stores = vec![local];
        stores
    }

    #[tokio::test]
    async fn a_read_stops_one_byte_past_its_limit() {
        for store in stores("read-limit") {
            let key = Key::root().child("big.json");
            store.put(&key, vec![b'x'; 10_000]).await.unwrap();
            let read = store.read(&key, 100).await.unwrap().unwrap();
            assert_eq!(read.len(), 101, "{}", store.show(&key));
            let whole = store.read(&key, 10_000).await.unwrap().unwrap();
            assert_eq!(whole.len(), 10_000);
            assert!(
                store
                    .read(&Key::root().child("none"), 100)
                    .await
                    .unwrap()
                    .is_none()
            );
        }
    }
}
