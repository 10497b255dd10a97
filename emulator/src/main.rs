//! `cargo run -p graph-emulator -- [--port N] [--download-port N] [--rows N] [--quirks] [--token T]
//! [--login-port N] [--tenant-id ID] [--client-id ID] [--client-secret S] [--token-lifetime-secs N]
//! [--tenants N] [--today YYYY-MM-DD]`: runs the emulator until Ctrl-C, so any HTTP client (curl,
//! another SDK, the CLI's app sign-in) can be pointed at it.
//!
//! Standard output: the Graph endpoint on the first line, then the app sign-in settings as
//! `AZURE_AUTHORITY_HOST=`, `AZURE_TENANT_ID=`, `AZURE_CLIENT_ID=` and `AZURE_CLIENT_SECRET=`
//! lines, ready to be exported. With `--tenants N`, the other tenants follow as
//! `AZURE_TENANT_ID_1=`, `AZURE_CLIENT_ID_1=`, `AZURE_CLIENT_SECRET_1=` ... up to `_{N-1}`,
//! numbered as [`TenantApp::numbered`] numbers them. The secrets are the emulator's own local
//! test values.

use std::process::ExitCode;

use chrono::NaiveDate;
use graph_emulator::{Config, Emulator, TenantApp};

const USAGE: &str = "usage: graph-emulator [--port N] [--download-port N] [--rows N] [--quirks] [--page-size N] [--token TOKEN]
                      [--login-port N] [--tenant-id ID] [--client-id ID] [--client-secret SECRET]
                      [--token-lifetime-secs N] [--tenants N] [--today YYYY-MM-DD]

Serves the Microsoft Graph usage reports of the SDK's catalogue on 127.0.0.1 until Ctrl-C.
  --port N           the Graph API listener's port (default: any free port)
  --download-port N  the download listener's port (default: any free port)
  --rows N           rows of reports listing users, groups or sites (default 5); per-day
                     reports have one row per day of the period
  --quirks           serve the stress mix instead of realistic data: N rows in every report,
                     commas, quotes and line breaks in cells, unrelated values
  --page-size N      rows per beta JSON page (default 200)
  --token TOKEN      the static bearer token to accept (default emulator-token)
  --login-port N     the token endpoint's port, the authority host (default: any free port)
  --tenant-id ID     the tenant the token endpoint knows (default 11111111-1111-4111-8111-111111111111)
  --client-id ID     the app it issues tokens to (default 22222222-2222-4222-8222-222222222222)
  --client-secret S  that app's secret, a local test value (default emulator-secret)
  --token-lifetime-secs N
                     how long an issued token is accepted (default 3600)
  --tenants N        serve N tenants (default 1): the one above, then tenants numbered 1 to N-1,
                     each with its own app registration and its own data; their ids and local
                     test secrets are printed as AZURE_TENANT_ID_1=... lines
  --today YYYY-MM-DD the service's today: date arguments must fall in the 30 days before it,
                     and the data's refresh date is the day before (default: today, UTC)";

