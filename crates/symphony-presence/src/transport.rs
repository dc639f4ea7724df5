//! [`Transport`]: what [`HttpSettings`] build, shared by every client and session made from
//! them.

use std::time::Duration;

use crate::error::Error;
use crate::retry::RetryPolicy;
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
}

impl Transport {
    pub(crate) fn new(settings: &HttpSettings) -> Result<Self, Error> {
        Ok(Transport {
            http: settings.http_client()?,
            hooks: symphony_api::hooks::Inner::default()
                .max_response_bytes(settings.max_response_bytes),
            retry: settings.retry.clone(),
            timeout: settings.timeout,
        })
    }
}
