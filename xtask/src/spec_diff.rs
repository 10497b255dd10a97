//! `cargo xtask spec-diff <file.csv|file.json> [--report ID]`: compares the columns of a report
//! file Graph served with the spec, for when Microsoft changes a report, and prints the YAML that
//! brings the spec up to date.
//!
//! The comparison itself is the SDK's [`SchemaDrift::compare`], the one the runtime decodes
//! with, so what this command calls a difference is exactly what decoding would run into. This
//! module only reads the file's column names, picks the report and explains the result.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use reports_sdk::{ColumnMeta, ColumnType, Format, ReportMeta, SchemaDrift};
use serde_json::{Map, Value};

pub const USAGE: &str = "usage: cargo xtask spec-diff <file.csv|file.json> [--report ID]

  spec-diff FILE              compare a report file as Graph served it (CSV, or a beta JSON
                              page) with the spec; the report is the one whose columns match best
  spec-diff FILE --report ID  compare with this report (its id or its Graph function name)

  Prints the new and missing columns, renamed-looking pairs and the YAML to paste into spec/.
  Exit codes: 0 the spec needs no change, 1 it does, 2 bad command line or unreadable file.";

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why the command could not compare: all of these exit with 2.
#[derive(Debug)]
pub enum Failure {
    /// A bad command line; the message says what was wrong.
    Usage(String),
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    Csv {
        path: PathBuf,
        source: csv::Error,
    },
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    /// The file parsed but holds no column names to compare; `problem` says why.
    Shape {
        path: PathBuf,
        problem: String,
    },
    UnknownReport {
        name: String,
        suggestion: Option<&'static str>,
    },
    /// No report has any of the file's columns.
    NoMatch {
        path: PathBuf,
        format: Format,
    },
    /// Several reports match the file's columns equally well.
    Ambiguous {
        path: PathBuf,
        tied: Vec<&'static str>,
        score: Score,
    },
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Usage(message) => write!(f, "{message}\n\n{USAGE}"),
            Failure::Read { path, source } => write!(
                f,
                "cannot read {}: {source}; check the path (relative paths start where cargo was run)",
                path.display()
            ),
            Failure::Csv { path, source } => write!(
                f,
                "{}: the CSV header cannot be read: {source}; pass the file exactly as Graph served it",
                path.display()
            ),
            Failure::Json { path, source } => write!(
                f,
                "{}: not valid JSON: {source}; pass a page as Graph served it ({{\"value\":[...]}}) or an array of rows, or name a CSV file .csv",
                path.display()
            ),
            Failure::Shape { path, problem } => write!(f, "{}: {problem}", path.display()),
            Failure::UnknownReport { name, suggestion } => {
                write!(f, "the spec has no report `{name}`")?;
                if let Some(suggestion) = suggestion {
                    write!(f, "; did you mean `{suggestion}`?")?;
                }
                write!(
                    f,
                    " Pass a report id or Graph function name (README.md lists them under Reports)"
                )
            }
            Failure::NoMatch { path, format } => {
                let (names, hint) = match format {
                    // The rows `cargo reports --out x.json` writes are keyed by CSV header.
                    Format::Json => (
                        "JSON property names",
                        " (a .json written by `cargo reports --out` has CSV headers as keys: compare the page Graph served)",
                    ),
                    _ => ("CSV headers", ""),
                };
                write!(
                    f,
                    "{}: no report in the spec has any of the file's {names}; check that it is a usage report{hint}, or pass --report ID",
                    path.display(),
                )
            }
            Failure::Ambiguous { path, tied, score } => write!(
                f,
                "{}: these reports match the file's columns equally well ({score} each): {}; pass --report with the one you downloaded (or name the file after its id)",
                path.display(),
                tied.join(", ")
            ),
        }
    }
}

impl std::error::Error for Failure {}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Help,
    Diff {
        file: PathBuf,
        report: Option<String>,
    },
}

/// Parses the arguments after `spec-diff`.
pub fn parse_args(args: &[&str]) -> Result<Command, Failure> {
    let usage = |message: String| Failure::Usage(message);
    let mut file: Option<PathBuf> = None;
    let mut report: Option<String> = None;
    let mut args = args.iter();
    while let Some(&arg) = args.next() {
        let value = match arg {
            "--help" | "-h" => return Ok(Command::Help),
            "--report" => Some(
                args.next()
                    .filter(|value| !value.starts_with("--"))
                    .ok_or_else(|| {
                        usage("--report needs a report id or Graph function name".into())
                    })?
                    .to_string(),
            ),
            _ => arg.strip_prefix("--report=").map(str::to_owned),
        };
        if let Some(value) = value {
            if report.replace(value).is_some() {
                return Err(usage(
                    "--report is given twice; compare with one report".into(),
                ));
            }
        } else if arg.starts_with('-') && arg.len() > 1 {
            return Err(usage(format!("unknown option `{arg}`")));
        } else if let Some(first) = file.replace(PathBuf::from(arg)) {
            return Err(usage(format!(
                "one file at a time: got `{}` and `{arg}`",
                first.display()
            )));
        }
    }
    match file {
        Some(file) => Ok(Command::Diff { file, report }),
        None => Err(usage(
            "spec-diff needs the report file to compare (a .csv or .json file)".into(),
        )),
    }
}

/// The column names a file has, before a report is chosen: JSON names depend on the report,
/// which says where rows are nested.
#[derive(Debug, Clone, PartialEq)]
pub enum FileColumns {
    /// The trimmed CSV headers, in file order.
    Csv(Vec<String>),
    /// The rows (`value[]` items) of a JSON page.
    Json(Vec<Map<String, Value>>),
}

impl FileColumns {
    fn format(&self) -> Format {
        match self {
            FileColumns::Csv(_) => Format::Csv,
            FileColumns::Json(_) => Format::Json,
        }
    }
}

/// Reads the column names of a report file: CSV by its first line, JSON by its rows. The format
/// comes from the extension, else from the first character.
pub fn read_file(path: &Path) -> Result<FileColumns, Failure> {
    let bytes = std::fs::read(path).map_err(|source| Failure::Read {
        path: path.to_owned(),
        source,
    })?;
    // Graph's CSV starts with a BOM; a JSON file saved by some tools may too.
    let body = bytes.strip_prefix(BOM).unwrap_or(&bytes);
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase);
    let json = match extension.as_deref() {
        Some("csv") => false,
        Some("json") => true,
        _ => matches!(
            body.iter().find(|byte| !byte.is_ascii_whitespace()),
            Some(b'{' | b'[')
        ),
    };
    if json {
        json_rows(path, body).map(FileColumns::Json)
    } else {
        csv_header(path, body).map(FileColumns::Csv)
    }
}

