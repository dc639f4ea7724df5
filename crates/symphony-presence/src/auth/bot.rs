//! `BotSession`: a service user's session from its RSA key.

use std::fmt;
use std::sync::Arc;

use super::credentials::BotCredentials;
use super::login::LoginClient;
use super::token_cell::TokenCell;
use crate::Error;
use crate::session::{BoxFuture, SessionProvider, SessionToken};

/// A bot's session (`POST {login}/pubkey/authenticate` with its RSA-signed JWT), obtained on
/// first use, kept until the pod rejects it, and renewed once per rejection however many calls
/// see it.
#[derive(Clone)]
pub(crate) struct BotSession {
    inner: Arc<BotInner>,
}

struct BotInner {
    login: LoginClient,
    credentials: BotCredentials,
    token: Arc<TokenCell>,
}

impl fmt::Debug for BotSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BotSession")
            .field("username", &self.inner.credentials.username)
            .field("login_url", &self.inner.login.login_url())
            .finish_non_exhaustive()
    }
}

impl BotSession {
    pub(crate) fn new(login: LoginClient, credentials: BotCredentials) -> Self {
        BotSession {
            inner: Arc::new(BotInner {
                login,
                credentials,
                token: Arc::default(),
            }),
        }
    }
}

impl BotSession {
    /// The bot's authentication, owning what it needs: it runs on its own (see [`TokenCell`]).
    fn authenticate(&self) -> impl Future<Output = Result<SessionToken, Error>> + Send + 'static {
        let inner = self.inner.clone();
        async move { inner.login.authenticate_bot(&inner.credentials).await }
    }
}

impl SessionProvider for BotSession {
    fn kind(&self) -> &'static str {
        "bot"
    }

    fn session_token(&self) -> BoxFuture<'_, Result<SessionToken, Error>> {
        Box::pin(self.inner.token.get(|| self.authenticate()))
    }

    fn cached_token(&self) -> Option<SessionToken> {
        self.inner.token.current()
    }

    fn refresh<'a>(
        &'a self,
        rejected: &'a SessionToken,
    ) -> BoxFuture<'a, Result<Option<SessionToken>, Error>> {
        Box::pin(async move {
            self.inner
                .token
                .refresh(rejected, || self.authenticate())
                .await
                .map(Some)
        })
    }
}
