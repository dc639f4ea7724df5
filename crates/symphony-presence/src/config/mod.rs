//! [`Config`]: the configuration file of Symphony's Java and Python SDKs (BDK 2.0), read into
//! typed, resolved values. [`Config`] and [`ConfigError`] are also at the crate root; the format
//! and an example are on [`Config`].

mod apply;
mod error;
mod read;
mod vars;

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::header::HeaderMap;
use secrecy::SecretString;

pub use error::{ConfigError, Location};

/// The Symphony SDKs' configuration, resolved: every per-component override applied, every
/// default filled in, every `${NAME}` substituted.
///
/// `Debug` shows no password and no key content.
///
/// The file is YAML or JSON. What is read:
///
/// | key | meaning |
/// |---|---|
/// | `scheme`, `host`, `port`, `context` | the server (defaults `https`, none, `443`, none) |
/// | `proxy` {`host`, `port`, `username`, `password`} | an HTTP proxy |
/// | `defaultHeaders` | headers sent with every request |
/// | `connectionTimeout`, `readTimeout` | in milliseconds |
/// | `pod`, `sessionAuth` | the same keys, each overriding the top level for that component |
/// | `bot` {`username`, `privateKey` {`path` \| `content`}, `certificate` {`path`, `password`}} | the service account |
/// | `app` {`appId`, `privateKey`, `certificate`} | the extension app, for on-behalf-of sessions |
/// | `retry` {`maxAttempts`, `initialIntervalMillis`, `multiplier`, `maxIntervalMillis`} | defaults 10, 500, 2, 300000 |
/// | `ssl.trustStore.path` | a PEM file of CA certificates |
///
/// Keys that the BDKs define but Presence does not use (`agent`, `keyManager`, `datafeed`,
/// `datahose`, `commonJwt`, connection pool sizes...) are accepted silently. Any other key is
/// ignored with one `tracing` warning naming its full path, such as `pod.hots`.
///
/// A string value may refer to environment variables as in the Java BDK: `${NAME}`,
/// `${NAME:-default}` (when `NAME` is not set), and `$${NAME}` for the literal text. An unset
/// variable without a default is an error naming the variable and the key.
///
/// ```
/// use std::time::Duration;
/// use symphony_presence::Config;
/// use symphony_presence::config::KeySource;
///
/// let config = Config::from_yaml_str(
///     r#"
/// host: acme.symphony.com
/// sessionAuth:
///   host: acme-api.symphony.com
///   port: 8444
/// bot:
///   username: presence-bot
///   privateKey:
///     path: /etc/symphony/presence-bot.pem
/// retry:
///   maxAttempts: 4
/// "#,
/// )?;
///
/// assert_eq!(config.pod_url(), "https://acme.symphony.com:443/pod");
/// assert_eq!(config.login_url(), "https://acme.symphony.com:443/login");
/// assert_eq!(
///     config.session_auth_url().as_deref(),
///     Some("https://acme-api.symphony.com:8444/sessionauth")
/// );
/// let bot = config.bot().expect("a bot is configured");
/// assert_eq!(bot.username(), "presence-bot");
/// assert!(matches!(bot.private_key(), Some(KeySource::Path(_))));
/// assert_eq!(config.retry().max_attempts(), Some(4));
/// assert_eq!(config.retry().initial_interval(), Duration::from_millis(500));
/// # Ok::<(), symphony_presence::ConfigError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Config {
    pod: Endpoint,
    session_auth: Option<Endpoint>,
    bot: Option<BotConfig>,
    app: Option<AppConfig>,
    retry: RetryConfig,
    trust_store_path: Option<PathBuf>,
}

impl Config {
    /// Reads a YAML or JSON configuration file, substituting `${NAME}` from the process
    /// environment.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Read`] when the file cannot be read; otherwise as
    /// [`from_yaml_str`](Self::from_yaml_str), with the file named in each [`Location`].
    pub fn from_file(path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        Config::from_file_with_vars(path, |name| std::env::var(name).ok())
    }

