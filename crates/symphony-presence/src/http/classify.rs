//! Mapping one attempt's outcome to a value or an [`Error`].
//!
//! Everything needed comes with the outcome itself: the generated clients report every response
//! with its status and headers, and a body over the cap as [`BodyTooLarge`] with its status (see
//! `symphony_api::hooks`).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use progenitor_client::Error as ApiError;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use symphony_api::ErrorBody;
use symphony_api::hooks::{BodyTooLarge, InvalidBody};

use super::Endpoint;
use super::trace_id::TraceId;
use crate::clock::PodClock;
use crate::error::{
    DecodeError, Error, ServiceError, TlsFailure, TransportError, TransportErrorKind,
};
use crate::retry::parse_retry_after;
use crate::session::SessionToken;

/// Everything known about the attempt besides its result.
pub(crate) struct Context<'a> {
    pub endpoint: &'a Endpoint,
    pub trace_id: TraceId,
    /// The token sent, so that a server message echoing it can be redacted.
    pub token: Option<&'a SessionToken>,
    /// Another credential the request carried (a login's JWT), redacted likewise.
    pub jwt: Option<&'a str>,
    /// Learns the pod's time from the `Date` of authentication answers and of 401s.
    pub clock: &'a PodClock,
}

pub(crate) async fn classify(error: ApiError<ErrorBody>, cx: Context<'_>) -> Error {
    match error {
        ApiError::ErrorResponse(response) => {
            observe_clock(&cx, response.status(), response.headers());
            let (status, retry_after) = (response.status(), retry_after(response.headers()));
            let body = response.into_inner();
            status_error(&cx, status, retry_after, body)
        }
        ApiError::UnexpectedResponse(response) => {
            let status = response.status();
            observe_clock(&cx, status, response.headers());
            let retry_after = retry_after(response.headers());
            let invalid = response.extensions().get::<InvalidBody>().cloned();
            // An undeclared status's body is still unread; it is read under the body cap and the
            // request timeout. A decoded one is already in memory.
            let bytes = match response.bytes().await {
                Ok(bytes) => bytes,
                Err(e) => {
                    if let Some(too_large) = find::<BodyTooLarge>(&e) {
                        return body_too_large(&cx, too_large);
                    }
                    // The status already says what happened.
                    Default::default()
                }
            };
            match invalid {
                Some(InvalidBody(e)) if status.is_success() => {
                    decode(&cx, Some(status), "unexpected body", &bytes, Some(e))
                }
                // An error status whose body is not an `Error` still says what happened.
                Some(_) => status_error(&cx, status, retry_after, ErrorBody::default()),
                None => {
                    let body = serde_json::from_slice(&bytes).unwrap_or_default();
                    status_error(&cx, status, retry_after, body)
                }
            }
        }
        ApiError::ResponseBodyError(e) => match find::<BodyTooLarge>(&e) {
            Some(too_large) => body_too_large(&cx, too_large),
            None => transport(&cx, e),
        },
        ApiError::CommunicationError(e) | ApiError::InvalidUpgrade(e) => transport(&cx, e),
        ApiError::InvalidRequest(message) | ApiError::Custom(message) => {
            Error::invalid(cx.endpoint.op, message)
        }
        // `symphony_api::hooks::from_response`, which every generated operation decodes with,
        // reports an undecodable body with its response instead; this is a codegen defect.
        ApiError::InvalidResponsePayload(bytes, e) => decode(
            &cx,
            None,
            "internal error: the generated client reported an undecodable body without its \
             response (a defect of the codegen rewrite DecodeThroughHooks)",
            &bytes,
            Some(Arc::new(e)),
        ),
    }
}

/// The error of an attempt that took longer than `timeout`.
pub(crate) fn timed_out(endpoint: &Endpoint, trace_id: TraceId, timeout: Duration) -> Error {
    Error::Transport(Box::new(TransportError::new(
        endpoint.op,
        trace_id.as_str().to_owned(),
        TransportErrorKind::Timeout,
        Arc::new(AttemptTimedOut(timeout)),
    )))
}

