//! `--tenants FILE`: the tenants a sync reads, one app registration each, from a CSV file
//! `tenant_id,client_id,credential`. The file never holds a secret: `credential` says where
//! it is, `env:VAR` (an environment variable) or `file:PATH` (a file, relative to the tenants
//! file's folder, e.g. a mounted Kubernetes or Docker secret). Every problem is reported at
//! once, each naming the file and line, and none quotes a credential cell: a secret pasted
//! there by mistake must not reach a log.

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

/// Reads and checks the whole file; the secrets are not read yet.
pub fn read(path: &Path) -> Result<Vec<TenantLine>, Failure> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        Failure::usage(format!("--tenants: cannot read {}: {err}", path.display()))
    })?;
    let folder = path.parent().unwrap_or(Path::new(""));
    parse(&text, &path.display().to_string(), folder)
}

/// Reads the file's `text`; `name` names it in messages, `folder` is where `file:` paths
/// start.
pub fn parse(text: &str, name: &str, folder: &Path) -> Result<Vec<TenantLine>, Failure> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut problems = Vec::new();
    match reader.headers() {
        Ok(headers) if headers.iter().eq(HEADER) => {}
        Ok(_) => problems.push(format!(
            "{name} line 1: the header must be `{}`",
            HEADER.join(",")
        )),
        Err(err) => problems.push(format!("{name}: {err}")),
    }
    let mut tenants: Vec<TenantLine> = Vec::new();
    if problems.is_empty() {
        for record in reader.records() {
            let record = match record {
                Ok(record) => record,
                Err(err) => {
                    let line = err.position().map_or(0, csv::Position::line);
                    problems.push(format!("{name} line {line}: {}", csv_problem(&err)));
                    continue;
                }
            };
            let line = record.position().map_or(0, csv::Position::line);
            match tenant_line(&record, line, tenants.len(), folder) {
                Ok(tenant) => match tenants.iter().find(|t| t.tenant_id == tenant.tenant_id) {
                    Some(first) => problems.push(format!(
                        "{name} line {line}: tenant {} is already on line {}; each tenant once, so one worker writes its folder",
                        tenant.tenant_id, first.line
                    )),
                    None => tenants.push(tenant),
                },
                Err(problem) => problems.push(format!("{name} line {line}: {problem}")),
            }
        }
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
            SecretSource::File(path) => match std::fs::read_to_string(path) {
                Ok(text) if !text.trim().is_empty() => Ok(text.trim().to_owned()),
                Ok(_) => Err(format!("the secret file {} is empty", path.display())),
                Err(err) => Err(format!(
                    "cannot read the secret file {}: {err}",
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
}
