#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod clock;
mod config;
mod control;
mod faults;
mod keys;
mod login;
mod pod;
mod script;
mod server;
mod sessionauth;
mod state;
mod tls;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use jsonwebtoken::DecodingKey;
use symphony_presence::{AppCredentials, BotCredentials, PresenceCategory};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use clock::{ClockOffset, MAX_CLOCK_OFFSET};
pub use config::MockPodConfig;
pub use faults::{Faults, ForcedStatus};
pub use script::{MAX_RANDOM_CHANGES_PER_SECOND, RandomChanges, StoredPresence};
pub use state::{
    Counters, FIRST_USER_ID, JOURNAL_CAPACITY, JournalEntry, Listener, ListenerCounters,
};
pub use tls::{ClientCertificate, ClientCertificates, TlsConfig};

use clock::PodClock;
use keys::Registration;
use server::{Endpoint, Shared, lock};
use state::{Bot, State};
use tls::Pki;

/// Why the pod could not start, or could not issue a client certificate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockPodError {
    /// The port could not be bound on 127.0.0.1.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for.
        port: u16,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A registered key is not an RSA public key in PEM (or, for one registered with its
    /// private key, not an RSA private key in PEM).
    #[error("the key of {who} is not usable: {reason}")]
    InvalidKey {
        /// The app id or bot name.
        who: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The clock offset is more than [`MAX_CLOCK_OFFSET`] either way.
    #[error("the clock offset {offset} is beyond the limit of {} s either way", MAX_CLOCK_OFFSET.as_secs())]
    ClockOffset {
        /// The offset asked for.
        offset: ClockOffset,
    },
    /// An RSA key pair could not be generated.
    #[error("cannot generate a key pair for {who}: {reason}")]
    KeyGeneration {
        /// The app id or bot name.
        who: String,
        /// What failed.
        reason: String,
    },
    /// No user of the pod has this id.
    #[error("no user has the id {uid}")]
    UnknownUser {
        /// The id given.
        uid: i64,
    },
    /// A certificate could not be generated or the TLS configuration built, or TLS is off.
    #[error("TLS: {reason}")]
    Tls {
        /// What failed.
        reason: String,
    },
}

/// The offline pod simulator.
///
/// ```no_run
/// use symphony_mock_pod::{MockPod, MockPodConfig};
///
/// # async fn example() -> Result<(), symphony_mock_pod::MockPodError> {
/// let pod = MockPod::start(MockPodConfig::default().users(2500)).await?;
/// println!("pod at {}, login at {}", pod.pod_url(), pod.login_url());
/// # Ok(())
/// # }
/// ```
pub struct MockPod;

impl MockPod {
    /// Starts serving on 127.0.0.1 in the current Tokio runtime.
    ///
    /// # Errors
    ///
    /// [`MockPodError::Bind`] if a port is taken, [`MockPodError::InvalidKey`] for a bad
    /// public key, [`MockPodError::Tls`] if a certificate cannot be generated.
    pub async fn start(config: MockPodConfig) -> Result<RunningMockPod, MockPodError> {
        check_clock_offset(config.clock_offset)?;
        let clock = PodClock {
            offset: config.clock_offset,
        };
        let mut state = State::new(config.users, config.token_ttl, clock);
        state.restricted.extend(&config.restricted);
        state.obo_refused.extend(&config.obo_refused);
        state.feed_ttl = config.feed_ttl;
        let mut app_keys = HashMap::new();
        for (app_id, registration) in &config.apps {
            let (key, private) = register(app_id, registration)?;
            if let Some(private) = private {
                let credentials = AppCredentials::from_pem(app_id, &private)
                    .map_err(|e| invalid_key(app_id, &e))?;
                app_keys.insert(app_id.clone(), (credentials, private));
            } else {
                app_keys.remove(app_id);
            }
            state.apps.insert(app_id.clone(), key);
        }
        let mut bot_keys = HashMap::new();
        for (username, registration) in &config.bots {
            let (key, private) = register(username, registration)?;
            if let Some(private) = private {
                let credentials = BotCredentials::from_pem(username, &private)
                    .map_err(|e| invalid_key(username, &e))?;
                bot_keys.insert(username.clone(), (credentials, private));
            } else {
                bot_keys.remove(username);
            }
            let uid = match state.bots.get(username) {
                Some(bot) => bot.uid,
                None => state.add_user(username.clone(), "AVAILABLE", clock.now_millis()),
            };
            state.bots.insert(username.clone(), Bot { key, uid });
        }
        let pki = config.tls.as_ref().map(Pki::generate).transpose()?;
        let acceptor = |mode| -> Result<_, MockPodError> {
            pki.as_ref()
                .map(|pki| pki.server_config(mode).map(tokio_rustls::TlsAcceptor::from))
                .transpose()
        };
        let split_port = config.tls.as_ref().and_then(|tls| tls.session_auth_port);
        let pod_endpoint = Endpoint {
            listener: Listener::Pod,
            tls: acceptor(
                config
                    .tls
                    .as_ref()
                    .map(|t| t.client_certificates)
                    .unwrap_or_default(),
            )?,
            session_auth_split: split_port.is_some(),
        };
        let (listener, address) = bind(config.port).await?;
        let session_auth = match split_port {
            Some(port) => {
                let endpoint = Endpoint {
                    listener: Listener::SessionAuth,
                    tls: acceptor(ClientCertificates::Requested)?,
                    session_auth_split: true,
                };
                Some((bind(port).await?, endpoint))
            }
            None => None,
        };
        let session_auth_address = session_auth.as_ref().map(|((_, address), _)| *address);
        let state: Shared = Arc::new(Mutex::new(state));
        let pod = server::serve(listener, state.clone(), pod_endpoint);
        let task = match session_auth {
            Some(((listener, _), endpoint)) => {
                let session_auth = server::serve(listener, state.clone(), endpoint);
                tokio::spawn(async move {
                    tokio::join!(pod, session_auth);
                })
            }
            None => tokio::spawn(pod),
        };
        Ok(RunningMockPod {
            runtime: tokio::runtime::Handle::current(),
            app_keys,
            bot_keys,
            address,
            session_auth_address,
            pki: pki.map(Arc::new),
            state,
            task,
        })
    }
}

/// Binds `port` on 127.0.0.1.
async fn bind(port: u16) -> Result<(TcpListener, SocketAddr), MockPodError> {
    let bind_error = |source| MockPodError::Bind { port, source };
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(bind_error)?;
    let address = listener.local_addr().map_err(bind_error)?;
    Ok((listener, address))
}

fn check_clock_offset(offset: ClockOffset) -> Result<(), MockPodError> {
    if offset.magnitude() > MAX_CLOCK_OFFSET {
        return Err(MockPodError::ClockOffset { offset });
    }
    Ok(())
}

fn invalid_key(who: &str, reason: &dyn std::fmt::Display) -> MockPodError {
    MockPodError::InvalidKey {
        who: who.to_owned(),
        reason: reason.to_string(),
    }
}

fn decoding_key(who: &str, pem: &str) -> Result<DecodingKey, MockPodError> {
    DecodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| invalid_key(who, &e))
}

