//! `bench`: how much symphony-presence costs over bare reqwest, OBO fan-out authentication
//! counts, and paging memory. See docs/benchmarks.md.
//!
//! `cargo run --release -p symphony-presence-bench -- [options]`

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use symphony_presence::{PresenceClient, UserId};

mod fanout;
mod measure;
mod mirror;
mod paging;
mod server;
mod throughput;

use server::{Protocol, Server};
use throughput::{Run, Subject};

/// With `--features count-allocations`, every allocation is counted, for the mirror mode's
/// memory per user. Off by default: counting adds an atomic operation on one shared counter to
/// every allocation of the client's and the pod's threads, which the other modes would pay.
#[cfg(feature = "count-allocations")]
#[global_allocator]
static ALLOCATOR: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, usize::MAX);

/// Benchmarks symphony-presence. Without --pod-url it starts the mock pod in-process on
/// 127.0.0.1, pinned to CPU 0, with the client on CPU 1.
#[derive(Parser, Debug)]
#[command(name = "bench")]
struct Args {
    /// Target an external pod (for example `symphony-mock-pod` started under taskset).
    #[arg(long, requires = "session_token", conflicts_with_all = ["obo_users", "list_users", "mirror"])]
    pod_url: Option<String>,
    /// The session token for --pod-url.
    #[arg(long)]
    session_token: Option<String>,
    /// Calls per measured run.
    #[arg(long, default_value_t = 20_000)]
    calls: usize,
    /// Concurrency levels; 1 is sequential. Repeatable. Default: 1 and 64.
    #[arg(long)]
    concurrency: Vec<usize>,
    /// Calls before measuring, through both clients.
    #[arg(long, default_value_t = 2_000)]
    warmup: usize,
    /// Interleaved SDK/raw runs per level; medians are reported.
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// OBO fan-out mode: spread the calls over this many users of one app.
    #[arg(long, conflicts_with = "list_users")]
    obo_users: Option<usize>,
    /// Fan-out against an external mock pod: its login URL (with --app-id, --app-key, --fanout-pod-url).
    #[arg(long, requires_all = ["app_id", "app_key", "fanout_pod_url"])]
    login_url: Option<String>,
    /// Fan-out against an external mock pod: its pod URL.
    #[arg(long)]
    fanout_pod_url: Option<String>,
    /// Fan-out against an external pod: the app id.
    #[arg(long)]
    app_id: Option<String>,
    /// The app's private key (PKCS#8 PEM file): for fan-out against an external pod, or, in
    /// process, instead of a generated key (so that profiles repeat exactly).
    #[arg(long)]
    app_key: Option<std::path::PathBuf>,
    /// Paging mode: seed this many users and stream them all.
    #[arg(long)]
    list_users: Option<usize>,
    /// Mirror mode: a presence mirror of --mirror-users users in the in-process pod: snapshot
    /// rate, changes applied per second, and (built with `--features count-allocations`)
    /// bytes per user.
    #[arg(long, conflicts_with_all = ["obo_users", "list_users"])]
    mirror: bool,
    /// Users in the mirror mode's pod.
    #[arg(long, default_value_t = 100_000)]
    mirror_users: usize,
    /// Rounds of changes in the mirror mode; each changes every user once.
    #[arg(long, default_value_t = 5)]
    mirror_rounds: usize,
    /// Page size for the paging mode.
    #[arg(long, default_value_t = 1000)]
    page_size: u32,
    /// What the in-process pod speaks: plain HTTP/1.1, or TLS offering HTTP/1.1 only (`h1`) or
    /// HTTP/2 first (`h2`). Both clients trust its generated CA.
    #[arg(long, value_enum, default_value = "plain", conflicts_with = "pod_url")]
    protocol: Protocol,
    /// Do not pin the server and the client to CPUs 0 and 1.
    #[arg(long)]
    no_pin: bool,
    /// What the comparison measures against bare reqwest: the SDK, or the generated client
    /// alone (`gen` in the output), which shows progenitor's share of the overhead.
    #[arg(long, value_parser = ["sdk", "generated"], default_value = "sdk")]
    subject: String,
    /// Profiling aid: make `--calls` calls through one client only, at the first
    /// `--concurrency` level (1 if none), printing no figures. `generated` is the generated
    /// client without the SDK around it.
    #[arg(long, value_parser = ["sdk", "generated", "raw"])]
    only: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let cpus = measure::cpus();
    let pin = !args.no_pin && cpus >= 2;
    // Started before the client pins itself, so each thread pins to its own CPU.
    let users = args
        .list_users
        .or(args.obo_users)
        .or(args.mirror.then_some(args.mirror_users))
        .unwrap_or(10)
        .max(1);
    let key_pem = match &args.app_key {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(pem) => Some(pem),
            Err(e) => return fail(&format!("{}: {e}", path.display())),
        },
        None => None,
    };
    let server = match (&args.pod_url, &args.login_url) {
        (None, None) => match Server::start(users, pin, key_pem.as_deref(), args.protocol) {
            Ok(server) => Some(server),
            Err(e) => return fail(&format!("cannot start the mock pod: {e}")),
        },
        _ => None,
    };
    if pin {
        measure::pin_to(1);
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(&e.to_string()),
    };
    println!(
        "# bench: {} CPUs, server {} ({:?}), client {}",
        cpus,
        where_server(&server, pin),
        args.protocol,
        if pin { "pinned to CPU 1" } else { "not pinned" }
    );
    let result = runtime.block_on(async {
        if let Some(only) = &args.only {
            return profile(&args, server.as_ref(), only).await;
        }
        if args.mirror {
            return mirror(&args, server.as_ref()).await;
        }
        match (args.obo_users, args.list_users) {
            (Some(users), _) => fan_out(&args, server.as_ref(), users).await,
            (_, Some(_)) => page(&args, server.as_ref()).await,
            _ => compare(&args, server.as_ref()).await,
        }
    });
    drop(server);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn where_server(server: &Option<Server>, pin: bool) -> &'static str {
    match (server, pin) {
        (None, _) => "external",
        (Some(_), true) => "in-process, pinned to CPU 0",
        (Some(_), false) => "in-process, not pinned",
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("bench: {message}");
    ExitCode::FAILURE
}