/// The header record, trimmed as the SDK's decoder trims it.
fn csv_header(path: &Path, body: &[u8]) -> Result<Vec<String>, Failure> {
    let shape = |problem: String| Failure::Shape {
        path: path.to_owned(),
        problem,
    };
    // Only the first record is read: the header, which may hold quoted commas or line breaks.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut record = csv::ByteRecord::new();
    let read = reader
        .read_byte_record(&mut record)
        .map_err(|source| Failure::Csv {
            path: path.to_owned(),
            source,
        })?;
    if !read {
        return Err(shape(
            "the file is empty: there is no header line to compare; save the file Graph served"
                .into(),
        ));
    }
    let mut names = Vec::with_capacity(record.len());
    for (index, field) in record.iter().enumerate() {
        let name = std::str::from_utf8(field).map_err(|_| {
            shape(format!(
                "header {} is not UTF-8; Graph serves UTF-8, so save the bytes it sent without converting them",
                index + 1
            ))
        })?;
        names.push(name.trim().to_owned());
    }
    if names.iter().all(String::is_empty) {
        return Err(shape(
            "the first line has no column names; save the file Graph served, header first".into(),
        ));
    }
    Ok(names)
}

/// The rows of a Graph JSON page (`{"value":[...]}`) or of a bare array.
fn json_rows(path: &Path, body: &[u8]) -> Result<Vec<Map<String, Value>>, Failure> {
    let shape = |problem: String| Failure::Shape {
        path: path.to_owned(),
        problem,
    };
    let value: Value = serde_json::from_slice(body).map_err(|source| Failure::Json {
        path: path.to_owned(),
        source,
    })?;
    let items = match value {
        Value::Array(items) => items,
        Value::Object(mut page) => match page.remove("value") {
            Some(Value::Array(items)) => items,
            _ => {
                return Err(shape(
                    "the JSON object has no `value` array; pass a page as Graph served it ({\"value\":[...]}) or an array of rows".into(),
                ));
            }
        },
        _ => {
            return Err(shape(
                "the JSON is neither a page ({\"value\":[...]}) nor an array of rows".into(),
            ));
        }
    };
    let mut rows = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        match item {
            Value::Object(row) => rows.push(row),
            _ => {
                return Err(shape(format!(
                    "row {} is not a JSON object, so it has no property names",
                    index + 1
                )));
            }
        }
    }
    if rows.is_empty() {
        return Err(shape(
            "the JSON has no rows, so no property names to compare; save a page with rows (another period, or the first page)".into(),
        ));
    }
    Ok(rows)
}

/// One name the file has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileColumn {
    pub name: String,
    /// In nested JSON, found only on the `value[]` item rather than in its nested elements.
    pub on_item: bool,
}

/// Whether a JSON property is an OData annotation (`@odata.nextLink`, `name@odata.type`)
/// rather than a column: the rule [`SchemaDrift::compare`] applies too.
fn is_annotation(name: &str) -> bool {
    name.contains('@')
}

/// The property names of every row, first seen first, merged the way the SDK merges nested
/// JSON (`json_rows.rs`): each item's own properties with those of the elements of its `nested`
/// property. Every row counts, not only the first, so a property some rows lack is still seen.
pub fn json_names(rows: &[Map<String, Value>], nested: Option<&str>) -> Vec<FileColumn> {
    let mut names: Vec<FileColumn> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut add = |name: &str, on_item: bool| {
        if is_annotation(name) {
            return;
        }
        match index.get(name) {
            // Seen in an element too: it belongs there (the element wins when merging).
            Some(&at) => names[at].on_item &= on_item,
            None => {
                index.insert(name.to_owned(), names.len());
                names.push(FileColumn {
                    name: name.to_owned(),
                    on_item,
                });
            }
        }
    };
    for row in rows {
        for (key, value) in row {
            if nested != Some(key.as_str()) {
                add(key, nested.is_some());
                continue;
            }
            match value {
                Value::Array(elements) => {
                    for element in elements {
                        if let Value::Object(element) = element {
                            element.keys().for_each(|key| add(key, false));
                        }
                    }
                }
                Value::Object(element) => element.keys().for_each(|key| add(key, false)),
                // No nested values: the item alone is the row.
                Value::Null => {}
                // Another shape stays a property of the row, as the SDK leaves it.
                _ => add(key, true),
            }
        }
    }
    names
}

/// How well a report's columns match a file's: shared names over all names of either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Score {
    /// Spec columns the file has.
    pub matched: usize,
    /// The report's columns.
    pub spec: usize,
    /// The file's names no column has.
    pub new: usize,
}

impl Score {
    fn of(meta: &ReportMeta, drift: &SchemaDrift) -> Score {
        let missing = drift.missing_columns.len() + drift.missing_required.len();
        Score {
            matched: meta.columns.len().saturating_sub(missing),
            spec: meta.columns.len(),
            new: drift.unknown_columns.len(),
        }
    }

    /// Compares `matched / (spec + new)` without floating point, so equal scores tie exactly.
    fn cmp_fraction(&self, other: &Score) -> std::cmp::Ordering {
        (self.matched * (other.spec + other.new)).cmp(&(other.matched * (self.spec + self.new)))
    }
}

impl std::fmt::Display for Score {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} of {} columns", self.matched, self.spec)?;
        if self.new > 0 {
            write!(f, ", {} new", self.new)?;
        }
        Ok(())
    }
}

/// Why a missing column and a new one look like one renamed column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closeness {
    /// Equal ignoring case, spaces and punctuation.
    SameLetters,
    /// This many single-letter edits apart (ignoring case, spaces and punctuation).
    Edits(usize),
    /// One name holds the other.
    Contains,
}

impl Closeness {
    fn rank(self) -> usize {
        match self {
            Closeness::SameLetters => 0,
            Closeness::Edits(edits) => edits,
            Closeness::Contains => 10,
        }
    }
}

impl std::fmt::Display for Closeness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Closeness::SameLetters => f.write_str("equal ignoring case, spaces and punctuation"),
            Closeness::Edits(1) => f.write_str("one edit apart"),
            Closeness::Edits(edits) => write!(f, "{edits} edits apart"),
            Closeness::Contains => f.write_str("one contains the other"),
        }
    }
}

/// Lowercase letters and digits only: what is left when case, spaces and punctuation are
/// ignored.
fn letters(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// Whether two names look like one column renamed.
pub fn closeness(a: &str, b: &str) -> Option<Closeness> {
    let (a, b) = (letters(a), letters(b));
    if a.is_empty() || b.is_empty() {
        return None;
    }
    if a == b {
        return Some(Closeness::SameLetters);
    }
    let (shorter, longer) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    // Long names tolerate a second typo-sized change; short ones would pair unrelated words.
    let tolerated = if shorter.len() >= 10 { 2 } else { 1 };
    let edits = edit_distance(&a, &b);
    if edits <= tolerated {
        return Some(Closeness::Edits(edits));
    }
    // Three letters ("Mac") are inside too many other names to suggest anything.
    (shorter.len() >= 4 && longer.contains(shorter.as_str())).then_some(Closeness::Contains)
}

/// A missing column and a new name that look like one column renamed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    pub column: &'static ColumnMeta,
    pub new: String,
    pub closeness: Closeness,
}

/// The spec's name of a column in a format.
fn name_in(column: &ColumnMeta, format: Format) -> &'static str {
    match format {
        Format::Json => column.json,
        _ => column.header,
    }
}

