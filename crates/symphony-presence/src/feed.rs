//! Presence feeds: create, read and delete, and polling one as a stream.

use std::fmt;
use std::time::Duration;

use futures_util::Stream;
use futures_util::stream;
use serde::{Deserialize, Serialize};

use crate::Presence;
use crate::client::PresenceClient;
use crate::error::Error;
use crate::http::Operation;

const CREATE_FEED: Operation = Operation::pod("post_v1_presence_feed_create", false);
const READ_FEED: Operation = Operation::pod("get_v1_presence_feed_feed_id_read", true);
const DELETE_FEED: Operation = Operation::pod("post_v1_presence_feed_feed_id_delete", false);

/// The most presences one feed read returns.
pub const MAX_FEED_BATCH: usize = 500;

/// The id of a presence feed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
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
    pub async fn create_feed(&self) -> Result<FeedId, Error> {
        let created = self
            .call(CREATE_FEED, |api, token, trace_id| {
                api.post_v1_presence_feed_create()
                    .x_trace_id(trace_id)
                    .session_token(token)
                    .send()
            })
            .await?;
        created
            .id
            .map(FeedId)
            .ok_or_else(|| CREATE_FEED.unusable_200("the response has no feed id"))
    }

    /// The presences that changed since the feed was last read, at most [`MAX_FEED_BATCH`]
    /// (`GET /v1/presence/feed/{feedId}/read`).
    ///
    /// ```no_run
    /// # async fn example(client: symphony_presence::PresenceClient, feed: symphony_presence::FeedId) -> Result<(), symphony_presence::Error> {
    /// let changes = client.read_feed(&feed).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] or [`Error::BadRequest`] for a feed that does not exist; otherwise as
    /// [`get_presence`](Self::get_presence).
    pub async fn read_feed(&self, feed: &FeedId) -> Result<Vec<Presence>, Error> {
        let list = self
            .call(READ_FEED, |api, token, trace_id| {
                api.get_v1_presence_feed_feed_id_read()
                    .x_trace_id(trace_id)
                    .feed_id(feed.as_str())
                    .session_token(token)
                    .send()
            })
            .await?;
        Ok(list.0.into_iter().map(Presence::from).collect())
    }

    /// Deletes a presence feed (`POST /v1/presence/feed/{feedId}/delete`).
    ///
    /// ```no_run
    /// # async fn example(client: symphony_presence::PresenceClient, feed: symphony_presence::FeedId) -> Result<(), symphony_presence::Error> {
    /// client.delete_feed(&feed).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`read_feed`](Self::read_feed).
    pub async fn delete_feed(&self, feed: &FeedId) -> Result<(), Error> {
        self.call(DELETE_FEED, |api, token, trace_id| {
            api.post_v1_presence_feed_feed_id_delete()
                .x_trace_id(trace_id)
                .feed_id(feed.as_str())
                .session_token(token)
                .send()
        })
        .await
        .map(drop)
    }

    /// Polls `feed` and yields each change as it arrives.
    ///
    /// After a full batch of [`MAX_FEED_BATCH`] it reads again at once, since more changes are
    /// waiting; otherwise it waits `interval`. An error is yielded; the stream then goes on
    /// after `interval` if the error [is retryable](Error::is_retryable), and ends otherwise
    /// (for example when the feed was deleted).
    ///
    /// ```no_run
    /// # async fn example(client: symphony_presence::PresenceClient) -> Result<(), symphony_presence::Error> {
    /// use std::time::Duration;
    /// use futures_util::StreamExt;
    ///
    /// let feed = client.create_feed().await?;
    /// let mut changes = std::pin::pin!(client.watch_feed(feed, Duration::from_secs(5)));
    /// while let Some(change) = changes.next().await {
    ///     println!("{:?}", change?);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn watch_feed(
        &self,
        feed: FeedId,
        interval: Duration,
    ) -> impl Stream<Item = Result<Presence, Error>> + Send + 'static {
        let state = Watch {
            client: self.clone(),
            feed,
            interval,
            batch: Vec::new().into_iter(),
            wait: false,
            done: false,
        };
        stream::unfold(state, |mut w| async move {
            loop {
                if let Some(change) = w.batch.next() {
                    return Some((Ok(change), w));
                }
                if w.done {
                    return None;
                }
                if w.wait {
                    tokio::time::sleep(w.interval).await;
                }
                match w.client.read_feed(&w.feed).await {
                    Ok(batch) => {
                        w.wait = batch.len() < MAX_FEED_BATCH;
                        w.batch = batch.into_iter();
                    }
                    Err(e) => {
                        w.wait = true;
                        w.done = !e.is_retryable();
                        return Some((Err(e), w));
                    }
                }
            }
        })
    }
}

struct Watch {
    client: PresenceClient,
    feed: FeedId,
    interval: Duration,
    batch: std::vec::IntoIter<Presence>,
    wait: bool,
    done: bool,
}
