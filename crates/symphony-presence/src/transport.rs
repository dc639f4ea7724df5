//! [`Transport`]: what [`HttpSettings`] build, shared by every client and session made from
//! them.

use std::net::IpAddr;
use std::time::Duration;

use crate::clock::PodClock;
use crate::error::Error;
use crate::retry::{RetryBudget, RetryPolicy};
use crate::settings::HttpSettings;

/// One connection pool and the policies every call through it follows.
#[derive(Debug)]
pub(crate) struct Transport {
    pub http: reqwest::Client,
    /// What the generated clients add to each exchange (the body cap).
    pub hooks: symphony_api::hooks::Inner,
    /// The default per call.
    pub retry: RetryPolicy,
    /// The longest one attempt may take, by default.
    pub timeout: Duration,
    /// The longest a call may take in all, authentication included, by default.
    pub deadline: Duration,
    /// Shared by every call through this transport.
    pub budget: RetryBudget,
    /// The pod's time, for JWTs.
    pub clock: PodClock,
    allow_insecure_http: bool,
}

impl Transport {
    pub(crate) fn new(settings: &HttpSettings) -> Result<Self, Error> {
        Ok(Transport {
            http: settings.http_client(None)?,
            hooks: symphony_api::hooks::Inner::default()
                .max_response_bytes(settings.max_response_bytes),
            retry: settings.retry.clone(),
            timeout: settings.timeout,
            deadline: settings.deadline,
            budget: RetryBudget::default(),
            clock: PodClock::default(),
            allow_insecure_http: settings.allow_insecure_http,
        })
    }

    /// Refuses a plain `http://` URL for credentials unless its host is this machine, or the
    /// settings allow it.
    pub(crate) fn check_secure(&self, url: &reqwest::Url, what: &str) -> Result<(), Error> {
        if url.scheme() == "https" || self.allow_insecure_http || is_loopback(url) {
            return Ok(());
        }
        Err(Error::setup(format!(
            "the {what} URL uses plain http:// to another machine, so session tokens and JWTs \
             would cross the network in clear text; use https://, or allow it with \
             HttpSettings::allow_insecure_http(true) (CLI: --allow-insecure-http)"
        )))
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    url.host_str().is_some_and(|host| {
        host.eq_ignore_ascii_case("localhost")
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
                // `::ffff:127.0.0.1` is 127.0.0.1.
                .is_ok_and(|ip| ip.to_canonical().is_loopback())
    })
}
