//! Signing the short-lived RS512 JWT that the RSA authentication endpoints take.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, Header};
use secrecy::SecretString;
use serde::Serialize;

use super::key::PrivateKey;
use crate::Error;

/// The JWT lifetime the official SDKs use.
pub const DEFAULT_JWT_LIFETIME: Duration = Duration::from_secs(240);
/// The longest lifetime Symphony accepts.
pub const MAX_JWT_LIFETIME: Duration = Duration::from_secs(300);

#[derive(Serialize)]
struct Claims<'a> {
    sub: &'a str,
    iat: u64,
    exp: u64,
}

/// Checks a configured lifetime.
pub(crate) fn check_lifetime(lifetime: Duration) -> Result<Duration, Error> {
    if lifetime.is_zero() || lifetime > MAX_JWT_LIFETIME {
        return Err(Error::setup(format!(
            "the JWT lifetime must be between 1 s and {} s, not {} s",
            MAX_JWT_LIFETIME.as_secs(),
            lifetime.as_secs()
        )));
    }
    Ok(lifetime)
}

/// A JWT with claims `sub`, `iat` (`now`, the pod's time as far as it is known) and `exp`
/// (`now + lifetime`), signed RS512 with `key`.
pub(crate) fn sign(
    sub: &str,
    key: &PrivateKey,
    lifetime: Duration,
    now: SystemTime,
) -> Result<SecretString, Error> {
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let claims = Claims {
        sub,
        iat: now.as_secs(),
        exp: (now + lifetime).as_secs(),
    };
    jsonwebtoken::encode(&Header::new(Algorithm::RS512), &claims, key.encoding_key())
        .map(SecretString::from)
        .map_err(|e| Error::setup(format!("cannot sign the authentication JWT: {e}")))
}
