//! Loading RSA keys: both PEM forms load, and each bad key gets its own error.

use symphony_presence::{AppCredentials, BotCredentials, KeyError, PrivateKey};
use symphony_presence_tests::{fixture, fixture_text};

#[test]
fn pkcs1_and_pkcs8_keys_load_from_files_and_strings() {
    for name in [
        "keys/app-pkcs1.pem",
        "keys/app-pkcs8.pem",
        "keys/other-pkcs8.pem",
    ] {
        PrivateKey::from_pem_file(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        PrivateKey::from_pem(&fixture_text(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let app = AppCredentials::from_pem_file("my-app", fixture("keys/app-pkcs1.pem")).unwrap();
    assert_eq!(app.app_id(), "my-app");
    let bot = BotCredentials::from_pem("my-bot", &fixture_text("keys/app-pkcs8.pem")).unwrap();
    assert_eq!(bot.username(), Some("my-bot"));
}

#[test]
fn a_missing_file_says_so() {
    let path = fixture("keys/does-not-exist.pem");
    assert_eq!(
        PrivateKey::from_pem_file(&path).unwrap_err(),
        KeyError::MissingFile { path }
    );
}

#[test]
fn an_unreadable_file_says_so() {
    // A directory cannot be read as a file, even by root.
    let err = PrivateKey::from_pem_file(fixture("keys")).unwrap_err();
    assert!(matches!(err, KeyError::Unreadable { .. }), "{err:?}");
    let not_text = tempfile_with(&[0xff, 0xfe, 0x00, 0x80]);
    assert!(matches!(
        PrivateKey::from_pem_file(not_text.path()).unwrap_err(),
        KeyError::Unreadable { .. }
    ));
}

#[test]
fn encrypted_keys_are_refused_in_both_forms() {
    for name in ["keys/encrypted-pkcs1.pem", "keys/encrypted-pkcs8.pem"] {
        assert_eq!(
            PrivateKey::from_pem_file(fixture(name)).unwrap_err(),
            KeyError::Encrypted,
            "{name}"
        );
    }
}

#[test]
fn non_rsa_private_keys_are_refused() {
    for (name, found) in [
        ("keys/ec-sec1.pem", "an EC private key"),
        ("keys/ec-pkcs8.pem", "an EC private key"),
        ("keys/ed25519.pem", "an Ed25519 private key"),
    ] {
        assert_eq!(
            PrivateKey::from_pem_file(fixture(name)).unwrap_err(),
            KeyError::NotRsa {
                found: found.into()
            },
            "{name}"
        );
    }
}

#[test]
fn a_public_key_is_not_a_private_key() {
    let err = PrivateKey::from_pem_file(fixture("keys/app-public.pem")).unwrap_err();
    assert_eq!(
        err,
        KeyError::NotPrivateKey {
            found: "a public key".into()
        }
    );
}

#[test]
fn garbage_is_malformed_and_the_message_holds_no_key_material() {
    let pem = fixture_text("keys/app-pkcs1.pem");
    let body_line = pem.lines().nth(5).unwrap().to_owned();
    let truncated: String =
        pem.lines().take(6).collect::<Vec<_>>().join("\n") + "\n-----END RSA PRIVATE KEY-----\n";
    for garbage in [
        "",
        "hello",
        "-----BEGIN RSA PRIVATE KEY-----\n!!!!\n-----END RSA PRIVATE KEY-----\n",
        truncated.as_str(),
    ] {
        let err = PrivateKey::from_pem(garbage).unwrap_err();
        assert!(
            matches!(err, KeyError::Malformed { .. }),
            "{garbage:?}: {err:?}"
        );
        assert!(!err.to_string().contains(&body_line));
    }
}

#[test]
fn debug_of_keys_and_credentials_is_redacted() {
    let pem = fixture_text("keys/app-pkcs1.pem");
    let body_line = pem.lines().nth(3).unwrap();
    let key = PrivateKey::from_pem(&pem).unwrap();
    let app = AppCredentials::new("my-app", key.clone());
    let bot = BotCredentials::new("my-bot", key.clone());
    for text in [format!("{key:?}"), format!("{app:?}"), format!("{bot:#?}")] {
        assert!(!text.contains(body_line), "{text}");
        assert!(text.contains("REDACTED"), "{text}");
    }
}

struct TempFile(std::path::PathBuf);

impl TempFile {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn tempfile_with(bytes: &[u8]) -> TempFile {
    let path = std::env::temp_dir().join(format!(
        "symphony-presence-key-{}-{}.pem",
        std::process::id(),
        bytes.len()
    ));
    std::fs::write(&path, bytes).unwrap();
    TempFile(path)
}

/// The `[[package]]` entries of the workspace's Cargo.lock, as (name, dependency names).
fn locked_packages() -> Vec<(String, Vec<String>)> {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock"))
        .expect("the workspace's Cargo.lock");
    lock.split("[[package]]")
        .skip(1)
        .map(|entry| {
            let name = entry
                .lines()
                .find_map(|l| l.strip_prefix("name = "))
                .unwrap_or_default()
                .trim_matches('"')
                .to_owned();
            let dependencies = entry
                .split_once("dependencies = [")
                .map(|(_, rest)| rest.split(']').next().unwrap_or_default())
                .unwrap_or_default()
                .split(',')
                // "base64 0.23.1" names base64.
                .filter_map(|d| d.trim().trim_matches('"').split(' ').next())
                .filter(|d| !d.is_empty())
                .map(str::to_owned)
                .collect();
            (name, dependencies)
        })
        .collect()
}

#[test]
fn rsa_signing_uses_aws_lc_rs_and_the_rsa_crate_is_never_built() {
    let packages = locked_packages();
    assert!(packages.len() > 100, "the lock file was read");
    // RUSTSEC-2023-0071 (the Marvin timing attack) affects every release of `rsa`.
    assert!(
        !packages.iter().any(|(name, _)| name == "rsa"),
        "the rsa crate is in Cargo.lock"
    );
    let dependencies_of = |name: &str| {
        packages
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d.clone())
            .unwrap_or_else(|| panic!("{name} is not in Cargo.lock"))
    };
    // The SDK loads and checks keys with aws-lc-rs, and jsonwebtoken signs with it (its
    // constant-time RSA), not with a RustCrypto backend.
    for user in ["symphony-presence", "jsonwebtoken"] {
        assert!(
            dependencies_of(user).iter().any(|d| d == "aws-lc-rs"),
            "{user} does not use aws-lc-rs"
        );
    }
}
