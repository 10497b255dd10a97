//! When and how long to wait before trying a request again.

use std::time::{Duration, SystemTime};

use chrono::DateTime;
use reqwest::header::{HeaderMap, RETRY_AFTER};

use super::random::random_fraction;

/// How throttled (`429`) and unavailable (`503`, `504`) answers, timeouts and connection
/// failures are retried. Other `4xx` answers are never retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 4 retries, exponential backoff from 500 ms to 30 s with full jitter, and `Retry-After`
    /// honoured up to 5 minutes.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// How many times a request is retried after its first attempt.
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// The backoff ceiling of the first retry when Graph sends no `Retry-After`; it doubles
    /// with each retry up to [`max_backoff`](Self::max_backoff). The wait is drawn uniformly
    /// below the ceiling (full jitter), so many clients do not retry in step.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The largest backoff ceiling.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest `Retry-After` honoured; a longer one fails the request at once, with the
    /// wait in [`Error::retry_after`](crate::Error::retry_after).
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// The number of retries allowed.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The longest `Retry-After` honoured (see [`max_retry_after`](Self::max_retry_after)).
    pub(crate) fn longest_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// How long to wait before retry number `retry` (1-based), or `None` when the budget is
    /// spent or Graph asked for a longer wait than allowed.
    pub(crate) fn wait(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if retry > self.max_retries {
            return None;
        }
        if let Some(wait) = retry_after {
            return (wait <= self.max_retry_after).then_some(wait);
        }
        let doublings = retry.saturating_sub(1).min(31);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1 << doublings)
            .min(self.max_backoff);
        Some(ceiling.mul_f64(random_fraction()))
    }
}

/// `Retry-After` as a number of seconds or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = DateTime::parse_from_rfc2822(value).ok()?;
    let until = SystemTime::from(when);
    Some(
        until
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn retry_after_in_seconds_and_as_a_date() {
        assert_eq!(retry_after(&headers("7")), Some(Duration::from_secs(7)));
        assert_eq!(
            retry_after(&headers("Sun, 06 Nov 1994 08:49:37 GMT")),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        let later =
            chrono::DateTime::<chrono::Utc>::from(SystemTime::now() + Duration::from_secs(120))
                .to_rfc2822();
        let wait = retry_after(&headers(&later)).unwrap();
        assert!(
            wait > Duration::from_secs(100) && wait <= Duration::from_secs(120),
            "{wait:?}"
        );
        assert_eq!(retry_after(&headers("soon")), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn backoff_grows_within_its_ceiling_and_stops_at_the_budget() {
        let policy = RetryPolicy::default()
            .max_retries(3)
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(250));
        for _ in 0..50 {
            assert!(policy.wait(1, None).unwrap() < Duration::from_millis(100));
            assert!(policy.wait(2, None).unwrap() < Duration::from_millis(200));
            assert!(policy.wait(3, None).unwrap() < Duration::from_millis(250));
        }
        assert_eq!(policy.wait(4, None), None);
        assert_eq!(
            policy.wait(1, Some(Duration::from_secs(2))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(policy.wait(1, Some(Duration::from_secs(301))), None);
        assert_eq!(RetryPolicy::none().wait(1, None), None);
    }

    #[test]
    fn jitter_spreads_waits() {
        let policy = RetryPolicy::default();
        let waits: std::collections::BTreeSet<Duration> =
            (0..20).filter_map(|_| policy.wait(3, None)).collect();
        assert!(waits.len() > 10, "{waits:?}");
    }
}
