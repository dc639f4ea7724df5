//! The interceptors installed into the generated clients, and what they saw per attempt.
//!
//! progenitor decodes responses itself and, when a body does not decode, reports neither the
//! status nor the headers. The response interceptor therefore records what the pipeline needs of
//! them for the attempt in progress and hands progenitor the response without headers. The
//! attempt is an [`Exchange`]: while it is polled, its slot is this thread's current one, which
//! the interceptors (called within that poll) read and write. The request interceptor sends the
//! attempt's `X-Trace-Id`. The body is capped before progenitor reads it: a declared length over
//! the cap is refused unread, and a body without one is read through a size limit, so a huge or
//! endless body ends as an error and never as unbounded memory.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use bytes::BytesMut;
use http_body_util::Limited;
use reqwest::header::{HeaderName, HeaderValue, RETRY_AFTER};
use reqwest::{ResponseBuilderExt, StatusCode};
use symphony_pod_api::hooks::{OnRequest, OnResponse};

use crate::retry::parse_retry_after;

static TRACE_ID: HeaderName = HeaderName::from_static("x-trace-id");

thread_local! {
    /// The slot of the exchange being polled on this thread.
    static CURRENT: Cell<Option<Slot>> = const { Cell::new(None) };

    /// Where trace id header values are cut from, one allocation per 256 ids. A value of its
    /// own would cost two a call: its own, and a shared copy when reqwest clones the request;
    /// a cut costs a reference count.
    static TRACE_ID_BYTES: RefCell<BytesMut> = RefCell::new(BytesMut::new());
}

/// One attempt: the trace id to send and what came back.
#[derive(Clone, Copy)]
struct Slot {
    trace_id: TraceId,
    seen: Seen,
}

/// What the response interceptor saw of one response.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Seen {
    pub status: Option<StatusCode>,
    pub retry_after: Option<Duration>,
    /// The body cap that applied; the body said it is longer (content-length) when `too_large`.
    pub body_limit: usize,
    pub too_large: bool,
}

/// A random trace id: 16 lower-case hex digits, kept on the stack (it is made per attempt).
#[derive(Clone, Copy)]
pub(crate) struct TraceId([u8; 16]);

impl TraceId {
    pub(crate) fn new() -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut digits = [0u8; 16];
        for (pair, byte) in digits
            .chunks_exact_mut(2)
            .zip(fastrand::u64(..).to_le_bytes())
        {
            pair[0] = HEX[usize::from(byte >> 4)];
            pair[1] = HEX[usize::from(byte & 0xf)];
        }
        TraceId(digits)
    }

    /// The id as a header value.
    fn header_value(&self) -> HeaderValue {
        let bytes = TRACE_ID_BYTES.with_borrow_mut(|buf| {
            if buf.capacity() < self.0.len() {
                *buf = BytesMut::with_capacity(self.0.len() * 256);
            }
            buf.extend_from_slice(&self.0);
            buf.split().freeze()
        });
        HeaderValue::from_maybe_shared(bytes).expect("hex digits are a valid header value")
    }

    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// Runs one attempt with `trace_id`; it ends with the attempt's result and what the interceptors
/// saw. (A thread-local slot set around each poll costs less than `tokio::task_local!`, which
/// moves its value in and out of a `RefCell` on every poll.)
pub(crate) fn exchange<F: Future + Unpin>(trace_id: TraceId, attempt: F) -> Exchange<F> {
    Exchange {
        attempt,
        slot: Slot {
            trace_id,
            seen: Seen::default(),
        },
    }
}

/// The future of [`exchange`].
pub(crate) struct Exchange<F> {
    attempt: F,
    slot: Slot,
}

impl<F: Future + Unpin> Future for Exchange<F> {
    type Output = (F::Output, Seen);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        // Puts back the outer slot even if the attempt panics.
        struct Restore(Option<Slot>);
        impl Drop for Restore {
            fn drop(&mut self) {
                CURRENT.set(self.0);
            }
        }
        let restore = Restore(CURRENT.replace(Some(this.slot)));
        let polled = Pin::new(&mut this.attempt).poll(cx);
        if let Some(slot) = CURRENT.take() {
            this.slot = slot;
        }
        drop(restore);
        polled.map(|output| (output, this.slot.seen))
    }
}

