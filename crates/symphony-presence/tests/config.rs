//! Reading the Symphony SDKs' configuration file: the SDKs' documented examples, `${NAME}`
//! substitution, and the errors and warnings for a missing file, a wrong type and an unknown key.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrecy::ExposeSecret;
use symphony_presence::config::KeySource;
use symphony_presence::{Config, ConfigError};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(name)
}

/// No environment variable is set: tests never read or change the process environment.
fn no_vars(_: &str) -> Option<String> {
    None
}

fn load(name: &str) -> Config {
    Config::from_file_with_vars(fixture(name), no_vars).expect(name)
}

fn yaml(text: &str) -> Result<Config, ConfigError> {
    Config::from_yaml_str_with_vars(text, no_vars)
}

/// Runs `f` with a subscriber that records every event, and returns what it printed.
fn logs_of<T>(f: impl FnOnce() -> T) -> (T, String) {
    #[derive(Clone)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Buffer(Arc::default());
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .finish();
    let out = tracing::subscriber::with_default(subscriber, f);
    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    (out, logs)
}

fn header<'c>(config: &'c Config, name: &str) -> Option<&'c str> {
    config
        .pod()
        .default_headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
}

#[test]
fn java_minimal_example_reads() {
    let config = load("java-minimal.yaml");
    assert_eq!(config.pod_url(), "https://acme.symphony.com:443/pod");
    assert_eq!(config.login_url(), "https://acme.symphony.com:443/login");
    assert_eq!(
        config.session_auth_url().as_deref(),
        Some("https://acme.symphony.com:443/sessionauth")
    );
    let bot = config.bot().unwrap();
    assert_eq!(bot.username(), "bot-username");
    assert!(
        matches!(bot.private_key(), Some(KeySource::Path(p)) if p == Path::new("/path/to/bot/rsa-private-key.pem"))
    );
    assert!(config.app().is_none());
    assert_eq!(config.retry().max_attempts(), Some(10));
    assert_eq!(
        config.retry().initial_interval(),
        Duration::from_millis(500)
    );
    assert_eq!(config.retry().multiplier(), 2.0);
    assert_eq!(config.retry().max_interval(), Duration::from_secs(300));
}

#[test]
fn java_full_example_applies_each_override_without_warnings() {
    let (config, logs) = logs_of(|| load("java-full.yaml"));
    assert_eq!(logs, "", "the documented example has no unknown key");

    let pod = config.pod();
    assert_eq!(config.pod_url(), "https://dev.symphony.com:443/pod");
    assert_eq!(pod.connect_timeout(), Some(Duration::from_millis(15000)));
    assert_eq!(pod.read_timeout(), Some(Duration::from_millis(60000)));
    assert_eq!(header(&config, "Keep-Alive"), Some("timeout=5, max=1000"));
    let proxy = pod.proxy().expect("the top-level proxy applies to the pod");
    assert_eq!(proxy.url(), "http://proxy.symphony.com:1234");
    assert_eq!(proxy.username(), Some("proxyuser"));
    assert_eq!(proxy.password().unwrap().expose_secret(), "proxypassword");
    assert_eq!(
        config.session_auth_url().as_deref(),
        Some("https://dev-session.symphony.com:8444/sessionauth")
    );

    let bot = config.bot().unwrap();
    assert_eq!(bot.username(), "bot-name");
    let certificate = bot.certificate().unwrap();
    assert_eq!(
        certificate.path(),
        Path::new("/path/to/bot-certificate.p12")
    );
    assert_eq!(certificate.password().unwrap().expose_secret(), "changeit");
    let app = config.app().unwrap();
    assert_eq!(app.app_id(), "app-id");
    assert!(
        matches!(app.private_key(), Some(KeySource::Path(p)) if p == Path::new("path/to/private-key.pem"))
    );
    assert_eq!(
        config.trust_store_path(),
        Some(Path::new("/path/to/all_symphony_certs_truststore"))
    );

    let retry = config.retry();
    assert_eq!(retry.max_attempts(), Some(6));
    assert_eq!(retry.initial_interval(), Duration::from_millis(2000));
    assert_eq!(retry.multiplier(), 1.5);
    assert_eq!(retry.max_interval(), Duration::from_millis(10000));
}

