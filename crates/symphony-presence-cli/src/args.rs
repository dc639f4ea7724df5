//! The command line.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Configuration file:
  --config (or SYMPHONY_CONFIG) reads the config.yaml or JSON of Symphony's Java and Python SDKs: the
  pod, login and session-auth URLs, proxy, default headers, timeouts, retry, ssl.trustStore.path (PEM),
  and the bot or app with its privateKey or certificate (a PEM file of certificate and key). Flags and
  their environment variables win over the file; --pod-url replaces the file's servers, so the login
  and session-auth URLs then derive from it. Credentials given as flags replace the file's. With an
  app in the file, give --obo-user-id or --obo-username.

Exit codes:
  0  success; for watch, ending at --max-events, --duration or Ctrl-C (which deletes its feed)
  2  usage or invalid input (a bad category name, key, certificate, URL or configuration file)
  3  authentication failed (a 401 that persists after refresh, a failed app, OBO or bot authentication,
     or a client certificate the server refused)
  4  forbidden or not found (403/404)
  5  server, network, timeout or TLS error after retries (a TLS error says what to do, such as --ca-cert)
  6  the server's response could not be understood (malformed JSON, unexpected content, a body over the cap)";

/// Symphony presence from the command line: with a session token, as a bot, or on behalf of a
/// user of your app. `symphony-presence demo` runs everything against an offline pod.
#[derive(Parser, Debug)]
#[command(name = "symphony-presence", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// The Symphony SDKs' configuration file (YAML or JSON); flags override it.
    #[arg(long, value_name = "PATH", env = "SYMPHONY_CONFIG", global = true, help_heading = CONNECTION)]
    pub config: Option<PathBuf>,
    /// The pod's base URL, e.g. https://acme.symphony.com/pod.
    #[arg(long, env = "SYMPHONY_POD_URL", global = true, help_heading = CONNECTION)]
    pub pod_url: Option<String>,
    /// The Login API base URL (default: the pod URL's origin followed by /login).
    #[arg(long, env = "SYMPHONY_LOGIN_URL", global = true, help_heading = CONNECTION)]
    pub login_url: Option<String>,
    /// The session-auth (certificate authentication) base URL (default: the pod URL's origin
    /// followed by /sessionauth).
    #[arg(long, value_name = "URL", env = "SYMPHONY_SESSION_AUTH_URL", global = true, help_heading = CONNECTION)]
    pub session_auth_url: Option<String>,
    /// Send every request through this HTTP proxy, e.g. http://proxy.acme.com:3128; credentials
    /// may be in the URL (http://user:password@host:port) and are never printed. HTTP_PROXY and
    /// the like are ignored.
    #[arg(
        long,
        value_name = "URL",
        env = "SYMPHONY_PROXY",
        hide_env_values = true,
        global = true,
        help_heading = CONNECTION
    )]
    pub proxy: Option<String>,
    /// Also trust the CA certificates in this PEM file (repeatable), for a pod, proxy or gateway
    /// whose certificate a private CA signed.
    #[arg(long, value_name = "PEM_PATH", global = true, help_heading = CONNECTION)]
    pub ca_cert: Vec<PathBuf>,
    /// The longest one request may take, in seconds.
    #[arg(long, value_name = "SECS", global = true, help_heading = CONNECTION)]
    pub timeout: Option<u64>,
    /// The longest one call may take in all, authentication and retries included, in seconds
    /// (default 60).
    #[arg(
        long,
        value_name = "SECS",
        value_parser = clap::value_parser!(u64).range(1..),
        global = true,
        help_heading = CONNECTION
    )]
    pub deadline: Option<u64>,
    /// Send tokens and logins over plain http:// to other machines too (refused by default,
    /// except to this machine): for a trusted network or a TLS-terminating sidecar only.
    #[arg(long, global = true, help_heading = CONNECTION)]
    pub allow_insecure_http: bool,
    /// A session token obtained elsewhere.
    #[arg(
        long,
        env = "SYMPHONY_SESSION_TOKEN",
        global = true,
        hide_env_values = true,
        help_heading = AUTHENTICATION
    )]
    pub session_token: Option<String>,
    /// OBO: the app id.
    #[arg(long, global = true, help_heading = AUTHENTICATION)]
    pub app_id: Option<String>,
    /// OBO: the app's RSA private key (PEM file).
    #[arg(long, value_name = "PEM_PATH", global = true, help_heading = AUTHENTICATION)]
    pub app_key: Option<PathBuf>,
    /// OBO: the app's client certificate (PEM file), instead of --app-key; needs --app-cert-key.
    #[arg(long, value_name = "PEM_PATH", global = true, help_heading = AUTHENTICATION)]
    pub app_cert: Option<PathBuf>,
    /// OBO: the private key of --app-cert (PEM file, not encrypted).
    #[arg(long, value_name = "PEM_PATH", global = true, help_heading = AUTHENTICATION)]
    pub app_cert_key: Option<PathBuf>,
    /// OBO: act on behalf of the user with this id.
    #[arg(long, value_name = "UID", global = true, help_heading = AUTHENTICATION)]
    pub obo_user_id: Option<i64>,
    /// OBO: act on behalf of the user with this username.
    #[arg(long, value_name = "NAME", global = true, help_heading = AUTHENTICATION)]
    pub obo_username: Option<String>,
    /// Bot: the bot's username.
    #[arg(long, global = true, help_heading = AUTHENTICATION)]
    pub bot_username: Option<String>,
    /// Bot: the bot's RSA private key (PEM file).
    #[arg(long, value_name = "PEM_PATH", global = true, help_heading = AUTHENTICATION)]
    pub bot_key: Option<PathBuf>,
    /// Bot: the bot's client certificate (PEM file), which names the bot; needs --bot-cert-key.
    #[arg(long, value_name = "PEM_PATH", global = true, help_heading = AUTHENTICATION)]
    pub bot_cert: Option<PathBuf>,
    /// Bot: the private key of --bot-cert (PEM file, not encrypted).
    #[arg(long, value_name = "PEM_PATH", global = true, help_heading = AUTHENTICATION)]
    pub bot_cert_key: Option<PathBuf>,
    /// How results are printed.
    #[arg(long, value_enum, default_value_t = Output::Table, global = true)]
    pub output: Output,
    #[command(subcommand)]
    pub command: Command,
}

