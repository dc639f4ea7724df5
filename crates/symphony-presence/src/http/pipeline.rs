//! The call loop every operation goes through.

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

use futures_util::FutureExt;
use futures_util::future::Either;
use progenitor_client::{Error as ApiError, ResponseValue};
use symphony_api::ErrorBody;
use tokio::time::{Instant, timeout_at};
use tracing::Instrument;

use super::Endpoint;
use super::classify::{Context, classify, timed_out};
use super::trace_id::TraceId;
use crate::error::{Error, TimeoutError, WaitingFor};
use crate::observe::{self, SpanStart};
use crate::request::CallOptions;
use crate::session::{SessionProvider, SessionToken};
use crate::transport::Transport;

/// One call's circumstances: everything the pipeline needs besides how to send and what to
/// accept.
pub(crate) struct Exchange<'a> {
    pub transport: &'a Transport,
    pub endpoint: &'a Endpoint,
    pub options: &'a CallOptions,
    /// Where the session token comes from; `None` for the logins that carry a JWT.
    pub session: Option<&'a dyn SessionProvider>,
    /// The API's base URL, for the span's `server.address` and `url.path`.
    pub base: &'a reqwest::Url,
    /// The values of the path's `{parameters}`, in order, for the span's `url.path`.
    pub path_params: &'a [&'a (dyn Display + Sync)],
    /// The JWT a login sends, to redact it from error messages that echo it.
    pub jwt: Option<&'a str>,
}

/// Records the last request's `symphony.trace_id` and `http.request.resend_count` on the
/// operation's span when the call ends, however it ends. Recorded at each attempt, they would
/// be exported once per attempt: tracing-opentelemetry adds an attribute for every record and
/// the OpenTelemetry SDK keeps every copy, so a backend could show the first attempt's values.
struct LastSent<'a> {
    span: &'a tracing::Span,
    /// The trace id of the last request sent, and how many were sent before it.
    sent: Option<(TraceId, u32)>,
}

impl Drop for LastSent<'_> {
    fn drop(&mut self) {
        if let Some((trace_id, resends)) = self.sent
            && !self.span.is_disabled()
        {
            self.span.record("symphony.trace_id", trace_id.as_str());
            self.span
                .record("http.request.resend_count", i64::from(resends));
        }
    }
}

