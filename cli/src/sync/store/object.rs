//! The lake in a bucket or container, through the Apache Arrow project's `object_store`:
//! `s3://bucket/prefix` (also `s3a://`, and `https://…amazonaws.com/…`),
//! `az://container/prefix` (also `azure://`, `adl://`, `abfs[s]://container@account.dfs.core.windows.net/prefix`
//! and `https://account.blob|dfs.core.windows.net/container/prefix`, Fabric's OneLake included),
//! `gs://bucket/prefix`.
//!
//! Credentials come from the environment the way each store's own tools read it
//! (`AmazonS3Builder::from_env`, `MicrosoftAzureBuilder::from_env`,
//! `GoogleCloudStorageBuilder::from_env`): `AWS_*` (keys, profile-less web identity, or the
//! instance's role), `AZURE_STORAGE_*` or an Entra app or managed identity through `AZURE_*`,
//! `GOOGLE_*` (a service account file or the instance's account). A URL carrying credentials
//! or a query (a SAS token) is refused, so no secret reaches a message, log or manifest:
//! messages name objects by the URL's scheme, bucket and path alone, and `object_store` leaves
//! a SAS-signed request's URL out of its own errors.
//!
//! A PUT, or a completed multipart upload, makes an object appear whole or not at all, so
//! nothing is hidden or renamed: the part is uploaded, then the manifest put. Object stores
//! have no folders; a "folder" is the prefix of the objects under it.

use std::path::Path;
use std::sync::Arc;

use futures_util::TryStreamExt as _;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt as _, ObjectStoreScheme, PutPayload};
use tempfile::TempPath;
use url::Url;

use super::{Folder, Key, Listed};
use crate::failure::Failure;

/// The object stores `--lake` can name, for messages.
const SCHEMES: &str = "s3://bucket/prefix, az://container/prefix (or abfss://container@account.dfs.core.windows.net/prefix) or gs://bucket/prefix";

/// A checked `--lake` URL: an object store this build writes to, with no credentials in it.
#[derive(Debug, Clone, PartialEq)]
pub struct LakeUrl {
    url: Url,
    scheme: ObjectStoreScheme,
    prefix: ObjectPath,
}

impl LakeUrl {
    /// Checks `text`. Messages never quote it whole: a refused URL can carry a token.
    pub fn parse(text: &str) -> Result<LakeUrl, Failure> {
        let url = Url::parse(text).map_err(|err| {
            Failure::usage(format!(
                "--lake is not a URL ({err}); give a folder or {SCHEMES}"
            ))
        })?;
        // `abfs[s]://container@account…` names the container where a user would stand.
        let user = !url.username().is_empty() && !matches!(url.scheme(), "abfs" | "abfss");
        if user || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
            return Err(Failure::usage(format!(
                "--lake {}://… carries credentials or a query; give the store's credentials in the environment (AWS_*, AZURE_STORAGE_*, GOOGLE_*) and the lake as {SCHEMES}",
                url.scheme()
            )));
        }
        let (scheme, prefix) = ObjectStoreScheme::parse(&url).map_err(|_| unsupported(&url))?;
        match scheme {
            ObjectStoreScheme::AmazonS3
            | ObjectStoreScheme::MicrosoftAzure
            | ObjectStoreScheme::GoogleCloudStorage => Ok(LakeUrl {
                url,
                scheme,
                prefix,
            }),
            _ => Err(unsupported(&url)),
        }
    }
}

impl std::fmt::Display for LakeUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Checked to hold no query, password or fragment.
        f.write_str(self.url.as_str().trim_end_matches('/'))
    }
}

fn unsupported(url: &Url) -> Failure {
    let hint = match url.scheme() {
        "file" => "; give the folder as a path",
        _ => "",
    };
    Failure::usage(format!(
        "--lake {}://… is not an object store this tool writes to; give {SCHEMES}{hint}",
        url.scheme()
    ))
}

