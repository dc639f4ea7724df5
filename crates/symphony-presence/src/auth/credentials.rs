//! [`AppCredentials`] and [`BotCredentials`]: who authenticates, and how: with an RSA key that
//! signs a JWT (the Login API), or with a client certificate (the session-auth API).

use std::fmt;
use std::path::Path;

use secrecy::{ExposeSecret, SecretString};

use super::key::{KeyError, PrivateKey, read as read_pem};

/// What proves an identity.
#[derive(Clone, Debug)]
pub(crate) enum Proof {
    /// An RSA key that signs a JWT for `POST {login}/pubkey/...`.
    Key(PrivateKey),
    /// A client certificate presented to `{sessionauth}/v1/...`.
    Certificate(ClientCertificate),
}

/// An extension app's id and what proves it: an RSA private key, or a client certificate. Used
/// for the app's session and those it opens on behalf of (OBO) its users.
///
/// ```no_run
/// use symphony_presence::AppCredentials;
///
/// let with_key = AppCredentials::from_pem_file("my-app-id", "/etc/symphony/app-key.pem")?;
/// let with_certificate = AppCredentials::from_certificate_files(
///     "my-app-id",
///     "/etc/symphony/app-cert.pem",
///     "/etc/symphony/app-cert-key.pem",
/// )?;
/// # Ok::<(), symphony_presence::KeyError>(())
/// ```
#[derive(Clone, Debug)]
pub struct AppCredentials {
    pub(crate) app_id: String,
    pub(crate) proof: Proof,
}

impl AppCredentials {
    /// Credentials from an app id and an RSA key.
    pub fn new(app_id: impl Into<String>, key: PrivateKey) -> Self {
        AppCredentials {
            app_id: app_id.into(),
            proof: Proof::Key(key),
        }
    }

    /// Credentials with the RSA key read from a PEM file (PKCS#1 or PKCS#8).
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

    /// Credentials with the RSA key given as PEM text.
    ///
    /// # Errors
    ///
    /// Any [`KeyError`] of [`PrivateKey::from_pem`].
    pub fn from_pem(app_id: impl Into<String>, pem: &str) -> Result<Self, KeyError> {
        Ok(Self::new(app_id, PrivateKey::from_pem(pem)?))
    }

    /// Credentials with a client certificate and its private key, both PEM text: the app
    /// authenticates at the session-auth API, which identifies it by the certificate.
    ///
    /// # Errors
    ///
    /// Any [`KeyError`] of reading the certificate and key: no certificate, no private key, an
    /// encrypted key, or PEM that does not parse.
    pub fn from_certificate_pem(
        app_id: impl Into<String>,
        certificate: &str,
        key: &str,
    ) -> Result<Self, KeyError> {
        Ok(AppCredentials {
            app_id: app_id.into(),
            proof: Proof::Certificate(ClientCertificate::from_pem(certificate, key)?),
        })
    }

    /// As [`from_certificate_pem`](Self::from_certificate_pem), reading both from PEM files.
    ///
    /// # Errors
    ///
    /// [`KeyError::MissingFile`] or [`KeyError::Unreadable`] for either file, or an error of
    /// [`from_certificate_pem`](Self::from_certificate_pem).
    pub fn from_certificate_files(
        app_id: impl Into<String>,
        certificate: impl AsRef<Path>,
        key: impl AsRef<Path>,
    ) -> Result<Self, KeyError> {
        Self::from_certificate_pem(app_id, &read_pem(certificate)?, &read_pem(key)?)
    }

    /// Credentials with a client certificate and its private key in one PEM text (the form a
    /// PKCS#12 file becomes with `openssl pkcs12 -in app.p12 -out app.pem -nodes`).
    ///
    /// # Errors
    ///
    /// As [`from_certificate_pem`](Self::from_certificate_pem).
    pub fn from_identity_pem(app_id: impl Into<String>, pem: &str) -> Result<Self, KeyError> {
        Self::from_certificate_pem(app_id, pem, pem)
    }

    /// As [`from_identity_pem`](Self::from_identity_pem), reading a PEM file.
    ///
    /// # Errors
    ///
    /// As [`from_certificate_files`](Self::from_certificate_files).
    pub fn from_identity_file(
        app_id: impl Into<String>,
        path: impl AsRef<Path>,
    ) -> Result<Self, KeyError> {
        Self::from_identity_pem(app_id, &read_pem(path)?)
    }

    /// The app id, the `sub` of the app's JWT.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }
}

/// A bot (service user) and what proves it: its username and RSA private key, or a client
/// certificate.
///
/// ```no_run
/// use symphony_presence::BotCredentials;
///
/// let with_key = BotCredentials::from_pem_file("presence-bot", "/etc/symphony/bot-key.pem")?;
/// let with_certificate =
///     BotCredentials::from_certificate_files("/etc/symphony/bot.pem", "/etc/symphony/bot-key.pem")?;
/// # Ok::<(), symphony_presence::KeyError>(())
/// ```
#[derive(Clone, Debug)]
pub struct BotCredentials {
    /// The JWT's `sub`; a certificate names the bot itself.
    pub(crate) username: Option<String>,
    pub(crate) proof: Proof,
}

