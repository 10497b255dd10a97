//! `cargo xtask codegen [--check]`: regenerates `reports-sdk/src/generated/` from `spec/`, or
//! checks that the checked-in files are what the spec produces.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use codegen::{Diagnostics, GeneratedFile, SpecSource};

pub const GENERATED_DIR: &str = "reports-sdk/src/generated";
pub const SDK_MANIFEST: &str = "reports-sdk/Cargo.toml";
pub const SPEC_DIR: &str = "spec";
pub const REGENERATE: &str = "cargo xtask codegen";

/// Why codegen could not run or the check failed.
#[derive(Debug)]
pub enum Failure {
    Io {
        path: PathBuf,
        source: io::Error,
    },
    Spec(Diagnostics),
    /// Features missing from the SDK manifest, one per family.
    MissingFeatures(Vec<String>),
    Stale(Vec<Change>),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Failure::Spec(diagnostics) => write!(f, "{diagnostics}"),
            Failure::MissingFeatures(families) => {
                writeln!(
                    f,
                    "{SDK_MANIFEST} does not declare, or does not enable by default, a feature for these report families: {}",
                    families.join(", ")
                )?;
                write!(
                    f,
                    "  hint: add `<family> = []` under [features] and list it in `default`"
                )
            }
            Failure::Stale(changes) => {
                writeln!(f, "the generated code is stale:")?;
                for change in changes {
                    writeln!(f, "{change}")?;
                }
                write!(f, "run `{REGENERATE}` and commit the result")
            }
        }
    }
}

impl std::error::Error for Failure {}

/// One generated file that differs from what the spec produces.
#[derive(Debug, PartialEq, Eq)]
pub enum Change {
    Added { path: String },
    Removed { path: String },
    Modified { path: String, diff: String },
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Added { path } => write!(f, "  {GENERATED_DIR}/{path}: missing"),
            Change::Removed { path } => {
                write!(f, "  {GENERATED_DIR}/{path}: no longer generated")
            }
            Change::Modified { path, diff } => {
                write!(f, "  {GENERATED_DIR}/{path}: differs\n{diff}")
            }
        }
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> Failure + '_ {
    move |source| Failure::Io {
        path: path.to_owned(),
        source,
    }
}

/// The workspace root: the parent of this crate's directory.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_owned()
}

