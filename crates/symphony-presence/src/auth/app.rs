//! `AppSession` (the app's own session, cached) and `OboSession` (a user's session, obtained
//! with the app's token and cached per user).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use super::credentials::AppCredentials;
use super::login::{LoginClient, OboUser};
use super::token_cell::TokenCell;
use crate::session::{BoxFuture, SessionProvider, SessionToken};
use crate::{Error, UserId};

/// An extension app's session, used only to open on-behalf-of (OBO) sessions for its users:
/// it is never handed to a Pod operation.
///
/// The app authenticates once (`POST {login}/pubkey/app/authenticate`), and its token is
/// reused for every OBO authentication. It is renewed only when an OBO authentication answers
/// 401 with it; that OBO authentication is then tried once more. Concurrent needs for the same
/// token share one authentication. Clones share the app token and the OBO sessions.
#[derive(Clone)]
pub(crate) struct AppSession {
    inner: Arc<AppInner>,
}

struct AppInner {
    login: LoginClient,
    credentials: AppCredentials,
    token: TokenCell,
    obo: Mutex<OboCache>,
}

impl fmt::Debug for AppSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppSession")
            .field("app_id", &self.inner.credentials.app_id)
            .field("login_url", &self.inner.login.login_url())
            .finish_non_exhaustive()
    }
}

impl AppSession {
    pub(crate) fn new(login: LoginClient, credentials: AppCredentials, obo_capacity: usize) -> Self {
        AppSession {
            inner: Arc::new(AppInner {
                login,
                credentials,
                token: TokenCell::default(),
                obo: Mutex::new(OboCache::new(obo_capacity)),
            }),
        }
    }

    /// The OBO session of the user with id `uid`
    /// (`POST {login}/pubkey/app/user/{uid}/authenticate`). Asking twice for the same user
    /// gives sessions that share one token.
    pub(crate) fn obo_user(&self, uid: UserId) -> OboSession {
        self.obo(OboUser::Id(uid))
    }

    /// The OBO session of the user named `username`
    /// (`POST {login}/pubkey/app/username/{username}/authenticate`).
    pub(crate) fn obo_username(&self, username: String) -> OboSession {
        self.obo(OboUser::Username(username))
    }

    fn obo(&self, user: OboUser) -> OboSession {
        let cell = self
            .inner
            .obo
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .cell(&user);
        OboSession {
            app: self.clone(),
            user,
            cell,
        }
    }
}

impl SessionProvider for AppSession {
    /// The app's own session token.
    fn session_token(&self) -> BoxFuture<'_, Result<SessionToken, Error>> {
        let inner = &*self.inner;
        Box::pin(
            inner
                .token
                .get(|| inner.login.authenticate_app(&inner.credentials)),
        )
    }

    fn cached_token(&self) -> Option<SessionToken> {
        self.inner.token.current()
    }

    fn refresh<'a>(
        &'a self,
        rejected: &'a SessionToken,
    ) -> BoxFuture<'a, Result<Option<SessionToken>, Error>> {
        let inner = &*self.inner;
        Box::pin(async move {
            let authenticate = || inner.login.authenticate_app(&inner.credentials);
            inner.token.refresh(rejected, authenticate).await.map(Some)
        })
    }
}

/// A user's on-behalf-of session: every Presence operation made with it acts as that user.
///
/// The token is obtained on first use with the app's token and kept until the pod rejects it.
#[derive(Clone)]
pub(crate) struct OboSession {
    app: AppSession,
    user: OboUser,
    cell: Arc<TokenCell>,
}

impl fmt::Debug for OboSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OboSession")
            .field("app", &self.app)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl OboSession {
    fn authenticate(&self) -> impl Future<Output = Result<SessionToken, Error>> + Send + '_ {
        self.app.inner.login.authenticate_obo(&self.app, &self.user)
    }
}

impl SessionProvider for OboSession {
    fn session_token(&self) -> BoxFuture<'_, Result<SessionToken, Error>> {
        Box::pin(self.cell.get(|| self.authenticate()))
    }

    fn cached_token(&self) -> Option<SessionToken> {
        self.cell.current()
    }

    fn refresh<'a>(
        &'a self,
        rejected: &'a SessionToken,
    ) -> BoxFuture<'a, Result<Option<SessionToken>, Error>> {
        Box::pin(async move {
            self.cell
                .refresh(rejected, || self.authenticate())
                .await
                .map(Some)
        })
    }
}

/// The per-user token cells, bounded; the least recently asked-for user is evicted first.
struct OboCache {
    capacity: usize,
    tick: u64,
    cells: HashMap<OboUser, (Arc<TokenCell>, u64)>,
}

impl OboCache {
    fn new(capacity: usize) -> Self {
        OboCache {
            capacity,
            tick: 0,
            cells: HashMap::new(),
        }
    }

    fn cell(&mut self, user: &OboUser) -> Arc<TokenCell> {
        self.tick += 1;
        if let Some((cell, used)) = self.cells.get_mut(user) {
            *used = self.tick;
            return cell.clone();
        }
        if self.cells.len() >= self.capacity {
            // O(capacity), but only when a new user arrives at a full cache.
            if let Some(oldest) = self
                .cells
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone())
            {
                self.cells.remove(&oldest);
            }
        }
        let cell = Arc::new(TokenCell::default());
        self.cells.insert(user.clone(), (cell.clone(), self.tick));
        cell
    }
}
