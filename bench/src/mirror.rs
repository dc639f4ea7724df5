//! The presence mirror against the in-process pod: how fast its first snapshot is taken, how
//! fast it applies the changes its feed reports, and how much memory it holds per user.
//!
//! - Snapshot: from `start()` to the `Resynced` event (feed creation and every page).
//! - Changes: each round changes every user once, in a random order, to a random documented
//!   category other than the current one, all while the mirror waits between two reads; the
//!   mirror then reads them back to back, 500 a read. The rate is taken between the first and
//!   the last `Changed` event of the round, leaving out the first read's 500 changes, which
//!   arrive at the first event. The client thread's CPU time over the same span gives the
//!   mirror's own cost; the pod's thread is measured apart.
//! - Memory (with the `count-allocations` feature): the bytes allocated and not freed by the
//!   whole process, over the users held: its growth from just before `start()` to just after
//!   the snapshot's `Resynced`, and, after the rounds of changes, what `close()` frees (the
//!   pod's own memory grows with the changes, so a growth would count it too). Counted are the
//!   sizes requested from the allocator (`Layout::size`), not the allocator's own overhead per
//!   block. The client's connection has already carried a full listing, so that its buffers
//!   have grown before the first figure.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::{StreamExt, TryStreamExt};
use nix::sys::resource::UsageWho;
use symphony_presence::{
    MAX_FEED_BATCH, MAX_PAGE_SIZE, MirrorEvent, PresenceCategory, PresenceClient, PresenceMirror,
};

use crate::measure;
use crate::server::Server;

/// The wait between two feed reads that found fewer than 500 changes: long enough that a
/// round's changes are all made while the mirror waits.
const INTERVAL: Duration = Duration::from_secs(2);
/// How long after a round the mirror is left to make its last, short read.
const SETTLE: Duration = Duration::from_millis(300);
/// A presence's data: the user id (8 bytes), the timestamp (8 bytes) and one of the 11
/// documented categories (1 byte).
pub const PRESENCE_BYTES: f64 = 17.0;

const READ_FEED: &str = "get_v1_presence_feed_feed_id_read";

/// The categories a round picks from: the documented ones that can be set.
const CATEGORIES: [PresenceCategory; 10] = [
    PresenceCategory::Available,
    PresenceCategory::Busy,
    PresenceCategory::Away,
    PresenceCategory::OnThePhone,
    PresenceCategory::BeRightBack,
    PresenceCategory::InAMeeting,
    PresenceCategory::OutOfOffice,
    PresenceCategory::Offline,
    PresenceCategory::OffWork,
    PresenceCategory::DoNotDisturb,
];

pub struct MirrorRun {
    pub users: usize,
    pub snapshot: Duration,
    /// The client thread's CPU time during the snapshot.
    pub snapshot_client_cpu: Duration,
    /// The pod thread's CPU time during the snapshot.
    pub snapshot_server_cpu: Duration,
    /// The client thread's CPU time for the same listing without a mirror.
    pub listing_client_cpu: Duration,
    pub changes: u64,
    /// Changes applied per second, wall clock, between the first and last event of a round.
    pub changes_per_sec: f64,
    /// Client thread CPU time per change over the same spans.
    pub client_cpu_per_change: Duration,
    /// Pod thread CPU time per change over the same spans.
    pub server_cpu_per_change: Duration,
    /// Rounds made again because a feed read came while their changes were being made.
    pub rounds_redone: usize,
    /// Live bytes per user: the growth from before `start()` to the snapshot's end, and what
    /// closing the mirror freed after the rounds (none without the counting allocator).
    pub bytes_per_user: Option<(f64, f64)>,
}

