//! TLS: [`TlsConfig`], the certificate authority generated at start, the rustls server
//! configurations of the listeners, and client certificates.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, date_time_ymd,
};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};

use crate::MockPodError;

/// TLS for the pod, set with [`MockPodConfig::tls`](crate::MockPodConfig::tls).
///
/// At start the pod generates a certificate authority (an ECDSA P-256 key, held in memory only)
/// and a server certificate it signs, valid for `localhost` and `127.0.0.1`. Every listener
/// offers HTTP/2 and HTTP/1.1 through ALPN. Clients trust the pod by adding
/// [`RunningMockPod::ca_certificate_pem`](crate::RunningMockPod::ca_certificate_pem) as their
/// only root; a client that does not add it sees an unknown CA.
///
/// ```
/// use symphony_mock_pod::{ClientCertificates, MockPodConfig, TlsConfig};
///
/// // Certificate authentication on its own port; the pod's port never asks for a certificate.
/// let config = MockPodConfig::default().tls(
///     TlsConfig::default()
///         .client_certificates(ClientCertificates::NotRequested)
///         .session_auth_port(0),
/// );
/// # drop(config);
/// ```
#[derive(Clone, Debug, Default)]
pub struct TlsConfig {
    pub(crate) server_name: Option<String>,
    pub(crate) expired: bool,
    pub(crate) http1_only: bool,
    pub(crate) client_certificates: ClientCertificates,
    pub(crate) session_auth_port: Option<u16>,
}

/// Whether a listener asks TLS clients for a certificate signed by the pod's CA.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientCertificates {
    /// The listener never asks, so a client never sends one.
    NotRequested,
    /// The listener asks and verifies a certificate when one is given, but serves clients
    /// without one. The default: certificate authentication works on the pod's own port, and a
    /// certificate sent to it is seen and counted.
    #[default]
    Requested,
    /// The handshake fails without a certificate signed by the pod's CA.
    Required,
}

impl TlsConfig {
    /// Issues the server certificate for `name` (a DNS name or an IP address) instead of
    /// `localhost` and `127.0.0.1`, so that a client connecting to 127.0.0.1 sees a name
    /// mismatch.
    pub fn server_name(mut self, name: impl Into<String>) -> Self {
        self.server_name = Some(name.into());
        self
    }

    /// Issues a server certificate that expired on 2 January 2000.
    pub fn expired_certificate(mut self) -> Self {
        self.expired = true;
        self
    }

    /// Offers only HTTP/1.1 through ALPN, as many gateways do; by default `h2` comes first.
    pub fn http1_only(mut self) -> Self {
        self.http1_only = true;
        self
    }

    /// Whether the pod's listener (the one of `/pod`, `/login`, `/_mock`, and of `/sessionauth`
    /// unless it has its own port) asks for client certificates. Default
    /// [`ClientCertificates::Requested`].
    pub fn client_certificates(mut self, mode: ClientCertificates) -> Self {
        self.client_certificates = mode;
        self
    }

    /// Serves the Authenticator API (`/sessionauth`) on its own listener on 127.0.0.1 at
    /// `port` (0: any free port), as a deployment with a separate session-auth host does. That
    /// listener asks for client certificates ([`ClientCertificates::Requested`]); the pod's
    /// listener then answers 404 under `/sessionauth`.
    pub fn session_auth_port(mut self, port: u16) -> Self {
        self.session_auth_port = Some(port);
        self
    }
}

/// A client certificate signed by the pod's CA, with its private key, from
/// [`RunningMockPod::issue_client_certificate`](crate::RunningMockPod::issue_client_certificate).
#[derive(Clone)]
pub struct ClientCertificate {
    common_name: String,
    certificate_pem: String,
    private_key_pem: String,
}

impl ClientCertificate {
    /// The subject's common name, which the pod takes as the caller's bot username or app id.
    pub fn common_name(&self) -> &str {
        &self.common_name
    }

    /// The certificate, in PEM.
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// The private key (ECDSA P-256), in PKCS#8 PEM.
    pub fn private_key_pem(&self) -> &str {
        &self.private_key_pem
    }