    /// Reads a YAML or JSON configuration file, looking `${NAME}` up with `vars`.
    ///
    /// # Errors
    ///
    /// As [`from_file`](Self::from_file).
    pub fn from_file_with_vars(
        path: impl AsRef<Path>,
        vars: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source: source.into(),
        })?;
        read::read(&text, Some(path), &vars)
    }

    /// Reads a configuration from `relative` under `.symphony` in the home directory, where the
    /// Java and Python SDKs' `loadFromSymphonyDir` look, substituting from the process
    /// environment.
    ///
    /// # Errors
    ///
    /// [`ConfigError::NoHomeDirectory`], or as [`from_file`](Self::from_file).
    pub fn from_symphony_dir(relative: impl AsRef<Path>) -> Result<Config, ConfigError> {
        let home = std::env::home_dir().ok_or(ConfigError::NoHomeDirectory)?;
        Config::from_file(home.join(".symphony").join(relative))
    }

    /// Reads a configuration from YAML or JSON text, substituting `${NAME}` from the process
    /// environment.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Syntax`] for text that is neither YAML nor JSON;
    /// [`ConfigError::WrongType`], [`ConfigError::InvalidValue`], [`ConfigError::Missing`] or
    /// [`ConfigError::Conflict`] naming the key; [`ConfigError::UnsetVariable`] or
    /// [`ConfigError::MalformedPlaceholder`] for a `${...}` that cannot be substituted.
    pub fn from_yaml_str(text: &str) -> Result<Config, ConfigError> {
        Config::from_yaml_str_with_vars(text, |name| std::env::var(name).ok())
    }

    /// Reads a configuration from YAML or JSON text, looking `${NAME}` up with `vars`.
    ///
    /// ```
    /// use symphony_presence::Config;
    ///
    /// let config = Config::from_yaml_str_with_vars(
    ///     r#"{"host": "${POD:-acme}.symphony.com"}"#,
    ///     |name| (name == "POD").then(|| "develop".to_owned()),
    /// )?;
    /// assert_eq!(config.pod().host(), "develop.symphony.com");
    /// # Ok::<(), symphony_presence::ConfigError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`from_yaml_str`](Self::from_yaml_str).
    pub fn from_yaml_str_with_vars(
        text: &str,
        vars: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        read::read(text, None, &vars)
    }

    /// The pod: `pod` over the top level.
    pub fn pod(&self) -> &Endpoint {
        &self.pod
    }

    /// The session authenticator (certificate authentication): `sessionAuth` over the top
    /// level, or `None` when neither names a host.
    pub fn session_auth(&self) -> Option<&Endpoint> {
        self.session_auth.as_ref()
    }

    /// The Pod API's base URL: the pod's base URL + `/pod`.
    pub fn pod_url(&self) -> String {
        self.pod.base_url() + "/pod"
    }

    /// The Login API's base URL (RSA authentication): the pod's base URL + `/login`.
    pub fn login_url(&self) -> String {
        self.pod.base_url() + "/login"
    }

    /// The session authenticator's base URL: the `sessionAuth` base URL + `/sessionauth`.
    pub fn session_auth_url(&self) -> Option<String> {
        self.session_auth
            .as_ref()
            .map(|s| s.base_url() + "/sessionauth")
    }

    /// The bot (service account), when `bot.username` is set.
    pub fn bot(&self) -> Option<&BotConfig> {
        self.bot.as_ref()
    }

    /// The extension app, when `app.appId` is set.
    pub fn app(&self) -> Option<&AppConfig> {
        self.app.as_ref()
    }

    /// The retry settings, with the BDKs' defaults for what is not set.
    pub fn retry(&self) -> &RetryConfig {
        &self.retry
    }

    /// `ssl.trustStore.path`: the CA certificates to trust. This SDK reads PEM only; the Java
    /// SDK's JKS and PKCS#12 trust stores must be converted.
    pub fn trust_store_path(&self) -> Option<&Path> {
        self.trust_store_path.as_deref()
    }
}

/// One server, with its overrides of the top level applied.
#[derive(Clone, Debug)]
pub struct Endpoint {
    scheme: String,
    host: String,
    port: u16,
    context: String,
    proxy: Option<ProxyConfig>,
    default_headers: HeaderMap,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
}

impl Endpoint {
    /// `http` or `https` (default).
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The host name.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port (default 443, whatever the scheme, as in the BDKs).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The context path, empty or with one leading `/` and no trailing `/`.
    pub fn context(&self) -> &str {
        &self.context
    }

    /// `scheme://host:port` followed by the context path, as the BDKs build it.
    pub fn base_url(&self) -> String {
        format!(
            "{}://{}:{}{}",
            self.scheme, self.host, self.port, self.context
        )
    }

    /// The proxy to go through, if any.
    pub fn proxy(&self) -> Option<&ProxyConfig> {
        self.proxy.as_ref()
    }

    /// `defaultHeaders`: headers to send with every request.
    pub fn default_headers(&self) -> &HeaderMap {
        &self.default_headers
    }

