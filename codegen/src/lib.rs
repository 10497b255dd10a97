//! Turns the report spec (`spec/*.yaml`) into the generated code of `reports-sdk`.
//!
//! The pipeline is `spec::load` (serde mirror of the YAML) -> [`validate`] (every problem at
//! once) -> IR -> `emit` (`quote!`) -> `format` (`syn` + `prettyplease`). It does no I/O: callers
//! hand in the spec files' text and get back the files to write; `xtask` does the writing.

mod diagnostic;
mod emit;
mod format;
pub mod ident;
pub mod ir;
mod spec;
mod validate;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use validate::{RESERVED_REQUEST_METHODS, RESERVED_TYPE_NAMES};

/// One spec file as read from disk.
#[derive(Debug, Clone, Copy)]
pub struct SpecSource<'a> {
    /// The path shown in messages and in generated-file headers, e.g. `spec/office365.yaml`.
    pub file: &'a str,
    pub text: &'a str,
}

/// A file to write under `reports-sdk/src/generated/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Relative to the generated directory, e.g. `office365.rs`.
    pub path: String,
    pub contents: String,
}

/// Parses and validates every spec file, returning the IR or every problem found. Files are
/// taken in order of their names, whatever order they are given in, so output and messages do
/// not depend on how a caller listed them.
pub fn validate(sources: &[SpecSource<'_>]) -> Result<ir::Catalog, Diagnostics> {
    let mut problems = Vec::new();
    let mut loaded = Vec::new();
    let mut sources = sources.to_vec();
    sources.sort_by(|a, b| a.file.cmp(b.file));
    for source in &sources {
        match spec::load(source.file, source.text) {
            Ok(spec) => loaded.push(validate::LoadedSpec {
                file: source.file,
                source: source.text,
                spec,
            }),
            Err(problem) => problems.push(*problem),
        }
    }
    match validate::validate(loaded) {
        Ok(catalog) if problems.is_empty() => Ok(catalog),
        Ok(_) => Err(Diagnostics(problems)),
        Err(Diagnostics(more)) => {
            problems.extend(more);
            Err(Diagnostics(problems))
        }
    }
}

/// How the generated files are mounted in the crate that compiles them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Gate each family's module, catalogue entry and visit behind the Cargo feature of its
    /// name, as `reports-sdk` does. Off for code compiled where the families are no features
    /// (the fixture specs, compiled into the SDK's unit tests).
    pub feature_gates: bool,
}

impl Default for Options {
    /// The SDK's own generated code: families gated by features.
    fn default() -> Self {
        Options {
            feature_gates: true,
        }
    }
}

/// Spec text -> generated files, sorted by path, with the default [`Options`].
pub fn generate(sources: &[SpecSource<'_>]) -> Result<Vec<GeneratedFile>, Diagnostics> {
    generate_with(sources, Options::default())
}

/// Spec text -> generated files, sorted by path.
pub fn generate_with(
    sources: &[SpecSource<'_>],
    options: Options,
) -> Result<Vec<GeneratedFile>, Diagnostics> {
    let catalog = validate(sources)?;
    let mut files = Vec::new();
    for emitted in emit::emit(&catalog, options) {
        let contents = format::format_file(&emitted.path, &emitted.source, emitted.tokens)
            .map_err(|message| Diagnostics(vec![Diagnostic::new(&emitted.source, message)]))?;
        files.push(GeneratedFile {
            path: emitted.path,
            contents,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}
