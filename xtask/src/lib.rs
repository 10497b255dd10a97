//! `cargo xtask codegen [--check]`: regenerates `reports-sdk/src/generated/` from `spec/` and
//! `reports-sdk/src/runtime/fixtures/` from the codegen fixture specs, or checks that the
//! checked-in files are what the specs produce.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use codegen::{Diagnostics, GeneratedFile, Options, SpecSource};

/// Where codegen writes: the path of every file it produces is relative to this directory
/// (`generated/office365.rs`, `runtime/fixtures/columns.rs`).
pub const SDK_SRC_DIR: &str = "reports-sdk/src";
/// The SDK's generated code, from [`SPEC_DIR`]; relative to [`SDK_SRC_DIR`].
pub const SDK_OUTPUT: &str = "generated";
/// The output of the codegen fixture specs ([`FIXTURE_SPEC_DIR`]), compiled into the SDK's unit
/// tests so that every branch of the generator reaches the compiler; relative to
/// [`SDK_SRC_DIR`].
pub const FIXTURE_OUTPUT: &str = "runtime/fixtures";
pub const SDK_MANIFEST: &str = "reports-sdk/Cargo.toml";
pub const SPEC_DIR: &str = "spec";
pub const FIXTURE_SPEC_DIR: &str = "codegen/tests/fixtures";
pub const REGENERATE: &str = "cargo xtask codegen";

