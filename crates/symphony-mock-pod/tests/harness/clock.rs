//! `clock_offset`: the pod's time is this machine's plus the offset, in `Date` and in JWT
//! checks; offsets beyond 4 minutes are refused.

use std::time::{Duration, SystemTime};

use symphony_mock_pod::{ClockOffset, MAX_CLOCK_OFFSET, MockPod, MockPodConfig, MockPodError};

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
