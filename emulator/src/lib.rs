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
//! It can serve several tenants at once, for multi-tenant tools: [`Config::more_tenants`] adds
//! [`TenantApp`]s, each with its own app registration at its own token endpoint
//! ([`Emulator::token_url_for`]). The same three listeners serve them all: an issued token is
//! bound to its tenant, and report calls made with it get that tenant's data, which differs
//! from every other tenant's and is the same on every call (the configured tenant's data is
//! exactly what a one-tenant emulator serves; the static token is that tenant's).
//! [`TenantApp::throttle_first`] throttles one tenant alone, and [`Emulator::tenant_stats`]
//! counts what each tenant's calls saw.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use graph_emulator::{Config, Emulator, TenantApp};
//!
//! let config = Config {
//!     more_tenants: (1..3).map(TenantApp::numbered).collect(),
//!     ..Config::default()
//! };
//! let emulator = Emulator::start(config).await?;
//! println!("Graph at {} (token {:?})", emulator.base_url(), emulator.token());
//! for tenant in emulator.tenant_ids() {
//!     println!("Tokens for {tenant} from {}", emulator.token_url_for(&tenant));
//! }
//! # Ok(())
//! # }
//! ```

mod config;
mod counters;
pub mod data;
mod directory;
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

pub use config::{Config, Faults, TenantApp};
pub use counters::Stats;
pub use data::{Cell, DataOptions, Drift, EXTRA_COLUMN, Table};
pub use path::{ReportCall, parse_call};
pub use server::Emulator;
