//! Request plumbing, written once for every operation: the mapping of responses to
//! [`Error`](crate::Error) ([`classify`]) and the call loop ([`pipeline`]): session token,
//! [`trace_id`], attempt timeout, 401 refresh, retry and tracing.

pub(crate) mod classify;
pub(crate) mod pipeline;
pub(crate) mod trace_id;

use crate::observe::SpanStart;
use crate::operation::Operation;

/// A Pod API [`Endpoint`]: `pod_endpoint!("get_presence", "GET", "/v2/user/presence",
/// idempotent = true)`.
macro_rules! pod_endpoint {
    ($name:literal, $method:literal, $path:literal, idempotent = $idempotent:expr) => {
        $crate::http::Endpoint::pod(
            $crate::operation::Operation::pod($name, $method, $path),
            $idempotent,
            $crate::observe::operation_span!($name),
        )
    };
}
pub(crate) use pod_endpoint;

/// An authentication [`Endpoint`] (always `POST`), with what a final 401 usually means.
macro_rules! auth_endpoint {
    ($name:literal, $path:literal, hint = $hint:expr) => {
        $crate::http::Endpoint::auth(
            $crate::operation::Operation::auth($name, "POST", $path),
            $hint,
            $crate::observe::operation_span!($name),
        )
    };
}
pub(crate) use auth_endpoint;

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
    /// Opens the operation's span, a callsite named after it (see [`crate::observe`]).
    pub span: fn(&SpanStart<'_>) -> tracing::Span,
}

impl Endpoint {
    /// A Pod API operation ([`pod_endpoint!`]).
    pub(crate) const fn pod(
        op: Operation,
        idempotent: bool,
        span: fn(&SpanStart<'_>) -> tracing::Span,
    ) -> Self {
        Endpoint {
            op,
            idempotent,
            sensitive_response: false,
            unauthorized_hint: None,
            span,
        }
    }

    /// An authentication ([`auth_endpoint!`]). Repeating one is harmless (an unused session
    /// simply expires), so it is retried like an idempotent request; its body is never quoted.
    pub(crate) const fn auth(
        op: Operation,
        unauthorized_hint: &'static str,
        span: fn(&SpanStart<'_>) -> tracing::Span,
    ) -> Self {
        Endpoint {
            op,
            idempotent: true,
            sensitive_response: true,
            unauthorized_hint: Some(unauthorized_hint),
            span,
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
