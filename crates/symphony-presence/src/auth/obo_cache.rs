//! [`OboCache`]: which users' OBO sessions an app keeps, as a true LRU with a time to live.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use super::login::OboUser;
use super::token_cell::TokenCell;

/// The token cells of the users an app acts for.
///
/// At most `capacity` cells are kept, the least recently used dropped first, and a cell not used
/// for `ttl` is dropped when next looked up. A use is a new client for the user
/// ([`OboCache::cell`]) or a call of the user's session ([`OboCache::used`]). A dropped cell that a client still holds stays the
/// user's: the next client for that user gets the same cell, so eviction never makes a second
/// token or a second authentication for a session still in use.
pub(crate) struct OboCache {
    recent: lru::LruCache<OboUser, Entry>,
    ttl: Duration,
    /// Every cell handed out, to find the ones clients still hold after they left `recent`.
    handed_out: HashMap<OboUser, Weak<TokenCell>>,
}

struct Entry {
    cell: Arc<TokenCell>,
    used: Instant,
}

impl OboCache {
    pub(crate) fn new(capacity: NonZeroUsize, ttl: Duration) -> Self {
        OboCache {
            recent: lru::LruCache::new(capacity),
            ttl,
            handed_out: HashMap::new(),
        }
    }

    /// Records a call of `user`'s session: the user becomes the most recently used. An O(1)
    /// move under the app's lock, so that eviction need not look for the least recently used.
    pub(crate) fn used(&mut self, user: &OboUser) {
        if let Some(entry) = self.recent.get_mut(user) {
            entry.used = Instant::now();
        }
    }

    /// The user's cell: the cached one, the one a client still holds, or a new one.
    pub(crate) fn cell(&mut self, user: &OboUser) -> Arc<TokenCell> {
        let now = Instant::now();
        if let Some(entry) = self.recent.get_mut(user) {
            if now.duration_since(entry.used) < self.ttl {
                entry.used = now;
                return entry.cell.clone();
            }
            self.recent.pop(user);
        }
        let cell = self
            .handed_out
            .get(user)
            .and_then(Weak::upgrade)
            .unwrap_or_default();
        self.recent.put(
            user.clone(),
            Entry {
                cell: cell.clone(),
                used: now,
            },
        );
        self.handed_out.insert(user.clone(), Arc::downgrade(&cell));
        if self.handed_out.len() > 2 * self.recent.cap().get() {
            // Amortised: at most every `capacity` new users.
            self.handed_out.retain(|_, cell| cell.strong_count() > 0);
        }
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UserId;

    fn cache(capacity: usize, ttl: Duration) -> OboCache {
        OboCache::new(NonZeroUsize::new(capacity).unwrap(), ttl)
    }

    fn user(n: i64) -> OboUser {
        OboUser::Id(UserId(n))
    }

    #[test]
    fn the_least_recently_used_user_is_evicted_first() {
        let mut c = cache(2, Duration::from_secs(3600));
        let first = Arc::as_ptr(&c.cell(&user(1)));
        c.cell(&user(2));
        c.cell(&user(1)); // 2 is now the least recently used
        c.cell(&user(3)); // evicts 2
        assert!(c.recent.contains(&user(1)));
        assert!(!c.recent.contains(&user(2)));
        assert_eq!(Arc::as_ptr(&c.cell(&user(1))), first);
    }

    #[test]
    fn a_call_makes_its_user_the_most_recently_used() {
        let mut c = cache(2, Duration::from_secs(3600));
        c.cell(&user(1));
        c.cell(&user(2));
        c.used(&user(1)); // a call of user 1's session: 2 is now the least recently used
        c.cell(&user(3));
        assert!(c.recent.contains(&user(1)));
        assert!(!c.recent.contains(&user(2)));
    }

    #[test]
    fn an_evicted_cell_still_held_is_handed_out_again() {
        let mut c = cache(1, Duration::from_secs(3600));
        let held = c.cell(&user(1));
        c.cell(&user(2)); // evicts 1 from the cache, but `held` keeps it alive
        assert!(Arc::ptr_eq(&c.cell(&user(1)), &held));
    }

    #[test]
    fn an_evicted_cell_nobody_holds_is_replaced() {
        let mut c = cache(1, Duration::from_secs(3600));
        let first = Arc::downgrade(&c.cell(&user(1)));
        c.cell(&user(2));
        assert!(first.upgrade().is_none());
        assert_eq!(Arc::strong_count(&c.cell(&user(1))), 2);
    }

    #[test]
    fn an_entry_unused_for_its_ttl_is_dropped() {
        let mut c = cache(10, Duration::ZERO);
        let first = Arc::downgrade(&c.cell(&user(1)));
        // With a zero TTL every lookup finds the entry expired; nobody holds the old cell.
        let second = c.cell(&user(1));
        assert!(first.upgrade().is_none());
        assert_eq!(Arc::strong_count(&second), 2);
    }

    #[test]
    fn the_record_of_handed_out_cells_stays_bounded() {
        let mut c = cache(100, Duration::from_secs(3600));
        for n in 0..10_000 {
            c.cell(&user(n));
        }
        assert!(c.handed_out.len() <= 200, "{}", c.handed_out.len());
    }
}