/// Pairs missing columns with new names, closest pairs first, each name in one pair at most.
fn renames(meta: &'static ReportMeta, format: Format, drift: &SchemaDrift) -> Vec<Rename> {
    let missing = meta
        .columns
        .iter()
        .filter(|column| {
            drift.missing_required.contains(&column.header)
                || drift.missing_columns.contains(&column.header)
        })
        .collect::<Vec<_>>();
    let mut candidates = Vec::new();
    for (m, column) in missing.iter().enumerate() {
        for (n, new) in drift.unknown_columns.iter().enumerate() {
            if let Some(closeness) = closeness(name_in(column, format), new) {
                candidates.push((closeness.rank(), m, n, closeness));
            }
        }
    }
    candidates.sort_by_key(|&(rank, m, n, _)| (rank, m, n));
    let (mut used_missing, mut used_new) = (Vec::new(), Vec::new());
    let mut pairs = Vec::new();
    for (_, m, n, closeness) in candidates {
        if used_missing.contains(&m) || used_new.contains(&n) {
            continue;
        }
        used_missing.push(m);
        used_new.push(n);
        pairs.push(Rename {
            column: missing[m],
            new: drift.unknown_columns[n].clone(),
            closeness,
        });
    }
    // Spec order reads best.
    pairs.sort_by_key(|pair| {
        meta.columns
            .iter()
            .position(|column| std::ptr::eq(column, pair.column))
    });
    pairs
}

/// A file compared with one report.
#[derive(Debug, Clone)]
pub struct Diff {
    pub meta: &'static ReportMeta,
    pub format: Format,
    /// The file's names, as compared.
    pub columns: Vec<FileColumn>,
    pub drift: SchemaDrift,
    pub renames: Vec<Rename>,
    pub score: Score,
}

impl Diff {
    /// Compares the file with `meta` through the SDK's own comparison.
    pub fn new(meta: &'static ReportMeta, file: &FileColumns) -> Diff {
        let columns = match file {
            FileColumns::Csv(headers) => headers
                .iter()
                .map(|name| FileColumn {
                    name: name.clone(),
                    on_item: false,
                })
                .collect(),
            FileColumns::Json(rows) => json_names(rows, meta.json_nested),
        };
        let format = file.format();
        let drift = SchemaDrift::compare(meta, columns.iter().map(|c| c.name.as_str()), format);
        Diff {
            meta,
            format,
            renames: renames(meta, format, &drift),
            score: Score::of(meta, &drift),
            columns,
            drift,
        }
    }

    /// Whether the spec needs a change: a new column, or a required one the file lacks. Absent
    /// optional columns are what `optional: true` is for.
    pub fn needs_change(&self) -> bool {
        !self.drift.unknown_columns.is_empty() || !self.drift.missing_required.is_empty()
    }

    /// Whether the file's known columns come in another order than the spec's (CSV only: JSON
    /// properties have no order worth reporting).
    pub fn reordered(&self) -> bool {
        if self.format != Format::Csv {
            return false;
        }
        let positions: Vec<usize> = self
            .columns
            .iter()
            .filter_map(|file| {
                self.meta
                    .columns
                    .iter()
                    .position(|column| column.header == file.name)
            })
            .collect();
        positions.windows(2).any(|pair| pair[0] > pair[1])
    }
}

/// How the report was chosen.
#[derive(Debug, Clone)]
pub enum Pick {
    /// Named with `--report`.
    Asked,
    /// The best match of the file's columns; the runner-up, if any report has a column in common.
    BestMatch { runner_up: Option<Box<Diff>> },
    /// Among reports matching equally well, the one named in the file name.
    FileName { tied: Vec<&'static str> },
}

/// Whether a report serves a format in any version.
fn serves(meta: &ReportMeta, format: Format) -> bool {
    meta.versions
        .iter()
        .any(|version| version.formats.contains(&format))
}

/// The report named by an id or a Graph function name, ignoring case.
pub fn find_report(
    catalog: &[&'static ReportMeta],
    name: &str,
) -> Result<&'static ReportMeta, Failure> {
    let name = name.trim();
    if let Some(meta) = catalog
        .iter()
        .find(|meta| meta.id.eq_ignore_ascii_case(name) || meta.function.eq_ignore_ascii_case(name))
    {
        return Ok(meta);
    }
    let wanted = letters(name);
    let suggestion = catalog
        .iter()
        .flat_map(|meta| [(meta.id, meta.id), (meta.function, meta.id)])
        .map(|(spelling, id)| (edit_distance(&letters(spelling), &wanted), id))
        .filter(|&(edits, _)| edits <= 3)
        .min_by_key(|&(edits, _)| edits)
        .map(|(_, id)| id);
    Err(Failure::UnknownReport {
        name: name.to_owned(),
        suggestion,
    })
}

/// Compares the file with the report `--report` names, or with the report whose columns match
/// best. Fails when no report shares a column, or when several match equally well and the file
/// name does not tell them apart.
pub fn choose(
    catalog: &[&'static ReportMeta],
    path: &Path,
    file: &FileColumns,
    report: Option<&str>,
) -> Result<(Diff, Pick), Failure> {
    if let Some(name) = report {
        return Ok((Diff::new(find_report(catalog, name)?, file), Pick::Asked));
    }
    let format = file.format();
    let mut diffs: Vec<Diff> = catalog
        .iter()
        .filter(|meta| serves(meta, format))
        .map(|meta| Diff::new(meta, file))
        .collect();
    // Stable: among equal scores, spec order.
    diffs.sort_by(|a, b| b.score.cmp_fraction(&a.score));
    let no_match = || Failure::NoMatch {
        path: path.to_owned(),
        format,
    };
    let best = diffs.first().ok_or_else(no_match)?;
    if best.score.matched == 0 {
        return Err(no_match());
    }
    let tied = diffs
        .iter()
        .take_while(|diff| diff.score.cmp_fraction(&best.score).is_eq())
        .count();
    let (chosen, pick) = if tied == 1 {
        (0, None)
    } else {
        let chosen =
            named_in_file_name(path, &diffs[..tied]).ok_or_else(|| Failure::Ambiguous {
                path: path.to_owned(),
                tied: diffs[..tied].iter().map(|diff| diff.meta.id).collect(),
                score: best.score,
            })?;
        let tied = diffs[..tied].iter().map(|diff| diff.meta.id).collect();
        (chosen, Some(Pick::FileName { tied }))
    };
    let diff = diffs.remove(chosen);
    let pick = pick.unwrap_or_else(|| Pick::BestMatch {
        runner_up: diffs
            .into_iter()
            .find(|diff| diff.score.matched > 0)
            .map(Box::new),
    });
    Ok((diff, pick))
}

/// The one report among `tied` whose id or function (without `get`) the file name holds,
/// ignoring case and punctuation; the longest such name wins, so `teams_user_activity_total_counts`
/// beats a report whose name it merely contains.
fn named_in_file_name(path: &Path, tied: &[Diff]) -> Option<usize> {
    let stem = letters(&path.file_stem()?.to_string_lossy());
    let named: Vec<(usize, usize)> = tied
        .iter()
        .enumerate()
        .filter_map(|(index, diff)| {
            let function = diff.meta.function;
            let function = function.strip_prefix("get").unwrap_or(function);
            [letters(diff.meta.id), letters(function)]
                .into_iter()
                .filter(|name| !name.is_empty() && stem.contains(name.as_str()))
                .map(|name| name.len())
                .max()
                .map(|length| (index, length))
        })
        .collect();
    let longest = named.iter().map(|&(_, length)| length).max()?;
    let mut winners = named.iter().filter(|&&(_, length)| length == longest);
    match (winners.next(), winners.next()) {
        (Some(&(index, _)), None) => Some(index),
        _ => None,
    }
}

/// A type for a new column, and where the guess came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guess {
    pub ty: ColumnType,
    pub why: Why,
}

/// Where a guessed type came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// A word in the name (`Is ...`, `... Date`).
    Keyword,
    /// A column with words in common (at the start or the end of the name), in this report.
    Like {
        header: &'static str,
        report: &'static str,
    },
    /// Most of the report's other columns have it (the counts reports are integers throughout).
    Majority,
    /// Nothing to go by.
    Default,
}

