//! `symphony-mock-pod`: runs the pod simulator until interrupted.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use symphony_mock_pod::{MockPod, MockPodConfig};

/// An offline Symphony pod: the Presence API under /pod and the RSA/OBO login endpoints under
/// /login, on 127.0.0.1. Prints its base URL, then serves until Ctrl-C.
#[derive(Parser)]
#[command(name = "symphony-mock-pod", version)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Users to seed.
    #[arg(long, default_value_t = 100)]
    users: usize,
    /// Lifetime of issued session tokens, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 3600)]
    token_ttl: u64,
    /// Registers an app: its id and the path of its RSA public key (PEM). Repeatable.
    #[arg(long, num_args = 2, value_names = ["APP_ID", "PUBLIC_KEY_PEM"])]
    app: Vec<String>,
    /// Takes the administrative privileges from this user id (403 on admin calls). Repeatable.
    #[arg(long, value_name = "UID")]
    restricted_user: Vec<i64>,
    /// Registers a bot: its username and the path of its RSA public key (PEM). Repeatable.
    #[arg(long, num_args = 2, value_names = ["USERNAME", "PUBLIC_KEY_PEM"])]
    bot: Vec<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut config = MockPodConfig::default()
        .port(args.port)
        .users(args.users)
        .token_ttl(Duration::from_secs(args.token_ttl));
    for uid in &args.restricted_user {
        config = config.restricted_user(*uid);
    }
    for (pairs, is_app) in [(&args.app, true), (&args.bot, false)] {
        for pair in pairs.chunks(2) {
            let pem = match std::fs::read_to_string(PathBuf::from(&pair[1])) {
                Ok(pem) => pem,
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", pair[1]);
                    return ExitCode::from(2);
                }
            };
            config = if is_app {
                config.app(&pair[0], pem)
            } else {
                config.bot(&pair[0], pem)
            };
        }
    }
    let pod = match MockPod::start(config).await {
        Ok(pod) => pod,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    println!("{}", pod.base_url());
    let _ = tokio::signal::ctrl_c().await;
    pod.shutdown().await;
    ExitCode::SUCCESS
}
