//! `clock_offset`: the pod's time is this machine's plus the offset, in `Date` and in JWT
//! checks; offsets beyond 4 minutes are refused.

use std::time::{Duration, SystemTime};

use symphony_mock_pod::{
    ClockOffset, MAX_CLOCK_OFFSET, MockPod, MockPodConfig, MockPodError, RunningMockPod,
};

use crate::support::{client, date_of, seconds_between};

/// How far apart two clock readings taken around one request may be: `Date` has whole seconds,
/// and a loaded machine may take a while to answer.
const SLACK_SECS: i64 = 30;

async fn date_offset_seen(offset: ClockOffset) -> i64 {
    let pod = MockPod::start(MockPodConfig::default().users(1).clock_offset(offset))
        .await
        .unwrap();
    let before = SystemTime::now();
    let response = client()
        .get(format!("{}/v2/user/presence", pod.pod_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let date = date_of(&response);
    // The local time nearest the answer, for the comparison.
    let local = before + SystemTime::now().duration_since(before).unwrap_or_default() / 2;
    pod.shutdown().await;
    seconds_between(date, local)
}

#[tokio::test]
async fn the_date_header_carries_the_pods_clock_ahead_or_behind() {
    let ahead = date_offset_seen(ClockOffset::ahead(Duration::from_secs(240))).await;
    assert!((ahead - 240).abs() <= SLACK_SECS, "ahead by {ahead} s");
    let behind = date_offset_seen(ClockOffset::behind(Duration::from_secs(240))).await;
    assert!((behind + 240).abs() <= SLACK_SECS, "behind by {behind} s");
    let none = date_offset_seen(ClockOffset::ZERO).await;
    assert!(none.abs() <= SLACK_SECS, "off by {none} s");
}

#[tokio::test]
async fn every_answer_has_exactly_one_date_header_even_control_and_404() {
    let pod = MockPod::start(
        MockPodConfig::default()
            .users(1)
            .clock_offset(ClockOffset::from_secs(-200)),
    )
    .await
    .unwrap();
    for path in ["/_mock/counters", "/nowhere", "/pod/v2/user/presence"] {
        let response = client()
            .get(format!("{}{path}", pod.base_url()))
            .send()
            .await
            .unwrap();
        let dates = response
            .headers()
            .get_all(reqwest::header::DATE)
            .iter()
            .count();
        assert_eq!(dates, 1, "{path}");
        let behind = seconds_between(date_of(&response), SystemTime::now());
        assert!((behind + 200).abs() <= SLACK_SECS, "{path}: {behind} s");
    }
}

#[tokio::test]
async fn an_offset_beyond_four_minutes_is_refused_at_start_and_at_run_time() {
    let too_far = ClockOffset::ahead(MAX_CLOCK_OFFSET + Duration::from_millis(1));
    let refused = MockPod::start(MockPodConfig::default().clock_offset(too_far)).await;
    assert!(
        matches!(refused, Err(MockPodError::ClockOffset { offset }) if offset == too_far),
        "{refused:?}"
    );
    let message =
        MockPod::start(MockPodConfig::default().clock_offset(ClockOffset::from_secs(-241)))
            .await
            .unwrap_err()
            .to_string();
    assert_eq!(
        message,
        "the clock offset -241 s is beyond the limit of 240 s either way"
    );

    let pod = MockPod::start(MockPodConfig::default().users(1))
        .await
        .unwrap();
    let edge = ClockOffset::behind(MAX_CLOCK_OFFSET);
    pod.set_clock_offset(edge).unwrap();
    assert!(
        pod.set_clock_offset(ClockOffset::from_secs(i64::MAX))
            .is_err()
    );
    let behind = seconds_between(pod.now(), SystemTime::now());
    assert!(
        (behind + 240).abs() <= SLACK_SECS,
        "the refused offset changed the clock: {behind} s"
    );
}

/// A JWT for `sub`, signed RS512 with `private_pem`, expiring at `exp` (Unix seconds).
fn jwt(sub: &str, exp: u64, private_pem: &str) -> String {
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(private_pem.as_bytes()).unwrap();
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS512);
    jsonwebtoken::encode(&header, &serde_json::json!({"sub": sub, "exp": exp}), &key).unwrap()
}

fn unix_secs(time: SystemTime) -> u64 {
    time.duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Posts an app JWT expiring `exp_in` seconds after `base`; returns the status and the body.
async fn app_login(pod: &RunningMockPod, base: SystemTime, exp_in: u64) -> (u16, String) {
    let pem = pod.app_private_key_pem("my-app").unwrap();
    let token = jwt("my-app", unix_secs(base) + exp_in, &pem);
    let response = client()
        .post(format!("{}/pubkey/app/authenticate", pod.login_url()))
        .json(&serde_json::json!({ "token": token }))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// A JWT expiring 120 s from now by this machine's clock is good here; with the pod 4 minutes
/// behind, that is 360 s ahead by the pod's clock (over the 300 s limit, by 60 s); with the pod
/// 4 minutes ahead, it expired 120 s ago. A JWT made from the pod's time passes both.
#[tokio::test]
async fn a_jwt_good_by_local_time_is_refused_by_a_pod_four_minutes_off_either_way() {
    let pod = MockPod::start(MockPodConfig::default().users(1).with_app("my-app"))
        .await
        .unwrap();
    let (status, body) = app_login(&pod, SystemTime::now(), 120).await;
    assert_eq!(status, 200, "{body}");

    pod.set_clock_offset(ClockOffset::behind(MAX_CLOCK_OFFSET))
        .unwrap();
    let (status, body) = app_login(&pod, SystemTime::now(), 120).await;
    assert_eq!(status, 401);
    assert!(body.contains("expires more than 5 minutes ahead"), "{body}");
    let (status, body) = app_login(&pod, pod.now(), 120).await;
    assert_eq!(status, 200, "by the pod's time: {body}");

    pod.set_clock_offset(ClockOffset::ahead(MAX_CLOCK_OFFSET))
        .unwrap();
    let (status, body) = app_login(&pod, SystemTime::now(), 120).await;
    assert_eq!(status, 401);
    assert!(body.contains("has expired"), "{body}");
    let (status, body) = app_login(&pod, pod.now(), 120).await;
    assert_eq!(status, 200, "by the pod's time: {body}");

    assert_eq!(pod.counters().app_authentications, 3);
}

#[tokio::test]
async fn a_pod_started_behind_refuses_a_bots_jwt_made_by_local_time() {
    let pod = MockPod::start(
        MockPodConfig::default()
            .users(1)
            .with_bot("my-bot")
            .clock_offset(ClockOffset::from_secs(-240)),
    )
    .await
    .unwrap();
    let pem = pod.bot_private_key_pem("my-bot").unwrap();
    let login = |exp| {
        let token = jwt("my-bot", exp, &pem);
        client()
            .post(format!("{}/pubkey/authenticate", pod.login_url()))
            .json(&serde_json::json!({ "token": token }))
            .send()
    };
    let local = login(unix_secs(SystemTime::now()) + 120).await.unwrap();
    assert_eq!(local.status(), 401);
    let pods = login(unix_secs(pod.now()) + 120).await.unwrap();
    assert_eq!(pods.status(), 200);
}
