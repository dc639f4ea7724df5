//! The retry policy and the 401 refresh, counted at the server.

use std::sync::Arc;
use std::time::{Duration, Instant};

use httpmock::MockServer;
use serde_json::json;
use symphony_presence::{Error, PresenceCategory, RetryPolicy};
use symphony_presence_tests::{CountingSession, client, fast_retry, token_client};

async fn mock_status<'a>(
    server: &'a MockServer,
    status: u16,
    times: Option<usize>,
    retry_after: Option<&str>,
) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            when.path("/pod/v2/user/presence");
            let then = then
                .status(status)
                .json_body(json!({"code": status, "message": "m"}));
            let then = match retry_after {
                Some(value) => then.header("retry-after", value),
                None => then,
            };
            if let Some(n) = times {
                then.up_to_n_times(n);
            }
        })
        .await
}

async fn mock_ok(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.path("/pod/v2/user/presence");
            then.status(200).json_body(json!({"category": "AVAILABLE"}));
        })
        .await
}

#[tokio::test]
async fn retries_a_503_after_its_retry_after_then_succeeds() {
    let server = MockServer::start_async().await;
    let unavailable = mock_status(&server, 503, Some(1), Some("1")).await;
    let ok = mock_ok(&server).await;
    let retry = fast_retry(3).max_retry_after(Duration::from_secs(2));
    let c = token_client(&server.url("/pod"), "t", retry);
    let started = Instant::now();
    assert_eq!(
        c.get_presence().await.unwrap().category,
        PresenceCategory::Available
    );
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
    assert_eq!(
        (unavailable.calls_async().await, ok.calls_async().await),
        (1, 1)
    );
}

#[tokio::test]
async fn a_retry_after_longer_than_the_policy_waits_for_is_returned_not_cut_short() {
    let server = MockServer::start_async().await;
    let limited = mock_status(&server, 429, Some(1), Some("3600")).await;
    let ok = mock_ok(&server).await;
    let c = token_client(&server.url("/pod"), "t", fast_retry(2));
    let started = Instant::now();
    let err = c.get_presence().await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "returned at once, not after an hour"
    );
    assert!(matches!(&err, Error::RateLimited(_)), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(
        (limited.calls_async().await, ok.calls_async().await),
        (1, 0)
    );
}

#[tokio::test]
async fn never_retries_400_403_or_404() {
    for status in [400, 403, 404] {
        let server = MockServer::start_async().await;
        let mock = mock_status(&server, status, None, None).await;
        let c = token_client(&server.url("/pod"), "t", fast_retry(5));
        let err = c.get_presence().await.unwrap_err();
        assert_eq!(err.status().unwrap().as_u16(), status);
        assert_eq!(mock.calls_async().await, 1, "{status} must not be retried");
    }
}

#[tokio::test]
async fn gives_up_on_a_503_that_never_ends_after_max_attempts() {
    let server = MockServer::start_async().await;
    let mock = mock_status(&server, 503, None, None).await;
    let c = token_client(&server.url("/pod"), "t", fast_retry(4));
    let started = Instant::now();
    let err = c.get_presence().await.unwrap_err();
    assert!(
        matches!(&err, Error::Server(e) if e.status.as_u16() == 503),
        "{err:?}"
    );
    assert_eq!(mock.calls_async().await, 4);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn gives_up_when_the_total_delay_budget_is_spent() {
    let server = MockServer::start_async().await;
    let mock = mock_status(&server, 503, None, Some("1")).await;
    let retry = RetryPolicy::default()
        .max_attempts(10)
        .max_total_delay(Duration::from_millis(2500));
    let c = token_client(&server.url("/pod"), "t", retry);
    let started = Instant::now();
    c.get_presence().await.unwrap_err();
    // Waits of 1 s each: two fit in the 2.5 s budget, a third would not.
    assert_eq!(mock.calls_async().await, 3);
    assert!(started.elapsed() < Duration::from_millis(4000));
}

#[tokio::test]
async fn a_500_is_retried_for_idempotent_calls_only() {
    let server = MockServer::start_async().await;
    let get = mock_status(&server, 500, None, None).await;
    let create = server
        .mock_async(|when, then| {
            when.path("/pod/v1/presence/feed/create");
            then.status(500)
                .json_body(json!({"code": 500, "message": "boom"}));
        })
        .await;
    let c = token_client(&server.url("/pod"), "t", fast_retry(3));
    assert!(matches!(c.get_presence().await, Err(Error::Server(_))));
    assert!(matches!(c.create_feed().await, Err(Error::Server(_))));
    assert_eq!(get.calls_async().await, 3);
    assert_eq!(create.calls_async().await, 1);
}

#[tokio::test]
async fn no_retry_policy_makes_one_attempt() {
    let server = MockServer::start_async().await;
    let mock = mock_status(&server, 503, None, None).await;
    let c = token_client(&server.url("/pod"), "t", RetryPolicy::none());
    c.get_presence().await.unwrap_err();
    assert_eq!(mock.calls_async().await, 1);
}

#[tokio::test]
async fn a_401_refreshes_once_and_repeats_once() {
    let server = MockServer::start_async().await;
    let stale = server
        .mock_async(|when, then| {
            when.path("/pod/v2/user/presence")
                .header("sessionToken", "old");
            then.status(401)
                .json_body(json!({"code": 401, "message": "Invalid session"}));
        })
        .await;
    let fresh = server
        .mock_async(|when, then| {
            when.path("/pod/v2/user/presence")
                .header("sessionToken", "new");
            then.status(200).json_body(json!({"category": "AWAY"}));
        })
        .await;
    let session = Arc::new(CountingSession::new(&["old", "new"]));
    let c = client(&server.url("/pod"), session.clone(), fast_retry(3));
    assert_eq!(
        c.get_presence().await.unwrap().category,
        PresenceCategory::Away
    );
    assert_eq!(session.refreshes(), 1);
    assert_eq!(
        (stale.calls_async().await, fresh.calls_async().await),
        (1, 1)
    );
}

#[tokio::test]
async fn a_persistent_401_gives_unauthorized_after_one_refresh() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/pod/v2/user/presence");
            then.status(401)
                .json_body(json!({"code": 401, "message": "Invalid session"}));
        })
        .await;
    let session = Arc::new(CountingSession::new(&["old", "new"]));
    let c = client(&server.url("/pod"), session.clone(), fast_retry(5));
    let err = c.get_presence().await.unwrap_err();
    assert!(
        matches!(&err, Error::Unauthorized(e) if e.message.as_deref() == Some("Invalid session"))
    );
    assert_eq!(session.refreshes(), 1);
    assert_eq!(mock.calls_async().await, 2);
}

#[tokio::test]
async fn a_static_session_returns_the_401_without_repeating() {
    let server = MockServer::start_async().await;
    let mock = mock_status(&server, 401, None, None).await;
    let c = token_client(&server.url("/pod"), "t", fast_retry(5));
    assert!(matches!(
        c.get_presence().await,
        Err(Error::Unauthorized(_))
    ));
    assert_eq!(mock.calls_async().await, 1);
}
