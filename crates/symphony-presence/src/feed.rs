//! Presence feeds: create, read and delete, and polling one as a stream.

use std::fmt;
use std::time::Duration;

use futures_util::stream;
use serde::{Deserialize, Serialize};
use symphony_api::pod::types::StringId;

use crate::client::PresenceClient;
use crate::error::Error;
use crate::http::{Endpoint, pod_endpoint};
use crate::operations::any;
use crate::request::{Call, CallOptions, Request, sealed};
use crate::session::BoxFuture;
use crate::stream::PresenceStream;
use crate::{Presence, RetryPolicy};

const CREATE_FEED: Endpoint = pod_endpoint!(
    "create_feed",
    "POST",
    "/v1/presence/feed/create",
    idempotent = false
);
const READ_FEED: Endpoint = pod_endpoint!(
    "read_feed",
    "GET",
    "/v1/presence/feed/{feedId}/read",
    idempotent = true
);
const DELETE_FEED: Endpoint = pod_endpoint!(
    "delete_feed",
    "POST",
    "/v1/presence/feed/{feedId}/delete",
    idempotent = false
);

/// The most presences one feed read returns.
pub const MAX_FEED_BATCH: usize = 500;

/// The id of a presence feed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct FeedId(String);

impl FeedId {
    /// A feed id, as returned by [`PresenceClient::create_feed`].
    pub fn new(id: impl Into<String>) -> Self {
        FeedId(id.into())
    }

    /// The id as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FeedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PresenceClient {
    /// Creates a presence feed (`POST /v1/presence/feed/create`), which then returns the
    /// presence of every user of the pod whose presence changed since the last read.
    /// Symphony lists the feed operations as deprecated.
    ///
    /// ```no_run
    /// # async fn example(client: symphony_presence::PresenceClient) -> Result<(), symphony_presence::Error> {
    /// let feed = client.create_feed().await?;
    /// for change in client.read_feed(&feed).await? {
    ///     println!("{:?} is now {}", change.user_id, change.category);
    /// }
    /// client.delete_feed(&feed).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] if the response has no id; otherwise as
    /// [`get_presence`](Self::get_presence). It is not retried after a timeout, which could
    /// leave a second feed.
    pub fn create_feed(&self) -> Request<'_, CreateFeed> {
        Request::new(self, CreateFeed(()))
    }

    /// The presences that changed since the feed was last read, at most [`MAX_FEED_BATCH`]
    /// (`GET /v1/presence/feed/{feedId}/read`).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] or [`Error::BadRequest`] for a feed that does not exist; otherwise as
    /// [`get_presence`](Self::get_presence).
    pub fn read_feed(&self, feed: &FeedId) -> Request<'_, ReadFeed> {
        Request::new(self, ReadFeed(feed.clone()))
    }

    /// Deletes a presence feed (`POST /v1/presence/feed/{feedId}/delete`).
    ///
    /// # Errors
    ///
    /// As [`read_feed`](Self::read_feed).
    pub fn delete_feed(&self, feed: &FeedId) -> Request<'_, DeleteFeed> {
        Request::new(self, DeleteFeed(feed.clone()))
    }

    /// Polls `feed` and yields each change as it arrives (see [`WatchFeed`]).
    ///
    /// ```no_run
    /// # async fn example(client: symphony_presence::PresenceClient) -> Result<(), symphony_presence::Error> {
    /// use std::time::Duration;
    /// use futures_util::StreamExt;
    ///
    /// let feed = client.create_feed().await?;
    /// let mut changes = client.watch_feed(feed).interval(Duration::from_secs(5)).stream();
    /// while let Some(change) = changes.next().await {
    ///     println!("{:?}", change?);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn watch_feed(&self, feed: FeedId) -> WatchFeed {
        WatchFeed {
            client: self.clone(),
            feed,
            interval: WatchFeed::DEFAULT_INTERVAL,
            options: CallOptions::default(),
        }
    }
}

/// [`PresenceClient::create_feed`].
#[derive(Debug)]
pub struct CreateFeed(());

impl sealed::Sealed for CreateFeed {}

impl Call for CreateFeed {
    type Output = FeedId;

    fn send(
        self,
        client: &PresenceClient,
        options: CallOptions,
    ) -> BoxFuture<'_, Result<FeedId, Error>> {
        Box::pin(async move {
            let accept =
                |created: StringId| created.id.map(FeedId).ok_or("the response has no feed id");
            client
                .call(
                    &CREATE_FEED,
                    &options,
                    &[],
                    |api, token, trace_id| {
                        api.post_v1_presence_feed_create()
                            .x_trace_id(trace_id)
                            .session_token(token)
                            .send()
                    },
                    accept,
                )
                .await
        })
    }
}

/// [`PresenceClient::read_feed`].
#[derive(Debug)]
pub struct ReadFeed(FeedId);

impl sealed::Sealed for ReadFeed {}

impl Call for ReadFeed {
    type Output = Vec<Presence>;

