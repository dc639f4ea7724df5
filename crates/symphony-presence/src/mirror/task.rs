//! The mirror's task: feed, snapshot, changes, and recovery, until the handle goes.

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::view::{Applied, Held, View};
use super::{MirrorEvent, ProgressCallback, Shared, SnapshotProgress};
use crate::client::PresenceClient;
use crate::error::Error;
use crate::feed::{FeedId, MAX_FEED_BATCH, error_backoff};
use crate::{Presence, UserId};

/// Failed reads in a row after which the feed is given up and a new one made.
const FAILED_READS_BEFORE_RESYNC: u32 = 3;

pub(super) struct Mirroring {
    pub client: PresenceClient,
    pub interval: Duration,
    pub page_size: u32,
    pub snapshot_progress: Option<ProgressCallback>,
    pub shared: Arc<Shared>,
    pub events: Events,
}

/// Why following a feed ended.
enum FeedEnded {
    /// The pod no longer knows it.
    Gone,
    /// Reads kept failing.
    Failing,
}

impl Mirroring {
    /// Mirrors until `stopped` resolves (the handle was closed or dropped), then deletes the
    /// feed and reports how that went on `closed`.
    pub(super) async fn run(
        mut self,
        mut stopped: oneshot::Receiver<()>,
        closed: oneshot::Sender<Result<(), Error>>,
    ) {
        let mut feed = None;
        tokio::select! {
            _ = &mut stopped => {}
            () = self.mirror(&mut feed) => {}
        }
        let deleted = match &feed {
            Some(feed) => self.client.delete_feed(feed).await,
            None => Ok(()),
        };
        let _ = closed.send(deleted);
    }

    /// Creates a feed, takes a snapshot, follows the feed, and starts again when it is lost.
    /// `feed` is the feed in use, for the caller to delete.
    async fn mirror(&mut self, feed: &mut Option<FeedId>) {
        let mut synced_once = false;
        let mut failures = 0;
        loop {
            if failures > 0 {
                tokio::time::sleep(error_backoff(self.interval, failures)).await;
            }
            let current = match feed {
                Some(current) => current.clone(),
                None => match self.client.create_feed().await {
                    Ok(created) => feed.insert(created).clone(),
                    Err(error) => {
                        failures += 1;
                        self.events.send(MirrorEvent::Degraded { error });
                        continue;
                    }
                },
            };
            // After the feed, so that no change between the snapshot and the feed is lost.
            match self.snapshot(!synced_once).await {
                Ok(view) => self.resync(view, synced_once),
                Err(error) => {
                    failures += 1;
                    self.events.send(MirrorEvent::Degraded { error });
                    continue;
                }
            }
            synced_once = true;
            failures = 0;
            if let FeedEnded::Failing = self.follow(&current).await {
                // It may still exist: let it go rather than leave it behind.
                let _ = self.client.delete_feed(&current).await;
            }
            *feed = None;
        }
    }

    /// Every user's presence now, reporting its progress after each page.
    async fn snapshot(&self, first: bool) -> Result<View, Error> {
        // Pages come in user id order: the view is built from them in one pass at the end.
        let mut listed = Vec::with_capacity(self.shared.read().users.len());
        let mut pages = self
            .client
            .list_all_presence()
            .page_size(self.page_size)
            .pages();
        let mut progress = SnapshotProgress {
            users: 0,
            pages: 0,
            first,
        };
        while let Some(page) = pages.next_page().await? {
            progress.users += page.len();
            progress.pages += 1;
            listed.extend(page.into_iter().filter_map(Held::listed));
            if let Some(callback) = &self.snapshot_progress {
                callback.report(progress);
            }
        }
        Ok(View::from_listing(listed))
    }

