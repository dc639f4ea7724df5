//! The pod's state: users and their presence, sessions, feeds, interest, faults and counters.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use jsonwebtoken::DecodingKey;
use serde::Serialize;

use crate::clock::PodClock;
use crate::faults::Faults;

/// The id of the first seeded user; user `i` has id `FIRST_USER_ID + i`.
pub const FIRST_USER_ID: i64 = 349_026_222_340_000;

/// The categories seeded users cycle through: the ten of the documented table.
pub(crate) const SEED_CATEGORIES: [&str; 10] = [
    "AVAILABLE",
    "BUSY",
    "AWAY",
    "ON_THE_PHONE",
    "BE_RIGHT_BACK",
    "IN_A_MEETING",
    "OUT_OF_OFFICE",
    "OFFLINE",
    "OFF_WORK",
    "DO_NOT_DISTURB",
];

/// Requests per endpoint, the authentications the pod granted, and what each listener saw.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// Requests per operation id (for example `get_v2_user_presence`), faulted ones included.
    pub requests: BTreeMap<String, u64>,
    /// App sessions issued, by RSA (`/login`) or certificate (`/sessionauth`).
    pub app_authentications: u64,
    /// Bot sessions issued, by RSA (`/login`) or certificate (`/sessionauth`).
    pub bot_authentications: u64,
    /// On-behalf-of user sessions issued, through `/login` or `/sessionauth`.
    pub obo_authentications: u64,
    /// On-behalf-of authentications refused because the user has not installed the app
    /// ([`MockPodConfig::obo_refused_user`](crate::MockPodConfig::obo_refused_user)).
    pub obo_refusals: u64,
    /// Connections, requests and client certificates per listener. A listener that has seen
    /// nothing has no entry.
    pub listeners: BTreeMap<Listener, ListenerCounters>,
}

/// One of the pod's listeners on 127.0.0.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Listener {
    /// The pod's port: `/pod`, `/login`, `/_mock`, and `/sessionauth` unless it has its own.
    Pod,
    /// The Authenticator API's own port, set with
    /// [`TlsConfig::session_auth_port`](crate::TlsConfig::session_auth_port).
    SessionAuth,
}

/// What one listener saw.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListenerCounters {
    /// TCP connections accepted, including those whose TLS handshake then failed.
    pub connections: u64,
    /// TLS handshakes that failed or timed out (for example a client that does not trust the
    /// CA, or a missing certificate where one is required).
    pub failed_handshakes: u64,
    /// Requests served, of every path.
    pub requests: u64,
    /// Requests that came over a connection with a verified client certificate, by the
    /// certificate's common name (`""` for a certificate without one).
    pub client_certificates: BTreeMap<String, u64>,
}

impl Counters {
    /// Requests to one operation.
    pub fn requests_to(&self, operation: &str) -> u64 {
        self.requests.get(operation).copied().unwrap_or(0)
    }

    /// Requests to every operation.
    pub fn total_requests(&self) -> u64 {
        self.requests.values().sum()
    }

    /// What one listener saw (all zero if it saw nothing).
    pub fn listener(&self, listener: Listener) -> ListenerCounters {
        self.listeners.get(&listener).cloned().unwrap_or_default()
    }

    pub(crate) fn listener_mut(&mut self, listener: Listener) -> &mut ListenerCounters {
        self.listeners.entry(listener).or_default()
    }
}

/// How many requests the journal keeps: the most recent ones.
pub const JOURNAL_CAPACITY: usize = 10_000;

/// One request to a known operation, as the pod answered it; see
/// [`RunningMockPod::journal`](crate::RunningMockPod::journal).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct JournalEntry {
    /// The request's number in the pod's life, from 0, without gaps: the journal keeps the last
    /// [`JOURNAL_CAPACITY`] entries, so the first entry's number says how many were let go.
    pub sequence: u64,
    /// The operation id, as in [`Counters::requests`] (for example `get_v2_user_presence`).
    pub operation: String,
    /// The user the request acts as, where known: for the Pod API, the user of the session in
    /// `sessionToken` (none without a live user session); for an on-behalf-of
    /// authentication, the user asked for (none if unknown); none for app and bot
    /// authentication.
    pub user_id: Option<i64>,
    /// The HTTP status answered; none when a fault dropped the connection.
    pub status: Option<u16>,
    /// When it was answered, by the pod's clock, in milliseconds since the Unix epoch.
    pub timestamp: i64,
}

pub(crate) struct User {
    pub category: String,
    pub timestamp: i64,
    /// Change sequence number, for feeds.
    pub seq: u64,
}

