//! Clients from a [`Config`]: `AppClient::from_config`, `PresenceClient::from_config`, and the
//! [`HttpSettings`] they share.

use secrecy::ExposeSecret;

use super::{AppConfig, BotConfig, CertificateConfig, Config, KeySource};
use crate::auth::PrivateKey;
use crate::client::{AppClient, AppClientBuilder, PresenceClient, PresenceClientBuilder};
use crate::error::Error;
use crate::retry::RetryPolicy;
use crate::settings::HttpSettings;
use crate::{AppCredentials, BotCredentials};

impl Config {
    /// The transport the configuration describes, from its `pod` component (which the login
    /// API shares): the proxy and its credentials, the default headers, the connect and read
    /// timeouts, the `retry` settings, and `ssl.trustStore.path` as extra root certificates.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a header or proxy the transport refuses, or a trust store
    /// that is not a PEM file of certificates (a Java key store must be exported to PEM first,
    /// for example with `keytool -exportcert -rfc`); [`Error::Config`] if it cannot be read.
    pub fn http_settings(&self) -> Result<HttpSettings, Error> {
        let pod = self.pod();
        let mut http = HttpSettings::default().retry_policy(self.retry_policy());
        if let Some(proxy) = pod.proxy() {
            http = http.proxy(&proxy.url())?;
            if let (Some(username), Some(password)) = (proxy.username(), proxy.password()) {
                http = http.proxy_credentials(username, password.expose_secret());
            }
        }
        for (name, value) in pod.default_headers() {
            let value = value.to_str().map_err(|_| {
                Error::setup(format!("the value of default header {name} is not text"))
            })?;
            http = http.default_header(name.as_str(), value)?;
        }
        if let Some(timeout) = pod.connect_timeout() {
            http = http.connect_timeout(timeout);
        }
        if let Some(timeout) = pod.read_timeout() {
            http = http.timeout(timeout);
        }
        if let Some(path) = self.trust_store_path() {
            let pem = std::fs::read(path).map_err(|e| {
                Error::setup(format!(
                    "the trust store {} cannot be read: {e}",
                    path.display()
                ))
            })?;
            http = http.add_root_certificate_pem(&pem).map_err(|_| {
                Error::setup(format!(
                    "the trust store {} is not a PEM file of certificates; export a Java key \
                     store with `keytool -exportcert -rfc`",
                    path.display()
                ))
            })?;
        }
        Ok(http)
    }

    /// The `retry` settings as a [`RetryPolicy`]; no limit on attempts (a negative
    /// `maxAttempts`) leaves the call's deadline to end it.
    fn retry_policy(&self) -> RetryPolicy {
        let retry = self.retry();
        RetryPolicy::default()
            .max_attempts(retry.max_attempts().unwrap_or(u32::MAX))
            .initial_backoff(retry.initial_interval())
            .multiplier(retry.multiplier())
            .max_backoff(retry.max_interval())
    }
}

impl AppClient {
    /// The app of a configuration file: `app.appId` and `app.privateKey` (or
    /// `app.certificate.path`, a PEM with the certificate and its key), on the pod it names, with
    /// its transport ([`Config::http_settings`]).
    ///
    /// ```no_run
    /// use symphony_presence::{AppClient, Config, UserId};
    ///
    /// # async fn example() -> Result<(), symphony_presence::Error> {
    /// let app = AppClient::from_config(&Config::from_file("config.yaml")?)?;
    /// let presence = app.on_behalf_of(UserId(12345)).get_presence().await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] without an `app` section, or one with neither a private key nor a
    /// certificate (or a PKCS#12 one); [`Error::Key`] for a key or certificate that cannot be
    /// used; otherwise as [`Config::http_settings`] and
    /// [`AppClientBuilder::build`].
    pub fn from_config(config: &Config) -> Result<AppClient, Error> {
        let app = config
            .app()
            .ok_or_else(|| Error::setup("the configuration has no `app` section"))?;
        let mut builder: AppClientBuilder =
            AppClient::builder(config.pod_url(), app.credentials()?)
                .login_url(config.login_url())
                .http(config.http_settings()?);
        if let Some(url) = config.session_auth_url() {
            builder = builder.session_auth_url(url);
        }
        builder.build()
    }
}

impl PresenceClient {
    /// The bot of a configuration file: `bot.username` and `bot.privateKey` (or
    /// `bot.certificate.path`, a PEM with the certificate and its key), on the pod it names, with
    /// its transport ([`Config::http_settings`]).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] without a `bot` section, or one with neither a private key nor a
    /// certificate (or a PKCS#12 one); [`Error::Key`] for a key or certificate that cannot be
    /// used; otherwise as [`Config::http_settings`] and
    /// [`PresenceClientBuilder::build`].
    pub fn from_config(config: &Config) -> Result<PresenceClient, Error> {
        let bot = config
            .bot()
            .ok_or_else(|| Error::setup("the configuration has no `bot` section"))?;
        let mut builder: PresenceClientBuilder = PresenceClient::builder(config.pod_url())
            .bot(bot.credentials()?)
            .login_url(config.login_url())
            .http(config.http_settings()?);
        if let Some(url) = config.session_auth_url() {
            builder = builder.session_auth_url(url);
        }
        builder.build()
    }
}

impl AppConfig {
    /// The app's credentials: its id with `privateKey`, or with `certificate.path` (a PEM with
    /// the certificate and its key).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] with neither (or a PKCS#12 certificate); [`Error::Key`] for a key
    /// or certificate that cannot be used.
    pub fn credentials(&self) -> Result<AppCredentials, Error> {
        match (self.private_key(), self.certificate()) {
            (Some(key), _) => Ok(AppCredentials::new(self.app_id(), private_key(key)?)),
            (None, Some(certificate)) => Ok(AppCredentials::from_identity_file(
                self.app_id(),
                identity_path(certificate)?,
            )?),
            (None, None) => Err(no_proof("app")),
        }
    }
}

impl BotConfig {
    /// The bot's credentials: its username with `privateKey`, or `certificate.path` (a PEM
    /// with the certificate and its key).
    ///
    /// # Errors
    ///
    /// As [`AppConfig::credentials`].
    pub fn credentials(&self) -> Result<BotCredentials, Error> {
        match (self.private_key(), self.certificate()) {
            (Some(key), _) => Ok(BotCredentials::new(self.username(), private_key(key)?)),
            (None, Some(certificate)) => Ok(BotCredentials::from_identity_file(identity_path(
                certificate,
            )?)?),
            (None, None) => Err(no_proof("bot")),
        }
    }
}

fn private_key(source: &KeySource) -> Result<PrivateKey, Error> {
    Ok(match source {
        KeySource::Path(path) => PrivateKey::from_pem_file(path)?,
        KeySource::Content(pem) => PrivateKey::from_pem(pem.expose_secret())?,
    })
}

/// A `certificate.path`: a PEM file with the certificate and its key. A PKCS#12 file, which the
/// Java and Python SDKs take with a password, must be converted first.
fn identity_path(certificate: &CertificateConfig) -> Result<&std::path::Path, Error> {
    let path = certificate.path();
    let pkcs12 = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("p12") || e.eq_ignore_ascii_case("pfx"));
    if pkcs12 {
        return Err(Error::setup(format!(
            "the certificate {} is PKCS#12; convert it to PEM with `openssl pkcs12 -in {} -out \
             identity.pem -nodes` and give that path",
            path.display(),
            path.display()
        )));
    }
    Ok(path)
}

fn no_proof(section: &str) -> Error {
    Error::setup(format!(
        "the `{section}` section has neither `privateKey` (a path or the content) nor \
         `certificate`"
    ))
}
