//! [`Faults`]: misbehaviour injected into the next requests, for tests and benchmarks.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Faults applied to Pod and Login requests (never to the control endpoint). Counts go down by
/// one per request they affect; in order: latency, then a dropped connection, then a forced
/// status, then a malformed body.
///
/// Set with [`RunningMockPod::set_faults`](crate::RunningMockPod::set_faults) or by posting this
/// struct as JSON to `/_mock/faults`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added before every answer, in milliseconds.
    pub latency_ms: u64,
    /// Added before every answer to an authentication (`/login` and `/sessionauth`), on top of
    /// `latency_ms`, in milliseconds: a slow login or, with a value far beyond a test's length,
    /// a login that never answers. Such a request is counted in
    /// [`Counters::requests`](crate::Counters::requests) when it arrives, and journaled when it
    /// is answered.
    pub auth_latency_ms: u64,
    /// The next this-many requests get their connection closed without an answer.
    pub drop_connection: u32,
    /// The next `count` requests get this status instead of being served.
    pub fail: Option<ForcedStatus>,
    /// The next this-many requests get a 200 with a truncated JSON body.
    pub malformed_body: u32,
}

/// A status to answer with, in place of serving the request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForcedStatus {
    /// The HTTP status, such as 503.
    pub status: u16,
    /// How many requests get it.
    pub count: u32,
    /// A `Retry-After` header value to send with it, such as `"1"`.
    #[serde(default)]
    pub retry_after: Option<String>,
}

/// What to do with one request, decided from the faults (and counting them down).
pub(crate) enum Injected {
    Serve,
    Drop,
    Status(u16, Option<String>),
    Malformed,
}

impl Faults {
    /// The latency of a request, `authentication` or not.
    pub(crate) fn latency(&self, authentication: bool) -> Duration {
        let extra = if authentication {
            self.auth_latency_ms
        } else {
            0
        };
        Duration::from_millis(self.latency_ms.saturating_add(extra))
    }

    pub(crate) fn take(&mut self) -> Injected {
        if self.drop_connection > 0 {
            self.drop_connection -= 1;
            return Injected::Drop;
        }
        if let Some(fail) = self.fail.as_mut().filter(|f| f.count > 0) {
            let injected = Injected::Status(fail.status, fail.retry_after.clone());
            fail.count = fail.count.saturating_sub(1);
            if fail.count == 0 {
                self.fail = None;
            }
            return injected;
        }
        if self.malformed_body > 0 {
            self.malformed_body -= 1;
            return Injected::Malformed;
        }
        Injected::Serve
    }
}
