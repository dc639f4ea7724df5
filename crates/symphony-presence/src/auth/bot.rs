//! `BotSession`: a service user's session from its RSA key.

use std::fmt;
use std::sync::Arc;

use super::authenticator::Authenticator;
use super::token_cell::TokenCell;
use crate::Error;
use crate::session::{BoxFuture, SessionProvider, SessionToken};

/// A bot's session (`POST {login}/pubkey/authenticate` with its RSA-signed JWT, or
/// `POST {sessionauth}/v1/authenticate` with its certificate), obtained on first use, kept until
/// the pod rejects it, and renewed once per rejection however many calls see it.
#[derive(Clone)]
pub(crate) struct BotSession {
    inner: Arc<BotInner>,
}

struct BotInner {
    authenticator: Authenticator,
    token: Arc<TokenCell>,
}

impl fmt::Debug for BotSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BotSession")
            .field("authenticates_at", &self.inner.authenticator.url())
            .finish_non_exhaustive()
    }
}

impl BotSession {
    pub(crate) fn new(authenticator: Authenticator) -> Self {
        BotSession {
            inner: Arc::new(BotInner {
                authenticator,
                token: Arc::default(),
            }),
        }
    }
}

impl BotSession {
    /// The bot's authentication, owning what it needs: it runs on its own (see [`TokenCell`]).
    fn authenticate(&self) -> impl Future<Output = Result<SessionToken, Error>> + Send + 'static {
        let inner = self.inner.clone();
        async move { inner.authenticator.bot().await }
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
