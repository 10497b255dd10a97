//! A local stand-in for the Microsoft Graph usage reports API.
//!
//! It serves **every report in the SDK's catalogue**, driven by the same metadata the SDK is
//! generated from (no per-report code), the way Graph does: the report call checks the bearer
//! token and the parameters, then answers `302` to a one-time, expiring download URL on a second
//! listener that refuses any request carrying `Authorization`; beta `$format=application/json`
//! answers `200` with pages linked by `@odata.nextLink`; `ETag`/`If-None-Match` give `304`; errors
//! are Graph error JSON. Report bodies are deterministic synthetic data ([`data::generate`]), and
//! [`Faults`] and [`Drift`] make the service misbehave or change its files on purpose.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let emulator = graph_emulator::Emulator::start(graph_emulator::Config::default()).await?;
//! println!("Graph at {} (token {:?})", emulator.base_url(), emulator.token());
//! # Ok(())
//! # }
//! ```

pub mod data;
mod graph_error;
mod path;
mod server;

pub use data::{Cell, DataOptions, Drift, EXTRA_COLUMN, Table};
pub use path::{ReportCall, parse_call};
pub use server::{Config, Emulator, Faults, Stats};
