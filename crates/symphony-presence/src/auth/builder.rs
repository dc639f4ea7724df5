//! [`SessionBuilder`]: the settings every RSA session shares, whatever its credentials.

use std::time::Duration;

use super::app::DEFAULT_OBO_CACHE_CAPACITY;
use super::login::LoginSettings;
use crate::settings::HttpSettings;

/// Builds an RSA session: [`AppSession`](crate::AppSession) for [`AppCredentials`](crate::AppCredentials),
/// [`BotSession`](crate::BotSession) for [`BotCredentials`](crate::BotCredentials). Start from
/// `AppSession::builder` or `BotSession::builder`.
#[must_use]
#[derive(Debug)]
pub struct SessionBuilder<C> {
    pub(crate) login: LoginSettings,
    pub(crate) credentials: C,
    /// Used by app sessions only.
    pub(crate) obo_capacity: usize,
}

impl<C> SessionBuilder<C> {
    pub(crate) fn new(pod_url: String, credentials: C) -> Self {
        SessionBuilder {
            login: LoginSettings::new(pod_url),
            credentials,
            obo_capacity: DEFAULT_OBO_CACHE_CAPACITY,
        }
    }

    /// The Login API base URL (default: the pod URL's origin followed by `/login`).
    pub fn login_url(mut self, url: impl Into<String>) -> Self {
        self.login.login_url = Some(url.into());
        self
    }

    /// Transport settings for the authentication calls (see [`HttpSettings`]).
    pub fn settings(mut self, settings: HttpSettings) -> Self {
        self.login.http = settings;
        self
    }

    /// The lifetime of each authentication JWT: at most 300 s (default 240 s).
    pub fn jwt_lifetime(mut self, lifetime: Duration) -> Self {
        self.login.jwt_lifetime = lifetime;
        self
    }
}
