//! [`MockPodConfig`]: what the simulated pod starts with.

use std::time::Duration;

use crate::clock::ClockOffset;
use crate::tls::TlsConfig;

/// How a [`MockPod`](crate::MockPod) starts: its users, registered apps and bots, token
/// lifetime, port, and TLS.
#[derive(Clone, Debug)]
pub struct MockPodConfig {
    pub(crate) port: u16,
    pub(crate) users: usize,
    pub(crate) token_ttl: Duration,
    /// App id → RSA public key PEM (none: certificate authentication only).
    pub(crate) apps: Vec<(String, Option<String>)>,
    /// Bot username → RSA public key PEM (none: certificate authentication only).
    pub(crate) bots: Vec<(String, Option<String>)>,
    pub(crate) restricted: Vec<i64>,
    pub(crate) tls: Option<TlsConfig>,
    pub(crate) clock_offset: ClockOffset,
}

impl Default for MockPodConfig {
    /// An ephemeral port, 100 users, 1-hour tokens, no apps or bots, nobody restricted, plain
    /// HTTP/1.1, the pod's clock on this machine's.
    fn default() -> Self {
        MockPodConfig {
            port: 0,
            users: 100,
            token_ttl: Duration::from_secs(3600),
            apps: Vec::new(),
            bots: Vec::new(),
            restricted: Vec::new(),
            tls: None,
            clock_offset: ClockOffset::ZERO,
        }
    }
}

impl MockPodConfig {
    /// The port on 127.0.0.1 (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// How many users to seed (default 100). User `i` (from 0) has id
    /// [`FIRST_USER_ID`](crate::FIRST_USER_ID)` + i` and username `user<i>`, and their
    /// categories cycle through the ten settable documented ones.
    pub fn users(mut self, users: usize) -> Self {
        self.users = users;
        self
    }

    /// How long issued session tokens live (default 1 hour).
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// Registers an extension app with its RSA public key (PEM). It can also authenticate by
    /// certificate, with a client certificate whose common name is `app_id`.
    pub fn app(mut self, app_id: impl Into<String>, public_key_pem: impl Into<String>) -> Self {
        self.apps.push((app_id.into(), Some(public_key_pem.into())));
        self
    }

    /// Registers an extension app that authenticates by certificate only: `POST
    /// /sessionauth/v1/app/authenticate` with a client certificate whose common name is
    /// `app_id`. Needs [`tls`](Self::tls).
    pub fn certificate_app(mut self, app_id: impl Into<String>) -> Self {
        self.apps.push((app_id.into(), None));
        self
    }

    /// Takes the `ADMIN_PRESENCE_UPDATE` privilege and the User Provisioning entitlement from
    /// the user with id `uid`: setting another user's presence, registering interest and
    /// listing all presence then answer 403.
    pub fn restricted_user(mut self, uid: i64) -> Self {
        self.restricted.push(uid);
        self
    }

    /// Registers a bot with its RSA public key (PEM). The bot is also a user of the pod, with
    /// the next free user id. It can also authenticate by certificate, with a client
    /// certificate whose common name is `username`.
    pub fn bot(mut self, username: impl Into<String>, public_key_pem: impl Into<String>) -> Self {
        self.bots
            .push((username.into(), Some(public_key_pem.into())));
        self
    }

    /// Registers a bot that authenticates by certificate only: `POST
    /// /sessionauth/v1/authenticate` with a client certificate whose common name is
    /// `username`. The bot is also a user of the pod, with the next free user id. Needs
    /// [`tls`](Self::tls).
    pub fn certificate_bot(mut self, username: impl Into<String>) -> Self {
        self.bots.push((username.into(), None));
        self
    }

    /// Serves over TLS (HTTP/2 and HTTP/1.1) instead of plain HTTP/1.1, with a CA generated at
    /// start; see [`TlsConfig`].
    pub fn tls(mut self, tls: TlsConfig) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Runs the pod's clock ahead of or behind this machine's (default
    /// [`ClockOffset::ZERO`]), at most [`MAX_CLOCK_OFFSET`](crate::MAX_CLOCK_OFFSET) either
    /// way: [`MockPod::start`](crate::MockPod::start) refuses more with
    /// [`MockPodError::ClockOffset`](crate::MockPodError::ClockOffset). The pod's time decides
    /// whether a JWT has expired or expires more than 5 minutes ahead, stamps presence
    /// changes, and is sent in every response's `Date` header.
    pub fn clock_offset(mut self, offset: ClockOffset) -> Self {
        self.clock_offset = offset;
        self
    }
}