/// Runs `send` until it succeeds, the policy gives up, or the deadline passes:
///
/// 1. take the session token from the session, waiting for an authentication if need be;
/// 2. send, with a fresh `X-Trace-Id` (`send` is given the token and the trace id), within the
///    attempt's timeout;
/// 3. map the outcome to a value, checked by `accept`, or to an [`Error`];
/// 4. on a 401, refresh the session once and repeat once (this is not counted as a retry);
/// 5. otherwise retry as the policy says, honouring `Retry-After`, while the transport's retry
///    budget lasts;
///
/// all within the call's deadline, and inside the operation's span (see [`crate::observe`]).
/// `accept` refuses a value that decoded but cannot be used (such as a token response without
/// a token) with the reason, which becomes a [`DecodeError`](crate::DecodeError).
pub(crate) fn call<'a, T, U, F, Fut, A>(
    exchange: Exchange<'a>,
    send: F,
    accept: A,
) -> impl Future<Output = Result<U, Error>> + 'a
where
    T: 'a,
    U: 'a,
    F: Fn(&str, String) -> Fut + 'a,
    Fut: Future<Output = Result<ResponseValue<T>, ApiError<ErrorBody>>> + 'a,
    A: Fn(T) -> Result<U, &'static str> + 'a,
{
    let Exchange {
        transport,
        endpoint,
        options,
        session,
        base,
        path_params,
        jwt,
    } = exchange;
    let op = endpoint.op;
    let retry = options.retry.as_ref().unwrap_or(&transport.retry);
    let attempt_timeout = options.timeout.unwrap_or(transport.timeout);
    let call_deadline = options.deadline.unwrap_or(transport.deadline);
    let span = (endpoint.span)(&SpanStart {
        method: op.http_method().unwrap_or_default(),
        server: base.host_str().unwrap_or_default(),
        session_kind: session.map(|s| s.kind()),
    });
    if !span.is_disabled() {
        observe::record_path(
            &span,
            base.path(),
            op.path().unwrap_or_default(),
            path_params,
        );
    }
    let timeout = move |waiting_for, trace_id: Option<TraceId>| {
        Error::Timeout(Box::new(TimeoutError {
            operation: op,
            deadline: call_deadline,
            waiting_for,
            trace_id: trace_id.map(|id| id.as_str().to_owned()),
        }))
    };
    // The loop is an `async move` block rather than an `async fn`, which would store its
    // arguments twice in its state machine.
    let attempts = {
        let span = span.clone();
        async move {
            let deadline = later(Instant::now(), call_deadline);
            let mut attempt = 1;
            let mut waited = Duration::ZERO;
            let mut retries_took = 0;
            let mut refresh_used = false;
            let mut next_token: Option<SessionToken> = None;
            let mut last_sent = LastSent {
                span: &span,
                sent: None,
            };
            loop {
                // An attempt's values live in this block, so that the state machine does not
                // keep them through the back-off.
                let delay = {
                    let token = match (next_token.take(), session) {
                        (Some(token), _) => Some(token),
                        (None, Some(session)) => match session.cached_token() {
                            Some(token) => Some(token),
                            None => Some(
                                timeout_at(deadline, session.session_token())
                                    .await
                                    .map_err(|_| timeout(WaitingFor::Authentication, None))?
                                    .map_err(|e| e.during(op))?,
                            ),
                        },
                        (None, None) => None,
                    };
                    let trace_id = TraceId::new();
                    last_sent.sent = Some((trace_id, attempt - 1 + u32::from(refresh_used)));
                    let classified = {
                        let secret = token.as_ref().map_or("", SessionToken::expose);
                        // Boxed: inline, the generated future (about 1 KiB) makes every enclosing
                        // state machine that large, and measured slower (docs/profiling.md).
                        // Written into the allocation: `Box::pin` would copy all of it, though
                        // only its first bytes are set.
                        let sending = Box::write(
                            Box::new_uninit(),
                            send(secret, trace_id.as_str().to_owned()),
                        );
                        let limit = deadline.min(later(Instant::now(), attempt_timeout));
                        match timeout_at(limit, Box::into_pin(sending)).await {
                            // The common case, kept out of `classify` so that the value is not
                            // moved through it.
                            Ok(Ok(value)) => {
                                let status = value.status();
                                span.record(
                                    "http.response.status_code",
                                    i64::from(status.as_u16()),
                                );
                                if op.is_authentication() {
                                    transport.clock.observe(value.headers());
                                }
                                transport.budget.refund(retries_took);
                                return accept(value.into_inner()).map_err(|reason| {
                                    endpoint.unusable(status, trace_id.as_str(), reason)
                                });
                            }
                            // Boxed, and awaited outside this block: only a failed attempt needs
                            // it, and it can read an error body.
                            Ok(Err(error)) => Either::Left(Box::pin(classify(
                                error,
                                Context {
                                    endpoint,
                                    trace_id,
                                    token: token.as_ref(),
                                    jwt,
                                    clock: &transport.clock,
                                },
                            ))),
                            Err(_) if limit == deadline => {
                                return Err(timeout(WaitingFor::Response, Some(trace_id)));
                            }
                            Err(_) => Either::Right(std::future::ready(timed_out(
                                endpoint,
                                trace_id,
                                attempt_timeout,
                            ))),
                        }
                    };
                    let error = classified.await;

                    if let (Error::Unauthorized(_), Some(session), Some(rejected)) =
                        (&error, session, &token)
                        && !refresh_used
                    {
                        refresh_used = true;
                        tracing::debug!("401: refreshing the session and repeating once");
                        let refreshed = timeout_at(deadline, session.refresh(rejected))
                            .await
                            .map_err(|_| timeout(WaitingFor::Authentication, None))?;
                        match refreshed.map_err(|e| e.during(op))? {
                            Some(token) => {
                                next_token = Some(token);
                                continue;
                            }
                            None => return Err(error),
                        }
                    }

                    let delay = retry
                        .next_delay(attempt, &error, endpoint.idempotent, waited)
                        // A wait that would end past the deadline is not started.
                        .filter(|delay| later(Instant::now(), *delay) < deadline);
                    let Some(delay) = delay else {
                        tracing::debug!(error = %error, trace_id = trace_id.as_str(), "giving up");
                        return Err(error);
                    };
                    let Some(cost) = transport.budget.take(&error) else {
                        tracing::debug!(
                            error = %error,
                            trace_id = trace_id.as_str(),
                            "giving up: the retry budget is spent"
                        );
                        return Err(error);
                    };
                    retries_took += cost;
                    let delay_ms = delay.as_millis() as u64;
                    tracing::info!(error = %error, trace_id = trace_id.as_str(), delay_ms, "retrying");
                    delay
                };
                tokio::time::sleep(delay).await;
                waited += delay;
                attempt += 1;
            }
        }
    };
    // Without a subscriber the span is disabled; skipping `instrument` saves a wrapper per poll.
    if span.is_disabled() {
        Either::Left(attempts)
    } else {
        let recorded = attempts.map({
            let span = span.clone();
            move |result| {
                if let Err(error) = &result {
                    observe::record_error(&span, error);
                }
                result
            }
        });
        Either::Right(recorded.instrument(span))
    }
}

/// `now + wait`, or about 30 years on for a wait too long to add (`Duration::MAX` meaning "no
/// limit"), instead of a panic.
fn later(now: Instant, wait: Duration) -> Instant {
    const FAR: Duration = Duration::from_secs(30 * 365 * 24 * 3600);
    now.checked_add(wait.min(FAR)).unwrap_or(now)
}
