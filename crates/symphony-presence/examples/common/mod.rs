//! What every example shares: where it runs. With `SYMPHONY_POD_URL` set, against that pod with
//! the credentials of the environment; otherwise against the mock pod, started in-process.

#![allow(dead_code, reason = "each example uses its own part of this module")]

use symphony_mock_pod::{MockPod, MockPodConfig, RunningMockPod};
use symphony_presence::{AppClient, AppCredentials, BotCredentials, PresenceClient, UserId};

/// The app id the mock pod registers.
pub const APP_ID: &str = "example-app";
/// The bot the mock pod registers.
pub const BOT: &str = "example-bot";

/// Where an example reads its settings: the process environment, or nothing (offline).
pub type Env = fn(&str) -> Option<String>;

/// The process environment: a variable that is set and not empty.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// No settings: every example then runs against the mock pod (what the tests use).
pub fn offline(_: &str) -> Option<String> {
    None
}

/// A pod to run against, and the mock pod behind it when there is no real one.
pub struct Target {
    pub pod_url: String,
    pub mock: Option<RunningMockPod>,
    env: Env,
}

/// `SYMPHONY_POD_URL`, or a mock pod with `users` users, an app and a bot.
pub async fn target(env: Env, users: usize) -> Result<Target, Box<dyn std::error::Error>> {
    if let Some(pod_url) = env("SYMPHONY_POD_URL") {
        return Ok(Target {
            pod_url,
            mock: None,
            env,
        });
    }
    let config = MockPodConfig::default()
        .users(users)
        .with_app(APP_ID)
        .with_bot(BOT);
    let mock = MockPod::start(config).await?;
    println!(
        "(no SYMPHONY_POD_URL: running against the mock pod at {})",
        mock.base_url()
    );
    Ok(Target {
        pod_url: mock.pod_url(),
        mock: Some(mock),
        env,
    })
}

/// `SYMPHONY_USER_IDS`: comma-separated user ids.
pub fn users_from(env: Env) -> Result<Vec<UserId>, Box<dyn std::error::Error>> {
    Ok(env("SYMPHONY_USER_IDS")
        .ok_or("set SYMPHONY_USER_IDS (comma-separated user ids)")?
        .split(',')
        .map(|id| id.trim().parse())
        .collect::<Result<_, _>>()?)
}

impl Target {
    /// The app: the mock pod's, or `SYMPHONY_APP_ID` with the key in `SYMPHONY_APP_KEY`.
    pub fn app(&self) -> Result<AppClient, Box<dyn std::error::Error>> {
        let credentials = match &self.mock {
            Some(mock) => mock
                .app_credentials(APP_ID)
                .ok_or("the mock pod has the app")?,
            None => AppCredentials::from_pem_file(
                (self.env)("SYMPHONY_APP_ID").ok_or("set SYMPHONY_APP_ID")?,
                (self.env)("SYMPHONY_APP_KEY").ok_or("set SYMPHONY_APP_KEY (a PEM file)")?,
            )?,
        };
        Ok(AppClient::builder(&self.pod_url, credentials).build()?)
    }

    /// A client as the bot: the mock pod's, or `SYMPHONY_BOT_USERNAME` with the key in
    /// `SYMPHONY_BOT_KEY`.
    pub fn bot(&self) -> Result<PresenceClient, Box<dyn std::error::Error>> {
        let credentials = match &self.mock {
            Some(mock) => mock
                .bot_credentials(BOT)
                .ok_or("the mock pod has the bot")?,
            None => BotCredentials::from_pem_file(
                (self.env)("SYMPHONY_BOT_USERNAME").ok_or("set SYMPHONY_BOT_USERNAME")?,
                (self.env)("SYMPHONY_BOT_KEY").ok_or("set SYMPHONY_BOT_KEY (a PEM file)")?,
            )?,
        };
        Ok(PresenceClient::builder(&self.pod_url)
            .bot(credentials)
            .build()?)
    }

    /// Users to act for: the mock pod's first `n`, or `SYMPHONY_USER_IDS` (comma-separated).
    pub fn users(&self, n: usize) -> Result<Vec<UserId>, Box<dyn std::error::Error>> {
        match &self.mock {
            Some(mock) => Ok((0..n).map(|i| UserId(mock.user_id(i))).collect()),
            None => users_from(self.env),
        }
    }
}
