//! The SDK's error type. `Display` is one short line; details are in fields and `source()`.
//! Nothing here ever holds a session token, a JWT or key material.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use reqwest::StatusCode;

use crate::operation::Operation;

/// Every way a call can fail.
///
/// Match on the variant for the class of failure, or ask: [`is_auth`](Self::is_auth),
/// [`is_retryable`](Self::is_retryable), [`status`](Self::status),
/// [`trace_id`](Self::trace_id) and [`operation`](Self::operation) answer without string
/// matching. Each variant's `Display` is one line; its cause, where there is one, is
/// [`source`](std::error::Error::source) and is not repeated in the line, so `{:#}` with
/// `anyhow` shows each part once.
///
/// ```no_run
/// # async fn example(client: symphony_presence::PresenceClient) {
/// use symphony_presence::Error;
///
/// match client.get_presence().await {
///     Ok(presence) => println!("{}", presence.category),
///     Err(e) if e.is_auth() => eprintln!("check the credentials: {e}"),
///     Err(Error::NotFound(e)) => eprintln!("no such user: {e}"),
///     Err(e) if e.is_retryable() => eprintln!("try later: {e} (trace {:?})", e.trace_id()),
///     Err(e) => eprintln!("{e} during {}", e.operation()),
/// }
/// # }
/// ```
///
/// Errors are `Clone`, so that one failed authentication can be handed to every call that was
/// waiting for it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Error {
    /// 400, or another 4xx without a variant of its own: the request was refused as sent.
    BadRequest(Box<ServiceError>),
    /// 401: the session (or, for an authentication, the credentials) was refused, and
    /// refreshing the session did not help.
    Unauthorized(Box<ServiceError>),
    /// 403: the caller lacks an entitlement or privilege.
    Forbidden(Box<ServiceError>),
    /// 404: the user (or feed) cannot be located.
    NotFound(Box<ServiceError>),
    /// 429: too many requests; see [`ServiceError::retry_after`].
    RateLimited(Box<ServiceError>),
    /// 5xx: the server failed.
    Server(Box<ServiceError>),
    /// The request did not complete: connection refused or dropped, or an attempt timed out.
    Transport(Box<TransportError>),
    /// The call did not complete within its deadline
    /// ([`HttpSettings::deadline`](crate::HttpSettings::deadline)), authentication included.
    Timeout(Box<TimeoutError>),
    /// The response could not be understood: malformed or unexpected body, unexpected status,
    /// or a body over the size cap.
    Decode(Box<DecodeError>),
    /// The input was refused before anything was sent, for example a token containing CR or LF.
    InvalidInput(Box<InvalidInput>),
    /// A private key could not be loaded.
    Key(crate::KeyError),
    /// A configuration file could not be used.
    Config(crate::ConfigError),
}

impl Error {
    /// Whether authentication failed: a bot's, an app's or one on behalf of a user was refused
    /// (any 4xx from an authentication endpoint, or a client certificate the server refused),
    /// or the pod refused the session with a 401 that a refresh did not cure. A network failure
    /// or a server error during authentication is not one: it says nothing about the
    /// credentials.
    pub fn is_auth(&self) -> bool {
        match self {
            Error::Unauthorized(_) => true,
            Error::Transport(e) => {
                e.kind == TransportErrorKind::Tls(TlsFailure::ClientCertificateRejected)
            }
            Error::BadRequest(e) | Error::Forbidden(e) | Error::NotFound(e) => {
                e.request.is_authentication()
            }
            _ => false,
        }
    }

    /// Whether the same call may succeed later without any change: a transport failure other
    /// than TLS, a timeout, a 429, or a 502, 503 or 504. A 500 is not included, because repeating a request that is not
    /// idempotent can change its effect; the [`RetryPolicy`](crate::RetryPolicy) retries 500
    /// only for idempotent operations.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(e) => !matches!(e.kind, TransportErrorKind::Tls(_)),
            Error::Timeout(_) | Error::RateLimited(_) => true,
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

    /// The `X-Trace-Id` of the request that failed, to quote to Symphony support; `None` when
    /// the call sent nothing itself: it failed before sending, or its deadline passed while it
    /// waited for a shared authentication (whose requests carry their own ids, recorded on the
    /// login's span, since the login goes on for other callers).
    pub fn trace_id(&self) -> Option<&str> {
        match self {
            Error::Transport(e) => Some(&e.trace_id),
            Error::Decode(e) => Some(&e.trace_id),
            Error::Timeout(e) => e.trace_id.as_deref(),
            other => other.service_error().map(|e| e.trace_id.as_str()),
        }
    }

    /// The method you called, such as `get_presence`, with its HTTP method and path; for an
    /// error raised while building a client or reading a configuration,
    /// [`Operation::SETUP`].
    pub fn operation(&self) -> Operation {
        match self {
            Error::Transport(e) => e.operation,
            Error::Decode(e) => e.operation,
            Error::InvalidInput(e) => e.operation,
            Error::Timeout(e) => e.operation,
            Error::Key(_) | Error::Config(_) => Operation::SETUP,
            other => other
                .service_error()
                .map_or(Operation::SETUP, |e| e.operation),
        }
    }

