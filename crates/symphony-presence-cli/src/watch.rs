//! `symphony-presence watch`: a presence mirror of every user, and its events as they come.
//!
//! The mirror (the SDK's `PresenceMirror`) takes a snapshot of every user, then applies the
//! changes its feed reports. Each event is printed: as NDJSON with `--output json`; for people, a
//! live table redrawn in place when stdout is a terminal, or one line per event otherwise.
//!
//! It ends after `--max-events` or `--duration`, or at Ctrl-C, and then closes the mirror, which
//! deletes its feed; all three exit 0. An error that will not heal ends it with its exit code:
//! any error before the first snapshot is complete (as `list` would fail), and afterwards a
//! refused authentication or a 403. Other errors (a lost feed, a pod that is down for a while)
//! are printed as `degraded` events while the mirror recovers on its own.

use std::collections::{BTreeMap, VecDeque};
use std::io::IsTerminal;
use std::pin::pin;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use indicatif::{HumanCount, ProgressBar, ProgressDrawTarget};
use serde_json::json;
use symphony_presence::{
    Error, MirrorEvent, Presence, PresenceCategory, PresenceClient, PresenceMirror, UserId,
};

use crate::args::Output;
use crate::exit::{self, Failure};
use crate::output::{self, set_at, spinner, style};

/// How long closing the mirror (deleting its feed) may take before the watch ends anyway.
const CLOSE_LIMIT: Duration = Duration::from_secs(5);
/// How often the live table is redrawn, at most.
const REDRAW_EVERY: Duration = Duration::from_millis(250);
/// How many of the latest changes the live table shows.
const LATEST_CHANGES: usize = 10;

/// The options of `watch`.
#[derive(Clone, Copy, Debug)]
pub struct Watch {
    pub interval: Duration,
    pub page_size: u32,
    pub max_events: Option<u64>,
    pub duration: Option<Duration>,
}

pub async fn run(client: &PresenceClient, watch: Watch, format: Output) -> Result<(), Failure> {
    let started = Instant::now();
    // The users of the first snapshot so far.
    let progress = spinner(
        format,
        "{spinner} taking a snapshot: {human_pos} users ({elapsed})",
    );
    let mut mirror = client
        .mirror()
        .interval(watch.interval)
        .page_size(watch.page_size)
        .on_snapshot_progress({
            let progress = progress.clone();
            move |p| {
                if p.first {
                    progress.set_position(p.users as u64);
                }
            }
        })
        .start();
    let mut display = Display::new(format);
    let ended = follow(&mut mirror, watch, started, &progress, &mut display).await;
    progress.finish_and_clear();
    display.finish(&mirror, matches!(ended, Ok(End::Interrupted)));
    close(mirror).await;
    ended.map(drop).map_err(Failure::Sdk)
}

/// Why the watch ended without an error.
enum End {
    /// After `--max-events` or `--duration`.
    Done,
    /// At Ctrl-C.
    Interrupted,
}

/// Prints the mirror's events until the watch ends: `Err` for an error that will not heal.
async fn follow(
    mirror: &mut PresenceMirror,
    watch: Watch,
    started: Instant,
    progress: &ProgressBar,
    display: &mut Display,
) -> Result<End, Error> {
    let mut ctrl_c = pin!(tokio::signal::ctrl_c());
    let mut time_up = pin!(async {
        match watch.duration {
            // A duration too long to add never ends the watch.
            Some(duration) => match started.checked_add(duration) {
                Some(end) => tokio::time::sleep_until(end.into()).await,
                None => std::future::pending().await,
            },
            None => std::future::pending().await,
        }
    });
    let mut redraw = tokio::time::interval(REDRAW_EVERY);
    redraw.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut synced = false;
    let mut printed: u64 = 0;
    loop {
        tokio::select! {
            event = mirror.next() => {
                // The mirror never ends on its own.
                let Some(event) = event else { return Ok(End::Done) };
                match &event {
                    MirrorEvent::Degraded { error } if !synced || will_not_heal(error) => {
                        return Err(error.clone());
                    }
                    MirrorEvent::Resynced { .. } if !synced => {
                        synced = true;
                        progress.finish_and_clear();
                    }
                    _ => {}
                }
                if display.event(&event) {
                    printed += 1;
                }
                if watch.max_events.is_some_and(|max| printed >= max) {
                    return Ok(End::Done);
                }
            }
            _ = redraw.tick() => display.redraw(mirror),
            _ = &mut time_up => return Ok(End::Done),
            _ = &mut ctrl_c => return Ok(End::Interrupted),
        }
    }
}

