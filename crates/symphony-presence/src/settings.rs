//! [`HttpSettings`]: the transport settings shared by the Presence client and the
//! authentication sessions, each with a documented default.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::Error;
use crate::retry::RetryPolicy;

/// The `User-Agent` sent by default: `symphony-presence-rs/<version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("symphony-presence-rs/", env!("CARGO_PKG_VERSION"));

/// How requests are sent.
///
/// Redirects are never followed: a redirect could carry the `sessionToken` header to another
/// host. Proxies are used only when set with [`proxy`](Self::proxy); the environment's proxy
/// variables are ignored, for the same reason.
///
/// ```
/// use std::time::Duration;
/// use symphony_presence::{HttpSettings, RetryPolicy};
///
/// let settings = HttpSettings::default()
///     .timeout(Duration::from_secs(10))
///     .retry_policy(RetryPolicy::default().max_attempts(3));
/// # let _ = settings;
/// ```
#[derive(Clone, Debug)]
pub struct HttpSettings {
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) user_agent: String,
    pub(crate) default_headers: HeaderMap,
    pub(crate) proxy: Option<reqwest::Proxy>,
    pub(crate) max_response_bytes: usize,
}

impl Default for HttpSettings {
    /// Connect timeout 10 s; timeout per attempt 30 s; [`RetryPolicy::default`]; User-Agent
    /// [`DEFAULT_USER_AGENT`]; no extra headers; no proxy; responses capped at 8 MiB.
    fn default() -> Self {
        HttpSettings {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            default_headers: HeaderMap::new(),
            proxy: None,
            max_response_bytes: 8 * 1024 * 1024,
        }
    }
}

impl HttpSettings {
    /// The longest wait for a connection to be made.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The longest one attempt may take, from connecting to the end of the body.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The retry policy for every call.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// A header sent with every request, such as a routing header of your proxy.
    /// `sessionToken` and `X-Trace-Id` are set per request and cannot be set here.
    pub fn default_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.default_headers.insert(name, value);
        self
    }

    /// Sends every request through `proxy`.
    pub fn proxy(mut self, proxy: reqwest::Proxy) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// The largest response body accepted, in bytes; a longer one fails with
    /// [`Error::Decode`] before it is all read.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// A `reqwest::Client` built from these settings, and the hooks' settings for the generated
    /// clients that send through it.
    pub(crate) fn client(&self) -> Result<(reqwest::Client, symphony_api::hooks::Inner), Error> {
        for reserved in ["sessiontoken", "x-trace-id"] {
            if self.default_headers.contains_key(reserved) {
                return Err(Error::InvalidInput(format!(
                    "{reserved} cannot be a default header: it is set per request"
                )));
            }
        }
        let user_agent = HeaderValue::from_str(&self.user_agent).map_err(|_| {
            Error::InvalidInput("the User-Agent is not a valid header value".into())
        })?;
        let builder = reqwest::Client::builder()
            .user_agent(user_agent)
            .default_headers(self.default_headers.clone())
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none());
        let builder = match &self.proxy {
            Some(proxy) => builder.proxy(proxy.clone()),
            None => builder.no_proxy(),
        };
        let http = builder
            .build()
            .map_err(|e| Error::InvalidInput(format!("cannot build the HTTP client: {e}")))?;
        let hooks =
            symphony_api::hooks::Inner::default().max_response_bytes(self.max_response_bytes);
        Ok((http, hooks))
    }
}

/// Checks a base URL such as `https://acme.symphony.com/pod` and returns it without a trailing `/`.
pub(crate) fn base_url(url: &str, what: &str) -> Result<reqwest::Url, Error> {
    // The URL itself is not repeated: it could carry credentials.
    let invalid = |why: &str| Error::InvalidInput(format!("the {what} URL {why}"));
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
