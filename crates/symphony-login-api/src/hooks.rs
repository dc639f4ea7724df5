//! The hand-written hooks of the generated client (it sits here because of the orphan rule).
//!
//! - Each request runs in a `tracing` span with the operation, method, path and status. Header
//!   values, which carry session tokens, are never recorded.
//! - A higher layer can see each request just before it is sent ([`OnRequest`]) and each
//!   response before its body is read ([`OnResponse`]), set through the client's [`Inner`] value.
//!   Both are plain functions: the request is sent by the client's own `reqwest::Client`, with
//!   no extra future or allocation per call.
//! - The generated operations decode a body through [`from_response`] (the xtask's rewrite of
//!   progenitor's `ResponseValue::from_response`). With it and a small `exec` future, an
//!   operation's future is about 1 KiB rather than 1.6 KiB.

use std::future::Future;
use std::sync::Arc;

use futures_util::future::Either;
use futures_util::{FutureExt, TryStreamExt};
use http_body::Frame;
use http_body_util::{BodyExt, StreamBody};
use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo, ResponseValue};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::Client;

/// Sees each request just before it is sent, for example to add a header.
pub type OnRequest = Arc<dyn Fn(&mut reqwest::Request) + Send + Sync>;

/// Sees each response before its body is read, and returns it or a replacement (for example
/// one whose body is read through a size limit).
pub type OnResponse = Arc<dyn Fn(reqwest::Response) -> reqwest::Response + Send + Sync>;

/// The generated client's inner value: what a higher layer adds around each exchange.
///
/// The default adds nothing.
#[derive(Clone, Default)]
pub struct Inner {
    on_request: Option<OnRequest>,
    on_response: Option<OnResponse>,
}

impl Inner {
    /// Calls `f` on every request of the client just before it is sent.
    #[must_use]
    pub fn on_request(mut self, f: OnRequest) -> Self {
        self.on_request = Some(f);
        self
    }

    /// Passes every response of the client through `f` before its body is read.
    #[must_use]
    pub fn on_response(mut self, f: OnResponse) -> Self {
        self.on_response = Some(f);
        self
    }
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("on_request", &self.on_request.is_some())
            .field("on_response", &self.on_response.is_some())
            .finish()
    }
}

impl ClientHooks<Inner> for Client {
    // A plain function returning a combinator: an `async fn` would keep the request and the span
    // beside reqwest's future, and every operation's future would carry that size.
    fn exec(
        &self,
        mut request: reqwest::Request,
        info: &OperationInfo,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> {
        let inner = self.inner();
        if let Some(on_request) = &inner.on_request {
            on_request(&mut request);
        }
        let span = tracing::debug_span!(
            "symphony_login_api",
            operation = info.operation_id,
            method = %request.method(),
            path = request.url().path(),
            status = tracing::field::Empty,
        );
        let sent = self.client().execute(request);
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
            match (response, &inner.on_response) {
                (Ok(response), Some(on_response)) => Ok(on_response(response)),
                (response, _) => response,
            }
        })
    }
}

/// Reads and decodes a response body as `ResponseValue::from_response` does, with the same
/// errors, in a 248-byte future rather than 944: that one holds the response twice, and
/// reqwest's `bytes()` within it twice more. The generated operations call this in its place.
#[doc(hidden)]
#[allow(clippy::result_large_err, reason = "the error type is progenitor's")]
pub fn from_response<T: DeserializeOwned, E>(
    mut response: reqwest::Response,
) -> impl Future<Output = Result<ResponseValue<T>, Error<E>>> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let frames = response.bytes_stream().map_ok(Frame::data);
    StreamBody::new(frames).collect().map(move |collected| {
        let full = collected.map_err(Error::ResponseBodyError)?.to_bytes();
        let inner =
            serde_json::from_slice(&full).map_err(|e| Error::InvalidResponsePayload(full, e))?;
        Ok(ResponseValue::new(inner, status, headers))
    })
}
