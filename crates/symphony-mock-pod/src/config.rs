//! [`MockPodConfig`]: what the simulated pod starts with.

use std::time::Duration;

use crate::clock::ClockOffset;
use crate::keys::Registration;
use crate::tls::TlsConfig;

/// How a [`MockPod`](crate::MockPod) starts: its users, registered apps and bots, token
/// lifetime, port, and TLS.
#[derive(Clone, Debug)]
pub struct MockPodConfig {
    pub(crate) port: u16,
    pub(crate) users: usize,
    pub(crate) token_ttl: Duration,
    /// App id → its key.
    pub(crate) apps: Vec<(String, Registration)>,
    /// Bot username → its key.
    pub(crate) bots: Vec<(String, Registration)>,
    pub(crate) restricted: Vec<i64>,
    pub(crate) obo_refused: Vec<i64>,
    pub(crate) tls: Option<TlsConfig>,
    pub(crate) clock_offset: ClockOffset,
    pub(crate) feed_ttl: Option<Duration>,
}

impl Default for MockPodConfig {
    /// An ephemeral port, 100 users, 1-hour tokens, no apps or bots, nobody restricted, plain
    /// HTTP/1.1, the pod's clock on this machine's, feeds that live until deleted.
    fn default() -> Self {
        MockPodConfig {
            port: 0,
            users: 100,
            token_ttl: Duration::from_secs(3600),
            apps: Vec::new(),
            bots: Vec::new(),
            restricted: Vec::new(),
            obo_refused: Vec::new(),
            tls: None,
            clock_offset: ClockOffset::ZERO,
            feed_ttl: None,
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
        self.apps.push((
            app_id.into(),
            Registration::PublicKey(public_key_pem.into()),
        ));
        self
    }

    /// Registers an extension app that authenticates by certificate only: `POST
    /// /sessionauth/v1/app/authenticate` with a client certificate whose common name is
    /// `app_id`. Needs [`tls`](Self::tls).
    pub fn certificate_app(mut self, app_id: impl Into<String>) -> Self {
        self.apps
            .push((app_id.into(), Registration::CertificateOnly));
        self
    }

    /// Registers an extension app with an RSA-2048 key pair that
    /// [`MockPod::start`](crate::MockPod::start) generates (with aws-lc-rs). The running pod
    /// hands out ready credentials:
    /// [`app_credentials`](crate::RunningMockPod::app_credentials) for the SDK, and
    /// [`app_private_key_pem`](crate::RunningMockPod::app_private_key_pem) (PKCS#8) for
    /// anything else. Like [`app`](Self::app), it can also authenticate by certificate.
    pub fn with_app(mut self, app_id: impl Into<String>) -> Self {
        self.apps.push((app_id.into(), Registration::Generated));
        self
    }

    /// Registers an extension app with its RSA private key (PEM, PKCS#8 or PKCS#1), which the
    /// pod keeps: the same as [`with_app`](Self::with_app), with a fixed key instead of a
    /// generated one (so that runs repeat exactly). A PEM that is not an RSA private key makes
    /// [`MockPod::start`](crate::MockPod::start) fail with
    /// [`MockPodError::InvalidKey`](crate::MockPodError::InvalidKey).
    pub fn with_app_private_key(
        mut self,
        app_id: impl Into<String>,
        private_key_pem: impl Into<String>,
    ) -> Self {
        self.apps.push((
            app_id.into(),
            Registration::PrivateKey(private_key_pem.into()),
        ));
        self
    }

    /// Registers a bot with an RSA-2048 key pair that [`MockPod::start`](crate::MockPod::start)
    /// generates. The bot is also a user of the pod, with the next free user id
    /// ([`bot_user_id`](crate::RunningMockPod::bot_user_id)). The running pod hands out
    /// [`bot_credentials`](crate::RunningMockPod::bot_credentials) and
    /// [`bot_private_key_pem`](crate::RunningMockPod::bot_private_key_pem).
    pub fn with_bot(mut self, username: impl Into<String>) -> Self {
        self.bots.push((username.into(), Registration::Generated));
        self
    }

    /// Registers a bot with its RSA private key (PEM, PKCS#8 or PKCS#1), which the pod keeps:
    /// the same as [`with_bot`](Self::with_bot), with a fixed key.
    pub fn with_bot_private_key(
        mut self,
        username: impl Into<String>,
        private_key_pem: impl Into<String>,
    ) -> Self {
        self.bots.push((
            username.into(),
            Registration::PrivateKey(private_key_pem.into()),
        ));
        self
    }

    /// Takes the `ADMIN_PRESENCE_UPDATE` privilege and the User Provisioning entitlement from
    /// the user with id `uid`: setting another user's presence, registering interest and
    /// listing all presence then answer 403.
    pub fn restricted_user(mut self, uid: i64) -> Self {
        self.restricted.push(uid);
        self
    }

    /// Makes the user with id `uid` one that no app may act for, as a user who has not
    /// installed the app: an on-behalf-of authentication for them, by user id or by username,
    /// under `/login` or `/sessionauth`, answers 401 with an `Error` whose message says so
    /// (after the app session is checked, and after an unknown user's 404). Refusals are
    /// counted in [`Counters::obo_refusals`](crate::Counters::obo_refusals).
    pub fn obo_refused_user(mut self, uid: i64) -> Self {
        self.obo_refused.push(uid);
        self
    }

    /// Registers a bot with its RSA public key (PEM). The bot is also a user of the pod, with
    /// the next free user id. It can also authenticate by certificate, with a client
    /// certificate whose common name is `username`.
    pub fn bot(mut self, username: impl Into<String>, public_key_pem: impl Into<String>) -> Self {
        self.bots.push((
            username.into(),
            Registration::PublicKey(public_key_pem.into()),
        ));
        self
    }

    /// Registers a bot that authenticates by certificate only: `POST
    /// /sessionauth/v1/authenticate` with a client certificate whose common name is
    /// `username`. The bot is also a user of the pod, with the next free user id. Needs
    /// [`tls`](Self::tls).
    pub fn certificate_bot(mut self, username: impl Into<String>) -> Self {
        self.bots
            .push((username.into(), Registration::CertificateOnly));
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

    /// Forgets a presence feed not read for `ttl` (counting from its creation): reading or
    /// deleting it then answers what an unknown feed gets, 400 with the message `Presence feed
    /// not found`. By default feeds live until deleted. See also
    /// [`RunningMockPod::drop_feeds`](crate::RunningMockPod::drop_feeds).
    pub fn feed_ttl(mut self, ttl: Duration) -> Self {
        self.feed_ttl = Some(ttl);
        self
    }
}
