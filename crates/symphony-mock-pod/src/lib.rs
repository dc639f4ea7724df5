#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod config;
mod control;
mod faults;
mod login;
mod pod;
mod server;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use jsonwebtoken::DecodingKey;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use config::MockPodConfig;
pub use faults::{Faults, ForcedStatus};
pub use state::{Counters, FIRST_USER_ID};

use server::{Shared, lock};
use state::{State, now_millis};

/// Why the pod could not start.
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
    /// A registered public key is not an RSA public key in PEM.
    #[error("the public key of {who} is not an RSA public key in PEM: {reason}")]
    InvalidKey {
        /// The app id or bot name.
        who: String,
        /// What is wrong with it.
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
    /// [`MockPodError::Bind`] if the port is taken, [`MockPodError::InvalidKey`] for a bad
    /// public key.
    pub async fn start(config: MockPodConfig) -> Result<RunningMockPod, MockPodError> {
        let mut state = State::new(config.users, config.token_ttl);
        state.restricted.extend(&config.restricted);
        for (app_id, pem) in &config.apps {
            state
                .apps
                .insert(app_id.clone(), decoding_key(app_id, pem)?);
        }
        for (username, pem) in &config.bots {
            let key = decoding_key(username, pem)?;
            let uid = state.add_user(username.clone(), "AVAILABLE", now_millis());
            state.bots.insert(username.clone(), (key, uid));
        }
        let listener = TcpListener::bind(("127.0.0.1", config.port))
            .await
            .map_err(|source| MockPodError::Bind {
                port: config.port,
                source,
            })?;
        let address = listener.local_addr().map_err(|source| MockPodError::Bind {
            port: config.port,
            source,
        })?;
        let state: Shared = Arc::new(Mutex::new(state));
        let task = tokio::spawn(server::serve(listener, state.clone()));
        Ok(RunningMockPod {
            address,
            state,
            task,
        })
    }
}

fn decoding_key(who: &str, pem: &str) -> Result<DecodingKey, MockPodError> {
    DecodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| MockPodError::InvalidKey {
        who: who.to_owned(),
        reason: e.to_string(),
    })
}

/// A running pod. Dropping it (or [`shutdown`](Self::shutdown)) stops the server and closes
/// every connection.
pub struct RunningMockPod {
    address: SocketAddr,
    state: Shared,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for RunningMockPod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningMockPod")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl RunningMockPod {
    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The Pod API base URL: `http://127.0.0.1:<port>/pod`.
    pub fn pod_url(&self) -> String {
        format!("{}/pod", self.base_url())
    }

    /// The Login API base URL: `http://127.0.0.1:<port>/login`.
    pub fn login_url(&self) -> String {
        format!("{}/login", self.base_url())
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// The id of seeded user `index` (from 0).
    pub fn user_id(&self, index: usize) -> i64 {
        FIRST_USER_ID + i64::try_from(index).unwrap_or(i64::MAX - FIRST_USER_ID)
    }

    /// The counters so far.
    pub fn counters(&self) -> Counters {
        lock(&self.state).counters.clone()
    }

    /// Sets every counter back to zero.
    pub fn reset_counters(&self) {
        lock(&self.state).counters = Counters::default();
    }

    /// Replaces the injected faults.
    pub fn set_faults(&self, faults: Faults) {
        lock(&self.state).faults = faults;
    }

    /// Ends every session now: the next request with any issued token gets a 401.
    pub fn expire_tokens(&self) {
        lock(&self.state).sessions.clear();
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
