//! The hand-written hooks of the generated clients, one `ClientHooks` impl per API (the orphan
//! rule puts them in this crate), all sharing the code below.
//!
//! - Each request runs in a `tracing` span with the operation, method, path and status. Header
//!   values, which carry session tokens, are never recorded.
//! - Each response body is read under the cap set with [`Inner::max_response_bytes`]: a body
//!   that is, or says it is, longer fails to read with [`BodyTooLarge`], which names the status,
//!   instead of growing without bound.
//! - The generated operations decode bodies through [`from_response`]. A body that does not
//!   decode comes back as `Error::UnexpectedResponse`, whose response keeps its status and
//!   headers and carries the decoding error as an [`InvalidBody`] extension.
//!
//! So every outcome an operation reports holds what it is about as a value: the status and
//! headers of any response, and the cap and status of a body that was too long.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::Either;
use futures_util::{FutureExt, TryStreamExt, stream};
use http_body::Frame;
use http_body_util::{BodyExt, LengthLimitError, Limited, StreamBody};
use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo, ResponseValue};
use reqwest::{ResponseBuilderExt, StatusCode};
use serde::de::DeserializeOwned;
use tracing::Instrument;

/// What every generated client adds around each exchange; set with the client's constructor
/// (`Client::new_with_client(url, http, Inner::default().max_response_bytes(..))`).
///
/// The default reads bodies of any length.
#[derive(Clone, Debug, Default)]
pub struct Inner {
    max_response_bytes: Option<usize>,
}

impl Inner {
    /// The longest response body read, in bytes; a longer one fails with [`BodyTooLarge`].
    #[must_use]
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }
}

/// A response body longer than [`Inner::max_response_bytes`]: the error in the source chain of
/// `Error::ResponseBodyError` when the body was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyTooLarge {
    /// The status of the response whose body was refused.
    pub status: StatusCode,
    /// The cap that applied, in bytes.
    pub limit: usize,
}

impl fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the body is larger than the {}-byte cap", self.limit)
    }
}

impl std::error::Error for BodyTooLarge {}

/// Why a response body did not decode: the extension of the response returned as
/// `Error::UnexpectedResponse` when [`from_response`] could not decode it. The response's body
/// is the body as it arrived.
#[derive(Clone, Debug)]
pub struct InvalidBody(pub Arc<serde_json::Error>);

/// Implements `ClientHooks` for each API's client with the shared [`exec`].
macro_rules! hooks_for {
    ($($client:ty),+) => {$(
        impl ClientHooks<Inner> for $client {
            fn exec(
                &self,
                request: reqwest::Request,
                info: &OperationInfo,
            ) -> impl Future<Output = reqwest::Result<reqwest::Response>> {
                exec(self.client(), self.inner(), request, info)
            }
        }
    )+};
}

hooks_for!(
    crate::login::Client,
    crate::pod::Client,
    crate::sessionauth::Client
);

// A plain function returning a combinator: an `async fn` would keep the request and the span
// beside reqwest's future, and every operation's future would carry that size.
fn exec(
    client: &reqwest::Client,
    inner: &Inner,
    request: reqwest::Request,
    info: &OperationInfo,
) -> impl Future<Output = reqwest::Result<reqwest::Response>> + use<> {
    let span = tracing::debug_span!(
        "symphony_api",
        operation = info.operation_id,
        method = %request.method(),
        path = request.url().path(),
        status = tracing::field::Empty,
    );
    let limit = inner.max_response_bytes;
    let sent = client.execute(request);
    // Without a subscriber the span is disabled; `instrument` would only add work per poll.
    let sent = if span.is_disabled() {
        Either::Left(sent)
    } else {
        Either::Right(sent.instrument(span.clone()))
    };
    sent.map(move |response| {
        match &response {
            Ok(r) => span.record("status", r.status().as_u16()),
            Err(_) => span.record("status", "transport error"),
        };
        match (response, limit) {
            (Ok(response), Some(limit)) => Ok(capped(response, limit)),
            (response, _) => response,
        }
    })
}

/// `response` with a body that fails with [`BodyTooLarge`] past `limit` bytes.
fn capped(response: reqwest::Response, limit: usize) -> reqwest::Response {
    // hyper's exact size hint is the parsed content-length (none for a chunked body), and it
    // reads a body with one no further than that length.
    let declared = response.content_length();
    if declared.is_some_and(|n| n <= limit as u64) {
        return response;
    }
    let status = response.status();
    let too_large = BodyTooLarge { status, limit };
    let url = response.url().clone();
    let (parts, body) = http::Response::from(response).into_parts();
    let body = if declared.is_some() {
        // Said to be too long: refused unread.
        let refused = stream::iter([Err::<Frame<Bytes>, _>(too_large)]);
        reqwest::Body::wrap(StreamBody::new(refused))
    } else {
        reqwest::Body::wrap(Limited::new(body, limit).map_err(move |e| {
            if e.is::<LengthLimitError>() {
                Box::new(too_large)
            } else {
                e
            }
        }))
    };
    // Rebuilt with the URL, so that reqwest does not parse a placeholder.
    let mut rebuilt = http::Response::builder()
        .status(parts.status)
        .version(parts.version)
        .url(url)
        .body(body)
        .expect("status and version come from a valid response");
    *rebuilt.headers_mut() = parts.headers;
    reqwest::Response::from(rebuilt)
}

/// Reads and decodes a response body; the generated operations call this in place of
/// `ResponseValue::from_response`. A body that does not decode is returned as
/// `Error::UnexpectedResponse`, with the decoding error as an [`InvalidBody`] extension, so that
/// its status and headers are not lost. The future is 248 bytes rather than 944: that one
/// holds the response twice, and reqwest's `bytes()` within it twice more.
#[doc(hidden)]
#[allow(clippy::result_large_err, reason = "the error type is progenitor's")]
pub fn from_response<T: DeserializeOwned, E>(
    mut response: reqwest::Response,
) -> impl Future<Output = Result<ResponseValue<T>, Error<E>>> {
    let status = response.status();
    let version = response.version();
    let headers = std::mem::take(response.headers_mut());
    let frames = response.bytes_stream().map_ok(Frame::data);
    StreamBody::new(frames).collect().map(move |collected| {
        let full = collected.map_err(Error::ResponseBodyError)?.to_bytes();
        match serde_json::from_slice(&full) {
            Ok(inner) => Ok(ResponseValue::new(inner, status, headers)),
            Err(e) => {
                let mut rebuilt = http::Response::builder()
                    .status(status)
                    .version(version)
                    .extension(InvalidBody(Arc::new(e)))
                    .body(full)
                    .expect("status and version come from a valid response");
                *rebuilt.headers_mut() = headers;
                Err(Error::UnexpectedResponse(reqwest::Response::from(rebuilt)))
            }
        }
    })
}
