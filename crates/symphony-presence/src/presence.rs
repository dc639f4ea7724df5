//! [`Presence`] and its identifiers: [`UserId`] and [`Timestamp`].

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use symphony_api::pod::types::V2Presence;

use crate::PresenceCategory;

/// A Symphony user id: a 64-bit integer on the wire.
///
/// ```
/// use symphony_presence::UserId;
///
/// let uid: UserId = "14568529068038".parse().unwrap();
/// assert_eq!(uid, UserId(14568529068038));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct UserId(pub i64);

impl From<i64> for UserId {
    fn from(id: i64) -> Self {
        UserId(id)
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for UserId {
    type Err = std::num::ParseIntError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(UserId)
    }
}

/// When a presence was set: milliseconds since 1970-01-01 UTC, exactly as sent.
///
/// Any `int64` decodes. Conversions to time types are checked and return `None` for a value
/// the type cannot hold, so an odd timestamp never costs the rest of the presence.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use symphony_presence::Timestamp;
///
/// let t = Timestamp::from_millis(1533928483800);
/// assert_eq!(t.to_system_time(), UNIX_EPOCH.checked_add(Duration::from_millis(1533928483800)));
/// assert_eq!(Timestamp::from_millis(i64::MAX).as_millis(), i64::MAX);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// A timestamp of `millis` milliseconds since the Unix epoch (negative is before it).
    pub const fn from_millis(millis: i64) -> Self {
        Timestamp(millis)
    }

    /// The milliseconds as sent by the server.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// The time as a [`SystemTime`], or `None` if this platform's `SystemTime` cannot hold it.
    pub fn to_system_time(self) -> Option<SystemTime> {
        let offset = Duration::from_millis(self.0.unsigned_abs());
        if self.0 >= 0 {
            UNIX_EPOCH.checked_add(offset)
        } else {
            UNIX_EPOCH.checked_sub(offset)
        }
    }

    /// The current time, truncated to milliseconds.
    pub fn now() -> Self {
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        Timestamp(i64::try_from(millis).unwrap_or(i64::MAX))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A user's presence, as returned by every Presence operation.
///
/// Serialises to, and deserialises from, the wire form:
/// `{"category":"AVAILABLE","userId":14568529068038,"timestamp":1533928483800}`.
///
/// ```
/// use symphony_presence::{Presence, PresenceCategory, UserId};
///
/// let p: Presence = serde_json::from_str(
///     r#"{"category":"BE_RIGHT_BACK","userId":14568529068038,"timestamp":1533928483800}"#,
/// ).unwrap();
/// assert_eq!(p.category, PresenceCategory::BeRightBack);
/// assert_eq!(p.user_id, Some(UserId(14568529068038)));
/// assert_eq!(p.category.external_view(), Some(PresenceCategory::Away));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Presence {
    /// The presence category; unknown values are kept verbatim.
    pub category: PresenceCategory,
    /// The user the presence belongs to, when the server says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// When the presence was set, when the server says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Timestamp>,
}

impl Presence {
    /// A presence with only a category.
    pub fn new(category: PresenceCategory) -> Self {
        Presence {
            category,
            user_id: None,
            timestamp: None,
        }
    }

    /// Sets the user id.
    pub fn with_user_id(mut self, user_id: impl Into<Option<UserId>>) -> Self {
        self.user_id = user_id.into();
        self
    }

    /// Sets the timestamp.
    pub fn with_timestamp(mut self, timestamp: impl Into<Option<Timestamp>>) -> Self {
        self.timestamp = timestamp.into();
        self
    }
}

impl From<V2Presence> for Presence {
    fn from(p: V2Presence) -> Self {
        Presence {
            category: PresenceCategory::from(p.category),
            user_id: p.user_id.map(UserId),
            timestamp: p.timestamp.map(Timestamp),
        }
    }
}