    /// What the server said, for the variants that carry a response.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::BadRequest(e)
            | Error::Unauthorized(e)
            | Error::Forbidden(e)
            | Error::NotFound(e)
            | Error::RateLimited(e)
            | Error::Server(e) => Some(e),
            _ => None,
        }
    }

    /// How long the server asked to wait (`Retry-After` on a 429 or 503), if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.service_error().and_then(|e| e.retry_after)
    }

    /// An input error raised during `operation`.
    pub(crate) fn invalid(operation: Operation, message: impl Into<String>) -> Self {
        Error::InvalidInput(Box::new(InvalidInput {
            message: message.into(),
            operation,
        }))
    }

    /// An input error raised before any call.
    pub(crate) fn setup(message: impl Into<String>) -> Self {
        Self::invalid(Operation::SETUP, message)
    }

    /// This error, as seen from `operation`: an error of an authentication that `operation`
    /// needed keeps its failed request but names `operation` as the method called.
    pub(crate) fn during(mut self, operation: Operation) -> Self {
        match &mut self {
            Error::BadRequest(e)
            | Error::Unauthorized(e)
            | Error::Forbidden(e)
            | Error::NotFound(e)
            | Error::RateLimited(e)
            | Error::Server(e) => e.operation = operation,
            Error::Transport(e) => e.operation = operation,
            Error::Decode(e) => e.operation = operation,
            Error::Timeout(e) => e.operation = operation,
            Error::InvalidInput(e) => e.operation = operation,
            Error::Key(_) | Error::Config(_) => {}
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_auth() {
            f.write_str("authentication failed: ")?;
        }
        match self {
            Error::BadRequest(e) => write!(f, "bad request: {e}"),
            Error::Unauthorized(e) => write!(f, "unauthorized: {e}"),
            Error::Forbidden(e) => write!(f, "forbidden: {e}"),
            Error::NotFound(e) => write!(f, "not found: {e}"),
            Error::RateLimited(e) => write!(f, "rate limited: {e}"),
            Error::Server(e) => write!(f, "server error: {e}"),
            Error::Transport(e) => write!(f, "transport error: {e}"),
            Error::Timeout(e) => write!(f, "timed out: {e}"),
            Error::Decode(e) => write!(f, "cannot decode the response: {e}"),
            Error::InvalidInput(e) => write!(f, "invalid input: {e}"),
            Error::Key(e) => write!(f, "invalid key: {e}"),
            Error::Config(e) => write!(f, "invalid configuration: {e}"),
        }
    }
}

impl std::error::Error for Error {
    /// The payload's own cause, not the payload: its text is already in this error's line.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) => std::error::Error::source(&**e),
            Error::Decode(e) => std::error::Error::source(&**e),
            Error::Key(e) => std::error::Error::source(e),
            Error::Config(e) => std::error::Error::source(e),
            _ => None,
        }
    }
}

impl From<crate::KeyError> for Error {
    fn from(e: crate::KeyError) -> Self {
        Error::Key(e)
    }
}

impl From<crate::ConfigError> for Error {
    fn from(e: crate::ConfigError) -> Self {
        Error::Config(e)
    }
}

/// A call that ran past its deadline.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TimeoutError {
    /// The method you called.
    pub operation: Operation,
    /// The deadline it had.
    pub deadline: Duration,
    /// What it was waiting for when the deadline passed.
    pub waiting_for: WaitingFor,
    /// The `X-Trace-Id` of the request in flight then, if one was.
    pub trace_id: Option<String>,
}

/// What a call was waiting for when its deadline passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitingFor {
    /// Its session: an authentication (or several: an OBO one needs the app's first).
    Authentication,
    /// The response to a request.
    Response,
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.waiting_for {
            WaitingFor::Authentication => "authentication",
            WaitingFor::Response => "a response",
        };
        write!(
            f,
            "{} did not complete within its {:?} deadline, waiting for {what}",
            self.operation, self.deadline
        )
    }
}

impl std::error::Error for TimeoutError {}

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
    /// The method you called.
    pub operation: Operation,
    /// The request that was answered: the operation's own, or an authentication it needed.
    pub request: Operation,
    /// The `X-Trace-Id` sent with the request, to quote to Symphony support.
    pub trace_id: String,
    /// What this failure usually means for this request, where the SDK knows.
    pub hint: Option<Cow<'static, str>>,
    /// The server's `Retry-After`, if it sent one.
    pub retry_after: Option<Duration>,
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} answered HTTP {}", self.request, self.status.as_u16())?;
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if let Some(code) = self.code {
            write!(f, " (code {code})")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ServiceError {}

/// A request that did not complete.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TransportError {
    /// What went wrong.
    pub kind: TransportErrorKind,
    /// The method you called.
    pub operation: Operation,
    /// The request that failed: the operation's own, or an authentication it needed.
    pub request: Operation,
    /// The `X-Trace-Id` sent with the request.
    pub trace_id: String,
    source: Arc<dyn std::error::Error + Send + Sync>,
}