/// Errors after which the mirror would only fail again: the credentials or the session were
/// refused, or the caller lacks the privilege to list and follow presence.
fn will_not_heal(error: &Error) -> bool {
    error.is_auth() || matches!(error, Error::Forbidden(_))
}

/// Closes the mirror, deleting its feed, waiting at most [`CLOSE_LIMIT`] or until Ctrl-C; a
/// feed left behind is only a warning (the pod drops it when it expires).
async fn close(mirror: PresenceMirror) {
    let outcome = tokio::select! {
        closed = tokio::time::timeout(CLOSE_LIMIT, mirror.close()) => match closed {
            Ok(Ok(())) => return,
            Ok(Err(error)) => exit::describe(&error),
            Err(_) => format!("no answer within {}s", CLOSE_LIMIT.as_secs()),
        },
        _ = tokio::signal::ctrl_c() => "interrupted".to_owned(),
    };
    eprintln!(
        "warning: the mirror's feed was not deleted ({outcome}); the pod drops it when it expires"
    );
}

/// Where the events go.
enum Display {
    /// One JSON object per event.
    Json,
    /// One plain line per event, for a pipe or a file.
    Lines,
    /// A table redrawn in place on the terminal.
    Live(Box<LiveTable>),
}

impl Display {
    fn new(format: Output) -> Self {
        match format {
            Output::Json => Display::Json,
            Output::Table if std::io::stdout().is_terminal() => {
                Display::Live(Box::new(LiveTable::new()))
            }
            Output::Table => Display::Lines,
        }
    }

    /// Shows `event`; false for an event this version does not know, which is not shown.
    fn event(&mut self, event: &MirrorEvent) -> bool {
        match self {
            Display::Json => match json_event(event) {
                Some(value) => output::line(&value),
                None => return false,
            },
            Display::Lines => match plain_event(event) {
                Some(text) => println!("{text}"),
                None => return false,
            },
            Display::Live(table) => return table.event(event),
        }
        true
    }

    fn redraw(&mut self, mirror: &PresenceMirror) {
        if let Display::Live(table) = self {
            table.redraw(mirror);
        }
    }

    /// Leaves the live table's last state on the screen. After Ctrl-C the terminal has
    /// echoed `^C` where the table's redraw does not expect it, so the table is left as it was
    /// last drawn, and the shell's prompt goes to the next line.
    fn finish(&mut self, mirror: &PresenceMirror, interrupted: bool) {
        let Display::Live(table) = self else { return };
        if !table.synced {
            // Nothing was drawn.
            table.screen.finish_and_clear();
        } else if interrupted {
            table.screen.set_draw_target(ProgressDrawTarget::hidden());
            println!();
        } else {
            table.dirty = true;
            table.redraw(mirror);
            table.screen.abandon();
        }
    }
}

/// An event as NDJSON: `changed`, `resynced`, `degraded` or `lagged`.
pub fn json_event(event: &MirrorEvent) -> Option<serde_json::Value> {
    Some(match event {
        MirrorEvent::Changed { user_id, from, to } => json!({
            "event": "changed",
            "userId": user_id.0,
            "from": from.as_ref().map(PresenceCategory::as_str),
            "to": to.category.as_str(),
            "timestamp": to.timestamp.map(|t| t.as_millis()),
        }),
        MirrorEvent::Resynced { users } => json!({ "event": "resynced", "users": users }),
        MirrorEvent::Degraded { error } => {
            json!({ "event": "degraded", "error": exit::describe(error) })
        }
        MirrorEvent::Lagged { missed } => json!({ "event": "lagged", "missed": missed }),
        _ => return None,
    })
}

