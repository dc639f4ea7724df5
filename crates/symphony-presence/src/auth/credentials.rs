//! [`AppCredentials`] and [`BotCredentials`]: who signs, and with which key.

use std::path::Path;

use super::key::{KeyError, PrivateKey};

/// An extension app's id and RSA private key, for app and on-behalf-of (OBO) sessions.
///
/// ```no_run
/// use symphony_presence::AppCredentials;
///
/// let app = AppCredentials::from_pem_file("my-app-id", "/etc/symphony/app-key.pem")?;
/// # Ok::<(), symphony_presence::KeyError>(())
/// ```
#[derive(Clone, Debug)]
pub struct AppCredentials {
    pub(crate) app_id: String,
    pub(crate) key: PrivateKey,
}

impl AppCredentials {
    /// Credentials from an app id and a key.
    pub fn new(app_id: impl Into<String>, key: PrivateKey) -> Self {
        AppCredentials {
            app_id: app_id.into(),
            key,
        }
    }

    /// Credentials with the key read from a PEM file (PKCS#1 or PKCS#8).
    ///
    /// # Errors
    ///
    /// Any [`KeyError`], naming the problem with the file or the key.
    pub fn from_pem_file(
        app_id: impl Into<String>,
        path: impl AsRef<Path>,
    ) -> Result<Self, KeyError> {
        Ok(Self::new(app_id, PrivateKey::from_pem_file(path)?))
    }

    /// Credentials with the key given as PEM text.
    ///
    /// # Errors
    ///
    /// Any [`KeyError`] of [`PrivateKey::from_pem`].
    pub fn from_pem(app_id: impl Into<String>, pem: &str) -> Result<Self, KeyError> {
        Ok(Self::new(app_id, PrivateKey::from_pem(pem)?))
    }

    /// The app id, the `sub` of the app's JWT.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }
}

/// A bot (service user) username and RSA private key, for bot sessions.
///
/// ```no_run
/// use symphony_presence::BotCredentials;
///
/// let bot = BotCredentials::from_pem_file("presence-bot", "/etc/symphony/bot-key.pem")?;
/// # Ok::<(), symphony_presence::KeyError>(())
/// ```
#[derive(Clone, Debug)]
pub struct BotCredentials {
    pub(crate) username: String,
    pub(crate) key: PrivateKey,
}

impl BotCredentials {
    /// Credentials from a username and a key.
    pub fn new(username: impl Into<String>, key: PrivateKey) -> Self {
        BotCredentials {
            username: username.into(),
            key,
        }
    }

    /// Credentials with the key read from a PEM file (PKCS#1 or PKCS#8).
    ///
    /// # Errors
    ///
    /// Any [`KeyError`], naming the problem with the file or the key.
    pub fn from_pem_file(
        username: impl Into<String>,
        path: impl AsRef<Path>,
    ) -> Result<Self, KeyError> {
        Ok(Self::new(username, PrivateKey::from_pem_file(path)?))
    }

    /// Credentials with the key given as PEM text.
    ///
    /// # Errors
    ///
    /// Any [`KeyError`] of [`PrivateKey::from_pem`].
    pub fn from_pem(username: impl Into<String>, pem: &str) -> Result<Self, KeyError> {
        Ok(Self::new(username, PrivateKey::from_pem(pem)?))
    }

    /// The username, the `sub` of the bot's JWT.
    pub fn username(&self) -> &str {
        &self.username
    }
}