    /// The private key followed by the certificate, one PEM file, as
    /// `reqwest::Identity::from_pem` reads it.
    pub fn identity_pem(&self) -> String {
        format!("{}{}", self.private_key_pem, self.certificate_pem)
    }
}

impl std::fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("common_name", &self.common_name)
            .field("private_key_pem", &"<redacted>")
            .finish_non_exhaustive()
    }
}

fn tls_error(what: &str, e: impl std::fmt::Display) -> MockPodError {
    MockPodError::Tls {
        reason: format!("{what}: {e}"),
    }
}

/// The pod's certificate authority and the server certificate it signed.
pub(crate) struct Pki {
    ca: CertifiedIssuer<'static, KeyPair>,
    server_chain: Vec<CertificateDer<'static>>,
    server_key: PrivatePkcs8KeyDer<'static>,
    /// ALPN protocols offered, in order of preference.
    alpn: Vec<Vec<u8>>,
}

impl std::fmt::Debug for Pki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pki").finish_non_exhaustive()
    }
}

/// Everything issued is valid from 2000 to 2100, except the expired server certificate.
fn validity(params: &mut CertificateParams, expired: bool) {
    params.not_before = date_time_ymd(2000, 1, 1);
    params.not_after = if expired {
        date_time_ymd(2000, 1, 2)
    } else {
        date_time_ymd(2100, 1, 1)
    };
}

fn subject(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::OrganizationName, "symphony-mock-pod");
    name.push(DnType::CommonName, common_name);
    name
}

impl Pki {
    pub(crate) fn generate(config: &TlsConfig) -> Result<Pki, MockPodError> {
        let mut params = CertificateParams::default();
        // A name of its own: a client that trusts another pod's CA must see an unknown issuer,
        // not a same-named issuer with a bad signature.
        let ca_name = format!("symphony-mock-pod CA {:08x}", fastrand::u32(..));
        params.distinguished_name = subject(&ca_name);
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        validity(&mut params, false);
        let key = KeyPair::generate().map_err(|e| tls_error("generating the CA key", e))?;
        let ca = CertifiedIssuer::self_signed(params, key)
            .map_err(|e| tls_error("issuing the CA certificate", e))?;

        let names = match &config.server_name {
            Some(name) => vec![name.clone()],
            None => vec!["localhost".to_owned(), "127.0.0.1".to_owned()],
        };
        let mut params =
            CertificateParams::new(names.clone()).map_err(|e| tls_error("the server name", e))?;
        params.distinguished_name = subject(&names[0]);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        validity(&mut params, config.expired);
        let key = KeyPair::generate().map_err(|e| tls_error("generating the server key", e))?;
        let server = params
            .signed_by(&key, &ca)
            .map_err(|e| tls_error("issuing the server certificate", e))?;
        let alpn = if config.http1_only {
            vec![b"http/1.1".to_vec()]
        } else {
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        };
        Ok(Pki {
            server_chain: vec![server.der().clone(), ca.der().clone()],
            server_key: PrivatePkcs8KeyDer::from(key.serialize_der()),
            ca,
            alpn,
        })
    }

    pub(crate) fn ca_pem(&self) -> String {
        self.ca.pem()
    }

    pub(crate) fn issue_client(
        &self,
        common_name: &str,
    ) -> Result<ClientCertificate, MockPodError> {
        let mut params = CertificateParams::default();
        params.distinguished_name = subject(common_name);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.use_authority_key_identifier_extension = true;
        validity(&mut params, false);
        let key = KeyPair::generate().map_err(|e| tls_error("generating a client key", e))?;
        let certificate = params
            .signed_by(&key, &self.ca)
            .map_err(|e| tls_error("issuing a client certificate", e))?;
        Ok(ClientCertificate {
            common_name: common_name.to_owned(),
            certificate_pem: certificate.pem(),
            private_key_pem: key.serialize_pem(),
        })
    }