/// The public key the pod checks `who`'s JWTs with (none: certificate only), and the private
/// key (PKCS#8 PEM) when the pod holds it.
fn register(
    who: &str,
    registration: &Registration,
) -> Result<(Option<DecodingKey>, Option<String>), MockPodError> {
    let pair = match registration {
        Registration::CertificateOnly => return Ok((None, None)),
        Registration::PublicKey(pem) => return Ok((Some(decoding_key(who, pem)?), None)),
        Registration::Generated => {
            keys::generate().map_err(|reason| MockPodError::KeyGeneration {
                who: who.to_owned(),
                reason,
            })?
        }
        Registration::PrivateKey(pem) => {
            keys::from_private_pem(pem).map_err(|reason| invalid_key(who, &reason))?
        }
    };
    Ok((Some(decoding_key(who, &pair.public)?), Some(pair.private)))
}

/// A running pod. Dropping it (or [`shutdown`](Self::shutdown)) stops the server and closes
/// every connection.
pub struct RunningMockPod {
    /// The runtime it was started in, which runs background changes.
    runtime: tokio::runtime::Handle,
    /// App id → its credentials and private key (PKCS#8 PEM), for apps whose key the pod holds.
    app_keys: HashMap<String, (AppCredentials, String)>,
    /// Bot username → its credentials and private key, likewise.
    bot_keys: HashMap<String, (BotCredentials, String)>,
    address: SocketAddr,
    session_auth_address: Option<SocketAddr>,
    pki: Option<Arc<Pki>>,
    state: Shared,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for RunningMockPod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningMockPod")
            .field("address", &self.address)
            .field("session_auth_address", &self.session_auth_address)
            .field("tls", &self.pki.is_some())
            .finish_non_exhaustive()
    }
}

