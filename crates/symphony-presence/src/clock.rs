//! [`PodClock`]: the pod's time, learnt from the `Date` header of its responses, so that JWT
//! times are right even when this machine's clock is not.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{DATE, HeaderMap};

/// How far the pod's clock is from this machine's, as last seen.
#[derive(Debug, Default)]
pub(crate) struct PodClock {
    /// Pod time minus local time, in milliseconds.
    offset_ms: AtomicI64,
    known: AtomicBool,
}

impl PodClock {
    /// Learns the offset from a response's `Date` header, if it has a valid one.
    pub(crate) fn observe(&self, headers: &HeaderMap) {
        let Some(date) = headers
            .get(DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok())
        else {
            return;
        };
        self.observe_time(date, SystemTime::now());
    }

    fn observe_time(&self, pod: SystemTime, local: SystemTime) {
        self.offset_ms
            .store(millis(pod) - millis(local), Ordering::Relaxed);
        self.known.store(true, Ordering::Relaxed);
    }

    /// Pod time minus local time, in milliseconds; zero until a `Date` header was seen.
    pub(crate) fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }

    /// The pod's time now, as well as it is known.
    pub(crate) fn now(&self) -> SystemTime {
        let offset = self.offset_ms();
        let magnitude = Duration::from_millis(offset.unsigned_abs());
        let local = SystemTime::now();
        if offset >= 0 {
            local + magnitude
        } else {
            local.checked_sub(magnitude).unwrap_or(UNIX_EPOCH)
        }
    }

    /// Whether the pod's clock is known to be more than `tolerance` away from this machine's.
    pub(crate) fn skewed_beyond(&self, tolerance: Duration) -> bool {
        self.known.load(Ordering::Relaxed)
            && u128::from(self.offset_ms().unsigned_abs()) > tolerance.as_millis()
    }
}

fn millis(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_header_sets_the_offset_both_ways() {
        let clock = PodClock::default();
        assert!(!clock.skewed_beyond(Duration::ZERO));
        let local = SystemTime::now();
        clock.observe_time(local + Duration::from_secs(240), local);
        assert_eq!(clock.offset_ms(), 240_000);
        assert!(clock.skewed_beyond(Duration::from_secs(30)));
        clock.observe_time(local - Duration::from_secs(100), local);
        assert_eq!(clock.offset_ms(), -100_000);
        let behind = SystemTime::now().duration_since(clock.now()).unwrap();
        assert!(behind >= Duration::from_secs(99), "{behind:?}");
    }

    #[test]
    fn an_invalid_date_header_is_ignored() {
        let clock = PodClock::default();
        let mut headers = HeaderMap::new();
        headers.insert(DATE, "yesterday".parse().unwrap());
        clock.observe(&headers);
        assert!(!clock.skewed_beyond(Duration::ZERO));
    }
}
