//! [`RetryPolicy`]: which failures are retried, how long to wait, and when to stop.

use std::sync::atomic::{AtomicU32, Ordering};
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
/// | 400, 401, 403, 404, other 4xx, undecodable body, TLS failure | never | never |
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
/// is honoured, never earlier than asked: the wait is the time asked for plus a random jitter
/// of up to `initial_backoff`, so that clients sent back to the same instant do not all return
/// together. A `Retry-After` longer than [`max_retry_after`](Self::max_retry_after) is not
/// waited for: the error is returned. Otherwise the wait is exponential,
/// `initial_backoff × multiplier^(retry − 1)` capped at `max_backoff`, with "equal jitter": a random
/// point in its upper half.
///
/// **When to stop.** After `max_attempts` attempts in all, when the next wait would take the
/// total waiting past `max_total_delay` or the call past its deadline
/// ([`HttpSettings::deadline`](crate::HttpSettings::deadline)), or when the retry budget is
/// spent.
///
/// **The retry budget** is shared by every call through one transport (one
/// [`HttpSettings`](crate::HttpSettings)), as in the AWS SDKs' standard retry mode: a bucket of
/// [`RETRY_BUDGET`] tokens, from which a retry takes [`RETRY_COST`] (a retry after a timeout
/// [`TIMEOUT_RETRY_COST`]), and to which a success returns what its own retries took, or one
/// token when it needed none. During an outage, concurrent callers therefore send their first
/// attempts and at most `RETRY_BUDGET / RETRY_COST` retries between them, instead of each
/// retrying to its limit; once the server answers again, successes refill the bucket.
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
    multiplier: Multiplier,
    max_backoff: Duration,
    max_retry_after: Duration,
    max_total_delay: Duration,
    jitter: bool,
}

/// The tokens of a transport's retry budget when it is full.
pub const RETRY_BUDGET: u32 = 500;
/// The tokens one retry takes from the budget.
pub const RETRY_COST: u32 = 5;
/// The tokens a retry after a timeout takes from the budget.
pub const TIMEOUT_RETRY_COST: u32 = 10;

impl Default for RetryPolicy {
    /// 4 attempts, backoff from 250 ms up to 8 s, `Retry-After` honoured up to 30 s, at most
    /// 30 s of waiting in all, with jitter.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(250),
            multiplier: Multiplier(2.0),
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

    /// How much longer each backoff is than the one before, at least 1 (default 2).
    pub fn multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = Multiplier(if multiplier >= 1.0 { multiplier } else { 2.0 });
        self
    }

    /// The longest backoff between two attempts, before jitter.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest `Retry-After` waited for; after a longer one the error is returned.
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
    /// (1-based) failed with `error`, having waited `waited` so far. The retry budget is asked
    /// separately.
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
            Some(asked) if asked > self.max_retry_after => return None,
            Some(asked) => asked.saturating_add(self.jitter_up_to(self.initial_backoff)),
            None => self.backoff(attempt),
        };
        (waited.saturating_add(delay) <= self.max_total_delay).then_some(delay)
    }

    /// A random wait of up to `cap`, or none without jitter.
    fn jitter_up_to(&self, cap: Duration) -> Duration {
        if self.jitter {
            cap.mul_f64(fastrand::f64())
        } else {
            Duration::ZERO
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let growth = self
            .multiplier
            .0
            .powi(attempt.saturating_sub(1).min(64) as i32);
        let exp = Duration::try_from_secs_f64(self.initial_backoff.as_secs_f64() * growth)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff);
        if self.jitter {
            exp / 2 + exp.mul_f64(fastrand::f64() / 2.0)
        } else {
            exp
        }
    }
}

/// A backoff multiplier of at least 1; `Eq` because it is never NaN.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Multiplier(f64);

impl Eq for Multiplier {}

