//! The SDK's error type. `Display` is one short line; details are in fields and `source()`.
//! Nothing here ever holds a session token, a JWT or key material.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use reqwest::StatusCode;

/// Every way a call can fail.
///
/// Match on the variant for the class of failure; the payload carries the HTTP status and,
/// where the server sent an `Error` body, its `code` and `message`.
///
/// ```no_run
/// # async fn example(client: symphony_presence::PresenceClient) {
/// use symphony_presence::Error;
///
/// match client.get_presence().await {
///     Ok(presence) => println!("{}", presence.category),
///     Err(Error::Unauthorized(e)) => eprintln!("log in again: {e}"),
///     Err(e) if e.is_retryable() => eprintln!("try later: {e}"),
///     Err(e) => eprintln!("failed: {e}"),
/// }
/// # }
/// ```
///
/// Errors are `Clone`, so that one failed authentication can be handed to every call that was
/// waiting for it.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 400, or another 4xx without a variant of its own: the request was refused as sent.
    #[error("bad request: {0}")]
    BadRequest(Box<ServiceError>),
    /// 401: the session token is invalid or expired, and refreshing it did not help.
    #[error("unauthorized: {0}")]
    Unauthorized(Box<ServiceError>),
    /// 403: the caller lacks an entitlement or privilege.
    #[error("forbidden: {0}")]
    Forbidden(Box<ServiceError>),
    /// 404: the user (or feed) cannot be located.
    #[error("not found: {0}")]
    NotFound(Box<ServiceError>),
    /// 429: too many requests; `retry_after` is the server's `Retry-After`, if it sent one.
    #[error("rate limited: {error}")]
    RateLimited {
        /// The response.
        error: Box<ServiceError>,
        /// How long the server asked to wait.
        retry_after: Option<Duration>,
    },
    /// 5xx: the server failed.
    #[error("server error: {0}")]
    Server(Box<ServiceError>),
    /// The request did not complete: connection refused or dropped, or a timeout.
    #[error("transport error: {0}")]
    Transport(#[source] TransportError),
    /// The response could not be understood: malformed or unexpected body, unexpected status,
    /// or a body over the size cap.
    #[error("cannot decode the response: {0}")]
    Decode(DecodeError),
    /// The input was refused before anything was sent, for example a token containing CR or LF.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A private key could not be loaded.
    #[error("invalid key: {0}")]
    Key(#[from] crate::KeyError),
}

impl Error {
    /// Whether the same call may succeed later without any change: a transport failure, a 429,
    /// or a 502, 503 or 504. A 500 is not included, because repeating a request that is not
    /// idempotent can change its effect; the [`RetryPolicy`](crate::RetryPolicy) retries 500
    /// only for idempotent operations.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(_) | Error::RateLimited { .. } => true,
            Error::Server(e) => matches!(e.status.as_u16(), 502..=504),
            _ => false,
        }
    }

    /// The HTTP status of the response, if one arrived.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Decode(e) => e.status,
            other => other.service_error().map(|e| e.status),
        }
    }

    /// What the server said, for the variants that carry a response.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::BadRequest(e)
            | Error::Unauthorized(e)
            | Error::Forbidden(e)
            | Error::NotFound(e)
            | Error::Server(e)
            | Error::RateLimited { error: e, .. } => Some(e),
            _ => None,
        }
    }
}

/// An error response: its status, the decoded `Error {code, message}` body where there was one,
/// and the request it answered.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceError {
    /// The HTTP status.
    pub status: StatusCode,
    /// `Error.code` from the body.
    pub code: Option<i32>,
    /// `Error.message` from the body.
    pub message: Option<String>,
    /// The operation that failed, for example `get_v2_user_presence`.
    pub operation: &'static str,
    /// The `X-Trace-Id` sent with the request, to quote to Symphony support.
    pub trace_id: Option<String>,
    /// What this failure usually means for this operation, where the SDK knows.
    pub hint: Option<&'static str>,
    /// The server's `Retry-After`, if it sent one.
    pub retry_after: Option<Duration>,
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} answered HTTP {}",
            self.operation,
            self.status.as_u16()
        )?;
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if let Some(code) = self.code {
            write!(f, " (code {code})")?;
        }
        if let Some(hint) = self.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

/// A request that did not complete.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TransportError {
    /// What went wrong.
    pub kind: TransportErrorKind,
    /// The operation that failed.
    pub operation: &'static str,
    source: Arc<dyn std::error::Error + Send + Sync>,
}

/// The class of a [`TransportError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be made; nothing was sent.
    Connect,
    /// The request or the response took longer than the configured timeout.
    Timeout,
    /// The connection failed after the request was sent, for example mid-body.
    Interrupted,
}

impl TransportError {
    pub(crate) fn new(
        operation: &'static str,
        source: Box<dyn std::error::Error + Send + Sync>,
    ) -> Self {
        let kind = match source.downcast_ref::<reqwest::Error>() {
            Some(e) if e.is_timeout() => TransportErrorKind::Timeout,
            Some(e) if e.is_connect() => TransportErrorKind::Connect,
            _ => TransportErrorKind::Interrupted,
        };
        TransportError {
            kind,
            operation,
            source: Arc::from(source),
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "could not connect",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Interrupted => "connection failed",
        };
        write!(f, "{}: {what}", self.operation)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// A response that could not be understood.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// The HTTP status of the response. `None` only for an internal error of the generated
    /// layer that reported an undecodable body without its response, which it never should.
    pub status: Option<StatusCode>,
    /// The operation that failed.
    pub operation: &'static str,
    /// Why the body was refused.
    pub reason: String,
    /// At most [`DecodeError::MAX_BODY_EXCERPT`] bytes of the body, lossily decoded as UTF-8.
    /// Empty for authentication responses, whose bodies may hold credentials.
    pub body: String,
}

impl DecodeError {
    /// The longest body excerpt kept, in bytes.
    pub const MAX_BODY_EXCERPT: usize = 512;

    pub(crate) fn new(
        status: Option<StatusCode>,
        operation: &'static str,
        reason: impl Into<String>,
        body: &[u8],
    ) -> Self {
        let excerpt = &body[..body.len().min(Self::MAX_BODY_EXCERPT)];
        DecodeError {
            status,
            operation,
            reason: reason.into(),
            body: String::from_utf8_lossy(excerpt).into_owned(),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(
                f,
                "{} answered HTTP {}: {}",
                self.operation,
                status.as_u16(),
                self.reason
            ),
            None => write!(f, "{}: {}", self.operation, self.reason),
        }
    }
}
