//! The call loop every operation goes through.

use std::future::Future;
use std::time::Duration;

use futures_util::future::Either;
use progenitor_client::{Error as ApiError, ResponseValue};
use symphony_api::ErrorBody;
use tracing::Instrument;

use super::Endpoint;
use super::classify::{Context, classify, timed_out};
use super::trace_id::TraceId;
use crate::error::Error;
use crate::request::CallOptions;
use crate::session::{SessionProvider, SessionToken};
use crate::transport::Transport;

/// Runs `send` until it succeeds or the policy gives up:
///
/// 1. take the session token from `session` (none for the authentication calls that carry a JWT);
/// 2. send, with a fresh `X-Trace-Id` (`send` is given the token and the trace id), within the
///    attempt's timeout;
/// 3. map the outcome to a value, checked by `accept`, or to an [`Error`];
/// 4. on a 401, refresh the session once and repeat once (this is not counted as a retry);
/// 5. otherwise retry as the policy says, honouring `Retry-After`;
///
/// all inside a `symphony_presence` span holding the operation, the attempt, the status and
/// the trace id, and never a token. `accept` refuses a value that decoded but cannot be used
/// (such as a token response without a token) with the reason, which becomes a
/// [`DecodeError`](crate::DecodeError).
pub(crate) fn call<'a, T, U, F, Fut, A>(
    transport: &'a Transport,
    endpoint: &'a Endpoint,
    options: &'a CallOptions,
    session: Option<&'a dyn SessionProvider>,
    send: F,
    accept: A,
) -> impl Future<Output = Result<U, Error>> + 'a
where
    T: 'a,
    F: Fn(&str, String) -> Fut + 'a,
    Fut: Future<Output = Result<ResponseValue<T>, ApiError<ErrorBody>>> + 'a,
    A: Fn(T) -> Result<U, &'static str> + 'a,
{
    let op = endpoint.op;
    let retry = options.retry.as_ref().unwrap_or(&transport.retry);
    let timeout = options.timeout.unwrap_or(transport.timeout);
    let span = tracing::debug_span!(
        "symphony_presence",
        operation = op.name(),
        attempt = tracing::field::Empty,
        status = tracing::field::Empty,
        trace_id = tracing::field::Empty,
    );
    // The loop is an `async move` block rather than an `async fn`, which would store its
    // arguments twice in its state machine.
    let attempts = {
        let span = span.clone();
        async move {
            let mut attempt = 1;
            let mut waited = Duration::ZERO;
            let mut refresh_used = false;
            let mut next_token: Option<SessionToken> = None;
            loop {
                // An attempt's values live in this block, so that the state machine does not
                // keep them through the back-off.
                let delay = {
                    let token = match (next_token.take(), session) {
                        (Some(token), _) => Some(token),
                        (None, Some(session)) => match session.cached_token() {
                            Some(token) => Some(token),
                            None => Some(session.session_token().await.map_err(|e| e.during(op))?),
                        },
                        (None, None) => None,
                    };
                    let trace_id = TraceId::new();
                    if !span.is_disabled() {
                        span.record("attempt", attempt);
                        span.record("trace_id", trace_id.as_str());
                    }
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
                        match tokio::time::timeout(timeout, Box::into_pin(sending)).await {
                            // The common case, kept out of `classify` so that the value is not
                            // moved through it.
                            Ok(Ok(value)) => {
                                let status = value.status();
                                span.record("status", status.as_u16());
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
                                },
                            ))),
                            Err(_) => Either::Right(std::future::ready(timed_out(
                                endpoint, trace_id, timeout,
                            ))),
                        }
                    };
                    let error = classified.await;
                    if let Some(status) = error.status() {
                        span.record("status", status.as_u16());
                    }

                    if let (Error::Unauthorized(_), Some(session), Some(rejected)) =
                        (&error, session, &token)
                        && !refresh_used
                    {
                        refresh_used = true;
                        tracing::debug!("401: refreshing the session and repeating once");
                        match session.refresh(rejected).await.map_err(|e| e.during(op))? {
                            Some(token) => {
                                next_token = Some(token);
                                continue;
                            }
                            None => return Err(error),
                        }
                    }

                    match retry.next_delay(attempt, &error, endpoint.idempotent, waited) {
                        Some(delay) => {
                            let delay_ms = delay.as_millis() as u64;
                            tracing::info!(error = %error, delay_ms, "retrying");
                            delay
                        }
                        None => {
                            tracing::debug!(error = %error, "giving up");
                            return Err(error);
                        }
                    }
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
        Either::Right(attempts.instrument(span))
    }
}
