//! Feed lifetimes: `feed_ttl` forgets a feed not read in time, `drop_feeds` forgets them all;
//! either way, and for a feed that never existed, reading or deleting answers 400
//! `Presence feed not found`.

use std::time::Duration;

use symphony_mock_pod::{MockPod, MockPodConfig, RunningMockPod};
use symphony_presence::{AppClient, Error, FeedId, PresenceClient, UserId};

async fn pod_and_client(config: MockPodConfig) -> (RunningMockPod, PresenceClient) {
    let pod = MockPod::start(config.users(3).with_app("my-app"))
        .await
        .unwrap();
    let app = AppClient::builder(pod.pod_url(), pod.app_credentials("my-app").unwrap())
        .build()
        .unwrap();
    let client = app.on_behalf_of(UserId(pod.user_id(0)));
    (pod, client)
}

fn assert_not_found(result: Result<impl std::fmt::Debug, Error>) {
    let e = result.expect_err("the feed is gone");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(400), "{e:#}");
    let message = e.service_error().and_then(|s| s.message.as_deref());
    assert_eq!(message, Some("Presence feed not found"), "{e:#}");
}

#[tokio::test]
async fn an_unknown_feed_answers_400_on_read_and_delete() {
    let (_pod, client) = pod_and_client(MockPodConfig::default()).await;
    let never = FeedId::new("no-such-feed");
    assert_not_found(client.read_feed(&never).await);
    assert_not_found(client.delete_feed(&never).await);
    let feed = client.create_feed().await.unwrap();
    client.delete_feed(&feed).await.unwrap();
    assert_not_found(client.delete_feed(&feed).await);
}

/// With a 3 s TTL, a feed read every 300 ms lives on past 3 s; one never read is gone.
#[tokio::test]
async fn a_feed_not_read_within_the_ttl_is_gone_and_reading_keeps_one_alive() {
    let (pod, client) =
        pod_and_client(MockPodConfig::default().feed_ttl(Duration::from_secs(3))).await;
    let idle = client.create_feed().await.unwrap();
    let idle_too = client.create_feed().await.unwrap();
    let busy = client.create_feed().await.unwrap();
    for _ in 0..12 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        client.read_feed(&busy).await.unwrap();
    }
    // 3.6 s at least have passed since the idle feeds were made.
    assert_not_found(client.read_feed(&idle).await);
    assert_not_found(client.delete_feed(&idle_too).await);
    pod.set_presence(pod.user_id(1), "BUSY").unwrap();
    assert_eq!(client.read_feed(&busy).await.unwrap().len(), 1);
    client.delete_feed(&busy).await.unwrap();
}

#[tokio::test]
async fn drop_feeds_forgets_every_feed_as_a_restart_would() {
    let (pod, client) = pod_and_client(MockPodConfig::default()).await;
    let first = client.create_feed().await.unwrap();
    let second = client.create_feed().await.unwrap();
    pod.drop_feeds();
    assert_not_found(client.read_feed(&first).await);
    assert_not_found(client.delete_feed(&second).await);

    // A new feed works, and the control endpoint drops it too.
    let third = client.create_feed().await.unwrap();
    client.read_feed(&third).await.unwrap();
    let status = crate::support::client()
        .post(format!("{}/_mock/drop-feeds", pod.base_url()))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
    assert_not_found(client.read_feed(&third).await);
}
