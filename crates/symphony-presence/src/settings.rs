//! [`HttpSettings`]: the one transport behind every client and session, with its documented
//! defaults.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

use crate::error::Error;
use crate::retry::RetryPolicy;
use crate::transport::Transport;

/// The `User-Agent` sent by default: `symphony-presence-rs/<version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("symphony-presence-rs/", env!("CARGO_PKG_VERSION"));

/// How every request is sent, login and pod alike: proxy, extra root certificates, default
/// headers, timeouts and the retry policy.
///
/// Clients and sessions built from the same settings, or from clones of them, share one
/// connection pool; every [`PresenceClient`](crate::PresenceClient) that an
/// [`AppClient`](crate::AppClient) hands out does too. Changing a setting makes a new
/// transport: clones taken before the change keep the old one.
///
/// Redirects are never followed: a redirect could carry the `sessionToken` header to another
/// host. A proxy is used only when set with [`proxy`](Self::proxy); the environment's proxy
/// variables are ignored, for the same reason. `Debug` shows no proxy credentials.
///
/// ```
/// use std::time::Duration;
/// use symphony_presence::{HttpSettings, RetryPolicy};
///
/// let settings = HttpSettings::default()
///     .proxy("http://proxy.acme.com:3128")?
///     .proxy_credentials("svc-presence", "s3cret")
///     .default_header("x-gateway-key", "k")?
///     .timeout(Duration::from_secs(10))
///     .retry_policy(RetryPolicy::default().max_attempts(3));
/// assert!(!format!("{settings:?}").contains("s3cret"));
/// # Ok::<(), symphony_presence::Error>(())
/// ```
#[derive(Clone)]
pub struct HttpSettings {
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) user_agent: HeaderValue,
    pub(crate) default_headers: HeaderMap,
    pub(crate) proxy: Option<reqwest::Url>,
    pub(crate) proxy_credentials: Option<(String, SecretString)>,
    pub(crate) root_certificates: Vec<reqwest::Certificate>,
    pub(crate) max_response_bytes: usize,
    pub(crate) deadline: Duration,
    pub(crate) allow_insecure_http: bool,
    /// Built on first use, and shared by every clone made after the last change.
    transport: Arc<OnceLock<Arc<Transport>>>,
}

impl Default for HttpSettings {
    /// Connect timeout 10 s; timeout per attempt 30 s; deadline per call 60 s;
    /// [`RetryPolicy::default`]; User-Agent [`DEFAULT_USER_AGENT`]; no extra headers; no proxy;
    /// the system's root certificates only; responses capped at 8 MiB; credentials only over
    /// TLS, except to this machine.
    fn default() -> Self {
        HttpSettings {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            user_agent: HeaderValue::from_static(DEFAULT_USER_AGENT),
            default_headers: HeaderMap::new(),
            proxy: None,
            proxy_credentials: None,
            root_certificates: Vec::new(),
            max_response_bytes: 8 * 1024 * 1024,
            deadline: Duration::from_secs(60),
            allow_insecure_http: false,
            transport: Arc::default(),
        }
    }
}

impl fmt::Debug for HttpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpSettings")
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .field(
                "default_headers",
                &self.default_headers.keys().collect::<Vec<_>>(),
            )
            .field("proxy", &self.proxy.as_ref().map(reqwest::Url::as_str))
            .field(
                "proxy_credentials",
                &self.proxy_credentials.as_ref().map(|_| "[REDACTED]"),
            )
            .field("root_certificates", &self.root_certificates.len())
            .field("max_response_bytes", &self.max_response_bytes)
            .field("deadline", &self.deadline)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

