//! `cargo run -p graph-emulator -- [--port N] [--download-port N] [--rows N] [--token T]`:
//! runs the emulator until Ctrl-C, so any HTTP client (curl, another SDK) can be pointed at it.

use std::process::ExitCode;

use graph_emulator::{Config, Emulator};

const USAGE: &str = "usage: graph-emulator [--port N] [--download-port N] [--rows N] [--page-size N] [--token TOKEN]

Serves the Microsoft Graph usage reports of the SDK's catalogue on 127.0.0.1 until Ctrl-C.
  --port N           the Graph API listener's port (default: any free port)
  --download-port N  the download listener's port (default: any free port)
  --rows N           rows per report (default 5)
  --page-size N      rows per beta JSON page (default 200)
  --token TOKEN      the bearer token to accept (default emulator-token)";

fn parse(arguments: &[String]) -> Result<Option<Config>, String> {
    let mut config = Config::default();
    let mut rest = arguments.iter();
    while let Some(flag) = rest.next() {
        if flag == "--help" || flag == "-h" {
            return Ok(None);
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
            other => return Err(format!("unknown flag `{other}`")),
        }
    }
    Ok(Some(config))
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
        Err(err) => {
            eprintln!("graph-emulator: cannot listen on 127.0.0.1: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", emulator.base_url());
    eprintln!(
        "Graph usage reports emulator at {} (downloads on {}), token {:?}. Try:\n  curl -i -H 'Authorization: Bearer {}' {}/v1.0/reports/getOffice365ActivationCounts\nCtrl-C stops it.",
        emulator.base_url(),
        emulator.download_address(),
        emulator.token(),
        emulator.token(),
        emulator.base_url()
    );
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
        assert!(parse(&args(&["--help"])).unwrap().is_none());
    }

    #[test]
    fn bad_flags_are_named() {
        for (arguments, message) in [
            (&["--port"][..], "--port needs a value"),
            (&["--port", "70000"], "--port: 70000 is not a port number"),
            (&["--rows", "many"], "--rows: `many` is not a whole number"),
            (&["--page-size", "0"], "--page-size must be at least 1"),
            (&["--colour", "red"], "unknown flag `--colour`"),
        ] {
            assert_eq!(parse(&args(arguments)).unwrap_err(), message);
        }
    }
}