/// The lowercase words of a header or JSON name, split by the codegen's one sanitizer so that
/// `Last Activity Date` and `lastActivityDate` give the same words.
fn words(name: &str) -> Vec<String> {
    let snake = codegen::ident::snake_case(name);
    // The sanitizer prefixes a leading digit with `n`; the words are wanted as written.
    let snake = match snake.strip_prefix('n') {
        Some(rest) if name.starts_with(|c: char| c.is_ascii_digit()) => rest.to_owned(),
        _ => snake,
    };
    snake
        .split('_')
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Guesses a new column's type. Names say little on their own (`Word` is a count in one report
/// and a yes/no in the next), so the report itself counts most: in order, telling words
/// (`Is`/`Has`/`Used ...`, `... Count`, `... Name`, `Date`, `Duration`), the report's columns sharing leading or
/// trailing words (`Word (Mac)` is typed like `Excel (Mac)`), other reports' columns sharing
/// them, then the report's most common type. A comment beside the YAML says it is a guess.
pub fn guess_type(name: &str, meta: &'static ReportMeta, catalog: &[&'static ReportMeta]) -> Guess {
    guess_type_with(name, meta, catalog, |_| true)
}

/// [`guess_type`] looking only at the columns `known` keeps (the tests leave a column out).
fn guess_type_with(
    name: &str,
    meta: &'static ReportMeta,
    catalog: &[&'static ReportMeta],
    known: impl Fn(&ColumnMeta) -> bool,
) -> Guess {
    let ours = words(name);
    let has = |word: &str| ours.iter().any(|w| w == word);
    let last_is = |choices: &[&str]| ours.last().is_some_and(|w| choices.contains(&w.as_str()));
    let keyword = if ours
        .first()
        .is_some_and(|w| ["is", "has", "used"].contains(&w.as_str()))
    {
        Some(ColumnType::Boolean)
    } else if last_is(&["count", "seconds", "minutes", "bytes", "byte"]) {
        // Before `Duration`: `Audio Duration In Seconds` is a number of seconds.
        Some(ColumnType::Integer)
    } else if last_is(&[
        "type", "url", "name", "names", "id", "location", "template", "policy",
    ]) {
        Some(ColumnType::String)
    } else if has("date") {
        Some(ColumnType::Date)
    } else if has("duration") {
        Some(ColumnType::Duration)
    } else {
        None
    };
    if let Some(ty) = keyword {
        return Guess {
            ty,
            why: Why::Keyword,
        };
    }
    let own = meta.columns.iter().filter(|column| known(column));
    if let Some((guess, _)) = alike(&ours, own.clone().map(|column| (meta.id, column))) {
        return guess;
    }
    let others = catalog
        .iter()
        .filter(|other| other.id != meta.id)
        .flat_map(|other| other.columns.iter().map(move |column| (other.id, column)))
        .filter(|(_, column)| known(column));
    let elsewhere = alike(&ours, others);
    // Another report's column is worth more than this report's habits only when it shares more
    // than a word: `Mac` is a count in one report and a yes/no in the next.
    if let Some((guess, shared)) = elsewhere {
        if shared >= 2
            || shared == ours.len()
                && matches!(guess.why, Why::Like { header, .. } if words(header) == ours)
        {
            return guess;
        }
    }
    // Leave out the columns every report has: they say nothing about the report's own values.
    let own_types: Vec<ColumnType> = own
        .filter(|column| !column.header.starts_with("Report "))
        .map(|column| column.ty)
        .collect();
    let majority = own_types
        .iter()
        .max_by_key(|ty| own_types.iter().filter(|other| other == ty).count());
    match (majority, elsewhere) {
        (Some(&ty), _) => Guess {
            ty,
            why: Why::Majority,
        },
        (None, Some((guess, _))) => guess,
        (None, None) => Guess {
            ty: ColumnType::String,
            why: Why::Default,
        },
    }
}

/// The type most common among the columns sharing the most leading or trailing words with
/// `ours`, and how many words they share; `None` when none shares a word.
fn alike<'a>(
    ours: &[String],
    columns: impl Iterator<Item = (&'static str, &'a ColumnMeta)>,
) -> Option<(Guess, usize)> {
    let mut best = 0;
    // (type, votes, first column with it, its report), in first-seen order.
    let mut votes: Vec<(ColumnType, usize, &'static str, &'static str)> = Vec::new();
    for (report, column) in columns {
        let theirs = words(column.header);
        let mut leading = ours.iter().zip(&theirs).take_while(|(a, b)| a == b).count();
        // `Report ...` starts the columns every report has (`Report Refresh Date`, `Report
        // Period`): sharing only that word says nothing.
        if leading == 1 && ours[0] == "report" {
            leading = 0;
        }
        let trailing = ours
            .iter()
            .rev()
            .zip(theirs.iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        let shared = leading.max(trailing);
        if shared == 0 || shared < best {
            continue;
        }
        if shared > best {
            best = shared;
            votes.clear();
        }
        match votes
            .iter_mut()
            .find(|vote| std::mem::discriminant(&vote.0) == std::mem::discriminant(&column.ty))
        {
            Some(vote) => vote.1 += 1,
            None => votes.push((column.ty, 1, column.header, report)),
        }
    }
    // `max_by_key` keeps the last of equals; reversed, it keeps the first seen.
    votes
        .iter()
        .rev()
        .max_by_key(|vote| vote.1)
        .map(|&(ty, _, header, report)| {
            let guess = Guess {
                ty,
                why: Why::Like { header, report },
            };
            (guess, best)
        })
}

/// A YAML scalar: plain where that reads the same, double-quoted (JSON escapes are valid YAML)
/// where a plain scalar would mean something else (`true`, `10`, `a: b`, `# x`).
fn yaml_scalar(text: &str) -> String {
    let plain_chars = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || " ()-./_'".contains(c));
    let starts_with_letter = text.starts_with(|c: char| c.is_ascii_alphabetic());
    let reserved = ["true", "false", "yes", "no", "on", "off", "null", "y", "n"]
        .iter()
        .any(|word| word.eq_ignore_ascii_case(text));
    if plain_chars && starts_with_letter && !reserved && text.trim_end() == text {
        text.to_owned()
    } else {
        serde_json::Value::String(text.to_owned()).to_string()
    }
}