const CONNECTION: &str = "Pod and connection";
const AUTHENTICATION: &str = "Authentication (exactly one form: a session token, OBO or a bot)";

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// An aligned table for people.
    Table,
    /// One JSON object per line.
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Your own presence.
    Get,
    /// Sets your presence.
    Set {
        /// A category, e.g. AVAILABLE, BUSY, AWAY, IN_A_MEETING.
        category: String,
        /// Respect the current state: an offline user stays offline until they come online.
        #[arg(long)]
        soft: bool,
    },
    /// Another user's presence.
    User {
        /// The user id.
        uid: i64,
        /// Query only users of your pod.
        #[arg(long)]
        local: bool,
    },
    /// Every user's presence, page by page.
    List {
        /// Users per page, 1 to 5000.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=5000))]
        page_size: u32,
    },
    /// Registers interest in external users' presence.
    Register {
        /// User ids.
        #[arg(required = true)]
        uids: Vec<i64>,
    },
    /// Sets another user's presence (needs the User Provisioning entitlement).
    SetUser {
        /// The user id.
        uid: i64,
        /// The category.
        category: String,
        /// Respect the user's current state.
        #[arg(long)]
        soft: bool,
    },
    /// Mirrors every user's presence and prints each change as it comes: a live table on a
    /// terminal, one line per event otherwise, NDJSON with --output json. Runs until
    /// --max-events or --duration, or Ctrl-C; it then deletes its feed and exits 0.
    Watch {
        /// Seconds between two reads of the feed (decimals allowed).
        #[arg(long, value_name = "SECS", default_value = "1", value_parser = seconds)]
        interval: Duration,
        /// Users per page of the snapshot, 1 to 5000.
        #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u32).range(1..=5000))]
        page_size: u32,
        /// Stop after this many events.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        max_events: Option<u64>,
        /// Stop after this many seconds (decimals allowed).
        #[arg(long, value_name = "SECS", value_parser = seconds)]
        duration: Option<Duration>,
    },
    /// Presence feeds.
    #[command(subcommand)]
    Feed(FeedCommand),
    /// Runs every command against an offline mock pod; needs no arguments and no network.
    Demo {
        /// Serve the mock pod over TLS, with a certificate authority it generates and the
        /// demo trusts.
        #[arg(long)]
        tls: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum FeedCommand {
    /// Creates a feed and prints its id.
    Create,
    /// Prints the presences changed since the feed was last read.
    Read {
        /// The feed id.
        id: String,
    },
    /// Deletes a feed.
    Delete {
        /// The feed id.
        id: String,
    },
}

/// A positive number of seconds, decimals allowed.
fn seconds(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if secs <= 0.0 {
        return Err("give a positive number of seconds".into());
    }
    Duration::try_from_secs_f64(secs).map_err(|e| format!("{text} seconds: {e}"))
}