/// An event as one line for people.
pub fn plain_event(event: &MirrorEvent) -> Option<String> {
    Some(match event {
        MirrorEvent::Changed { user_id, from, to } => {
            format!("changed   {}", change_columns(*user_id, from.as_ref(), to))
        }
        MirrorEvent::Resynced { users } => format!("resynced  {users} users held"),
        MirrorEvent::Degraded { error } => format!("degraded  {}", exit::describe(error)),
        MirrorEvent::Lagged { missed } => format!(
            "lagged    {missed} events dropped while output was slow (the mirror holds every \
             change)"
        ),
        _ => return None,
    })
}

/// `USER ID  FROM  TO  SET AT`, aligned as the live table's header.
fn change_columns(user_id: UserId, from: Option<&PresenceCategory>, to: &Presence) -> String {
    let from = from.map_or("-", PresenceCategory::as_str);
    format!(
        "{:<16}  {from:<16} -> {:<16}  {}",
        user_id.to_string(),
        to.category.as_str(),
        set_at(to.timestamp)
    )
}

/// Counts by category, the latest changes, and the mirror's health, redrawn in place.
struct LiveTable {
    screen: ProgressBar,
    latest: VecDeque<String>,
    changes: u64,
    /// The last `degraded` line, until the mirror resyncs.
    trouble: Option<String>,
    lagged: u64,
    synced: bool,
    dirty: bool,
}

impl LiveTable {
    fn new() -> Self {
        // Drawn from the first snapshot's end on, after the snapshot's progress has gone from
        // the same terminal.
        let screen = ProgressBar::hidden();
        screen.set_style(style(
            "{prefix}, watching for {elapsed} (Ctrl-C to stop)\n\n{msg}",
        ));
        LiveTable {
            screen,
            latest: VecDeque::new(),
            changes: 0,
            trouble: None,
            lagged: 0,
            synced: false,
            dirty: false,
        }
    }

    fn event(&mut self, event: &MirrorEvent) -> bool {
        match event {
            MirrorEvent::Changed { user_id, from, to } => {
                self.changes += 1;
                if self.latest.len() == LATEST_CHANGES {
                    self.latest.pop_back();
                }
                self.latest
                    .push_front(change_columns(*user_id, from.as_ref(), to));
            }
            MirrorEvent::Resynced { .. } => {
                if !self.synced {
                    self.synced = true;
                    self.screen.set_draw_target(ProgressDrawTarget::stdout());
                    // Keeps the clock going between events; the counts are redrawn after
                    // events only.
                    self.screen.enable_steady_tick(Duration::from_secs(1));
                }
                self.trouble = None;
            }
            MirrorEvent::Degraded { error } => self.trouble = Some(exit::describe(error)),
            MirrorEvent::Lagged { missed } => self.lagged += missed,
            _ => return false,
        }
        self.dirty = true;
        true
    }

    fn redraw(&mut self, mirror: &PresenceMirror) {
        if !self.dirty || !self.synced {
            return;
        }
        self.dirty = false;
        let counts: BTreeMap<PresenceCategory, usize> =
            mirror.count_by_category().into_iter().collect();
        self.screen.set_prefix(format!(
            "{} users, {} changes",
            HumanCount(mirror.len() as u64),
            HumanCount(self.changes)
        ));
        let mut text = format!("{:<16}  {:>9}\n", "CATEGORY", "USERS");
        for (category, users) in &counts {
            text.push_str(&format!(
                "{:<16}  {:>9}\n",
                category.as_str(),
                HumanCount(*users as u64).to_string()
            ));
        }
        text.push_str(&format!(
            "\nLATEST CHANGES\n{:<16}  {:<16}    {:<16}  SET AT\n",
            "USER ID", "FROM", "TO"
        ));
        for change in &self.latest {
            text.push_str(change);
            text.push('\n');
        }
        if self.latest.is_empty() {
            text.push_str("(none yet)\n");
        }
        if self.lagged > 0 {
            text.push_str(&format!(
                "\n{} events dropped while the screen was slow (the counts are exact)\n",
                self.lagged
            ));
        }
        if let Some(trouble) = &self.trouble {
            text.push_str(&format!("\ndegraded, recovering: {trouble}\n"));
        }
        self.screen.set_message(text.trim_end().to_owned());
    }
}
