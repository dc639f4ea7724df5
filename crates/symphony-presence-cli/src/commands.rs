//! Running one command with a client.

use std::io::IsTerminal;

use futures_util::TryStreamExt;
use symphony_presence::{FeedId, PresenceCategory, PresenceClient, UserId};

use crate::args::{Command, FeedCommand};
use crate::exit::Failure;
use crate::output::{Printer, spinner, style};
use crate::watch::{self, Watch};

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
        Command::Watch {
            interval,
            page_size,
            max_events,
            duration,
        } => {
            let watch = Watch {
                interval: *interval,
                page_size: *page_size,
                max_events: *max_events,
                duration: *duration,
            };
            watch::run(client, watch, out.format()).await?;
        }
        Command::Demo { .. } => return Err(Failure::Usage("demo runs on its own".into())),
    }
    Ok(())
}

async fn list(client: &PresenceClient, page_size: u32, out: &mut Printer) -> Result<(), Failure> {
    let progress = spinner(
        out.format(),
        "{spinner} {human_pos} users listed ({elapsed})",
    );
    // With stdout on the terminal too, the bar is cleared while each row is printed; otherwise
    // it is redrawn at most a few times a second.
    let share_terminal = !progress.is_hidden() && std::io::stdout().is_terminal();
    let mut all = client.list_all_presence().page_size(page_size).stream();
    let listed = async {
        while let Some(p) = all.try_next().await? {
            if share_terminal {
                progress.suspend(|| out.presence(&p));
            } else {
                out.presence(&p);
            }
            progress.inc(1);
        }
        Ok::<_, Failure>(())
    }
    .await;
    match listed {
        Ok(()) => {
            progress.set_style(style("{human_pos} users listed in {elapsed}"));
            progress.finish();
        }
        // The error's line follows on its own.
        Err(_) => progress.finish_and_clear(),
    }
    listed
}