fn parse(arguments: &[String]) -> Result<Option<Config>, String> {
    let mut config = Config::default();
    let mut rest = arguments.iter();
    while let Some(flag) = rest.next() {
        if flag == "--help" || flag == "-h" {
            return Ok(None);
        }
        if flag == "--quirks" {
            config.quirks = true;
            continue;
        }
        let value = rest.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("{flag}: `{value}` is not a whole number"))
        };
        match flag.as_str() {
            "--port" => config.api_port = port(flag, number()?)?,
            "--download-port" => config.download_port = port(flag, number()?)?,
            "--rows" => config.rows = usize::try_from(number()?).map_err(|err| err.to_string())?,
            "--page-size" => {
                config.page_size = usize::try_from(number()?).map_err(|err| err.to_string())?;
                if config.page_size == 0 {
                    return Err("--page-size must be at least 1".to_owned());
                }
            }
            "--token" => config.token = value.clone(),
            "--login-port" => config.login_port = port(flag, number()?)?,
            "--tenant-id" => config.tenant_id = not_empty(flag, value)?,
            "--client-id" => config.client_id = not_empty(flag, value)?,
            "--client-secret" => config.client_secret = not_empty(flag, value)?,
            "--tenants" => {
                let tenants = usize::try_from(number()?).map_err(|err| err.to_string())?;
                if tenants == 0 {
                    return Err("--tenants must be at least 1".to_owned());
                }
                config.more_tenants = (1..tenants).map(TenantApp::numbered).collect();
            }
            "--today" => {
                config.today = NaiveDate::parse_from_str(value, "%Y-%m-%d")
                    .map_err(|_| format!("--today: `{value}` is not a date (YYYY-MM-DD)"))?;
            }
            "--token-lifetime-secs" => {
                config.token_lifetime = std::time::Duration::from_secs(number()?);
                if config.token_lifetime.is_zero() {
                    return Err("--token-lifetime-secs must be at least 1".to_owned());
                }
            }
            other => return Err(format!("unknown flag `{other}`")),
        }
    }
    Ok(Some(config))
}

/// An empty id or secret could never be sent (Entra ID clients treat empty as missing).
fn not_empty(flag: &str, value: &str) -> Result<String, String> {
    if value.is_empty() {
        return Err(format!("{flag} must not be empty"));
    }
    Ok(value.to_owned())
}

fn port(flag: &str, value: u64) -> Result<u16, String> {
    u16::try_from(value).map_err(|_| format!("{flag}: {value} is not a port number"))
}

