//! [`PresenceMirror`]: a live, self-healing view of every user's presence.

mod task;
mod view;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, PoisonError, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::Stream;
use tokio::sync::{mpsc, oneshot};

use crate::client::PresenceClient;
use crate::error::Error;
use crate::paging::MAX_PAGE_SIZE;
use crate::{Presence, PresenceCategory, UserId};

use view::View;

/// What happened to the mirror.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum MirrorEvent {
    /// A user's presence changed: `from` is what the mirror held (`None` for a user it did not
    /// hold), `to` the new presence.
    Changed {
        /// The user.
        user_id: UserId,
        /// The category held before, if the user was held.
        from: Option<PresenceCategory>,
        /// The presence now.
        to: Presence,
    },
    /// A snapshot of every user was taken: at the start, and after the feed was lost. Users
    /// that changed while the feed was lost were reported as [`Changed`](Self::Changed) just
    /// before.
    Resynced {
        /// Users held now.
        users: usize,
    },
    /// A read or a snapshot failed; the mirror is recovering and keeps what it holds.
    Degraded {
        /// What failed.
        error: Error,
    },
    /// The event buffer was full, so events were dropped; the mirror itself holds every
    /// change. Poll the events faster, or give [`MirrorBuilder::event_buffer`] more room.
    Lagged {
        /// Events dropped.
        missed: u64,
    },
}

/// How far a snapshot has got, given after each page to the callback set with
/// [`MirrorBuilder::on_snapshot_progress`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SnapshotProgress {
    /// Users listed so far by this snapshot.
    pub users: usize,
    /// Pages listed so far by this snapshot.
    pub pages: usize,
    /// Whether this is the mirror's first snapshot; later ones follow a lost feed.
    pub first: bool,
}

/// The callback of [`MirrorBuilder::on_snapshot_progress`].
#[derive(Clone)]
pub(crate) struct ProgressCallback(Arc<dyn Fn(SnapshotProgress) + Send + Sync>);

impl ProgressCallback {
    pub(crate) fn report(&self, progress: SnapshotProgress) {
        (self.0)(progress);
    }
}

impl fmt::Debug for ProgressCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProgressCallback")
    }
}

/// Builds a [`PresenceMirror`], from [`PresenceClient::mirror`].
#[derive(Clone, Debug)]
#[must_use = "a mirror builder does nothing until started"]
pub struct MirrorBuilder {
    client: PresenceClient,
    interval: Duration,
    page_size: u32,
    event_buffer: usize,
    snapshot_progress: Option<ProgressCallback>,
}

impl MirrorBuilder {
    /// The wait between two feed reads that found fewer than
    /// [`MAX_FEED_BATCH`](crate::MAX_FEED_BATCH) changes (default 1 s).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Presences per page of a snapshot, 1 to [`MAX_PAGE_SIZE`] (default
    /// [`MAX_PAGE_SIZE`]).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size;
        self
    }

    /// How many events wait for the consumer before new ones are dropped (and counted in a
    /// [`MirrorEvent::Lagged`]); default 10,000.
    pub fn event_buffer(mut self, events: usize) -> Self {
        self.event_buffer = events.max(1);
        self
    }

    /// Calls `progress` after each page of every snapshot, with the users and pages listed so
    /// far: to show how a long first snapshot is getting on. The snapshot's end is the
    /// [`MirrorEvent::Resynced`] that follows.
    ///
    /// It runs in the mirror's task, which waits for it: keep it quick (update a progress
    /// bar, store a number), and do not block in it.
    ///
    /// ```no_run
    /// # fn example(client: symphony_presence::PresenceClient) {
    /// let mirror = client
    ///     .mirror()
    ///     .on_snapshot_progress(|progress| {
    ///         if progress.first {
    ///             eprint!("\r{} users loaded", progress.users);
    ///         }
    ///     })
    ///     .start();
    /// # }
    /// ```
    pub fn on_snapshot_progress(
        mut self,
        progress: impl Fn(SnapshotProgress) + Send + Sync + 'static,
    ) -> Self {
        self.snapshot_progress = Some(ProgressCallback(Arc::new(progress)));
        self
    }

    /// Starts mirroring, in a task of its own: it creates a feed, takes a snapshot of every
    /// user, and applies the feed's changes. It must be called within a Tokio runtime.
    pub fn start(self) -> PresenceMirror {
        let shared = Arc::new(Shared::default());
        let (events, receiver) = mpsc::channel(self.event_buffer);
        let (stop, stopped) = oneshot::channel();
        let (closed, on_close) = oneshot::channel();
        let task = task::Mirroring {
            client: self.client,
            interval: self.interval,
            page_size: self.page_size.clamp(1, MAX_PAGE_SIZE),
            snapshot_progress: self.snapshot_progress,
            shared: shared.clone(),
            events: task::Events::new(events),
        };
        tokio::spawn(task.run(stopped, closed));
        PresenceMirror {
            shared,
            events: receiver,
            stop: Some(stop),
            closed: Some(on_close),
        }
    }
}

