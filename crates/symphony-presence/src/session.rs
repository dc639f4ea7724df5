//! Where session tokens come from: [`SessionToken`], the [`SessionProvider`] trait and the
//! simplest provider, `StaticSession`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

use crate::Error;

/// A boxed, `Send` future, as returned by [`SessionProvider`] methods.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A Symphony session token: the value of the `sessionToken` header.
///
/// It is checked when made, so every token the SDK holds can be sent verbatim. Its `Debug`
/// output is redacted, it has no `Display`, and cloning it shares one allocation.
///
/// ```
/// use symphony_presence::SessionToken;
///
/// let token = SessionToken::new("eyJhbGciOi...").unwrap();
/// assert_eq!(format!("{token:?}"), "SessionToken([REDACTED])");
/// assert!(SessionToken::new("evil\r\nX-Injected: 1").is_err());
/// ```
#[derive(Clone)]
pub struct SessionToken(Arc<SecretString>);

impl SessionToken {
    /// Wraps a token.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] if the token is empty, starts or ends with whitespace, contains a
    /// control character (CR, LF, TAB or another), or is not a valid header value. The message
    /// never repeats the token. Any other token is sent exactly as given.
    pub fn new(token: impl Into<String>) -> Result<Self, Error> {
        let token = token.into();
        if token.is_empty() {
            return Err(Error::setup("the session token is empty"));
        }
        if token.trim_matches([' ', '\t']) != token {
            // A receiving HTTP parser trims these, so the server would see another token.
            return Err(Error::setup(
                "the session token starts or ends with whitespace",
            ));
        }
        // A header value may hold a TAB; a token may not: no issued token has one, and a
        // receiving parser may fold or trim it.
        if token.contains('\t') || reqwest::header::HeaderValue::from_str(&token).is_err() {
            return Err(Error::setup(
                "the session token contains a control character (such as CR, LF or TAB) or another character not allowed in an HTTP header",
            ));
        }
        Ok(SessionToken(Arc::new(SecretString::from(token))))
    }

    /// The token itself. Keep it out of logs.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Whether two tokens are the same value; used to tell a stale token from the current one.
    pub fn same_as(&self, other: &SessionToken) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.expose() == other.expose()
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken([REDACTED])")
    }
}

/// Supplies the `sessionToken` for each call, and a new one after a 401.
///
/// The client asks [`session_token`](Self::session_token) before every request. When the server
/// answers 401, it calls [`refresh`](Self::refresh) once with the token that was rejected and
/// repeats the request once with the token returned. Implementations that authenticate should
/// make concurrent refreshes of the same stale token share one authentication, and should
/// answer a refresh of a token older than their current one with the current one.
///
/// The SDK's own sessions (a fixed token, a bot's, and those an [`AppClient`](crate::AppClient)
/// opens on behalf of users) implement it; implement it yourself to take tokens from elsewhere,
/// such as a vault, and pass it to [`PresenceClientBuilder::session`](crate::PresenceClientBuilder::session).
///
/// ```no_run
/// use symphony_presence::{BoxFuture, Error, SessionProvider, SessionToken};
///
/// /// A token read from the environment, which cannot be refreshed.
/// #[derive(Debug)]
/// struct FromEnv;
///
/// impl SessionProvider for FromEnv {
///     fn session_token(&self) -> BoxFuture<'_, Result<SessionToken, Error>> {
///         Box::pin(async { SessionToken::new(std::env::var("TOKEN").unwrap_or_default()) })
///     }
///     fn refresh<'a>(&'a self, _rejected: &'a SessionToken) -> BoxFuture<'a, Result<Option<SessionToken>, Error>> {
///         Box::pin(async { Ok(None) })
///     }
/// }
/// ```
pub trait SessionProvider: Send + Sync + fmt::Debug {
    /// The token to send now. It may authenticate first, or return a cached token.
    fn session_token(&self) -> BoxFuture<'_, Result<SessionToken, Error>>;

    /// The current token if one is at hand without waiting, else `None`. The client asks this
    /// first, so that a cached token costs no boxed future; the default always says `None`.
    fn cached_token(&self) -> Option<SessionToken> {
        None
    }

    /// What kind of session this is, for traces (`symphony.session.kind`): the SDK's own are
    /// `static`, `bot` and `obo`; the default is `custom`.
    fn kind(&self) -> &'static str {
        "custom"
    }

    /// Called after the server rejected `rejected` with 401. Returns the token to repeat the
    /// request with, or `None` if this provider cannot refresh (the 401 is then returned).
    fn refresh<'a>(
        &'a self,
        rejected: &'a SessionToken,
    ) -> BoxFuture<'a, Result<Option<SessionToken>, Error>>;
}

impl<P: SessionProvider + ?Sized> SessionProvider for Arc<P> {
    fn session_token(&self) -> BoxFuture<'_, Result<SessionToken, Error>> {
        (**self).session_token()
    }

    fn cached_token(&self) -> Option<SessionToken> {
        (**self).cached_token()
    }

    fn kind(&self) -> &'static str {
        (**self).kind()
    }

    fn refresh<'a>(
        &'a self,
        rejected: &'a SessionToken,
    ) -> BoxFuture<'a, Result<Option<SessionToken>, Error>> {
        (**self).refresh(rejected)
    }
}

/// A fixed session token, obtained elsewhere (`PresenceClientBuilder::session_token`). It
/// cannot be refreshed: a 401 is returned as [`Error::Unauthorized`].
#[derive(Clone, Debug)]
pub(crate) struct StaticSession {
    token: SessionToken,
}

impl StaticSession {
    /// A provider that always returns `token`, once [`SessionToken::new`] accepts it.
    pub(crate) fn new(token: impl Into<String>) -> Result<Self, Error> {
        Ok(StaticSession {
            token: SessionToken::new(token)?,
        })
    }
}

impl SessionProvider for StaticSession {
    fn kind(&self) -> &'static str {
        "static"
    }

    fn session_token(&self) -> BoxFuture<'_, Result<SessionToken, Error>> {
        let token = self.token.clone();
        Box::pin(async move { Ok(token) })
    }

    fn cached_token(&self) -> Option<SessionToken> {
        Some(self.token.clone())
    }

    fn refresh<'a>(
        &'a self,
        _rejected: &'a SessionToken,
    ) -> BoxFuture<'a, Result<Option<SessionToken>, Error>> {
        Box::pin(async { Ok(None) })
    }
}
