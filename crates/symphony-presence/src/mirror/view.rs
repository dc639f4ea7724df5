//! The mirrored presences, and how a change is applied to them.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use crate::{Presence, PresenceCategory, Timestamp, UserId};

/// Every user's presence, as the mirror holds it, by user id.
///
/// A B-tree rather than a hash map: a snapshot lists users in user id order, so the tree is
/// built in one pass with full nodes, without hashing or rehashing. In the mirror benchmark
/// (`bench --mirror`, 100,000 users) it adds next to nothing to the listing's own cost and holds
/// about 50 bytes a user, where a hash map added 0.3 to 0.4 µs a user (0.2 built at its final
/// capacity) and holds 56 to 112 bytes a user with its load factor. A change costs a little
/// more: a lookup visits a few nodes instead of one bucket (about 0.15 µs a change).
#[derive(Debug, Default)]
pub(crate) struct View {
    pub(crate) users: BTreeMap<UserId, Held>,
}

/// One user's presence, without the user id the map already holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Held {
    pub(crate) category: PresenceCategory,
    pub(crate) timestamp: Option<Timestamp>,
}

impl Held {
    /// A listed presence, by its user; none without a user id, which cannot be placed.
    pub(crate) fn listed(presence: Presence) -> Option<(UserId, Held)> {
        let held = Held {
            category: presence.category,
            timestamp: presence.timestamp,
        };
        Some((presence.user_id?, held))
    }

    pub(crate) fn to_presence(&self, user_id: UserId) -> Presence {
        Presence::new(self.category.clone())
            .with_user_id(user_id)
            .with_timestamp(self.timestamp)
    }
}

/// What applying a change did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Applied {
    /// The user's presence changed from `from` (none: a user not held before).
    Changed { from: Option<PresenceCategory> },
    /// Older than what is held, or the same: nothing changed.
    Ignored,
}

impl View {
    /// The view of a snapshot: every user's presence, as listed in user id order (pages never
    /// list a user twice).
    pub(crate) fn from_listing(listed: Vec<(UserId, Held)>) -> View {
        View {
            users: listed.into_iter().collect(),
        }
    }

    /// Applies `presence` unless it is older than what is held (by timestamp) or changes
    /// nothing. A presence without a user id cannot be placed and is ignored.
    pub(crate) fn apply(&mut self, presence: &Presence) -> Applied {
        let Some(user_id) = presence.user_id else {
            return Applied::Ignored;
        };
        let incoming = Held {
            category: presence.category.clone(),
            timestamp: presence.timestamp,
        };
        match self.users.entry(user_id) {
            Entry::Occupied(mut held) => {
                let held = held.get_mut();
                let older = matches!(
                    (incoming.timestamp, held.timestamp),
                    (Some(new), Some(old)) if new < old
                );
                if older || *held == incoming {
                    return Applied::Ignored;
                }
                let from = std::mem::replace(held, incoming).category;
                Applied::Changed { from: Some(from) }
            }
            Entry::Vacant(vacant) => {
                vacant.insert(incoming);
                Applied::Changed { from: None }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn presence(uid: i64, category: &str, at: i64) -> Presence {
        Presence::new(category.into())
            .with_user_id(UserId(uid))
            .with_timestamp(Timestamp::from_millis(at))
    }

    #[test]
    fn a_change_older_than_what_is_held_is_ignored() {
        let mut view = View::default();
        assert_eq!(
            view.apply(&presence(1, "BUSY", 20)),
            Applied::Changed { from: None }
        );
        assert_eq!(view.apply(&presence(1, "AWAY", 10)), Applied::Ignored);
        assert_eq!(view.apply(&presence(1, "BUSY", 20)), Applied::Ignored);
        assert_eq!(
            view.apply(&presence(1, "AWAY", 30)),
            Applied::Changed {
                from: Some(PresenceCategory::Busy)
            }
        );
        assert_eq!(view.users[&UserId(1)].category, PresenceCategory::Away);
    }

    #[test]
    fn a_listing_becomes_the_view_and_presences_without_a_user_are_left_out() {
        let listed = [
            presence(1, "BUSY", 10),
            Presence::new(PresenceCategory::Away),
            presence(3, "AWAY", 30),
        ];
        let view = View::from_listing(listed.into_iter().filter_map(Held::listed).collect());
        assert_eq!(view.users.len(), 2);
        assert_eq!(
            view.users[&UserId(1)].to_presence(UserId(1)),
            presence(1, "BUSY", 10)
        );
        assert_eq!(
            view.users[&UserId(3)].to_presence(UserId(3)),
            presence(3, "AWAY", 30)
        );
    }
}
