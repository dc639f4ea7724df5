//! Mapping one attempt's outcome to a value or an [`Error`].
//!
//! Everything needed comes with the outcome itself: the generated clients report every response
//! with its status and headers, and a body over the cap as [`BodyTooLarge`] with its status (see
//! `symphony_api::hooks`).

use std::time::{Duration, SystemTime};

use progenitor_client::{Error as ApiError, ResponseValue};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use symphony_api::ErrorBody;
use symphony_api::hooks::{BodyTooLarge, InvalidBody};

use super::Operation;
use super::trace_id::TraceId;
use crate::error::{DecodeError, Error, ServiceError, TransportError};
use crate::retry::parse_retry_after;
use crate::session::SessionToken;

/// Everything known about the attempt besides its result.
pub(crate) struct Context<'a> {
    pub op: &'a Operation,
    pub trace_id: TraceId,
    /// The token sent, so that a server message echoing it can be redacted.
    pub token: Option<&'a SessionToken>,
}

pub(crate) async fn classify<T>(
    result: Result<ResponseValue<T>, ApiError<ErrorBody>>,
    cx: Context<'_>,
) -> Result<T, Error> {
    match result {
        Ok(value) => Ok(value.into_inner()),
        Err(ApiError::ErrorResponse(response)) => {
            let (status, retry_after) = (response.status(), retry_after(response.headers()));
            let body = response.into_inner();
            Err(status_error(&cx, status, retry_after, body))
        }
        Err(ApiError::UnexpectedResponse(response)) => {
            let status = response.status();
            let retry_after = retry_after(response.headers());
            let invalid = response.extensions().get::<InvalidBody>().cloned();
            // An undeclared status's body is still unread; it is read under the body cap and the
            // request timeout. A decoded one is already in memory.
            let bytes = match response.bytes().await {
                Ok(bytes) => bytes,
                Err(e) => {
                    if let Some(too_large) = find::<BodyTooLarge>(&e) {
                        return Err(body_too_large(&cx, too_large));
                    }
                    // The status already says what happened.
                    Default::default()
                }
            };
            match invalid {
                Some(InvalidBody(e)) if status.is_success() => Err(decode(
                    &cx,
                    Some(status),
                    format!("unexpected body: {e}"),
                    &bytes,
                )),
                // An error status whose body is not an `Error` still says what happened.
                Some(_) => Err(status_error(&cx, status, retry_after, ErrorBody::default())),
                None => {
                    let body = serde_json::from_slice(&bytes).unwrap_or_default();
                    Err(status_error(&cx, status, retry_after, body))
                }
            }
        }
        Err(ApiError::ResponseBodyError(e)) => match find::<BodyTooLarge>(&e) {
            Some(too_large) => Err(body_too_large(&cx, too_large)),
            None => Err(transport(&cx, e)),
        },
        Err(ApiError::CommunicationError(e) | ApiError::InvalidUpgrade(e)) => {
            Err(transport(&cx, e))
        }
        Err(ApiError::InvalidRequest(message) | ApiError::Custom(message)) => {
            Err(Error::InvalidInput(message))
        }
        // `symphony_api::hooks::from_response`, which every generated operation decodes with,
        // reports an undecodable body with its response instead; this is a codegen defect.
        Err(ApiError::InvalidResponsePayload(bytes, e)) => Err(decode(
            &cx,
            None,
            format!(
                "internal error: the generated client reported an undecodable body without its \
                 response (a defect of the codegen rewrite DecodeThroughHooks): {e}"
            ),
            &bytes,
        )),
    }
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, SystemTime::now())
}

fn transport(cx: &Context<'_>, e: reqwest::Error) -> Error {
    Error::Transport(TransportError::new(cx.op.name, Box::new(e)))
}

fn body_too_large(cx: &Context<'_>, too_large: &BodyTooLarge) -> Error {
    decode(cx, Some(too_large.status), too_large.to_string(), &[])
}

fn status_error(
    cx: &Context<'_>,
    status: StatusCode,
    retry_after: Option<Duration>,
    body: ErrorBody,
) -> Error {
    let message = body.message.map(|m| match cx.token {
        Some(token) if m.contains(token.expose()) => m.replace(token.expose(), "[REDACTED]"),
        _ => m,
    });
    let error = Box::new(ServiceError {
        status,
        code: body.code,
        message,
        operation: cx.op.name,
        trace_id: Some(cx.trace_id.as_str().to_owned()),
        hint: None,
        retry_after,
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
            Some(status),
            format!("unexpected status {}", status.as_u16()),
            &[],
        ),
    }
}

fn decode(cx: &Context<'_>, status: Option<StatusCode>, reason: String, body: &[u8]) -> Error {
    let body = if cx.op.sensitive_response {
        &[][..]
    } else {
        body
    };
    Error::Decode(DecodeError::new(status, cx.op.name, reason, body))
}

/// The `E` in `error`'s source chain, if there is one.
fn find<'a, E: std::error::Error + 'static>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a E> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<E>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const OP: Operation = Operation::pod("get_v2_user_presence", true);

    #[tokio::test]
    async fn an_undecodable_body_without_its_response_is_a_loud_internal_error() {
        let payload = serde_json::from_slice::<ErrorBody>(b"{").unwrap_err();
        let result: Result<ResponseValue<()>, _> = Err(ApiError::InvalidResponsePayload(
            bytes::Bytes::from_static(b"{"),
            payload,
        ));
        let cx = Context {
            op: &OP,
            trace_id: TraceId::new(),
            token: None,
        };
        let Err(Error::Decode(e)) = classify(result, cx).await else {
            panic!("expected a decode error");
        };
        assert_eq!(e.status, None);
        assert!(e.reason.starts_with("internal error:"), "{}", e.reason);
    }
}