    fn send(
        self,
        client: &PresenceClient,
        options: CallOptions,
    ) -> BoxFuture<'_, Result<Vec<Presence>, Error>> {
        Box::pin(async move {
            let list = client
                .call(
                    &READ_FEED,
                    &options,
                    &[&self.0],
                    |api, token, trace_id| {
                        api.get_v1_presence_feed_feed_id_read()
                            .x_trace_id(trace_id)
                            .feed_id(self.0.as_str())
                            .session_token(token)
                            .send()
                    },
                    any,
                )
                .await?;
            Ok(list.0.into_iter().map(Presence::from).collect())
        })
    }
}

/// [`PresenceClient::delete_feed`].
#[derive(Debug)]
pub struct DeleteFeed(FeedId);

impl sealed::Sealed for DeleteFeed {}

impl Call for DeleteFeed {
    type Output = ();

    fn send(
        self,
        client: &PresenceClient,
        options: CallOptions,
    ) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            client
                .call(
                    &DELETE_FEED,
                    &options,
                    &[&self.0],
                    |api, token, trace_id| {
                        api.post_v1_presence_feed_feed_id_delete()
                            .x_trace_id(trace_id)
                            .feed_id(self.0.as_str())
                            .session_token(token)
                            .send()
                    },
                    any,
                )
                .await
                .map(drop)
        })
    }
}

/// Polls a feed as a stream, built by [`PresenceClient::watch_feed`].
///
/// After a full batch of [`MAX_FEED_BATCH`] it reads again at once, since more changes are
/// waiting; otherwise it waits [`interval`](Self::interval). An error is yielded; the stream
/// then goes on if the error [is retryable](Error::is_retryable), waiting longer after each
/// error in a row (from one interval, at least [`WatchFeed::MIN_ERROR_BACKOFF`], doubling up to
/// [`WatchFeed::MAX_ERROR_BACKOFF`]), and ends otherwise (for example when the feed was
/// deleted).
#[derive(Clone, Debug)]
#[must_use = "a watch does nothing until it is streamed"]
pub struct WatchFeed {
    client: PresenceClient,
    feed: FeedId,
    interval: Duration,
    options: CallOptions,
}

impl WatchFeed {
    /// The wait between two reads that found fewer than [`MAX_FEED_BATCH`] changes, by default.
    pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
    /// The shortest wait after a failed read.
    pub const MIN_ERROR_BACKOFF: Duration = Duration::from_secs(1);
    /// The longest wait after failed reads.
    pub const MAX_ERROR_BACKOFF: Duration = Duration::from_secs(60);

    /// The wait between two reads that found fewer than [`MAX_FEED_BATCH`] changes (default
    /// [`DEFAULT_INTERVAL`](Self::DEFAULT_INTERVAL)).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// The longest one attempt at a read may take (see [`Request::timeout`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// The longest each read may take in all, authentication included (see
    /// [`Request::deadline`]).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.options.deadline = Some(deadline);
        self
    }

    /// The retry policy of each read (see [`Request::retry`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.options.retry = Some(policy);
        self
    }

    /// The changes, as they arrive.
    pub fn stream(self) -> PresenceStream {
        let state = Watch {
            watch: self,
            batch: Vec::new().into_iter(),
            wait: Duration::ZERO,
            errors: 0,
            done: false,
        };
        PresenceStream::new(stream::unfold(state, |mut w| async move {
            loop {
                if let Some(change) = w.batch.next() {
                    return Some((Ok(change), w));
                }
                if w.done {
                    return None;
                }
                if !w.wait.is_zero() {
                    tokio::time::sleep(w.wait).await;
                }
                let WatchFeed {
                    client,
                    feed,
                    options,
                    interval,
                } = &w.watch;
                let read = Request {
                    client,
                    op: ReadFeed(feed.clone()),
                    options: options.clone(),
                };
                match read.await {
                    Ok(batch) => {
                        w.errors = 0;
                        w.wait = if batch.len() < MAX_FEED_BATCH {
                            *interval
                        } else {
                            Duration::ZERO
                        };
                        w.batch = batch.into_iter();
                    }
                    Err(e) => {
                        w.errors = w.errors.saturating_add(1);
                        w.wait = error_backoff(*interval, w.errors);
                        w.done = !e.is_retryable();
                        return Some((Err(e), w));
                    }
                }
            }
        }))
    }
}

/// The wait after `errors` failed reads in a row.
pub(crate) fn error_backoff(interval: Duration, errors: u32) -> Duration {
    let first = interval.max(WatchFeed::MIN_ERROR_BACKOFF);
    first
        .saturating_mul(1 << errors.saturating_sub(1).min(16))
        .min(WatchFeed::MAX_ERROR_BACKOFF)
}

struct Watch {
    watch: WatchFeed,
    batch: std::vec::IntoIter<Presence>,
    wait: Duration,
    errors: u32,
    done: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_back_off_exponentially_from_at_least_a_second_up_to_a_minute() {
        let zero = Duration::ZERO;
        assert_eq!(error_backoff(zero, 1), Duration::from_secs(1));
        assert_eq!(error_backoff(zero, 2), Duration::from_secs(2));
        assert_eq!(error_backoff(zero, 3), Duration::from_secs(4));
        assert_eq!(
            error_backoff(Duration::from_secs(5), 1),
            Duration::from_secs(5)
        );
        assert_eq!(error_backoff(zero, 40), WatchFeed::MAX_ERROR_BACKOFF);
    }
}