/// A header for a JSON name: the header of a spec column with that JSON name in another report
/// if there is one, else its words capitalized (`teamsChatActive` -> `Teams Chat Active`).
fn header_for_json(name: &str, catalog: &[&'static ReportMeta]) -> (String, bool) {
    if let Some(column) = catalog
        .iter()
        .flat_map(|meta| meta.columns.iter())
        .find(|column| column.json == name)
    {
        return (column.header.to_owned(), true);
    }
    let header = words(name)
        .iter()
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join(" ");
    (header, false)
}

/// The `columns:` entry for a new column.
fn new_column_yaml(diff: &Diff, name: &str, catalog: &[&'static ReportMeta]) -> Vec<String> {
    let mut lines = Vec::new();
    let json = diff.format == Format::Json;
    let header = if json {
        let (header, known) = header_for_json(name, catalog);
        let note = if known {
            "# the header other reports use with this JSON name: check it against the CSV"
        } else {
            "# guessed from the JSON name: check it against the CSV file"
        };
        format!("      - header: {}  {note}", yaml_scalar(&header))
    } else {
        format!("      - header: {}", yaml_scalar(name))
    };
    lines.push(header);
    // A column that looks renamed most likely kept its type.
    let renamed_from = diff.renames.iter().find(|pair| pair.new == name);
    let (ty, why) = match renamed_from {
        Some(pair) => (
            pair.column.ty,
            format!(
                "the type of {:?}, which it looks renamed from",
                pair.column.header
            ),
        ),
        None => {
            let guess = guess_type(name, diff.meta, catalog);
            let why = match guess.why {
                Why::Keyword => "from the name".to_owned(),
                Why::Like { header, report } if report == diff.meta.id => {
                    format!("like {header:?}")
                }
                Why::Like { header, report } => format!("like {header:?} in {report}"),
                Why::Majority => "the report's most common type".to_owned(),
                Why::Default => "nothing to go by".to_owned(),
            };
            (guess.ty, why)
        }
    };
    lines.push(format!(
        "        type: {}  # a guess ({why}): check it against the file's values",
        ty.spec_name()
    ));
    if let ColumnType::List { separator } = ty {
        lines.push(format!(
            "        separator: {}",
            yaml_scalar(&separator.to_string())
        ));
    }
    lines.push("        optional: true  # files from before this change lack it".to_owned());
    if json {
        // Written even where it is the camelCase of the header: the header above is a guess,
        // and the property name is the one thing the file says for sure.
        lines.push(format!("        json: {}", yaml_scalar(name)));
    }
    let on_item = diff
        .columns
        .iter()
        .any(|column| column.name == name && column.on_item);
    if let (true, Some(property)) = (on_item, diff.meta.json_nested) {
        lines.push(format!(
            "        # on the value[] item, not in `{property}`: also list the header under `json_nested: parent_columns:`"
        ));
    }
    lines
}

/// The comparison, explained, with the YAML to paste.
pub fn render(diff: &Diff, pick: &Pick, path: &Path, catalog: &[&'static ReportMeta]) -> String {
    let meta = diff.meta;
    let json = diff.format == Format::Json;
    let quote = |name: &str| format!("{name:?}");
    // A missing column as the file would name it, with its header for JSON.
    let missing_name = |header: &str| match meta.column(header) {
        Some(column) if json => format!("{:?} (header {header:?})", column.json),
        _ => quote(header),
    };
    let spec_file = format!("spec/{}.yaml", meta.family);
    let mut out = Vec::new();
    let what = if json {
        "JSON property names"
    } else {
        "CSV headers"
    };
    out.push(format!(
        "file:   {} ({} {what})",
        path.display(),
        diff.columns.len()
    ));
    out.push(format!(
        "report: {} ({}, in {spec_file}): {}",
        meta.id, meta.function, diff.score
    ));
    match pick {
        Pick::Asked => {}
        Pick::BestMatch { runner_up } => {
            let runner_up = runner_up.as_ref().map_or_else(
                || "no other report shares a column".to_owned(),
                |other| format!("runner-up: {} ({})", other.meta.id, other.score),
            );
            out.push(format!(
                "        picked as the best match of the file's columns; {runner_up}; pass --report ID to choose"
            ));
        }
        Pick::FileName { tied } => out.push(format!(
            "        picked by the file name among reports matching equally well: {}; pass --report ID to choose",
            tied.join(", ")
        )),
    }
    if json && !serves(meta, Format::Json) {
        out.push(format!(
            "        note: the spec lists no JSON format for {}; compared anyway",
            meta.id
        ));
    }
    out.push(String::new());
    let drift = &diff.drift;
    if !drift.unknown_columns.is_empty() {
        out.push("new columns (in the file, not in the spec):".to_owned());
        out.extend(
            drift
                .unknown_columns
                .iter()
                .map(|n| format!("  + {}", quote(n))),
        );
    }
    if !drift.missing_required.is_empty() {
        out.push(
            "missing required columns (in the spec, not in the file: decoding fails until the spec changes):"
                .to_owned(),
        );
        out.extend(
            drift
                .missing_required
                .iter()
                .map(|h| format!("  - {}", missing_name(h))),
        );
    }
    if !drift.missing_columns.is_empty() {
        out.push(
            "missing optional columns (in the spec, not in the file: fine, their fields are None):"
                .to_owned(),
        );
        out.extend(
            drift
                .missing_columns
                .iter()
                .map(|h| format!("  - {}", missing_name(h))),
        );
    }
    if !diff.renames.is_empty() {
        out.push("renamed-looking pairs (a missing and a new column with close names):".to_owned());
        for pair in &diff.renames {
            out.push(format!(
                "  {} -> {} ({})",
                quote(name_in(pair.column, diff.format)),
                quote(&pair.new),
                pair.closeness
            ));
            // A rename is one column changed in place rather than one added and one dropped;
            // keeping the field name keeps the Rust API.
            out.push(if json {
                format!(
                    "    if renamed: set `json: {}` on {:?}, instead of the YAML below for either",
                    yaml_scalar(&pair.new),
                    pair.column.header
                )
            } else {
                format!(
                    "    if renamed: change {:?} to `header: {}` and add `field: {}` (keeps the Rust field), instead of the YAML below for either",
                    pair.column.header,
                    yaml_scalar(&pair.new),
                    pair.column.field
                )
            });
        }
    }
    if diff.reordered() {
        out.push(
            "the columns come in another order than the spec's: fine, they are matched by name"
                .to_owned(),
        );
    }
    if !diff.needs_change() {
        if !drift.missing_columns.is_empty() {
            out.push(String::new());
        }
        out.push(format!(
            "the file matches the spec: {} needs no change",
            meta.id
        ));
        return out.join("\n") + "\n";
    }
    if !drift.unknown_columns.is_empty() {
        out.push(String::new());
        out.push(format!(
            "paste at the end of `columns:` of {} in {spec_file}:",
            meta.id
        ));
        for name in &drift.unknown_columns {
            out.extend(new_column_yaml(diff, name, catalog));
        }
    }
    if !drift.missing_required.is_empty() {
        out.push(String::new());
        out.push(format!(
            "add `optional: true` to these columns of {} in {spec_file}:",
            meta.id
        ));
        for header in &drift.missing_required {
            out.push(format!("      - header: {}", yaml_scalar(header)));
            out.push("        optional: true  # newer files lack it".to_owned());
        }
    }
    out.push(String::new());
    out.push(
        "then run `cargo xtask codegen` and `cargo test`, and commit spec/ with reports-sdk/src/generated/"
            .to_owned(),
    );
    out.join("\n") + "\n"
}

/// `cargo xtask spec-diff ...`: prints the comparison on stdout, problems on stderr.
pub fn command(args: &[&str]) -> ExitCode {
    let run = || -> Result<bool, Failure> {
        let (file, report) = match parse_args(args)? {
            Command::Help => {
                println!("{USAGE}");
                return Ok(false);
            }
            Command::Diff { file, report } => (file, report),
        };
        warn_if_stale();
        let catalog = reports_sdk::catalog();
        let columns = read_file(&file)?;
        let (diff, pick) = choose(catalog, &file, &columns, report.as_deref())?;
        print!("{}", render(&diff, &pick, &file, catalog));
        Ok(diff.needs_change())
    };
    match run() {
        Ok(false) => ExitCode::SUCCESS,
        Ok(true) => ExitCode::FAILURE,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(2)
        }
    }
}

/// The comparison is with the metadata generated from the spec, compiled into this binary: a
/// spec edited since `cargo xtask codegen` is not what is compared, so say so.
fn warn_if_stale() {
    let root = xtask::workspace_root();
    match xtask::expected_files(&root).and_then(|expected| xtask::changes(&root, &expected)) {
        Ok(changes) if changes.is_empty() => {}
        Ok(_) => eprintln!(
            "warning: the generated code is not what spec/ produces (edited since the last `{}`?): spec-diff compares with the generated code; run `{0}` first",
            xtask::REGENERATE
        ),
        Err(failure) => {
            eprintln!("warning: cannot tell whether the generated code is current: {failure}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reports_sdk::VersionMeta;

    static COUNTS: ReportMeta = ReportMeta::new(
        "thing_counts",
        "getThingCounts",
        &[
            ColumnMeta::new(
                "Report Refresh Date",
                "report_refresh_date",
                "reportRefreshDate",
                ColumnType::Date,
            ),
            ColumnMeta::new(
                "Product Type",
                "product_type",
                "productType",
                ColumnType::String,
            ),
            ColumnMeta::new("Assigned", "assigned", "assigned", ColumnType::Integer),
            ColumnMeta::new("iOS", "ios", "ios", ColumnType::Integer),
            ColumnMeta::new("Shared", "shared", "shared", ColumnType::Integer).optional(),
        ],
    );
    // Same columns as COUNTS: only the file name or --report tells them apart.
    static USER_COUNTS: ReportMeta = ReportMeta::new("thing_user_counts", "getThingUserCounts", {
        COUNTS.columns
    });
    static DETAIL: ReportMeta = ReportMeta::new(
        "thing_detail",
        "getThingDetail",
        &[
            ColumnMeta::new(
                "Report Refresh Date",
                "report_refresh_date",
                "reportRefreshDate",
                ColumnType::Date,
            ),
            ColumnMeta::new(
                "User Principal Name",
                "user_principal_name",
                "userPrincipalName",
                ColumnType::String,
            ),
            ColumnMeta::new(
                "Last Activity Date",
                "last_activity_date",
                "lastActivityDate",
                ColumnType::Date,
            )
            .optional()
            .json_nested(),
            ColumnMeta::new("Windows", "windows", "windows", ColumnType::Boolean).json_nested(),
        ],
    )
    .with_json_nested("details");
    static CSV_ONLY: ReportMeta = ReportMeta::new(
        "csv_only",
        "getCsvOnly",
        &[
            ColumnMeta::new("Windows", "windows", "windows", ColumnType::Integer),
            ColumnMeta::new(
                "Windows Phone",
                "windows_phone",
                "windowsPhone",
                ColumnType::Integer,
            ),
        ],
    )
    .with_versions(&[VersionMeta::new(
        reports_sdk::ApiVersion::V1,
        &[Format::Csv],
    )]);
    static CATALOG: &[&ReportMeta] = &[&COUNTS, &USER_COUNTS, &DETAIL, &CSV_ONLY];

    fn csv(names: &[&str]) -> FileColumns {
        FileColumns::Csv(names.iter().map(|name| (*name).to_owned()).collect())
    }

    fn rows(value: Value) -> Vec<Map<String, Value>> {
        match value {
            Value::Array(items) => items
                .into_iter()
                .filter_map(|item| match item {
                    Value::Object(row) => Some(row),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    fn strs(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn arguments() {
        let diff = |file: &str, report: Option<&str>| Command::Diff {
            file: PathBuf::from(file),
            report: report.map(str::to_owned),
        };
        assert_eq!(parse_args(&["a.csv"]).ok(), Some(diff("a.csv", None)));
        assert_eq!(
            parse_args(&["--report", "x", "a.csv"]).ok(),
            Some(diff("a.csv", Some("x")))
        );
        assert_eq!(
            parse_args(&["a.csv", "--report=getX"]).ok(),
            Some(diff("a.csv", Some("getX")))
        );
        assert_eq!(parse_args(&["a.csv", "--help"]).ok(), Some(Command::Help));
        for bad in [
            &[][..],
            &["a.csv", "b.csv"],
            &["a.csv", "--report"],
            &["a.csv", "--report", "--x"],
            &["a.csv", "--report", "a", "--report", "b"],
            &["a.csv", "--frobnicate"],
        ] {
            assert!(matches!(parse_args(bad), Err(Failure::Usage(_))), "{bad:?}");
        }
    }

    #[test]
    fn csv_header_is_the_first_record_trimmed_without_bom() {
        let path = Path::new("x.csv");
        let body =
            "\u{feff}Report Refresh Date,\" Product, Type \", Assigned\r\n2024-01-01,a,1\r\n";
        let body = body.as_bytes();
        let body = body.strip_prefix(BOM).unwrap_or(body);
        assert_eq!(
            csv_header(path, body).ok(),
            Some(strs(&["Report Refresh Date", "Product, Type", "Assigned"]))
        );
        assert!(matches!(csv_header(path, b""), Err(Failure::Shape { .. })));
        assert!(matches!(
            csv_header(path, b"\xff\xfe,a\n"),
            Err(Failure::Shape { .. })
        ));
    }

    #[test]
    fn json_pages_and_bare_arrays() {
        let path = Path::new("x.json");
        let page = br#"{"@odata.context":"c","value":[{"a":1},{"b":2}],"@odata.nextLink":"n"}"#;
        assert_eq!(json_rows(path, page).map(|rows| rows.len()).ok(), Some(2));
        assert_eq!(
            json_rows(path, br#"[{"a":1}]"#).map(|rows| rows.len()).ok(),
            Some(1)
        );
        for bad in [&br#"{"rows":[]}"#[..], br#"{"value":[]}"#, br#"[1]"#, b"3"] {
            assert!(
                matches!(json_rows(path, bad), Err(Failure::Shape { .. })),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(matches!(
            json_rows(path, b"{\"value\":"),
            Err(Failure::Json { .. })
        ));
    }

    #[test]
    fn json_names_merge_nested_elements_and_skip_annotations() {
        let rows = rows(serde_json::json!([
            {"@odata.type": "#x", "reportRefreshDate": "2024-01-01", "userPrincipalName": "a",
             "details": [{"windows": true, "lastActivityDate@odata.type": "Date"}, {"windows": false, "mac": true}]},
            {"reportRefreshDate": "2024-01-01", "userPrincipalName": "b", "extra": 1,
             "details": {"windows": true, "userPrincipalName": "inner"}},
            {"userPrincipalName": "c", "details": null}
        ]));
        let names = json_names(&rows, Some("details"));
        // Sorted: the order of a JSON object's keys is serde_json's (features) and no column's.
        let mut named: Vec<(&str, bool)> = names
            .iter()
            .map(|column| (column.name.as_str(), column.on_item))
            .collect();
        named.sort_unstable();
        assert_eq!(
            named,
            [
                ("extra", true),
                ("mac", false),
                ("reportRefreshDate", true),
                // Also in an element: there, the element wins.
                ("userPrincipalName", false),
                ("windows", false),
            ]
        );
        // Flat: the nested property is a column like any other.
        let mut flat: Vec<String> = json_names(&rows, None)
            .into_iter()
            .map(|column| column.name)
            .collect();
        flat.sort_unstable();
        assert_eq!(
            flat,
            ["details", "extra", "reportRefreshDate", "userPrincipalName"]
        );
    }

    #[test]
    fn closeness_of_names() {
        assert_eq!(
            closeness("Storage Used (Byte)", "storage_used_byte"),
            Some(Closeness::SameLetters)
        );
        assert_eq!(closeness("Assigned", "Asigned"), Some(Closeness::Edits(1)));
        assert_eq!(
            closeness("Last Activity Date", "Last Activty Dat"),
            Some(Closeness::Edits(2))
        );
        assert_eq!(closeness("Mac", "Max"), Some(Closeness::Edits(1)));
        assert_eq!(closeness("Mac", "Mud"), None);
        assert_eq!(
            closeness("Assigned", "Assigned Licenses"),
            Some(Closeness::Contains)
        );
        // Too short to mean anything inside another name.
        assert_eq!(closeness("Mac", "Mac Book Pro"), None);
        assert_eq!(closeness("Windows", "Android"), None);
        assert_eq!(closeness("", "x"), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn a_matching_file_needs_no_change_in_any_order() {
        let file = csv(&[
            "Shared",
            "iOS",
            "Assigned",
            "Product Type",
            "Report Refresh Date",
        ]);
        let diff = Diff::new(&COUNTS, &file);
        assert!(diff.drift.is_empty());
        assert!(!diff.needs_change());
        assert!(diff.reordered());
        let text = render(&diff, &Pick::Asked, Path::new("f.csv"), CATALOG);
        assert!(text.contains("another order"), "{text}");
        assert!(text.contains("the file matches the spec"), "{text}");
    }

    #[test]
    fn a_missing_optional_column_needs_no_change() {
        let file = csv(&["Report Refresh Date", "Product Type", "Assigned", "iOS"]);
        let diff = Diff::new(&COUNTS, &file);
        assert!(!diff.needs_change());
        assert!(!diff.reordered());
        let text = render(&diff, &Pick::Asked, Path::new("f.csv"), CATALOG);
        assert!(text.contains("missing optional columns"), "{text}");
        assert!(text.contains("  - \"Shared\""), "{text}");
        assert!(!text.contains("paste"), "{text}");
    }

    #[test]
    fn new_missing_and_renamed_columns_with_their_yaml() {
        let file = csv(&[
            "Report Refresh Date",
            "Product Type",
            "Assigned Licenses",
            "Is Copilot Enabled",
            "Shared",
        ]);
        let diff = Diff::new(&COUNTS, &file);
        assert_eq!(
            diff.drift.unknown_columns,
            ["Assigned Licenses", "Is Copilot Enabled"]
        );
        assert_eq!(diff.drift.missing_required, ["Assigned", "iOS"]);
        assert_eq!(diff.renames.len(), 1);
        assert_eq!(diff.renames[0].column.header, "Assigned");
        assert_eq!(diff.renames[0].new, "Assigned Licenses");
        assert!(diff.needs_change());
        let text = render(&diff, &Pick::Asked, Path::new("f.csv"), CATALOG);
        for expected in [
            "  + \"Is Copilot Enabled\"",
            "  - \"iOS\"",
            "  \"Assigned\" -> \"Assigned Licenses\" (one contains the other)",
            "change \"Assigned\" to `header: Assigned Licenses` and add `field: assigned`",
            "      - header: Is Copilot Enabled\n        type: boolean  # a guess (from the name)",
            "      - header: Assigned Licenses\n        type: integer  # a guess (the type of \"Assigned\", which it looks renamed from)",
            "        optional: true  # files from before this change lack it",
            "      - header: iOS\n        optional: true  # newer files lack it",
            "cargo xtask codegen",
        ] {
            assert!(text.contains(expected), "{expected}\n---\n{text}");
        }
        // No `json:` for CSV input: the default camelCase is right for a CSV header.
        assert!(!text.contains("json:"), "{text}");
    }

    #[test]
    fn json_is_compared_by_property_name_and_nested_reports_merge() {
        let file = FileColumns::Json(rows(serde_json::json!([
            {"reportRefreshDate": "2024-01-01", "userPrincipalName": "a", "department": "x",
             "details": [{"windows": true, "lastActivityDate": "2024-01-01", "macOs": true}]}
        ])));
        let diff = Diff::new(&DETAIL, &file);
        assert_eq!(diff.drift.unknown_columns, ["department", "macOs"]);
        assert!(diff.drift.missing_required.is_empty());
        let text = render(&diff, &Pick::Asked, Path::new("f.json"), CATALOG);
        for expected in [
            "      - header: Department  # guessed from the JSON name",
            "        json: department\n        # on the value[] item, not in `details`",
            "      - header: Mac Os  # guessed",
            "        json: macOs\n\nthen run",
        ] {
            assert!(text.contains(expected), "{expected}\n---\n{text}");
        }
        // A JSON file lacking a required property names it as JSON does.
        let file = FileColumns::Json(rows(serde_json::json!([
            {"reportRefreshDate": "2024-01-01", "userPrincipalName": "a", "details": []}
        ])));
        let diff = Diff::new(&DETAIL, &file);
        assert_eq!(diff.drift.missing_required, ["Windows"]);
        let text = render(&diff, &Pick::Asked, Path::new("f.json"), CATALOG);
        assert!(
            text.contains("  - \"windows\" (header \"Windows\")"),
            "{text}"
        );
        // Renamed in JSON only: the fix is the column's `json:` name.
        let file = FileColumns::Json(rows(serde_json::json!([
            {"reportRefreshDate": "2024-01-01", "userPrincipalName": "a", "details": [{"windowz": true}]}
        ])));
        let diff = Diff::new(&DETAIL, &file);
        let text = render(&diff, &Pick::Asked, Path::new("f.json"), CATALOG);
        for expected in [
            "  \"windows\" -> \"windowz\" (one edit apart)",
            "    if renamed: set `json: windowz` on \"Windows\"",
            "        type: boolean  # a guess (the type of \"Windows\", which it looks renamed from)",
        ] {
            assert!(text.contains(expected), "{expected}\n---\n{text}");
        }
    }

    #[test]
    fn the_best_match_is_picked_and_the_runner_up_named() {
        let path = Path::new("download.json");
        let file = FileColumns::Json(rows(serde_json::json!([
            {"reportRefreshDate": "2024-01-01", "userPrincipalName": "a", "details": [{"windows": true}]}
        ])));
        let (diff, pick) = choose(CATALOG, path, &file, None).unwrap();
        assert_eq!(diff.meta.id, "thing_detail");
        let Pick::BestMatch {
            runner_up: Some(runner_up),
        } = pick
        else {
            panic!("{pick:?}");
        };
        assert_eq!(runner_up.meta.id, "thing_counts");
        // JSON never matches a report the spec serves as CSV only.
        let file = FileColumns::Json(rows(serde_json::json!([{"windows": 1}])));
        let (diff, _) = choose(CATALOG, path, &file, None).unwrap();
        assert_eq!(diff.meta.id, "thing_detail");
    }

    #[test]
    fn equal_matches_are_ambiguous_unless_the_file_name_tells() {
        let file = csv(&["Report Refresh Date", "Product Type", "Assigned", "iOS"]);
        match choose(CATALOG, Path::new("download.csv"), &file, None) {
            Err(Failure::Ambiguous { tied, .. }) => {
                assert_eq!(tied, ["thing_counts", "thing_user_counts"]);
            }
            other => panic!("{other:?}"),
        }
        for (name, expected) in [
            ("ThingUserCounts7_2024.csv", "thing_user_counts"),
            ("thing_counts.csv", "thing_counts"),
        ] {
            match choose(CATALOG, Path::new(name), &file, None) {
                Ok((diff, Pick::FileName { tied })) => {
                    assert_eq!(diff.meta.id, expected);
                    assert_eq!(tied.len(), 2);
                }
                other => panic!("{name}: {other:?}"),
            }
        }
        assert!(matches!(
            choose(
                CATALOG,
                Path::new("x.csv"),
                &csv(&["Nothing", "Here"]),
                None
            ),
            Err(Failure::NoMatch { .. })
        ));
    }

    #[test]
    fn reports_are_named_by_id_or_function_in_any_case() {
        for name in [
            "thing_counts",
            "THING_COUNTS",
            "getThingCounts",
            "getthingcounts",
        ] {
            assert_eq!(
                find_report(CATALOG, name).map(|meta| meta.id).ok(),
                Some("thing_counts")
            );
        }
        match find_report(CATALOG, "thing_count") {
            Err(failure @ Failure::UnknownReport { .. }) => {
                assert!(failure.to_string().contains("did you mean `thing_counts`?"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            find_report(CATALOG, "nothing at all like it"),
            Err(Failure::UnknownReport {
                suggestion: None,
                ..
            })
        ));
    }

    #[test]
    fn yaml_scalars_are_quoted_only_where_needed() {
        assert_eq!(yaml_scalar("Storage Used (Byte)"), "Storage Used (Byte)");
        assert_eq!(yaml_scalar("Windows 10 Mobile"), "Windows 10 Mobile");
        assert_eq!(yaml_scalar("10 Mobile"), "\"10 Mobile\"");
        assert_eq!(yaml_scalar("Yes"), "\"Yes\"");
        assert_eq!(yaml_scalar("A: B"), "\"A: B\"");
        assert_eq!(yaml_scalar("A # B"), "\"A # B\"");
        assert_eq!(yaml_scalar("+"), "\"+\"");
        assert_eq!(yaml_scalar("Say \"hi\""), "\"Say \\\"hi\\\"\"");
    }

    #[test]
    fn headers_for_json_names() {
        assert_eq!(
            header_for_json("teamsChatActive", CATALOG),
            ("Teams Chat Active".to_owned(), false)
        );
        assert_eq!(
            header_for_json("lastActivityDate", CATALOG),
            ("Last Activity Date".to_owned(), true)
        );
        assert_eq!(words("10 Mobile"), ["10", "mobile"]);
        assert_eq!(words("Type"), ["type"]);
    }

    #[test]
    fn types_are_guessed_from_keywords_then_similar_columns() {
        let guess = |name: &str, meta: &'static ReportMeta| guess_type(name, meta, CATALOG);
        assert_eq!(
            guess("Copilot Last Activity Date", &COUNTS),
            Guess {
                ty: ColumnType::Date,
                why: Why::Keyword
            }
        );
        assert_eq!(guess("Has License", &COUNTS).ty, ColumnType::Boolean);
        assert_eq!(guess("Used Mac", &COUNTS).ty, ColumnType::Boolean);
        assert_eq!(guess("Meeting Duration", &COUNTS).ty, ColumnType::Duration);
        // `Windows` is a count in CSV_ONLY, a yes/no in DETAIL: the report decides.
        assert_eq!(
            guess("Windows (Arm)", &DETAIL),
            Guess {
                ty: ColumnType::Boolean,
                why: Why::Like {
                    header: "Windows",
                    report: "thing_detail"
                }
            }
        );
        // One word in common with another report's column is weaker than the report's habits...
        assert_eq!(
            guess("Windows (Arm)", &COUNTS),
            Guess {
                ty: ColumnType::Integer,
                why: Why::Majority
            }
        );
        // ...two are not.
        assert_eq!(
            guess("Old Windows Phone", &DETAIL),
            Guess {
                ty: ColumnType::Integer,
                why: Why::Like {
                    header: "Windows Phone",
                    report: "csv_only"
                }
            }
        );
        assert_eq!(
            guess("Android", &COUNTS),
            Guess {
                ty: ColumnType::Integer,
                why: Why::Majority
            }
        );
        static EMPTY: ReportMeta = ReportMeta::new("empty", "getEmpty", &[]);
        assert_eq!(guess_type("Department", &EMPTY, &[]).why, Why::Default);
    }

    /// Guessing each real column's type as if it were new (every column with its header left
    /// out) is mostly right: the guess is worth printing.
    #[test]
    fn type_guesses_are_mostly_right_on_the_real_catalogue() {
        let catalog = reports_sdk::catalog();
        let (mut right, mut total) = (0, 0);
        for meta in catalog {
            for column in meta.columns {
                let guess = guess_type_with(column.header, meta, catalog, |other| {
                    other.header != column.header
                });
                total += 1;
                if std::mem::discriminant(&guess.ty) == std::mem::discriminant(&column.ty) {
                    right += 1;
                } else if std::env::var_os("SHOW_GUESSES").is_some() {
                    eprintln!(
                        "{}: {:?} is {:?}, guessed {guess:?}",
                        meta.id, column.header, column.ty
                    );
                }
            }
        }
        assert!(
            right * 10 >= total * 9,
            "{right} of {total} columns guessed right"
        );
    }
}
