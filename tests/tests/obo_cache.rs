//! The sessions an `AppClient` keeps for its users: at most `obo_cache_capacity`, the least
//! recently used (by calls, not by when a client was made) dropped first, and those unused for `obo_cache_ttl` dropped; a session that a
//! client still holds is never replaced, so eviction never makes a second authentication.

use std::time::Duration;

use futures_util::{StreamExt, stream};
use symphony_mock_pod::{Faults, MockPod, MockPodConfig, RunningMockPod};
use symphony_presence::{AppClient, AppCredentials, HttpSettings, UserId};
use symphony_presence_tests::{APP_ID, fast_retry, fixture, fixture_text, within};

const TEST_LIMIT: Duration = Duration::from_secs(120);
const OBO_LOGIN: &str = "post_pubkey_app_user_user_id_authenticate";

async fn pod(users: usize) -> RunningMockPod {
    let config = MockPodConfig::default()
        .users(users)
        .app(APP_ID, fixture_text("keys/app-public.pem"));
    MockPod::start(config).await.unwrap()
}

fn app(pod: &RunningMockPod, capacity: usize, ttl: Duration) -> AppClient {
    let credentials = AppCredentials::from_pem_file(APP_ID, fixture("keys/app-pkcs1.pem")).unwrap();
    AppClient::builder(pod.pod_url(), credentials)
        .obo_cache_capacity(capacity)
        .obo_cache_ttl(ttl)
        .http(
            HttpSettings::default()
                .retry_policy(fast_retry(3))
                .timeout(Duration::from_secs(20)),
        )
        .build()
        .unwrap()
}

/// One call on behalf of user `index` with a new client, dropped after it.
async fn call_as(pod: &RunningMockPod, app: &AppClient, index: usize) {
    let uid = UserId(pod.user_id(index));
    let me = within(TEST_LIMIT, app.on_behalf_of(uid).get_presence())
        .await
        .unwrap();
    assert_eq!(me.user_id, Some(uid));
}

