//! A local file uploaded as one object, with memory bounded whatever its size: a small file in
//! one PUT, a bigger one as a multipart upload read a slice at a time, with a few parts in
//! flight at most. A failed multipart upload is aborted, so the store keeps no orphan parts
//! (S3 bills for them).

use std::path::Path;

use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt as _, PutPayload, WriteMultipart};
use tokio::io::AsyncReadExt as _;

/// Files up to this size go in one PUT, held in memory once. S3 takes up to 5 GiB in one PUT;
/// 16 MiB keeps a worker with many uploads in flight small.
pub const SINGLE_PUT_BYTES: u64 = 16 * 1024 * 1024;

/// Bytes per part of a multipart upload: above S3's 5 MiB minimum, far below its 5 GiB
/// maximum, and within its 10,000 parts up to an 80 GiB file.
pub const PART_BYTES: usize = 8 * 1024 * 1024;

/// Parts uploading at once; with one being filled, memory stays near
/// `(PARTS_IN_FLIGHT + 1) * PART_BYTES`.
const PARTS_IN_FLIGHT: usize = 3;

/// What stopped an upload.
#[derive(Debug)]
pub enum UploadError {
    /// Reading the local file.
    Read(std::io::Error),
    /// The store refused or failed.
    Store(object_store::Error),
}

impl std::fmt::Display for UploadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UploadError::Read(_) => f.write_str("cannot read the temporary file"),
            UploadError::Store(_) => f.write_str("the object store failed"),
        }
    }
}

impl std::error::Error for UploadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            UploadError::Read(err) => Some(err),
            UploadError::Store(err) => Some(err),
        }
    }
}

/// Uploads `file` as `target`.
pub async fn upload(
    store: &dyn ObjectStore,
    target: &ObjectPath,
    file: &Path,
) -> Result<(), UploadError> {
    upload_with(store, target, file, SINGLE_PUT_BYTES, PART_BYTES).await
}

/// [`upload`] with the sizes given, so tests can reach the multipart path with small files.
pub async fn upload_with(
    store: &dyn ObjectStore,
    target: &ObjectPath,
    file: &Path,
    single_put_bytes: u64,
    part_bytes: usize,
) -> Result<(), UploadError> {
    let mut local = tokio::fs::File::open(file)
        .await
        .map_err(UploadError::Read)?;
    let size = local.metadata().await.map_err(UploadError::Read)?.len();
    if size <= single_put_bytes {
        let mut bytes = Vec::new();
        local
            .read_to_end(&mut bytes)
            .await
            .map_err(UploadError::Read)?;
        store
            .put(target, PutPayload::from(bytes))
            .await
            .map_err(UploadError::Store)?;
        return Ok(());
    }
    let upload = store
        .put_multipart(target)
        .await
        .map_err(UploadError::Store)?;
    let mut writer = WriteMultipart::new_with_chunk_size(upload, part_bytes);
    let mut slice = vec![0; part_bytes.min(1024 * 1024)];
    loop {
        let read = match local.read(&mut slice).await {
            Ok(0) => break,
            Ok(read) => read,
            Err(err) => {
                // The read error is the one to tell; the abort is cleanup.
                let _ = writer.abort().await;
                return Err(UploadError::Read(err));
            }
        };
        if let Err(err) = writer.wait_for_capacity(PARTS_IN_FLIGHT).await {
            let _ = writer.abort().await;
            return Err(UploadError::Store(err));
        }
        writer.write(slice.get(..read).unwrap_or_default());
    }
    // Aborts the upload itself if a part or the completion fails.
    writer.finish().await.map_err(UploadError::Store)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use object_store::memory::InMemory;

    use super::*;

    async fn round_trip(size: usize, single_put_bytes: u64) -> Vec<u8> {
        let bytes: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), &bytes).unwrap();
        let store = InMemory::new();
        let target = ObjectPath::from("lake/part-00000.parquet");
        upload_with(&store, &target, file.path(), single_put_bytes, 1000)
            .await
            .unwrap();
        let stored = store.get(&target).await.unwrap().bytes().await.unwrap();
        assert_eq!(stored.len(), size);
        assert!(stored == bytes, "the object differs from the file");
        stored.to_vec()
    }

    #[tokio::test]
    async fn small_files_are_put_and_big_ones_uploaded_in_parts_byte_for_byte() {
        round_trip(0, 100).await;
        round_trip(100, 100).await;
        // 10 parts and a short last one, through the multipart path.
        round_trip(10_500, 100).await;
    }

    #[tokio::test]
    async fn a_missing_file_is_a_read_error() {
        let store = InMemory::new();
        let err = upload(
            &store,
            &ObjectPath::from("x"),
            Path::new("/nonexistent/graph-reports-part"),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, UploadError::Read(_)), "{err:?}");
    }
}
