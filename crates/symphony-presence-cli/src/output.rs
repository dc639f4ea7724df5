//! Printing results as an aligned table or as one JSON object per line.

use std::io::{IsTerminal, Write};
use std::time::{Duration, UNIX_EPOCH};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use serde_json::json;
use symphony_presence::{FeedId, Presence, Timestamp, UserId};

use crate::args::Output;

/// Writes results to stdout in the chosen format.
pub struct Printer {
    format: Output,
    header_printed: bool,
}

impl Printer {
    pub fn new(format: Output) -> Self {
        Printer {
            format,
            header_printed: false,
        }
    }

    pub fn format(&self) -> Output {
        self.format
    }

    pub fn presence(&mut self, p: &Presence) {
        let external = p.category.external_view();
        match self.format {
            Output::Json => line(&json!({
                "category": p.category.as_str(),
                "userId": p.user_id.map(|u| u.0),
                "timestamp": p.timestamp.map(|t| t.as_millis()),
                "externalView": external.as_ref().map(|c| c.as_str()),
            })),
            Output::Table => {
                if !self.header_printed {
                    self.header_printed = true;
                    println!(
                        "{:<16}  {:<34}  {:<14}  SET AT",
                        "USER ID", "CATEGORY", "EXTERNAL VIEW"
                    );
                }
                let category = match p.category.deprecated_in() {
                    Some(release) => format!("{} (deprecated {release})", p.category),
                    None => p.category.to_string(),
                };
                let user = p.user_id.map_or("-".to_owned(), |u| u.to_string());
                let external = external.map_or("?".to_owned(), |c| c.to_string());
                let set_at = set_at(p.timestamp);
                println!("{user:<16}  {category:<34}  {external:<14}  {set_at}");
            }
        }
    }

    pub fn feed_id(&mut self, id: &FeedId) {
        match self.format {
            Output::Json => line(&json!({ "id": id.as_str() })),
            Output::Table => println!("feed {id}"),
        }
    }

    pub fn registered(&mut self, uids: &[UserId]) {
        match self.format {
            Output::Json => {
                line(&json!({ "registered": uids.iter().map(|u| u.0).collect::<Vec<_>>() }))
            }
            Output::Table => println!("registered interest in {} user(s)", uids.len()),
        }
    }
}

/// When a presence was set, as an HTTP date (UTC), or `-`.
pub fn set_at(timestamp: Option<Timestamp>) -> String {
    timestamp
        .map(|t| match t.to_system_time().filter(|t| *t >= UNIX_EPOCH) {
            Some(time) => httpdate::fmt_http_date(time),
            None => format!("{} ms", t.as_millis()),
        })
        .unwrap_or_else(|| "-".to_owned())
}

/// Writes `value` as one line of JSON.
pub fn line(value: &serde_json::Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{value}");
}

/// A spinner on stderr drawn with `template`; hidden when stderr is not a terminal and when the
/// output is JSON, which is for programs.
pub(crate) fn spinner(format: Output, template: &str) -> ProgressBar {
    if format == Output::Json || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(style(template));
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// The progress style of `template`, or a plain spinner should the template not parse.
pub(crate) fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner())
}
