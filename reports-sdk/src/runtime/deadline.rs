//! The deadline of one whole call: the report request, its retries and their waits, the
//! download and every JSON page, until the last byte. Timeouts per request bound silence or
//! one request; only this bounds a server that trickles a byte at a time, or keeps asking to
//! wait.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::error::Error;
use super::limits::{Limits, limit_error};

#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    /// `None`: no deadline (or one so far off the clock cannot hold it).
    at: Option<Instant>,
    limit: Duration,
}

impl Deadline {
    /// Starts the clock of a call now.
    pub(crate) fn start(limits: &Limits) -> Self {
        let limit = limits.call_deadline().unwrap_or(Duration::MAX);
        Deadline {
            at: limits
                .call_deadline()
                .and_then(|limit| Instant::now().checked_add(limit)),
            limit,
        }
    }

    /// Runs `work`, failing with a [`Limit`](super::error::ErrorKind::Limit) error naming
    /// `doing` if the deadline passes first.
    pub(crate) async fn bound<F: Future>(&self, doing: &str, work: F) -> Result<F::Output, Error> {
        match self.at {
            None => Ok(work.await),
            Some(at) => tokio::time::timeout_at(at, work)
                .await
                .map_err(|_| self.exceeded(doing)),
        }
    }

    /// Sleeps `wait` before a retry, or fails at once if the deadline would pass meanwhile:
    /// sleeping only to fail later helps no one. `cause` is why a retry is needed.
    pub(crate) async fn sleep(&self, wait: Duration, cause: Error) -> Result<(), Error> {
        if let Some(at) = self.at
            && Instant::now()
                .checked_add(wait)
                .is_none_or(|wake| wake > at)
        {
            let mut error = self
                .exceeded(&format!(
                    "waiting {} to retry would pass it (the last attempt: {})",
                    seconds(wait),
                    cause.message()
                ))
                .with_retry_after(cause.retry_after());
            if let Some(status) = cause.status() {
                error = error.with_status(status);
            }
            if let Some(report) = cause.report() {
                error = error.with_report(report);
            }
            return Err(error.with_source(cause));
        }
        tokio::time::sleep(wait).await;
        Ok(())
    }

    fn exceeded(&self, doing: &str) -> Error {
        limit_error(
            format!("the call did not finish within its deadline: {doing}"),
            "deadline",
            seconds(self.limit),
        )
    }
}

/// `1800 s`, `1.5 s`, `20 ms`: the units the limits are set in.
fn seconds(duration: Duration) -> String {
    if duration.subsec_nanos() == 0 {
        format!("{} s", duration.as_secs())
    } else if duration.as_secs() == 0 {
        format!("{} ms", duration.as_millis())
    } else {
        format!("{:.1} s", duration.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[tokio::test]
    async fn work_past_the_deadline_is_a_limit_error_naming_it() {
        let deadline =
            Deadline::start(&Limits::default().deadline(Some(Duration::from_millis(20))));
        let error = deadline
            .bound("downloading", tokio::time::sleep(Duration::from_secs(5)))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Limit);
        assert!(error.message().contains("deadline: downloading"), "{error}");
        assert!(error.message().contains("20 ms"), "{error}");
        assert!(error.message().contains("Limits::deadline"), "{error}");
    }

    #[tokio::test]
    async fn a_wait_past_the_deadline_fails_at_once() {
        let deadline = Deadline::start(&Limits::default().deadline(Some(Duration::from_secs(60))));
        let cause = Error::new(ErrorKind::Throttled, "throttled")
            .with_status(429)
            .with_retry_after(Some(Duration::from_secs(120)));
        let started = std::time::Instant::now();
        let error = deadline
            .sleep(Duration::from_secs(120), cause)
            .await
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(error.kind(), ErrorKind::Limit);
        assert_eq!(error.status(), Some(429));
        assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
        assert!(
            error.message().contains("waiting 120 s to retry"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn no_deadline_never_fails() {
        let deadline = Deadline::start(&Limits::default().deadline(None));
        assert!(deadline.bound("x", async { 1 }).await.is_ok());
        let huge = Deadline::start(&Limits::default().deadline(Some(Duration::MAX)));
        assert!(huge.bound("x", async { 1 }).await.is_ok());
    }
}