/// A live view of every user's presence, kept by a task of its own, which heals itself.
///
/// It creates a presence feed first, so that no change between the snapshot and the feed is
/// lost; takes a snapshot of every user through paging; then applies the feed's changes in
/// order, ignoring one older (by timestamp) than what it holds. When the feed is gone (a pod
/// restart, an expired feed, a failover) or reads keep failing, it creates a new feed and takes
/// a new snapshot, reporting what changed meanwhile. It never ends on its own; closing it (or
/// dropping it) deletes its feed.
///
/// The mirror is a [`Stream`] of [`MirrorEvent`]s, and can be queried at any time. It holds
/// about 54 bytes per user, measured with 100,000 users (see "Presence mirror" in the crate
/// documentation for how, and how to reproduce it).
///
/// ```no_run
/// # async fn example(client: symphony_presence::PresenceClient) -> Result<(), symphony_presence::Error> {
/// use futures_util::StreamExt;
/// use symphony_presence::{MirrorEvent, PresenceCategory, UserId};
///
/// let mut mirror = client.mirror().start();
/// while let Some(event) = mirror.next().await {
///     if let MirrorEvent::Changed { user_id, to, .. } = event {
///         println!("{user_id} is now {}", to.category);
///     }
///     let available = mirror.count_by_category().get(&PresenceCategory::Available).copied();
///     println!("{available:?} available of {}", mirror.len());
/// #   break;
/// }
/// mirror.close().await?;
/// # Ok(())
/// # }
/// ```
pub struct PresenceMirror {
    shared: Arc<Shared>,
    events: mpsc::Receiver<MirrorEvent>,
    stop: Option<oneshot::Sender<()>>,
    closed: Option<oneshot::Receiver<Result<(), Error>>>,
}

/// What the mirror's task and its handle share.
#[derive(Default)]
pub(crate) struct Shared {
    view: RwLock<View>,
}

impl Shared {
    pub(crate) fn read(&self) -> std::sync::RwLockReadGuard<'_, View> {
        self.view.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn write(&self) -> std::sync::RwLockWriteGuard<'_, View> {
        self.view.write().unwrap_or_else(PoisonError::into_inner)
    }
}

impl PresenceClient {
    /// A mirror of every user's presence (see [`PresenceMirror`]); set its options, then
    /// [`start`](MirrorBuilder::start) it.
    pub fn mirror(&self) -> MirrorBuilder {
        MirrorBuilder {
            client: self.clone(),
            interval: Duration::from_secs(1),
            page_size: MAX_PAGE_SIZE,
            event_buffer: 10_000,
            snapshot_progress: None,
        }
    }
}

impl PresenceMirror {
    /// The presence of `user_id`, if the mirror holds the user.
    pub fn get(&self, user_id: UserId) -> Option<Presence> {
        let view = self.shared.read();
        view.users
            .get(&user_id)
            .map(|held| held.to_presence(user_id))
    }

    /// How many users the mirror holds.
    pub fn len(&self) -> usize {
        self.shared.read().users.len()
    }

    /// Whether the mirror holds no user (before its first snapshot, for example).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many users are in each category.
    pub fn count_by_category(&self) -> HashMap<PresenceCategory, usize> {
        let view = self.shared.read();
        let mut counts = HashMap::new();
        for held in view.users.values() {
            *counts.entry(held.category.clone()).or_insert(0) += 1;
        }
        counts
    }

    /// A consistent copy of every presence held, taken at one instant.
    pub fn snapshot(&self) -> BTreeMap<UserId, Presence> {
        let view = self.shared.read();
        view.users
            .iter()
            .map(|(user_id, held)| (*user_id, held.to_presence(*user_id)))
            .collect()
    }

    /// Stops the mirror and deletes its feed.
    ///
    /// # Errors
    ///
    /// The error of deleting the feed, if that failed (the feed then expires on its own).
    pub async fn close(mut self) -> Result<(), Error> {
        drop(self.stop.take());
        match self.closed.take() {
            Some(closed) => closed.await.unwrap_or(Ok(())),
            None => Ok(()),
        }
    }
}

impl Stream for PresenceMirror {
    type Item = MirrorEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<MirrorEvent>> {
        self.events.poll_recv(cx)
    }
}

impl fmt::Debug for PresenceMirror {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresenceMirror")
            .field("users", &self.len())
            .finish_non_exhaustive()
    }
}
