//! Running many tenants' calls at once, fairly: at most `--concurrency` calls in flight in all
//! and `--tenant-concurrency` per tenant. Graph throttles per tenant, so a `429` pauses that
//! tenant only: its calls wait out `Retry-After` without holding any of the shared permits,
//! and the other tenants go on. The SDK's own retries are told to honour no `Retry-After`
//! (see [`retry_policy`]), so a throttled call comes back here at once instead of sleeping
//! inside the SDK with a permit held.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use reports_sdk::{ErrorKind, RetryPolicy};
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::failure::Failure;

/// The longest `Retry-After` waited out; a longer one fails the call, as the SDK's default
/// policy does.
pub const LONGEST_WAIT: Duration = Duration::from_secs(300);

/// The SDK's retry policy for sync: its default for unavailable answers and broken
/// connections, but no `Retry-After` honoured inside the SDK, so throttling reaches
/// [`Gate::run`].
pub fn retry_policy() -> RetryPolicy {
    RetryPolicy::default().max_retry_after(Duration::ZERO)
}

/// One tenant's share of the run.
#[derive(Debug)]
pub struct Gate {
    permits: Semaphore,
    paused_until: Mutex<Option<Instant>>,
    /// Set when the tenant's sign-in failed: its other calls would fail the same way.
    signed_out: AtomicBool,
    /// `429`s (and other answers with `Retry-After`) waited out.
    pub waits: AtomicU64,
}

/// Why a call was not made or did not end well.
#[derive(Debug)]
pub enum NotDone {
    /// It failed.
    Failed(Failure),
    /// An earlier call of the tenant could not sign in; this one was not tried.
    NotTried,
}

impl Gate {
    /// A tenant with `concurrency` calls in flight at most.
    pub fn new(concurrency: usize) -> Gate {
        Gate {
            permits: Semaphore::new(concurrency.max(1)),
            paused_until: Mutex::new(None),
            signed_out: AtomicBool::new(false),
            waits: AtomicU64::new(0),
        }
    }

    /// Runs `call` once the tenant and the run have room for it; waits out throttling up to
    /// `throttle_retries` times, with the tenant paused and the run's permit released.
    pub async fn run<T, F, Fut>(
        &self,
        shared: &Semaphore,
        throttle_retries: u32,
        call: F,
    ) -> Result<T, NotDone>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        // Closed never: the semaphores live as long as the run.
        let Ok(_tenant) = self.permits.acquire().await else {
            return Err(NotDone::NotTried);
        };
        let mut waited = 0;
        loop {
            self.wait_while_paused().await;
            if self.signed_out.load(Ordering::SeqCst) {
                return Err(NotDone::NotTried);
            }
            let outcome = {
                let Ok(_run) = shared.acquire().await else {
                    return Err(NotDone::NotTried);
                };
                call().await
            };
            let failure = match outcome {
                Ok(value) => return Ok(value),
                Err(failure) => failure,
            };
            let Failure::Sdk(error) = &failure else {
                return Err(NotDone::Failed(failure));
            };
            if error.kind() == ErrorKind::Token {
                self.signed_out.store(true, Ordering::SeqCst);
                return Err(NotDone::Failed(failure));
            }
            let wait = match error.retry_after() {
                Some(wait) if wait <= LONGEST_WAIT => wait,
                _ => return Err(NotDone::Failed(failure)),
            };
            if waited >= throttle_retries {
                return Err(NotDone::Failed(Failure::other(
                    format!(
                        "Graph still throttled the call after {waited} wait(s) of its Retry-After (--throttle-retries)"
                    ),
                    failure_source(failure),
                )));
            }
            waited += 1;
            self.waits.fetch_add(1, Ordering::SeqCst);
            self.pause_for(wait);
        }
    }

    /// Every call of the tenant waits until at least `wait` from now.
    fn pause_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut paused = self
            .paused_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *paused = Some(paused.map_or(until, |earlier| earlier.max(until)));
    }

    async fn wait_while_paused(&self) {
        loop {
            let until = *self
                .paused_until
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            match until {
                Some(until) if until > Instant::now() => tokio::time::sleep_until(until).await,
                _ => return,
            }
        }
    }
}

/// The error under a failure, kept as the cause of the one that wraps it.
fn failure_source(failure: Failure) -> Box<dyn std::error::Error + Send + Sync> {
    match failure {
        Failure::Sdk(error) => Box::new(error),
        Failure::Other(error) => error,
        other => format!("{other:?}").into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_paused_tenant_holds_no_shared_permit() {
        let shared = Semaphore::new(1);
        let gate = Gate::new(1);
        gate.pause_for(Duration::from_millis(600));
        let other = Gate::new(1);
        // The paused tenant waits; the other one gets the only shared permit meanwhile.
        let started = Instant::now();
        let (paused, free) = tokio::join!(
            gate.run(&shared, 0, || async { Ok::<_, Failure>(Instant::now()) }),
            other.run(&shared, 0, || async { Ok::<_, Failure>(Instant::now()) }),
        );
        let (paused, free) = (paused.unwrap(), free.unwrap());
        assert!(
            free - started < Duration::from_millis(300),
            "{:?}",
            free - started
        );
        assert!(paused - started >= Duration::from_millis(600));
    }
}
