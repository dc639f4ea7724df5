//! The mock pod, in-process on a thread and runtime of its own (pinned to CPU 0 when asked), so
//! that its CPU time can be told apart from the client's.

use std::sync::mpsc;
use std::time::Duration;

use nix::sys::resource::UsageWho;
use symphony_mock_pod::{
    ClientCertificates, Listener, MockPod, MockPodConfig, RunningMockPod, TlsConfig,
};

use crate::measure;

pub const APP_ID: &str = "bench-app";

/// Which protocol the in-process pod speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Protocol {
    /// Plain HTTP/1.1.
    Plain,
    /// TLS, offering only HTTP/1.1 through ALPN.
    H1,
    /// TLS, offering HTTP/2 and HTTP/1.1 through ALPN (clients pick HTTP/2).
    H2,
}

pub struct Server {
    pub pod: RunningMockPod,
    runtime: tokio::runtime::Handle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// The app's private key (PEM), registered with the pod.
    pub app_key_pem: String,
    /// The CA both clients must trust, over TLS.
    pub ca_pem: Option<String>,
}

impl Server {
    /// Starts the pod with `users` users and the app key `key_pem` (PKCS#8 or PKCS#1 PEM), or
    /// one the pod generates.
    pub fn start(
        users: usize,
        pin: bool,
        key_pem: Option<&str>,
        protocol: Protocol,
    ) -> Result<Server, String> {
        let config = MockPodConfig::default().users(users);
        // No certificate request: the handshake is the one a pod without mutual TLS makes.
        let tls = TlsConfig::default().client_certificates(ClientCertificates::NotRequested);
        let config = match protocol {
            Protocol::Plain => config,
            Protocol::H1 => config.tls(tls.http1_only()),
            Protocol::H2 => config.tls(tls),
        };
        let config = match key_pem {
            Some(pem) => config.with_app_private_key(APP_ID, pem),
            None => config.with_app(APP_ID),
        };

        let (ready_tx, ready_rx) = mpsc::channel();
        let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            if pin {
                measure::pin_to(0);
            }
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => return drop(ready_tx.send(Err(e.to_string()))),
            };
            let handle = runtime.handle().clone();
            runtime.block_on(async move {
                let started = MockPod::start(config).await.map_err(|e| e.to_string());
                let _ = ready_tx.send(started.map(|pod| (pod, handle)));
                let _ = stop_rx.await;
            });
        });
        let (pod, runtime) = ready_rx.recv().map_err(|e| e.to_string())??;
        let app_key_pem = pod
            .app_private_key_pem(APP_ID)
            .ok_or_else(|| "the mock pod holds no key for the app".to_owned())?;
        let ca_pem = pod.ca_certificate_pem();
        Ok(Server {
            ca_pem,
            pod,
            runtime,
            stop: Some(stop),
            thread: Some(thread),
            app_key_pem,
        })
    }

    /// Connections the pod's listener has accepted so far.
    pub fn connections(&self) -> u64 {
        self.pod.counters().listener(Listener::Pod).connections
    }

    /// The CPU time the server's thread has used so far.
    pub async fn cpu_time(&self) -> Duration {
        self.runtime
            .spawn(async { measure::cpu_time(UsageWho::RUSAGE_THREAD) })
            .await
            .unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
