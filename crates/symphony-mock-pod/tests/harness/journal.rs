//! The request journal: operation, acting user, status and the pod's time of every request to
//! a known operation, from Rust and from `GET /_mock/journal`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use symphony_mock_pod::{ClockOffset, Faults, ForcedStatus, JournalEntry, MockPod, MockPodConfig};
use symphony_presence::{AppClient, UserId};

use crate::support::client;

fn summary(journal: &[JournalEntry]) -> Vec<(&str, Option<i64>, Option<u16>)> {
    journal
        .iter()
        .map(|e| (e.operation.as_str(), e.user_id, e.status))
        .collect()
}

#[tokio::test]
async fn the_journal_names_the_operation_the_acting_user_and_the_status() {
    let pod = MockPod::start(
        MockPodConfig::default()
            .users(3)
            .with_app("my-app")
            .obo_refused_user(symphony_mock_pod::FIRST_USER_ID + 2),
    )
    .await
    .unwrap();
    let alice = pod.user_id(1);
    let app = AppClient::builder(pod.pod_url(), pod.app_credentials("my-app").unwrap())
        .build()
        .unwrap();
    app.on_behalf_of(UserId(alice))
        .get_presence()
        .await
        .unwrap();
    app.on_behalf_of(UserId(pod.user_id(2)))
        .get_presence()
        .await
        .unwrap_err();
    let http = client();
    let presence = format!("{}/v2/user/presence", pod.pod_url());
    let status = http
        .get(&presence)
        .header("sessionToken", "not-a-session")
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 401);
    // Unknown paths and the control endpoint are not journaled.
    http.get(format!("{}/pod/nowhere", pod.base_url()))
        .send()
        .await
        .unwrap();
    http.get(format!("{}/_mock/counters", pod.base_url()))
        .send()
        .await
        .unwrap();

    pod.set_faults(Faults {
        fail: Some(ForcedStatus {
            status: 503,
            count: 1,
            retry_after: None,
        }),
        ..Faults::default()
    });
    assert_eq!(http.get(&presence).send().await.unwrap().status(), 503);
    pod.set_faults(Faults {
        drop_connection: 1,
        ..Faults::default()
    });
    assert!(http.get(&presence).send().await.is_err());

    let journal = pod.journal();
    assert_eq!(
        summary(&journal),
        [
            ("post_pubkey_app_authenticate", None, Some(200)),
            (
                "post_pubkey_app_user_user_id_authenticate",
                Some(alice),
                Some(200)
            ),
            ("get_v2_user_presence", Some(alice), Some(200)),
            (
                "post_pubkey_app_user_user_id_authenticate",
                Some(pod.user_id(2)),
                Some(401)
            ),
            ("get_v2_user_presence", None, Some(401)),
            ("get_v2_user_presence", None, Some(503)),
            ("get_v2_user_presence", None, None),
        ]
    );
    let sequences: Vec<u64> = journal.iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, (0..7).collect::<Vec<u64>>());
    assert!(journal.windows(2).all(|w| w[0].timestamp <= w[1].timestamp));

    // The same, as JSON.
    let json: Value = http
        .get(format!("{}/_mock/journal", pod.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries = json.as_array().unwrap();
    assert_eq!(entries.len(), 7);
    assert_eq!(
        entries[1],
        serde_json::json!({
            "sequence": 1,
            "operation": "post_pubkey_app_user_user_id_authenticate",
            "user_id": alice,
            "status": 200,
            "timestamp": journal[1].timestamp,
        })
    );
    assert_eq!(entries[6]["status"], Value::Null);

    pod.clear_journal();
    assert!(pod.journal().is_empty());
    http.get(&presence).send().await.unwrap();
    assert_eq!(pod.journal()[0].sequence, 7, "numbers go on after a clear");
}

#[tokio::test]
async fn journal_times_are_the_pods_clock() {
    let pod = MockPod::start(
        MockPodConfig::default()
            .users(1)
            .clock_offset(ClockOffset::behind(Duration::from_secs(200))),
    )
    .await
    .unwrap();
    client()
        .get(format!("{}/v2/user/presence", pod.pod_url()))
        .send()
        .await
        .unwrap();
    let local = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let behind_ms = local - pod.journal()[0].timestamp;
    assert!(
        (170_000..=230_000).contains(&behind_ms),
        "the entry is {behind_ms} ms behind local time"
    );
}
