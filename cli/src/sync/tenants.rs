//! `--tenants FILE`: the tenants a sync reads, one app registration each, from a CSV file
//! `tenant_id,client_id,credential`. The file never holds a secret: `credential` says where
//! it is, `env:VAR` (an environment variable) or `file:PATH` (a file, relative to the tenants
//! file's folder, e.g. a mounted Kubernetes or Docker secret). Every problem is reported at
//! once, each naming the file and line, and none quotes a credential cell: a secret pasted
//! there by mistake must not reach a log.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use reports_sdk::Secret;

use crate::failure::Failure;
use crate::sync_args::Shard;

/// The header the file must start with.
pub const HEADER: [&str; 3] = ["tenant_id", "client_id", "credential"];

/// One line of the tenants file, before its secret is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantLine {
    /// The 1-based line in the file.
    pub line: u64,
    /// The 0-based position among the tenants, which `--shard` divides.
    pub position: usize,
    /// The directory's GUID or verified domain.
    pub tenant_id: String,
    /// The app registration's Application (client) ID.
    pub client_id: String,
    /// Where the client secret is.
    pub credential: SecretSource,
}

/// Where a client secret is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// `env:VAR`.
    Env(String),
    /// `file:PATH`, resolved against the tenants file's folder.
    File(PathBuf),
}

/// A tenant ready to sign in.
#[derive(Debug, Clone)]
pub struct AppTenant {
    /// The directory.
    pub tenant_id: String,
    /// The app registration.
    pub client_id: String,
    /// Its secret (`Debug` redacts it).
    pub secret: Secret,
}

/// The largest tenants file read: 16 MiB holds some 100,000 lines, and a larger file is more
/// likely a wrong path (a log, an image) than a tenants list.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// The most tenants one file names: each holds a client in memory for the whole run.
pub const MAX_TENANTS: usize = 100_000;
/// The longest tenant or client id: a GUID is 36 characters and a domain name at most 253.
pub const MAX_ID_CHARS: usize = 256;
/// The largest secret file: a client secret is some 40 characters; 64 KiB leaves room for a
/// certificate-sized value and keeps a wrong path from being read whole.
pub const MAX_SECRET_BYTES: u64 = 64 * 1024;

/// Reads and checks the whole file; the secrets are not read yet.
pub fn read(path: &Path) -> Result<Vec<TenantLine>, Failure> {
    let text = read_bounded(path, MAX_FILE_BYTES).map_err(|problem| {
        Failure::usage(format!(
            "--tenants: cannot read {}: {problem}",
            path.display()
        ))
    })?;
    let folder = path.parent().unwrap_or(Path::new(""));
    parse(&text, &path.display().to_string(), folder)
}

/// A regular file's text, at most `limit` bytes: a FIFO or a device could block or never end,
/// so only regular files are read, and no more than the limit (checked on the bytes read, not
/// only the size the metadata claimed, which a growing file outruns).
fn read_bounded(path: &Path, limit: u64) -> Result<String, String> {
    use std::io::Read as _;
    // Looked at before opening: opening a FIFO for reading blocks until a writer comes.
    let before = std::fs::metadata(path).map_err(|err| err.to_string())?;
    if !before.is_file() {
        return Err("not a regular file (a FIFO, device or folder is never read)".to_owned());
    }
    let file = std::fs::File::open(path).map_err(|err| err.to_string())?;
    let metadata = file.metadata().map_err(|err| err.to_string())?;
    if !metadata.is_file() {
        return Err("not a regular file (a FIFO, device or folder is never read)".to_owned());
    }
    let too_big = || {
        format!(
            "larger than the {limit} bytes read at most (a fixed limit: nothing this large is a tenants list or a secret)"
        )
    };
    if metadata.len() > limit {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| err.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(too_big());
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned())
}

