//! A local stand-in for the Microsoft Graph usage reports API.
//!
//! It serves **every report in the SDK's catalogue**, driven by the same metadata the SDK is
//! generated from (no per-report code), the way Graph does: the report call checks the bearer
//! token and the parameters, then answers `302` to a one-time, expiring download URL on a second
//! listener that refuses any request carrying `Authorization`; beta `$format=application/json`
//! answers `200` with pages linked by `@odata.nextLink`; `ETag`/`If-None-Match` give `304`; errors
//! are Graph error JSON. Report bodies are deterministic synthetic data ([`data::generate`]) that
//! reads like a real tenant's ([`tenant`]: its users at `contoso.onmicrosoft.com`, licence
//! products, consistent flags and dates, one row per day for per-day reports); [`Config::quirks`]
//! serves a stress mix instead (commas, quotes and line breaks in cells, unrelated values), and
//! [`Faults`] and [`Drift`] make the service misbehave or change its files on purpose.
//!
//! A third listener, the authority host ([`Emulator::authority_host`]), plays Microsoft Entra
//! ID's token endpoint for the OAuth 2.0 client-credentials grant: it issues opaque, expiring
//! access tokens to the app registration in [`Config`] (`tenant_id`, `client_id`,
//! `client_secret`, scope `{graph_resource}/.default`), refuses anything else with Entra ID's
//! `AADSTS` error JSON, and the Graph listener accepts those tokens besides the static one.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let emulator = graph_emulator::Emulator::start(graph_emulator::Config::default()).await?;
//! println!("Graph at {} (token {:?})", emulator.base_url(), emulator.token());
//! println!("Tokens from {}", emulator.token_url());
//! # Ok(())
//! # }
//! ```

pub mod data;
mod graph_error;
mod login;
mod path;
mod quirks;
mod random;
mod realistic;
mod roles;
mod server;
pub mod tenant;
mod window;

pub use data::{Cell, DataOptions, Drift, EXTRA_COLUMN, Table};
pub use path::{ReportCall, parse_call};
pub use server::{Config, Emulator, Faults, Stats};
