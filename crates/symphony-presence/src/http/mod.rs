//! Request plumbing, written once for every operation: the mapping of responses to
//! [`Error`](crate::Error) ([`classify`]) and the call loop ([`pipeline`]): session token,
//! [`trace_id`], attempt, 401 refresh, retry and tracing.

pub(crate) mod classify;
pub(crate) mod pipeline;
pub(crate) mod trace_id;

/// What the pipeline needs to know about an operation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Operation {
    /// The generated operation id, used in errors and spans.
    pub name: &'static str,
    /// Whether repeating the request cannot change its effect (see
    /// [`RetryPolicy`](crate::RetryPolicy)).
    pub idempotent: bool,
    /// The response carries credentials, so a body must never be quoted in an error.
    pub sensitive_response: bool,
    /// Added to a final 401 to say what it usually means for this operation.
    pub unauthorized_hint: Option<&'static str>,
}

impl Operation {
    /// A 200 whose body decoded but cannot be used, such as a token response without a token.
    /// No body is quoted: the callers' bodies may hold credentials, and the reason says enough.
    pub(crate) fn unusable_200(&self, reason: &str) -> crate::Error {
        crate::Error::Decode(crate::DecodeError::new(
            Some(crate::StatusCode::OK),
            self.name,
            reason,
            &[],
        ))
    }

    /// A Pod operation.
    pub(crate) const fn pod(name: &'static str, idempotent: bool) -> Self {
        Operation {
            name,
            idempotent,
            sensitive_response: false,
            unauthorized_hint: None,
        }
    }
}
