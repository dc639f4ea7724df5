//! The documented defaults are the ones in force: retry policy, timeouts, deadline, body cap,
//! OBO cache, JWT lifetime, retry budget, paging and feed constants. (The 60 s deadline is
//! also checked in action, with paused time, in deadline.rs.)

use std::time::Duration;

use symphony_presence::{
    AppClient, AppCredentials, DEFAULT_APP_TOKEN_TRUSTED_FOR, DEFAULT_JWT_LIFETIME,
    DEFAULT_OBO_CACHE_CAPACITY, DEFAULT_OBO_CACHE_TTL, DEFAULT_PAGE_SIZE, DEFAULT_USER_AGENT,
    DecodeError, Error, HttpSettings, MAX_FEED_BATCH, MAX_JWT_LIFETIME, MAX_PAGE_SIZE,
    PresenceClient, RETRY_BUDGET, RETRY_COST, RetryPolicy, TIMEOUT_RETRY_COST, WatchFeed,
};
use symphony_presence_tests::{APP_ID, RawReply, RawServer, fixture, http_response, within};

const SECOND: Duration = Duration::from_secs(1);

#[test]
fn the_default_retry_policy_is_four_attempts_from_250_ms_doubling_to_8_s_within_30_s() {
    // Every field set explicitly: a default that changed would make them differ.
    let documented = RetryPolicy::none()
        .max_attempts(4)
        .initial_backoff(Duration::from_millis(250))
        .multiplier(2.0)
        .max_backoff(8 * SECOND)
        .max_retry_after(30 * SECOND)
        .max_total_delay(30 * SECOND)
        .jitter(true);
    assert_eq!(RetryPolicy::default(), documented);
    assert_eq!(RetryPolicy::default().attempts(), 4);
    assert_eq!(RetryPolicy::none().attempts(), 1);
}

#[test]
fn the_default_http_settings_are_the_documented_ones() {
    // HttpSettings has no getters; its Debug shows every setting but secrets.
    let documented = HttpSettings::default()
        .connect_timeout(10 * SECOND)
        .timeout(30 * SECOND)
        .deadline(60 * SECOND)
        .max_response_bytes(8 * 1024 * 1024)
        .retry_policy(RetryPolicy::default())
        .allow_insecure_http(false)
        .user_agent(DEFAULT_USER_AGENT)
        .unwrap();
    let default = format!("{:?}", HttpSettings::default());
    assert_eq!(default, format!("{documented:?}"));
    for field in [
        "connect_timeout: 10s",
        "timeout: 30s",
        "deadline: 60s",
        "max_response_bytes: 8388608",
        "allow_insecure_http: false",
        "proxy: None",
    ] {
        assert!(default.contains(field), "{field} not in {default}");
    }
    assert!(DEFAULT_USER_AGENT.starts_with("symphony-presence-rs/"));
}

#[test]
fn the_app_client_defaults_are_the_documented_ones() {
    assert_eq!(DEFAULT_OBO_CACHE_CAPACITY, 10_000);
    assert_eq!(DEFAULT_OBO_CACHE_TTL, 3600 * SECOND);
    assert_eq!(DEFAULT_APP_TOKEN_TRUSTED_FOR, 60 * SECOND);
    assert_eq!(DEFAULT_JWT_LIFETIME, 240 * SECOND);
    assert_eq!(MAX_JWT_LIFETIME, 300 * SECOND);
    // And a builder starts from them.
    let credentials = AppCredentials::from_pem_file(APP_ID, fixture("keys/app-pkcs1.pem")).unwrap();
    let builder = format!("{:?}", AppClient::builder("https://x/pod", credentials));
    for field in [
        "obo_capacity: 10000",
        "obo_ttl: 3600s",
        "app_token_trusted_for: 60s",
        "jwt_lifetime: 240s",
    ] {
        assert!(builder.contains(field), "{field} not in {builder}");
    }
}

#[test]
fn the_budget_paging_and_feed_constants_are_the_documented_ones() {
    assert_eq!((RETRY_BUDGET, RETRY_COST, TIMEOUT_RETRY_COST), (500, 5, 10));
    assert_eq!(RETRY_BUDGET / RETRY_COST, 100, "retries in a full budget");
    assert_eq!((DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE), (1000, 5000));
    assert_eq!(MAX_FEED_BATCH, 500);
    assert_eq!(WatchFeed::DEFAULT_INTERVAL, 5 * SECOND);
    assert_eq!(WatchFeed::MIN_ERROR_BACKOFF, SECOND);
    assert_eq!(WatchFeed::MAX_ERROR_BACKOFF, 60 * SECOND);
    assert_eq!(DecodeError::MAX_BODY_EXCERPT, 512);
}

/// A 200 presence body of exactly `len` bytes, padded with an ignored field.
fn presence_body(len: usize) -> Vec<u8> {
    let shell = r#"{"category":"AWAY","pad":""}"#;
    let pad = "x".repeat(len - shell.len());
    format!(r#"{{"category":"AWAY","pad":"{pad}"}}"#).into_bytes()
}

#[tokio::test]
async fn the_default_body_cap_is_8_mib() {
    const CAP: usize = 8 * 1024 * 1024;
    for (len, accepted) in [(CAP, true), (CAP + 1, false)] {
        let reply = http_response(200, "application/json", &presence_body(len));
        let server = RawServer::start(move |_| RawReply::Bytes(reply.clone())).await;
        let client = PresenceClient::builder(&server.pod_url)
            .session_token("t")
            .http(HttpSettings::default().retry_policy(RetryPolicy::none()))
            .build()
            .unwrap();
        let result = within(60 * SECOND, client.get_presence()).await;
        if accepted {
            assert_eq!(result.unwrap().category.as_str(), "AWAY");
        } else {
            assert!(
                matches!(&result, Err(Error::Decode(e)) if e.reason.contains("8388608-byte cap")),
                "{result:?}"
            );
        }
    }
}