/// The cause of a [`TransportErrorKind::Timeout`] that the pipeline's own timer ended.
#[derive(Debug)]
struct AttemptTimedOut(Duration);

impl std::fmt::Display for AttemptTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no complete response within {:?}", self.0)
    }
}

impl std::error::Error for AttemptTimedOut {}

/// The `Date` of an authentication's answer, or of a 401, tells the pod's time: what JWTs need.
fn observe_clock(cx: &Context<'_>, status: StatusCode, headers: &HeaderMap) {
    if cx.endpoint.op.is_authentication() || status == StatusCode::UNAUTHORIZED {
        cx.clock.observe(headers);
    }
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, SystemTime::now())
}

fn transport(cx: &Context<'_>, e: reqwest::Error) -> Error {
    let kind = if let Some(failure) = tls_failure(&e) {
        TransportErrorKind::Tls(failure)
    } else if e.is_timeout() {
        TransportErrorKind::Timeout
    } else if e.is_connect() {
        TransportErrorKind::Connect
    } else {
        TransportErrorKind::Interrupted
    };
    Error::Transport(Box::new(TransportError::new(
        cx.endpoint.op,
        cx.trace_id.as_str().to_owned(),
        kind,
        Arc::new(e),
    )))
}

fn body_too_large(cx: &Context<'_>, too_large: &BodyTooLarge) -> Error {
    decode(
        cx,
        Some(too_large.status),
        &too_large.to_string(),
        &[],
        None,
    )
}

fn status_error(
    cx: &Context<'_>,
    status: StatusCode,
    retry_after: Option<Duration>,
    body: ErrorBody,
) -> Error {
    // A JWT's signature alone is as good as the JWT: its header and claims are easy to guess.
    let signature = cx.jwt.and_then(|jwt| jwt.rsplit_once('.')).map(|(_, s)| s);
    let secrets = [cx.token.map(SessionToken::expose), cx.jwt, signature];
    let message = body
        .message
        .map(|m| secrets.into_iter().flatten().fold(m, redact));
    let op = cx.endpoint.op;
    let error = Box::new(ServiceError {
        status,
        code: body.code,
        message,
        operation: op,
        request: op,
        trace_id: cx.trace_id.as_str().to_owned(),
        hint: (status == StatusCode::UNAUTHORIZED)
            .then_some(cx.endpoint.unauthorized_hint)
            .flatten()
            .map(Into::into),
        retry_after,
    });
    match status.as_u16() {
        400 => Error::BadRequest(error),
        401 => Error::Unauthorized(error),
        403 => Error::Forbidden(error),
        404 => Error::NotFound(error),
        429 => Error::RateLimited(error),
        402..=499 => Error::BadRequest(error),
        500..=599 => Error::Server(error),
        _ => decode(
            cx,
            Some(status),
            &format!("unexpected status {}", status.as_u16()),
            &[],
            None,
        ),
    }
}

/// Secrets at least this long are redacted wherever they occur.
const REDACT_EVERYWHERE_FROM: usize = 16;

/// `message` with every occurrence of `secret` replaced by `[REDACTED]`. A secret of at least
/// [`REDACT_EVERYWHERE_FROM`] characters is replaced wherever it occurs, even run into other
/// token characters (`token=<jwt>`, `<jwt>.`). A shorter one is replaced only where it stands
/// alone: inside a longer run of token characters it is not the secret (a one-letter token is
/// in most words), so it is left alone.
fn redact(message: String, secret: &str) -> String {
    let token_char = |c: char| c.is_ascii_alphanumeric() || "-._~+/=".contains(c);
    if secret.is_empty() || !message.contains(secret) {
        return message;
    }
    if secret.len() >= REDACT_EVERYWHERE_FROM {
        return message.replace(secret, "[REDACTED]");
    }
    let mut out = String::with_capacity(message.len());
    let mut rest = message.as_str();
    while let Some(at) = rest.find(secret) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + secret.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(token_char) || after.is_some_and(token_char) {
            out.push_str(secret);
        } else {
            out.push_str("[REDACTED]");
        }
        rest = &rest[at + secret.len()..];
    }
    out.push_str(rest);
    out
}