    /// Makes `fresh` the view; after the first snapshot, reports each user whose presence
    /// differs from what was held (changes missed while the feed was lost).
    fn resync(&mut self, fresh: View, report_changes: bool) {
        let mut changes = Vec::new();
        if report_changes {
            let held = self.shared.read();
            for (user_id, presence) in &fresh.users {
                let before = held.users.get(user_id);
                if before != Some(presence) {
                    changes.push(changed(
                        *user_id,
                        before.map(|h| h.category.clone()),
                        presence,
                    ));
                }
            }
        }
        let users = fresh.users.len();
        *self.shared.write() = fresh;
        for change in changes {
            self.events.send(change);
        }
        self.events.send(MirrorEvent::Resynced { users });
    }

    /// Reads `feed` and applies its changes until it is gone or keeps failing.
    async fn follow(&mut self, feed: &FeedId) -> FeedEnded {
        let mut failures = 0;
        let mut read = self.client.read_feed(feed).await;
        loop {
            match read {
                Ok(batch) if batch.len() >= MAX_FEED_BATCH => {
                    failures = 0;
                    // More changes are waiting: the next read goes out before this batch is
                    // applied, so that the pod serves it meanwhile.
                    let next = self.client.read_feed(feed).into_future();
                    let applied = async {
                        // Lets the connection's task send the request first, even on a
                        // single-threaded runtime.
                        tokio::task::yield_now().await;
                        apply(&self.shared, &mut self.events, batch);
                    };
                    (read, ()) = tokio::join!(next, applied);
                    continue;
                }
                Ok(batch) => {
                    failures = 0;
                    apply(&self.shared, &mut self.events, batch);
                    tokio::time::sleep(self.interval).await;
                }
                Err(error) => {
                    let gone = is_gone(&error);
                    self.events.send(MirrorEvent::Degraded { error });
                    if gone {
                        return FeedEnded::Gone;
                    }
                    failures += 1;
                    if failures >= FAILED_READS_BEFORE_RESYNC {
                        return FeedEnded::Failing;
                    }
                    tokio::time::sleep(error_backoff(self.interval, failures)).await;
                }
            }
            read = self.client.read_feed(feed).await;
        }
    }
}

/// Applies a batch of changes in order, and reports those that changed something.
fn apply(shared: &Shared, events: &mut Events, batch: Vec<Presence>) {
    let mut changes = Vec::new();
    {
        let mut view = shared.write();
        for presence in batch {
            if let (Applied::Changed { from }, Some(user_id)) =
                (view.apply(&presence), presence.user_id)
            {
                changes.push(MirrorEvent::Changed {
                    user_id,
                    from,
                    to: presence,
                });
            }
        }
    }
    for change in changes {
        events.send(change);
    }
}

fn changed(user_id: UserId, from: Option<crate::PresenceCategory>, to: &Held) -> MirrorEvent {
    MirrorEvent::Changed {
        user_id,
        from,
        to: to.to_presence(user_id),
    }
}

/// Whether the pod no longer knows the feed: 404, or the 400 "not found" pods answer.
fn is_gone(error: &Error) -> bool {
    match error {
        Error::NotFound(_) => true,
        Error::BadRequest(e) => e
            .message
            .as_deref()
            .is_some_and(|m| m.to_ascii_lowercase().contains("not found")),
        _ => false,
    }
}

/// The mirror's events, never waiting for their consumer: when its buffer is full, events
/// are counted and reported as [`MirrorEvent::Lagged`] once there is room.
pub(super) struct Events {
    sender: mpsc::Sender<MirrorEvent>,
    missed: u64,
}

impl Events {
    pub(super) fn new(sender: mpsc::Sender<MirrorEvent>) -> Self {
        Events { sender, missed: 0 }
    }

    fn send(&mut self, event: MirrorEvent) {
        if self.missed > 0 {
            let lagged = MirrorEvent::Lagged {
                missed: self.missed,
            };
            if self.sender.try_send(lagged).is_err() {
                self.missed += 1;
                return;
            }
            self.missed = 0;
        }
        if let Err(mpsc::error::TrySendError::Full(_)) = self.sender.try_send(event) {
            self.missed += 1;
        }
    }
}
