//! When the pod refuses to let the app act for some users: those calls fail with an
//! authentication error, everyone else's succeed, and nobody else's session, nor the app's,
//! is renewed because of them. The app authenticates again only when its own token is
//! rejected, once per token however many users see it.

use std::time::Duration;

use futures_util::{StreamExt, stream};
use symphony_mock_pod::{MockPod, MockPodConfig, RunningMockPod};
use symphony_presence::{AppClient, Error, HttpSettings, Presence, UserId};
use symphony_presence_tests::{APP_ID, app_client, fast_retry, fixture_text, within};

const USERS: usize = 1000;
/// How many calls are in flight at once in a fan-out.
const IN_FLIGHT: usize = 64;
const TEST_LIMIT: Duration = Duration::from_secs(120);
const OBO_LOGIN: &str = "post_pubkey_app_user_user_id_authenticate";

/// Every tenth user has not installed the app.
fn refused(index: usize) -> bool {
    index.is_multiple_of(10)
}

async fn pod() -> RunningMockPod {
    let mut config = MockPodConfig::default()
        .users(USERS)
        .app(APP_ID, fixture_text("keys/app-public.pem"));
    for index in (0..USERS).filter(|i| refused(*i)) {
        config = config.obo_refused_user(symphony_mock_pod::FIRST_USER_ID + index as i64);
    }
    MockPod::start(config).await.unwrap()
}

fn app(pod: &RunningMockPod) -> AppClient {
    // A generous timeout: 64 calls at once on a loaded machine must not time out.
    let http = HttpSettings::default()
        .retry_policy(fast_retry(3))
        .timeout(Duration::from_secs(20));
    app_client(&pod.pod_url(), http)
}

/// `get_presence` on behalf of each of the users at `indexes`, [`IN_FLIGHT`] at a time, with a
/// new client each; the outcomes by index.
async fn fan_out(
    pod: &RunningMockPod,
    app: &AppClient,
    indexes: impl IntoIterator<Item = usize>,
) -> Vec<(usize, Result<Presence, Error>)> {
    let calls = stream::iter(indexes)
        .map(|index| {
            let client = app.on_behalf_of(UserId(pod.user_id(index)));
            async move { (index, client.get_presence().await) }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect::<Vec<_>>();
    within(TEST_LIMIT, calls).await
}

/// Checks that refused users failed as refused and the others succeeded as themselves.
fn check(pod: &RunningMockPod, outcomes: &[(usize, Result<Presence, Error>)]) {
    for (index, outcome) in outcomes {
        let uid = pod.user_id(*index);
        match outcome {
            Ok(presence) => {
                assert!(!refused(*index), "user {index} was refused, yet succeeded");
                assert_eq!(presence.user_id, Some(UserId(uid)));
            }
            Err(err) => {
                assert!(refused(*index), "user {index} failed: {err:?}");
                assert!(err.is_auth(), "{err:?}");
                let Error::Unauthorized(e) = err else {
                    panic!("{err:?}")
                };
                assert_eq!(e.request.name(), "authenticate_on_behalf_of");
                assert_eq!(e.operation.name(), "get_presence");
                let message = e.message.as_deref().unwrap_or_default();
                assert!(message.contains("has not installed the app"), "{message}");
                assert!(
                    e.hint
                        .as_deref()
                        .is_some_and(|h| h.contains("may not have installed the app")),
                    "{e:?}"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fan_out_over_a_thousand_users_fails_only_the_refused_tenth() {
    let pod = pod().await;
    let app = app(&pod);
    let outcomes = fan_out(&pod, &app, 0..USERS).await;
    assert_eq!(outcomes.len(), USERS);
    check(&pod, &outcomes);
    let counters = pod.counters();
    assert_eq!(counters.obo_authentications, 900);
    // A refusal renews nothing: the app token is young (the default trusts it for 60 s). Only
    // a fan-out slower than that could suspect it, once.
    assert!(
        counters.app_authentications <= 2,
        "{} app authentications",
        counters.app_authentications
    );
    assert!(
        (100..=200).contains(&counters.obo_refusals),
        "{} refusals",
        counters.obo_refusals
    );
    assert_eq!(counters.requests_to("get_v2_user_presence"), 900);

    // Again, refused users and the others at once: every session that worked still works,
    // without a single authentication.
    pod.reset_counters();
    let outcomes = fan_out(&pod, &app, 0..USERS).await;
    check(&pod, &outcomes);
    let counters = pod.counters();
    assert_eq!(
        counters.obo_authentications, 0,
        "no session was invalidated"
    );
    assert_eq!(counters.app_authentications, 0);
    assert_eq!(counters.requests_to("get_v2_user_presence"), 900);
    assert_eq!(counters.requests_to(OBO_LOGIN), counters.obo_refusals);
    pod.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_reauthenticates_only_when_its_own_token_is_rejected_and_once_per_token() {
    let pod = pod().await;
    let app = app(&pod);
    let accepted: Vec<usize> = (1..=200).filter(|i| !refused(*i)).collect();
    check(&pod, &fan_out(&pod, &app, accepted.iter().copied()).await);
    assert_eq!(pod.counters().app_authentications, 1);

    // Refusals with a young app token: returned to their callers, nothing renewed.
    pod.reset_counters();
    let refusals: Vec<usize> = (0..USERS).filter(|i| refused(*i)).collect();
    check(&pod, &fan_out(&pod, &app, refusals.iter().copied()).await);
    let counters = pod.counters();
    assert_eq!(counters.app_authentications, 0);
    assert_eq!(counters.obo_refusals, 100);
    assert_eq!(
        counters.requests_to(OBO_LOGIN),
        100,
        "each refusal tried once"
    );
    assert_eq!(counters.requests_to("post_pubkey_app_authenticate"), 0);

    // The pod forgets every token, the app's too: 180 users, 64 at a time, see their session
    // and then the app token rejected. The app token is renewed once, and each user's once.
    pod.expire_tokens();
    pod.reset_counters();
    check(&pod, &fan_out(&pod, &app, accepted.iter().copied()).await);
    let counters = pod.counters();
    assert_eq!(counters.requests_to("post_pubkey_app_authenticate"), 1);
    assert_eq!(counters.app_authentications, 1);
    assert_eq!(counters.obo_authentications, accepted.len() as u64);
    // Each user: a 401 with the old session, then a success with the new one.
    assert_eq!(
        counters.requests_to("get_v2_user_presence"),
        2 * accepted.len() as u64
    );
    pod.shutdown().await;
}
