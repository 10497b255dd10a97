//! Where the reports come from: Microsoft Graph when credentials are set (an app registration's
//! `AZURE_*` variables, or `GRAPH_TOKEN`), otherwise the embedded emulator, so the command works
//! on a fresh clone with no account. Synthetic rows never reach `--out` unless the emulator was
//! asked for by name.

use chrono::NaiveDate;
use graph_emulator::{Config, Emulator};
use reports_sdk::Client;
pub use reports_sdk::Credentials;

use crate::failure::Failure;
use crate::options::Options;

/// Users (groups, sites, apps) in the emulated tenant unless `--rows` says otherwise: enough to
/// make the tables and totals worth reading.
pub const DEFAULT_EMULATOR_ROWS: usize = 25;

/// What to set to read Microsoft Graph, for messages.
pub const SET_CREDENTIALS: &str = "set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (an app registration with the Reports.Read.All application permission), or GRAPH_TOKEN to an access token";

/// The variables credentials are read from, checked for UTF-8 before use.
const VARIABLES: &[&str] = &[
    "GRAPH_TOKEN",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_AUTHORITY_HOST",
];

/// The endpoint chosen, before anything is started.
#[derive(Debug)]
pub enum Target {
    /// The embedded emulator, with this configuration.
    Emulator(Box<Config>),
    /// Microsoft Graph (or `--base-url`), signing in with these credentials.
    Graph {
        /// From the environment (`Debug` never shows a secret).
        credentials: Credentials,
    },
}

/// A client ready to use, and the emulator serving it, if any (dropping it stops it).
#[derive(Debug)]
pub struct Connection {
    /// The SDK client.
    pub client: Client,
    /// The running emulator.
    pub emulator: Option<Emulator>,
    /// Who signs in, for the banner: `None` for the emulator.
    pub identity: Option<String>,
}

impl Target {
    /// Chooses from the credentials (`None` when none is set) and the flags.
    pub fn choose(options: &Options, credentials: Option<Credentials>) -> Result<Target, Failure> {
        let emulator = || {
            Ok(Target::Emulator(Box::new(Config {
                rows: options.rows.unwrap_or(DEFAULT_EMULATOR_ROWS),
                ..Config::default()
            })))
        };
        if options.emulator {
            if options.base_url.is_some() {
                return Err(Failure::usage(
                    "--emulator and --base-url name two endpoints; give one of them",
                ));
            }
            return emulator();
        }
        match credentials {
            Some(credentials) => {
                if options.rows.is_some() {
                    return Err(Failure::usage(
                        "--rows sets the emulator's rows; with credentials set the reports come from Microsoft Graph (add --emulator to use the emulator anyway)",
                    ));
                }
                Ok(Target::Graph { credentials })
            }
            None if options.base_url.is_some() => Err(Failure::usage(format!(
                "--base-url needs credentials: {SET_CREDENTIALS}"
            ))),
            None if options.output.is_some() => Err(Failure::usage(format!(
                "no credentials are set, so the reports would come from the embedded emulator, whose synthetic rows are written to --out or --out-dir only with --emulator; to read Microsoft Graph, {SET_CREDENTIALS}"
            ))),
            None => emulator(),
        }
    }

    /// The service's today: the emulator's own, or the real one.
    pub fn today(&self) -> NaiveDate {
        match self {
            Target::Emulator(config) => config.today,
            Target::Graph { .. } => chrono::Utc::now().date_naive(),
        }
    }