#[test]
fn agent_only_proxy_example_leaves_the_pod_without_proxy() {
    // The Python SDK's documentation has the same example.
    let (config, logs) = logs_of(|| load("java-agent-proxy.yaml"));
    assert_eq!(logs, "");
    assert!(config.pod().proxy().is_none());
    assert_eq!(config.pod_url(), "https://acme.symphony.com:443/pod");
}

#[test]
fn python_minimal_example_reads_bot_and_app() {
    let config = load("python-minimal.yaml");
    assert_eq!(config.pod_url(), "https://mypod.symphony.com:443/pod");
    assert_eq!(config.bot().unwrap().username(), "bot-username");
    let app = config.app().unwrap();
    assert_eq!(app.app_id(), "app-id");
    assert!(matches!(app.private_key(), Some(KeySource::Path(_))));
}

#[test]
fn python_full_example_reads_without_warnings() {
    let (config, logs) = logs_of(|| load("python-full.yaml"));
    assert_eq!(logs, "", "the documented example has no unknown key");
    assert_eq!(config.pod_url(), "https://dev.symphony.com:443/pod");
    assert_eq!(header(&config, "Connection"), Some("Keep-Alive"));
    assert_eq!(
        config.trust_store_path(),
        Some(Path::new("/path/to/truststore.pem"))
    );
    let certificate = config.app().unwrap().certificate().unwrap();
    assert_eq!(certificate.path(), Path::new("path/to/app-certificate.pem"));
    assert!(certificate.password().is_none());
    assert_eq!(config.retry().max_attempts(), Some(6));
}

#[test]
fn python_component_overrides_fall_back_key_by_key() {
    let config = load("python-global.yaml");
    // pod overrides host and port, and inherits the top-level context.
    assert_eq!(
        config.pod_url(),
        "https://diff-pod.symphony.com:8443/context/pod"
    );
    // sessionAuth overrides only the scheme.
    assert_eq!(
        config.session_auth_url().as_deref(),
        Some("http://devx1.symphony.com:8443/context/sessionauth")
    );
    assert_eq!(header(&config, "user-agent"), Some("custom-user-agent"));
}

#[test]
fn json_documented_example_reads() {
    let config = load("java-minimal.json");
    assert_eq!(config.pod().host(), "acme.symphony.com");
    assert_eq!(config.bot().unwrap().username(), "bot-username");
}

#[test]
fn json_with_tabs_and_numbers_reads() {
    let config = yaml("{\n\t\"host\": \"acme.symphony.com\",\n\t\"port\": 8443,\n\t\"retry\": {\"multiplier\": 1.5}\n}")
        .unwrap();
    assert_eq!(config.pod().port(), 8443);
    assert_eq!(config.retry().multiplier(), 1.5);
}

#[test]
fn documented_interpolation_example_substitutes_and_defaults() {
    let vars = |name: &str| (name == "HOME").then(|| "/home/presence".to_owned());
    let config = Config::from_file_with_vars(fixture("java-interpolation.json"), vars).unwrap();
    assert_eq!(config.pod().host(), "acme.symphony.com");
    assert!(matches!(
        config.bot().unwrap().private_key(),
        Some(KeySource::Path(p)) if p == Path::new("/home/presence/rsa-private-key.pem")
    ));
}

#[test]
fn variables_are_substituted_before_numbers_are_parsed() {
    let vars = |name: &str| match name {
        "SP_TEST_POD_PORT" => Some("8443".to_owned()),
        "SP_TEST_PROXY_PASSWORD" => Some("from-env".to_owned()),
        _ => None,
    };
    let config = Config::from_yaml_str_with_vars(
        "host: acme.symphony.com\nport: ${SP_TEST_POD_PORT}\nproxy:\n  host: proxy\n  port: '${SP_TEST_PROXY_PORT:-3128}'\n  username: u\n  password: \"${SP_TEST_PROXY_PASSWORD}\"\n",
        vars,
    )
    .unwrap();
    assert_eq!(config.pod().port(), 8443);
    let proxy = config.pod().proxy().unwrap();
    assert_eq!(proxy.port(), 3128);
    assert_eq!(proxy.password().unwrap().expose_secret(), "from-env");
}

#[test]
fn an_escaped_placeholder_stays_literal() {
    let config = yaml("host: acme.symphony.com\nbot:\n  username: $${NOT_A_VARIABLE}\n").unwrap();
    assert_eq!(config.bot().unwrap().username(), "${NOT_A_VARIABLE}");
}