impl HttpSettings {
    /// The longest wait for a connection to be made.
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        self.changed(|s| s.connect_timeout = timeout)
    }

    /// The longest one attempt may take, from connecting to the end of the body. A call can be
    /// given its own with [`Request::timeout`](crate::Request::timeout).
    pub fn timeout(self, timeout: Duration) -> Self {
        self.changed(|s| s.timeout = timeout)
    }

    /// The longest a call may take in all: getting or refreshing its session (every
    /// authentication it needs, with their retries), every attempt and every wait between
    /// them. A call past it fails with [`Error::Timeout`]. A call can be given its own with
    /// [`Request::deadline`](crate::Request::deadline).
    pub fn deadline(self, deadline: Duration) -> Self {
        self.changed(|s| s.deadline = deadline)
    }

    /// Sends session tokens, JWTs and key-backed logins over plain `http://` to other machines
    /// too (default: refused, except to loopback addresses, when a client is built): for a
    /// trusted network or a TLS-terminating sidecar only.
    pub fn allow_insecure_http(self, allow: bool) -> Self {
        self.changed(|s| s.allow_insecure_http = allow)
    }

    /// The retry policy for every call. A call can be given its own with
    /// [`Request::retry`](crate::Request::retry).
    pub fn retry_policy(self, policy: RetryPolicy) -> Self {
        self.changed(|s| s.retry = policy)
    }

    /// The `User-Agent` header.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] if it is not a valid header value.
    pub fn user_agent(self, user_agent: &str) -> Result<Self, Error> {
        let value = HeaderValue::from_str(user_agent)
            .map_err(|_| Error::setup("the User-Agent is not a valid header value"))?;
        Ok(self.changed(|s| s.user_agent = value))
    }

    /// A header sent with every request, such as a key your API gateway expects.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an invalid name or value, or for `sessionToken` and
    /// `X-Trace-Id`, which are set per request. The message never repeats the value.
    pub fn default_header(self, name: &str, value: &str) -> Result<Self, Error> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::setup(format!("{name:?} is not a valid header name")))?;
        if name == "sessiontoken" || name == "x-trace-id" {
            return Err(Error::setup(format!(
                "{name} cannot be a default header: it is set per request"
            )));
        }
        let mut value = HeaderValue::from_str(value)
            .map_err(|_| Error::setup(format!("the value of header {name} is not valid")))?;
        // Values such as gateway keys are secrets; reqwest then keeps them out of its Debug.
        value.set_sensitive(true);
        Ok(self.changed(|s| {
            s.default_headers.insert(name, value);
        }))
    }

    /// Sends every request, login and pod alike, through the HTTP proxy at `url`, such as
    /// `http://proxy.acme.com:3128`. Credentials in the URL (`http://user:password@host:port`)
    /// are used for the proxy and never shown; [`proxy_credentials`](Self::proxy_credentials)
    /// sets them apart. A new proxy replaces the old one with its credentials: credentials
    /// given for another proxy are never sent to this one.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] if `url` is not an `http://` or `https://` URL with a host. The
    /// message never repeats the URL, which may hold a password.
    pub fn proxy(self, url: &str) -> Result<Self, Error> {
        let invalid = |why: &str| Error::setup(format!("the proxy URL {why}"));
        let mut parsed = reqwest::Url::parse(url.trim()).map_err(|_| invalid("is not a URL"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(invalid("must start with http:// or https://"));
        }
        if parsed.host().is_none() {
            return Err(invalid("has no host"));
        }
        let credentials = (!parsed.username().is_empty()).then(|| {
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            let password = parsed.password().map(decode).unwrap_or_default();
            (decode(parsed.username()), SecretString::from(password))
        });
        // The credentials are kept apart, so that the URL can be shown.
        let _ = parsed.set_username("");
        let _ = parsed.set_password(None);
        Ok(self.changed(|s| {
            s.proxy = Some(parsed);
            s.proxy_credentials = credentials;
        }))
    }

    /// The username and password for the proxy (basic authentication).
    pub fn proxy_credentials(self, username: &str, password: &str) -> Self {
        let credentials = (username.to_owned(), SecretString::from(password.to_owned()));
        self.changed(|s| s.proxy_credentials = Some(credentials))
    }

    /// Trusts the certificates in `pem` (one or more `BEGIN CERTIFICATE` blocks) as root
    /// certificates, besides the system's: for a pod, proxy or gateway whose certificate a
    /// private CA signed.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] if `pem` holds no certificate, or one that does not parse.
    pub fn add_root_certificate_pem(self, pem: &[u8]) -> Result<Self, Error> {
        let certificates = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| Error::setup(format!("the root certificate PEM is not valid: {e}")))?;
        if certificates.is_empty() {
            return Err(Error::setup(
                "the root certificate PEM holds no certificate (no BEGIN CERTIFICATE block)",
            ));
        }
        Ok(self.changed(|s| s.root_certificates.extend(certificates)))
    }

    /// The largest response body accepted, in bytes; a longer one fails with
    /// [`Error::Decode`] before it is all read.
    pub fn max_response_bytes(self, bytes: usize) -> Self {
        self.changed(|s| s.max_response_bytes = bytes)
    }

    /// The transport these settings describe, built on first use.
    pub(crate) fn transport(&self) -> Result<Arc<Transport>, Error> {
        if let Some(transport) = self.transport.get() {
            return Ok(transport.clone());
        }
        let built = Arc::new(Transport::new(self)?);
        // Two threads may build at once; both then use the one stored first.
        Ok(self.transport.get_or_init(|| built).clone())
    }

    /// A `reqwest::Client` with these settings, presenting `identity` to servers that ask for a
    /// client certificate.
    pub(crate) fn http_client(
        &self,
        identity: Option<reqwest::Identity>,
    ) -> Result<reqwest::Client, Error> {
        let mut builder = reqwest::Client::builder()
            .user_agent(self.user_agent.clone())
            .default_headers(self.default_headers.clone())
            .connect_timeout(self.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .tls_certs_merge(self.root_certificates.iter().cloned());
        if let Some(identity) = identity {
            // HTTP/1.1: over HTTP/2, the server's alert refusing the certificate reaches the
            // client only as a closed connection, and the error could not say why.
            builder = builder.identity(identity).http1_only();
        }
        let builder = match &self.proxy {
            Some(url) => {
                let mut proxy = reqwest::Proxy::all(url.clone())
                    .map_err(|e| Error::setup(format!("the proxy cannot be used: {e}")))?;
                if let Some((username, password)) = &self.proxy_credentials {
                    proxy = proxy.basic_auth(username, password.expose_secret());
                }
                builder.proxy(proxy)
            }
            None => builder.no_proxy(),
        };
        builder
            .build()
            .map_err(|e| Error::setup(format!("cannot build the HTTP client: {e}")))
    }

    /// `self` after `change`, with a transport of its own.
    fn changed(mut self, change: impl FnOnce(&mut Self)) -> Self {
        change(&mut self);
        self.transport = Arc::default();
        self
    }
}