impl BotCredentials {
    /// Credentials from a username and an RSA key.
    pub fn new(username: impl Into<String>, key: PrivateKey) -> Self {
        BotCredentials {
            username: Some(username.into()),
            proof: Proof::Key(key),
        }
    }

    /// Credentials with the RSA key read from a PEM file (PKCS#1 or PKCS#8).
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

    /// Credentials with the RSA key given as PEM text.
    ///
    /// # Errors
    ///
    /// Any [`KeyError`] of [`PrivateKey::from_pem`].
    pub fn from_pem(username: impl Into<String>, pem: &str) -> Result<Self, KeyError> {
        Ok(Self::new(username, PrivateKey::from_pem(pem)?))
    }

    /// Credentials with a client certificate and its private key, both PEM text: the bot
    /// authenticates at the session-auth API, which identifies it by the certificate.
    ///
    /// # Errors
    ///
    /// As [`AppCredentials::from_certificate_pem`].
    pub fn from_certificate_pem(certificate: &str, key: &str) -> Result<Self, KeyError> {
        Ok(BotCredentials {
            username: None,
            proof: Proof::Certificate(ClientCertificate::from_pem(certificate, key)?),
        })
    }

    /// As [`from_certificate_pem`](Self::from_certificate_pem), reading both from PEM files.
    ///
    /// # Errors
    ///
    /// As [`AppCredentials::from_certificate_files`].
    pub fn from_certificate_files(
        certificate: impl AsRef<Path>,
        key: impl AsRef<Path>,
    ) -> Result<Self, KeyError> {
        Self::from_certificate_pem(&read_pem(certificate)?, &read_pem(key)?)
    }

    /// Credentials with a client certificate and its private key in one PEM text (the form a
    /// PKCS#12 file becomes with `openssl pkcs12 -in bot.p12 -out bot.pem -nodes`).
    ///
    /// # Errors
    ///
    /// As [`from_certificate_pem`](Self::from_certificate_pem).
    pub fn from_identity_pem(pem: &str) -> Result<Self, KeyError> {
        Self::from_certificate_pem(pem, pem)
    }

    /// As [`from_identity_pem`](Self::from_identity_pem), reading a PEM file.
    ///
    /// # Errors
    ///
    /// As [`from_certificate_files`](Self::from_certificate_files).
    pub fn from_identity_file(path: impl AsRef<Path>) -> Result<Self, KeyError> {
        Self::from_identity_pem(&read_pem(path)?)
    }

    /// The username, the `sub` of the bot's JWT; `None` for a certificate, which names the bot.
    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }
}

/// A client certificate and its private key, checked and ready for TLS. `Debug` shows nothing
/// of the key.
#[derive(Clone)]
pub(crate) struct ClientCertificate {
    identity: reqwest::Identity,
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientCertificate([REDACTED])")
    }
}

impl ClientCertificate {
    /// The certificates (a chain) in `certificates` and the private key (PKCS#8, PKCS#1 RSA or
    /// SEC1 EC) in `key`; both may be the same text, holding both.
    fn from_pem(certificates: &str, key: &str) -> Result<Self, KeyError> {
        let malformed = |reason: String| KeyError::Malformed { reason };
        let blocks = pem::parse_many(certificates).map_err(|e| malformed(e.to_string()))?;
        let chain: Vec<_> = blocks.iter().filter(|b| b.tag() == "CERTIFICATE").collect();
        if chain.is_empty() {
            return Err(KeyError::NoCertificate {
                found: match blocks.first() {
                    Some(block) => format!("a `{}` block", block.tag()),
                    None => "no PEM block".into(),
                },
            });
        }
        let key_blocks = pem::parse_many(key).map_err(|e| malformed(e.to_string()))?;
        let encrypted = |b: &pem::Pem| {
            b.tag() == "ENCRYPTED PRIVATE KEY"
                || b.headers()
                    .get("Proc-Type")
                    .is_some_and(|v| v.contains("ENCRYPTED"))
        };
        let key_block = key_blocks
            .iter()
            .find(|b| {
                matches!(
                    b.tag(),
                    "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" | "ENCRYPTED PRIVATE KEY"
                )
            })
            .ok_or_else(|| KeyError::NotPrivateKey {
                found: match key_blocks.first() {
                    Some(block) => format!("a `{}` block", block.tag()),
                    None => "no PEM block".into(),
                },
            })?;
        if encrypted(key_block) {
            return Err(KeyError::Encrypted);
        }
        // Zeroised once the identity is made; reqwest keeps its own copy of the key.
        let identity_pem = SecretString::from(pem::encode_many(
            &chain
                .into_iter()
                .chain(std::iter::once(key_block))
                .cloned()
                .collect::<Vec<_>>(),
        ));
        let identity = reqwest::Identity::from_pem(identity_pem.expose_secret().as_bytes())
            .map_err(|e| malformed(format!("the certificate and key cannot be used: {e}")))?;
        Ok(ClientCertificate { identity })
    }

    pub(crate) fn identity(&self) -> reqwest::Identity {
        self.identity.clone()
    }
}
