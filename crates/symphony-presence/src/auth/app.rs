//! `AppSession` (the app's own session, cached) and `OboSession` (a user's session, obtained
//! with the app's token and cached per user in an [`OboCache`]).

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::credentials::AppCredentials;
use super::login::{LoginClient, OboUser};
use super::obo_cache::OboCache;
use super::token_cell::TokenCell;
use crate::session::{BoxFuture, SessionProvider, SessionToken};
use crate::{Error, UserId};

/// How long an app token is trusted after it was obtained: an OBO authentication refused with
/// it in that time is the user's failure (for example, the user has not installed the app), not
/// the app's, and does not re-authenticate the app.
pub(crate) const APP_TOKEN_TRUSTED_FOR: Duration = Duration::from_secs(60);

/// An extension app's session, used only to open on-behalf-of (OBO) sessions for its users:
/// it is never handed to a Pod operation.
///
/// The app authenticates once (`POST {login}/pubkey/app/authenticate`), and its token is
/// reused for every OBO authentication. It is renewed only when an OBO authentication answers
/// 401 with a token older than [`APP_TOKEN_TRUSTED_FOR`], once per token however many users see
/// the 401; that OBO authentication is then tried once more. Concurrent needs for the same
/// token share one authentication. Clones share the app token and the OBO sessions.
#[derive(Clone)]
pub(crate) struct AppSession {
    inner: Arc<AppInner>,
}

struct AppInner {
    login: LoginClient,
    credentials: AppCredentials,
    token: Arc<TokenCell>,
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
    pub(crate) fn new(login: LoginClient, credentials: AppCredentials, obo: OboCache) -> Self {
        AppSession {
            inner: Arc::new(AppInner {
                login,
                credentials,
                token: Arc::default(),
                obo: Mutex::new(obo),
            }),
        }
    }

    /// The app's authentication, owning what it needs: it runs on its own (see [`TokenCell`]).
    fn authenticate(&self) -> impl Future<Output = Result<SessionToken, Error>> + Send + 'static {
        let inner = self.inner.clone();
        async move { inner.login.authenticate_app(&inner.credentials).await }
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

    /// Called when an OBO authentication was refused with `rejected`. A token obtained less than
    /// [`APP_TOKEN_TRUSTED_FOR`] ago is kept: the refusal was about the user.
    fn refresh<'a>(
        &'a self,
        rejected: &'a SessionToken,
    ) -> BoxFuture<'a, Result<Option<SessionToken>, Error>> {
        Box::pin(async move {
            if self
                .inner
                .token
                .obtained_within(rejected, APP_TOKEN_TRUSTED_FOR)
            {
                return Ok(None);
            }
            let refreshed = self.inner.token.refresh(rejected, || self.authenticate());
            refreshed.await.map(Some)
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
    /// The user's authentication, owning what it needs: it runs on its own (see [`TokenCell`]).
    fn authenticate(&self) -> impl Future<Output = Result<SessionToken, Error>> + Send + 'static {
        let (app, user) = (self.app.clone(), self.user.clone());
        async move { app.inner.login.authenticate_obo(&app, &user).await }
    }
}

impl SessionProvider for OboSession {
    fn kind(&self) -> &'static str {
        "obo"
    }

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
