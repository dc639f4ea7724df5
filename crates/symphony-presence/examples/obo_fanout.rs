//! On behalf of 100 users at once: one app session, one OBO session per user, one connection
//! pool.
//!
//! ```sh
//! cargo run -p symphony-presence --example obo_fanout
//! SYMPHONY_POD_URL=https://acme.symphony.com/pod SYMPHONY_APP_ID=my-app \
//!     SYMPHONY_APP_KEY=app-key.pem SYMPHONY_USER_IDS=12345,67890 \
//!     cargo run -p symphony-presence --example obo_fanout
//! ```

#[path = "common/mod.rs"]
mod common;

use futures_util::future::try_join_all;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    run(common::process_env).await
}

/// The example, reading its settings from `env`.
pub async fn run(env: common::Env) -> Result<(), Box<dyn std::error::Error>> {
    let target = common::target(env, 100).await?;
    let app = target.app()?;
    let users = target.users(100)?;
    // Each client acts for one user; all share the app's session and connection pool, and
    // the app authenticates once however many users ask at the same time.
    let calls = users.iter().map(|&uid| {
        let client = app.on_behalf_of(uid);
        async move { client.get_presence().await.map(|p| (uid, p.category)) }
    });
    let presences = try_join_all(calls).await?;
    for (uid, category) in presences.iter().take(5) {
        println!("{uid}: {category}");
    }
    println!(
        "... {} users' presence, fetched concurrently",
        presences.len()
    );
    if let Some(mock) = &target.mock {
        let counters = mock.counters();
        println!(
            "the pod saw {} app and {} OBO authentications",
            counters.app_authentications, counters.obo_authentications
        );
    }
    Ok(())
}
