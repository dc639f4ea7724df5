//! RSA key pairs the pod generates or is given in full (private key included), with aws-lc-rs,
//! so that it can hand ready credentials to the tests.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use pem::{EncodeConfig, LineEnding, Pem};

/// How an app or a bot is registered: which key it signs its JWTs with.
#[derive(Clone, Debug)]
pub(crate) enum Registration {
    /// Its RSA public key in PEM; the private key stays with the caller.
    PublicKey(String),
    /// A key pair the pod generates at start, keeping the private key for the tests.
    Generated,
    /// Its RSA private key in PEM (PKCS#8 or PKCS#1), which the pod keeps.
    PrivateKey(String),
    /// None: it authenticates by client certificate only.
    CertificateOnly,
}

/// A key pair, both halves in PEM (PKCS#8 private key, SPKI public key).
pub(crate) struct KeyPem {
    pub private: String,
    pub public: String,
}

fn encode(tag: &str, der: &[u8]) -> String {
    pem::encode_config(
        &Pem::new(tag, der),
        EncodeConfig::new().set_line_ending(LineEnding::LF),
    )
}

fn to_pem(pair: &KeyPair) -> Result<KeyPem, String> {
    let private = AsDer::as_der(pair).map_err(|e| format!("encoding the private key: {e}"))?;
    let public = pair
        .public_key()
        .as_der()
        .map_err(|e| format!("encoding the public key: {e}"))?;
    Ok(KeyPem {
        private: encode("PRIVATE KEY", private.as_ref()),
        public: encode("PUBLIC KEY", public.as_ref()),
    })
}

/// A fresh RSA-2048 key pair.
pub(crate) fn generate() -> Result<KeyPem, String> {
    let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|e| format!("generating: {e}"))?;
    to_pem(&pair)
}

/// The key pair of an RSA private key in PEM, PKCS#8 (`PRIVATE KEY`) or PKCS#1
/// (`RSA PRIVATE KEY`); the private half is returned as PKCS#8.
pub(crate) fn from_private_pem(pem: &str) -> Result<KeyPem, String> {
    let block = pem::parse(pem).map_err(|e| format!("not PEM: {e}"))?;
    let pair = match block.tag() {
        "PRIVATE KEY" => KeyPair::from_pkcs8(block.contents()),
        "RSA PRIVATE KEY" => KeyPair::from_der(block.contents()),
        other => return Err(format!("a `{other}` block, not an RSA private key")),
    }
    .map_err(|e| format!("not a usable RSA private key: {e}"))?;
    to_pem(&pair)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_pair_reloads_and_signs_jwts_the_public_half_verifies() {
        let pair = generate().unwrap();
        assert!(pair.private.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(pair.public.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert!(!pair.private.contains('\r'));
        let again = from_private_pem(&pair.private).unwrap();
        assert_eq!(again.public, pair.public);

        let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS512);
        let claims = serde_json::json!({"sub": "x", "exp": 4_000_000_000u64});
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(pair.private.as_bytes()).unwrap();
        let jwt = jsonwebtoken::encode(&header, &claims, &key).unwrap();
        let public = jsonwebtoken::DecodingKey::from_rsa_pem(pair.public.as_bytes()).unwrap();
        let validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS512);
        jsonwebtoken::decode::<serde_json::Value>(&jwt, &public, &validation).unwrap();
    }

    #[test]
    fn what_is_not_an_rsa_private_key_is_an_error() {
        let pair = generate().unwrap();
        let public = from_private_pem(&pair.public).err().unwrap();
        assert_eq!(public, "a `PUBLIC KEY` block, not an RSA private key");
        assert!(
            from_private_pem("hello")
                .err()
                .unwrap()
                .starts_with("not PEM")
        );
        let garbage = encode("PRIVATE KEY", b"garbage");
        assert!(
            from_private_pem(&garbage)
                .err()
                .unwrap()
                .starts_with("not a usable RSA private key")
        );
    }
}
