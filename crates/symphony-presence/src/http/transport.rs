//! The request executor installed into the generated clients, and what it saw per attempt.
//!
//! progenitor decodes responses itself and, when a body does not decode, reports neither the
//! status nor the headers. The executor therefore records them for the attempt in progress
//! (a task-local [`Exchange`] the pipeline opens around each attempt). It also sends the
//! attempt's `X-Trace-Id`, and reads the body up to the size cap before progenitor sees it, so
//! a huge or endless body ends as an error and never as unbounded memory.

use std::cell::RefCell;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_LENGTH, HeaderName, HeaderValue, RETRY_AFTER};
use symphony_pod_api::hooks::Executor;

use crate::retry::parse_retry_after;

static TRACE_ID: HeaderName = HeaderName::from_static("x-trace-id");

tokio::task_local! {
    static EXCHANGE: Exchange;
}

/// One attempt: the trace id to send and what came back.
struct Exchange {
    trace_id: HeaderValue,
    seen: RefCell<Seen>,
}

/// What the executor saw of one response.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    pub status: Option<StatusCode>,
    pub retry_after: Option<Duration>,
    pub body_failure: Option<BodyFailure>,
}

#[derive(Debug)]
pub(crate) enum BodyFailure {
    /// The body was longer than the cap (or said it would be).
    TooLarge { limit: usize },
    /// The connection failed (or timed out) while the body was read.
    Read(Box<dyn std::error::Error + Send + Sync>),
}

/// A fresh random trace id: 16 hex digits.
pub(crate) fn new_trace_id() -> String {
    format!("{:016x}", fastrand::u64(..))
}

/// Runs one attempt with `trace_id`, returning its result and what the executor saw.
pub(crate) async fn exchange<F: Future>(trace_id: &str, attempt: F) -> (F::Output, Seen) {
    let exchange = Exchange {
        trace_id: HeaderValue::from_str(trace_id).expect("trace ids are hex digits"),
        seen: RefCell::default(),
    };
    EXCHANGE
        .scope(exchange, async {
            let output = attempt.await;
            (output, EXCHANGE.with(|e| e.seen.take()))
        })
        .await
}

/// The executor for both generated clients: every request goes through `http`.
pub(crate) fn executor(http: reqwest::Client, max_body: usize) -> Executor {
    Arc::new(move |request| Box::pin(execute(http.clone(), request, max_body)))
}

async fn execute(
    http: reqwest::Client,
    mut request: reqwest::Request,
    max_body: usize,
) -> reqwest::Result<reqwest::Response> {
    if let Ok(trace_id) = EXCHANGE.try_with(|e| e.trace_id.clone()) {
        request.headers_mut().insert(TRACE_ID.clone(), trace_id);
    }
    let response = http.execute(request).await?;
    let (parts, body) = http::Response::from(response).into_parts();
    let retry_after = parts
        .headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()));
    record(|seen| {
        seen.status = Some(parts.status);
        seen.retry_after = retry_after;
    });

    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let body = if declared.is_some_and(|n| n > max_body as u64) {
        record(|seen| seen.body_failure = Some(BodyFailure::TooLarge { limit: max_body }));
        Bytes::new()
    } else {
        match Limited::new(body, max_body).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) => {
                let failure = if e.is::<LengthLimitError>() {
                    BodyFailure::TooLarge { limit: max_body }
                } else {
                    BodyFailure::Read(e)
                };
                record(|seen| seen.body_failure = Some(failure));
                Bytes::new()
            }
        }
    };
    Ok(reqwest::Response::from(http::Response::from_parts(
        parts, body,
    )))
}

fn record(f: impl FnOnce(&mut Seen)) {
    // Outside an exchange (nothing opens one but the pipeline) there is nothing to record.
    let _ = EXCHANGE.try_with(|e| f(&mut e.seen.borrow_mut()));
}
