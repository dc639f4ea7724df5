//! Running one command with a client.

use std::io::IsTerminal;

use futures_util::TryStreamExt;
use symphony_presence::{FeedId, PresenceCategory, PresenceClient, UserId};

use crate::args::{Command, FeedCommand};
use crate::exit::Failure;
use crate::output::Printer;

/// Progress goes to stderr every this many users, on a terminal only.
const PROGRESS_EVERY: u64 = 1000;

pub async fn run(
    client: &PresenceClient,
    command: &Command,
    out: &mut Printer,
) -> Result<(), Failure> {
    match command {
        Command::Get => out.presence(&client.get_presence().await?),
        Command::Set { category, soft } => out.presence(
            &client
                .set_presence(PresenceCategory::from(category.as_str()))
                .soft(*soft)
                .await?,
        ),
        Command::User { uid, local } => {
            out.presence(&client.user_presence(UserId(*uid)).local(*local).await?)
        }
        Command::List { page_size } => list(client, *page_size, out).await?,
        Command::Register { uids } => {
            let uids: Vec<_> = uids.iter().copied().map(UserId).collect();
            client.register_interest(uids.iter().copied()).await?;
            out.registered(&uids);
        }
        Command::SetUser {
            uid,
            category,
            soft,
        } => {
            let category = PresenceCategory::from(category.as_str());
            let presence = client
                .set_user_presence(UserId(*uid), category)
                .soft(*soft)
                .await?;
            out.presence(&presence);
        }
        Command::Feed(FeedCommand::Create) => out.feed_id(&client.create_feed().await?),
        Command::Feed(FeedCommand::Read { id }) => {
            for p in client.read_feed(&FeedId::new(id)).await? {
                out.presence(&p);
            }
        }
        Command::Feed(FeedCommand::Delete { id }) => {
            let id = FeedId::new(id);
            client.delete_feed(&id).await?;
            out.feed_id(&id);
        }
        Command::Demo { .. } => return Err(Failure::Usage("demo runs on its own".into())),
    }
    Ok(())
}

async fn list(client: &PresenceClient, page_size: u32, out: &mut Printer) -> Result<(), Failure> {
    let progress = std::io::stderr().is_terminal();
    let mut all = client.list_all_presence().page_size(page_size).stream();
    let mut count = 0u64;
    while let Some(p) = all.try_next().await? {
        out.presence(&p);
        count += 1;
        if progress && count.is_multiple_of(PROGRESS_EVERY) {
            eprint!("\r{count} users listed...");
        }
    }
    if progress && count >= PROGRESS_EVERY {
        eprintln!("\r{count} users listed.   ");
    }
    Ok(())
}