/// The lake under a prefix of an object store.
#[derive(Debug, Clone)]
pub struct ObjectLake {
    store: Arc<dyn ObjectStore>,
    prefix: ObjectPath,
    /// The URL the keys are shown under, without a trailing `/`.
    shown: String,
}

impl ObjectLake {
    /// The store `url` names, with credentials from the environment.
    pub fn open(url: &LakeUrl) -> Result<ObjectLake, Failure> {
        let built = match url.scheme {
            ObjectStoreScheme::AmazonS3 => object_store::aws::AmazonS3Builder::from_env()
                .with_url(url.url.as_str())
                .build()
                .map(|store| Arc::new(store) as Arc<dyn ObjectStore>),
            ObjectStoreScheme::MicrosoftAzure => {
                object_store::azure::MicrosoftAzureBuilder::from_env()
                    .with_url(url.url.as_str())
                    .build()
                    .map(|store| Arc::new(store) as Arc<dyn ObjectStore>)
            }
            _ => object_store::gcp::GoogleCloudStorageBuilder::from_env()
                .with_url(url.url.as_str())
                .build()
                .map(|store| Arc::new(store) as Arc<dyn ObjectStore>),
        };
        let store = built.map_err(|err| {
            Failure::other(
                format!(
                    "cannot open the lake {url}; check the store's settings in the environment (AWS_*, AZURE_STORAGE_*, GOOGLE_*)"
                ),
                err,
            )
        })?;
        Ok(ObjectLake::new(store, url.prefix.clone(), url.to_string()))
    }

    /// The lake under `prefix` of `store`, shown in messages as `shown` (a URL without
    /// credentials). The tests' way in, with an in-memory or local store.
    pub fn new(store: Arc<dyn ObjectStore>, prefix: ObjectPath, shown: String) -> ObjectLake {
        ObjectLake {
            store,
            prefix,
            shown: shown.trim_end_matches('/').to_owned(),
        }
    }

    fn path(&self, key: &Key) -> ObjectPath {
        key.segments().fold(self.prefix.clone(), ObjectPath::join)
    }

    /// See [`super::Store::show`].
    pub fn show(&self, key: &Key) -> String {
        match key.as_str() {
            "" => self.shown.clone(),
            key => format!("{}/{key}", self.shown),
        }
    }

    /// See [`super::Store::folders`]: one listing of everything under `key`, grouped.
    pub async fn folders(&self, key: &Key) -> Result<Vec<Folder>, Failure> {
        let under = self.path(key);
        let objects: Vec<_> = self
            .store
            .list(Some(&under))
            .try_collect()
            .await
            .map_err(|err| Failure::other(format!("cannot list {}", self.show(key)), err))?;
        let mut folders: Vec<Folder> = Vec::new();
        for object in objects {
            let Some(parts) = object.location.prefix_match(&under) else {
                continue;
            };
            let parts: Vec<String> = parts.map(|part| part.as_ref().to_owned()).collect();
            // Only files directly in a folder directly under `key`.
            let [folder, file] = parts.as_slice() else {
                continue;
            };
            let file = Listed {
                name: file.clone(),
                modified: Some(object.last_modified),
            };
            match folders.iter_mut().find(|(name, _)| name == folder) {
                Some((_, files)) => files.push(file),
                None => folders.push((folder.clone(), vec![file])),
            }
        }
        Ok(folders)
    }