/// What the spec produces, checked against the SDK's features.
pub fn expected_files(root: &Path) -> Result<Vec<GeneratedFile>, Failure> {
    let spec_dir = root.join(SPEC_DIR);
    let mut names: Vec<String> = Vec::new();
    for entry in fs::read_dir(&spec_dir).map_err(io_error(&spec_dir))? {
        let entry = entry.map_err(io_error(&spec_dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".yaml") {
            names.push(name);
        }
    }
    names.sort();
    let mut texts = Vec::new();
    for name in &names {
        let path = spec_dir.join(name);
        texts.push((
            format!("{SPEC_DIR}/{name}"),
            fs::read_to_string(&path).map_err(io_error(&path))?,
        ));
    }
    let sources: Vec<SpecSource<'_>> = texts
        .iter()
        .map(|(file, text)| SpecSource { file, text })
        .collect();
    let catalog = codegen::validate(&sources).map_err(Failure::Spec)?;
    let manifest_path = root.join(SDK_MANIFEST);
    let manifest = fs::read_to_string(&manifest_path).map_err(io_error(&manifest_path))?;
    let missing: Vec<String> = catalog
        .families
        .iter()
        .filter(|family| !declares_feature(&manifest, &family.name))
        .map(|family| family.name.clone())
        .collect();
    if !missing.is_empty() {
        return Err(Failure::MissingFeatures(missing));
    }
    codegen::generate(&sources).map_err(Failure::Spec)
}

/// Whether the manifest's `[features]` table declares `feature` and turns it on by default.
fn declares_feature(manifest: &str, feature: &str) -> bool {
    let table: Vec<&str> = manifest
        .lines()
        .skip_while(|line| line.trim() != "[features]")
        .skip(1)
        .take_while(|line| !line.trim_start().starts_with('['))
        .collect();
    let entry = |name: &str| {
        table.iter().find_map(|line| {
            let (key, value) = line.split_once('=')?;
            (key.trim() == name).then_some(value.trim())
        })
    };
    let quoted = format!("\"{feature}\"");
    entry(feature).is_some() && entry("default").is_some_and(|default| default.contains(&quoted))
}

/// Compares the checked-in generated directory with `expected`.
pub fn changes(root: &Path, expected: &[GeneratedFile]) -> Result<Vec<Change>, Failure> {
    let dir = root.join(GENERATED_DIR);
    let mut changes = Vec::new();
    for file in expected {
        let path = dir.join(&file.path);
        match fs::read_to_string(&path) {
            Ok(actual) if actual == file.contents => {}
            Ok(actual) => changes.push(Change::Modified {
                path: file.path.clone(),
                diff: line_diff(&actual, &file.contents),
            }),
            Err(err) if err.kind() == io::ErrorKind::NotFound => changes.push(Change::Added {
                path: file.path.clone(),
            }),
            Err(err) => return Err(io_error(&path)(err)),
        }
    }
    for path in existing_files(&dir)? {
        if !expected.iter().any(|file| file.path == path) {
            changes.push(Change::Removed { path });
        }
    }
    Ok(changes)
}

fn existing_files(dir: &Path) -> Result<Vec<String>, Failure> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(io_error(dir)(err)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io_error(dir))?;
        if entry.file_type().map_err(io_error(dir))?.is_file() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// Writes `expected` and deletes files no longer produced; returns what changed.
pub fn write(root: &Path, expected: &[GeneratedFile]) -> Result<Vec<Change>, Failure> {
    let changes = changes(root, expected)?;
    let dir = root.join(GENERATED_DIR);
    fs::create_dir_all(&dir).map_err(io_error(&dir))?;
    for change in &changes {
        match change {
            Change::Added { path } | Change::Modified { path, .. } => {
                let target = dir.join(path);
                let file = expected.iter().find(|file| &file.path == path);
                if let Some(file) = file {
                    fs::write(&target, &file.contents).map_err(io_error(&target))?;
                }
            }
            Change::Removed { path } => {
                let target = dir.join(path);
                fs::remove_file(&target).map_err(io_error(&target))?;
            }
        }
    }
    Ok(changes)
}

/// The changed middle of two texts after their common first and last lines, as `-`/`+` lines,
/// capped so a large change stays readable.
pub fn line_diff(old: &str, new: &str) -> String {
    const SHOWN: usize = 40;
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let removed = &old[prefix..old.len() - suffix];
    let added = &new[prefix..new.len() - suffix];
    let mut out = format!(
        "    @@ line {}: {} line(s) checked in, {} line(s) generated @@\n",
        prefix + 1,
        removed.len(),
        added.len()
    );
    let lines = removed
        .iter()
        .map(|line| ('-', line))
        .chain(added.iter().map(|line| ('+', line)));
    let total = removed.len() + added.len();
    for (sign, line) in lines.take(SHOWN) {
        let _ = writeln!(out, "    {sign}{line}");
    }
    if total > SHOWN {
        let _ = writeln!(out, "    ... {} more line(s)", total - SHOWN);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_diff_shows_the_changed_middle() {
        let diff = line_diff("a\nb\nc\nd\n", "a\nB\nc\nd\n");
        assert_eq!(
            diff,
            "    @@ line 2: 1 line(s) checked in, 1 line(s) generated @@\n    -b\n    +B\n"
        );
    }

    #[test]
    fn line_diff_of_an_insertion() {
        let diff = line_diff("a\nc\n", "a\nb\nc\n");
        assert!(diff.contains("line 2: 0 line(s) checked in, 1 line(s) generated"));
        assert!(diff.contains("    +b\n"));
    }

    #[test]
    fn features_are_read_from_the_features_table_only() {
        let manifest = "[features]\ndefault = [\"office365\"]\noffice365 = []\nteams = []\n\n[lints]\nsharepoint = \"1\"\n";
        assert!(declares_feature(manifest, "office365"));
        assert!(
            !declares_feature(manifest, "teams"),
            "declared but not on by default"
        );
        assert!(
            !declares_feature(manifest, "sharepoint"),
            "in another table"
        );
    }

    /// A generated enum may not take a name the SDK's root exports from its runtime; the
    /// generator's list of those names must follow `reports-sdk/src/lib.rs`.
    #[test]
    fn reserved_type_names_are_the_sdk_root_exports() {
        let lib = fs::read_to_string(workspace_root().join("reports-sdk/src/lib.rs")).unwrap();
        let start = lib.find("pub use runtime::{").unwrap() + "pub use runtime::{".len();
        let end = start + lib[start..].find('}').unwrap();
        let mut exported: Vec<&str> = lib[start..end]
            .split(',')
            .map(str::trim)
            .filter(|name| name.starts_with(|c: char| c.is_ascii_uppercase()))
            .collect();
        exported.sort_unstable();
        let mut reserved = codegen::RESERVED_TYPE_NAMES.to_vec();
        reserved.sort_unstable();
        assert_eq!(reserved, exported);
    }

    #[test]
    fn write_creates_updates_and_deletes_then_check_is_clean() {
        let root = std::env::temp_dir().join(format!("xtask-write-{}", std::process::id()));
        let dir = root.join(GENERATED_DIR);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("mod.rs"), "old\n").unwrap();
        fs::write(dir.join("retired_family.rs"), "gone\n").unwrap();
        let expected = vec![
            GeneratedFile {
                path: "mod.rs".to_owned(),
                contents: "new\n".to_owned(),
            },
            GeneratedFile {
                path: "office365.rs".to_owned(),
                contents: "rows\n".to_owned(),
            },
        ];

        let stale = changes(&root, &expected).unwrap();
        assert_eq!(
            stale,
            [
                Change::Modified {
                    path: "mod.rs".to_owned(),
                    diff: line_diff("old\n", "new\n"),
                },
                Change::Added {
                    path: "office365.rs".to_owned(),
                },
                Change::Removed {
                    path: "retired_family.rs".to_owned(),
                },
            ]
        );
        let message = Failure::Stale(stale).to_string();
        assert!(message.contains("-old\n    +new"), "{message}");
        assert!(
            message.ends_with("run `cargo xtask codegen` and commit the result"),
            "{message}"
        );

        write(&root, &expected).unwrap();
        assert_eq!(fs::read_to_string(dir.join("mod.rs")).unwrap(), "new\n");
        assert_eq!(
            fs::read_to_string(dir.join("office365.rs")).unwrap(),
            "rows\n"
        );
        assert!(
            !dir.join("retired_family.rs").exists(),
            "files no longer produced are deleted"
        );
        assert_eq!(changes(&root, &expected).unwrap(), []);
        fs::remove_dir_all(&root).unwrap();
    }

    /// `cargo test` fails, like `cargo xtask codegen --check`, when the checked-in generated code
    /// is not what the spec produces.
    #[test]
    fn generated_code_is_up_to_date() {
        let root = workspace_root();
        let result = expected_files(&root).and_then(|expected| changes(&root, &expected));
        match result {
            Ok(changes) if changes.is_empty() => {}
            Ok(changes) => panic!("{}", Failure::Stale(changes)),
            Err(failure) => panic!("{failure}"),
        }
    }
}
