//! The flags of `graph-reports sync`, each parsed on its own; rules between them are checked in
//! `crate::sync::options` (built with the `parquet` feature only, as the lake is Parquet).

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::builder::NonEmptyStringValueParser;
use reports_sdk::{ApiVersion, Cloud, ReportMeta};

use crate::args::{parse_base_url, parse_date, parse_rows, report_by_name, sdk_name};

/// Shown under the flags by `sync --help`.
const AFTER_HELP: &str = "\
Graph serves a detail report for one day only within the last 30 days, and aggregates over at
most 180 days. sync keeps the history in a Parquet lake that DuckDB, Polars or Spark read as
it is (Hive partitions):

  DIR/tenant=<tenant id>/report=<report id>/date=<YYYY-MM-DD>/part-00000.parquet
  DIR/tenant=<tenant id>/report=<report id>/period=<D7>/date=<YYYY-MM-DD>/part-00000.parquet

each beside a _manifest.json. Reports with a date form get every day of Graph's window (the 30
days before today) that the lake does not hold yet; other reports get --period once per Report
Refresh Date, asked with If-None-Match so an unchanged report is not downloaded again. A day is
held once its manifest is written; files appear whole or not at all, so a killed run is
finished by running it again.

Object storage (built with --features lake-object-store): --lake s3://bucket/prefix,
az://container/prefix, abfss://container@account.dfs.core.windows.net/prefix or
gs://bucket/prefix, with the store's credentials in its usual environment variables (AWS_*,
AZURE_STORAGE_* or an AZURE_* app or managed identity, GOOGLE_*), never in the URL. Each object
appears whole: the part is uploaded, then its manifest put. Many workers fill one lake with
--shard I/N, one per shard: no tenant is in two shards, so no two workers write one tenant's
folders.

Tenants: --tenants FILE, a CSV file with the header tenant_id,client_id,credential, where
credential is env:VAR (the client secret is in the environment variable VAR) or file:PATH (in
the file PATH, relative to the tenants file). Without it: AZURE_TENANT_ID, AZURE_CLIENT_ID and
AZURE_CLIENT_SECRET; or GRAPH_TOKEN with --tenant-id; or --emulator.

Exit codes: 0 done; 1 a report-day or a tenant failed (each named above the summary); 2 a bad
command line, tenants file or credentials; 3 done, but some rows did not decode (counted in
the manifests).

Examples:
  graph-reports sync --emulator --lake lake
  graph-reports sync --lake /data/graph --tenants tenants.csv --shard 0/4
  graph-reports sync --lake s3://reports-bucket/graph --tenants tenants.csv --shard 1/4
  duckdb -c \"SELECT * FROM read_parquet('lake/tenant=*/report=teams_user_activity_user_detail/date=*/*.parquet', hive_partitioning=true, union_by_name=true)\"

Query one report at a time: reports by day and by period sit under different partition
levels, which one read_parquet of the whole lake cannot combine.";

/// Keep the history of every report in a Parquet lake: the days Graph still serves that the
/// lake lacks, for one tenant or many.
///
/// `Debug` shows `--lake` as its scheme and host only: a URL pasted with a SAS token or keys in
/// its query (refused later, when checked) must not reach a log on the way.
#[derive(Default, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct SyncArgs {
    /// The lake's folder (created if missing), or with the lake-object-store feature a bucket:
    /// s3://bucket/prefix, az://container/prefix, gs://bucket/prefix.
    #[arg(long, value_name = "DIR|URL")]
    pub lake: PathBuf,
    /// A report to keep, by id or Graph function name (any case); repeatable or
    /// comma-separated. Default: every report served by the cloud and API version.
    #[arg(long = "report", value_name = "ID", value_delimiter = ',', value_parser = report_by_name)]
    pub reports: Vec<&'static ReportMeta>,
    /// The first day to fetch of reports with a date form. Default: the first day Graph serves.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub since: Option<NaiveDate>,
    /// The period of reports without a date form (D7, D30, ...). Default: each report's
    /// shortest.
    #[arg(long, value_name = "VALUE", value_parser = NonEmptyStringValueParser::new())]
    pub period: Option<String>,
    /// A CSV file of tenants: tenant_id,client_id,credential (env:VAR or file:PATH).
    #[arg(long, value_name = "FILE")]
    pub tenants: Option<PathBuf>,
    /// The tenant GRAPH_TOKEN belongs to (a token alone does not name it).
    #[arg(long, value_name = "ID")]
    pub tenant_id: Option<String>,
    /// Take only the tenants whose 0-based index in the tenants file is I modulo N, so N
    /// workers can share one lake.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// Report calls in flight at once, over all tenants. Default: 8.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub concurrency: Option<u32>,
    /// Report calls in flight at once for one tenant. Default: 2.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub tenant_concurrency: Option<u32>,
    /// How often one report-day waits out Graph's Retry-After (the tenant paused, other
    /// tenants going on) before it counts as failed, at most 100. Default: 5.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(..=i64::from(MAX_THROTTLE_RETRIES)))]
    pub throttle_retries: Option<u32>,
    /// The Graph API version. Default: v1.0.
    #[arg(long, value_name = "VERSION", ignore_case = true, value_parser = sdk_name(ApiVersion::ALL))]
    pub api_version: Option<ApiVersion>,
    /// The national cloud: its Graph endpoint and Entra ID authority. Default: global.
    #[arg(long, value_name = "NAME", ignore_case = true, value_parser = sdk_name(Cloud::ALL))]
    pub cloud: Option<Cloud>,
    /// Send requests to this endpoint (a proxy); needs credentials or --tenants.
    #[arg(long, value_name = "URL", value_parser = parse_base_url)]
    pub base_url: Option<String>,
    /// Fill the lake from the embedded emulator (synthetic rows, its own tenant).
    #[arg(long)]
    pub emulator: bool,
    /// Users in the emulated tenant (emulator only). Default: 25.
    #[arg(long, value_name = "N", value_parser = parse_rows)]
    pub rows: Option<usize>,
    /// Count Graph's 30-day window back from this day instead of today's UTC date (a replay,
    /// or an emulator with a fixed today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub today: Option<NaiveDate>,
    /// Print no banner or summary; failures still go to stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The most `--throttle-retries`: each wait is up to five minutes, so 100 already lets one
