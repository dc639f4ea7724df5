//! `symphony-mock-pod`: runs the pod simulator until interrupted.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use symphony_mock_pod::{ClientCertificates, ClockOffset, MockPod, MockPodConfig, TlsConfig};

/// An offline Symphony pod: the Presence API under /pod, the RSA/OBO login endpoints under
/// /login and, with --tls, certificate authentication under /sessionauth, on 127.0.0.1.
/// Prints its base URL, then serves until Ctrl-C.
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
    /// Runs the pod's clock this many seconds ahead of this machine's (negative: behind), at
    /// most 240 either way. The pod's time checks JWTs and is sent in every `Date` header.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    clock_offset: i64,
    /// Forgets a presence feed not read for this many seconds (default: feeds live until
    /// deleted).
    #[arg(long, value_name = "SECS")]
    feed_ttl: Option<u64>,
    /// Registers an app: its id and the path of its RSA public key (PEM). Repeatable.
    #[arg(long, num_args = 2, value_names = ["APP_ID", "PUBLIC_KEY_PEM"])]
    app: Vec<String>,
    /// Registers an app with a key pair generated at start, and writes its RSA private key
    /// (PKCS#8 PEM, readable by its owner only) to KEY_OUT, for a client to sign with.
    /// Repeatable.
    #[arg(long, num_args = 2, value_names = ["APP_ID", "KEY_OUT"])]
    with_app: Vec<String>,
    /// Registers a bot with a key pair generated at start, and writes its RSA private key
    /// (PKCS#8 PEM, readable by its owner only) to KEY_OUT. Repeatable.
    #[arg(long, num_args = 2, value_names = ["USERNAME", "KEY_OUT"])]
    with_bot: Vec<String>,
    /// Takes the administrative privileges from this user id (403 on admin calls). Repeatable.
    #[arg(long, value_name = "UID")]
    restricted_user: Vec<i64>,
    /// Refuses on-behalf-of authentication for this user id, as a user who has not installed
    /// the app (401). Repeatable.
    #[arg(long, value_name = "UID")]
    obo_refused_user: Vec<i64>,
    /// Registers a bot: its username and the path of its RSA public key (PEM). Repeatable.
    #[arg(long, num_args = 2, value_names = ["USERNAME", "PUBLIC_KEY_PEM"])]
    bot: Vec<String>,
    /// Serves HTTPS (HTTP/2 and HTTP/1.1) with a CA generated at start, instead of plain HTTP.
    #[arg(long)]
    tls: bool,
    /// Writes the CA certificate (PEM) to this file, for clients to trust.
    #[arg(long, value_name = "PATH", requires = "tls")]
    ca_cert_out: Option<PathBuf>,
    /// Whether the pod's port asks TLS clients for a certificate signed by its CA.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = ClientCertMode::Requested, requires = "tls")]
    client_certificates: ClientCertMode,
    /// Serves /sessionauth on its own port (0 picks a free one), which asks for client
    /// certificates; printed on a second line.
    #[arg(long, value_name = "PORT", requires = "tls")]
    session_auth_port: Option<u16>,
    /// Registers a bot that authenticates by client certificate (common name = USERNAME).
    /// Repeatable.
    #[arg(long, value_name = "USERNAME", requires = "tls")]
    certificate_bot: Vec<String>,
    /// Registers an app that authenticates by client certificate (common name = APP_ID).
    /// Repeatable.
    #[arg(long, value_name = "APP_ID", requires = "tls")]
    certificate_app: Vec<String>,
    /// Issues a client certificate for COMMON_NAME, signed by the CA, and writes its private
    /// key and certificate (PEM, in one file) to PATH. Repeatable.
    #[arg(long, num_args = 2, value_names = ["COMMON_NAME", "PATH"], requires = "tls")]
    client_cert_out: Vec<String>,
}