/// Mirrors every user of the server's pod through `client`, then makes `rounds` rounds of
/// changes.
pub async fn run(
    client: &PresenceClient,
    server: &Server,
    rounds: usize,
) -> Result<MirrorRun, String> {
    // Warm the connection up with a full listing, so that its buffers have grown already; its
    // client CPU time is what paging alone costs, without the mirror.
    let listing_cpu = measure::cpu_time(UsageWho::RUSAGE_THREAD);
    let listed = client
        .list_all_presence()
        .page_size(MAX_PAGE_SIZE)
        .stream()
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await
        .map_err(|e| e.to_string())?;
    let listing_client_cpu = measure::cpu_time(UsageWho::RUSAGE_THREAD).saturating_sub(listing_cpu);

    let before = measure::allocated_bytes();
    let client_cpu = measure::cpu_time(UsageWho::RUSAGE_THREAD);
    let server_cpu = server.cpu_time().await;
    let started = Instant::now();
    let mut mirror = client
        .mirror()
        .interval(INTERVAL)
        .page_size(MAX_PAGE_SIZE)
        .event_buffer(listed + MAX_FEED_BATCH)
        .start();
    let users = match mirror.next().await {
        Some(MirrorEvent::Resynced { users }) => users,
        other => return Err(format!("the snapshot failed: {other:?}")),
    };
    let snapshot = started.elapsed();
    let snapshot_client_cpu = measure::cpu_time(UsageWho::RUSAGE_THREAD).saturating_sub(client_cpu);
    let snapshot_server_cpu = server.cpu_time().await.saturating_sub(server_cpu);
    let after_snapshot = measure::allocated_bytes();

    let mut categories: BTreeMap<i64, usize> = server
        .pod
        .presences()
        .into_iter()
        .map(|(uid, p)| {
            let index = CATEGORIES
                .iter()
                .position(|c| c.as_str() == p.category)
                .unwrap_or(0);
            (uid, index)
        })
        .collect();
    let mut totals = Totals::default();
    let mut rounds_redone = 0;
    let mut done = 0;
    while done < rounds {
        match round(&mut mirror, server, &mut categories).await? {
            Some(measured) => {
                totals.add(&measured);
                done += 1;
            }
            None => rounds_redone += 1,
        }
        if rounds_redone > rounds {
            return Err("feed reads kept coming while the changes were made".into());
        }
    }
    // What closing the mirror frees is what it held after the changes (the pod, in the same
    // process, keeps growing with them: it indexes every user's last change).
    let before_close = measure::allocated_bytes();
    mirror.close().await.map_err(|e| e.to_string())?;
    let after_close = measure::allocated_bytes();

    let per_user =
        |from: Option<usize>, to: Option<usize>| Some((to? as f64 - from? as f64) / users as f64);
    let changes = totals.changes.max(1) as f64;
    Ok(MirrorRun {
        users,
        snapshot,
        snapshot_client_cpu,
        snapshot_server_cpu,
        listing_client_cpu,
        changes: totals.changes,
        changes_per_sec: totals.changes as f64 / totals.wall.as_secs_f64().max(f64::MIN_POSITIVE),
        client_cpu_per_change: totals.client_cpu.div_f64(changes),
        server_cpu_per_change: totals.server_cpu.div_f64(changes),
        rounds_redone,
        bytes_per_user: per_user(before, after_snapshot).zip(per_user(after_close, before_close)),
    })
}

/// What one round measured: the changes after the first read's, and the time they took.
#[derive(Default)]
struct Totals {
    changes: u64,
    wall: Duration,
    client_cpu: Duration,
    server_cpu: Duration,
}

impl Totals {
    fn add(&mut self, other: &Totals) {
        self.changes += other.changes;
        self.wall += other.wall;
        self.client_cpu += other.client_cpu;
        self.server_cpu += other.server_cpu;
    }
}

/// Changes every user once while the mirror waits, then times how it applies them. `None` if a
/// feed read came while the changes were being made (the round is then not counted).
async fn round(
    mirror: &mut PresenceMirror,
    server: &Server,
    categories: &mut BTreeMap<i64, usize>,
) -> Result<Option<Totals>, String> {
    tokio::time::sleep(SETTLE).await;
    let mut order: Vec<i64> = categories.keys().copied().collect();
    fastrand::shuffle(&mut order);
    let reads = server.pod.counters().requests_to(READ_FEED);
    for uid in &order {
        let current = categories[uid];
        let next = (current + 1 + fastrand::usize(..CATEGORIES.len() - 1)) % CATEGORIES.len();
        categories.insert(*uid, next);
        server
            .pod
            .set_presence(*uid, CATEGORIES[next].clone())
            .map_err(|e| e.to_string())?;
    }
    let overlapped = server.pod.counters().requests_to(READ_FEED) != reads;

    let expected = order.len() as u64;
    let mut received = 0u64;
    let mut first = None;
    while received < expected {
        match mirror.next().await {
            Some(MirrorEvent::Changed { .. }) => received += 1,
            Some(MirrorEvent::Lagged { missed }) => received += missed,
            Some(other) => return Err(format!("unexpected event during a round: {other:?}")),
            None => return Err("the mirror ended".into()),
        }
        if first.is_none() {
            first = Some((
                Instant::now(),
                measure::cpu_time(UsageWho::RUSAGE_THREAD),
                server.cpu_time().await,
            ));
        }
    }
    let (wall, client_cpu, server_cpu) =
        first.unwrap_or((Instant::now(), Duration::ZERO, Duration::ZERO));
    let measured = Totals {
        changes: expected.saturating_sub(MAX_FEED_BATCH as u64),
        wall: wall.elapsed(),
        client_cpu: measure::cpu_time(UsageWho::RUSAGE_THREAD).saturating_sub(client_cpu),
        server_cpu: server.cpu_time().await.saturating_sub(server_cpu),
    };
    Ok((!overlapped).then_some(measured))
}
