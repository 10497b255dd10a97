//! `--lake`: a folder, or (with the `lake-object-store` feature) an object store URL. Told
//! apart by a `scheme://` start, which no folder name given on a command line has in practice;
//! a build without the feature refuses URLs instead of making a folder named `s3:`.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::failure::Failure;
#[cfg(feature = "lake-object-store")]
use crate::sync::store::object::LakeUrl;

/// Where the lake is.
#[derive(Debug, Clone, PartialEq)]
pub enum LakeLocation {
    /// A folder on this machine (created if missing).
    Folder(PathBuf),
    /// A bucket or container and a prefix in it.
    #[cfg(feature = "lake-object-store")]
    Url(LakeUrl),
}

impl LakeLocation {
    /// Reads `--lake`.
    pub fn parse(lake: &Path) -> Result<LakeLocation, Failure> {
        if lake.as_os_str().is_empty() {
            return Err(Failure::usage("--lake needs a folder or a URL"));
        }
        if let Some(text) = lake.to_str()
            && let Some(scheme) = scheme(text)
        {
            return url(text, scheme);
        }
        Ok(LakeLocation::Folder(lake.to_owned()))
    }
}

impl fmt::Display for LakeLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LakeLocation::Folder(path) => write!(f, "{}", path.display()),
            #[cfg(feature = "lake-object-store")]
            LakeLocation::Url(url) => write!(f, "{url}"),
        }
    }
}

/// The scheme of `text` if it starts like a URL (`s3://`), per RFC 3986's scheme grammar. One
/// letter is a Windows drive (`C://` is odd but a path), not a scheme.
fn scheme(text: &str) -> Option<&str> {
    let (scheme, _) = text.split_once("://")?;
    let mut chars = scheme.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (starts_with_letter && rest_ok && scheme.len() > 1).then_some(scheme)
}

#[cfg(feature = "lake-object-store")]
fn url(text: &str, _scheme: &str) -> Result<LakeLocation, Failure> {
    LakeUrl::parse(text).map(LakeLocation::Url)
}

#[cfg(not(feature = "lake-object-store"))]
fn url(_text: &str, scheme: &str) -> Result<LakeLocation, Failure> {
    // Only the scheme is quoted: the rest of a URL can carry a token.
    Err(Failure::usage(format!(
        "--lake {scheme}://… is an object store, which this build leaves out; build the tool with `cargo build -p graph-reports --features lake-object-store`, or give a folder"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scheme_makes_a_url_and_anything_else_a_folder() {
        assert_eq!(scheme("s3://bucket/lake"), Some("s3"));
        assert_eq!(scheme("abfss://c@a.dfs.core.windows.net/x"), Some("abfss"));
        for folder in ["lake", "/data/lake", "C://lake", "./s3://x", "1s3://x", ""] {
            assert_eq!(scheme(folder), None, "{folder}");
        }
        assert_eq!(
            LakeLocation::parse(Path::new("/data/lake")).unwrap(),
            LakeLocation::Folder(PathBuf::from("/data/lake"))
        );
    }

    #[cfg(not(feature = "lake-object-store"))]
    #[test]
    fn a_url_without_the_feature_names_the_feature_and_not_the_url() {
        let Err(Failure::Usage(message)) = LakeLocation::parse(Path::new("az://lake/x?sig=s3cret"))
        else {
            panic!("a URL was taken");
        };
        assert!(
            message.contains("--features lake-object-store"),
            "{message}"
        );
        assert!(!message.contains("s3cret"), "{message}");
    }
}
