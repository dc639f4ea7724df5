//! [`PresenceClient`] and its builder.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use progenitor_client::ResponseValue;
use reqwest::header::{HeaderName, HeaderValue};
use symphony_api::ErrorBody;
use symphony_api::pod::ClientInfo;

use crate::error::Error;
use crate::http::{Operation, pipeline};
use crate::retry::RetryPolicy;
use crate::session::SessionProvider;
use crate::settings::{self, HttpSettings};

type PodResult<T> = Result<ResponseValue<T>, progenitor_client::Error<ErrorBody>>;

/// The client for Symphony's Presence API.
///
/// Cheap to clone: clones share one connection pool and one session provider. Every method
/// goes through the same pipeline (session token, `X-Trace-Id`, error mapping, retry, one
/// session refresh after a 401, tracing); see [`RetryPolicy`] for what is retried.
///
/// ```no_run
/// use symphony_presence::{PresenceCategory, PresenceClient, StaticSession};
///
/// # async fn example() -> Result<(), symphony_presence::Error> {
/// let client = PresenceClient::builder("https://acme.symphony.com/pod")
///     .session(StaticSession::new("my-session-token")?)
///     .build()?;
/// let me = client.get_presence().await?;
/// println!("I am {}", me.category);
/// client.set_presence(PresenceCategory::Busy, false).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct PresenceClient {
    inner: Arc<ClientInner>,
    session: Arc<dyn SessionProvider>,
}

/// What every clone and every [`with_session`](PresenceClient::with_session) variant shares.
struct ClientInner {
    api: symphony_api::pod::Client,
    retry: RetryPolicy,
}

impl fmt::Debug for PresenceClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresenceClient")
            .field("pod_url", &self.inner.api.baseurl())
            .field("session", &self.session)
            .field("retry", &self.inner.retry)
            .finish()
    }
}

impl PresenceClient {
    /// Starts building a client for the pod at `pod_url`, for example
    /// `https://acme.symphony.com/pod`.
    pub fn builder(pod_url: impl Into<String>) -> PresenceClientBuilder {
        PresenceClientBuilder {
            pod_url: pod_url.into(),
            session: None,
            settings: HttpSettings::default(),
        }
    }

    /// The pod base URL requests go to.
    pub fn pod_url(&self) -> &str {
        self.inner.api.baseurl()
    }

    /// The same client (connection pool, settings, retry policy) acting with another session,
    /// for example on behalf of another user. Cheap: nothing is built or connected.
    ///
    /// ```no_run
    /// # async fn example(client: symphony_presence::PresenceClient, app: symphony_presence::AppSession) -> Result<(), symphony_presence::Error> {
    /// use symphony_presence::UserId;
    ///
    /// for uid in [UserId(1), UserId(2)] {
    ///     let presence = client.with_session(app.obo_user(uid)).get_presence().await?;
    ///     println!("{uid}: {}", presence.category);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_session(&self, session: impl SessionProvider + 'static) -> PresenceClient {
        PresenceClient {
            inner: self.inner.clone(),
            session: Arc::new(session),
        }
    }

    /// Runs one Pod operation through the pipeline with this client's session.
    pub(crate) fn call<'a, T, F, Fut>(
        &'a self,
        op: Operation,
        send: F,
    ) -> impl Future<Output = Result<T, Error>> + 'a
    where
        T: 'a,
        F: Fn(&'a symphony_api::pod::Client, &str, String) -> Fut + 'a,
        Fut: Future<Output = PodResult<T>> + 'a,
    {
        let inner = &*self.inner;
        pipeline::call(
            &inner.retry,
            op,
            Some(&*self.session),
            move |token, trace_id| send(&inner.api, token, trace_id),
        )
    }
}

/// Builds a [`PresenceClient`]. Only the pod URL and the session are required.
#[must_use]
pub struct PresenceClientBuilder {
    pod_url: String,
    session: Option<Arc<dyn SessionProvider>>,
    settings: HttpSettings,
}

impl fmt::Debug for PresenceClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresenceClientBuilder")
            .field("session", &self.session)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl PresenceClientBuilder {
    /// Where session tokens come from: a [`StaticSession`](crate::StaticSession), an OBO or
    /// bot session, or your own [`SessionProvider`].
    pub fn session(mut self, session: impl SessionProvider + 'static) -> Self {
        self.session = Some(Arc::new(session));
        self
    }

    /// All transport settings at once (see [`HttpSettings`] for the defaults).
    pub fn settings(mut self, settings: HttpSettings) -> Self {
        self.settings = settings;
        self
    }

    /// The longest wait for a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings = self.settings.connect_timeout(timeout);
        self
    }

    /// The longest one attempt may take, body included (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings = self.settings.timeout(timeout);
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.settings = self.settings.retry_policy(policy);
        self
    }

    /// The `User-Agent` (default `symphony-presence-rs/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.settings = self.settings.user_agent(user_agent);
        self
    }

    /// A header sent with every request (none by default).
    pub fn default_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.settings = self.settings.default_header(name, value);
        self
    }

    /// A proxy for every request (none by default; environment variables are ignored).
    pub fn proxy(mut self, proxy: reqwest::Proxy) -> Self {
        self.settings = self.settings.proxy(proxy);
        self
    }

    /// The largest response body accepted, in bytes (default 8 MiB).
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.settings = self.settings.max_response_bytes(bytes);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] if no session was given, the URL is not an `http(s)` URL without
    /// query or credentials, a header is invalid or reserved, or the TLS stack cannot start.
    pub fn build(self) -> Result<PresenceClient, Error> {
        let session = self.session.ok_or_else(|| {
            Error::InvalidInput("a session is required: call .session(..)".into())
        })?;
        let url = settings::base_url(&self.pod_url, "pod")?;
        let (http, hooks) = self.settings.client()?;
        let api = symphony_api::pod::Client::new_with_client(
            &settings::base_url_string(&url),
            http,
            hooks,
        );
        Ok(PresenceClient {
            session,
            inner: Arc::new(ClientInner {
                api,
                retry: self.settings.retry,
            }),
        })
    }
}
