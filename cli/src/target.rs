//! Where the reports come from: Microsoft Graph when a token is given, otherwise the embedded
//! emulator, so the command works on a fresh clone with no account.

use chrono::NaiveDate;
use graph_emulator::{Config, Emulator};
use reports_sdk::{Client, Secret};

use crate::args::Options;
use crate::failure::Failure;

/// Rows per report in the emulator unless `--rows` says otherwise: enough to make the tables
/// and totals worth reading.
pub const DEFAULT_EMULATOR_ROWS: usize = 25;

/// The environment variable holding the access token.
pub const TOKEN_VARIABLE: &str = "GRAPH_TOKEN";

/// The endpoint chosen, before anything is started.
#[derive(Debug)]
pub enum Target {
    /// The embedded emulator, with this configuration.
    Emulator(Box<Config>),
    /// Microsoft Graph (or `--base-url`), with this bearer token.
    Graph {
        /// The token from the environment (a `Secret`, so `Debug` never shows it).
        token: Secret,
    },
}

/// A client ready to use, and the emulator serving it, if any (dropping it stops it).
#[derive(Debug)]
pub struct Connection {
    /// The SDK client.
    pub client: Client,
    /// The running emulator.
    pub emulator: Option<Emulator>,
}

impl Target {
    /// Chooses from the token (`None` when the variable is unset or empty) and the flags.
    pub fn choose(options: &Options, token: Option<Secret>) -> Result<Target, Failure> {
        match token {
            Some(token) => {
                if options.rows.is_some() {
                    return Err(Failure::usage(format!(
                        "--rows sets the emulator's rows; with {TOKEN_VARIABLE} set the reports come from Microsoft Graph"
                    )));
                }
                Ok(Target::Graph { token })
            }
            None if options.base_url.is_some() => Err(Failure::usage(format!(
                "--base-url needs a token: set {TOKEN_VARIABLE} to an access token with Reports.Read.All"
            ))),
            None => Ok(Target::Emulator(Box::new(Config {
                rows: options.rows.unwrap_or(DEFAULT_EMULATOR_ROWS),
                ..Config::default()
            }))),
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
                })
            }
            Target::Graph { token } => {
                let builder = match &options.base_url {
                    Some(base_url) => builder.base_url(base_url.clone()),
                    None => builder,
                };
                Ok(Connection {
                    client: builder.token(token).build()?,
                    emulator: None,
                })
            }
        }
    }
}

/// The token from the environment: unset and empty both mean none.
pub fn token_from_env() -> Result<Option<Secret>, Failure> {
    match std::env::var(TOKEN_VARIABLE) {
        Ok(token) if token.trim().is_empty() => Ok(None),
        Ok(token) => Ok(Some(Secret::new(token.trim()))),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(Failure::usage(format!(
            "{TOKEN_VARIABLE} is not valid UTF-8"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let target = Target::choose(&Options::default(), Some(Secret::new("t"))).unwrap();
        assert!(matches!(target, Target::Graph { token } if token.expose() == "t"));
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
        assert!(message.contains("needs a token"), "{message}");
    }

    #[test]
    fn rows_only_apply_to_the_emulator() {
        let options = Options {
            rows: Some(3),
            ..Options::default()
        };
        assert!(matches!(
            Target::choose(&options, Some(Secret::new("t"))),
            Err(Failure::Usage(_))
        ));
    }
}