/// What the pipeline adds to every exchange of both generated clients.
#[derive(Clone)]
pub(crate) struct Interceptors {
    // The pod crate's aliases; the login crate's name the same types.
    on_request: OnRequest,
    on_response: OnResponse,
}

impl Interceptors {
    pub(crate) fn new(max_body: usize) -> Self {
        Interceptors {
            on_request: Arc::new(add_trace_id),
            on_response: Arc::new(move |response| inspect(response, max_body)),
        }
    }

    pub(crate) fn pod(&self) -> symphony_pod_api::hooks::Inner {
        symphony_pod_api::hooks::Inner::default()
            .on_request(self.on_request.clone())
            .on_response(self.on_response.clone())
    }

    pub(crate) fn login(&self) -> symphony_login_api::hooks::Inner {
        symphony_login_api::hooks::Inner::default()
            .on_request(self.on_request.clone())
            .on_response(self.on_response.clone())
    }
}

fn add_trace_id(request: &mut reqwest::Request) {
    if let Some(Slot { trace_id, .. }) = CURRENT.get() {
        request
            .headers_mut()
            .insert(TRACE_ID.clone(), trace_id.header_value());
    }
}

/// Records what the pipeline needs of `response` and caps its body.
fn inspect(mut response: reqwest::Response, max_body: usize) -> reqwest::Response {
    let status = response.status();
    // Nothing after this point reads the headers, and progenitor would clone them into every
    // `ResponseValue`; what the pipeline needs is recorded here and the rest dropped.
    let headers = std::mem::take(response.headers_mut());
    let retry_after = if status.is_success() {
        None
    } else {
        headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()))
    };
    // hyper's exact size hint is the parsed content-length (none for a chunked body).
    let declared = response.content_length();
    let too_large = declared.is_some_and(|n| n > max_body as u64);
    record(|seen| {
        seen.status = Some(status);
        seen.retry_after = retry_after;
        seen.body_limit = max_body;
        seen.too_large = too_large;
    });
    if declared.is_some() && !too_large {
        // hyper reads a body with a content-length no further than that length.
        return response;
    }
    // A chunked body (or one declared too long) is rebuilt around a limited reader. The URL is
    // carried over so that reqwest does not parse a placeholder.
    let url = response.url().clone();
    let (parts, body) = http::Response::from(response).into_parts();
    let body = if too_large {
        reqwest::Body::from(Vec::new())
    } else {
        reqwest::Body::wrap(Limited::new(body, max_body))
    };
    let rebuilt = http::Response::builder()
        .status(parts.status)
        .version(parts.version)
        .url(url);
    reqwest::Response::from(
        rebuilt
            .body(body)
            .expect("status and version come from a valid response"),
    )
}

fn record(f: impl FnOnce(&mut Seen)) {
    // Outside an exchange (nothing opens one but the pipeline) there is nothing to record.
    if let Some(mut slot) = CURRENT.take() {
        f(&mut slot.seen);
        CURRENT.set(Some(slot));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_ids_are_16_hex_digits_and_their_header_values_match() {
        // More than one buffer's worth, so that a refill is crossed.
        let ids: Vec<TraceId> = (0..600).map(|_| TraceId::new()).collect();
        let values: Vec<HeaderValue> = ids.iter().map(TraceId::header_value).collect();
        for (id, value) in ids.iter().zip(&values) {
            assert_eq!(id.as_str().len(), 16);
            assert!(
                id.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            );
            assert_eq!(value.to_str().unwrap(), id.as_str());
        }
        let distinct: std::collections::HashSet<&str> = ids.iter().map(TraceId::as_str).collect();
        assert_eq!(distinct.len(), ids.len());
    }
}