    /// `connectionTimeout`: the longest wait for a connection.
    pub fn connect_timeout(&self) -> Option<Duration> {
        self.connect_timeout
    }

    /// `readTimeout`: the longest wait for a response's data.
    pub fn read_timeout(&self) -> Option<Duration> {
        self.read_timeout
    }
}

/// An HTTP proxy. `Debug` hides the password.
#[derive(Clone, Debug)]
pub struct ProxyConfig {
    host: String,
    port: u16,
    credentials: Option<(String, SecretString)>,
}

impl ProxyConfig {
    /// The proxy's host.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The proxy's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://host:port`, without credentials, as the Python BDK builds it.
    pub fn url(&self) -> String {
        format!("http://{}:{}", self.host, self.port)
    }

    /// The user name for the proxy's basic authentication.
    pub fn username(&self) -> Option<&str> {
        self.credentials.as_ref().map(|(user, _)| user.as_str())
    }

    /// The password for the proxy's basic authentication.
    pub fn password(&self) -> Option<&SecretString> {
        self.credentials.as_ref().map(|(_, password)| password)
    }
}

/// Where a private key comes from. `Debug` hides the content.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum KeySource {
    /// `path`: a PEM file, relative to the working directory as in the BDKs.
    Path(PathBuf),
    /// `content`: the PEM text itself (written as PEM, as the Python SDK takes it, or
    /// base64-encoded, as the Java SDK's loader decodes it).
    Content(SecretString),
}

/// A client certificate for certificate authentication. `Debug` hides the password.
#[derive(Clone, Debug)]
pub struct CertificateConfig {
    path: PathBuf,
    password: Option<SecretString>,
}

impl CertificateConfig {
    /// `certificate.path`: a PKCS#12 file (Java SDK) or a PEM file of certificate and key
    /// (Python SDK).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `certificate.password`, for a PKCS#12 file.
    pub fn password(&self) -> Option<&SecretString> {
        self.password.as_ref()
    }
}

/// The bot (service account).
#[derive(Clone, Debug)]
pub struct BotConfig {
    username: String,
    private_key: Option<KeySource>,
    certificate: Option<CertificateConfig>,
}

impl BotConfig {
    /// `bot.username`.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// `bot.privateKey`, for RSA authentication.
    pub fn private_key(&self) -> Option<&KeySource> {
        self.private_key.as_ref()
    }

    /// `bot.certificate`, for certificate authentication.
    pub fn certificate(&self) -> Option<&CertificateConfig> {
        self.certificate.as_ref()
    }
}

/// The extension app, which opens on-behalf-of (OBO) sessions.
#[derive(Clone, Debug)]
pub struct AppConfig {
    app_id: String,
    private_key: Option<KeySource>,
    certificate: Option<CertificateConfig>,
}

impl AppConfig {
    /// `app.appId`.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// `app.privateKey`, for RSA authentication.
    pub fn private_key(&self) -> Option<&KeySource> {
        self.private_key.as_ref()
    }

    /// `app.certificate`, for certificate authentication.
    pub fn certificate(&self) -> Option<&CertificateConfig> {
        self.certificate.as_ref()
    }
}

/// The BDKs' `retry` settings: exponential backoff from `initial_interval`, multiplied by
/// `multiplier` after each attempt, capped at `max_interval`.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryConfig {
    max_attempts: Option<u32>,
    initial_interval: Duration,
    multiplier: f64,
    max_interval: Duration,
}

impl Default for RetryConfig {
    /// The BDKs' defaults: 10 attempts, 500 ms, multiplier 2, at most 5 minutes.
    fn default() -> Self {
        RetryConfig {
            max_attempts: Some(10),
            initial_interval: Duration::from_millis(500),
            multiplier: 2.0,
            max_interval: Duration::from_millis(300_000),
        }
    }
}

impl RetryConfig {
    /// `maxAttempts` (default 10); `None` when it is negative, which the BDKs take as no limit.
    pub fn max_attempts(&self) -> Option<u32> {
        self.max_attempts
    }

    /// `initialIntervalMillis` (default 500 ms).
    pub fn initial_interval(&self) -> Duration {
        self.initial_interval
    }

    /// `multiplier` (default 2; a value below 1 is replaced by 2, as in the BDKs).
    pub fn multiplier(&self) -> f64 {
        self.multiplier
    }

    /// `maxIntervalMillis` (default 300000 ms).
    pub fn max_interval(&self) -> Duration {
        self.max_interval
    }
}