/// Reads the file's `text`; `name` names it in messages, `folder` is where `file:` paths
/// start.
pub fn parse(text: &str, name: &str, folder: &Path) -> Result<Vec<TenantLine>, Failure> {
    // A BOM (Windows editors add one) would be part of the first header.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // csv's own skipping of blank and `#` lines leaves them out of its line count, so the lines
    // named would drift from the file's; kept as one-empty-field placeholders instead, every
    // line counts, and the placeholders are passed over below. csv reads CRLF as LF.
    let kept: String = text
        .split_inclusive('\n')
        .map(|line| {
            let content = line.trim();
            if content.is_empty() || content.starts_with('#') {
                "\"\"\n"
            } else {
                line
            }
        })
        .collect();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(kept.as_bytes());
    let mut problems = Vec::new();
    let mut header_seen = false;
    let mut tenants: Vec<TenantLine> = Vec::new();
    // Ids seen, lowercase, with their line: duplicates found without comparing every pair.
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                let line = err.position().map_or(0, csv::Position::line);
                problems.push(format!("{name} line {line}: {}", csv_problem(&err)));
                if !header_seen {
                    break;
                }
                continue;
            }
        };
        if record.len() == 1 && record.get(0).is_some_and(str::is_empty) {
            continue;
        }
        let line = record.position().map_or(0, csv::Position::line);
        if !header_seen {
            header_seen = true;
            if !record.iter().eq(HEADER) {
                problems.push(format!(
                    "{name} line {line}: the header must be `{}`",
                    HEADER.join(",")
                ));
                break;
            }
            continue;
        }
        if record.len() != HEADER.len() {
            problems.push(format!(
                "{name} line {line}: {} fields; a line holds tenant_id,client_id,credential",
                record.len()
            ));
            continue;
        }
        if tenants.len() >= MAX_TENANTS {
            problems.push(format!(
                "{name} line {line}: more than {MAX_TENANTS} tenants (the limit of one file); split them over files, one worker each"
            ));
            break;
        }
        match tenant_line(&record, line, tenants.len(), folder) {
            Ok(tenant) => match seen.get(&tenant.tenant_id) {
                Some(first) => problems.push(format!(
                    "{name} line {line}: tenant {} is already on line {first} (tenant ids ignore case); each tenant once, so one worker writes its folder",
                    tenant.tenant_id
                )),
                None => {
                    seen.insert(tenant.tenant_id.clone(), line);
                    tenants.push(tenant);
                }
            },
            Err(problem) => problems.push(format!("{name} line {line}: {problem}")),
        }
    }
    if problems.is_empty() && !header_seen {
        problems.push(format!(
            "{name}: empty; the first line must be `{}`",
            HEADER.join(",")
        ));
    }
    if problems.is_empty() && tenants.is_empty() {
        problems.push(format!("{name}: no tenants under the header"));
    }
    if problems.is_empty() {
        Ok(tenants)
    } else {
        Err(Failure::usage(format!(
            "--tenants: {}",
            problems.join("\n  ")
        )))
    }
}

/// A record's problem without its text: the csv crate's message for a ragged record counts
/// fields, but a parse error could quote a cell.
fn csv_problem(err: &csv::Error) -> String {
    match err.kind() {
        csv::ErrorKind::UnequalLengths { len, .. } => {
            format!("{len} fields; a line holds tenant_id,client_id,credential")
        }
        csv::ErrorKind::Utf8 { .. } => "not UTF-8".to_owned(),
        _ => "not a CSV record".to_owned(),
    }
}

fn tenant_line(
    record: &csv::StringRecord,
    line: u64,
    position: usize,
    folder: &Path,
) -> Result<TenantLine, String> {
    let [tenant_id, client_id, credential] = [0, 1, 2].map(|i| record.get(i).unwrap_or(""));
    for (id, what) in [(tenant_id, "tenant_id"), (client_id, "client_id")] {
        let length = id.chars().count();
        if length > MAX_ID_CHARS {
            return Err(format!(
                "{what} has {length} characters, more than the {MAX_ID_CHARS} an id has at most (a GUID or a domain name)"
            ));
        }
    }
    // Entra ID reads tenant ids without regard to case, and on macOS and Windows
    // `tenant=Contoso.com` and `tenant=contoso.com` are one folder: one spelling, lowercase,
    // names the folder, the `tenant_id` column and duplicates.
    let tenant_id = tenant_id.to_ascii_lowercase();
    let tenant_id = tenant_id.as_str();
    if !id_like(tenant_id) {
        return Err(format!(
            "tenant_id ({} characters) is not a directory's GUID or verified domain: letters, digits, '-', '.' and '_' only",
            tenant_id.chars().count()
        ));
    }
    if !id_like(client_id) {
        return Err(format!(
            "tenant {tenant_id}: client_id ({} characters) is not an Application (client) ID: letters, digits, '-', '.' and '_' only",
            client_id.chars().count()
        ));
    }
    let credential = match credential.split_once(':') {
        Some(("env", var)) if !var.is_empty() => SecretSource::Env(var.to_owned()),
        Some(("file", file)) if !file.is_empty() => SecretSource::File(folder.join(file)),
        // Not quoted: a secret pasted here must not be printed.
        _ => {
            return Err(format!(
                "tenant {tenant_id}: credential must be env:VAR or file:PATH (the secret itself never goes in this file)"
            ));
        }
    };
    Ok(TenantLine {
        line,
        position,
        tenant_id: tenant_id.to_owned(),
        client_id: client_id.to_owned(),
        credential,
    })
}

