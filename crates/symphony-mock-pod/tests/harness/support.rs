//! What the tests share: an HTTP client that cannot hang, and readers for answers.

use std::time::{Duration, SystemTime};

use reqwest::{Client, Response};

/// Every request gives up after this, so a test cannot hang; far above any answer time, even
/// on a loaded machine.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A plain HTTP client with timeouts.
pub fn client() -> Client {
    Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(REQUEST_TIMEOUT)
        .build()
        .unwrap()
}

/// The time in a response's `Date` header.
pub fn date_of(response: &Response) -> SystemTime {
    let date = response
        .headers()
        .get(reqwest::header::DATE)
        .expect("a Date header")
        .to_str()
        .unwrap();
    httpdate::parse_http_date(date).unwrap()
}

/// `a - b` in seconds, signed.
pub fn seconds_between(a: SystemTime, b: SystemTime) -> i64 {
    match a.duration_since(b) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap(),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap(),
    }
}
