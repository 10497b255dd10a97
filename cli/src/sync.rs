//! `graph-reports sync`: keeps the history Graph forgets. Graph serves a detail report's day
//! for 30 days and aggregates for at most 180; sync copies each day into a Parquet lake (see
//! [`lake`]) once, for one tenant or many, so a daily run keeps every day.
//!
//! Many workers, one lake: `--shard I/N` splits the tenants file among N workers, one per
//! shard, each taking its own tenants only, so no two workers ever write, sweep or record in
//! one tenant's folders (see [`lake`]). With the `lake-object-store` feature the lake can be a
//! bucket or container (`s3://`, `az://`, `abfss://`, `gs://`, see [`store`]) that the workers,
//! on as many machines, fill together and Spark, Trino or Fabric query.

mod bounded;
mod day;
mod jobs;
mod lake;
pub mod location;
mod manifest;
#[cfg(test)]
#[cfg(feature = "lake-object-store")]
mod object_lake_tests;
pub mod options;
mod schedule;
pub mod store;
mod tally;
mod tenants;

use std::sync::Arc;

use chrono::NaiveDate;
use graph_emulator::{Config, Emulator};
use reports_sdk::{Client, Credentials, Secret};
use tokio::sync::Semaphore;

use crate::failure::{Failure, error_chain};
use crate::narration::{Narration, warn};
use crate::target::{DEFAULT_EMULATOR_ROWS, SET_CREDENTIALS};
use crate::terminal::escape;
use jobs::Job;
use lake::Lake;
use options::SyncOptions;
use schedule::{Gate, NotDone};
use store::Store;
use tally::Tally;

/// One tenant, with its client or what builds it.
struct TenantClient {
    tenant_id: String,
    client: Connect,
}

/// A tenant's client, built when its turn comes: each holds its own connection pool and TLS
/// setup, so a run over thousands of tenants holds those of the tenants running only. The
/// first is built before anything starts, which checks the settings and shows the endpoint.
enum Connect {
    /// Built.
    Built(Client),
    /// To sign in with these (`Debug` never shows a secret).
    Later(Box<Credentials>),
}

/// What builds a tenant's client: the same for every tenant.
#[derive(Clone)]
struct ClientSettings {
    cloud: reports_sdk::Cloud,
    version: reports_sdk::ApiVersion,
    base_url: Option<String>,
}

impl ClientSettings {
    fn of(options: &SyncOptions) -> ClientSettings {
        ClientSettings {
            cloud: options.cloud,
            version: options.version,
            base_url: options.base_url.clone(),
        }
    }

    fn builder(&self) -> reports_sdk::ClientBuilder {
        let builder = Client::builder()
            .cloud(self.cloud)
            .version(self.version)
            .retry_policy(schedule::retry_policy());
        match &self.base_url {
            Some(base_url) => builder.base_url(base_url.clone()),
            None => builder,
        }
    }

    fn client(&self, credentials: Credentials) -> Result<Client, Failure> {
        Ok(self.builder().credentials(credentials).build()?)
    }
}

/// Where the tenants come from, before anything starts.
enum Source {
    /// The embedded emulator's one tenant.
    Emulator(Box<Config>),
    /// Microsoft Graph (or `--base-url`), each tenant signing in as its app or with a token.
    Graph(Vec<(String, Credentials)>),
}

/// Runs a sync. Bad flags, a bad tenants file or missing secrets fail before anything is
/// sent.
pub async fn run(options: SyncOptions, credentials: Option<Credentials>) -> Result<(), Failure> {
    let lake = Lake::new(Store::open(&options.lake)?);
    run_in(lake, options, credentials, |name| std::env::var(name).ok()).await
}