/// OBO logins for user `index` so far, from the pod's journal.
fn obo_logins_of(pod: &RunningMockPod, index: usize) -> usize {
    let uid = pod.user_id(index);
    pod.journal()
        .iter()
        .filter(|e| e.operation == OBO_LOGIN && e.user_id == Some(uid))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cache_of_a_hundred_over_a_thousand_users_keeps_the_hundred_most_recent() {
    let pod = pod(1000).await;
    let app = app(&pod, 100, Duration::from_secs(3600));
    // Clients are made in user order (a cache lookup each), 64 calls in flight at a time.
    let calls = stream::iter(0..1000)
        .map(|index| {
            let client = app.on_behalf_of(UserId(pod.user_id(index)));
            async move { client.get_presence().await }
        })
        .buffered(64)
        .collect::<Vec<_>>();
    for result in within(TEST_LIMIT, calls).await {
        result.unwrap();
    }
    assert_eq!(pod.counters().obo_authentications, 1000);
    pod.reset_counters();
    // The last hundred are kept: no authentication for any of them.
    for index in 900..1000 {
        call_as(&pod, &app, index).await;
    }
    assert_eq!(pod.counters().obo_authentications, 0);
    // The hundred-and-first most recent was dropped.
    call_as(&pod, &app, 899).await;
    assert_eq!(pod.counters().obo_authentications, 1);
    pod.shutdown().await;
}

#[tokio::test]
async fn the_least_recently_used_session_is_dropped_first() {
    let pod = pod(4).await;
    let app = app(&pod, 3, Duration::from_secs(3600));
    for index in [0, 1, 2] {
        call_as(&pod, &app, index).await;
    }
    // User 0 is used again, so user 1 is now the least recently used: user 3 evicts it.
    call_as(&pod, &app, 0).await;
    call_as(&pod, &app, 3).await;
    assert_eq!(pod.counters().obo_authentications, 4);
    call_as(&pod, &app, 0).await;
    assert_eq!(obo_logins_of(&pod, 0), 1, "user 0 was kept");
    call_as(&pod, &app, 1).await;
    assert_eq!(obo_logins_of(&pod, 1), 2, "user 1 was dropped");
    pod.shutdown().await;
}

/// Recency is use, not when a client was made: a long-lived client that keeps calling keeps
/// its user's session over users whose clients were made later but are idle.
#[tokio::test]
async fn a_long_lived_client_that_keeps_calling_keeps_its_session() {
    let pod = pod(4).await;
    let app = app(&pod, 2, Duration::from_secs(3600));
    let busy = app.on_behalf_of(UserId(pod.user_id(0)));
    within(TEST_LIMIT, busy.get_presence()).await.unwrap();
    call_as(&pod, &app, 1).await;
    within(TEST_LIMIT, busy.get_presence()).await.unwrap();
    drop(busy);
    // User 2 needs a place: user 1, made later but idle since, gives it up.
    call_as(&pod, &app, 2).await;
    call_as(&pod, &app, 0).await;
    assert_eq!(obo_logins_of(&pod, 0), 1, "user 0 was kept");
    call_as(&pod, &app, 1).await;
    assert_eq!(obo_logins_of(&pod, 1), 2, "user 1 was dropped");
    pod.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_evicted_session_a_client_still_holds_is_shared_never_authenticated_twice() {
    let pod = pod(4).await;
    let app = app(&pod, 1, Duration::from_secs(3600));
    app.authenticate().await.unwrap();
    // The OBO login takes 1.5 s: a second client for the user arrives while it runs.
    pod.set_faults(Faults {
        auth_latency_ms: 1500,
        ..Faults::default()
    });
    let held = app.on_behalf_of(UserId(pod.user_id(0)));
    let first = tokio::spawn({
        let held = held.clone();
        async move { held.get_presence().await }
    });
    // Let the first call start its login, then evict user 0 (capacity 1) and ask again.
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(app.on_behalf_of(UserId(pod.user_id(1))));
    let again = app.on_behalf_of(UserId(pod.user_id(0)));
    let second = within(TEST_LIMIT, again.get_presence()).await.unwrap();
    let first = within(TEST_LIMIT, first).await.unwrap().unwrap();
    assert_eq!(first.user_id, second.user_id);
    assert_eq!(obo_logins_of(&pod, 0), 1, "one login, shared");

    // Evicted again while `held` lives: a new client reuses its session.
    pod.set_faults(Faults::default());
    drop(app.on_behalf_of(UserId(pod.user_id(2))));
    call_as(&pod, &app, 0).await;
    assert_eq!(obo_logins_of(&pod, 0), 1);

    // Once no client holds it, an evicted session is gone: the control.
    drop((held, again));
    drop(app.on_behalf_of(UserId(pod.user_id(3))));
    call_as(&pod, &app, 0).await;
    assert_eq!(obo_logins_of(&pod, 0), 2);
    pod.shutdown().await;
}

#[tokio::test]
async fn a_session_unused_for_its_ttl_is_dropped_unless_a_client_holds_it() {
    let pod = pod(2).await;
    // Three seconds: long enough that the uses below count as recent on a loaded machine.
    let ttl = Duration::from_secs(3);
    let app = app(&pod, 100, ttl);
    let held = app.on_behalf_of(UserId(pod.user_id(0)));
    held.get_presence().await.unwrap();
    call_as(&pod, &app, 1).await;
    call_as(&pod, &app, 1).await;
    assert_eq!(obo_logins_of(&pod, 1), 1, "used again within the TTL: kept");
    tokio::time::sleep(ttl + Duration::from_secs(1)).await;
    // Past the TTL: user 1's session is dropped; user 0's is still held, and reused.
    call_as(&pod, &app, 1).await;
    assert_eq!(obo_logins_of(&pod, 1), 2);
    call_as(&pod, &app, 0).await;
    held.get_presence().await.unwrap();
    assert_eq!(obo_logins_of(&pod, 0), 1);
    pod.shutdown().await;
}