impl RunningMockPod {
    fn scheme(&self) -> &'static str {
        if self.pki.is_some() { "https" } else { "http" }
    }

    /// `http://127.0.0.1:<port>`, or `https://` with TLS.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme(), self.address)
    }

    /// The Pod API base URL: `http://127.0.0.1:<port>/pod`, or `https://` with TLS.
    pub fn pod_url(&self) -> String {
        format!("{}/pod", self.base_url())
    }

    /// The Login API base URL: `http://127.0.0.1:<port>/login`, or `https://` with TLS.
    pub fn login_url(&self) -> String {
        format!("{}/login", self.base_url())
    }

    /// The Authenticator API base URL: `https://127.0.0.1:<port>/sessionauth`, on the
    /// session-auth port when it has one ([`TlsConfig::session_auth_port`]), else on the pod's.
    /// Without TLS it is `http://` and certificate authentication always answers 401.
    pub fn session_auth_url(&self) -> String {
        let address = self.session_auth_address.unwrap_or(self.address);
        format!("{}://{address}/sessionauth", self.scheme())
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// The session-auth listener's port, if `/sessionauth` has its own.
    pub fn session_auth_port(&self) -> Option<u16> {
        self.session_auth_address.map(|a| a.port())
    }

    /// The CA certificate, in PEM, that signed the server's and the client certificates. None
    /// without TLS.
    pub fn ca_certificate_pem(&self) -> Option<String> {
        self.pki.as_ref().map(|pki| pki.ca_pem())
    }

    /// Issues a client certificate signed by the pod's CA, with `common_name` as its subject's
    /// common name: the username of a bot, or the id of an app, for certificate
    /// authentication.
    ///
    /// # Errors
    ///
    /// [`MockPodError::Tls`] without TLS.
    pub fn issue_client_certificate(
        &self,
        common_name: &str,
    ) -> Result<ClientCertificate, MockPodError> {
        let pki = self.pki.as_ref().ok_or_else(|| MockPodError::Tls {
            reason: "TLS is off, so the pod has no CA to issue a client certificate".to_owned(),
        })?;
        pki.issue_client(common_name)
    }

    /// The id of seeded user `index` (from 0).
    pub fn user_id(&self, index: usize) -> i64 {
        FIRST_USER_ID + i64::try_from(index).unwrap_or(i64::MAX - FIRST_USER_ID)
    }

    /// Ready credentials of an app registered with
    /// [`with_app`](MockPodConfig::with_app) or
    /// [`with_app_private_key`](MockPodConfig::with_app_private_key); none for another app
    /// (the pod does not have its private key) or an unknown one.
    pub fn app_credentials(&self, app_id: &str) -> Option<AppCredentials> {
        self.app_keys.get(app_id).map(|(c, _)| c.clone())
    }

    /// The private key (PKCS#8 PEM) of an app whose key the pod holds, for clients not written
    /// in Rust. Keep it out of logs.
    pub fn app_private_key_pem(&self, app_id: &str) -> Option<String> {
        self.app_keys.get(app_id).map(|(_, pem)| pem.clone())
    }

    /// Ready credentials of a bot registered with [`with_bot`](MockPodConfig::with_bot) or
    /// [`with_bot_private_key`](MockPodConfig::with_bot_private_key); none for another bot.
    pub fn bot_credentials(&self, username: &str) -> Option<BotCredentials> {
        self.bot_keys.get(username).map(|(c, _)| c.clone())
    }

    /// The private key (PKCS#8 PEM) of a bot whose key the pod holds. Keep it out of logs.
    pub fn bot_private_key_pem(&self, username: &str) -> Option<String> {
        self.bot_keys.get(username).map(|(_, pem)| pem.clone())
    }

    /// The user id of a registered bot (bots are users of the pod too).
    pub fn bot_user_id(&self, username: &str) -> Option<i64> {
        lock(&self.state).bots.get(username).map(|bot| bot.uid)
    }

    /// The counters so far.
    pub fn counters(&self) -> Counters {
        lock(&self.state).counters.clone()
    }

    /// Sets every counter back to zero (the journal stays; see
    /// [`clear_journal`](Self::clear_journal)).
    pub fn reset_counters(&self) {
        lock(&self.state).counters = Counters::default();
    }

    /// The last [`JOURNAL_CAPACITY`] (10,000) requests to a known operation of `/pod`,
    /// `/login` or `/sessionauth`, oldest first: each one's operation id, acting user, status
    /// and time. Faulted requests are in it (with the injected status, or no status for a
    /// dropped connection); control requests and unknown paths are not. Also `GET
    /// /_mock/journal`.
    pub fn journal(&self) -> Vec<JournalEntry> {
        lock(&self.state).journal.iter().cloned().collect()
    }

    /// Empties the journal; sequence numbers go on from where they were.
    pub fn clear_journal(&self) {
        lock(&self.state).journal.clear();
    }

    /// Replaces the injected faults.
    pub fn set_faults(&self, faults: Faults) {
        lock(&self.state).faults = faults;
    }

    /// Forgets every presence feed now, as a pod restart does: reading or deleting any feed
    /// created so far answers 400 `Presence feed not found`. Also `POST /_mock/drop-feeds`.
    pub fn drop_feeds(&self) {
        lock(&self.state).feeds.clear();
    }

    /// Ends every session now: the next request with any issued token gets a 401.
    pub fn expire_tokens(&self) {
        lock(&self.state).sessions.clear();
    }

    /// Shifts the pod's clock from now on (see [`ClockOffset`]).
    ///
    /// # Errors
    ///
    /// [`MockPodError::ClockOffset`] beyond [`MAX_CLOCK_OFFSET`] either way; the clock is then
    /// left as it was.
    pub fn set_clock_offset(&self, offset: ClockOffset) -> Result<(), MockPodError> {
        check_clock_offset(offset)?;
        lock(&self.state).clock.offset = offset;
        Ok(())
    }

    /// The pod's time now: this machine's, shifted by the clock offset.
    pub fn now(&self) -> std::time::SystemTime {
        lock(&self.state).clock.now()
    }

    /// Sets a user's presence as if they had changed it themselves: the category (any string;
    /// an unknown one is stored verbatim), the timestamp (the pod's time now), and a new
    /// change for feeds to report. An offline user is set too (it is not `soft`).
    ///
    /// # Errors
    ///
    /// [`MockPodError::UnknownUser`] when no user has the id `uid`.
    pub fn set_presence(
        &self,
        uid: i64,
        category: impl Into<PresenceCategory>,
    ) -> Result<(), MockPodError> {
        let category = category.into();
        let mut state = lock(&self.state);
        if !state.users.contains_key(&uid) {
            return Err(MockPodError::UnknownUser { uid });
        }
        state.set_category(uid, category.as_str(), false);
        Ok(())
    }

    /// Starts changing presences in the background: `per_second` changes a second (at most
    /// [`MAX_RANDOM_CHANGES_PER_SECOND`]), each setting a random user to a random documented
    /// category other than their current one, as [`set_presence`](Self::set_presence) does.
    /// Changes missed while the machine is busy are skipped rather than bunched, so the rate
    /// is an upper bound; memory does not grow with the changes. They stop when the returned
    /// handle or the pod is dropped.
    pub fn random_changes(&self, per_second: u32) -> RandomChanges {
        RandomChanges::start(&self.runtime, Arc::downgrade(&self.state), per_second)
    }

    /// Every user's presence as stored, by user id (bots included): what a test's mirror of
    /// the pod should hold.
    pub fn presences(&self) -> std::collections::BTreeMap<i64, StoredPresence> {
        lock(&self.state)
            .users
            .iter()
            .map(|(uid, user)| {
                let stored = StoredPresence {
                    category: user.category.clone(),
                    timestamp: user.timestamp,
                };
                (*uid, stored)
            })
            .collect()
    }

    /// The presence category of a user, as stored.
    pub fn category_of(&self, uid: i64) -> Option<String> {
        lock(&self.state)
            .users
            .get(&uid)
            .map(|u| u.category.clone())
    }

    /// Stops the server and closes every connection.
    pub async fn shutdown(mut self) {
        self.task.abort();
        let _ = (&mut self.task).await;
    }
}

impl Drop for RunningMockPod {
    fn drop(&mut self) {
        self.task.abort();
    }
}