/// The directories codegen owns, relative to [`SDK_SRC_DIR`]: a file in them that is no longer
/// produced is deleted.
const OUTPUT_DIRS: [&str; 2] = [SDK_OUTPUT, FIXTURE_OUTPUT];

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
            Change::Added { path } => write!(f, "  {SDK_SRC_DIR}/{path}: missing"),
            Change::Removed { path } => {
                write!(f, "  {SDK_SRC_DIR}/{path}: no longer generated")
            }
            Change::Modified { path, diff } => {
                write!(f, "  {SDK_SRC_DIR}/{path}: differs\n{diff}")
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

/// What the specs produce, paths relative to [`SDK_SRC_DIR`]: the SDK's code from `spec/`
/// (checked against the SDK's features), then the fixtures' code, whose families are no
/// features.
pub fn expected_files(root: &Path) -> Result<Vec<GeneratedFile>, Failure> {
    let texts = read_specs(root, SPEC_DIR)?;
    let sources = spec_sources(&texts);
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
    let mut files = under(
        SDK_OUTPUT,
        codegen::generate(&sources).map_err(Failure::Spec)?,
    );
    let fixture_texts = read_specs(root, FIXTURE_SPEC_DIR)?;
    let fixtures = codegen::generate_with(
        &spec_sources(&fixture_texts),
        Options {
            feature_gates: false,
        },
    )
    .map_err(Failure::Spec)?;
    files.extend(under(FIXTURE_OUTPUT, fixtures));
    Ok(files)
}

/// `(path as shown, text)` of every `*.yaml` file directly in `dir`, by name.
fn read_specs(root: &Path, dir: &str) -> Result<Vec<(String, String)>, Failure> {
    let spec_dir = root.join(dir);
    let mut names: Vec<String> = Vec::new();
    for entry in fs::read_dir(&spec_dir).map_err(io_error(&spec_dir))? {
        let entry = entry.map_err(io_error(&spec_dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".yaml") && entry.file_type().map_err(io_error(&spec_dir))?.is_file() {
            names.push(name);
        }
    }
    names.sort();
    let mut texts = Vec::new();
    for name in &names {
        let path = spec_dir.join(name);
        texts.push((
            format!("{dir}/{name}"),
            fs::read_to_string(&path).map_err(io_error(&path))?,
        ));
    }
    Ok(texts)
}

fn spec_sources(texts: &[(String, String)]) -> Vec<SpecSource<'_>> {
    texts
        .iter()
        .map(|(file, text)| SpecSource { file, text })
        .collect()
}

/// `files` with their paths moved under `dir`.
fn under(dir: &str, files: Vec<GeneratedFile>) -> Vec<GeneratedFile> {
    files
        .into_iter()
        .map(|file| GeneratedFile {
            path: format!("{dir}/{}", file.path),
            contents: file.contents,
        })
        .collect()
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

/// Compares the checked-in generated directories with `expected`.
pub fn changes(root: &Path, expected: &[GeneratedFile]) -> Result<Vec<Change>, Failure> {
    let dir = root.join(SDK_SRC_DIR);
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
    for output in OUTPUT_DIRS {
        for path in existing_files(&dir, output)? {
            if !expected.iter().any(|file| file.path == path) {
                changes.push(Change::Removed { path });
            }
        }
    }
    Ok(changes)
}

/// The files directly in `root/output`, as `output/<name>`, by name.
fn existing_files(root: &Path, output: &str) -> Result<Vec<String>, Failure> {
    let dir = root.join(output);
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(io_error(&dir)(err)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io_error(&dir))?;
        if entry.file_type().map_err(io_error(&dir))?.is_file() {
            names.push(format!("{output}/{}", entry.file_name().to_string_lossy()));
        }
    }
    names.sort();
    Ok(names)
}

/// Writes `expected` and deletes files no longer produced; returns what changed.
pub fn write(root: &Path, expected: &[GeneratedFile]) -> Result<Vec<Change>, Failure> {
    let changes = changes(root, expected)?;
    let dir = root.join(SDK_SRC_DIR);
    for change in &changes {
        match change {
            Change::Added { path } | Change::Modified { path, .. } => {
                let target = dir.join(path);
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent).map_err(io_error(parent))?;
                }
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
        // Every `pub use runtime::...` of the root, the ones behind a feature included.
        let mut exported: Vec<&str> = Vec::new();
        for (start, _) in lib.match_indices("pub use runtime::") {
            let rest = &lib[start + "pub use runtime::".len()..];
            let names = match rest.strip_prefix('{') {
                Some(list) => &list[..list.find('}').unwrap()],
                None => &rest[..rest.find(';').unwrap()],
            };
            exported.extend(
                names
                    .split(',')
                    .map(str::trim)
                    // Types: PascalCase (constants, all capitals, cannot clash with one).
                    .filter(|name| {
                        name.starts_with(|c: char| c.is_ascii_uppercase())
                            && name.contains(|c: char| c.is_ascii_lowercase())
                    }),
            );
        }
        exported.sort_unstable();
        let mut reserved = codegen::RESERVED_TYPE_NAMES.to_vec();
        reserved.sort_unstable();
        assert_eq!(reserved, exported);
    }

    /// A generated setter may not take the name of a method `ReportRequest` has by hand, even
    /// a crate-private one: the generated `impl` would not compile.
    #[test]
    fn reserved_request_methods_are_the_request_methods() {
        let request =
            fs::read_to_string(workspace_root().join("reports-sdk/src/runtime/request.rs"))
                .unwrap();
        let mut missing = Vec::new();
        for line in request.lines() {
            let Some(at) = line.find("fn ") else { continue };
            if !line.trim_start().starts_with(['p', 'f', 'a']) {
                continue;
            }
            let name: String = line[at + 3..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty()
                && line.starts_with("    ")
                && !line.starts_with("        ")
                && !codegen::RESERVED_REQUEST_METHODS.contains(&name.as_str())
            {
                missing.push(name);
            }
        }
        assert!(
            missing.is_empty(),
            "add to codegen's RESERVED_REQUEST_METHODS: {missing:?}"
        );
    }

    #[test]
    fn write_creates_updates_and_deletes_then_check_is_clean() {
        let root = std::env::temp_dir().join(format!("xtask-write-{}", std::process::id()));
        let dir = root.join(SDK_SRC_DIR);
        for output in OUTPUT_DIRS {
            fs::create_dir_all(dir.join(output)).unwrap();
        }
        fs::write(dir.join("generated/mod.rs"), "old\n").unwrap();
        fs::write(dir.join("generated/retired_family.rs"), "gone\n").unwrap();
        fs::write(dir.join("runtime/fixtures/retired_fixture.rs"), "gone\n").unwrap();
        // Hand-written files beside the generated directories are not codegen's.
        fs::write(dir.join("runtime/client.rs"), "hand-written\n").unwrap();
        fs::write(dir.join("lib.rs"), "hand-written\n").unwrap();
        let file = |path: &str, contents: &str| GeneratedFile {
            path: path.to_owned(),
            contents: contents.to_owned(),
        };
        let expected = vec![
            file("generated/mod.rs", "new\n"),
            file("generated/office365.rs", "rows\n"),
            file("runtime/fixtures/mod.rs", "fixtures\n"),
        ];

        let stale = changes(&root, &expected).unwrap();
        assert_eq!(
            stale,
            [
                Change::Modified {
                    path: "generated/mod.rs".to_owned(),
                    diff: line_diff("old\n", "new\n"),
                },
                Change::Added {
                    path: "generated/office365.rs".to_owned(),
                },
                Change::Added {
                    path: "runtime/fixtures/mod.rs".to_owned(),
                },
                Change::Removed {
                    path: "generated/retired_family.rs".to_owned(),
                },
                Change::Removed {
                    path: "runtime/fixtures/retired_fixture.rs".to_owned(),
                },
            ]
        );
        let message = Failure::Stale(stale).to_string();
        assert!(
            message.contains("  reports-sdk/src/generated/mod.rs: differs\n"),
            "{message}"
        );
        assert!(
            message.contains("  reports-sdk/src/runtime/fixtures/mod.rs: missing\n"),
            "{message}"
        );
        assert!(message.contains("-old\n    +new"), "{message}");
        assert!(
            message.ends_with("run `cargo xtask codegen` and commit the result"),
            "{message}"
        );

        write(&root, &expected).unwrap();
        for expected in &expected {
            assert_eq!(
                fs::read_to_string(dir.join(&expected.path)).unwrap(),
                expected.contents
            );
        }
        assert!(
            !dir.join("generated/retired_family.rs").exists(),
            "files no longer produced are deleted"
        );
        assert!(!dir.join("runtime/fixtures/retired_fixture.rs").exists());
        assert!(dir.join("runtime/client.rs").exists());
        assert!(dir.join("lib.rs").exists());
        assert_eq!(changes(&root, &expected).unwrap(), []);
        fs::remove_dir_all(&root).unwrap();
    }

    /// The fixture specs' output goes beside the runtime, compiled by its unit tests: it names
    /// its own spec files and is not gated by features the SDK does not have.
    #[test]
    fn fixture_specs_are_generated_into_the_runtime_without_feature_gates() {
        let files = expected_files(&workspace_root()).unwrap();
        let fixtures: Vec<&GeneratedFile> = files
            .iter()
            .filter(|file| file.path.starts_with("runtime/fixtures/"))
            .collect();
        let mut paths: Vec<&str> = fixtures.iter().map(|file| file.path.as_str()).collect();
        paths.sort_unstable();
        assert_eq!(
            paths,
            [
                "runtime/fixtures/columns.rs",
                "runtime/fixtures/mod.rs",
                "runtime/fixtures/options.rs",
                "runtime/fixtures/parameters.rs",
            ]
        );
        for file in &fixtures {
            let name = file.path.rsplit('/').next().unwrap();
            let source = match name {
                "mod.rs" => "codegen/tests/fixtures/*.yaml".to_owned(),
                other => format!("codegen/tests/fixtures/{}", other.replace(".rs", ".yaml")),
            };
            assert!(
                file.contents.starts_with(&format!(
                    "// generated by `cargo xtask codegen` from {source}; do not edit\n"
                )),
                "{}",
                file.path
            );
            assert!(!file.contents.contains("#[cfg(feature"), "{}", file.path);
        }
        // The SDK's own code keeps its gates and its header.
        let sdk_mod = files
            .iter()
            .find(|file| file.path == "generated/mod.rs")
            .unwrap();
        assert!(
            sdk_mod.contents.starts_with(
                "// generated by `cargo xtask codegen` from spec/*.yaml; do not edit\n"
            )
        );
        assert!(sdk_mod.contents.contains("#[cfg(feature = \"office365\")]"));
    }

    /// `cargo test` fails, like `cargo xtask codegen --check`, when the checked-in generated code
    /// (the SDK's and the fixtures') is not what the specs produce.
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
