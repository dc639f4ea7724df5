//! [`RetryPolicy`]: which failures are retried, how long to wait, and when to stop.

use std::time::{Duration, SystemTime};

use crate::error::{Error, TransportErrorKind};

/// The retry policy applied to every call, including the authentication calls.
///
/// **What is retried.** A failure is retried only when the request was certainly not processed,
/// or when repeating it cannot change its effect:
///
/// | failure | idempotent operations | other operations |
/// |---|---|---|
/// | connection refused (nothing sent) | retried | retried |
/// | 429, 503 (the server refused to process it) | retried | retried |
/// | timeout, connection dropped, 500, 502, 504 | retried | not retried |
/// | 400, 401, 403, 404, other 4xx, undecodable body | never | never |
///
/// Every operation is idempotent except `create_feed` (a repeat makes a second feed) and
/// `delete_feed` (a repeat answers 404 after the first one succeeded). The authentication
/// calls are treated as idempotent: a repeat makes another session, and the unused one simply
/// expires. Setting a presence or registering interest twice
/// leaves the same state as once; reading a feed twice loses nothing that one lost read had
/// not already lost. A 401 is not a retry: the client refreshes the session once and
/// repeats once (see [`SessionProvider`](crate::SessionProvider)).
///
/// **How long to wait.** On 429 and 503 the server's `Retry-After` (seconds or an HTTP date)
/// is honoured, capped at [`max_retry_after`](Self::max_retry_after). Otherwise the wait is
/// exponential, `initial_backoff × 2^(retry − 1)` capped at `max_backoff`, with "equal jitter":
/// a random point in its upper half, so that clients that failed together do not retry together.
///
/// **When to stop.** After `max_attempts` attempts in all, or when the next wait would take the
/// total waiting past `max_total_delay`. A call therefore takes at most
/// `max_attempts × timeout + max_total_delay`.
///
/// ```
/// use std::time::Duration;
/// use symphony_presence::RetryPolicy;
///
/// let patient = RetryPolicy::default()
///     .max_attempts(6)
///     .max_total_delay(Duration::from_secs(60));
/// let never = RetryPolicy::none();
/// assert_eq!(never.attempts(), 1);
/// # let _ = patient;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    max_total_delay: Duration,
    jitter: bool,
}

impl Default for RetryPolicy {
    /// 4 attempts, backoff from 250 ms up to 8 s, `Retry-After` honoured up to 30 s, at most
    /// 30 s of waiting in all, with jitter.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
            max_total_delay: Duration::from_secs(30),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// No retries: every call makes one attempt (plus the one repeat after a session refresh).
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Attempts in all, including the first; at least 1.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first retry, before jitter.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest backoff between two attempts, before jitter.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest `Retry-After` honoured; a longer one is cut to this.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// The most time spent waiting between attempts, in all, for one call.
    pub fn max_total_delay(mut self, total: Duration) -> Self {
        self.max_total_delay = total;
        self
    }

    /// Turns the jitter off (waits are then exactly the exponential backoff); on by default.
    pub fn jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// Attempts in all, including the first.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before the next attempt, or `None` to give up, after attempt number `attempt`
    /// (1-based) failed with `error`, having waited `waited` so far.
    pub(crate) fn next_delay(
        &self,
        attempt: u32,
        error: &Error,
        idempotent: bool,
        waited: Duration,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts || !retryable(error, idempotent) {
            return None;
        }
        let delay = match retry_after(error) {
            Some(wait) => wait.min(self.max_retry_after),
            None => self.backoff(attempt),
        };
        (waited + delay <= self.max_total_delay).then_some(delay)
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(1u32 << (attempt - 1).min(20))
            .min(self.max_backoff);
        if self.jitter {
            exp / 2 + exp.mul_f64(fastrand::f64() / 2.0)
        } else {
            exp
        }
    }
}

fn retryable(error: &Error, idempotent: bool) -> bool {
    match error {
        Error::Transport(e) => e.kind == TransportErrorKind::Connect || idempotent,
        Error::RateLimited(_) => true,
        Error::Server(e) => match e.status.as_u16() {
            503 => true,
            500 | 502 | 504 => idempotent,
            _ => false,
        },
        _ => false,
    }
}

fn retry_after(error: &Error) -> Option<Duration> {
    match error {
        Error::RateLimited(_) | Error::Server(_) => error.retry_after(),
        _ => None,
    }
}

/// Parses a `Retry-After` value: delay-seconds, or an HTTP date (a date in the past means now).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_parses_seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:40 GMT", now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_without_jitter() {
        let p = RetryPolicy::default()
            .jitter(false)
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(350));
        assert_eq!(p.backoff(1), Duration::from_millis(100));
        assert_eq!(p.backoff(2), Duration::from_millis(200));
        assert_eq!(p.backoff(3), Duration::from_millis(350));
        assert_eq!(p.backoff(40), Duration::from_millis(350));
    }

    #[test]
    fn jittered_backoff_stays_in_the_upper_half() {
        let p = RetryPolicy::default().initial_backoff(Duration::from_millis(100));
        for _ in 0..1000 {
            let d = p.backoff(2);
            assert!(
                d >= Duration::from_millis(100) && d <= Duration::from_millis(200),
                "{d:?}"
            );
        }
    }
}