/// `--client-certificates`.
#[derive(Clone, Copy, ValueEnum)]
enum ClientCertMode {
    /// Never asks.
    NotRequested,
    /// Asks, verifies one if given, serves clients without one.
    Requested,
    /// Fails the handshake without one.
    Required,
}

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(PathBuf::from(path)).map_err(|e| format!("cannot read {path}: {e}"))
}

fn write(path: &std::path::Path, contents: &str) -> Result<(), String> {
    std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Writes a private key, readable and writable by its owner only (on Unix).
fn write_secret(path: &std::path::Path, contents: &str) -> Result<(), String> {
    use std::io::Write;

    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .and_then(|mut file| file.write_all(contents.as_bytes()))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn config(args: &Args) -> Result<MockPodConfig, String> {
    let mut config = MockPodConfig::default()
        .port(args.port)
        .users(args.users)
        .token_ttl(Duration::from_secs(args.token_ttl))
        .clock_offset(ClockOffset::from_secs(args.clock_offset));
    if let Some(secs) = args.feed_ttl {
        config = config.feed_ttl(Duration::from_secs(secs));
    }
    for uid in &args.restricted_user {
        config = config.restricted_user(*uid);
    }
    for uid in &args.obo_refused_user {
        config = config.obo_refused_user(*uid);
    }
    for pair in args.app.chunks(2) {
        config = config.app(&pair[0], read(&pair[1])?);
    }
    for pair in args.bot.chunks(2) {
        config = config.bot(&pair[0], read(&pair[1])?);
    }
    for pair in args.with_app.chunks(2) {
        config = config.with_app(&pair[0]);
    }
    for pair in args.with_bot.chunks(2) {
        config = config.with_bot(&pair[0]);
    }
    for app_id in &args.certificate_app {
        config = config.certificate_app(app_id);
    }
    for username in &args.certificate_bot {
        config = config.certificate_bot(username);
    }
    if args.tls {
        let mut tls = TlsConfig::default().client_certificates(match args.client_certificates {
            ClientCertMode::NotRequested => ClientCertificates::NotRequested,
            ClientCertMode::Requested => ClientCertificates::Requested,
            ClientCertMode::Required => ClientCertificates::Required,
        });
        if let Some(port) = args.session_auth_port {
            tls = tls.session_auth_port(port);
        }
        config = config.tls(tls);
    }
    Ok(config)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let fail = |message: String| {
        eprintln!("error: {message}");
        ExitCode::from(2)
    };
    let config = match config(&args) {
        Ok(config) => config,
        Err(e) => return fail(e),
    };
    let pod = match MockPod::start(config).await {
        Ok(pod) => pod,
        Err(e) => return fail(e.to_string()),
    };
    if let (Some(path), Some(pem)) = (&args.ca_cert_out, pod.ca_certificate_pem())
        && let Err(e) = write(path, &pem)
    {
        return fail(e);
    }
    let generated = args
        .with_app
        .chunks(2)
        .map(|pair| (pod.app_private_key_pem(&pair[0]), &pair[1]))
        .chain(
            args.with_bot
                .chunks(2)
                .map(|pair| (pod.bot_private_key_pem(&pair[0]), &pair[1])),
        );
    for (pem, path) in generated {
        // Registered with a generated key just above, so the pod holds it.
        let written = pem
            .ok_or_else(|| format!("no generated key to write to {path}"))
            .and_then(|pem| write_secret(path.as_ref(), &pem));
        if let Err(e) = written {
            return fail(e);
        }
    }
    for pair in args.client_cert_out.chunks(2) {
        let written = pod
            .issue_client_certificate(&pair[0])
            .map_err(|e| e.to_string())
            .and_then(|certificate| write(pair[1].as_ref(), &certificate.identity_pem()));
        if let Err(e) = written {
            return fail(e);
        }
    }
    println!("{}", pod.base_url());
    if pod.session_auth_port().is_some() {
        println!("{}", pod.session_auth_url());
    }
    let _ = tokio::signal::ctrl_c().await;
    pod.shutdown().await;
    ExitCode::SUCCESS
}
