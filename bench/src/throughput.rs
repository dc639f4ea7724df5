//! `get_presence` through the SDK against the same request with bare reqwest + serde_json.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::resource::UsageWho;
use serde::Deserialize;
use symphony_presence::{DEFAULT_USER_AGENT, PresenceClient};

use crate::measure;
use crate::server::Server;

/// One measured run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Run {
    pub calls_per_sec: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub cpu_per_call: Duration,
    /// The in-process server's CPU time per call (zero for an external server): with the
    /// calls per second, it shows whether the server or the client was the bottleneck.
    pub server_cpu_per_call: Duration,
    /// Connections the in-process pod accepted during the run (zero for an external server).
    pub connections: u64,
}

/// The bare request: what `get_presence` does, with no SDK.
#[derive(Clone)]
pub struct Raw {
    http: reqwest::Client,
    url: String,
    token: String,
}

/// The wire form, decoded as the SDK decodes it.
#[derive(Deserialize)]
#[allow(dead_code)]
struct RawPresence {
    category: String,
    #[serde(rename = "userId")]
    user_id: Option<i64>,
    timestamp: Option<i64>,
}

impl Raw {
    /// The bare client, over the same `reqwest::Client` settings as the SDK.
    pub fn new(pod_url: &str, token: &str, ca_pem: Option<&str>) -> Result<Raw, String> {
        Ok(Raw {
            http: http_client(ca_pem)?,
            url: format!("{pod_url}/v2/user/presence"),
            token: token.to_owned(),
        })
    }

    pub async fn get_presence(&self) -> Result<(), String> {
        let response = self
            .http
            .get(&self.url)
            .header("sessionToken", &self.token)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("HTTP {}", response.status()));
        }
        let bytes = response.bytes().await.map_err(|e| e.to_string())?;
        serde_json::from_slice::<RawPresence>(&bytes)
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

/// The generated client alone (`symphony-api`, no SDK layer), over the same settings.
pub struct Generated {
    api: symphony_api::pod::Client,
    token: String,
}

impl Generated {
    pub fn new(pod_url: &str, token: &str, ca_pem: Option<&str>) -> Result<Generated, String> {
        Ok(Generated {
            api: symphony_api::pod::Client::new_with_client(
                pod_url,
                http_client(ca_pem)?,
                Default::default(),
            ),
            token: token.to_owned(),
        })
    }

