//! Faults for authentications only: `auth_latency_ms` slows `/login` and `/sessionauth`, and
//! leaves `/pod` as fast as ever.

use std::time::{Duration, Instant};

use symphony_mock_pod::{Faults, MockPod, MockPodConfig};

use crate::support::client;

#[tokio::test]
async fn auth_latency_delays_logins_only_and_counts_them_on_arrival() {
    let pod = MockPod::start(MockPodConfig::default().users(1))
        .await
        .unwrap();
    pod.set_faults(Faults {
        auth_latency_ms: 1000,
        ..Faults::default()
    });
    let http = client();
    let started = Instant::now();
    let answer = http
        .post(format!("{}/pubkey/app/authenticate", pod.login_url()))
        .body(r#"{"token":"not-a-jwt"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    assert!(started.elapsed() >= Duration::from_millis(1000));

    let started = Instant::now();
    let answer = http
        .get(format!("{}/v2/user/presence", pod.pod_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    // Generous: a loopback answer takes milliseconds, even on a loaded machine.
    assert!(started.elapsed() < Duration::from_millis(900));

    // A login that never answers is counted when it arrives.
    pod.reset_counters();
    pod.set_faults(Faults {
        auth_latency_ms: u64::MAX,
        ..Faults::default()
    });
    let never = http
        .post(format!("{}/pubkey/authenticate", pod.login_url()))
        .timeout(Duration::from_millis(500))
        .body(r#"{"token":"not-a-jwt"}"#)
        .send()
        .await;
    assert!(never.unwrap_err().is_timeout());
    assert_eq!(pod.counters().requests_to("post_pubkey_authenticate"), 1);
    pod.shutdown().await;
}