/// A presence feed.
pub(crate) struct Feed {
    /// The last change sequence number read.
    pub seq: u64,
    /// When it was created or last read.
    pub read_at: Instant,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Principal {
    App(String),
    User(i64),
}

pub(crate) struct Session {
    pub principal: Principal,
    pub expires: Instant,
}

/// A registered bot: a user of the pod with a service account.
pub(crate) struct Bot {
    /// Its RSA public key (none for a bot that authenticates by certificate only).
    pub key: Option<DecodingKey>,
    pub uid: i64,
}

pub(crate) struct State {
    pub users: BTreeMap<i64, User>,
    pub usernames: HashMap<String, i64>,
    /// App id → its RSA public key (none for an app that authenticates by certificate only).
    pub apps: HashMap<String, Option<DecodingKey>>,
    pub bots: HashMap<String, Bot>,
    pub sessions: HashMap<String, Session>,
    pub token_ttl: Duration,
    /// Feed id → what it has read, and when.
    pub feeds: HashMap<String, Feed>,
    /// How long a feed lives without being read (none: for ever).
    pub feed_ttl: Option<Duration>,
    /// Caller → users whose presence it registered interest in.
    pub interest: HashMap<i64, HashSet<i64>>,
    /// Users without the administrative privileges and entitlements.
    pub restricted: HashSet<i64>,
    /// Users no app may act for (they have not installed it).
    pub obo_refused: HashSet<i64>,
    pub seq: u64,
    /// Each changed user's last change, by its sequence number: what feeds read, in order,
    /// without going through every user.
    pub changes: BTreeMap<u64, i64>,
    /// The pod's time: this machine's, shifted by the configured offset.
    pub clock: PodClock,
    pub faults: Faults,
    pub counters: Counters,
    /// The last [`JOURNAL_CAPACITY`] requests.
    pub journal: VecDeque<JournalEntry>,
    /// The sequence number of the next journal entry.
    pub journaled: u64,
}

impl State {
    pub(crate) fn new(users: usize, token_ttl: Duration, clock: PodClock) -> Self {
        let mut state = State {
            users: BTreeMap::new(),
            usernames: HashMap::new(),
            apps: HashMap::new(),
            bots: HashMap::new(),
            sessions: HashMap::new(),
            token_ttl,
            feeds: HashMap::new(),
            feed_ttl: None,
            interest: HashMap::new(),
            restricted: HashSet::new(),
            obo_refused: HashSet::new(),
            seq: 0,
            changes: BTreeMap::new(),
            clock,
            faults: Faults::default(),
            counters: Counters::default(),
            journal: VecDeque::new(),
            journaled: 0,
        };
        let now = clock.now_millis();
        for i in 0..users {
            state.add_user(
                format!("user{i}"),
                SEED_CATEGORIES[i % SEED_CATEGORIES.len()],
                now,
            );
        }
        state
    }

    pub(crate) fn add_user(&mut self, username: String, category: &str, timestamp: i64) -> i64 {
        let id =
            FIRST_USER_ID + i64::try_from(self.users.len()).unwrap_or(i64::MAX - FIRST_USER_ID);
        self.usernames.insert(username.clone(), id);
        self.users.insert(
            id,
            User {
                category: category.to_owned(),
                timestamp,
                seq: 0,
            },
        );
        id
    }

    /// Issues a random token for `principal` that lives `token_ttl`.
    pub(crate) fn issue(&mut self, principal: Principal) -> String {
        let token: String = (0..4)
            .map(|_| format!("{:016x}", fastrand::u64(..)))
            .collect();
        self.sessions.insert(
            token.clone(),
            Session {
                principal,
                expires: Instant::now() + self.token_ttl,
            },
        );
        token
    }

    /// The principal of a live session.
    pub(crate) fn principal(&self, token: Option<&str>) -> Option<Principal> {
        let session = self.sessions.get(token?)?;
        (session.expires > Instant::now()).then(|| session.principal.clone())
    }

    pub(crate) fn set_category(&mut self, uid: i64, category: &str, soft: bool) {
        self.seq += 1;
        let seq = self.seq;
        if let Some(user) = self.users.get_mut(&uid) {
            // With `soft`, an offline user stays offline.
            if soft && user.category == "OFFLINE" {
                return;
            }
            user.category = category.to_owned();
            user.timestamp = self.clock.now_millis();
            self.changes.remove(&user.seq);
            user.seq = seq;
            self.changes.insert(seq, uid);
        }
    }

    /// The users changed after the change numbered `after`, oldest change first, at most
    /// `limit`.
    pub(crate) fn changed_after(&self, after: u64, limit: usize) -> Vec<(i64, &User)> {
        self.changes
            .range(after.saturating_add(1)..)
            .take(limit)
            .filter_map(|(_, uid)| Some((*uid, self.users.get(uid)?)))
            .collect()
    }

    /// Forgets the feeds not read within the feed TTL.
    pub(crate) fn expire_feeds(&mut self) {
        if let Some(ttl) = self.feed_ttl {
            self.feeds.retain(|_, feed| feed.read_at.elapsed() <= ttl);
        }
    }

    /// A live feed: one that exists and, with a feed TTL, was read within it. An expired feed
    /// is forgotten.
    pub(crate) fn feed(&mut self, id: &str) -> Option<&mut Feed> {
        let expired = match (self.feeds.get(id), self.feed_ttl) {
            (Some(feed), Some(ttl)) => feed.read_at.elapsed() > ttl,
            _ => false,
        };
        if expired {
            self.feeds.remove(id);
        }
        self.feeds.get_mut(id)
    }

    /// Adds a request to the journal, letting the oldest go beyond [`JOURNAL_CAPACITY`].
    pub(crate) fn record(&mut self, operation: &str, user_id: Option<i64>, status: Option<u16>) {
        if self.journal.len() == JOURNAL_CAPACITY {
            self.journal.pop_front();
        }
        self.journal.push_back(JournalEntry {
            sequence: self.journaled,
            operation: operation.to_owned(),
            user_id,
            status,
            timestamp: self.clock.now_millis(),
        });
        self.journaled += 1;
    }

    pub(crate) fn count(&mut self, operation: &str) {
        *self
            .counters
            .requests
            .entry(operation.to_owned())
            .or_default() += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_journal_keeps_the_last_entries_numbered_without_gaps() {
        let mut state = State::new(1, Duration::from_secs(60), PodClock::default());
        for i in 0..JOURNAL_CAPACITY + 50 {
            state.record("get_v2_user_presence", Some(i as i64), Some(200));
        }
        assert_eq!(state.journal.len(), JOURNAL_CAPACITY);
        assert_eq!(state.journal.front().map(|e| e.sequence), Some(50));
        assert_eq!(
            state.journal.back().map(|e| e.sequence),
            Some((JOURNAL_CAPACITY + 49) as u64)
        );
        assert_eq!(state.journal.front().and_then(|e| e.user_id), Some(50));
    }
}
