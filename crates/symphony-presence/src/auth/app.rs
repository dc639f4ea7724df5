//! `AppSession` (the app's own session, cached) and `OboSession` (a user's session, obtained
//! with the app's token and cached per user in an [`OboCache`]).

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::authenticator::Authenticator;
use super::login::OboUser;
use super::obo_cache::OboCache;
use super::token_cell::TokenCell;
use crate::session::{BoxFuture, SessionProvider, SessionToken};
use crate::{Error, UserId};

/// An extension app's session, used only to open on-behalf-of (OBO) sessions for its users:
/// it is never handed to a Pod operation.
///
/// The app authenticates once (`POST {login}/pubkey/app/authenticate`), and its token is
/// reused for every OBO authentication. When an OBO authentication answers 401, the app token is
/// renewed, once per token however many users see the 401, and that OBO authentication is tried
/// once more, only when the token itself is the likely cause: the user had a session before
/// (so the user is not the problem), or the token is older than `trusted_for`. Otherwise the 401
/// is that user's (for example, the user has not installed the app) and is returned for that
/// call alone. Concurrent needs for the same token share one authentication. Clones share the
/// app token and the OBO sessions.
#[derive(Clone)]
pub(crate) struct AppSession {
    inner: Arc<AppInner>,
}

struct AppInner {
    authenticator: Authenticator,
    token: Arc<TokenCell>,
    /// How long after it was obtained an app token is not suspected for a new user's 401.
    trusted_for: Duration,
    obo: Mutex<OboCache>,
}

impl fmt::Debug for AppSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppSession")
            .field("authenticates_at", &self.inner.authenticator.url())
            .finish_non_exhaustive()
    }
}

impl AppSession {
    pub(crate) fn new(authenticator: Authenticator, obo: OboCache, trusted_for: Duration) -> Self {
        AppSession {
            inner: Arc::new(AppInner {
                authenticator,
                token: Arc::default(),
                trusted_for,
                obo: Mutex::new(obo),
            }),
        }
    }

    /// The app's authentication, owning what it needs: it runs on its own (see [`TokenCell`]).
    fn authenticate(&self) -> impl Future<Output = Result<SessionToken, Error>> + Send + 'static {
        let inner = self.inner.clone();
        async move { inner.authenticator.app().await }
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

    /// Records a call of `user`'s session in the OBO cache's recency.
    fn obo_used(&self, user: &OboUser) {
        self.inner
            .obo
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .used(user);
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
    fn kind(&self) -> &'static str {
        "app"
    }

    /// The app's own session token.
    fn session_token(&self) -> BoxFuture<'_, Result<SessionToken, Error>> {
        Box::pin(self.inner.token.get(|| self.authenticate()))
    }

    fn cached_token(&self) -> Option<SessionToken> {
        self.inner.token.current()
    }

    /// Renews the app token, as for a user who had a session before.
    fn refresh<'a>(
        &'a self,
        rejected: &'a SessionToken,
    ) -> BoxFuture<'a, Result<Option<SessionToken>, Error>> {
        Box::pin(self.refresh_for(rejected, true))
    }
}

impl AppSession {
    /// The app token to repeat an OBO authentication with, after `rejected` was refused for a
    /// user; `None` when the refusal was the user's (see [`AppSession`]).
    async fn refresh_for(
        &self,
        rejected: &SessionToken,
        user_had_session: bool,
    ) -> Result<Option<SessionToken>, Error> {
        let inner = &*self.inner;
        if !user_had_session && inner.token.obtained_within(rejected, inner.trusted_for) {
            return Ok(None);
        }
        let refreshed = inner.token.refresh(rejected, || self.authenticate());
        refreshed.await.map(Some)
    }
}

/// The app's session as one user's OBO authentication sees it: its 401s renew the app token
/// only as [`AppSession`] says.
#[derive(Debug)]
struct AppForUser {
    app: AppSession,
    user_had_session: bool,
}

impl SessionProvider for AppForUser {
    fn kind(&self) -> &'static str {
        "app"
    }

    fn session_token(&self) -> BoxFuture<'_, Result<SessionToken, Error>> {
        self.app.session_token()
    }

    fn cached_token(&self) -> Option<SessionToken> {
        self.app.cached_token()
    }

    fn refresh<'a>(
        &'a self,
        rejected: &'a SessionToken,
    ) -> BoxFuture<'a, Result<Option<SessionToken>, Error>> {
        Box::pin(self.app.refresh_for(rejected, self.user_had_session))
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
    /// The user's authentication, owning what it needs: it runs on its own (see [`TokenCell`]).
    fn authenticate(&self) -> impl Future<Output = Result<SessionToken, Error>> + Send + 'static {
        let app = AppForUser {
            app: self.app.clone(),
            user_had_session: self.cell.ever_obtained(),
        };
        let user = self.user.clone();
        async move { app.app.inner.authenticator.on_behalf_of(&app, &user).await }
    }
}

impl SessionProvider for OboSession {
    fn kind(&self) -> &'static str {
        "obo"
    }

    fn session_token(&self) -> BoxFuture<'_, Result<SessionToken, Error>> {
        self.app.obo_used(&self.user);
        Box::pin(self.cell.get(|| self.authenticate()))
    }

    fn cached_token(&self) -> Option<SessionToken> {
        self.app.obo_used(&self.user);
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
