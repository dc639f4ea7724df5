//! [`PresenceClient`], how it is built ([`PresenceClientBuilder`]), and the [`AppClient`] that
//! hands out clients acting on behalf of users.

mod app;
mod builder;

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use progenitor_client::ResponseValue;
use symphony_api::ErrorBody;
use symphony_api::pod::ClientInfo;

pub use app::{
    AppClient, AppClientBuilder, DEFAULT_APP_TOKEN_TRUSTED_FOR, DEFAULT_OBO_CACHE_CAPACITY,
    DEFAULT_OBO_CACHE_TTL,
};
pub use builder::PresenceClientBuilder;

use crate::error::Error;
use crate::http::Endpoint;
use crate::http::pipeline::{self, Exchange};
use crate::request::CallOptions;
use crate::session::{SessionProvider, SessionToken};
use crate::settings;
use crate::transport::Transport;

type PodResult<T> = Result<ResponseValue<T>, progenitor_client::Error<ErrorBody>>;

/// The client for Symphony's Presence API, acting as one user: the holder of a session token,
/// a bot, or a user on whose behalf an [`AppClient`] acts.
///
/// Cheap to clone: clones share one connection pool and one session. Every method returns a
/// [`Request`](crate::Request) that is sent when awaited, and goes through the same pipeline:
/// session token, `X-Trace-Id`, error mapping, retry, one session refresh after a 401, tracing.
///
/// ```no_run
/// use symphony_presence::{PresenceCategory, PresenceClient};
///
/// # async fn example() -> Result<(), symphony_presence::Error> {
/// let client = PresenceClient::builder("https://acme.symphony.com/pod")
///     .session_token("my-session-token")
///     .build()?;
/// let me = client.get_presence().await?;
/// println!("I am {}", me.category);
/// client.set_presence(PresenceCategory::Busy).soft(true).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct PresenceClient {
    pod: Arc<Pod>,
    session: Arc<dyn SessionProvider>,
}

/// The pod's generated client and the transport it sends through: what every clone, and every
/// client of one [`AppClient`], shares.
pub(crate) struct Pod {
    api: symphony_api::pod::Client,
    url: reqwest::Url,
    transport: Arc<Transport>,
}

impl Pod {
    /// The pod at `url`, refused if session tokens would cross the network in clear text.
    pub(crate) fn new(url: reqwest::Url, transport: Arc<Transport>) -> Result<Self, Error> {
        transport.check_secure(&url, "pod")?;
        let api = symphony_api::pod::Client::new_with_client(
            &settings::base_url_string(&url),
            transport.http.clone(),
            transport.hooks.clone(),
        );
        Ok(Pod {
            api,
            url,
            transport,
        })
    }
}

impl fmt::Debug for PresenceClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresenceClient")
            .field("pod_url", &self.pod_url())
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl PresenceClient {
    /// Starts building a client for the pod at `pod_url`, for example
    /// `https://acme.symphony.com/pod`.
    pub fn builder(pod_url: impl Into<String>) -> PresenceClientBuilder {
        PresenceClientBuilder::new(pod_url.into())
    }

    pub(crate) fn new(pod: Arc<Pod>, session: Arc<dyn SessionProvider>) -> Self {
        PresenceClient { pod, session }
    }

    /// The pod base URL requests go to.
    pub fn pod_url(&self) -> &str {
        self.pod.api.baseurl()
    }

    /// The session token this client sends, authenticating first if it has none: for calling
    /// other Symphony APIs in the same session. Keep it out of logs.
    ///
    /// # Errors
    ///
    /// As any call, when authentication fails.
    pub async fn session_token(&self) -> Result<SessionToken, Error> {
        match self.session.cached_token() {
            Some(token) => Ok(token),
            None => self.session.session_token().await,
        }
    }

    /// Runs one Pod operation through the pipeline with this client's session. `path_params`
    /// are the values of the endpoint path's `{parameters}`, for its span.
    pub(crate) fn call<'a, T, U, F, Fut, A>(
        &'a self,
        endpoint: &'a Endpoint,
        options: &'a CallOptions,
        path_params: &'a [&'a (dyn std::fmt::Display + Sync)],
        send: F,
        accept: A,
    ) -> impl Future<Output = Result<U, Error>> + 'a
    where
        T: 'a,
        U: 'a,
        F: Fn(&'a symphony_api::pod::Client, &str, String) -> Fut + 'a,
        Fut: Future<Output = PodResult<T>> + 'a,
        A: Fn(T) -> Result<U, &'static str> + 'a,
    {
        let pod = &*self.pod;
        let exchange = Exchange {
            transport: &pod.transport,
            endpoint,
            options,
            session: Some(&*self.session),
            base: &pod.url,
            path_params,
            jwt: None,
        };
        pipeline::call(
            exchange,
            move |token, trace_id| send(&pod.api, token, trace_id),
            accept,
        )
    }
}