/// [`run`] into `lake`, reading the tenants file's secrets and `AZURE_AUTHORITY_HOST` through
/// `env`: the tests' way in, with an in-memory store and secrets of their own.
async fn run_in(
    lake: Lake,
    options: SyncOptions,
    credentials: Option<Credentials>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(), Failure> {
    let (reports, skipped) = jobs::reports(&options)?;
    let source = source(&options, credentials, env)?;
    let narration = if options.quiet {
        Narration::Silent
    } else {
        Narration::Stdout
    };
    let started_at = day::now();
    let settings = ClientSettings::of(&options);
    let (tenants, emulator, today) = connect(&settings, options.today, source).await?;
    lake.store().prepare()?;
    narration.say(&banner(&options, &tenants, emulator.as_ref(), &skipped))?;

    let tenant_ids: Vec<String> = tenants.iter().map(|t| t.tenant_id.clone()).collect();
    let run = Arc::new(Run {
        lake,
        settings,
        window: jobs::window(today, options.since),
        edge: today - chrono::TimeDelta::days(jobs::WINDOW_DAYS),
        reports,
        shared: Semaphore::new(options.concurrency.max(1)),
        tenant_concurrency: options.tenant_concurrency.max(1),
        throttle_retries: options.throttle_retries,
        started_at,
    });
    let mut tallies: Vec<Tally> = tenant_ids.iter().map(|id| Tally::new(id)).collect();
    bounded::run_bounded(
        tenants.into_iter().enumerate(),
        drivers_at_once(options.concurrency),
        |(index, _)| index.to_string(),
        |(_, tenant)| drive_tenant(run.clone(), tenant),
        |index, ended| {
            let Some(tally) = index.parse().ok().and_then(|i: usize| tallies.get_mut(i)) else {
                return;
            };
            match ended {
                Ok(ended) => *tally = ended,
                Err(why) => {
                    // The tenant's record is not written: like a killed run, it did not finish.
                    warn(&format!(
                        "graph-reports: tenant {}: its sync stopped: {why}",
                        escape(&tally.tenant_id)
                    ));
                    tally.fail("the tenant's sync".to_owned(), why);
                }
            }
        },
    )
    .await;
    narration.say(&summary(&tallies))?;
    let failed: usize = tallies.iter().map(|t| t.failures + t.not_tried).sum();
    if failed > 0 {
        return Err(Failure::SyncFailed {
            calls: failed,
            tenants: tallies.iter().filter(|t| !t.complete()).count(),
        });
    }
    let rejected: usize = tallies.iter().map(|t| t.rejected_rows).sum();
    if rejected > 0 {
        return Err(Failure::SyncRowsRejected { rows: rejected });
    }
    Ok(())
}

/// A tenant whose client is built.
struct Ready {
    tenant_id: String,
    client: Client,
}

/// What every tenant's driver shares.
struct Run {
    lake: Lake,
    settings: ClientSettings,
    window: Vec<NaiveDate>,
    /// The oldest day of Graph's window, whatever `--since` says.
    edge: NaiveDate,
    reports: Vec<jobs::ReportPlan>,
    /// `--concurrency`: the calls in flight over all tenants.
    shared: Semaphore,
    tenant_concurrency: usize,
    throttle_retries: u32,
    started_at: chrono::DateTime<chrono::Utc>,
}

/// Tenants synced at once, each planning its days and running its calls. More than
/// `--concurrency`, because a tenant paused by throttling keeps its place while the others
/// keep the calls busy; bounded, so thousands of tenants never hold their plans and tasks all
/// at once.
fn drivers_at_once(concurrency: usize) -> usize {
    concurrency.saturating_mul(4).max(16)
}

/// One tenant's sync: plans its report-days, runs them at most `--tenant-concurrency` at a
/// time, and writes its `_sync.json`. Whatever fails is the tenant's failure, never the run's.
async fn drive_tenant(run: Arc<Run>, tenant: TenantClient) -> Tally {
    let mut tally = Tally::new(&tenant.tenant_id);
    let client = match tenant.client {
        Connect::Built(client) => client,
        Connect::Later(credentials) => match run.settings.client(*credentials) {
            Ok(client) => client,
            Err(failure) => {
                failed(&mut tally, "building its client".to_owned(), failure);
                return tally;
            }
        },
    };
    let tenant = Arc::new(Ready {
        tenant_id: tenant.tenant_id,
        client,
    });
    let planned = plan_tenant(&run, &tenant.tenant_id).await;
    let planned = match planned {
        Ok(planned) => planned,
        Err(failure) => {
            failed(
                &mut tally,
                "planning (reading the lake)".to_owned(),
                failure,
            );
            return tally;
        }
    };
    tally.held = planned.1;
    let gate = Arc::new(Gate::new(run.tenant_concurrency));
    bounded::run_bounded(
        planned.0,
        run.tenant_concurrency,
        Job::label,
        |job| {
            let (run, gate, tenant) = (run.clone(), gate.clone(), tenant.clone());
            async move {
                let outcome = gate
                    .run(&run.shared, run.throttle_retries, || {
                        day::fetch(&tenant.client, &run.lake, &tenant.tenant_id, &job)
                    })
                    .await;
                (job, outcome)
            }
        },
        |label, ended| match ended {
            Ok((job, Ok(outcome))) => tally.count(job.report.meta.id, &outcome),
            Ok((_, Err(NotDone::NotTried(why)))) => tally.not_sent(&why),
            Ok((job, Err(NotDone::Failed(failure)))) => {
                if no_longer_served(&failure, job.day, run.edge) {
                    tally.no_longer_served += 1;
                } else {
                    failed(&mut tally, label, failure);
                }
            }
            Err(why) => {
                warn(&format!(
                    "graph-reports: tenant {}: {}: {why}",
                    escape(&tally.tenant_id),
                    escape(&label)
                ));
                tally.fail(label, why);
            }
        },
    )
    .await;
    tally.throttle_waits = gate.waits.load(std::sync::atomic::Ordering::SeqCst);
    if let Err(failure) = tally.write_finished(&run.lake, run.started_at).await {
        failed(&mut tally, "writing the run's record".to_owned(), failure);
    }
    tally
}

/// The tenant's jobs and the report-days held, after removing the record of its last run:
/// its absence marks a run that did not finish until this one ends.
async fn plan_tenant(run: &Run, tenant_id: &str) -> Result<(Vec<Job>, usize), Failure> {
    let finished = run.lake.tenant(tenant_id).child(tally::FINISHED);
    run.lake.store().delete(&finished).await?;
    jobs::tenant_jobs(&run.lake, tenant_id, &run.reports, &run.window).await
}

/// Counts a failure of the tenant and says it on stderr.
fn failed(tally: &mut Tally, what: String, failure: Failure) {
    let error = describe(failure);
    warn(&format!(
        "graph-reports: tenant {}: {}: {}",
        escape(&tally.tenant_id),
        escape(&what),
        error.trim_start_matches("graph-reports: ")
    ));
    tally.fail(what, error);
}

/// Whether Graph refused the window's oldest day as a bad request: its 30 days can end a day
/// before the ones counted here (the service's day turns at another hour than UTC's), so that
/// day is no longer served, which is no failure. A `400` for any other day still is.
fn no_longer_served(failure: &Failure, day: Option<NaiveDate>, edge: NaiveDate) -> bool {
    matches!(failure, Failure::Sdk(error) if error.status() == Some(400)) && day == Some(edge)
}

/// The tenants the flags and environment name. Synthetic rows reach a lake only when
/// `--emulator` asks for them by name: a scheduled sync whose secret went missing fails
/// instead of filling the lake with an invented tenant.
fn source(
    options: &SyncOptions,
    credentials: Option<Credentials>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Source, Failure> {
    if options.emulator {
        let mut config = Config {
            rows: options.rows.unwrap_or(DEFAULT_EMULATOR_ROWS),
            ..Config::default()
        };
        if let Some(today) = options.today {
            config.today = today;
        }
        return Ok(Source::Emulator(Box::new(config)));
    }
    let authority_host = env("AZURE_AUTHORITY_HOST")
        .map(|host| host.trim().to_owned())
        .filter(|host| !host.is_empty());
    if let Some(path) = &options.tenants {
        let lines = tenants::read(path)?;
        let apps = tenants::resolve(&lines, options.shard, &path.display().to_string(), env)?;
        return Ok(Source::Graph(
            apps.into_iter()
                .map(|app| {
                    let credentials = Credentials::ClientSecret {
                        tenant_id: app.tenant_id.clone(),
                        client_id: app.client_id,
                        client_secret: app.secret,
                        authority_host: authority_host.clone(),
                    };
                    (app.tenant_id, credentials)
                })
                .collect(),
        ));
    }
    let tenant = match credentials {
        None => {
            return Err(Failure::usage(format!(
                "no credentials are set, and sync writes synthetic rows only with --emulator; give --tenants FILE, or {SET_CREDENTIALS} (with --tenant-id)"
            )));
        }
        Some(Credentials::ClientSecret { ref tenant_id, .. }) => {
            if options
                .tenant_id
                .as_ref()
                .is_some_and(|given| !given.eq_ignore_ascii_case(tenant_id))
            {
                return Err(Failure::usage(
                    "--tenant-id differs from AZURE_TENANT_ID; give one of them",
                ));
            }
            tenant_id.clone()
        }
        Some(_) => options.tenant_id.clone().ok_or_else(|| {
            Failure::usage(
                "GRAPH_TOKEN does not say which tenant it reads, and the lake keeps tenants apart: give --tenant-id ID",
            )
        })?,
    };
    if tenant.chars().count() > tenants::MAX_ID_CHARS {
        return Err(Failure::usage(format!(
            "the tenant id is longer than the {} characters an id has at most (a GUID or a domain name)",
            tenants::MAX_ID_CHARS
        )));
    }
    if !tenants::id_like(&tenant) {
        return Err(Failure::usage(
            "the tenant id is not a directory's GUID or verified domain: letters, digits, '-', '.' and '_' only",
        ));
    }
    // One spelling per tenant, as for a tenants file: Entra ID ignores case, and so do the
    // file systems of macOS and Windows.
    let tenant = tenant.to_ascii_lowercase();
    let shard_takes_it = options.shard.is_none_or(|shard| shard.takes(0));
    Ok(Source::Graph(
        credentials
            .filter(|_| shard_takes_it)
            .map(|credentials| (tenant, credentials))
            .into_iter()
            .collect(),
    ))
}

/// Starts the emulator if asked for and builds the first tenant's client; the service's
/// today.
async fn connect(
    settings: &ClientSettings,
    today: Option<NaiveDate>,
    source: Source,
) -> Result<(Vec<TenantClient>, Option<Emulator>, NaiveDate), Failure> {
    match source {
        Source::Emulator(config) => {
            let tenant_id = config.tenant_id.clone();
            let today = config.today;
            let emulator = Emulator::start(*config)
                .await
                .map_err(|err| Failure::other("cannot start the local Graph emulator", err))?;
            let client = settings
                .builder()
                .base_url(emulator.base_url())
                .token(Secret::new(emulator.token()))
                .build()?;
            Ok((
                vec![TenantClient {
                    tenant_id,
                    client: Connect::Built(client),
                }],
                Some(emulator),
                today,
            ))
        }
        Source::Graph(tenants) => {
            let today = today.unwrap_or_else(|| chrono::Utc::now().date_naive());
            let mut clients = Vec::with_capacity(tenants.len());
            for (tenant_id, credentials) in tenants {
                let client = if clients.is_empty() {
                    Connect::Built(settings.client(credentials)?)
                } else {
                    Connect::Later(Box::new(credentials))
                };
                clients.push(TenantClient { tenant_id, client });
            }
            Ok((clients, None, today))
        }
    }
}

/// A failure's message and causes, each line escaped (they can quote the server).
fn describe(failure: Failure) -> String {
    match failure {
        Failure::Sdk(error) => error_chain(&error),
        Failure::Other(error) => error_chain(error.as_ref()),
        Failure::Usage(message) | Failure::CommandLine(message) => {
            format!("graph-reports: error: {}\n", escape(&message))
        }
        other => format!("graph-reports: error: {}\n", escape(&format!("{other:?}"))),
    }
}

fn banner(
    options: &SyncOptions,
    tenants: &[TenantClient],
    emulator: Option<&Emulator>,
    skipped: &[(&'static reports_sdk::ReportMeta, String)],
) -> String {
    let lake = options.lake.to_string();
    let lake = escape(&lake);
    let mut text = match (emulator, tenants.first()) {
        (Some(emulator), _) => format!(
            "Syncing into {lake} from the LOCAL GRAPH EMULATOR at {} (tenant {}, synthetic rows), because --emulator asked for it.\n",
            escape(&emulator.base_url()),
            escape(&emulator.config().tenant_id)
        ),
        (None, Some(first)) => format!(
            "Syncing {} tenant(s) into {lake} from Microsoft Graph at {} (cloud {}, API {}).\n",
            tenants.len(),
            match &first.client {
                Connect::Built(client) => escape(client.base_url()),
                Connect::Later(_) => "its endpoint".into(),
            },
            options.cloud,
            options.version
        ),
        (None, None) => format!("No tenant of this shard to sync into {lake}.\n"),
    };
    for (meta, reason) in skipped {
        text.push_str(&format!("  left out {}: {}\n", meta.id, escape(reason)));
    }
    text
}

fn summary(tallies: &[Tally]) -> String {
    let mut text = String::from("\n");
    for tally in tallies {
        text.push_str(&tally.summary());
    }
    let sum = |count: fn(&Tally) -> usize| tallies.iter().map(count).sum::<usize>();
    text.push_str(&format!(
        "Total: {} tenant(s), {} day(s) written ({} rows), {} unchanged, {} already held, {} failed\n",
        tallies.len(),
        sum(|t| t.written),
        tallies.iter().map(|t| t.rows).sum::<u64>(),
        sum(|t| t.unchanged),
        sum(|t| t.held),
        sum(|t| t.failures),
    ));
    text
}
