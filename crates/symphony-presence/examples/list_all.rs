//! Every user's presence, page by page, counted by category.
//!
//! ```sh
//! cargo run -p symphony-presence --example list_all
//! SYMPHONY_POD_URL=https://acme.symphony.com/pod SYMPHONY_BOT_USERNAME=presence-bot \
//!     SYMPHONY_BOT_KEY=bot-key.pem cargo run -p symphony-presence --example list_all
//! ```

#[path = "common/mod.rs"]
mod common;

use std::collections::BTreeMap;

use futures_util::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    run(common::process_env).await
}

/// The example, reading its settings from `env`.
pub async fn run(env: common::Env) -> Result<(), Box<dyn std::error::Error>> {
    let target = common::target(env, 12_000).await?;
    let bot = target.bot()?;
    let mut by_category = BTreeMap::new();
    // Only one page is in memory at a time; the stream is Unpin, so no pin! is needed.
    let mut everyone = bot.list_all_presence().page_size(5000).stream();
    while let Some(presence) = everyone.try_next().await? {
        *by_category
            .entry(presence.category.to_string())
            .or_insert(0u64) += 1;
    }
    for (category, count) in &by_category {
        println!("{category:<16} {count}");
    }
    println!("{} users in all", by_category.values().sum::<u64>());
    Ok(())
}