    /// See [`super::Store::read`].
    pub async fn read(&self, key: &Key, limit: usize) -> Result<Option<Vec<u8>>, Failure> {
        let failure = |err| Failure::other(format!("cannot read {}", self.show(key)), err);
        let got = match self.store.get(&self.path(key)).await {
            Ok(got) => got,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(err) => return Err(failure(err)),
        };
        // Chunk by chunk, stopping past the limit: an object of any size costs at most one
        // chunk more than the limit.
        let mut chunks = got.into_stream();
        let mut bytes = Vec::new();
        while bytes.len() <= limit
            && let Some(chunk) = chunks.try_next().await.map_err(failure)?
        {
            let room = limit.saturating_add(1) - bytes.len();
            bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        Ok(Some(bytes))
    }

    /// See [`super::Store::put`].
    pub async fn put(&self, key: &Key, bytes: Vec<u8>) -> Result<(), Failure> {
        self.store
            .put(&self.path(key), PutPayload::from(bytes))
            .await
            .map(drop)
            .map_err(|err| Failure::other(format!("cannot write {}", self.show(key)), err))
    }

    /// See [`super::Store::delete`].
    pub async fn delete(&self, key: &Key) -> Result<(), Failure> {
        match self.store.delete(&self.path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(Failure::other(
                format!("cannot delete {}", self.show(key)),
                err,
            )),
        }
    }

    /// See [`super::Store::begin_part`]: a temporary file in the system's temporary folder
    /// (`TMPDIR`), as the Parquet writer needs a file to seek in.
    pub fn begin_part(&self, key: &Key) -> Result<PendingUpload, Failure> {
        let temp = tempfile::Builder::new()
            .prefix("graph-reports-part-")
            .suffix(".parquet")
            .tempfile()
            .map_err(|err| {
                Failure::other(
                    format!("cannot create a temporary file for {}", self.show(key)),
                    err,
                )
            })?
            .into_temp_path();
        Ok(PendingUpload {
            temp,
            lake: self.clone(),
            key: key.clone(),
        })
    }
}

/// A part written to a local temporary file, uploaded on commit; the file is deleted either
/// way.
pub struct PendingUpload {
    temp: TempPath,
    lake: ObjectLake,
    key: Key,
}

impl PendingUpload {
    /// The local file to write.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// Uploads the file as its key.
    pub async fn commit(self) -> Result<(), Failure> {
        let target = self.lake.path(&self.key);
        super::upload::upload(self.lake.store.as_ref(), &target, &self.temp)
            .await
            .map_err(|err| {
                Failure::other(format!("cannot upload {}", self.lake.show(&self.key)), err)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> String {
        match LakeUrl::parse(text) {
            Err(Failure::Usage(message)) => message,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn bucket_urls_are_taken_with_their_prefix() {
        for (text, prefix) in [
            ("s3://bucket/graph/lake", "graph/lake"),
            ("s3://bucket", ""),
            ("az://container/lake/", "lake"),
            ("abfss://fs@account.dfs.core.windows.net/lake", "lake"),
            (
                "https://account.blob.core.windows.net/container/lake",
                "lake",
            ),
            ("gs://bucket/lake", "lake"),
        ] {
            let url = LakeUrl::parse(text).unwrap();
            assert_eq!(url.prefix.as_ref(), prefix, "{text}");
        }
        assert_eq!(
            LakeUrl::parse("s3://bucket/lake/").unwrap().to_string(),
            "s3://bucket/lake"
        );
    }

    #[test]
    fn urls_with_credentials_or_of_other_stores_are_refused_without_quoting_them() {
        for text in [
            "az://container/lake?sv=2024&sig=s3cret",
            "s3://key:s3cret@bucket/lake",
            "gs://bucket/lake#s3cret",
        ] {
            let message = message(text);
            assert!(message.contains("credentials or a query"), "{message}");
            assert!(!message.contains("s3cret"), "{message}");
        }
        assert!(message("file:///data/lake").contains("give the folder as a path"));
        assert!(message("http://example.com/lake").contains("not an object store"));
        assert!(message("s3://").contains("not"));
    }

    #[test]
    fn keys_are_shown_under_the_url() {
        let lake = ObjectLake::new(
            Arc::new(object_store::memory::InMemory::new()),
            ObjectPath::from("lake"),
            "memory:///lake/".to_owned(),
        );
        let key = Key::root().child("tenant=t").child("_sync.json");
        assert_eq!(lake.show(&key), "memory:///lake/tenant=t/_sync.json");
        assert_eq!(lake.path(&key).as_ref(), "lake/tenant=t/_sync.json");
    }
}
