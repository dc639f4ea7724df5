//! Reading: a walk over saphyr's YAML tree, key by key, so that every error and warning can
//! name the key's full path and its line and column.
//!
//! Scalars are loaded unparsed (`early_parse(false)`): a string is taken exactly as written,
//! `${NAME}` is substituted before a number is parsed (so `port: ${POD_PORT}` works, as in the
//! Java BDK), and a number written in quotes is accepted where a number is expected, as
//! Jackson and Python do.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use saphyr::{AnnotatedMapping, MarkedYaml, Marker, ScalarStyle, ScanError, YamlData, YamlLoader};
use secrecy::SecretString;

use super::vars::{SubstError, substitute};
use super::{
    AppConfig, BotConfig, CertificateConfig, Config, ConfigError, Endpoint, KeySource, Location,
    ProxyConfig, RetryConfig,
};

/// Top-level keys the BDKs define that Presence does not use: accepted without a warning,
/// and not looked into.
const UNUSED_SECTIONS: &[&str] = &[
    "_version",
    "agent",
    "keyManager",
    "datafeed",
    "datahose",
    "commonJwt",
    "extensions",
    "manifest",
];

type Node<'i> = MarkedYaml<'i>;

/// The entries of a mapping: key text, key node (for warnings), value node.
type Entries<'n, 'i> = Vec<(&'n str, &'n Node<'i>, &'n Node<'i>)>;

pub(super) fn read(
    text: &str,
    file: Option<&Path>,
    vars: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, ConfigError> {
    let reader = Reader { file, vars };
    let mut loader = YamlLoader::<Node<'_>>::default();
    loader.early_parse(false);
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    parser
        .load(&mut loader, true)
        .map_err(|e| reader.syntax(&e))?;
    if let Some(e) = loader.error() {
        return Err(reader.syntax(e));
    }
    let documents = loader.into_documents();
    if let Some(second) = documents.get(1) {
        return Err(ConfigError::Syntax {
            message: "more than one YAML document".into(),
            location: reader.at(&second.span.start),
        });
    }
    reader.root(documents.first())
}

struct Reader<'a> {
    file: Option<&'a Path>,
    vars: &'a dyn Fn(&str) -> Option<String>,
}

/// The server keys that the top level and each component share.
#[derive(Default)]
struct Server {
    scheme: Option<String>,
    host: Option<String>,
    port: Option<u16>,
    context: Option<String>,
    proxy: Option<ProxyConfig>,
    headers: Option<HeaderMap>,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
}

/// A value, and the key and place it came from, to report a conflict with another key.
struct Found<T> {
    value: T,
    key: String,
    location: Location,
}

/// What `bot` or `app` holds, before it is checked.
#[derive(Default)]
struct Credentials {
    id: Option<String>,
    key_path: Option<Found<PathBuf>>,
    key_content: Option<Found<SecretString>>,
    cert_path: Option<Found<PathBuf>>,
    cert_password: Option<Found<SecretString>>,
}

impl Reader<'_> {
    fn root(&self, root: Option<&Node<'_>>) -> Result<Config, ConfigError> {
        let mut top = Server::default();
        let (mut pod, mut session_auth) = (None, None);
        let (mut bot, mut app) = (None, None);
        let mut retry = RetryConfig::default();
        let mut trust_store_path = None;
        let entries = match root {
            Some(root) => self.entries(root, "(document)")?.unwrap_or_default(),
            None => Vec::new(),
        };
        for (name, name_node, value) in entries {
            match name {
                "pod" => pod = Some(self.component(value, name)?),
                "sessionAuth" => session_auth = Some(self.component(value, name)?),
                "bot" => {
                    bot = self.credentials(value, name, "username")?.map(
                        |(username, private_key, certificate)| BotConfig {
                            username,
                            private_key,
                            certificate,
                        },
                    );
                }
                "app" => {
                    app = self.credentials(value, name, "appId")?.map(
                        |(app_id, private_key, certificate)| AppConfig {
                            app_id,
                            private_key,
                            certificate,
                        },
                    );
                }
                "retry" => retry = self.retry(value, name)?,
                "ssl" => trust_store_path = self.ssl(value, name)?,
                _ if UNUSED_SECTIONS.contains(&name) => {}
                _ => {
                    if !self.server_key(&mut top, name, name, value)? {
                        self.unknown(name, name_node);
                    }
                }
            }
        }
        let pod = resolve(&top, pod.as_ref()).ok_or_else(|| ConfigError::Missing {
            key: "host".into(),
            location: None,
        })?;
        Ok(Config {
            pod,
            session_auth: resolve(&top, session_auth.as_ref()),
            bot,
            app,
            retry,
            trust_store_path,
        })
    }

    /// `pod` or `sessionAuth`.
    fn component(&self, node: &Node<'_>, key: &str) -> Result<Server, ConfigError> {
        let mut server = Server::default();
        for (name, name_node, value) in self.entries(node, key)?.unwrap_or_default() {
            let path = join(key, name);
            if !self.server_key(&mut server, name, &path, value)? {
                self.unknown(&path, name_node);
            }
        }
        Ok(server)
    }

    /// Reads `name` into `server` if it is one of the server keys; `false` if it is not.
    fn server_key(
        &self,
        server: &mut Server,
        name: &str,
        key: &str,
        value: &Node<'_>,
    ) -> Result<bool, ConfigError> {
        match name {
            "scheme" => server.scheme = self.scheme(value, key)?,
            "host" => server.host = self.host(value, key)?,
            "port" => server.port = self.port(value, key)?,
            "context" => server.context = self.string(value, key)?,
            "proxy" => server.proxy = self.proxy(value, key)?,
            "defaultHeaders" => server.headers = self.headers(value, key)?,
            "connectionTimeout" => server.connect_timeout = self.millis(value, key)?,
            "readTimeout" => server.read_timeout = self.millis(value, key)?,
            "connectionPoolMax" | "connectionPoolPerRoute" => {}
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn proxy(&self, node: &Node<'_>, key: &str) -> Result<Option<ProxyConfig>, ConfigError> {
        let Some(entries) = self.entries(node, key)? else {
            return Ok(None);
        };
        let (mut host, mut port, mut username, mut password) = (None, None, None, None);
        for (name, name_node, value) in entries {
            let path = join(key, name);
            match name {
                "host" => host = self.host(value, &path)?,
                "port" => port = self.port(value, &path)?,
                "username" => username = self.string(value, &path)?,
                "password" => password = self.secret(value, &path)?,
                _ => self.unknown(&path, name_node),
            }
        }
        let missing = |name: &str| ConfigError::Missing {
            key: join(key, name),
            location: Some(self.at(&node.span.start)),
        };
        let credentials = match (username, password) {
            (Some(username), Some(password)) => Some((username, password)),
            (None, None) => None,
            (Some(_), None) => return Err(missing("password")),
            (None, Some(_)) => return Err(missing("username")),
        };
        Ok(Some(ProxyConfig {
            host: host.ok_or_else(|| missing("host"))?,
            port: port.ok_or_else(|| missing("port"))?,
            credentials,
        }))
    }

    fn headers(&self, node: &Node<'_>, key: &str) -> Result<Option<HeaderMap>, ConfigError> {
        let Some(entries) = self.entries(node, key)? else {
            return Ok(None);
        };
        let mut headers = HeaderMap::new();
        for (name, name_node, value) in entries {
            let path = join(key, name);
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| self.invalid(name_node, &path, "a valid HTTP header name"))?;
            let text = self.string(value, &path)?.unwrap_or_default();
            let mut value = HeaderValue::try_from(text)
                .map_err(|_| self.invalid(value, &path, "a valid HTTP header value"))?;
            // A default header often carries a gateway key: never shown in `Debug`.
            value.set_sensitive(true);
            headers.append(name, value);
        }
        Ok(Some(headers))
    }

    /// `bot` or `app`: the id (`username` or `appId`), the private key and the certificate,
    /// nested (`privateKey.path`) or in the Java SDK's deprecated flat keys (`privateKeyPath`).
    #[allow(clippy::type_complexity)]
    fn credentials(
        &self,
        node: &Node<'_>,
        key: &str,
        id_name: &str,
    ) -> Result<Option<(String, Option<KeySource>, Option<CertificateConfig>)>, ConfigError> {
        let mut found = Credentials::default();
        for (name, name_node, value) in self.entries(node, key)?.unwrap_or_default() {
            let path = join(key, name);
            match name {
                _ if name == id_name => found.id = self.string(value, &path)?,
                "privateKey" => {
                    for (sub, sub_node, value) in self.entries(value, &path)?.unwrap_or_default() {
                        self.key_field(&mut found, sub, &join(&path, sub), sub_node, value)?;
                    }
                }
                "privateKeyPath" => self.key_field(&mut found, "path", &path, name_node, value)?,
                "privateKeyContent" => {
                    self.key_field(&mut found, "content", &path, name_node, value)?;
                }
                "certificate" => {
                    for (sub, sub_node, value) in self.entries(value, &path)?.unwrap_or_default() {
                        self.cert_field(&mut found, sub, &join(&path, sub), sub_node, value)?;
                    }
                }
                "certificatePath" => {
                    self.cert_field(&mut found, "path", &path, name_node, value)?
                }
                "certificatePassword" => {
                    self.cert_field(&mut found, "password", &path, name_node, value)?;
                }
                "certificateContent" => self.unsupported(&path, name_node),
                _ => self.unknown(&path, name_node),
            }
        }
        let private_key = match (found.key_path, found.key_content) {
            (Some(path), Some(content)) => return Err(conflict(content, &path)),
            (Some(path), None) => Some(KeySource::Path(path.value)),
            (None, Some(content)) => Some(KeySource::Content(content.value)),
            (None, None) => None,
        };
        let certificate = match (found.cert_path, found.cert_password) {
            (Some(path), password) => Some(CertificateConfig {
                path: path.value,
                password: password.map(|p| p.value),
            }),
            (None, Some(password)) => {
                return Err(ConfigError::Missing {
                    key: join(key, "certificate.path"),
                    location: Some(password.location),
                });
            }
            (None, None) => None,
        };
        match found.id {
            Some(id) => Ok(Some((id, private_key, certificate))),
            None if private_key.is_none() && certificate.is_none() => Ok(None),
            None => Err(ConfigError::Missing {
                key: join(key, id_name),
                location: Some(self.at(&node.span.start)),
            }),
        }
    }

    /// One key of `privateKey` (or its flat form): `path` or `content`.
    fn key_field(
        &self,
        found: &mut Credentials,
        name: &str,
        key: &str,
        name_node: &Node<'_>,
        value: &Node<'_>,
    ) -> Result<(), ConfigError> {
        match name {
            "path" => {
                let path = self.string(value, key)?.map(PathBuf::from);
                self.put(&mut found.key_path, path, key, value)
            }
            "content" => {
                let content = self.key_content(value, key)?;
                self.put(&mut found.key_content, content, key, value)
            }
            _ => {
                self.unknown(key, name_node);
                Ok(())
            }
        }
    }

    /// One key of `certificate` (or its flat form): `path` or `password`.
    fn cert_field(
        &self,
        found: &mut Credentials,
        name: &str,
        key: &str,
        name_node: &Node<'_>,
        value: &Node<'_>,
    ) -> Result<(), ConfigError> {
        match name {
            "path" => {
                let path = self.string(value, key)?.map(PathBuf::from);
                self.put(&mut found.cert_path, path, key, value)
            }
            "password" => {
                let password = self.secret(value, key)?;
                self.put(&mut found.cert_password, password, key, value)
            }
            "content" => {
                self.unsupported(key, name_node);
                Ok(())
            }
            _ => {
                self.unknown(key, name_node);
                Ok(())
            }
        }
    }

    /// A private key's `content`: PEM text (the Python SDK), or PEM in base64 (the Java SDK,
    /// whose loader decodes `byte[]` fields as base64).
    fn key_content(&self, node: &Node<'_>, key: &str) -> Result<Option<SecretString>, ConfigError> {
        let Some(text) = self.string(node, key)? else {
            return Ok(None);
        };
        if text.contains("-----BEGIN") {
            return Ok(Some(SecretString::from(text)));
        }
        let compact: String = text.split_whitespace().collect();
        base64::engine::general_purpose::STANDARD
            .decode(compact)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .filter(|pem| pem.contains("-----BEGIN"))
            .map(|pem| Some(SecretString::from(pem)))
            .ok_or_else(|| self.invalid(node, key, "a PEM private key, as text or in base64"))
    }

    /// `ssl`: only the trust store's path is used.
    fn ssl(&self, node: &Node<'_>, key: &str) -> Result<Option<PathBuf>, ConfigError> {
        let mut path = None;
        for (name, name_node, value) in self.entries(node, key)?.unwrap_or_default() {
            let key = join(key, name);
            match name {
                "trustStore" => {
                    for (sub, sub_node, value) in self.entries(value, &key)?.unwrap_or_default() {
                        let key = join(&key, sub);
                        match sub {
                            "path" => {
                                let value_path = self.string(value, &key)?.map(PathBuf::from);
                                self.put(&mut path, value_path, &key, value)?;
                            }
                            "password" => {}
                            "content" => self.unsupported(&key, sub_node),
                            _ => self.unknown(&key, sub_node),
                        }
                    }
                }
                "trustStorePath" => {
                    let value_path = self.string(value, &key)?.map(PathBuf::from);
                    self.put(&mut path, value_path, &key, value)?;
                }
                "trustStorePassword" => {}
                _ => self.unknown(&key, name_node),
            }
        }
        Ok(path.map(|p| p.value))
    }

    fn retry(&self, node: &Node<'_>, key: &str) -> Result<RetryConfig, ConfigError> {
        let mut retry = RetryConfig::default();
        for (name, name_node, value) in self.entries(node, key)?.unwrap_or_default() {
            let key = join(key, name);
            match name {
                "maxAttempts" => {
                    if let Some(n) = self.integer(value, &key)? {
                        retry.max_attempts = match u32::try_from(n) {
                            Ok(n) => Some(n),
                            Err(_) if n < 0 => None,
                            Err(_) => {
                                return Err(self.invalid(value, &key, "at most 4294967295"));
                            }
                        };
                    }
                }
                "initialIntervalMillis" => {
                    if let Some(interval) = self.millis(value, &key)? {
                        retry.initial_interval = interval;
                    }
                }
                "maxIntervalMillis" => {
                    if let Some(interval) = self.millis(value, &key)? {
                        retry.max_interval = interval;
                    }
                }
                "multiplier" => match self.float(value, &key)? {
                    Some(m) if m >= 1.0 => retry.multiplier = m,
                    Some(_) => tracing::warn!(
                        key = %key,
                        location = %self.at(&value.span.start),
                        "retry multiplier below 1 replaced by 2, as the Symphony SDKs do"
                    ),
                    None => {}
                },
                _ => self.unknown(&key, name_node),
            }
        }
        Ok(retry)
    }

    // Typed values.

    fn scheme(&self, node: &Node<'_>, key: &str) -> Result<Option<String>, ConfigError> {
        let Some(scheme) = self.string(node, key)? else {
            return Ok(None);
        };
        let scheme = scheme.to_ascii_lowercase();
        if scheme == "https" || scheme == "http" {
            Ok(Some(scheme))
        } else {
            Err(self.invalid(node, key, "`https` or `http`"))
        }
    }

    fn host(&self, node: &Node<'_>, key: &str) -> Result<Option<String>, ConfigError> {
        let Some(host) = self.string(node, key)? else {
            return Ok(None);
        };
        let bracketed = host.starts_with('[') && host.ends_with(']');
        let forbidden =
            |c: char| c.is_whitespace() || "/?#@\\".contains(c) || (c == ':' && !bracketed);
        if host.contains(forbidden) {
            return Err(self.invalid(node, key, "a host name, without scheme, port or path"));
        }
        Ok(Some(host))
    }

    fn port(&self, node: &Node<'_>, key: &str) -> Result<Option<u16>, ConfigError> {
        let Some(port) = self.integer(node, key)? else {
            return Ok(None);
        };
        match u16::try_from(port) {
            Ok(port) if port != 0 => Ok(Some(port)),
            _ => Err(self.invalid(node, key, "a port from 1 to 65535")),
        }
    }

    fn millis(&self, node: &Node<'_>, key: &str) -> Result<Option<Duration>, ConfigError> {
        let Some(millis) = self.integer(node, key)? else {
            return Ok(None);
        };
        u64::try_from(millis)
            .map(|millis| Some(Duration::from_millis(millis)))
            .map_err(|_| self.invalid(node, key, "a number of milliseconds, 0 or more"))
    }

    fn integer(&self, node: &Node<'_>, key: &str) -> Result<Option<i64>, ConfigError> {
        let Some(text) = self.text(node, key, "an integer")? else {
            return Ok(None);
        };
        text.trim()
            .parse()
            .map(Some)
            .map_err(|_| self.wrong_type_of_text(node, key, "an integer", &text))
    }

    fn float(&self, node: &Node<'_>, key: &str) -> Result<Option<f64>, ConfigError> {
        let Some(text) = self.text(node, key, "a number")? else {
            return Ok(None);
        };
        match text.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Some(x)),
            Ok(_) => Err(self.invalid(node, key, "a finite number")),
            Err(_) => Err(self.wrong_type_of_text(node, key, "a number", &text)),
        }
    }

    fn secret(&self, node: &Node<'_>, key: &str) -> Result<Option<SecretString>, ConfigError> {
        Ok(self.string(node, key)?.map(SecretString::from))
    }

    fn string(&self, node: &Node<'_>, key: &str) -> Result<Option<String>, ConfigError> {
        self.text(node, key, "a string")
    }

    /// A scalar's text with `${NAME}` substituted; `None` for null or empty.
    fn text(
        &self,
        node: &Node<'_>,
        key: &str,
        expected: &'static str,
    ) -> Result<Option<String>, ConfigError> {
        let raw = match shape(node) {
            Shape::Null => return Ok(None),
            Shape::Scalar(raw) => raw,
            Shape::Mapping(_) | Shape::Sequence => {
                return Err(self.wrong_type(node, key, expected, describe(node)));
            }
        };
        let text = substitute(raw, self.vars).map_err(|e| match e {
            SubstError::Unset(variable) => ConfigError::UnsetVariable {
                key: key.to_owned(),
                variable,
                location: self.at(&node.span.start),
            },
            SubstError::Malformed => ConfigError::MalformedPlaceholder {
                key: key.to_owned(),
                location: self.at(&node.span.start),
            },
        })?;
        Ok((!text.is_empty()).then(|| text.into_owned()))
    }

    /// A mapping's entries; `None` for null.
    fn entries<'n, 'i>(
        &self,
        node: &'n Node<'i>,
        key: &str,
    ) -> Result<Option<Entries<'n, 'i>>, ConfigError> {
        match shape(node) {
            Shape::Null => Ok(None),
            Shape::Mapping(mapping) => Ok(Some(
                mapping
                    .iter()
                    .map(|(k, v)| {
                        let name = match shape(k) {
                            Shape::Scalar(name) => name,
                            _ => "?",
                        };
                        (name, k, v)
                    })
                    .collect(),
            )),
            Shape::Scalar(_) | Shape::Sequence => {
                Err(self.wrong_type(node, key, "a mapping", describe(node)))
            }
        }
    }

    // Reporting.

    fn put<T>(
        &self,
        slot: &mut Option<Found<T>>,
        value: Option<T>,
        key: &str,
        node: &Node<'_>,
    ) -> Result<(), ConfigError> {
        let Some(value) = value else {
            return Ok(());
        };
        let found = Found {
            value,
            key: key.to_owned(),
            location: self.at(&node.span.start),
        };
        match slot {
            Some(previous) => Err(conflict(found, previous)),
            None => {
                *slot = Some(found);
                Ok(())
            }
        }
    }

    fn unknown(&self, key: &str, node: &Node<'_>) {
        tracing::warn!(
            key = %key,
            location = %self.at(&node.span.start),
            "unknown configuration key ignored"
        );
    }

    fn unsupported(&self, key: &str, node: &Node<'_>) {
        tracing::warn!(
            key = %key,
            location = %self.at(&node.span.start),
            "configuration key not supported by this SDK, ignored"
        );
    }

    fn wrong_type(
        &self,
        node: &Node<'_>,
        key: &str,
        expected: &'static str,
        found: &'static str,
    ) -> ConfigError {
        ConfigError::WrongType {
            key: key.to_owned(),
            expected,
            found,
            location: self.at(&node.span.start),
        }
    }

    fn wrong_type_of_text(
        &self,
        node: &Node<'_>,
        key: &str,
        expected: &'static str,
        text: &str,
    ) -> ConfigError {
        self.wrong_type(node, key, expected, describe_text(text))
    }

    fn invalid(&self, node: &Node<'_>, key: &str, expected: &'static str) -> ConfigError {
        ConfigError::InvalidValue {
            key: key.to_owned(),
            expected,
            location: self.at(&node.span.start),
        }
    }

    fn syntax(&self, error: &ScanError) -> ConfigError {
        ConfigError::Syntax {
            message: error.info().to_owned(),
            location: self.at(error.marker()),
        }
    }

    fn at(&self, marker: &Marker) -> Location {
        Location {
            file: self.file.map(Path::to_path_buf),
            line: marker.line(),
            column: marker.col() + 1,
        }
    }
}