/// A decode error. For a response that may hold credentials, neither the body nor serde's
/// message (which can quote a value from it) is kept.
fn decode(
    cx: &Context<'_>,
    status: Option<StatusCode>,
    reason: &str,
    body: &[u8],
    source: Option<Arc<serde_json::Error>>,
) -> Error {
    let (body, source) = if cx.endpoint.sensitive_response {
        (&[][..], None)
    } else {
        (body, source)
    };
    Error::Decode(Box::new(DecodeError::new(
        status,
        cx.endpoint.op,
        cx.trace_id.as_str().to_owned(),
        reason,
        body,
        source,
    )))
}

/// The TLS failure in `error`'s source chain, if there is one. rustls's error hides inside an
/// `io::Error`, whose `source()` skips it, so each `io::Error` is opened too; over HTTP/2 the h2
/// crate keeps only its message, so that is read as a last resort.
fn tls_failure(error: &(dyn std::error::Error + 'static)) -> Option<TlsFailure> {
    let mut current = Some(error);
    while let Some(e) = current {
        let inner = e
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            .map(|inner| inner as &(dyn std::error::Error + 'static));
        let rustls = e
            .downcast_ref::<rustls::Error>()
            .or_else(|| inner.and_then(|i| i.downcast_ref::<rustls::Error>()));
        if let Some(rustls) = rustls {
            return Some(from_rustls(rustls));
        }
        if let Some(failure) = inner.and_then(|i| from_h2_message(&i.to_string())) {
            return Some(failure);
        }
        current = inner.or_else(|| e.source());
    }
    None
}

fn from_rustls(error: &rustls::Error) -> TlsFailure {
    use rustls::{AlertDescription as Alert, CertificateError as Cert};
    match error {
        rustls::Error::InvalidCertificate(Cert::UnknownIssuer) => TlsFailure::UnknownAuthority,
        rustls::Error::InvalidCertificate(
            Cert::NotValidForName | Cert::NotValidForNameContext { .. },
        ) => TlsFailure::NameMismatch,
        rustls::Error::InvalidCertificate(
            Cert::Expired
            | Cert::ExpiredContext { .. }
            | Cert::NotValidYet
            | Cert::NotValidYetContext { .. },
        ) => TlsFailure::Expired,
        rustls::Error::AlertReceived(Alert::CertificateRequired) => {
            TlsFailure::ClientCertificateRequired
        }
        rustls::Error::AlertReceived(
            Alert::BadCertificate
            | Alert::UnknownCA
            | Alert::CertificateUnknown
            | Alert::CertificateRevoked
            | Alert::CertificateExpired
            | Alert::AccessDenied,
        ) => TlsFailure::ClientCertificateRejected,
        _ => TlsFailure::Other,
    }
}

/// A failure from the message of rustls's `Display` (`received fatal alert: UnknownCA`,
/// `invalid peer certificate: UnknownIssuer`), which is all h2 keeps of it.
fn from_h2_message(message: &str) -> Option<TlsFailure> {
    if let Some(alert) = message.strip_prefix("received fatal alert: ") {
        return Some(match alert {
            "CertificateRequired" => TlsFailure::ClientCertificateRequired,
            "BadCertificate" | "UnknownCA" | "CertificateUnknown" | "CertificateRevoked"
            | "CertificateExpired" | "AccessDenied" => TlsFailure::ClientCertificateRejected,
            _ => TlsFailure::Other,
        });
    }
    let certificate = message.strip_prefix("invalid peer certificate: ")?;
    Some(if certificate.starts_with("UnknownIssuer") {
        TlsFailure::UnknownAuthority
    } else if certificate.starts_with("certificate not valid for name")
        || certificate.starts_with("NotValidForName")
    {
        TlsFailure::NameMismatch
    } else if certificate.contains("expired") || certificate.starts_with("Expired") {
        TlsFailure::Expired
    } else {
        TlsFailure::Other
    })
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
    use crate::http::pod_endpoint;

    const ENDPOINT: Endpoint = pod_endpoint!(
        "get_presence",
        "GET",
        "/v2/user/presence",
        idempotent = true
    );

    #[test]
    fn tls_failures_are_named_from_rustls_errors_and_from_their_messages() {
        use rustls::{AlertDescription as Alert, CertificateError as Cert};
        let cases = [
            (
                rustls::Error::InvalidCertificate(Cert::UnknownIssuer),
                TlsFailure::UnknownAuthority,
            ),
            (
                rustls::Error::InvalidCertificate(Cert::NotValidForName),
                TlsFailure::NameMismatch,
            ),
            (
                rustls::Error::InvalidCertificate(Cert::Expired),
                TlsFailure::Expired,
            ),
            (
                rustls::Error::AlertReceived(Alert::CertificateRequired),
                TlsFailure::ClientCertificateRequired,
            ),
            (
                rustls::Error::AlertReceived(Alert::UnknownCA),
                TlsFailure::ClientCertificateRejected,
            ),
            (
                rustls::Error::AlertReceived(Alert::HandshakeFailure),
                TlsFailure::Other,
            ),
        ];
        for (error, failure) in cases {
            assert_eq!(from_rustls(&error), failure, "{error:?}");
            // What h2 keeps of it: the message.
            assert_eq!(
                from_h2_message(&error.to_string()),
                Some(failure),
                "{error}"
            );
            let wrapped = std::io::Error::new(std::io::ErrorKind::InvalidData, error);
            assert_eq!(tls_failure(&wrapped), Some(failure));
        }
        assert_eq!(from_h2_message("connection reset"), None);
    }

    #[test]
    fn long_secrets_are_redacted_everywhere_short_ones_where_they_stand_alone() {
        let jwt = "eyJhbGciOiJSUzUxMiJ9.eyJzdWIiOiJib3QifQ.c2ln";
        assert_eq!(
            redact(format!("invalid token {jwt}, try again"), jwt),
            "invalid token [REDACTED], try again"
        );
        assert_eq!(
            redact(format!("\"{jwt}\"").to_owned(), jwt),
            "\"[REDACTED]\""
        );
        // A long secret run into other token characters is still the secret.
        assert_eq!(
            redact(format!("token={jwt}. Bearer:{jwt}"), jwt),
            "token=[REDACTED]. Bearer:[REDACTED]"
        );
        // A short token is part of ordinary words, which stay readable.
        assert_eq!(
            redact("Too many requests".to_owned(), "t"),
            "Too many requests"
        );
        assert_eq!(
            redact("token t refused".to_owned(), "t"),
            "token [REDACTED] refused"
        );
    }

    #[tokio::test]
    async fn an_undecodable_body_without_its_response_is_a_loud_internal_error() {
        let payload = serde_json::from_slice::<ErrorBody>(b"{").unwrap_err();
        let error = ApiError::InvalidResponsePayload(bytes::Bytes::from_static(b"{"), payload);
        let clock = PodClock::default();
        let cx = Context {
            endpoint: &ENDPOINT,
            trace_id: TraceId::new(),
            token: None,
            jwt: None,
            clock: &clock,
        };
        let Error::Decode(e) = classify(error, cx).await else {
            panic!("expected a decode error");
        };
        assert_eq!(e.status, None);
        assert!(e.reason.starts_with("internal error:"), "{}", e.reason);
    }
}
