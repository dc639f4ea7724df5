//! OBO fan-out: N `get_presence` calls spread over U users of one app.

use std::time::Instant;

use symphony_presence::{AppClient, AppCredentials, HttpSettings, UserId};

/// What the fan-out run measured.
pub struct FanOut {
    pub calls_per_sec: f64,
}

/// Makes `calls` calls, `concurrency` at a time, call `k` acting for `users[k % users.len()]`.
pub async fn run(
    app: AppClient,
    users: &[i64],
    calls: usize,
    concurrency: usize,
) -> Result<FanOut, String> {
    let clients: Vec<_> = users
        .iter()
        .map(|uid| app.on_behalf_of(UserId(*uid)))
        .collect();
    let clients = std::sync::Arc::new(clients);
    let concurrency = concurrency.clamp(1, calls.max(1));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|w| {
            let clients = clients.clone();
            tokio::spawn(async move {
                for k in (w..calls).step_by(concurrency) {
                    clients[k % clients.len()]
                        .get_presence()
                        .await
                        .map_err(|e| e.to_string())?;
                }
                Ok::<_, String>(())
            })
        })
        .collect();
    for worker in workers {
        worker.await.map_err(|e| e.to_string())??;
    }
    Ok(FanOut {
        calls_per_sec: calls as f64 / started.elapsed().as_secs_f64(),
    })
}

pub fn app_client(
    pod_url: &str,
    login_url: Option<&str>,
    app_id: &str,
    key_pem: &str,
    ca_pem: Option<&str>,
) -> Result<AppClient, String> {
    let credentials = AppCredentials::from_pem(app_id, key_pem).map_err(|e| e.to_string())?;
    let mut http = HttpSettings::default();
    if let Some(ca) = ca_pem {
        http = http
            .add_root_certificate_pem(ca.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    let mut builder = AppClient::builder(pod_url, credentials).http(http);
    if let Some(login) = login_url {
        builder = builder.login_url(login);
    }
    builder.build().map_err(|e| e.to_string())
}