/// The class of a [`TransportError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be made; nothing was sent.
    Connect,
    /// The attempt took longer than its timeout.
    Timeout,
    /// The connection failed after the request was sent, for example mid-body.
    Interrupted,
    /// TLS failed; retrying will not help until something changes.
    Tls(TlsFailure),
}

/// Why TLS failed, with what to do about it in [`TlsFailure::advice`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsFailure {
    /// A certificate authority this client does not trust signed the server's certificate.
    UnknownAuthority,
    /// The server's certificate is not valid for the host name in the URL.
    NameMismatch,
    /// The server's certificate has expired, or is not valid yet.
    Expired,
    /// The server asks for a client certificate and none was given. TLS 1.3 tells the client
    /// only after the handshake; over HTTP/2 the connection may then close before the server's
    /// alert is read, and the failure is reported as [`TransportErrorKind::Interrupted`].
    /// Certificate authentication itself always uses HTTP/1.1, where the alert is read.
    ClientCertificateRequired,
    /// The server refused the client certificate.
    ClientCertificateRejected,
    /// Another TLS failure; the source says which.
    Other,
}

impl TlsFailure {
    /// What to do about it, in one sentence.
    pub fn advice(&self) -> &'static str {
        match self {
            TlsFailure::UnknownAuthority => {
                "the server's certificate is signed by a certificate authority this client does not trust: add the pod's CA with HttpSettings::add_root_certificate_pem (CLI: --ca-cert)"
            }
            TlsFailure::NameMismatch => {
                "the server's certificate is not valid for this host name: check the URL against the names the certificate was issued for"
            }
            TlsFailure::Expired => {
                "the server's certificate has expired or is not valid yet: renew it, or check this machine's clock"
            }
            TlsFailure::ClientCertificateRequired => {
                "the server asks for a client certificate: authenticate with a certificate (BotCredentials::from_certificate_pem; CLI: --bot-cert and --bot-cert-key)"
            }
            TlsFailure::ClientCertificateRejected => {
                "the server refused the client certificate: check that a CA the pod trusts issued it, and that it is the one registered for this bot or app"
            }
            TlsFailure::Other => "the TLS handshake failed",
        }
    }
}

impl TransportError {
    pub(crate) fn new(
        request: Operation,
        trace_id: String,
        kind: TransportErrorKind,
        source: Arc<dyn std::error::Error + Send + Sync>,
    ) -> Self {
        TransportError {
            kind,
            operation: request,
            request,
            trace_id,
            source,
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "could not connect",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Interrupted => "connection failed",
            TransportErrorKind::Tls(failure) => {
                return write!(f, "{}: {}", self.request, failure.advice());
            }
        };
        write!(f, "{}: {what}", self.request)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// A response that could not be understood.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct DecodeError {
    /// The HTTP status of the response. `None` only for an internal error of the generated
    /// layer that reported an undecodable body without its response, which it never should.
    pub status: Option<StatusCode>,
    /// The method you called.
    pub operation: Operation,
    /// The request whose response it was.
    pub request: Operation,
    /// The `X-Trace-Id` sent with the request.
    pub trace_id: String,
    /// Why the body was refused.
    pub reason: String,
    /// At most [`DecodeError::MAX_BODY_EXCERPT`] bytes of the body, lossily decoded as UTF-8.
    /// Empty for authentication responses, whose bodies may hold credentials.
    pub body: String,
    source: Option<Arc<serde_json::Error>>,
}

impl DecodeError {
    /// The longest body excerpt kept, in bytes.
    pub const MAX_BODY_EXCERPT: usize = 512;

    pub(crate) fn new(
        status: Option<StatusCode>,
        request: Operation,
        trace_id: String,
        reason: &str,
        body: &[u8],
        source: Option<Arc<serde_json::Error>>,
    ) -> Self {
        let excerpt = &body[..body.len().min(Self::MAX_BODY_EXCERPT)];
        DecodeError {
            status,
            operation: request,
            request,
            trace_id,
            reason: reason.to_owned(),
            body: String::from_utf8_lossy(excerpt).into_owned(),
            source,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(
                f,
                "{} answered HTTP {}: {}",
                self.request,
                status.as_u16(),
                self.reason
            ),
            None => write!(f, "{}: {}", self.request, self.reason),
        }
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Input refused before anything was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvalidInput {
    /// What is wrong, without repeating any secret.
    pub message: String,
    /// The method you called, or [`Operation::SETUP`].
    pub operation: Operation,
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InvalidInput {}