    /// The rustls configuration of one listener: the server certificate, the ALPN protocols,
    /// and client certificates verified against the CA as `mode` says.
    pub(crate) fn server_config(
        &self,
        mode: ClientCertificates,
    ) -> Result<Arc<ServerConfig>, MockPodError> {
        // An explicit provider: `ServerConfig::builder()` panics when another crate in the
        // build also enables rustls' ring provider.
        let provider: Arc<CryptoProvider> = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error("the TLS protocol versions", e))?;
        let builder = match mode {
            ClientCertificates::NotRequested => builder.with_no_client_auth(),
            ClientCertificates::Requested | ClientCertificates::Required => {
                let mut roots = RootCertStore::empty();
                roots
                    .add(self.ca.der().clone())
                    .map_err(|e| tls_error("the CA as a root", e))?;
                let verifier =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
                let verifier = if mode == ClientCertificates::Requested {
                    verifier.allow_unauthenticated()
                } else {
                    verifier
                };
                builder.with_client_cert_verifier(
                    verifier
                        .build()
                        .map_err(|e| tls_error("the client certificate verifier", e))?,
                )
            }
        };
        let mut config = builder
            .with_single_cert(
                self.server_chain.clone(),
                PrivateKeyDer::Pkcs8(self.server_key.clone_key()),
            )
            .map_err(|e| tls_error("the server certificate", e))?;
        config.alpn_protocols = self.alpn.clone();
        Ok(Arc::new(config))
    }
}

/// The subject common name of a DER certificate (one the verifier accepted), or `""` when it
/// has none or it cannot be read.
pub(crate) fn common_name(certificate: &[u8]) -> String {
    read_common_name(certificate)
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }, and
/// TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer,
/// validity, subject, subjectPublicKeyInfo, ... } (RFC 5280, 4.1).
fn read_common_name(certificate: &[u8]) -> yasna::ASN1Result<Option<String>> {
    use yasna::Tag;

    const COMMON_NAME: [u64; 4] = [2, 5, 4, 3];
    yasna::parse_der(certificate, |r| {
        r.read_sequence(|certificate| {
            let name = certificate.next().read_sequence(|tbs| {
                tbs.read_optional(|r| r.read_tagged(Tag::context(0), |r| r.read_der()))?;
                for _serial_signature_issuer_validity in 0..4 {
                    tbs.next().read_der()?;
                }
                let mut common_name = None;
                tbs.next().read_sequence_of(|rdn| {
                    rdn.read_set_of(|attribute| {
                        attribute.read_sequence(|attribute| {
                            let oid = attribute.next().read_oid()?;
                            let value = attribute.next().read_tagged_der()?;
                            if oid.components().as_slice() == COMMON_NAME {
                                common_name = String::from_utf8(value.value().to_vec()).ok();
                            }
                            Ok(())
                        })
                    })
                })?;
                while tbs.read_optional(|r| r.read_der())?.is_some() {}
                Ok(common_name)
            })?;
            while certificate.read_optional(|r| r.read_der())?.is_some() {}
            Ok(name)
        })
    })
}

#[cfg(test)]
mod tests {
    use rustls::pki_types::pem::PemObject;

    use super::*;

    #[test]
    fn the_common_name_is_read_from_issued_certificates() {
        let pki = Pki::generate(&TlsConfig::default()).unwrap();
        let issued = pki.issue_client("cert-bot").unwrap();
        let der = CertificateDer::from_pem_slice(issued.certificate_pem().as_bytes()).unwrap();
        assert_eq!(common_name(&der), "cert-bot");
        assert!(common_name(pki.ca.der()).starts_with("symphony-mock-pod CA "));
        assert_eq!(common_name(&pki.server_chain[0]), "localhost");
    }

    #[test]
    fn a_certificate_without_a_common_name_or_not_der_reads_as_empty() {
        let mut params = CertificateParams::default();
        params.distinguished_name = DistinguishedName::new();
        let key = KeyPair::generate().unwrap();
        let nameless = params.self_signed(&key).unwrap();
        assert_eq!(common_name(nameless.der()), "");
        assert_eq!(common_name(b"not a certificate"), "");
    }
}