/// An OBO client of the in-process pod, or a static-token client of the external one, plus the
/// token for the bare client.
async fn target(
    args: &Args,
    server: Option<&Server>,
) -> Result<(String, PresenceClient, String), String> {
    match (server, &args.pod_url, &args.session_token) {
        (Some(server), _, _) => {
            let pod_url = server.pod.pod_url();
            let app = fanout::app_client(
                &pod_url,
                None,
                server::APP_ID,
                &server.app_key_pem,
                server.ca_pem.as_deref(),
            )?;
            let client = app.on_behalf_of(UserId(server.pod.user_id(0)));
            let token = client.session_token().await.map_err(|e| e.to_string())?;
            Ok((pod_url, client, token.expose().to_owned()))
        }
        (None, Some(pod_url), Some(token)) => {
            let client = PresenceClient::builder(pod_url)
                .session_token(token.as_str())
                .build()
                .map_err(|e| e.to_string())?;
            Ok((pod_url.clone(), client, token.clone()))
        }
        _ => Err("--pod-url needs --session-token".into()),
    }
}

async fn compare(args: &Args, server: Option<&Server>) -> Result<(), String> {
    let connections = || server.map_or(0, Server::connections);
    let before = connections();
    let (pod_url, sdk, token) = target(args, server).await?;
    // Connections each client has opened so far: the SDK's logins share its pool.
    let mut opened = [connections() - before, 0];
    let ca = server.and_then(|s| s.ca_pem.as_deref());
    let raw = subject("raw", &pod_url, &token, ca, sdk.clone())?;
    let subject = subject(&args.subject, &pod_url, &token, ca, sdk)?;
    let name = subject.name();
    let levels = if args.concurrency.is_empty() {
        vec![1, 64]
    } else {
        args.concurrency.clone()
    };
    if args.warmup > 0 {
        let (s, r) = throughput::compare(&subject, &raw, server, args.warmup, 8, 1).await?;
        opened[0] += s.connections;
        opened[1] += r.connections;
    }
    println!(
        "# {} calls per run, {} interleaved runs per client, medians",
        args.calls,
        args.repeat.max(1)
    );
    println!(
        "{:<6} {:>11} {:>12} {:>10} {:>10} {:>14} {:>14} {:>6}",
        "client",
        "concurrency",
        "calls/s",
        "p50 µs",
        "p99 µs",
        "CPU µs/call",
        "server µs/call",
        "conns"
    );
    let mut results: Vec<(usize, Run, Run)> = Vec::new();
    for &level in &levels {
        let (s, r) =
            throughput::compare(&subject, &raw, server, args.calls, level, args.repeat).await?;
        opened[0] += s.connections;
        opened[1] += r.connections;
        for ((name, run), opened) in [(name, s), ("raw", r)].into_iter().zip(opened) {
            println!(
                "{name:<6} {level:>11} {:>12.0} {:>10.1} {:>10.1} {:>14.1} {:>14.1} {opened:>6}",
                run.calls_per_sec,
                run.p50.as_secs_f64() * 1e6,
                run.p99.as_secs_f64() * 1e6,
                run.cpu_per_call.as_secs_f64() * 1e6,
                run.server_cpu_per_call.as_secs_f64() * 1e6
            );
        }
        println!(
            "{:<6} {level:>11} {:>12.3} {:>10} {:>10} {:>14.3}",
            "ratio",
            s.calls_per_sec / r.calls_per_sec,
            "",
            "",
            s.cpu_per_call.as_secs_f64() / r.cpu_per_call.as_secs_f64().max(f64::MIN_POSITIVE)
        );
        results.push((level, s, r));
    }
    let seq = results
        .iter()
        .find(|(l, _, _)| *l == 1)
        .map(|(_, s, r)| (*s, *r))
        .unwrap_or_default();
    let conc = results
        .iter()
        .filter(|(l, _, _)| *l > 1)
        .max_by_key(|(l, _, _)| *l)
        .map(|(_, s, r)| (*s, *r))
        .unwrap_or_default();
    let ratio = |(s, r): (Run, Run)| {
        if r.calls_per_sec > 0.0 {
            s.calls_per_sec / r.calls_per_sec
        } else {
            0.0
        }
    };
    println!(
        "{name}_seq_cps={:.0} raw_seq_cps={:.0} seq_ratio={:.3} {name}_conc_cps={:.0} raw_conc_cps={:.0} conc_ratio={:.3}",
        seq.0.calls_per_sec,
        seq.1.calls_per_sec,
        ratio(seq),
        conc.0.calls_per_sec,
        conc.1.calls_per_sec,
        ratio(conc)
    );
    Ok(())
}

