//! [`Authenticator`]: how a bot or an app gets its session, and an app its users' sessions,
//! whichever proof it has: a JWT signed with its key, or its client certificate.

use std::sync::Arc;

use super::certificate::CertificateLogin;
use super::credentials::Proof;
use super::key::PrivateKey;
use super::login::{LoginClient, LoginSettings, OboUser};
use crate::error::Error;
use crate::session::{SessionProvider, SessionToken};
use crate::settings::HttpSettings;
use crate::transport::Transport;

/// One principal's way to authenticate.
#[derive(Debug)]
pub(crate) enum Authenticator {
    /// A JWT for `sub`, signed with `key`, at the Login API.
    Key {
        login: LoginClient,
        sub: String,
        key: PrivateKey,
    },
    /// The client certificate, at the session-auth API.
    Certificate(CertificateLogin),
}

impl Authenticator {
    /// The authenticator for `proof`, naming `sub` in a JWT, on the pod at `pod_url`.
    pub(crate) fn new(
        proof: &Proof,
        sub: &str,
        pod_url: &reqwest::Url,
        settings: &LoginSettings,
        http: &HttpSettings,
        transport: Arc<Transport>,
    ) -> Result<Self, Error> {
        Ok(match proof {
            Proof::Key(key) => Authenticator::Key {
                login: LoginClient::new(pod_url, settings, transport)?,
                sub: sub.to_owned(),
                key: key.clone(),
            },
            Proof::Certificate(certificate) => Authenticator::Certificate(CertificateLogin::new(
                pod_url,
                settings,
                http,
                certificate.identity(),
                transport,
            )?),
        })
    }

    /// Where it authenticates, for `Debug`.
    pub(crate) fn url(&self) -> &str {
        match self {
            Authenticator::Key { login, .. } => login.login_url(),
            Authenticator::Certificate(login) => login.url(),
        }
    }

    /// A bot's own session.
    pub(crate) async fn bot(&self) -> Result<SessionToken, Error> {
        match self {
            Authenticator::Key { login, sub, key } => login.authenticate_bot(sub, key).await,
            Authenticator::Certificate(login) => login.authenticate_bot().await,
        }
    }

    /// An app's own session.
    pub(crate) async fn app(&self) -> Result<SessionToken, Error> {
        match self {
            Authenticator::Key { login, sub, key } => login.authenticate_app(sub, key).await,
            Authenticator::Certificate(login) => login.authenticate_app().await,
        }
    }

    /// A session on behalf of `user`, with the app's session from `app`.
    pub(crate) async fn on_behalf_of(
        &self,
        app: &dyn SessionProvider,
        user: &OboUser,
    ) -> Result<SessionToken, Error> {
        match self {
            Authenticator::Key { login, .. } => login.authenticate_obo(app, user).await,
            Authenticator::Certificate(login) => login.authenticate_obo(app, user).await,
        }
    }
}
