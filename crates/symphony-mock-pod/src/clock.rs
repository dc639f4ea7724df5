//! [`ClockOffset`]: how far the pod's clock is from this machine's, and the pod's clock itself.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The largest [`ClockOffset`] the pod accepts, either way: 4 minutes.
pub const MAX_CLOCK_OFFSET: Duration = Duration::from_secs(240);

/// How far the pod's clock runs ahead of (or behind) this machine's, for a client's clock-skew
/// tests. Set it with [`MockPodConfig::clock_offset`](crate::MockPodConfig::clock_offset) or
/// [`RunningMockPod::set_clock_offset`](crate::RunningMockPod::set_clock_offset); at most
/// [`MAX_CLOCK_OFFSET`] either way.
///
/// The pod's time is this machine's time plus the offset. It decides whether an authentication
/// JWT has expired or expires too far ahead, it is the `timestamp` of presence changes and of
/// the journal, and every response carries it in its `Date` header.
///
/// ```
/// use std::time::Duration;
/// use symphony_mock_pod::ClockOffset;
///
/// let behind = ClockOffset::behind(Duration::from_secs(100));
/// assert_eq!(behind, ClockOffset::from_secs(-100));
/// assert_eq!(behind.as_millis(), -100_000);
/// assert_eq!(behind.to_string(), "-100 s");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockOffset {
    /// Pod time minus local time.
    millis: i64,
}

impl ClockOffset {
    /// The pod's clock is this machine's.
    pub const ZERO: ClockOffset = ClockOffset { millis: 0 };

    /// The pod's clock runs `by` ahead of this machine's (saturating at about 292 million
    /// years, far beyond what [`MockPod::start`](crate::MockPod::start) accepts).
    pub fn ahead(by: Duration) -> Self {
        ClockOffset {
            millis: i64::try_from(by.as_millis()).unwrap_or(i64::MAX),
        }
    }

    /// The pod's clock runs `by` behind this machine's.
    pub fn behind(by: Duration) -> Self {
        ClockOffset {
            millis: -i64::try_from(by.as_millis()).unwrap_or(i64::MAX),
        }
    }

    /// A signed offset in seconds: positive is ahead, negative behind.
    pub fn from_secs(secs: i64) -> Self {
        ClockOffset {
            millis: secs.saturating_mul(1000),
        }
    }

    /// Pod time minus local time, in milliseconds.
    pub fn as_millis(self) -> i64 {
        self.millis
    }

    /// How far the clocks are apart, either way.
    pub fn magnitude(self) -> Duration {
        Duration::from_millis(self.millis.unsigned_abs())
    }

    /// `time` shifted by the offset.
    pub(crate) fn apply(self, time: SystemTime) -> SystemTime {
        let magnitude = self.magnitude();
        if self.millis >= 0 {
            time.checked_add(magnitude).unwrap_or(time)
        } else {
            time.checked_sub(magnitude)
                .filter(|shifted| *shifted >= UNIX_EPOCH)
                .unwrap_or(UNIX_EPOCH)
        }
    }
}

impl fmt::Display for ClockOffset {
    /// Seconds with a sign, such as `+240 s` or `-100 s` (`0 s` for none), with milliseconds
    /// when there are some (`+1.5 s`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = match self.millis {
            0 => "",
            m if m > 0 => "+",
            _ => "-",
        };
        let abs = self.millis.unsigned_abs();
        if abs.is_multiple_of(1000) {
            write!(f, "{sign}{} s", abs / 1000)
        } else {
            write!(f, "{sign}{}.{:03} s", abs / 1000, abs % 1000)
        }
    }
}

/// The pod's clock: this machine's, shifted by the offset.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PodClock {
    pub offset: ClockOffset,
}

impl PodClock {
    pub(crate) fn now(self) -> SystemTime {
        self.offset.apply(SystemTime::now())
    }

    /// Unix time in milliseconds, as presence timestamps are.
    pub(crate) fn now_millis(self) -> i64 {
        unix_millis(self.now())
    }

    /// Unix time in seconds, as JWT times are.
    pub(crate) fn now_secs(self) -> u64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

pub(crate) fn unix_millis(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_apply_both_ways_and_print_with_a_sign() {
        let t = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(
            ClockOffset::ahead(Duration::from_secs(240)).apply(t),
            t + Duration::from_secs(240)
        );
        assert_eq!(
            ClockOffset::from_secs(-240).apply(t),
            t - Duration::from_secs(240)
        );
        assert_eq!(ClockOffset::from_secs(240).to_string(), "+240 s");
        assert_eq!(ClockOffset::ZERO.to_string(), "0 s");
        assert_eq!(
            ClockOffset::behind(Duration::from_millis(1500)).to_string(),
            "-1.500 s"
        );
        assert_eq!(
            ClockOffset::behind(Duration::from_secs(5)).magnitude(),
            Duration::from_secs(5)
        );
    }

    #[test]
    fn extreme_offsets_saturate_instead_of_overflowing() {
        let huge = ClockOffset::ahead(Duration::MAX);
        assert_eq!(huge.as_millis(), i64::MAX);
        assert_eq!(ClockOffset::from_secs(i64::MIN).as_millis(), i64::MIN);
        assert!(ClockOffset::from_secs(i64::MIN).magnitude() > MAX_CLOCK_OFFSET);
        let t = SystemTime::now();
        // Far behind clamps at the epoch; far ahead stays put rather than panicking.
        assert_eq!(ClockOffset::from_secs(i64::MIN).apply(t), UNIX_EPOCH);
        let _ = huge.apply(t);
    }
}