async fn fan_out(args: &Args, server: Option<&Server>, users: usize) -> Result<(), String> {
    let concurrency = args.concurrency.iter().copied().max().unwrap_or(64);
    let (app, uids, counters_url) = match server {
        Some(server) => {
            let pod_url = server.pod.pod_url();
            let app = fanout::app_client(
                &pod_url,
                None,
                server::APP_ID,
                &server.app_key_pem,
                server.ca_pem.as_deref(),
            )?;
            let uids = (0..users)
                .map(|i| server.pod.user_id(i))
                .collect::<Vec<_>>();
            (app, uids, None)
        }
        None => {
            let (Some(pod_url), Some(app_id), Some(key)) =
                (&args.fanout_pod_url, &args.app_id, &args.app_key)
            else {
                return Err("fan-out against an external pod needs --fanout-pod-url, --login-url, --app-id and --app-key".into());
            };
            let pem =
                std::fs::read_to_string(key).map_err(|e| format!("{}: {e}", key.display()))?;
            let app = fanout::app_client(pod_url, args.login_url.as_deref(), app_id, &pem, None)?;
            // An external symphony-mock-pod seeds its users from FIRST_USER_ID.
            let uids = (0..users)
                .map(|i| symphony_mock_pod::FIRST_USER_ID + i as i64)
                .collect();
            let base = pod_url.trim_end_matches("/pod").to_owned();
            (app, uids, Some(format!("{base}/_mock/counters")))
        }
    };
    let result = fanout::run(app, &uids, args.calls, concurrency).await?;
    let (app_auths, obo_auths) = match (server, counters_url) {
        (Some(server), _) => {
            let c = server.pod.counters();
            (c.app_authentications, c.obo_authentications)
        }
        (None, Some(url)) => {
            let c: serde_json::Value = reqwest::get(&url)
                .await
                .map_err(|e| e.to_string())?
                .json()
                .await
                .map_err(|e| e.to_string())?;
            (
                c["app_authentications"].as_u64().unwrap_or(0),
                c["obo_authentications"].as_u64().unwrap_or(0),
            )
        }
        _ => (0, 0),
    };
    println!(
        "# OBO fan-out: {} calls over {users} users, concurrency {concurrency}",
        args.calls
    );
    println!("calls/s {:.0}", result.calls_per_sec);
    println!("app_authentications={app_auths} obo_authentications={obo_auths} users={users}");
    Ok(())
}

