//! Where one call's output is written: rows encoded as text into a file or standard output, or
//! (with the `parquet` feature) into a Parquet file; or, with `--raw`, Graph's bytes as served.
//! Files are written through `AtomicFile` (or, for Parquet,
//! `PendingFile`), so they appear only when complete.

use std::path::PathBuf;

use reports_sdk::{AnyRequest, AnyRow, ReportMeta};
use tokio::io::AsyncWriteExt as _;

use crate::atomic_file::AtomicFile;
#[cfg(feature = "parquet")]
use crate::atomic_file::PendingFile;
use crate::encode::{EncodeError, TextEncoder, TextFormat};
use crate::failure::Failure;
use crate::out_format::OutFormat;
use crate::output::Destination;
#[cfg(feature = "parquet")]
use crate::parquet::ParquetSink;

/// Encoded rows are handed to the file in pieces of about this size, so memory stays bounded
/// whatever the report's size.
const FLUSH_AT: usize = 64 * 1024;

/// Rows on their way out.
pub struct RowSink {
    encoding: Encoding,
    /// Named in messages.
    to: Destination,
}

enum Encoding {
    Text {
        encoder: TextEncoder,
        out: ByteOut,
    },
    /// Written synchronously by the Parquet writer into the pending file's temporary path.
    /// Boxed: the writer's column builders are far bigger than the text variant.
    #[cfg(feature = "parquet")]
    Parquet {
        sink: Box<ParquetSink>,
        pending: PendingFile,
    },
}

/// Standard output or a file that appears when complete.
enum ByteOut {
    Stdout(tokio::io::Stdout),
    File(AtomicFile),
}

impl ByteOut {
    fn open(to: &Destination) -> Result<ByteOut, Failure> {
        Ok(match to {
            Destination::Stdout => ByteOut::Stdout(tokio::io::stdout()),
            Destination::File(path) => ByteOut::File(AtomicFile::create(path)?),
        })
    }

    async fn write_all(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        match self {
            ByteOut::Stdout(stdout) => stdout.write_all(bytes).await.map_err(stdout_failure),
            ByteOut::File(file) => file.write_all(bytes).await,
        }
    }

    /// Flushes, and puts a file in place; the file written, if any.
    async fn finish(self) -> Result<Option<PathBuf>, Failure> {
        match self {
            ByteOut::Stdout(mut stdout) => {
                stdout.flush().await.map_err(stdout_failure)?;
                Ok(None)
            }
            ByteOut::File(file) => file.commit().await.map(Some),
        }
    }
}

impl RowSink {
    /// Starts writing `meta`'s rows in `format` to `to`. A file's folder is created if
    /// missing.
    pub async fn create(
        to: &Destination,
        format: OutFormat,
        meta: &'static ReportMeta,
    ) -> Result<RowSink, Failure> {
        create_folder(to).await?;
        let text = |format| -> Result<Encoding, Failure> {
            Ok(Encoding::Text {
                encoder: TextEncoder::new(format, meta),
                out: ByteOut::open(to)?,
            })
        };
        let encoding = match format {
            OutFormat::Csv => text(TextFormat::Csv)?,
            OutFormat::JsonArray => text(TextFormat::JsonArray)?,
            OutFormat::JsonLines => text(TextFormat::JsonLines)?,
            #[cfg(feature = "parquet")]
            OutFormat::Parquet => {
                let Destination::File(path) = to else {
                    // The command line refuses this; kept an error, not a panic.
                    return Err(Failure::usage(
                        "Parquet cannot be written to standard output; give --out FILE.parquet or --out-dir",
                    ));
                };
                let (file, pending) = PendingFile::create(path)?;
                // The Parquet writer opens the temporary path itself.
                drop(file);
                let sink = Box::new(ParquetSink::create(pending.temporary_path(), meta)?);
                Encoding::Parquet { sink, pending }
            }
        };
        Ok(RowSink {
            encoding,
            to: to.clone(),
        })
    }

    /// Writes one row (cells keyed by CSV header), handing encoded text on when enough has
    /// piled up.
    pub async fn write(&mut self, row: &AnyRow) -> Result<(), Failure> {
        match &mut self.encoding {
            Encoding::Text { encoder, out } => {
                encoder
                    .row(row)
                    .map_err(|err| encode_failure(&self.to, err))?;
                if encoder.buffered() >= FLUSH_AT {
                    let bytes = encoder
                        .take()
                        .map_err(|err| encode_failure(&self.to, err))?;
                    out.write_all(&bytes).await?;
                }
                Ok(())
            }
            #[cfg(feature = "parquet")]
            Encoding::Parquet { sink, .. } => sink.write(row),
        }
    }

    /// Ends the output and, for a file, puts it in place; returns the file written (`None`
    /// for standard output). Dropping the sink instead leaves no file and any earlier one as
    /// it was.
    pub async fn finish(self) -> Result<Option<PathBuf>, Failure> {
        match self.encoding {
            Encoding::Text {
                mut encoder,
                mut out,
            } => {
                let bytes = encoder
                    .end()
                    .and_then(|()| encoder.take())
                    .map_err(|err| encode_failure(&self.to, err))?;
                out.write_all(&bytes).await?;
                out.finish().await
            }
            #[cfg(feature = "parquet")]
            Encoding::Parquet { sink, pending } => {
                sink.finish()?;
                pending.commit().map(Some)
            }
        }
    }
}

/// Writes the report as Graph serves it, untouched, to `to`; returns the bytes written and the
/// file, if any. Nothing is decoded, so no row can be skipped or fail.
pub async fn save_raw(
    request: AnyRequest,
    to: &Destination,
) -> Result<(u64, Option<PathBuf>), Failure> {
    create_folder(to).await?;
    match ByteOut::open(to)? {
        ByteOut::Stdout(mut stdout) => {
            let bytes = request.write_to(&mut stdout).await.map_err(|error| {
                match io_error_kind(&error) {
                    // Whoever reads stdout (e.g. `head`) has seen enough, as with rows.
                    Some(std::io::ErrorKind::BrokenPipe) => Failure::StdoutClosed,
                    _ => Failure::Sdk(error),
                }
            })?;
            stdout.flush().await.map_err(stdout_failure)?;
            Ok((bytes, None))
        }
        ByteOut::File(mut file) => {
            let bytes = request.write_to(file.writer()).await?;
            Ok((bytes, Some(file.commit().await?)))
        }
    }
}

/// Creates a file's folder if it is missing (`--out-dir` names one that may not exist yet).
async fn create_folder(to: &Destination) -> Result<(), Failure> {
    let Destination::File(path) = to else {
        return Ok(());
    };
    match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => {
            tokio::fs::create_dir_all(folder).await.map_err(|err| {
                Failure::other(
                    format!("cannot create the folder {}", folder.display()),
                    err,
                )
            })
        }
        _ => Ok(()),
    }
}

/// The kind of the I/O error under `error`, if its cause is one: the SDK reports a writer's
/// failure with the `std::io::Error` as its source.
fn io_error_kind(error: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut cause = error.source();
    while let Some(inner) = cause {
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        cause = inner.source();
    }
    None
}

fn encode_failure(to: &Destination, err: EncodeError) -> Failure {
    Failure::other(format!("cannot encode a row for {}", to.describe()), err)
}

fn stdout_failure(err: std::io::Error) -> Failure {
    match err.kind() {
        std::io::ErrorKind::BrokenPipe => Failure::StdoutClosed,
        _ => Failure::other("cannot write to standard output", err),
    }
}
