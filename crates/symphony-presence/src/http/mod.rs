//! Request plumbing, written once for every operation: the mapping of responses to
//! [`Error`](crate::Error) ([`classify`]) and the call loop ([`pipeline`]): session token,
//! [`trace_id`], attempt timeout, 401 refresh, retry and tracing.

pub(crate) mod classify;
pub(crate) mod pipeline;
pub(crate) mod trace_id;

use crate::operation::Operation;

/// What the pipeline needs to know about the request of an operation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Endpoint {
    /// The operation, as errors and spans name it.
    pub op: Operation,
    /// Whether repeating the request cannot change its effect (see
    /// [`RetryPolicy`](crate::RetryPolicy)).
    pub idempotent: bool,
    /// The response carries credentials, so a body must never be quoted in an error.
    pub sensitive_response: bool,
    /// Added to a final 401 to say what it usually means for this request.
    pub unauthorized_hint: Option<&'static str>,
}

impl Endpoint {
    /// A Pod API operation.
    pub(crate) const fn pod(
        name: &'static str,
        method: &'static str,
        path: &'static str,
        idempotent: bool,
    ) -> Self {
        Endpoint {
            op: Operation::pod(name, method, path),
            idempotent,
            sensitive_response: false,
            unauthorized_hint: None,
        }
    }

    /// An authentication. Repeating one is harmless (an unused session simply expires), so it is
    /// retried like an idempotent request; its body is never quoted.
    pub(crate) const fn auth(
        name: &'static str,
        path: &'static str,
        unauthorized_hint: &'static str,
    ) -> Self {
        Endpoint {
            op: Operation::auth(name, "POST", path),
            idempotent: true,
            sensitive_response: true,
            unauthorized_hint: Some(unauthorized_hint),
        }
    }

    /// A success whose body decoded but cannot be used, such as a token response without a
    /// token. No body is quoted: it may hold credentials, and the reason says enough.
    pub(crate) fn unusable(
        &self,
        status: crate::StatusCode,
        trace_id: &str,
        reason: &str,
    ) -> crate::Error {
        crate::Error::Decode(Box::new(crate::DecodeError::new(
            Some(status),
            self.op,
            trace_id.to_owned(),
            reason,
            &[],
            None,
        )))
    }
}
