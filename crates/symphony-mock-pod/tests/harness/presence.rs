//! Scripted presence: `set_presence` and `random_changes` are changes like a user's own, seen
//! through a feed, and `presences` is the state a mirror must end up equal to.

use std::collections::BTreeMap;
use std::time::{Duration, Instant, UNIX_EPOCH};

use symphony_mock_pod::{
    ClockOffset, MAX_RANDOM_CHANGES_PER_SECOND, MockPod, MockPodConfig, MockPodError,
    RunningMockPod,
};
use symphony_presence::{AppClient, FeedId, PresenceCategory, PresenceClient, UserId};

/// How long a test waits for background changes before giving up: far more than they need.
const PATIENCE: Duration = Duration::from_secs(60);

async fn pod_and_client(users: usize) -> (RunningMockPod, PresenceClient) {
    let pod = MockPod::start(MockPodConfig::default().users(users).with_app("my-app"))
        .await
        .unwrap();
    let app = AppClient::builder(pod.pod_url(), pod.app_credentials("my-app").unwrap())
        .build()
        .unwrap();
    let client = app.on_behalf_of(UserId(pod.user_id(0)));
    (pod, client)
}

#[tokio::test]
async fn a_scripted_change_is_stamped_with_the_pods_time_and_seen_by_a_feed() {
    let pod = MockPod::start(
        MockPodConfig::default()
            .users(20)
            .with_app("my-app")
            .clock_offset(ClockOffset::from_secs(-100)),
    )
    .await
    .unwrap();
    let app = AppClient::builder(pod.pod_url(), pod.app_credentials("my-app").unwrap())
        .build()
        .unwrap();
    let client = app.on_behalf_of(UserId(pod.user_id(0)));
    let feed = client.create_feed().await.unwrap();
    assert!(client.read_feed(&feed).await.unwrap().is_empty());

    let bob = pod.user_id(5);
    pod.set_presence(bob, PresenceCategory::InAMeeting).unwrap();
    let changes = client.read_feed(&feed).await.unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].user_id, Some(UserId(bob)));
    assert_eq!(changes[0].category, PresenceCategory::InAMeeting);

    let stored = &pod.presences()[&bob];
    assert_eq!(stored.category, "IN_A_MEETING");
    let pod_now = pod.now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64;
    let age = pod_now - stored.timestamp;
    assert!(
        (0..30_000).contains(&age),
        "stamped {age} ms before the pod's now"
    );
    assert_eq!(
        changes[0].timestamp.map(|t| t.as_millis()),
        Some(stored.timestamp)
    );
    assert!(
        client.read_feed(&feed).await.unwrap().is_empty(),
        "seen once"
    );
}

#[tokio::test]
async fn any_category_can_be_scripted_and_an_unknown_user_is_an_error() {
    let (pod, client) = pod_and_client(3).await;
    let carol = pod.user_id(2);
    pod.set_presence(carol, "ON_A_BIKE").unwrap();
    let theirs = client.user_presence(UserId(carol)).await.unwrap();
    assert_eq!(theirs.category.as_str(), "ON_A_BIKE");
    assert!(!theirs.category.is_known());
    pod.set_presence(carol, PresenceCategory::Offline).unwrap();
    pod.set_presence(carol, PresenceCategory::Busy).unwrap();
    assert_eq!(pod.category_of(carol).as_deref(), Some("BUSY"), "not soft");

    let unknown = pod.set_presence(1, PresenceCategory::Busy);
    assert!(
        matches!(unknown, Err(MockPodError::UnknownUser { uid: 1 })),
        "{unknown:?}"
    );
}

/// Reads `feed` until it answers no change, applying every change to `mirror`.
async fn drain(client: &PresenceClient, feed: &FeedId, mirror: &mut BTreeMap<i64, String>) {
    loop {
        let changes = client.read_feed(feed).await.unwrap();
        if changes.is_empty() {
            return;
        }
        for change in changes {
            let uid = change.user_id.unwrap().0;
            mirror.insert(uid, change.category.as_str().to_owned());
        }
    }
}

#[tokio::test]
async fn a_mirror_fed_by_a_feed_ends_equal_to_the_pod_under_random_changes() {
    let (pod, client) = pod_and_client(200).await;
    let feed = client.create_feed().await.unwrap();
    let categories = |pod: &RunningMockPod| -> BTreeMap<i64, String> {
        pod.presences()
            .into_iter()
            .map(|(uid, p)| (uid, p.category))
            .collect()
    };
    let mut mirror = categories(&pod);
    let initial = mirror.clone();

    let started = Instant::now();
    let changes = pod.random_changes(200);
    assert_eq!(changes.per_second(), 200);
    while changes.changes_made() < 100 {
        assert!(started.elapsed() < PATIENCE, "too few changes");
        drain(&client, &feed, &mut mirror).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let made = changes.stop();
    let elapsed = started.elapsed();
    // The rate is an upper bound: never more than asked for.
    assert!(
        made as f64 <= 200.0 * elapsed.as_secs_f64() + 1.0,
        "{made} changes in {elapsed:?}"
    );

    drain(&client, &feed, &mut mirror).await;
    assert_eq!(mirror, categories(&pod));
    assert_ne!(mirror, initial, "some presence changed");
}

#[tokio::test]
async fn random_changes_stop_when_the_handle_or_the_pod_is_dropped() {
    let (pod, _client) = pod_and_client(50).await;
    let changes = pod.random_changes(1000);
    let started = Instant::now();
    while changes.changes_made() == 0 {
        assert!(started.elapsed() < PATIENCE);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(changes);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = pod.presences();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        before,
        pod.presences(),
        "no change after the handle is gone"
    );

    let changes = pod.random_changes(u32::MAX);
    assert_eq!(changes.per_second(), MAX_RANDOM_CHANGES_PER_SECOND);
    while changes.changes_made() == 0 {
        assert!(started.elapsed() < PATIENCE);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(pod);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let made = changes.changes_made();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        made,
        changes.changes_made(),
        "no change after the pod is gone"
    );

    let idle = MockPod::start(MockPodConfig::default().users(1))
        .await
        .unwrap();
    let none = idle.random_changes(0);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(none.changes_made(), 0);
}
