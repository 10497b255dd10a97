//! Where a run's output goes (`--out`, `--out-dir`) and what it is (rows in an [`OutFormat`], or
//! with `--raw` Graph's own bytes), and the name of each call's file.
//!
//! Names are predictable from the command line and the catalogue alone: `--out-dir DIR` writes
//! `DIR/<report id>.<form>.<extension>`, and `--out FILE` with several calls writes
//! `<FILE's stem>.<report id>.<form>.<FILE's extension>` beside it, where `<form>` names the
//! parameter of the form called (`period`, `date`) or is `none` for a report without parameters.

use std::path::{Path, PathBuf};

use reports_sdk::{FormMeta, Format, ReportMeta};

use crate::out_format::OutFormat;

/// The `<form>` part of a file name for a form that takes no parameter.
const NO_PARAMETER_FORM: &str = "none";

/// What the output flags ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// Where it goes.
    pub place: Place,
    /// What is written.
    pub content: Content,
}

/// Where output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// `--out -`: standard output; one call only.
    Stdout,
    /// `--out FILE`: that file for one call; for several, one file each beside it.
    File(PathBuf),
    /// `--out-dir DIR`: one file per call in the folder.
    Dir(PathBuf),
}

/// What is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// The decoded rows, written in this format.
    Rows(OutFormat),
    /// `--raw`: the bytes Graph served, untouched, in the format asked of Graph.
    Raw(Format),
}

impl Content {
    /// The extension of a file holding this content, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Content::Rows(format) => format.extension(),
            Content::Raw(Format::Json) => "json",
            Content::Raw(_) => "csv",
        }
    }
}

/// Where one call's output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallOutput {
    /// Standard output, or the file.
    pub to: Destination,
    /// What is written.
    pub content: Content,
}

/// Standard output or a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output.
    Stdout,
    /// This file, replaced only once it is complete.
    File(PathBuf),
}

impl Destination {
    /// How messages name it.
    pub fn describe(&self) -> String {
        match self {
            Destination::Stdout => "standard output".to_owned(),
            Destination::File(path) => path.display().to_string(),
        }
    }
}

impl Output {
    /// Where the call of `form` of `meta` writes; `only_call` says whether it is the run's
    /// only call (then `--out FILE` is the file itself).
    pub fn for_call(&self, meta: &ReportMeta, form: &FormMeta, only_call: bool) -> CallOutput {
        let to = match &self.place {
            Place::Stdout => Destination::Stdout,
            Place::File(path) if only_call => Destination::File(path.clone()),
            Place::File(path) => Destination::File(part_of(path, &file_key(meta, form))),
            Place::Dir(dir) => Destination::File(dir.join(format!(
                "{}.{}",
                file_key(meta, form),
                self.content.extension()
            ))),
        };
        CallOutput {
            to,
            content: self.content,
        }
    }
}

/// `<report id>.<form>`: the report, and the parameter of the form called (`none` without).
pub fn file_key(meta: &ReportMeta, form: &FormMeta) -> String {
    let parameters: Vec<&str> = form
        .parameters
        .iter()
        .filter_map(|index| meta.parameters.get(*index))
        .map(|parameter| parameter.name)
        .collect();
    let form_name = if parameters.is_empty() {
        NO_PARAMETER_FORM.to_owned()
    } else {
        parameters.join("-")
    };
    format!("{}.{form_name}", meta.id)
}

/// `key` put before the extension of `path`: `out.csv` -> `out.<key>.csv`.
fn part_of(path: &Path, key: &str) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match path.extension() {
        Some(extension) => format!("{stem}.{key}.{}", extension.to_string_lossy()),
        None => format!("{stem}.{key}"),
    };
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(id: &str) -> &'static ReportMeta {
        reports_sdk::find_report(id).unwrap()
    }

    #[test]
    fn files_are_named_by_report_and_form() {
        let detail = meta("office365_active_user_detail");
        let counts = meta("office365_activation_counts");
        let [by_period, by_date] = detail.forms else {
            panic!("{} has a period and a date form", detail.id);
        };
        assert_eq!(
            file_key(detail, by_period),
            "office365_active_user_detail.period"
        );
        assert_eq!(
            file_key(detail, by_date),
            "office365_active_user_detail.date"
        );
        assert_eq!(
            file_key(counts, &counts.forms[0]),
            "office365_activation_counts.none"
        );

        let dir = Output {
            place: Place::Dir(PathBuf::from("reports")),
            content: Content::Rows(OutFormat::JsonLines),
        };
        assert_eq!(
            dir.for_call(detail, by_date, true).to,
            Destination::File(PathBuf::from(
                "reports/office365_active_user_detail.date.jsonl"
            ))
        );
    }

    #[test]
    fn one_file_is_the_file_given_and_several_sit_beside_it() {
        let counts = meta("office365_activation_counts");
        let file = Output {
            place: Place::File(PathBuf::from("dir/out.v2.csv")),
            content: Content::Rows(OutFormat::Csv),
        };
        assert_eq!(
            file.for_call(counts, &counts.forms[0], true).to,
            Destination::File(PathBuf::from("dir/out.v2.csv"))
        );
        assert_eq!(
            file.for_call(counts, &counts.forms[0], false).to,
            Destination::File(PathBuf::from(
                "dir/out.v2.office365_activation_counts.none.csv"
            ))
        );
    }

    #[test]
    fn raw_files_take_the_extension_of_what_graph_serves() {
        assert_eq!(Content::Raw(Format::Csv).extension(), "csv");
        assert_eq!(Content::Raw(Format::Json).extension(), "json");
    }
}