async fn page(args: &Args, server: Option<&Server>) -> Result<(), String> {
    let server = server.ok_or("the paging mode runs against the in-process mock pod")?;
    let (_, client, _) = target(args, Some(server)).await?;
    let result = paging::run(&client, args.page_size).await?;
    println!(
        "# paging: {} users streamed, page size {}",
        result.users, args.page_size
    );
    println!("users/s {:.0}", result.users_per_sec);
    println!(
        "rss_before_kib={} rss_peak_during_kib={} rss_growth_kib={} peak_rss_kib={}",
        result.rss_before_kib,
        result.rss_peak_during_kib,
        result
            .rss_peak_during_kib
            .saturating_sub(result.rss_before_kib),
        result.peak_rss_kib
    );
    Ok(())
}

async fn mirror(args: &Args, server: Option<&Server>) -> Result<(), String> {
    let server = server.ok_or("the mirror mode runs against the in-process mock pod")?;
    let (_, client, _) = target(args, Some(server)).await?;
    let run = mirror::run(&client, server, args.mirror_rounds).await?;
    println!(
        "# mirror: {} users in the in-process pod, page size 5000; {} round(s) changing every \
         user once ({} redone: a feed read came while the changes were made)",
        run.users, args.mirror_rounds, run.rounds_redone
    );
    let snapshot_users_per_sec = run.users as f64 / run.snapshot.as_secs_f64();
    let per_user = |cpu: std::time::Duration| cpu.as_secs_f64() * 1e6 / run.users as f64;
    println!(
        "snapshot: {:.1} ms, {snapshot_users_per_sec:.0} users/s; per user {:.3} µs client CPU \
         (the same listing without a mirror: {:.3}), {:.3} µs pod CPU",
        run.snapshot.as_secs_f64() * 1e3,
        per_user(run.snapshot_client_cpu),
        per_user(run.listing_client_cpu),
        per_user(run.snapshot_server_cpu)
    );
    println!(
        "changes: {} applied (each round's first read of 500 left out), {:.0} changes/s; \
         per change {:.3} µs client CPU, {:.3} µs pod CPU",
        run.changes,
        run.changes_per_sec,
        run.client_cpu_per_change.as_secs_f64() * 1e6,
        run.server_cpu_per_change.as_secs_f64() * 1e6
    );
    let memory = match run.bytes_per_user {
        Some((snapshot, rounds)) => {
            println!(
                "memory: {snapshot:.1} bytes per user held after the snapshot, {rounds:.1} freed \
                 per user by closing the mirror after the changes; {:.1} beyond the {} bytes \
                 of a presence's data (id, timestamp, category)",
                snapshot - mirror::PRESENCE_BYTES,
                mirror::PRESENCE_BYTES
            );
            format!(" bytes_per_user={snapshot:.1}")
        }
        None => {
            println!("memory: not counted; build with `--features count-allocations` to count it");
            String::new()
        }
    };
    println!(
        "mirror_users={} snapshot_users_per_sec={snapshot_users_per_sec:.0} changes_per_sec={:.0}{memory}",
        run.users, run.changes_per_sec
    );
    Ok(())
}

/// `--only`: one client, at the first `--concurrency` level (1 if none), for a profiler to
/// look at.
async fn profile(args: &Args, server: Option<&Server>, only: &str) -> Result<(), String> {
    let (pod_url, sdk, token) = target(args, server).await?;
    let ca = server.and_then(|s| s.ca_pem.as_deref());
    let client = subject(only, &pod_url, &token, ca, sdk)?;
    let concurrency = args.concurrency.first().copied().unwrap_or(1);
    client.measure(args.calls, concurrency, server).await?;
    println!("{} calls through {only}", args.calls);
    Ok(())
}

/// The client named `name` (`sdk`, `generated` or `raw`) for the same pod, token and CA.
fn subject(
    name: &str,
    pod_url: &str,
    token: &str,
    ca_pem: Option<&str>,
    sdk: PresenceClient,
) -> Result<Subject, String> {
    Ok(match name {
        "sdk" => Subject::Sdk(sdk),
        "generated" => Subject::Generated(Arc::new(throughput::Generated::new(
            pod_url, token, ca_pem,
        )?)),
        _ => Subject::Raw(Arc::new(throughput::Raw::new(pod_url, token, ca_pem)?)),
    })
}
