//! [`PresenceClientBuilder`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::{Pod, PresenceClient};
use crate::auth::{Authenticator, BotCredentials, BotSession, LoginSettings};
use crate::error::Error;
use crate::session::{SessionProvider, StaticSession};
use crate::settings::{self, HttpSettings};

/// Builds a [`PresenceClient`]. The pod URL and one way to authenticate are required:
/// [`session_token`](Self::session_token), [`bot`](Self::bot) or [`session`](Self::session)
/// (the last one given counts).
///
/// ```no_run
/// use symphony_presence::{BotCredentials, HttpSettings, PresenceClient};
///
/// # fn example() -> Result<(), symphony_presence::Error> {
/// let bot = PresenceClient::builder("https://acme.symphony.com/pod")
///     .bot(BotCredentials::from_pem_file("presence-bot", "bot-key.pem")?)
///     .http(HttpSettings::default().proxy("http://proxy.acme.com:3128")?)
///     .build()?;
/// # Ok(())
/// # }
/// ```
#[must_use]
pub struct PresenceClientBuilder {
    pod_url: String,
    auth: Option<Auth>,
    login: LoginSettings,
    http: HttpSettings,
}

enum Auth {
    Token(SecretString),
    Bot(BotCredentials),
    Session(Arc<dyn SessionProvider>),
}

impl fmt::Debug for PresenceClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = match &self.auth {
            None => "none",
            Some(Auth::Token(_)) => "session token",
            Some(Auth::Bot(_)) => "bot",
            Some(Auth::Session(_)) => "session provider",
        };
        f.debug_struct("PresenceClientBuilder")
            .field("pod_url", &self.pod_url)
            .field("auth", &auth)
            .field("login", &self.login)
            .field("http", &self.http)
            .finish()
    }
}

impl PresenceClientBuilder {
    pub(crate) fn new(pod_url: String) -> Self {
        PresenceClientBuilder {
            pod_url,
            auth: None,
            login: LoginSettings::default(),
            http: HttpSettings::default(),
        }
    }

    /// Acts with a session token obtained elsewhere. It cannot be refreshed: a 401 is returned as
    /// [`Error::Unauthorized`].
    pub fn session_token(mut self, token: impl Into<String>) -> Self {
        self.auth = Some(Auth::Token(SecretString::from(token.into())));
        self
    }

    /// Acts as a bot (a service user), authenticating with its RSA key
    /// (`POST {login}/pubkey/authenticate`) or its client certificate
    /// (`POST {sessionauth}/v1/authenticate`) on first use and again whenever the pod rejects
    /// the session, once per rejection however many calls see it.
    pub fn bot(mut self, credentials: BotCredentials) -> Self {
        self.auth = Some(Auth::Bot(credentials));
        self
    }

    /// Takes session tokens from your own [`SessionProvider`].
    pub fn session(mut self, session: impl SessionProvider + 'static) -> Self {
        self.auth = Some(Auth::Session(Arc::new(session)));
        self
    }

    /// The Login API base URL, for [`bot`](Self::bot) (default: the pod URL's origin followed by
    /// `/login`).
    pub fn login_url(mut self, url: impl Into<String>) -> Self {
        self.login.login_url = Some(url.into());
        self
    }

    /// The session-auth API base URL, for a [`bot`](Self::bot) with a certificate (default: the
    /// pod URL's origin followed by `/sessionauth`). Only requests to it present the bot's
    /// certificate.
    pub fn session_auth_url(mut self, url: impl Into<String>) -> Self {
        self.login.session_auth_url = Some(url.into());
        self
    }

    /// The lifetime of each authentication JWT, for [`bot`](Self::bot): at most 300 s
    /// (default 240 s).
    pub fn jwt_lifetime(mut self, lifetime: Duration) -> Self {
        self.login.jwt_lifetime = lifetime;
        self
    }

    /// How requests are sent, login included (see [`HttpSettings`] for the defaults).
    pub fn http(mut self, http: HttpSettings) -> Self {
        self.http = http;
        self
    }

    /// Builds the client. Nothing is sent until the first call.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] if no way to authenticate was given, the token cannot be sent as
    /// a header, a URL is not an `http(s)` URL without query or credentials, the JWT lifetime
    /// is over 300 s, or the transport cannot be built.
    pub fn build(self) -> Result<PresenceClient, Error> {
        let pod_url = settings::base_url(&self.pod_url, "pod")?;
        let transport = self.http.transport()?;
        let session: Arc<dyn SessionProvider> = match self.auth {
            None => {
                return Err(Error::setup(
                    "a way to authenticate is required: .session_token(..), .bot(..) or .session(..)",
                ));
            }
            Some(Auth::Token(token)) => Arc::new(StaticSession::new(token.expose_secret())?),
            Some(Auth::Bot(credentials)) => Arc::new(BotSession::new(Authenticator::new(
                &credentials.proof,
                credentials.username().unwrap_or_default(),
                &pod_url,
                &self.login,
                &self.http,
                transport.clone(),
            )?)),
            Some(Auth::Session(session)) => session,
        };
        let pod = Pod::new(pod_url, transport)?;
        Ok(PresenceClient::new(Arc::new(pod), session))
    }
}
