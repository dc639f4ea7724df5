//! [`AppClient`]: an extension app, handing out clients that act on behalf of its users.

use std::fmt;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use symphony_api::pod::ClientInfo;

use super::{Pod, PresenceClient};
use crate::auth::{AppCredentials, AppSession, Authenticator, LoginSettings, OboCache};
use crate::error::Error;
use crate::presence::UserId;
use crate::session::SessionProvider;
use crate::settings::{self, HttpSettings};

/// How many users' on-behalf-of sessions an [`AppClient`] keeps by default.
pub const DEFAULT_OBO_CACHE_CAPACITY: usize = 10_000;
/// How long an [`AppClient`] keeps a user's session that is not used, by default.
pub const DEFAULT_OBO_CACHE_TTL: Duration = Duration::from_secs(3600);
/// How long after the app authenticates a new user's refused OBO authentication is taken as
/// that user's failure rather than the app token's, by default.
pub const DEFAULT_APP_TOKEN_TRUSTED_FOR: Duration = Duration::from_secs(60);

/// An extension app: it authenticates once, and opens sessions on behalf of (OBO) its users.
///
/// [`on_behalf_of`](Self::on_behalf_of) returns a [`PresenceClient`] acting as one user. All of
/// them share the app's connection pool and its session: the app authenticates
/// (`POST {login}/pubkey/app/authenticate`) when the first user needs it, and each user's
/// session (`POST {login}/pubkey/app/user/{uid}/authenticate`) is obtained on first use, cached,
/// and renewed only when the pod rejects it. Any number of concurrent calls that need the same
/// token share one authentication.
///
/// The app's own session token never reaches a Pod endpoint: there is no way to build a
/// [`PresenceClient`] from it.
///
/// Cheap to clone; clones share everything.
///
/// ```no_run
/// use symphony_presence::{AppClient, AppCredentials, UserId};
///
/// # async fn example() -> Result<(), symphony_presence::Error> {
/// let app = AppClient::builder(
///     "https://acme.symphony.com/pod",
///     AppCredentials::from_pem_file("my-app", "app-key.pem")?,
/// )
/// .build()?;
/// for uid in [UserId(12345), UserId(67890)] {
///     let presence = app.on_behalf_of(uid).get_presence().await?;
///     println!("{uid}: {}", presence.category);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct AppClient {
    pod: Arc<Pod>,
    session: AppSession,
}

impl fmt::Debug for AppClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppClient")
            .field("pod_url", &self.pod.api.baseurl())
            .field("session", &self.session)
            .finish()
    }
}

impl AppClient {
    /// Starts building the client of the app described by `credentials`, on the pod at
    /// `pod_url`, for example `https://acme.symphony.com/pod`.
    pub fn builder(pod_url: impl Into<String>, credentials: AppCredentials) -> AppClientBuilder {
        AppClientBuilder {
            pod_url: pod_url.into(),
            credentials,
            login: LoginSettings::default(),
            obo_capacity: DEFAULT_OBO_CACHE_CAPACITY,
            obo_ttl: DEFAULT_OBO_CACHE_TTL,
            app_token_trusted_for: DEFAULT_APP_TOKEN_TRUSTED_FOR,
            http: HttpSettings::default(),
        }
    }

    /// A client acting on behalf of the user with id `uid`. Cheap: nothing is sent until its
    /// first call, and two clients for the same user share one session.
    pub fn on_behalf_of(&self, uid: UserId) -> PresenceClient {
        PresenceClient::new(self.pod.clone(), Arc::new(self.session.obo_user(uid)))
    }

    /// A client acting on behalf of the user named `username`
    /// (`POST {login}/pubkey/app/username/{username}/authenticate`).
    pub fn on_behalf_of_username(&self, username: impl Into<String>) -> PresenceClient {
        PresenceClient::new(
            self.pod.clone(),
            Arc::new(self.session.obo_username(username.into())),
        )
    }

    /// Authenticates the app now, unless it already has a session: a way to check the
    /// credentials at start-up.
    ///
    /// # Errors
    ///
    /// As any call: [`Error::is_auth`] when the app's credentials are refused.
    pub async fn authenticate(&self) -> Result<(), Error> {
        self.session.session_token().await.map(drop)
    }
}

/// Builds an [`AppClient`].
#[must_use]
#[derive(Debug)]
pub struct AppClientBuilder {
    pod_url: String,
    credentials: AppCredentials,
    login: LoginSettings,
    obo_capacity: usize,
    obo_ttl: Duration,
    app_token_trusted_for: Duration,
    http: HttpSettings,
}

impl AppClientBuilder {
    /// The Login API base URL (default: the pod URL's origin followed by `/login`).
    pub fn login_url(mut self, url: impl Into<String>) -> Self {
        self.login.login_url = Some(url.into());
        self
    }

    /// The session-auth API base URL, for an app with a certificate (default: the pod URL's
    /// origin followed by `/sessionauth`). Only requests to it present the app's certificate.
    pub fn session_auth_url(mut self, url: impl Into<String>) -> Self {
        self.login.session_auth_url = Some(url.into());
        self
    }

    /// The lifetime of each authentication JWT: at most 300 s (default 240 s).
    pub fn jwt_lifetime(mut self, lifetime: Duration) -> Self {
        self.login.jwt_lifetime = lifetime;
        self
    }

    /// How many users' sessions to keep (default [`DEFAULT_OBO_CACHE_CAPACITY`]); past it,
    /// the least recently used is dropped. A session a client still uses is never replaced: a
    /// new client for that user shares it.
    pub fn obo_cache_capacity(mut self, capacity: usize) -> Self {
        self.obo_capacity = capacity.max(1);
        self
    }

    /// How long to keep a user's session that is not used (default [`DEFAULT_OBO_CACHE_TTL`]).
    pub fn obo_cache_ttl(mut self, ttl: Duration) -> Self {
        self.obo_ttl = ttl;
        self
    }

    /// How long after the app authenticates a refused OBO authentication of a user who never
    /// had a session is taken as that user's failure (for example, the user has not installed
    /// the app) rather than the app token's (default [`DEFAULT_APP_TOKEN_TRUSTED_FOR`]). Such a
    /// refusal is returned for that call alone: it renews nothing, so users the app may not act
    /// for do not make it authenticate again and again. Past this time, or for a user who had a
    /// session before, a 401 renews the app token once and repeats the authentication.
    pub fn app_token_trusted_for(mut self, trusted_for: Duration) -> Self {
        self.app_token_trusted_for = trusted_for;
        self
    }

    /// How requests are sent, login and pod alike (see [`HttpSettings`] for the defaults).
    pub fn http(mut self, http: HttpSettings) -> Self {
        self.http = http;
        self
    }

    /// Builds the client. Nothing is sent until a user's first call (or
    /// [`AppClient::authenticate`]).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a bad pod or login URL, a JWT lifetime over 300 s, or a
    /// transport that cannot be built.
    pub fn build(self) -> Result<AppClient, Error> {
        let pod_url = settings::base_url(&self.pod_url, "pod")?;
        let transport = self.http.transport()?;
        let authenticator = Authenticator::new(
            &self.credentials.proof,
            &self.credentials.app_id,
            &pod_url,
            &self.login,
            &self.http,
            transport.clone(),
        )?;
        let capacity = NonZeroUsize::new(self.obo_capacity).unwrap_or(NonZeroUsize::MIN);
        let obo = OboCache::new(capacity, self.obo_ttl);
        Ok(AppClient {
            pod: Arc::new(Pod::new(pod_url, transport)?),
            session: AppSession::new(authenticator, obo, self.app_token_trusted_for),
        })
    }
}
