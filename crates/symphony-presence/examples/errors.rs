//! Telling failures apart without reading messages: authentication, a missing user, a rate
//! limit, a deadline, and what to quote to Symphony support.
//!
//! ```sh
//! cargo run -p symphony-presence --example errors
//! ```
//!
//! Against the mock pod each failure is made on purpose. With `SYMPHONY_POD_URL` and a bot's
//! `SYMPHONY_BOT_USERNAME` and `SYMPHONY_BOT_KEY`, it asks a real pod for a user that does not
//! exist.

#[path = "common/mod.rs"]
mod common;

use std::time::Duration;

use symphony_mock_pod::{Faults, ForcedStatus};
use symphony_presence::{
    AppClient, AppCredentials, Error, HttpSettings, PresenceClient, RetryPolicy, UserId,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    run(common::process_env).await
}

/// What a program does about `error`: each branch acts on a value, none reads a message.
fn act_on(error: &Error) -> String {
    match error {
        e if e.is_auth() => format!("check the credentials; quote trace {:?}", e.trace_id()),
        Error::NotFound(e) => format!("no such user; {} answered {}", e.request, e.status),
        Error::RateLimited(e) => format!("slow down: the pod asks for {:?}", e.retry_after),
        Error::Timeout(e) => format!(
            "gave up after {:?}, waiting for {:?}",
            e.deadline, e.waiting_for
        ),
        e if e.is_retryable() => format!("try again later ({} failed)", e.operation()),
        e => format!("cannot go on: {e}"),
    }
}

/// The example, reading its settings from `env`.
pub async fn run(env: common::Env) -> Result<(), Box<dyn std::error::Error>> {
    let target = common::target(env, 10).await?;
    let bot = target.bot()?;

    let missing = bot.user_presence(UserId(1)).await.unwrap_err();
    println!("unknown user     -> {}", act_on(&missing));

    let Some(mock) = &target.mock else {
        return Ok(());
    };

    // An app the pod does not know: its login is refused.
    let stranger = AppClient::builder(
        &target.pod_url,
        AppCredentials::from_pem(
            "not-registered",
            &mock.app_private_key_pem(common::APP_ID).ok_or("key")?,
        )?,
    )
    .build()?;
    let refused = stranger
        .on_behalf_of(UserId(mock.user_id(0)))
        .get_presence()
        .await
        .unwrap_err();
    println!("unknown app      -> {}", act_on(&refused));
    assert!(refused.is_auth());

    // The pod answers 429 with Retry-After; with no retries, the caller sees it.
    mock.set_faults(Faults {
        fail: Some(ForcedStatus {
            status: 429,
            count: 1,
            retry_after: Some("7".into()),
        }),
        ..Faults::default()
    });
    let impatient = PresenceClient::builder(&target.pod_url)
        .bot(mock.bot_credentials(common::BOT).ok_or("bot")?)
        .http(HttpSettings::default().retry_policy(RetryPolicy::none()))
        .build()?;
    let limited = impatient.get_presence().await.unwrap_err();
    println!("rate limited     -> {}", act_on(&limited));
    assert_eq!(limited.retry_after(), Some(Duration::from_secs(7)));

    // The pod takes a second to answer; the call has 200 ms in all.
    mock.set_faults(Faults {
        latency_ms: 1000,
        ..Faults::default()
    });
    let late = bot
        .get_presence()
        .deadline(Duration::from_millis(200))
        .await
        .unwrap_err();
    println!("deadline passed  -> {}", act_on(&late));
    assert!(matches!(late, Error::Timeout(_)));
    mock.set_faults(Faults::default());
    Ok(())
}