/// report-day sit out more than eight hours.
pub const MAX_THROTTLE_RETRIES: u32 = 100;

impl std::fmt::Debug for SyncArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncArgs")
            .field("lake", &lake_for_debug(&self.lake))
            .field(
                "reports",
                &self.reports.iter().map(|meta| meta.id).collect::<Vec<_>>(),
            )
            .field("since", &self.since)
            .field("period", &self.period)
            .field("tenants", &self.tenants)
            .field("tenant_id", &self.tenant_id)
            .field("shard", &self.shard)
            .field("concurrency", &self.concurrency)
            .field("tenant_concurrency", &self.tenant_concurrency)
            .field("throttle_retries", &self.throttle_retries)
            .field("api_version", &self.api_version)
            .field("cloud", &self.cloud)
            .field("base_url", &self.base_url)
            .field("emulator", &self.emulator)
            .field("rows", &self.rows)
            .field("today", &self.today)
            .field("quiet", &self.quiet)
            .finish()
    }
}

/// A URL's scheme and host, without user, path or query (`s3://bucket/…`); a folder as it is.
fn lake_for_debug(lake: &std::path::Path) -> String {
    let text = lake.to_string_lossy();
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.into_owned();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    format!("{scheme}://{host}/…")
}

/// `--shard I/N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This worker's index, below `count`.
    pub index: usize,
    /// Workers in all, at least 1.
    pub count: usize,
}

impl Shard {
    /// Whether the tenant at `position` (0-based, in the tenants file) is this worker's.
    #[cfg_attr(
        not(feature = "parquet"),
        allow(dead_code, reason = "sync runs with the parquet feature only")
    )]
    pub fn takes(self, position: usize) -> bool {
        position % self.count == self.index
    }
}

fn parse_shard(value: &str) -> Result<Shard, String> {
    let bad = || format!("`{value}` is not a shard; write I/N with 0 <= I < N, e.g. 0/4");
    let (index, count) = value.trim().split_once('/').ok_or_else(bad)?;
    let index: usize = index.trim().parse().map_err(|_| bad())?;
    let count: usize = count.trim().parse().map_err(|_| bad())?;
    if count == 0 || index >= count {
        return Err(bad());
    }
    Ok(Shard { index, count })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_more_of_a_lake_url_than_its_scheme_and_host() {
        let args = SyncArgs {
            lake: "az://user:key@container/prefix?sv=2024&sig=SECRETSIG".into(),
            ..SyncArgs::default()
        };
        let shown = format!("{args:?}");
        assert!(shown.contains("az://container/…"), "{shown}");
        for secret in ["SECRETSIG", "key", "prefix"] {
            assert!(!shown.contains(secret), "{secret}: {shown}");
        }
        let args = SyncArgs {
            lake: "/data/lake".into(),
            ..SyncArgs::default()
        };
        assert!(format!("{args:?}").contains("/data/lake"));
    }

    #[test]
    fn the_help_queries_one_report_whose_partitions_agree() {
        assert!(!AFTER_HELP.contains("lake/**"), "{AFTER_HELP}");
        assert!(
            AFTER_HELP.contains(
                "read_parquet('lake/tenant=*/report=teams_user_activity_user_detail/date=*/*.parquet', hive_partitioning=true, union_by_name=true)"
            ),
            "{AFTER_HELP}"
        );
    }

    #[test]
    fn a_shard_is_an_index_below_a_count() {
        assert_eq!(parse_shard("1/3"), Ok(Shard { index: 1, count: 3 }));
        for bad in ["3/3", "0/0", "1", "a/2", "-1/2", "1/2/3"] {
            assert!(parse_shard(bad).unwrap_err().contains("I/N"), "{bad}");
        }
        let shard = Shard { index: 1, count: 3 };
        let taken: Vec<usize> = (0..7).filter(|&i| shard.takes(i)).collect();
        assert_eq!(taken, [1, 4]);
    }
}