#[tokio::main]
async fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse(&arguments) {
        Ok(Some(config)) => config,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("graph-emulator: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let emulator = match Emulator::start(config).await {
        Ok(emulator) => emulator,
        // `--tenant-id` naming one of the numbered tenants: a usage error, not a network one.
        Err(err) if err.kind() == std::io::ErrorKind::InvalidInput => {
            eprintln!("graph-emulator: {err}");
            return ExitCode::from(2);
        }
        Err(err) => {
            eprintln!("graph-emulator: cannot listen on 127.0.0.1: {err}");
            return ExitCode::FAILURE;
        }
    };
    let config = emulator.config();
    // The Graph endpoint stays alone on the first line (scripts read it); the app sign-in
    // settings follow in the environment variables' own names, so they can be exported as is.
    println!("{}", emulator.base_url());
    println!("AZURE_AUTHORITY_HOST={}", emulator.authority_host());
    println!("AZURE_TENANT_ID={}", config.tenant_id);
    println!("AZURE_CLIENT_ID={}", config.client_id);
    println!("AZURE_CLIENT_SECRET={}", config.client_secret);
    // Numbered as `TenantApp::numbered` numbers them, which their ids and secrets end with.
    for (number, app) in (1..).zip(&config.more_tenants) {
        println!("AZURE_TENANT_ID_{number}={}", app.tenant_id);
        println!("AZURE_CLIENT_ID_{number}={}", app.client_id);
        println!("AZURE_CLIENT_SECRET_{number}={}", app.client_secret);
    }
    eprintln!(
        "Graph usage reports emulator at {} (downloads on {}), static token {:?}.\n\
         Token endpoint (client credentials, scope {}): {}\n\
         Tenants served: {}, each at {}/{{tenant}}/oauth2/v2.0/token (the static token is the first's); today is {}.\n\
         The AZURE_CLIENT_SECRET values are the emulator's local test secrets, not credentials for any real tenant.\n\
         Try:\n  curl -i -H 'Authorization: Bearer {}' {}/v1.0/reports/getOffice365ActivationCounts",
        emulator.base_url(),
        emulator.download_address(),
        emulator.token(),
        config.scope(),
        emulator.token_url(),
        1 + config.more_tenants.len(),
        emulator.authority_host(),
        config.today,
        emulator.token(),
        emulator.base_url()
    );
    if !config.more_tenants.is_empty() {
        // The shape of `graph-reports sync --tenants FILE`, each secret read from the
        // environment variable printed above, so the file itself holds none.
        eprintln!("A tenants file for them, once the lines above are exported:");
        eprintln!("tenant_id,client_id,credential");
        eprintln!(
            "{},{},env:AZURE_CLIENT_SECRET",
            config.tenant_id, config.client_id
        );
        for (number, app) in (1..).zip(&config.more_tenants) {
            eprintln!(
                "{},{},env:AZURE_CLIENT_SECRET_{number}",
                app.tenant_id, app.client_id
            );
        }
    }
    eprintln!("Ctrl-C stops it.");
    if let Err(err) = tokio::signal::ctrl_c().await {
        eprintln!("graph-emulator: cannot wait for Ctrl-C: {err}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &[&str]) -> Vec<String> {
        text.iter().map(|arg| (*arg).to_owned()).collect()
    }

    #[test]
    fn flags_set_the_configuration() {
        let config = parse(&args(&["--port", "8080", "--rows", "3", "--token", "t"]))
            .unwrap()
            .unwrap();
        assert_eq!(config.api_port, 8080);
        assert_eq!(config.download_port, 0);
        assert_eq!(config.rows, 3);
        assert_eq!(config.token, "t");
        assert_eq!(config.login_port, 0);
        assert!(!config.quirks, "realistic data unless asked");
        assert!(parse(&args(&["--help"])).unwrap().is_none());
        assert!(parse(&args(&["--quirks"])).unwrap().unwrap().quirks);

        let config = parse(&args(&[
            "--login-port",
            "8081",
            "--tenant-id",
            "tenant",
            "--client-id",
            "app",
            "--client-secret",
            "s3cret",
            "--token-lifetime-secs",
            "5",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(config.login_port, 8081);
        assert_eq!(config.tenant_id, "tenant");
        assert_eq!(config.client_id, "app");
        assert_eq!(config.client_secret, "s3cret");
        assert_eq!(config.token_lifetime, std::time::Duration::from_secs(5));

        let config = parse(&args(&["--tenants", "3", "--today", "2024-02-29"]))
            .unwrap()
            .unwrap();
        let ids: Vec<&str> = config
            .more_tenants
            .iter()
            .map(|app| app.tenant_id.as_str())
            .collect();
        assert_eq!(
            ids,
            [
                TenantApp::numbered(1).tenant_id,
                TenantApp::numbered(2).tenant_id
            ]
        );
        assert_eq!(config.today, NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
        let config = parse(&args(&["--tenants", "1"])).unwrap().unwrap();
        assert!(
            config.more_tenants.is_empty(),
            "one tenant: the configured one"
        );
    }

    #[test]
    fn bad_flags_are_named() {
        for (arguments, message) in [
            (&["--port"][..], "--port needs a value"),
            (&["--port", "70000"], "--port: 70000 is not a port number"),
            (&["--rows", "many"], "--rows: `many` is not a whole number"),
            (&["--page-size", "0"], "--page-size must be at least 1"),
            (
                &["--login-port", "65536"],
                "--login-port: 65536 is not a port number",
            ),
            (
                &["--client-secret", ""],
                "--client-secret must not be empty",
            ),
            (
                &["--token-lifetime-secs", "0"],
                "--token-lifetime-secs must be at least 1",
            ),
            (
                &["--token-lifetime-secs", "1h"],
                "--token-lifetime-secs: `1h` is not a whole number",
            ),
            (&["--tenants", "0"], "--tenants must be at least 1"),
            (
                &["--today", "2024-02-30"],
                "--today: `2024-02-30` is not a date (YYYY-MM-DD)",
            ),
            (&["--colour", "red"], "unknown flag `--colour`"),
        ] {
            assert_eq!(parse(&args(arguments)).unwrap_err(), message);
        }
    }
}
