//! Just enough DER to read a PKCS#8 `PrivateKeyInfo`: which algorithm a key is for, and the
//! key itself. Every read is bounds-checked; malformed input gives `None`.

/// `rsaEncryption` (1.2.840.113549.1.1.1), as the content of its DER OID.
pub(crate) const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// `id-ecPublicKey` (1.2.840.10045.2.1).
pub(crate) const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// `id-Ed25519` (1.3.101.112).
pub(crate) const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
/// `id-dsa` (1.2.840.10040.4.1).
pub(crate) const DSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01];

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const OID: u8 = 0x06;
const OCTET_STRING: u8 = 0x04;

/// `PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier, privateKey OCTET STRING, .. }`.
pub(crate) struct PrivateKeyInfo<'a> {
    /// The content of the algorithm's OID.
    pub algorithm: &'a [u8],
    /// The algorithm's own encoding of the key; for RSA, a PKCS#1 `RSAPrivateKey`.
    pub private_key: &'a [u8],
}

impl<'a> PrivateKeyInfo<'a> {
    pub(crate) fn parse(der: &'a [u8]) -> Option<Self> {
        let (info, _) = element(der, SEQUENCE)?;
        let (_version, rest) = element(info, INTEGER)?;
        let (algorithm_identifier, rest) = element(rest, SEQUENCE)?;
        let (algorithm, _parameters) = element(algorithm_identifier, OID)?;
        let (private_key, _attributes) = element(rest, OCTET_STRING)?;
        Some(PrivateKeyInfo {
            algorithm,
            private_key,
        })
    }
}

/// The content of the element with `tag` at the start of `input`, and what follows it.
fn element(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&found, rest) = input.split_first()?;
    if found != tag {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        // Long form: the low bits count the length's bytes; four are plenty for a key.
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let (bytes, rest) = rest.split_at(count);
        let length = bytes
            .iter()
            .fold(0usize, |length, &b| (length << 8) | usize::from(b));
        (length, rest)
    };
    (rest.len() >= length).then(|| rest.split_at(length))
}

/// The dotted form of an OID's content, such as `1.2.840.10045.2.1`, for messages.
pub(crate) fn oid_string(content: &[u8]) -> String {
    let Some((&first, rest)) = content.split_first() else {
        return "(empty)".into();
    };
    let mut parts = vec![
        u64::from(first / 40).min(2),
        u64::from(first) - 40 * u64::from(first / 40).min(2),
    ];
    let mut value: u64 = 0;
    for &byte in rest {
        value = value.saturating_mul(128) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            parts.push(value);
            value = 0;
        }
    }
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_print_in_dotted_form() {
        assert_eq!(oid_string(RSA_ENCRYPTION), "1.2.840.113549.1.1.1");
        assert_eq!(oid_string(EC_PUBLIC_KEY), "1.2.840.10045.2.1");
        assert_eq!(oid_string(ED25519), "1.3.101.112");
    }

    #[test]
    fn truncated_or_mislabelled_input_is_refused() {
        assert!(PrivateKeyInfo::parse(&[]).is_none());
        assert!(PrivateKeyInfo::parse(&[0x30, 0x05, 0x02]).is_none());
        assert!(PrivateKeyInfo::parse(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_none());
        assert!(PrivateKeyInfo::parse(&[0x04, 0x00]).is_none());
    }

    #[test]
    fn a_pkcs8_info_gives_its_algorithm_and_key() {
        // SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { 01 02 } }
        let der = [
            0x30, 0x0e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x02,
            0x01, 0x02,
        ];
        let info = PrivateKeyInfo::parse(&der).unwrap();
        assert_eq!(info.algorithm, ED25519);
        assert_eq!(info.private_key, &[0x01, 0x02]);
    }
}
