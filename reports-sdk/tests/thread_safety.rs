//! Compile-time checks, not run-time tests: this file stops compiling if the client or the
//! values it hands out can no longer cross threads and tasks. Each `const` below calls a
//! generic `const fn` whose bounds the compiler checks at the call, so the checks hold as soon
//! as `cargo test` builds this target; there is deliberately no `#[test]` to run.

use reports_sdk::office365::Office365ActivationCountsRow;
use reports_sdk::{Client, Error, ReportRequest, RowStream};

/// A client is cloned into every task that uses it, and shared between threads.
const fn assert_shareable<T: Clone + Send + Sync + 'static>() {}

/// Requests and row streams are moved into spawned tasks (`tokio::spawn` needs `Send`).
const fn assert_sendable<T: Send + 'static>() {}

/// Errors go through `?` into `Box<dyn Error + Send + Sync>` and `anyhow::Error`.
const fn assert_std_error<T: std::error::Error + Send + Sync + 'static>() {}

const _: () = assert_shareable::<Client>();
const _: () = assert_sendable::<ReportRequest<Office365ActivationCountsRow>>();
const _: () = assert_sendable::<RowStream<Office365ActivationCountsRow>>();
const _: () = assert_std_error::<Error>();
