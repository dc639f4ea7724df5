//! Paging: stream every user through `list_all_presence` and watch resident memory.

use std::time::Instant;

use futures_util::TryStreamExt;
use symphony_presence::PresenceClient;

use crate::measure;

pub struct Paging {
    pub users: u64,
    pub users_per_sec: f64,
    pub rss_before_kib: u64,
    pub rss_peak_during_kib: u64,
    pub peak_rss_kib: u64,
}

/// Streams the whole listing, sampling RSS after each page's worth of users.
pub async fn run(client: &PresenceClient, page_size: u32) -> Result<Paging, String> {
    let rss_before_kib = measure::current_rss_kib();
    let mut rss_peak_during_kib = rss_before_kib;
    let started = Instant::now();
    let mut all = client.list_all_presence().page_size(page_size).stream();
    let mut users = 0u64;
    while let Some(presence) = all.try_next().await.map_err(|e| e.to_string())? {
        std::hint::black_box(presence);
        users += 1;
        if users % u64::from(page_size) == 1 {
            rss_peak_during_kib = rss_peak_during_kib.max(measure::current_rss_kib());
        }
    }
    Ok(Paging {
        users,
        users_per_sec: users as f64 / started.elapsed().as_secs_f64(),
        rss_before_kib,
        rss_peak_during_kib: rss_peak_during_kib.max(measure::current_rss_kib()),
        peak_rss_kib: measure::peak_rss_kib(),
    })
}
