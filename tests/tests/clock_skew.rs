//! A pod whose clock is 4 minutes ahead of or behind this machine's: the SDK learns the pod's
//! time from the `Date` of its answers and signs one more JWT with corrected times, so logins
//! succeed; a login refused for another reason then says that the clocks disagree.

use std::time::Duration;

use symphony_mock_pod::{ClockOffset, MAX_CLOCK_OFFSET, MockPod, MockPodConfig, RunningMockPod};
use symphony_presence::{Error, HttpSettings, UserId};
use symphony_presence_tests::{
    APP_ID, BOT, app_client, bot_client, fast_retry, fixture_text, within,
};

const TEST_LIMIT: Duration = Duration::from_secs(60);
const BOT_LOGIN: &str = "post_pubkey_authenticate";
const APP_LOGIN: &str = "post_pubkey_app_authenticate";

fn offsets() -> [(ClockOffset, &'static str); 2] {
    [
        (ClockOffset::ahead(MAX_CLOCK_OFFSET), "behind"),
        (ClockOffset::behind(MAX_CLOCK_OFFSET), "ahead of"),
    ]
}

async fn skewed_pod(offset: ClockOffset, app_public_key: &str) -> RunningMockPod {
    let config = MockPodConfig::default()
        .users(3)
        .clock_offset(offset)
        .app(APP_ID, fixture_text(app_public_key))
        .bot(BOT, fixture_text("keys/other-public.pem"));
    MockPod::start(config).await.unwrap()
}

fn http() -> HttpSettings {
    HttpSettings::default().retry_policy(fast_retry(3))
}

/// Logins needed with a clock this far off: one refused and one corrected, except that a pod
/// exactly 240 s ahead may accept the first JWT (its `exp`, 240 s ahead by this machine's
/// clock, can fall in the pod's current second). Behind, `exp` is 480 s ahead for the pod,
/// past its 300 s limit: always refused first.
fn logins_allowed(offset: ClockOffset) -> std::ops::RangeInclusive<u64> {
    if offset.as_millis() > 0 { 1..=2 } else { 2..=2 }
}

#[tokio::test]
async fn a_bot_logs_in_whichever_way_the_pods_clock_is_four_minutes_off() {
    for (offset, _) in offsets() {
        let pod = skewed_pod(offset, "keys/app-public.pem").await;
        let bot = bot_client(&pod.pod_url(), http());
        let me = within(TEST_LIMIT, bot.get_presence()).await.unwrap();
        assert_eq!(me.user_id.map(|u| u.0), pod.bot_user_id(BOT), "{offset}");
        let counters = pod.counters();
        assert!(
            logins_allowed(offset).contains(&counters.requests_to(BOT_LOGIN)),
            "{offset}: {} logins",
            counters.requests_to(BOT_LOGIN)
        );
        assert_eq!(counters.bot_authentications, 1);
        // The offset is learnt: the next login is right the first time.
        pod.expire_tokens();
        pod.reset_counters();
        within(TEST_LIMIT, bot.get_presence()).await.unwrap();
        assert_eq!(pod.counters().requests_to(BOT_LOGIN), 1, "{offset}");
        pod.shutdown().await;
    }
}

#[tokio::test]
async fn an_app_and_its_obo_sessions_log_in_whichever_way_the_pods_clock_is_four_minutes_off() {
    for (offset, _) in offsets() {
        let pod = skewed_pod(offset, "keys/app-public.pem").await;
        let app = app_client(&pod.pod_url(), http());
        let alice = UserId(pod.user_id(1));
        let me = within(TEST_LIMIT, app.on_behalf_of(alice).get_presence())
            .await
            .unwrap();
        assert_eq!(me.user_id, Some(alice), "{offset}");
        let counters = pod.counters();
        assert!(
            logins_allowed(offset).contains(&counters.requests_to(APP_LOGIN)),
            "{offset}: {} app logins",
            counters.requests_to(APP_LOGIN)
        );
        // The OBO login carries the app's session, not a JWT: the clock does not matter.
        assert_eq!(
            counters.requests_to("post_pubkey_app_user_user_id_authenticate"),
            1
        );
        assert_eq!(
            (counters.app_authentications, counters.obo_authentications),
            (1, 1)
        );
        pod.shutdown().await;
    }
}

/// The number of seconds in "this machine's clock is N s ...".
fn seconds_named(hint: &str) -> u64 {
    let rest = hint
        .split("this machine's clock is ")
        .nth(1)
        .unwrap_or_else(|| panic!("no skew in {hint:?}"));
    rest.split(' ').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_refused_login_with_the_clocks_four_minutes_apart_names_the_skew() {
    for (offset, direction) in offsets() {
        // The pod has another public key for the app: every JWT is refused.
        let pod = skewed_pod(offset, "keys/other-public.pem").await;
        let app = app_client(&pod.pod_url(), http());
        let result = within(TEST_LIMIT, app.authenticate()).await;
        let Err(Error::Unauthorized(e)) = &result else {
            panic!("{offset}: {result:?}")
        };
        let hint = e.hint.as_deref().unwrap_or_default();
        assert!(
            hint.contains(&format!("s {direction} the pod's")),
            "{offset}: {hint}"
        );
        // Learnt from a Date header, to the second.
        let seconds = seconds_named(hint);
        assert!((239..=241).contains(&seconds), "{offset}: {hint}");
        assert!(result.as_ref().unwrap_err().to_string().contains(hint));
        // One JWT with this machine's times, one corrected; no more.
        assert_eq!(pod.counters().requests_to(APP_LOGIN), 2, "{offset}");
        pod.shutdown().await;
    }
}

#[tokio::test]
async fn a_refused_login_with_the_clocks_in_step_names_the_key_not_the_clock() {
    let pod = skewed_pod(ClockOffset::ZERO, "keys/other-public.pem").await;
    let app = app_client(&pod.pod_url(), http());
    let result = within(TEST_LIMIT, app.authenticate()).await;
    let Err(Error::Unauthorized(e)) = &result else {
        panic!("{result:?}")
    };
    let hint = e.hint.as_deref().unwrap_or_default();
    assert!(hint.contains("key may not match"), "{hint}");
    assert!(!hint.contains("clock"), "{hint}");
    assert_eq!(pod.counters().requests_to(APP_LOGIN), 1);
    pod.shutdown().await;
}