#[test]
fn an_unset_variable_is_named_with_its_key() {
    let err =
        yaml("host: acme.symphony.com\nbot:\n  username: ${SP_TEST_UNSET_VARIABLE}\n").unwrap_err();
    match &err {
        ConfigError::UnsetVariable {
            key,
            variable,
            location,
        } => {
            assert_eq!(key, "bot.username");
            assert_eq!(variable, "SP_TEST_UNSET_VARIABLE");
            assert_eq!((location.line, location.column), (3, 13));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("SP_TEST_UNSET_VARIABLE"), "{err}");
}

#[test]
fn a_missing_file_is_named() {
    let path = fixture("no-such-config.yaml");
    let err = Config::from_file(&path).unwrap_err();
    match &err {
        ConfigError::Read { path: p, source } => {
            assert_eq!(p, &path);
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("no-such-config.yaml"), "{err}");
}

#[test]
fn a_wrong_type_names_the_key_path_file_line_and_column() {
    let path = fixture("wrong-type.yaml");
    let err = Config::from_file_with_vars(&path, no_vars).unwrap_err();
    match &err {
        ConfigError::WrongType {
            key,
            expected,
            found,
            location,
        } => {
            assert_eq!(key, "pod.port");
            assert_eq!(*expected, "an integer");
            assert_eq!(*found, "a string");
            assert_eq!(location.file.as_deref(), Some(path.as_path()));
            assert_eq!((location.line, location.column), (3, 9));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("`pod.port`"), "{err}");
    assert!(err.to_string().contains("wrong-type.yaml:3:9"), "{err}");
}

#[test]
fn a_scalar_where_a_section_belongs_is_a_wrong_type() {
    match yaml("host: acme.symphony.com\nbot: 5\n").unwrap_err() {
        ConfigError::WrongType {
            key,
            expected,
            found,
            ..
        } => {
            assert_eq!(key, "bot");
            assert_eq!(expected, "a mapping");
            assert_eq!(found, "an integer");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn out_of_range_and_malformed_values_are_refused() {
    for (text, path) in [
        ("host: acme.symphony.com\nport: 70000\n", "port"),
        ("host: https://acme.symphony.com\n", "host"),
        (
            "host: acme.symphony.com\nsessionAuth:\n  scheme: ftp\n",
            "sessionAuth.scheme",
        ),
        (
            "host: acme.symphony.com\nretry:\n  maxIntervalMillis: -1\n",
            "retry.maxIntervalMillis",
        ),
        (
            "host: a\ndefaultHeaders:\n  \"bad header\": x\n",
            "defaultHeaders.bad header",
        ),
    ] {
        match yaml(text).unwrap_err() {
            ConfigError::InvalidValue { key, .. } => assert_eq!(key, path, "{text}"),
            other => panic!("{text}: unexpected {other:?}"),
        }
    }
}

#[test]
fn unknown_keys_warn_once_each_with_their_full_path() {
    let text = "host: acme.symphony.com\npod:\n  hots: typo.symphony.com\nbot:\n  username: b\n  privateKey:\n    pth: /k.pem\nfancy: 1\n\
                datafeed:\n  version: v2\nagent:\n  loadBalancing:\n    mode: roundRobin\n_version: '2.0'\n";
    let (config, logs) = logs_of(|| yaml(text).unwrap());
    assert_eq!(config.pod().host(), "acme.symphony.com");
    let warnings: Vec<&str> = logs.lines().collect();
    assert_eq!(warnings.len(), 3, "{logs}");
    assert!(
        warnings[0].contains("WARN") && warnings[0].contains("key=pod.hots"),
        "{logs}"
    );
    assert!(warnings[0].contains("line 3, column 3"), "{logs}");
    assert!(warnings[1].contains("key=bot.privateKey.pth"), "{logs}");
    assert!(warnings[2].contains("key=fancy"), "{logs}");
}

#[test]
fn the_pod_host_is_required() {
    match yaml("bot:\n  username: b\n").unwrap_err() {
        ConfigError::Missing { key, .. } => assert_eq!(key, "host"),
        other => panic!("unexpected {other:?}"),
    }
    let config = yaml("pod:\n  host: acme.symphony.com\n").unwrap();
    assert!(config.session_auth().is_none(), "no host for sessionAuth");
}

#[test]
fn text_that_is_neither_yaml_nor_json_is_a_syntax_error() {
    match yaml("host: \"acme.symphony.com\nbot: [\n").unwrap_err() {
        ConfigError::Syntax { location, .. } => assert!(location.line >= 1),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn retry_follows_the_sdks_special_values() {
    let config = yaml("host: a\nretry:\n  maxAttempts: -1\n  multiplier: 0.5\n").unwrap();
    assert_eq!(
        config.retry().max_attempts(),
        None,
        "negative means no limit"
    );
    assert_eq!(config.retry().multiplier(), 2.0, "below 1 is replaced by 2");
}

#[test]
fn private_key_content_is_pem_text_or_base64_and_excludes_a_path() {
    const PEM: &str = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n";
    let text = format!(
        "host: a\nbot:\n  username: b\n  privateKey:\n    content: |\n      {}\n",
        PEM.trim_end().replace('\n', "\n      ")
    );
    let config = yaml(&text).unwrap();
    let Some(KeySource::Content(content)) = config.bot().unwrap().private_key() else {
        panic!("content expected");
    };
    assert_eq!(content.expose_secret(), PEM);
    assert!(
        !format!("{config:?}").contains("MIIB"),
        "Debug shows no key"
    );

    // The Java SDK decodes `byte[]` fields from base64.
    let encoded =
        "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUIKLS0tLS1FTkQgUFJJVkFURSBLRVktLS0tLQo=";
    let config = yaml(&format!(
        "host: a\napp:\n  appId: x\n  privateKeyContent: {encoded}\n"
    ))
    .unwrap();
    let Some(KeySource::Content(content)) = config.app().unwrap().private_key() else {
        panic!("content expected");
    };
    assert_eq!(content.expose_secret(), PEM);

    match yaml("host: a\nbot:\n  username: b\n  privateKey:\n    content: not-a-key\n").unwrap_err()
    {
        ConfigError::InvalidValue { key, .. } => assert_eq!(key, "bot.privateKey.content"),
        other => panic!("unexpected {other:?}"),
    }
    let both = format!(
        "host: a\nbot:\n  username: b\n  privateKey:\n    path: /k.pem\n    content: {encoded}\n"
    );
    match yaml(&both).unwrap_err() {
        ConfigError::Conflict { key, other, .. } => {
            assert_eq!(key, "bot.privateKey.content");
            assert_eq!(other, "bot.privateKey.path");
        }
        other => panic!("unexpected {other:?}"),
    }
    match yaml(
        "host: a\nbot:\n  username: b\n  privateKeyPath: /a.pem\n  privateKey:\n    path: /b.pem\n",
    )
    .unwrap_err()
    {
        ConfigError::Conflict { key, other, .. } => {
            assert_eq!(key, "bot.privateKey.path");
            assert_eq!(other, "bot.privateKeyPath");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn secrets_never_appear_in_debug_or_errors() {
    let config = yaml(
        "host: a\nproxy:\n  host: proxy\n  port: 3128\n  username: user\n  password: hunter2-secret\n\
         bot:\n  username: b\n  certificate:\n    path: /c.p12\n    password: p12-secret\n\
         defaultHeaders:\n  X-Gateway-Key: gateway-key-secret\n",
    )
    .unwrap();
    let debug = format!("{config:?}");
    for secret in ["hunter2-secret", "p12-secret", "gateway-key-secret"] {
        assert!(!debug.contains(secret), "{debug}");
    }

    let proxy = config.pod().proxy().unwrap();
    assert_eq!(proxy.url(), "http://proxy:3128");
    let http = config.http_settings().unwrap();
    let debug = format!("{http:?}");
    assert!(!debug.contains("hunter2-secret"), "{debug}");
    assert!(
        !debug.contains("dXNlcjpodW50ZXIy"),
        "no base64 of the credentials: {debug}"
    );

    let err = yaml("host: a\nproxy:\n  host: proxy\n  port: hunter2-secret\n").unwrap_err();
    assert!(!err.to_string().contains("hunter2-secret"), "{err}");
    assert!(!format!("{err:?}").contains("hunter2-secret"), "{err:?}");
}