/// A transport's retry budget (see [`RetryPolicy`]).
#[derive(Debug)]
pub(crate) struct RetryBudget {
    tokens: AtomicU32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget {
            tokens: AtomicU32::new(RETRY_BUDGET),
        }
    }
}

impl RetryBudget {
    /// Takes the cost of retrying after `error`, if the budget has it.
    pub(crate) fn take(&self, error: &Error) -> Option<u32> {
        let cost = match error {
            Error::Transport(e) if e.kind == TransportErrorKind::Timeout => TIMEOUT_RETRY_COST,
            _ => RETRY_COST,
        };
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost))
            .ok()
            .map(|_| cost)
    }

    /// Returns tokens after a success: what its retries took, or one if it needed none.
    pub(crate) fn refund(&self, retries_took: u32) {
        let refund = retries_took.max(1);
        // A full bucket, the common case, is not written to.
        if self.tokens.load(Ordering::Relaxed) < RETRY_BUDGET {
            let _ = self
                .tokens
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                    Some((t + refund).min(RETRY_BUDGET))
                });
        }
    }

    #[cfg(test)]
    fn tokens(&self) -> u32 {
        self.tokens.load(Ordering::Acquire)
    }
}

fn retryable(error: &Error, idempotent: bool) -> bool {
    match error {
        Error::Transport(e) => match e.kind {
            TransportErrorKind::Tls(_) => false,
            TransportErrorKind::Connect => true,
            _ => idempotent,
        },
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
    fn backoff_grows_by_the_multiplier() {
        let p = RetryPolicy::default()
            .jitter(false)
            .initial_backoff(Duration::from_millis(100))
            .multiplier(1.5)
            .max_backoff(Duration::from_secs(1));
        assert_eq!(p.backoff(2), Duration::from_millis(150));
        assert_eq!(p.backoff(3), Duration::from_millis(225));
        assert_eq!(p.backoff(30), Duration::from_secs(1));
        // Below 1 it would shrink; the BDKs take 2 then.
        assert_eq!(
            p.clone().multiplier(0.5).backoff(2),
            Duration::from_millis(200)
        );
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
    fn the_budget_allows_a_hundred_retries_and_refills_on_success() {
        let budget = RetryBudget::default();
        let unavailable = Error::setup("stands for any retryable error");
        let retries = std::iter::from_fn(|| budget.take(&unavailable)).count();
        assert_eq!(retries as u32, RETRY_BUDGET / RETRY_COST);
        assert_eq!(budget.tokens(), 0);
        budget.refund(0);
        assert_eq!(budget.tokens(), 1);
        budget.refund(RETRY_COST);
        assert_eq!(budget.tokens(), 1 + RETRY_COST);
        for _ in 0..1000 {
            budget.refund(RETRY_COST);
        }
        assert_eq!(budget.tokens(), RETRY_BUDGET);
    }

    fn rate_limited(retry_after: Duration) -> Error {
        Error::RateLimited(Box::new(crate::ServiceError {
            status: reqwest::StatusCode::TOO_MANY_REQUESTS,
            code: None,
            message: None,
            operation: crate::Operation::SETUP,
            request: crate::Operation::SETUP,
            trace_id: String::new(),
            hint: None,
            retry_after: Some(retry_after),
        }))
    }

    #[test]
    fn retry_after_is_never_cut_short_and_gets_jitter_on_top() {
        let p = RetryPolicy::default().initial_backoff(Duration::from_millis(100));
        let asked = Duration::from_secs(2);
        for _ in 0..1000 {
            let d = p
                .next_delay(1, &rate_limited(asked), true, Duration::ZERO)
                .unwrap();
            assert!(
                d >= asked && d <= asked + Duration::from_millis(100),
                "{d:?}"
            );
        }
        // Longer than the policy waits for: given up, not shortened.
        let too_long = RetryPolicy::default().max_retry_after(Duration::from_secs(1));
        assert_eq!(
            too_long.next_delay(1, &rate_limited(asked), true, Duration::ZERO),
            None
        );
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