/// The `what` service's base URL: `given`, checked by [`base_url`], or the pod URL's origin
/// followed by `path` (such as `/login`).
pub(crate) fn service_url(
    given: Option<&str>,
    pod_url: &reqwest::Url,
    path: &str,
    what: &str,
) -> Result<reqwest::Url, Error> {
    match given {
        Some(url) => base_url(url, what),
        None => pod_url
            .join(path)
            .map_err(|e| Error::setup(format!("cannot derive the {what} URL: {e}"))),
    }
}

/// Checks a base URL such as `https://acme.symphony.com/pod` and returns it without a trailing `/`.
pub(crate) fn base_url(url: &str, what: &str) -> Result<reqwest::Url, Error> {
    // The URL itself is not repeated: it could carry credentials.
    let invalid = |why: &str| Error::setup(format!("the {what} URL {why}"));
    let mut parsed =
        reqwest::Url::parse(url.trim()).map_err(|e| invalid(&format!("is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("must start with http:// or https://"));
    }
    if parsed.host().is_none() {
        return Err(invalid("has no host"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("must not have a query or a fragment"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid("must not carry credentials"));
    }
    let path = parsed.path().trim_end_matches('/').to_owned();
    parsed.set_path(&path);
    Ok(parsed)
}

/// The URL as the generated clients take it: no trailing `/`.
pub(crate) fn base_url_string(url: &reqwest::Url) -> String {
    url.as_str().trim_end_matches('/').to_owned()
}
