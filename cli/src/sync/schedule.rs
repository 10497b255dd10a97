//! Running many tenants' calls at once, fairly: at most `--concurrency` calls in flight in all
//! and `--tenant-concurrency` per tenant. Graph throttles per tenant, so a `429` pauses that
//! tenant only: its calls wait out `Retry-After` without holding any of the shared permits,
//! and the other tenants go on. The SDK's own retries are told to honour no `Retry-After`
//! (see [`retry_policy`]), so a throttled call comes back here at once instead of sleeping
//! inside the SDK with a permit held.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
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
    /// Set when the tenant's other calls would fail the same way: they are not sent.
    stopped: Mutex<Option<Stop>>,
    /// `429`s (and other answers with `Retry-After`) waited out.
    pub waits: AtomicU64,
}

/// Why a tenant's remaining calls are not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Entra ID refused the sign-in in a way that does not heal by itself (a wrong secret, an
    /// unknown tenant or app, no consent).
    SignedOut,
    /// Graph asked the tenant to wait longer than [`LONGEST_WAIT`]: every call sent before
    /// then would get a `429` of its own.
    ThrottledTooLong(Duration),
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::SignedOut => f.write_str("the sign-in was refused"),
            Stop::ThrottledTooLong(wait) => write!(
                f,
                "Graph asked to wait {} s, longer than the {} s waited out at most; run again later",
                wait.as_secs(),
                LONGEST_WAIT.as_secs()
            ),
        }
    }
}

/// Why a call was not made or did not end well.
#[derive(Debug)]
pub enum NotDone {
    /// It failed.
    Failed(Failure),
    /// An earlier call of the tenant stopped it; this one was not sent.
    NotTried(Stop),
}

impl Gate {
    /// A tenant with `concurrency` calls in flight at most.
    pub fn new(concurrency: usize) -> Gate {
        Gate {
            permits: Semaphore::new(concurrency.max(1)),
            paused_until: Mutex::new(None),
            stopped: Mutex::new(None),
            waits: AtomicU64::new(0),
        }
    }

    /// Why the tenant's calls are no longer sent, if they are not.
    pub fn stopped(&self) -> Option<Stop> {
        *self.stopped.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn stop(&self, why: Stop) {
        self.stopped
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert(why);
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
            return Err(NotDone::Failed(Failure::usage("the run's permits closed")));
        };
        let mut waited = 0;
        loop {
            self.wait_while_paused().await;
            if let Some(why) = self.stopped() {
                return Err(NotDone::NotTried(why));
            }
            let Ok(run) = shared.acquire().await else {
                return Err(NotDone::Failed(Failure::usage("the run's permits closed")));
            };
            // Another call of the tenant may have been throttled while this one waited for the
            // run's permit: sent now, it would only earn a 429 and spend a retry. The permit
            // goes back to the other tenants while this one waits.
            if self.is_paused() {
                drop(run);
                continue;
            }
            if let Some(why) = self.stopped() {
                return Err(NotDone::NotTried(why));
            }
            let outcome = call().await;
            drop(run);
            let failure = match outcome {
                Ok(value) => return Ok(value),
                Err(failure) => failure,
            };
            let Failure::Sdk(error) = &failure else {
                return Err(NotDone::Failed(failure));
            };
            if error.kind() == ErrorKind::Token && sign_in_cannot_heal(error.status()) {
                self.stop(Stop::SignedOut);
                return Err(NotDone::Failed(failure));
            }
            // A sign-in Entra ID answered 429 or 5xx to fails this call only (its other calls
            // sign in again), or is waited out like Graph's throttling when it says how long.
            let wait = match error.retry_after() {
                Some(wait) if wait <= LONGEST_WAIT => wait,
                Some(wait) => {
                    self.stop(Stop::ThrottledTooLong(wait));
                    return Err(NotDone::Failed(failure));
                }
                None => return Err(NotDone::Failed(failure)),
            };
            if waited >= throttle_retries {
                return Err(NotDone::Failed(Failure::other(
                    format!(
                        "Graph still throttled the call after {waited} wait(s) of its Retry-After (--throttle-retries, at most {})",
                        crate::sync_args::MAX_THROTTLE_RETRIES
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

    fn is_paused(&self) -> bool {
        self.paused_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some_and(|until| until > Instant::now())
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

/// Whether a failed sign-in (an [`ErrorKind::Token`] error with the token endpoint's `status`)
/// will fail the same way on every call: Entra ID's 4xx refusals (`invalid_client`, an
/// unknown tenant, no consent) and a token provider that failed without a status do; its
/// `408`, `429` and `5xx` are passing trouble, and a later call may sign in.
pub fn sign_in_cannot_heal(status: Option<u16>) -> bool {
    !matches!(status, Some(408 | 429 | 500..=599))
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

    #[tokio::test]
    async fn a_call_waiting_for_the_run_permit_does_not_go_out_into_a_pause() {
        let shared = Semaphore::new(1);
        let gate = Gate::new(1);
        let Ok(held) = shared.try_acquire() else {
            panic!("no permit");
        };
        let started = Instant::now();
        let (sent, ()) = tokio::join!(
            gate.run(&shared, 0, || async { Ok::<_, Failure>(Instant::now()) }),
            async {
                // The call waits for the run's permit; meanwhile another call of the tenant
                // is throttled.
                tokio::time::sleep(Duration::from_millis(50)).await;
                gate.pause_for(Duration::from_millis(400));
                tokio::time::sleep(Duration::from_millis(50)).await;
                drop(held);
            },
        );
        let sent = sent.unwrap();
        assert!(
            sent - started >= Duration::from_millis(400),
            "sent {:?} after the start, inside the pause",
            sent - started
        );
    }

    #[test]
    fn only_a_refusal_stops_a_tenant_passing_sign_in_trouble_does_not() {
        for status in [Some(400), Some(401), Some(403), Some(404), None] {
            assert!(sign_in_cannot_heal(status), "{status:?}");
        }
        for status in [
            Some(408),
            Some(429),
            Some(500),
            Some(502),
            Some(503),
            Some(504),
        ] {
            assert!(!sign_in_cannot_heal(status), "{status:?}");
        }
    }

    #[tokio::test]
    async fn a_stopped_tenant_sends_nothing_more() {
        let shared = Semaphore::new(1);
        let gate = Gate::new(1);
        gate.stop(Stop::ThrottledTooLong(Duration::from_secs(900)));
        let sent = std::sync::atomic::AtomicBool::new(false);
        let outcome = gate
            .run(&shared, 0, || async {
                sent.store(true, Ordering::SeqCst);
                Ok::<_, Failure>(())
            })
            .await;
        assert!(matches!(
            outcome,
            Err(NotDone::NotTried(Stop::ThrottledTooLong(_)))
        ));
        assert!(!sent.load(Ordering::SeqCst));
    }
}
