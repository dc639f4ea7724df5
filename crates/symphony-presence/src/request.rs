//! [`Request`]: a call being prepared, sent by awaiting it.

use std::future::IntoFuture;
use std::time::Duration;

use crate::client::PresenceClient;
use crate::error::Error;
use crate::retry::RetryPolicy;
use crate::session::BoxFuture;

/// Settings of one call that override the client's [`HttpSettings`](crate::HttpSettings).
/// (Public but unnameable outside the crate: it appears in [`Call`]'s hidden method.)
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) deadline: Option<Duration>,
    pub(crate) retry: Option<RetryPolicy>,
}

impl CallOptions {
    /// Nothing overridden: the transport's settings apply (what logins use).
    pub(crate) const DEFAULT: CallOptions = CallOptions {
        timeout: None,
        deadline: None,
        retry: None,
    };
}

/// A call being prepared: the operation's own options (such as `soft` or `local`), and the
/// options every call has. Nothing is sent until it is awaited.
///
/// ```no_run
/// # async fn example(client: symphony_presence::PresenceClient) -> Result<(), symphony_presence::Error> {
/// use std::time::Duration;
/// use symphony_presence::{PresenceCategory, RetryPolicy};
///
/// client
///     .set_presence(PresenceCategory::Busy)
///     .soft(true)
///     .timeout(Duration::from_secs(5))
///     .retry(RetryPolicy::none())
///     .await?;
/// # Ok(())
/// # }
/// ```
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug)]
pub struct Request<'a, O> {
    pub(crate) client: &'a PresenceClient,
    pub(crate) op: O,
    pub(crate) options: CallOptions,
}

impl<'a, O> Request<'a, O> {
    pub(crate) fn new(client: &'a PresenceClient, op: O) -> Self {
        Request {
            client,
            op,
            options: CallOptions::default(),
        }
    }

    /// The longest one attempt of this call may take, instead of the client's
    /// [`HttpSettings::timeout`](crate::HttpSettings::timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// The longest this call may take in all, authentication included, instead of the
    /// client's [`HttpSettings::deadline`](crate::HttpSettings::deadline).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.options.deadline = Some(deadline);
        self
    }

    /// The retry policy for this call, instead of the client's.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.options.retry = Some(policy);
        self
    }
}

/// An operation that a [`Request`] sends. Sealed: the operations are this crate's.
pub trait Call: sealed::Sealed + Send + Sized {
    /// What the call returns.
    type Output;

    #[doc(hidden)]
    fn send(
        self,
        client: &PresenceClient,
        options: CallOptions,
    ) -> BoxFuture<'_, Result<Self::Output, Error>>;
}

pub(crate) mod sealed {
    pub trait Sealed {}
}

impl<'a, O: Call + 'a> IntoFuture for Request<'a, O> {
    type Output = Result<O::Output, Error>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        self.op.send(self.client, self.options)
    }
}
