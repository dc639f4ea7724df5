//! [`TokenCell`]: one cached session token with single-flight authentication that outlives
//! its callers.
//!
//! Any number of callers that find the cell empty, or that report the same stale token, share
//! one authentication. It runs as a task of its own, not inside any caller's future: a caller
//! that gives up (its deadline passed, or it was dropped) neither aborts it nor makes the next
//! caller start over. When it ends, its token becomes the cell's, or its error is handed to the
//! callers that waited for it; the next call after a failure starts a new authentication.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};
use tracing::Instrument;

use crate::Error;
use crate::operation::Operation;
use crate::session::SessionToken;

type Outcome = Result<SessionToken, Error>;

#[derive(Default)]
pub(crate) struct TokenCell {
    state: Mutex<State>,
    /// Whether a token was ever obtained; apart from `state`, so that an authentication being
    /// started under its lock can ask.
    ever_obtained: AtomicBool,
}

#[derive(Default)]
struct State {
    /// The token to use now, and when it was obtained.
    current: Option<SessionToken>,
    obtained: Option<Instant>,
    /// The authentication running now, shared by everyone who waits for it.
    running: Option<Shared<BoxFuture<'static, Outcome>>>,
}

impl TokenCell {
    /// The token to use now, if there is one.
    pub(crate) fn current(&self) -> Option<SessionToken> {
        self.lock().current.clone()
    }

    /// Whether this cell has ever held a token.
    pub(crate) fn ever_obtained(&self) -> bool {
        self.ever_obtained.load(Ordering::Acquire)
    }

    /// Whether `token` is the current token and was obtained less than `age` ago.
    pub(crate) fn obtained_within(&self, token: &SessionToken, age: Duration) -> bool {
        let state = self.lock();
        state.current.as_ref().is_some_and(|t| t.same_as(token))
            && state.obtained.is_some_and(|at| at.elapsed() < age)
    }

    /// The cached token, or the outcome of the one shared authentication, started with
    /// `authenticate` if none is running.
    pub(crate) async fn get<F, Fut>(self: &Arc<Self>, authenticate: F) -> Outcome
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Outcome> + Send + 'static,
    {
        let running = {
            let mut state = self.lock();
            if let Some(token) = &state.current {
                return Ok(token.clone());
            }
            self.running(&mut state, authenticate)
        };
        running.await
    }

    /// A token other than `stale`: the current one if it is already newer, otherwise the
    /// outcome of the one shared authentication.
    pub(crate) async fn refresh<F, Fut>(
        self: &Arc<Self>,
        stale: &SessionToken,
        authenticate: F,
    ) -> Outcome
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Outcome> + Send + 'static,
    {
        let running = {
            let mut state = self.lock();
            match &state.current {
                Some(token) if !token.same_as(stale) => return Ok(token.clone()),
                // Nobody should pick the rejected token up again.
                Some(_) => state.current = None,
                None => {}
            }
            self.running(&mut state, authenticate)
        };
        running.await
    }

    /// The running authentication, started now if there is none. `authenticate` is called under
    /// the cell's lock: it must not lock the cell.
    fn running<F, Fut>(
        self: &Arc<Self>,
        state: &mut State,
        authenticate: F,
    ) -> Shared<BoxFuture<'static, Outcome>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Outcome> + Send + 'static,
    {
        if let Some(running) = &state.running {
            return running.clone();
        }
        let cell = Arc::clone(self);
        let authentication = authenticate();
        // Its spans are children of the caller's that started it.
        let task = tokio::spawn(
            async move {
                let outcome = authentication.await;
                let mut state = cell.lock();
                if let Ok(token) = &outcome {
                    state.current = Some(token.clone());
                    state.obtained = Some(Instant::now());
                    cell.ever_obtained.store(true, Ordering::Release);
                }
                state.running = None;
                outcome
            }
            .in_current_span(),
        );
        let running = task
            .map(|joined| {
                joined.unwrap_or_else(|e| {
                    Err(Error::invalid(
                        Operation::SETUP,
                        format!("internal error: the authentication task failed: {e}"),
                    ))
                })
            })
            .boxed()
            .shared();
        state.running = Some(running.clone());
        running
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    use super::*;

    fn counting_auth(
        calls: &Arc<AtomicUsize>,
        fail: bool,
    ) -> impl Future<Output = Outcome> + Send + use<> {
        let calls = calls.clone();
        async move {
            let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
            if fail {
                Err(Error::setup("auth failed"))
            } else {
                SessionToken::new(format!("token-{n}"))
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_first_calls_authenticate_once_and_share_the_token() {
        let cell = Arc::new(TokenCell::default());
        let calls = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..500)
            .map(|_| {
                let (cell, calls) = (cell.clone(), calls.clone());
                tokio::spawn(async move { cell.get(|| counting_auth(&calls, false)).await })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap().expose(), "token-1");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_refreshes_of_one_stale_token_authenticate_once() {
        let cell = Arc::new(TokenCell::default());
        let calls = Arc::new(AtomicUsize::new(0));
        let stale = cell.get(|| counting_auth(&calls, false)).await.unwrap();
        let tasks: Vec<_> = (0..500)
            .map(|_| {
                let (cell, calls, stale) = (cell.clone(), calls.clone(), stale.clone());
                tokio::spawn(
                    async move { cell.refresh(&stale, || counting_auth(&calls, false)).await },
                )
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap().expose(), "token-2");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // A late report of the old token gets the current one without authenticating.
        assert_eq!(
            cell.refresh(&stale, || counting_auth(&calls, false))
                .await
                .unwrap()
                .expose(),
            "token-2"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failure_is_shared_by_the_waiters_and_the_next_call_tries_again() {
        let cell = Arc::new(TokenCell::default());
        let calls = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..200)
            .map(|_| {
                let (cell, calls) = (cell.clone(), calls.clone());
                tokio::spawn(async move { cell.get(|| counting_auth(&calls, true)).await })
            })
            .collect();
        for task in tasks {
            assert!(task.await.unwrap().is_err());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(
            cell.get(|| counting_auth(&calls, false))
                .await
                .unwrap()
                .expose(),
            "token-2"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_caller_that_gives_up_neither_aborts_nor_restarts_the_shared_authentication() {
        let cell = Arc::new(TokenCell::default());
        let calls = Arc::new(AtomicUsize::new(0));
        // The first caller gives up long before the 100 ms authentication ends.
        let impatient = tokio::time::timeout(
            Duration::from_millis(10),
            cell.get(|| counting_auth(&calls, false)),
        )
        .await;
        assert!(impatient.is_err());
        // The next caller joins the same authentication instead of starting another.
        let token = cell.get(|| counting_auth(&calls, false)).await.unwrap();
        assert_eq!(token.expose(), "token-1");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_authentication_nobody_waits_for_still_fills_the_cell() {
        let cell = Arc::new(TokenCell::default());
        let calls = Arc::new(AtomicUsize::new(0));
        drop(
            tokio::time::timeout(
                Duration::from_millis(1),
                cell.get(|| counting_auth(&calls, false)),
            )
            .await,
        );
        // Generous: the authentication takes 100 ms.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while cell.current().is_none() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(cell.current().unwrap().expose(), "token-1");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
