//! [`PrivateKey`]: an RSA private key loaded from PEM, and [`KeyError`] for each way that fails.

use std::fmt;
use std::path::{Path, PathBuf};

use jsonwebtoken::EncodingKey;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use secrecy::{ExposeSecret, SecretString};

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
        let path = path.as_ref();
        match std::fs::read_to_string(path) {
            Ok(pem) => Self::from_pem(&pem),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(KeyError::MissingFile {
                path: path.to_owned(),
            }),
            Err(e) => Err(KeyError::Unreadable {
                path: path.to_owned(),
                reason: e.to_string(),
            }),
        }
    }

    /// Parses PEM text.
    ///
    /// # Errors
    ///
    /// [`KeyError::Encrypted`] for a passphrase-protected key, [`KeyError::NotRsa`] for an EC,
    /// DSA, Ed25519 or OpenSSH key, [`KeyError::NotPrivateKey`] for a public key or certificate,
    /// and [`KeyError::Malformed`] for anything else that does not parse.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let malformed = |e: &dyn fmt::Display| KeyError::Malformed {
            reason: e.to_string(),
        };
        let block = pem::parse(pem).map_err(|e| malformed(&e))?;
        match block.tag() {
            "RSA PRIVATE KEY"
                if block
                    .headers()
                    .get("Proc-Type")
                    .is_some_and(|v| v.contains("ENCRYPTED")) =>
            {
                return Err(KeyError::Encrypted);
            }
            "RSA PRIVATE KEY" => {
                rsa::PrivateKey::from_pkcs1_der(block.contents()).map_err(|e| malformed(&e))?;
            }
            "PRIVATE KEY" => {
                let info = rsa::pkcs8::PrivateKeyInfoRef::try_from(block.contents())
                    .map_err(|e| malformed(&e))?;
                match info.algorithm.oid.to_string().as_str() {
                    RSA_ENCRYPTION => {}
                    EC_PUBLIC_KEY => {
                        return Err(KeyError::NotRsa {
                            found: "an EC private key".into(),
                        });
                    }
                    ED25519 => {
                        return Err(KeyError::NotRsa {
                            found: "an Ed25519 private key".into(),
                        });
                    }
                    other => {
                        return Err(KeyError::NotRsa {
                            found: format!("a private key of algorithm {other}"),
                        });
                    }
                }
                rsa::PrivateKey::from_pkcs8_der(block.contents()).map_err(|e| malformed(&e))?;
            }
            "ENCRYPTED PRIVATE KEY" => return Err(KeyError::Encrypted),
            "EC PRIVATE KEY" => {
                return Err(KeyError::NotRsa {
                    found: "an EC private key".into(),
                });
            }
            "DSA PRIVATE KEY" => {
                return Err(KeyError::NotRsa {
                    found: "a DSA private key".into(),
                });
            }
            "OPENSSH PRIVATE KEY" => {
                return Err(KeyError::NotRsa {
                    found: "an OpenSSH-format key (convert it to PEM with `ssh-keygen -p -m PEM`)"
                        .into(),
                });
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
        }
        let encoding = EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| malformed(&e))?;
        Ok(PrivateKey {
            encoding,
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

const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const ED25519: &str = "1.3.101.112";
