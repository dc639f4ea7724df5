//! [`BotSession`]: a service user's session from its RSA key.

use std::fmt;
use std::sync::Arc;

use super::builder::SessionBuilder;
use super::credentials::BotCredentials;
use super::login::LoginClient;
use super::token_cell::TokenCell;
use crate::Error;
use crate::session::{BoxFuture, SessionProvider, SessionToken};

/// Builds a [`BotSession`]: see [`SessionBuilder`].
pub type BotSessionBuilder = SessionBuilder<BotCredentials>;

/// A bot's session (`POST {login}/pubkey/authenticate` with its RSA-signed JWT), obtained on
/// first use, kept until the pod rejects it, and renewed once per rejection however many calls
/// see it.
///
/// ```no_run
/// use symphony_presence::{BotCredentials, BotSession, PresenceClient};
///
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let pod = "https://acme.symphony.com/pod";
/// let bot = BotSession::builder(pod, BotCredentials::from_pem_file("presence-bot", "bot-key.pem")?).build()?;
/// let client = PresenceClient::builder(pod).session(bot).build()?;
/// println!("{}", client.get_presence().await?.category);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct BotSession {
    inner: Arc<BotInner>,
}

struct BotInner {
    login: LoginClient,
    credentials: BotCredentials,
    token: TokenCell,
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
    /// Starts building the session of the bot described by `credentials`, on the pod at
    /// `pod_url`.
    pub fn builder(pod_url: impl Into<String>, credentials: BotCredentials) -> BotSessionBuilder {
        SessionBuilder::new(pod_url.into(), credentials)
    }
}

impl BotInner {
    fn authenticate(&self) -> impl Future<Output = Result<SessionToken, Error>> + Send + '_ {
        self.login
            .authenticate_bot(&self.credentials.username, &self.credentials.key)
    }
}

impl SessionProvider for BotSession {
    fn session_token(&self) -> BoxFuture<'_, Result<SessionToken, Error>> {
        Box::pin(self.inner.token.get(|| self.inner.authenticate()))
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
                .refresh(rejected, || self.inner.authenticate())
                .await
                .map(Some)
        })
    }
}

impl SessionBuilder<BotCredentials> {
    /// Builds the session. Nothing is sent until a token is needed.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a bad pod or login URL, a JWT lifetime over 300 s, or bad
    /// transport settings.
    pub fn build(self) -> Result<BotSession, Error> {
        let login = LoginClient::new(&self.login)?;
        Ok(BotSession {
            inner: Arc::new(BotInner {
                login,
                credentials: self.credentials,
                token: TokenCell::default(),
            }),
        })
    }
}
