//! [`TokenCell`]: one cached session token with single-flight authentication.
//!
//! Any number of callers that find the cell empty, or that report the same stale token, cause
//! one authentication: the first runs it while holding the async lock, and the others, queued
//! on that lock, take its outcome, token or error, when it ends. A caller that arrives after
//! an outcome was recorded starts a new authentication only if it still needs one, so a
//! failure is shared by the calls that waited for it but never locks out the next call.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::Error;
use crate::session::SessionToken;

#[derive(Default)]
pub(crate) struct TokenCell {
    /// The token to use now; read without waiting on the lock below.
    current: Mutex<Option<SessionToken>>,
    /// Held while an authentication runs; holds the last outcome.
    last: tokio::sync::Mutex<Option<Result<SessionToken, Error>>>,
    /// How many authentications have ended.
    ended: AtomicU64,
}

impl TokenCell {
    /// The cached token, or the result of one shared authentication.
    pub(crate) async fn get<F, Fut>(&self, authenticate: F) -> Result<SessionToken, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<SessionToken, Error>>,
    {
        if let Some(token) = self.current() {
            return Ok(token);
        }
        self.authenticate_once(None, authenticate).await
    }

    /// A token other than `stale`: the current one if it is already newer, otherwise the
    /// result of one shared authentication.
    pub(crate) async fn refresh<F, Fut>(
        &self,
        stale: &SessionToken,
        authenticate: F,
    ) -> Result<SessionToken, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<SessionToken, Error>>,
    {
        {
            let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
            match &*current {
                Some(token) if !token.same_as(stale) => return Ok(token.clone()),
                // Nobody should pick the rejected token up again.
                Some(_) => *current = None,
                None => {}
            }
        }
        self.authenticate_once(Some(stale), authenticate).await
    }

    /// The token to use now, if there is one.
    pub(crate) fn current(&self) -> Option<SessionToken> {
        self.current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    async fn authenticate_once<F, Fut>(
        &self,
        stale: Option<&SessionToken>,
        authenticate: F,
    ) -> Result<SessionToken, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<SessionToken, Error>>,
    {
        let ended_before = self.ended.load(Ordering::Acquire);
        let mut last = self.last.lock().await;
        let usable = |t: &SessionToken| stale.is_none_or(|s| !t.same_as(s));
        if self.ended.load(Ordering::Acquire) != ended_before {
            // An authentication ended while this call waited for it: share its outcome.
            match &*last {
                Some(Ok(token)) if usable(token) => return Ok(token.clone()),
                Some(Err(e)) => return Err(e.clone()),
                _ => {}
            }
        }
        if let Some(token) = self.current().filter(|t| usable(t)) {
            return Ok(token);
        }
        let outcome = authenticate().await;
        if let Ok(token) = &outcome {
            *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Some(token.clone());
        }
        *last = Some(outcome.clone());
        self.ended.fetch_add(1, Ordering::Release);
        outcome
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    use super::*;

    fn counting_auth(
        calls: &Arc<AtomicUsize>,
        fail: bool,
    ) -> impl Future<Output = Result<SessionToken, Error>> + use<> {
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
}
