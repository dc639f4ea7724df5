//! The command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  2  usage or invalid input (a bad category name, key file or URL)
  3  authentication failed (a 401 that persists after refresh, or a failed app, OBO or bot authentication)
  4  forbidden or not found (403/404)
  5  server, network or timeout error after retries
  6  the server's response could not be understood (malformed JSON, unexpected content, a body over the cap)";

/// Symphony presence from the command line: with a session token, as a bot, or on behalf of a
/// user of your app. `symphony-presence demo` runs everything against an offline pod.
#[derive(Parser, Debug)]
#[command(name = "symphony-presence", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// The pod's base URL, e.g. https://acme.symphony.com/pod.
    #[arg(long, env = "SYMPHONY_POD_URL", global = true)]
    pub pod_url: Option<String>,
    /// The Login API base URL (default: the pod URL's origin followed by /login).
    #[arg(long, env = "SYMPHONY_LOGIN_URL", global = true)]
    pub login_url: Option<String>,
    /// A session token obtained elsewhere.
    #[arg(
        long,
        env = "SYMPHONY_SESSION_TOKEN",
        global = true,
        hide_env_values = true
    )]
    pub session_token: Option<String>,
    /// OBO: the app id.
    #[arg(long, global = true)]
    pub app_id: Option<String>,
    /// OBO: the app's RSA private key (PEM file).
    #[arg(long, value_name = "PEM_PATH", global = true)]
    pub app_key: Option<PathBuf>,
    /// OBO: act on behalf of the user with this id.
    #[arg(long, value_name = "UID", global = true)]
    pub obo_user_id: Option<i64>,
    /// OBO: act on behalf of the user with this username.
    #[arg(long, value_name = "NAME", global = true)]
    pub obo_username: Option<String>,
    /// Bot: the bot's username.
    #[arg(long, global = true)]
    pub bot_username: Option<String>,
    /// Bot: the bot's RSA private key (PEM file).
    #[arg(long, value_name = "PEM_PATH", global = true)]
    pub bot_key: Option<PathBuf>,
    /// How results are printed.
    #[arg(long, value_enum, default_value_t = Output::Table, global = true)]
    pub output: Output,
    /// The longest one request may take, in seconds.
    #[arg(long, value_name = "SECS", global = true)]
    pub timeout: Option<u64>,
    #[command(subcommand)]
    pub command: Command,
}

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
        #[arg(long, default_value_t = 1000)]
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
    /// Presence feeds.
    #[command(subcommand)]
    Feed(FeedCommand),
    /// Runs every command against an offline mock pod; needs no arguments and no network.
    Demo,
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
