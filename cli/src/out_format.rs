//! What `--out` and `--out-dir` write: chosen by `--out-format`, else by the file's extension.

use std::path::Path;

/// How rows are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutFormat {
    /// `.csv`: the file Graph serves (its headers, BOM, CRLF, its cell formats).
    Csv,
    /// `.json`: one array of the objects Graph's beta JSON serves.
    JsonArray,
    /// `.jsonl` or `.ndjson`: one such object per line.
    JsonLines,
    /// `.parquet`: one Parquet file, typed columns (see `crate::parquet`).
    #[cfg(feature = "parquet")]
    Parquet,
}

/// The names `--out-format` takes, in the order help and completions list them. `parquet` is
/// listed in every build, so a build without it can say how to get it rather than only that
/// the name is unknown.
pub const OUT_FORMAT_NAMES: &[&str] = &["csv", "json", "jsonl", "parquet"];

/// Why `parquet` is refused by a build without it.
#[cfg(not(feature = "parquet"))]
const PARQUET_NOT_BUILT: &str = "this graph-reports was built without Parquet; build it with `--features parquet` (cargo build -p graph-reports --features parquet)";

impl OutFormat {
    /// The format `--out-format` names (any case): `csv`, `json` (an array), `jsonl` (or
    /// `ndjson`), `parquet`.
    pub fn from_name(name: &str) -> Result<OutFormat, String> {
        match name.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(OutFormat::Csv),
            "json" => Ok(OutFormat::JsonArray),
            "jsonl" | "ndjson" => Ok(OutFormat::JsonLines),
            #[cfg(feature = "parquet")]
            "parquet" => Ok(OutFormat::Parquet),
            #[cfg(not(feature = "parquet"))]
            "parquet" => Err(PARQUET_NOT_BUILT.to_owned()),
            _ => Err(format!(
                "{name:?} is not an output format; expected one of: {}",
                OUT_FORMAT_NAMES.join(", ")
            )),
        }
    }

    /// The format a file's extension stands for: `.csv`, `.json`, `.jsonl`, `.ndjson`,
    /// `.parquet` (any case).
    pub fn from_extension(path: &Path) -> Result<OutFormat, String> {
        let extension = path
            .extension()
            .and_then(|extension| extension.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("csv") => Ok(OutFormat::Csv),
            Some("json") => Ok(OutFormat::JsonArray),
            Some("jsonl" | "ndjson") => Ok(OutFormat::JsonLines),
            #[cfg(feature = "parquet")]
            Some("parquet") => Ok(OutFormat::Parquet),
            #[cfg(not(feature = "parquet"))]
            Some("parquet") => Err(PARQUET_NOT_BUILT.to_owned()),
            _ => Err(format!(
                "cannot tell the format of {:?}; end it with .csv, .json, .jsonl, .ndjson or .parquet, or give --out-format",
                path.display().to_string()
            )),
        }
    }

    /// The extension of files written in this format, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            OutFormat::Csv => "csv",
            OutFormat::JsonArray => "json",
            OutFormat::JsonLines => "jsonl",
            #[cfg(feature = "parquet")]
            OutFormat::Parquet => "parquet",
        }
    }

    /// Whether rows in this format can be written as they come, to a pipe. A Parquet file's
    /// footer indexes the whole file, so it needs a file it can finish.
    pub fn streams(self) -> bool {
        match self {
            OutFormat::Csv | OutFormat::JsonArray | OutFormat::JsonLines => true,
            #[cfg(feature = "parquet")]
            OutFormat::Parquet => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_decides_the_format_in_any_case() {
        let format = |name: &str| OutFormat::from_extension(Path::new(name));
        assert_eq!(format("a.csv"), Ok(OutFormat::Csv));
        assert_eq!(format("dir/a.CSV"), Ok(OutFormat::Csv));
        assert_eq!(format("a.json"), Ok(OutFormat::JsonArray));
        assert_eq!(format("a.jsonl"), Ok(OutFormat::JsonLines));
        assert_eq!(format("a.ndjson"), Ok(OutFormat::JsonLines));
        assert!(format("a.txt").unwrap_err().contains(".csv"));
        assert!(format("rows").unwrap_err().contains("--out-format"));
    }

    #[test]
    fn every_listed_name_is_a_format_or_says_how_to_get_it() {
        for name in OUT_FORMAT_NAMES {
            match OutFormat::from_name(name) {
                Ok(format) => assert!(name.starts_with(format.extension())),
                Err(message) => assert!(message.contains("--features parquet"), "{message}"),
            }
        }
        assert_eq!(OutFormat::from_name("NDJSON"), Ok(OutFormat::JsonLines));
        assert!(
            OutFormat::from_name("xml")
                .unwrap_err()
                .contains("csv, json")
        );
    }

    #[cfg(not(feature = "parquet"))]
    #[test]
    fn parquet_without_the_feature_says_how_to_build_it() {
        let by_extension = OutFormat::from_extension(Path::new("rows.parquet"));
        assert!(by_extension.unwrap_err().contains("--features parquet"));
    }

    #[cfg(feature = "parquet")]
    #[test]
    fn parquet_is_chosen_by_name_or_extension_and_does_not_stream() {
        assert_eq!(OutFormat::from_name("parquet"), Ok(OutFormat::Parquet));
        let by_extension = OutFormat::from_extension(Path::new("rows.Parquet"));
        assert_eq!(by_extension, Ok(OutFormat::Parquet));
        assert!(!OutFormat::Parquet.streams());
    }
}