    pub async fn get_presence(&self) -> Result<(), String> {
        self.api
            .get_v2_user_presence()
            .session_token(&self.token)
            .send()
            .await
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

/// A `reqwest::Client` with the settings `HttpSettings::default()` gives the SDK's, trusting
/// `ca_pem` too when given.
fn http_client(ca_pem: Option<&str>) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .user_agent(DEFAULT_USER_AGENT)
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy();
    if let Some(ca) = ca_pem {
        let certificate =
            reqwest::Certificate::from_pem(ca.as_bytes()).map_err(|e| e.to_string())?;
        builder = builder.add_root_certificate(certificate);
    }
    builder.build().map_err(|e| e.to_string())
}

/// `calls` calls of `call`, `concurrency` at a time, with latencies and client CPU time.
pub async fn measure<F, Fut>(
    calls: usize,
    concurrency: usize,
    server: Option<&Server>,
    call: F,
) -> Result<Run, String>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let concurrency = concurrency.clamp(1, calls.max(1));
    let server_before = match server {
        Some(s) => s.cpu_time().await,
        None => Duration::ZERO,
    };
    let connections_before = server.map_or(0, Server::connections);
    let process_before = measure::cpu_time(UsageWho::RUSAGE_SELF);
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|w| {
            let call = call.clone();
            let share = calls / concurrency + usize::from(w < calls % concurrency);
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(share);
                for _ in 0..share {
                    let t = Instant::now();
                    call().await?;
                    latencies.push(t.elapsed());
                }
                Ok::<_, String>(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(calls);
    for worker in workers {
        latencies.extend(worker.await.map_err(|e| e.to_string())??);
    }
    let elapsed = started.elapsed();
    let process_cpu = measure::cpu_time(UsageWho::RUSAGE_SELF).saturating_sub(process_before);
    let server_cpu = match server {
        Some(s) => s.cpu_time().await.saturating_sub(server_before),
        None => Duration::ZERO,
    };
    let client_cpu = process_cpu.saturating_sub(server_cpu);
    let connections = server.map_or(0, Server::connections) - connections_before;
    latencies.sort_unstable();
    Ok(Run {
        calls_per_sec: calls as f64 / elapsed.as_secs_f64(),
        p50: measure::percentile(&latencies, 0.50),
        p99: measure::percentile(&latencies, 0.99),
        cpu_per_call: client_cpu / calls.max(1) as u32,
        server_cpu_per_call: server_cpu / calls.max(1) as u32,
        connections,
    })
}

/// The median of each figure over `runs`.
pub fn median(runs: &[Run]) -> Run {
    let pick = |f: fn(&Run) -> f64| measure::median(&mut runs.iter().map(f).collect::<Vec<_>>());
    Run {
        calls_per_sec: pick(|r| r.calls_per_sec),
        p50: Duration::from_secs_f64(pick(|r| r.p50.as_secs_f64())),
        p99: Duration::from_secs_f64(pick(|r| r.p99.as_secs_f64())),
        cpu_per_call: Duration::from_secs_f64(pick(|r| r.cpu_per_call.as_secs_f64())),
        server_cpu_per_call: Duration::from_secs_f64(pick(|r| r.server_cpu_per_call.as_secs_f64())),
        // Not a median: every connection a client opened stays in its pool for the next run.
        connections: runs.iter().map(|r| r.connections).sum(),
    }
}

/// A client whose `get_presence` calls are measured.
pub enum Subject {
    /// The full SDK: session provider, retry policy, error mapping, interceptors.
    Sdk(PresenceClient),
    /// The generated client alone, to tell progenitor's share of the overhead from the SDK's.
    Generated(Arc<Generated>),
    /// Bare reqwest + serde_json, the baseline.
    Raw(Arc<Raw>),
}

impl Subject {
    /// The name used in the table and the summary line.
    pub fn name(&self) -> &'static str {
        match self {
            Subject::Sdk(_) => "sdk",
            Subject::Generated(_) => "gen",
            Subject::Raw(_) => "raw",
        }
    }

    /// `calls` calls, `concurrency` at a time.
    pub async fn measure(
        &self,
        calls: usize,
        concurrency: usize,
        server: Option<&Server>,
    ) -> Result<Run, String> {
        match self {
            Subject::Sdk(client) => {
                let client = client.clone();
                measure(calls, concurrency, server, move || {
                    let client = client.clone();
                    async move {
                        client
                            .get_presence()
                            .await
                            .map(drop)
                            .map_err(|e| e.to_string())
                    }
                })
                .await
            }
            Subject::Generated(generated) => {
                let generated = generated.clone();
                measure(calls, concurrency, server, move || {
                    let generated = generated.clone();
                    async move { generated.get_presence().await }
                })
                .await
            }
            Subject::Raw(bare) => {
                let bare = bare.clone();
                measure(calls, concurrency, server, move || {
                    let bare = bare.clone();
                    async move { bare.get_presence().await }
                })
                .await
            }
        }
    }
}

/// Interleaved subject and raw runs at one concurrency: (subject median, raw median).
pub async fn compare(
    subject: &Subject,
    raw: &Subject,
    server: Option<&Server>,
    calls: usize,
    concurrency: usize,
    repeat: usize,
) -> Result<(Run, Run), String> {
    let (mut subject_runs, mut raw_runs) = (Vec::new(), Vec::new());
    // Alternate which client goes first, so that neither always runs on a warmer or colder
    // machine state (connection pools, caches, frequency).
    for round in 0..repeat.max(1) {
        for subject_turn in if round % 2 == 0 {
            [true, false]
        } else {
            [false, true]
        } {
            if subject_turn {
                subject_runs.push(subject.measure(calls, concurrency, server).await?);
            } else {
                raw_runs.push(raw.measure(calls, concurrency, server).await?);
            }
        }
    }
    Ok((median(&subject_runs), median(&raw_runs)))
}