/// Applies a component's keys over the top level's; `None` when neither has a host.
fn resolve(top: &Server, own: Option<&Server>) -> Option<Endpoint> {
    fn pick<'s, T>(
        top: &'s Server,
        own: Option<&'s Server>,
        field: impl Fn(&'s Server) -> &'s Option<T>,
    ) -> Option<&'s T> {
        own.and_then(|own| field(own).as_ref())
            .or(field(top).as_ref())
    }
    let context = pick(top, own, |s| &s.context).map_or("", |c| c.trim_matches('/'));
    Some(Endpoint {
        host: pick(top, own, |s| &s.host)?.clone(),
        scheme: pick(top, own, |s| &s.scheme)
            .map_or("https", |s| s)
            .to_owned(),
        port: pick(top, own, |s| &s.port).copied().unwrap_or(443),
        context: if context.is_empty() {
            String::new()
        } else {
            format!("/{context}")
        },
        proxy: pick(top, own, |s| &s.proxy).cloned(),
        default_headers: pick(top, own, |s| &s.headers).cloned().unwrap_or_default(),
        connect_timeout: pick(top, own, |s| &s.connect_timeout).copied(),
        read_timeout: pick(top, own, |s| &s.read_timeout).copied(),
    })
}

fn conflict<T, U>(second: Found<T>, first: &Found<U>) -> ConfigError {
    ConfigError::Conflict {
        key: second.key,
        other: first.key.clone(),
        location: second.location,
    }
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

enum Shape<'n, 'i> {
    Null,
    Scalar(&'n str),
    Mapping(&'n AnnotatedMapping<'i, Node<'i>>),
    Sequence,
}

/// A node's shape, looking through tags. Only a plain `~`, `null` or nothing is null: a
/// quoted `"null"` is a string.
fn shape<'n, 'i>(node: &'n Node<'i>) -> Shape<'n, 'i> {
    match &node.data {
        YamlData::Representation(text, style, _) => {
            let null = matches!(text.as_ref(), "" | "~" | "null" | "Null" | "NULL");
            if *style == ScalarStyle::Plain && null {
                Shape::Null
            } else {
                Shape::Scalar(text)
            }
        }
        YamlData::Mapping(mapping) => Shape::Mapping(mapping),
        YamlData::Sequence(_) => Shape::Sequence,
        YamlData::Tagged(_, inner) => shape(inner),
        // Not produced without early parsing; aliases are resolved by the loader.
        YamlData::Value(_) | YamlData::Alias(_) | YamlData::BadValue => Shape::Null,
    }
}

/// What a node is, for an error: never its value.
fn describe(node: &Node<'_>) -> &'static str {
    match shape(node) {
        Shape::Null => "nothing",
        Shape::Scalar(text) => describe_text(text),
        Shape::Mapping(_) => "a mapping",
        Shape::Sequence => "a list",
    }
}

fn describe_text(text: &str) -> &'static str {
    let text = text.trim();
    if text.parse::<i64>().is_ok() {
        "an integer"
    } else if text.parse::<f64>().is_ok() {
        "a number"
    } else if matches!(text, "true" | "True" | "TRUE" | "false" | "False" | "FALSE") {
        "a boolean"
    } else {
        "a string"
    }
}