    /// Starts the emulator if needed and builds the client.
    pub async fn connect(self, options: &Options) -> Result<Connection, Failure> {
        let builder = Client::builder()
            .cloud(options.cloud)
            .version(options.version);
        match self {
            Target::Emulator(config) => {
                let emulator = Emulator::start(*config)
                    .await
                    .map_err(|err| Failure::other("cannot start the local Graph emulator", err))?;
                let client = builder
                    .base_url(emulator.base_url())
                    .token(emulator.token())
                    .build()?;
                Ok(Connection {
                    client,
                    emulator: Some(emulator),
                    identity: None,
                })
            }
            Target::Graph { credentials } => {
                let builder = match &options.base_url {
                    Some(base_url) => builder.base_url(base_url.clone()),
                    None => builder,
                };
                let identity = match &credentials {
                    Credentials::ClientSecret {
                        tenant_id,
                        client_id,
                        ..
                    } => format!(
                        "signing in as app {client_id} in tenant {tenant_id} (AZURE_* variables)"
                    ),
                    _ => "with the token in GRAPH_TOKEN".to_owned(),
                };
                Ok(Connection {
                    client: builder.credentials(credentials).build()?,
                    emulator: None,
                    identity: Some(identity),
                })
            }
        }
    }
}

/// The credentials in the environment: `None` when none is set; a partial set, both kinds or
/// a value that is not UTF-8 is a bad command line.
pub fn credentials_from_env() -> Result<Option<Credentials>, Failure> {
    for name in VARIABLES {
        if let Err(std::env::VarError::NotUnicode(_)) = std::env::var(name) {
            return Err(Failure::usage(format!("{name} is not valid UTF-8")));
        }
    }
    Credentials::from_vars(|name| std::env::var(name).ok())
        .map_err(|error| Failure::usage(error.message().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> Option<Credentials> {
        Some(Credentials::Token(reports_sdk::Secret::new("t")))
    }

    #[test]
    fn no_token_means_the_emulator() {
        let options = Options {
            rows: Some(3),
            ..Options::default()
        };
        match Target::choose(&options, None).unwrap() {
            Target::Emulator(config) => assert_eq!(config.rows, 3),
            other => panic!("{other:?}"),
        }
        match Target::choose(&Options::default(), None).unwrap() {
            Target::Emulator(config) => assert_eq!(config.rows, DEFAULT_EMULATOR_ROWS),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_token_means_graph() {
        let target = Target::choose(&Options::default(), token()).unwrap();
        assert!(
            matches!(target, Target::Graph { credentials } if Some(credentials.clone()) == token())
        );
    }

    #[test]
    fn a_base_url_without_a_token_is_refused() {
        let options = Options {
            base_url: Some("https://proxy.example".to_owned()),
            ..Options::default()
        };
        let Err(Failure::Usage(message)) = Target::choose(&options, None) else {
            panic!("accepted");
        };
        assert!(message.contains("needs credentials"), "{message}");
    }

    #[test]
    fn rows_only_apply_to_the_emulator() {
        let options = Options {
            rows: Some(3),
            ..Options::default()
        };
        assert!(matches!(
            Target::choose(&options, token()),
            Err(Failure::Usage(_))
        ));
    }

    #[test]
    fn synthetic_rows_reach_out_only_when_the_emulator_is_asked_for() {
        let out = Some(crate::output::Output {
            place: crate::output::Place::File("rows.csv".into()),
            content: crate::output::Content::Rows(crate::out_format::OutFormat::Csv),
        });
        let options = Options {
            output: out.clone(),
            ..Options::default()
        };
        let Err(Failure::Usage(message)) = Target::choose(&options, None) else {
            panic!("synthetic rows would be written");
        };
        assert!(message.contains("only with --emulator"), "{message}");
        let options = Options {
            output: out,
            emulator: true,
            ..Options::default()
        };
        assert!(matches!(
            Target::choose(&options, token()).unwrap(),
            Target::Emulator(_)
        ));
    }

    #[test]
    fn the_emulator_and_a_base_url_exclude_each_other() {
        let options = Options {
            emulator: true,
            base_url: Some("https://proxy.example".to_owned()),
            ..Options::default()
        };
        assert!(matches!(
            Target::choose(&options, None),
            Err(Failure::Usage(_))
        ));
    }
}
