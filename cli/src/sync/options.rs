//! The flags of `sync`, checked against each other before anything starts.

use std::path::PathBuf;

use chrono::NaiveDate;
use reports_sdk::{ApiVersion, Cloud, ReportMeta};

use crate::failure::Failure;
use crate::sync::location::LakeLocation;
use crate::sync_args::{Shard, SyncArgs};

/// Report calls in flight over all tenants, unless `--concurrency` says otherwise.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// Report calls in flight for one tenant, unless `--tenant-concurrency` says otherwise: Graph
/// throttles per tenant and app, so a few at a time is what one tenant takes well.
pub const DEFAULT_TENANT_CONCURRENCY: usize = 2;
/// Retry-After waits one report-day sits out before it fails, unless `--throttle-retries`
/// says otherwise.
pub const DEFAULT_THROTTLE_RETRIES: u32 = 5;

/// The flags of a sync, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncOptions {
    /// `--lake`.
    pub lake: LakeLocation,
    /// `--report`, each once; empty means every report.
    pub reports: Vec<&'static ReportMeta>,
    /// `--since`.
    pub since: Option<NaiveDate>,
    /// `--period`.
    pub period: Option<String>,
    /// `--tenants`.
    pub tenants: Option<PathBuf>,
    /// `--tenant-id`.
    pub tenant_id: Option<String>,
    /// `--shard`: every tenant when `None`.
    pub shard: Option<Shard>,
    /// `--concurrency`.
    pub concurrency: usize,
    /// `--tenant-concurrency`.
    pub tenant_concurrency: usize,
    /// `--throttle-retries`.
    pub throttle_retries: u32,
    /// `--api-version`.
    pub version: ApiVersion,
    /// `--cloud`.
    pub cloud: Cloud,
    /// `--base-url`.
    pub base_url: Option<String>,
    /// `--emulator`.
    pub emulator: bool,
    /// `--rows`.
    pub rows: Option<usize>,
    /// `--today`.
    pub today: Option<NaiveDate>,
    /// `--quiet`.
    pub quiet: bool,
}

impl SyncOptions {
    /// Checks the flags against each other.
    pub fn from_args(args: SyncArgs) -> Result<SyncOptions, Failure> {
        let lake = LakeLocation::parse(&args.lake)?;
        if args.emulator {
            for (given, flag) in [
                (args.tenants.is_some(), "--tenants"),
                (args.base_url.is_some(), "--base-url"),
                (args.tenant_id.is_some(), "--tenant-id"),
            ] {
                if given {
                    return Err(Failure::usage(format!(
                        "--emulator fills the lake from the embedded emulator's one tenant; {flag} names another source"
                    )));
                }
            }
        } else if args.rows.is_some() {
            return Err(Failure::usage(
                "--rows sets the emulator's users; add --emulator to fill the lake from it",
            ));
        }
        if args.tenants.is_some() && args.tenant_id.is_some() {
            return Err(Failure::usage(
                "--tenant-id names the one tenant of GRAPH_TOKEN; with --tenants every tenant is in the file",
            ));
        }
        let mut reports: Vec<&'static ReportMeta> = Vec::new();
        for meta in args.reports {
            if !reports.contains(&meta) {
                reports.push(meta);
            }
        }
        Ok(SyncOptions {
            lake,
            reports,
            since: args.since,
            period: args.period,
            tenants: args.tenants,
            tenant_id: args.tenant_id,
            shard: args.shard,
            concurrency: args.concurrency.map_or(DEFAULT_CONCURRENCY, |n| n as usize),
            tenant_concurrency: args
                .tenant_concurrency
                .map_or(DEFAULT_TENANT_CONCURRENCY, |n| n as usize),
            throttle_retries: args.throttle_retries.unwrap_or(DEFAULT_THROTTLE_RETRIES),
            version: args.api_version.unwrap_or_default(),
            cloud: args.cloud.unwrap_or_default(),
            base_url: args.base_url,
            emulator: args.emulator,
            rows: args.rows,
            today: args.today,
            quiet: args.quiet,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use super::*;
    use crate::args::{Command, parse};

    fn checked(words: &[&str]) -> Result<SyncOptions, Failure> {
        let words = std::iter::once("sync").chain(words.iter().copied());
        match parse(words.map(OsString::from)) {
            Ok(Command::Sync(args)) => SyncOptions::from_args(*args),
            Ok(other) => panic!("{other:?}"),
            Err(failure) => Err(failure),
        }
    }

    fn message(words: &[&str]) -> String {
        match checked(words) {
            Err(Failure::Usage(message) | Failure::CommandLine(message)) => message,
            other => panic!("{words:?} gave {other:?}"),
        }
    }

    #[test]
    fn defaults_and_values() {
        let options = checked(&["--lake", "lake"]).unwrap();
        assert_eq!(options.concurrency, DEFAULT_CONCURRENCY);
        assert_eq!(options.tenant_concurrency, DEFAULT_TENANT_CONCURRENCY);
        assert_eq!(options.version, ApiVersion::V1);
        let options = checked(&[
            "--lake",
            "lake",
            "--shard",
            "2/3",
            "--concurrency",
            "4",
            "--tenant-concurrency=1",
            "--since",
            "2026-11-01",
            "--report",
            "getTeamsUserActivityUserDetail,teams_user_activity_user_detail",
        ])
        .unwrap();
        assert_eq!(options.shard, Some(Shard { index: 2, count: 3 }));
        assert_eq!((options.concurrency, options.tenant_concurrency), (4, 1));
        assert_eq!(options.since, NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!(options.reports.len(), 1);
    }

    #[test]
    fn bad_command_lines_name_the_problem() {
        let cases: &[(&[&str], &str)] = &[
            (&[], "--lake <DIR|URL>"),
            (&["--lake", "l", "--shard", "3/3"], "not a shard"),
            (&["--lake", "l", "--concurrency", "0"], "0 is not in 1.."),
            (
                &["--lake", "l", "--emulator", "--tenants", "t.csv"],
                "--tenants names another source",
            ),
            (&["--lake", "l", "--rows", "3"], "add --emulator"),
            (
                &["--lake", "l", "--tenants", "t.csv", "--tenant-id", "x"],
                "every tenant is in the file",
            ),
            (&["--lake", "l", "--since", "yesterday"], "YYYY-MM-DD"),
            (
                &["--lake", "l", "--throttle-retries", "101"],
                "101 is not in 0..=100",
            ),
        ];
        for (words, expected) in cases {
            let message = message(words);
            assert!(message.contains(expected), "{words:?}: {message}");
        }
    }
}
