//! Mapping one attempt's outcome to a value or an [`Error`].

use progenitor_client::{Error as ApiError, ResponseValue};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use super::Operation;
use http_body_util::LengthLimitError;

use super::transport::{Seen, TraceId};
use crate::error::{DecodeError, Error, ServiceError, TransportError};
use crate::session::SessionToken;

/// The `Error {code, message}` body, as each generated crate names it.
pub(crate) trait ErrorBody: DeserializeOwned {
    fn code(&self) -> Option<i32>;
    fn message(&self) -> Option<&str>;
}

macro_rules! error_body {
    ($t:ty) => {
        impl ErrorBody for $t {
            fn code(&self) -> Option<i32> {
                self.code
            }
            fn message(&self) -> Option<&str> {
                self.message.as_deref()
            }
        }
    };
}
error_body!(symphony_pod_api::types::Error);
error_body!(symphony_login_api::types::Error);

/// Everything known about the attempt besides its result.
pub(crate) struct Context<'a> {
    pub op: &'a Operation,
    pub seen: Seen,
    pub trace_id: TraceId,
    /// The token sent, so that a server message echoing it can be redacted.
    pub token: Option<&'a SessionToken>,
}

pub(crate) async fn classify<T, E: ErrorBody>(
    result: Result<ResponseValue<T>, ApiError<E>>,
    cx: Context<'_>,
) -> Result<T, Error> {
    let status = cx.seen.status;
    let too_large = |cx: &Context<'_>| {
        let reason = format!(
            "the body is larger than the {}-byte cap",
            cx.seen.body_limit
        );
        Err(decode(cx, status.unwrap_or_default(), reason, &[]))
    };
    if cx.seen.too_large {
        return too_large(&cx);
    }
    match result {
        Ok(value) => Ok(value.into_inner()),
        Err(ApiError::ErrorResponse(body)) => Err(status_error(
            &cx,
            body.status(),
            body.code(),
            body.message().map(str::to_owned),
        )),
        Err(ApiError::UnexpectedResponse(response)) => {
            let status = response.status();
            // Read under the body cap and the request timeout; a body that does not arrive only
            // leaves the code and message empty, since the status already says what happened.
            let bytes = response.bytes().await.unwrap_or_default();
            let body = serde_json::from_slice::<E>(&bytes).ok();
            let code = body.as_ref().and_then(ErrorBody::code);
            let message = body.as_ref().and_then(|b| b.message().map(str::to_owned));
            Err(status_error(&cx, status, code, message))
        }
        Err(ApiError::InvalidResponsePayload(bytes, e)) => {
            let status = status.unwrap_or_default();
            if status.is_success() {
                Err(decode(&cx, status, format!("unexpected body: {e}"), &bytes))
            } else {
                // An error status whose body is not an `Error`: the status still says what
                // happened.
                Err(status_error(&cx, status, None, None))
            }
        }
        Err(ApiError::ResponseBodyError(e)) if caused_by::<LengthLimitError>(&e) => too_large(&cx),
        Err(
            ApiError::CommunicationError(e)
            | ApiError::ResponseBodyError(e)
            | ApiError::InvalidUpgrade(e),
        ) => Err(Error::Transport(TransportError::new(
            cx.op.name,
            Box::new(e),
        ))),
        Err(ApiError::InvalidRequest(message) | ApiError::Custom(message)) => {
            Err(Error::InvalidInput(message))
        }
    }
}

fn status_error(
    cx: &Context<'_>,
    status: StatusCode,
    code: Option<i32>,
    message: Option<String>,
) -> Error {
    let message = message.map(|m| match cx.token {
        Some(token) if m.contains(token.expose()) => m.replace(token.expose(), "[REDACTED]"),
        _ => m,
    });
    let error = Box::new(ServiceError {
        status,
        code,
        message,
        operation: cx.op.name,
        trace_id: Some(cx.trace_id.as_str().to_owned()),
        hint: None,
        retry_after: cx.seen.retry_after,
    });
    match status.as_u16() {
        400 => Error::BadRequest(error),
        401 => Error::Unauthorized(Box::new(ServiceError {
            hint: cx.op.unauthorized_hint,
            ..*error
        })),
        403 => Error::Forbidden(error),
        404 => Error::NotFound(error),
        429 => Error::RateLimited {
            retry_after: error.retry_after,
            error,
        },
        402..=499 => Error::BadRequest(error),
        500..=599 => Error::Server(error),
        _ => decode(
            cx,
            status,
            format!("unexpected status {}", status.as_u16()),
            &[],
        ),
    }
}

fn decode(cx: &Context<'_>, status: StatusCode, reason: String, body: &[u8]) -> Error {
    let body = if cx.op.sensitive_response {
        &[][..]
    } else {
        body
    };
    Error::Decode(DecodeError::new(status, cx.op.name, reason, body))
}

/// Whether `error`'s source chain holds an `E`.
fn caused_by<E: std::error::Error + 'static>(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if e.is::<E>() {
            return true;
        }
        current = e.source();
    }
    false
}
