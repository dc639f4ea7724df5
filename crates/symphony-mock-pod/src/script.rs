//! Scripted presence: [`StoredPresence`], and [`RandomChanges`], a background changer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use crate::server::lock;
use crate::state::{FIRST_USER_ID, SEED_CATEGORIES, State};

/// The most changes per second [`random_changes`](crate::RunningMockPod::random_changes)
/// makes; it caps larger rates to this.
pub const MAX_RANDOM_CHANGES_PER_SECOND: u32 = 10_000;

/// The changer wakes up at most this often, making several changes per wake-up at high rates.
const MIN_TICK: Duration = Duration::from_millis(10);

/// A user's presence as the pod stores it, from
/// [`RunningMockPod::presences`](crate::RunningMockPod::presences).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct StoredPresence {
    /// The category, verbatim (any string a test set, not only the documented ones).
    pub category: String,
    /// When it was last set, by the pod's clock, in milliseconds since the Unix epoch.
    pub timestamp: i64,
}

/// Random presence changes in the background, from
/// [`RunningMockPod::random_changes`](crate::RunningMockPod::random_changes). Dropping it (or
/// [`stop`](Self::stop)) stops the changes; they also stop when the pod is dropped.
#[derive(Debug)]
pub struct RandomChanges {
    task: JoinHandle<()>,
    made: Arc<AtomicU64>,
    per_second: u32,
}

impl RandomChanges {
    pub(crate) fn start(
        runtime: &tokio::runtime::Handle,
        state: Weak<Mutex<State>>,
        per_second: u32,
    ) -> Self {
        let per_second = per_second.min(MAX_RANDOM_CHANGES_PER_SECOND);
        let made = Arc::new(AtomicU64::new(0));
        let task = runtime.spawn(change(state, per_second, made.clone()));
        RandomChanges {
            task,
            made,
            per_second,
        }
    }

    /// How many changes it has made so far.
    pub fn changes_made(&self) -> u64 {
        self.made.load(Ordering::Relaxed)
    }

    /// The rate it runs at: the one asked for, at most [`MAX_RANDOM_CHANGES_PER_SECOND`].
    pub fn per_second(&self) -> u32 {
        self.per_second
    }

    /// Stops the changes now; returns how many were made.
    pub fn stop(self) -> u64 {
        self.task.abort();
        self.changes_made()
    }
}

impl Drop for RandomChanges {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Makes `per_second` changes a second, spread over ticks of at least [`MIN_TICK`]. Changes
/// missed while the machine was too busy are skipped, not made in a burst, so the rate never
/// goes above `per_second`.
async fn change(state: Weak<Mutex<State>>, per_second: u32, made: Arc<AtomicU64>) {
    if per_second == 0 {
        return;
    }
    let period = (Duration::from_secs(1) / per_second).max(MIN_TICK);
    let per_tick = (u128::from(per_second) * period.as_nanos()).div_ceil(1_000_000_000);
    let per_tick = u64::try_from(per_tick).unwrap_or(u64::MAX);
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let start = Instant::now();
    let mut due_before: u64 = 0;
    loop {
        ticks.tick().await;
        let due = start.elapsed().as_nanos() * u128::from(per_second) / 1_000_000_000;
        let due = u64::try_from(due).unwrap_or(u64::MAX);
        let now_due = due.saturating_sub(due_before).min(per_tick);
        due_before = due;
        let Some(state) = state.upgrade() else {
            return;
        };
        let mut st = lock(&state);
        for _ in 0..now_due {
            random_change(&mut st);
        }
        made.fetch_add(now_due, Ordering::Relaxed);
    }
}

/// Sets a random user to a random settable category other than their current one.
fn random_change(state: &mut State) {
    let users = state.users.len();
    if users == 0 {
        return;
    }
    let uid = FIRST_USER_ID + i64::try_from(fastrand::usize(..users)).unwrap_or(0);
    let Some(current) = state.users.get(&uid).map(|u| u.category.clone()) else {
        return;
    };
    let others: Vec<&str> = SEED_CATEGORIES
        .iter()
        .copied()
        .filter(|c| *c != current)
        .collect();
    let category = others[fastrand::usize(..others.len())];
    state.set_category(uid, category, false);
}