/// What Entra ID takes as a tenant or client id, and what is safe as a folder name.
pub fn id_like(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        && text.chars().any(|c| c.is_ascii_alphanumeric())
        && !text.starts_with('.')
}

/// The secrets of this worker's tenants (`shard`), read from the environment or files
/// through `lookup`; every missing one is reported at once, by name, never by value.
pub fn resolve(
    lines: &[TenantLine],
    shard: Option<Shard>,
    name: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Vec<AppTenant>, Failure> {
    let mut problems = Vec::new();
    let mut tenants = Vec::new();
    for tenant in lines
        .iter()
        .filter(|tenant| shard.is_none_or(|shard| shard.takes(tenant.position)))
    {
        let secret = match &tenant.credential {
            SecretSource::Env(var) => lookup(var)
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty())
                .ok_or_else(|| format!("the environment variable {var} is not set or empty")),
            SecretSource::File(path) => match read_bounded(path, MAX_SECRET_BYTES) {
                Ok(text) if !text.trim().is_empty() => Ok(text.trim().to_owned()),
                Ok(_) => Err(format!("the secret file {} is empty", path.display())),
                // The problem names the file, never its content.
                Err(problem) => Err(format!(
                    "cannot read the secret file {}: {problem}",
                    path.display()
                )),
            },
        };
        match secret {
            Ok(secret) => tenants.push(AppTenant {
                tenant_id: tenant.tenant_id.clone(),
                client_id: tenant.client_id.clone(),
                secret: Secret::new(secret),
            }),
            Err(problem) => problems.push(format!(
                "{name} line {} (tenant {}): {problem}",
                tenant.line, tenant.tenant_id
            )),
        }
    }
    if problems.is_empty() {
        Ok(tenants)
    } else {
        Err(Failure::usage(format!(
            "--tenants: {}",
            problems.join("\n  ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> String {
        match parse(text, "t.csv", Path::new("conf")) {
            Err(Failure::Usage(message)) => message,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn lines_are_read_with_their_positions_and_sources() {
        let tenants = parse(
            "tenant_id,client_id,credential\na.example,app-1,env:A_SECRET\nb.example , app-2 , file:secrets/b\n",
            "t.csv",
            Path::new("conf"),
        )
        .unwrap();
        assert_eq!(tenants.len(), 2);
        assert_eq!(tenants[0].line, 2);
        assert_eq!(tenants[1].line, 3);
        assert_eq!(tenants[0].credential, SecretSource::Env("A_SECRET".into()));
        assert_eq!(tenants[1].position, 1);
        assert_eq!(tenants[1].tenant_id, "b.example");
        assert_eq!(
            tenants[1].credential,
            SecretSource::File(Path::new("conf").join("secrets/b"))
        );
    }

    #[test]
    fn every_bad_line_is_named_and_no_credential_is_quoted() {
        let message = problems(
            "tenant_id,client_id,credential\na.example,app,env:X\nb/../x,app,env:Y\nc.example,app,hunter2-secret\nd.example,app\na.example,app,env:Z\n",
        );
        for expected in [
            "t.csv line 3: tenant_id",
            "t.csv line 4: tenant c.example: credential must be env:VAR or file:PATH",
            "t.csv line 5: 2 fields",
            "t.csv line 6: tenant a.example is already on line 2",
        ] {
            assert!(message.contains(expected), "{expected}: {message}");
        }
        assert!(!message.contains("hunter2"), "{message}");
        assert!(problems("tenant,client,secret\n").contains("line 1: the header must be"));
        assert!(problems("tenant_id,client_id,credential\n").contains("no tenants"));
    }

    #[test]
    fn secrets_come_from_the_environment_by_shard_and_a_missing_one_is_named() {
        let lines = parse(
            "tenant_id,client_id,credential\na,app,env:SECRET_A\nb,app,env:SECRET_B\nc,app,env:SECRET_C\n",
            "t.csv",
            Path::new(""),
        )
        .unwrap();
        let lookup = |name: &str| (name != "SECRET_C").then(|| format!("value-of-{name}"));
        let shard = Some(Shard { index: 1, count: 2 });
        let taken = resolve(&lines, shard, "t.csv", lookup).unwrap();
        assert_eq!(taken.len(), 1);
        assert_eq!(taken[0].tenant_id, "b");
        assert_eq!(taken[0].secret.expose(), "value-of-SECRET_B");
        let Err(Failure::Usage(message)) = resolve(&lines, None, "t.csv", lookup) else {
            panic!("a missing secret was accepted");
        };
        assert!(
            message
                .contains("t.csv line 4 (tenant c): the environment variable SECRET_C is not set"),
            "{message}"
        );
        assert!(!message.contains("value-of"), "{message}");
    }

    #[test]
    fn a_bom_crlf_blank_lines_and_comments_keep_the_line_numbers() {
        let text = "\u{feff}tenant_id,client_id,credential\r\n# our tenants\r\n\r\nA.Example,app-1,env:A\r\n\r\nb.example,app,nope\r\n";
        let message = problems(text);
        assert!(
            message.contains("t.csv line 6: tenant b.example: credential"),
            "{message}"
        );
        let tenants = parse(&text.replace("nope", "env:B"), "t.csv", Path::new("")).unwrap();
        assert_eq!(tenants.len(), 2);
        assert_eq!((tenants[0].line, tenants[1].line), (4, 6));
        assert_eq!(tenants[0].tenant_id, "a.example");
    }

    #[test]
    fn tenant_ids_ignore_case_and_have_a_length_limit() {
        let message = problems(
            "tenant_id,client_id,credential\nContoso.com,app,env:A\ncontoso.COM,app,env:B\n",
        );
        assert!(
            message.contains("t.csv line 3: tenant contoso.com is already on line 2"),
            "{message}"
        );
        let long = "a".repeat(MAX_ID_CHARS + 1);
        let message = problems(&format!(
            "tenant_id,client_id,credential\n{long},app,env:A\n"
        ));
        assert!(
            message.contains("t.csv line 2: tenant_id has 257 characters, more than the 256"),
            "{message}"
        );
    }

    #[test]
    fn a_secret_file_must_be_a_small_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; MAX_SECRET_BYTES as usize + 1]).unwrap();
        let lines = |file: &str| {
            parse(
                &format!("tenant_id,client_id,credential\na,app,file:{file}\n"),
                "t.csv",
                dir.path(),
            )
            .unwrap()
        };
        let refused = |file: &str| match resolve(&lines(file), None, "t.csv", |_| None) {
            Err(Failure::Usage(message)) => message,
            other => panic!("{other:?}"),
        };
        let message = refused("big");
        assert!(message.contains("larger than the 65536 bytes"), "{message}");
        assert!(!message.contains("xxx"), "{message}");
        let message = refused(".");
        assert!(message.contains("not a regular file"), "{message}");
        #[cfg(unix)]
        {
            let fifo = dir.path().join("fifo");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|status| status.success()) {
                // Opening a FIFO for reading blocks until a writer comes: the check must not
                // open it, or this test hangs.
                let message = refused("fifo");
                assert!(message.contains("not a regular file"), "{message}");
            }
        }
    }

    #[test]
    fn a_tenants_file_has_a_size_and_a_tenant_limit() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("tenants.csv");
        let mut text = String::from("tenant_id,client_id,credential\n");
        text.push_str(&"#".repeat(MAX_FILE_BYTES as usize));
        std::fs::write(&big, text).unwrap();
        let Err(Failure::Usage(message)) = read(&big) else {
            panic!("a file over the limit was read");
        };
        assert!(
            message.contains("larger than the 16777216 bytes"),
            "{message}"
        );
        let mut text = String::from("tenant_id,client_id,credential\n");
        for n in 0..=MAX_TENANTS {
            text.push_str(&format!("t{n},app,env:S\n"));
        }
        let message = problems(&text);
        assert!(
            message.contains("line 100002: more than 100000 tenants"),
            "{message}"
        );
    }
}
