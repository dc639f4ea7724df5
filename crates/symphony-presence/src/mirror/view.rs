//! The mirrored presences, and how a change is applied to them.

use std::collections::HashMap;

use crate::{Presence, PresenceCategory, Timestamp, UserId};

/// Every user's presence, as the mirror holds it.
#[derive(Debug, Default)]
pub(crate) struct View {
    pub(crate) users: HashMap<UserId, Held>,
}

/// One user's presence, without the user id the map already holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Held {
    pub(crate) category: PresenceCategory,
    pub(crate) timestamp: Option<Timestamp>,
}

impl Held {
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
        match self.users.get_mut(&user_id) {
            Some(held) => {
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
            None => {
                self.users.insert(user_id, incoming);
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
}
