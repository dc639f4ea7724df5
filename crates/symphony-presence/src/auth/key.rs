//! [`PrivateKey`]: an RSA private key loaded from PEM, and [`KeyError`] for each way that fails.
//!
//! Keys are checked and used with aws-lc-rs (the crypto of the TLS stack), whose RSA signing is
//! constant-time; the RustCrypto `rsa` crate, which RUSTSEC-2023-0071 flags, is not used.

use std::fmt;
use std::path::{Path, PathBuf};

use aws_lc_rs::signature::RsaKeyPair;
use jsonwebtoken::EncodingKey;
use secrecy::{ExposeSecret, SecretString};

use super::der;

/// Why a private key could not be used. Messages name the file and the problem, never the
/// key's content.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The file does not exist.
    #[error("key file {} does not exist", path.display())]
    MissingFile {
        /// The path given.
        path: PathBuf,
    },
    /// The file exists but cannot be read as text.
    #[error("key file {} cannot be read: {reason}", path.display())]
    Unreadable {
        /// The path given.
        path: PathBuf,
        /// What the operating system said.
        reason: String,
    },
    /// The key is protected by a passphrase.
    #[error(
        "the key is encrypted; decrypt it first, e.g. `openssl pkey -in key.pem -out key-plain.pem`"
    )]
    Encrypted,
    /// The key is a private key of another kind.
    #[error("the key is {found}, not an RSA private key")]
    NotRsa {
        /// What was found, such as "an EC private key".
        found: String,
    },
    /// The certificate PEM holds no certificate.
    #[error("the certificate PEM holds {found}, not a certificate")]
    NoCertificate {
        /// What was found, such as "a `PRIVATE KEY` block".
        found: String,
    },
    /// The PEM holds something other than a private key.
    #[error("the PEM holds {found}, not a private key")]
    NotPrivateKey {
        /// What was found, such as "a public key".
        found: String,
    },
    /// The text is not a usable PEM RSA private key.
    #[error("the key is not a valid PEM RSA private key: {reason}")]
    Malformed {
        /// What is wrong with it.
        reason: String,
    },
}

/// An RSA private key for signing authentication JWTs (RS512).
///
/// It loads from PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8 (`BEGIN PRIVATE KEY`) PEM. The PEM
/// is held in a `secrecy` type and `Debug` shows nothing of it.
///
/// ```no_run
/// use symphony_presence::PrivateKey;
///
/// let key = PrivateKey::from_pem_file("app-key.pem")?;
/// assert_eq!(format!("{key:?}"), "PrivateKey([REDACTED])");
/// # Ok::<(), symphony_presence::KeyError>(())
/// ```
#[derive(Clone)]
pub struct PrivateKey {
    encoding: EncodingKey,
    // Kept so the key can be handed on (for example to a test pod) without re-reading the file.
    pem: SecretString,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey([REDACTED])")
    }
}

impl PrivateKey {
    /// Reads a PEM file.
    ///
    /// # Errors
    ///
    /// [`KeyError::MissingFile`], [`KeyError::Unreadable`], or any error of [`from_pem`](Self::from_pem).
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self, KeyError> {
        Self::from_pem(&read(path)?)
    }

    /// Parses PEM text.
    ///
    /// # Errors
    ///
    /// [`KeyError::Encrypted`] for a passphrase-protected key, [`KeyError::NotRsa`] for an EC,
    /// DSA, Ed25519 or OpenSSH key, [`KeyError::NotPrivateKey`] for a public key or certificate,
    /// and [`KeyError::Malformed`] for anything else that does not parse.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let malformed = |reason: &dyn fmt::Display| KeyError::Malformed {
            reason: reason.to_string(),
        };
        let not_rsa = |found: &str| KeyError::NotRsa {
            found: found.to_owned(),
        };
        let block = pem::parse(pem).map_err(|e| malformed(&e))?;
        // The PKCS#1 `RSAPrivateKey`, which the signer takes.
        let pkcs1 = match block.tag() {
            "RSA PRIVATE KEY"
                if block
                    .headers()
                    .get("Proc-Type")
                    .is_some_and(|v| v.contains("ENCRYPTED")) =>
            {
                return Err(KeyError::Encrypted);
            }
            "RSA PRIVATE KEY" => block.contents().to_vec(),
            "PRIVATE KEY" => {
                let info = der::PrivateKeyInfo::parse(block.contents())
                    .ok_or_else(|| malformed(&"not a PKCS#8 PrivateKeyInfo"))?;
                match info.algorithm {
                    der::RSA_ENCRYPTION => info.private_key.to_vec(),
                    der::EC_PUBLIC_KEY => return Err(not_rsa("an EC private key")),
                    der::ED25519 => return Err(not_rsa("an Ed25519 private key")),
                    der::DSA => return Err(not_rsa("a DSA private key")),
                    other => {
                        return Err(not_rsa(&format!(
                            "a private key of algorithm {}",
                            der::oid_string(other)
                        )));
                    }
                }
            }
            "ENCRYPTED PRIVATE KEY" => return Err(KeyError::Encrypted),
            "EC PRIVATE KEY" => return Err(not_rsa("an EC private key")),
            "DSA PRIVATE KEY" => return Err(not_rsa("a DSA private key")),
            "OPENSSH PRIVATE KEY" => {
                return Err(not_rsa(
                    "an OpenSSH-format key (convert it to PEM with `ssh-keygen -p -m PEM`)",
                ));
            }
            "PUBLIC KEY" | "RSA PUBLIC KEY" => {
                return Err(KeyError::NotPrivateKey {
                    found: "a public key".into(),
                });
            }
            "CERTIFICATE" => {
                return Err(KeyError::NotPrivateKey {
                    found: "a certificate".into(),
                });
            }
            other => {
                return Err(KeyError::NotPrivateKey {
                    found: format!("a `{other}` block"),
                });
            }
        };
        // The signer parses the key again for every JWT; refuse one it cannot use now.
        RsaKeyPair::from_der(&pkcs1).map_err(|e| malformed(&e))?;
        Ok(PrivateKey {
            encoding: EncodingKey::from_rsa_der(&pkcs1),
            pem: SecretString::from(pem.to_owned()),
        })
    }

    pub(crate) fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }

    /// The key as PEM. Keep it out of logs.
    pub fn expose_pem(&self) -> &str {
        self.pem.expose_secret()
    }
}

/// The text of a PEM file, or the [`KeyError`] that says why it cannot be had.
pub(crate) fn read(path: impl AsRef<Path>) -> Result<String, KeyError> {
    let path = path.as_ref();
    std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => KeyError::MissingFile {
            path: path.to_owned(),
        },
        _ => KeyError::Unreadable {
            path: path.to_owned(),
            reason: e.to_string(),
        },
    })
}
