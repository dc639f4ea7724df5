//! [`PresenceStream`]: the stream type of listings and feeds.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;

use crate::{Error, Presence};

/// A stream of presences, from [`ListAllPresence::stream`](crate::ListAllPresence::stream) or
/// [`WatchFeed::stream`](crate::WatchFeed::stream). It is `Unpin`, so `next()` and
/// `try_next()` work on it directly, without `pin!`.
#[must_use = "a stream does nothing unless polled"]
pub struct PresenceStream(Pin<Box<dyn Stream<Item = Result<Presence, Error>> + Send>>);

impl PresenceStream {
    pub(crate) fn new(
        stream: impl Stream<Item = Result<Presence, Error>> + Send + 'static,
    ) -> Self {
        PresenceStream(Box::pin(stream))
    }
}

impl Stream for PresenceStream {
    type Item = Result<Presence, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for PresenceStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PresenceStream")
    }
}
