//! The presence mirror against the mock pod: it equals the pod's state once the pod is quiet,
//! reports each change once, and heals after feed loss, expiry, rate limiting and a login
//! refresh.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use proptest::prelude::*;
use symphony_mock_pod::{Faults, ForcedStatus, MockPod, MockPodConfig, RunningMockPod};
use symphony_presence::{
    HttpSettings, MirrorEvent, PresenceCategory, PresenceClient, PresenceMirror, RetryPolicy,
    UserId,
};

const BOT: &str = "mirror-bot";
/// Settable categories the scripted changes pick from.
const CATEGORIES: [&str; 5] = ["AVAILABLE", "BUSY", "AWAY", "IN_A_MEETING", "OUT_OF_OFFICE"];

async fn pod(config: MockPodConfig) -> RunningMockPod {
    MockPod::start(config.with_bot(BOT)).await.unwrap()
}

fn bot(pod: &RunningMockPod) -> PresenceClient {
    let retry = RetryPolicy::default()
        .max_attempts(2)
        .initial_backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_millis(50))
        .max_retry_after(Duration::from_secs(2));
    PresenceClient::builder(pod.pod_url())
        .bot(pod.bot_credentials(BOT).unwrap())
        .http(
            HttpSettings::default()
                .retry_policy(retry)
                .timeout(Duration::from_secs(5)),
        )
        .build()
        .unwrap()
}

fn mirror(pod: &RunningMockPod) -> PresenceMirror {
    bot(pod)
        .mirror()
        .interval(Duration::from_millis(20))
        .page_size(7)
        .start()
}

/// The pod's presences as the mirror should hold them.
fn pod_state(pod: &RunningMockPod) -> BTreeMap<UserId, (PresenceCategory, i64)> {
    pod.presences()
        .into_iter()
        .map(|(uid, p)| {
            (
                UserId(uid),
                (PresenceCategory::from(p.category), p.timestamp),
            )
        })
        .collect()
}

fn mirror_state(mirror: &PresenceMirror) -> BTreeMap<UserId, (PresenceCategory, i64)> {
    mirror
        .snapshot()
        .into_iter()
        .map(|(uid, p)| (uid, (p.category, p.timestamp.map_or(0, |t| t.as_millis()))))
        .collect()
}

/// Events until `until` holds of them, or a generous limit passes.
async fn events_until(
    mirror: &mut PresenceMirror,
    seen: &mut Vec<MirrorEvent>,
    until: impl Fn(&[MirrorEvent]) -> bool,
) {
    let limit = Instant::now() + Duration::from_secs(20);
    while !until(seen) {
        let left = limit.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, mirror.next()).await {
            Ok(Some(event)) => seen.push(event),
            _ => panic!("timed out waiting; events so far: {seen:#?}"),
        }
    }
}

/// Events until the mirror equals the pod and no change is pending (the pod is quiet).
async fn settle(pod: &RunningMockPod, mirror: &mut PresenceMirror, seen: &mut Vec<MirrorEvent>) {
    let limit = Instant::now() + Duration::from_secs(20);
    loop {
        if mirror_state(mirror) == pod_state(pod) {
            // Two intervals without an event: nothing was still on its way.
            match tokio::time::timeout(Duration::from_millis(200), mirror.next()).await {
                Ok(Some(event)) => seen.push(event),
                _ => return,
            }
            continue;
        }
        assert!(
            Instant::now() < limit,
            "the mirror never caught up:\nmirror {:?}\npod {:?}",
            mirror_state(mirror),
            pod_state(pod)
        );
        if let Ok(Some(event)) =
            tokio::time::timeout(Duration::from_millis(100), mirror.next()).await
        {
            seen.push(event);
        }
    }
}

fn resyncs(seen: &[MirrorEvent]) -> usize {
    seen.iter()
        .filter(|e| matches!(e, MirrorEvent::Resynced { .. }))
        .count()
}

/// No user is reported changing into the state it already had: each change once.
fn assert_each_change_reported_once(seen: &[MirrorEvent]) {
    let mut last: HashMap<UserId, (PresenceCategory, Option<i64>)> = HashMap::new();
    for event in seen {
        if let MirrorEvent::Changed { user_id, to, .. } = event {
            let state = (to.category.clone(), to.timestamp.map(|t| t.as_millis()));
            assert_ne!(
                last.insert(*user_id, state.clone()),
                Some(state),
                "a change of {user_id} reported twice in {seen:#?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_snapshot_holds_every_user_and_changes_follow() {
    let pod = pod(MockPodConfig::default().users(40)).await;
    let mut mirror = mirror(&pod);
    let mut seen = Vec::new();
    events_until(&mut mirror, &mut seen, |s| resyncs(s) == 1).await;
    assert!(
        matches!(seen[..], [MirrorEvent::Resynced { users: 41 }]),
        "{seen:?}"
    );
    assert_eq!(mirror.len(), 41);
    assert_eq!(mirror_state(&mirror), pod_state(&pod));

    let uid = pod.user_id(3);
    pod.set_presence(uid, "OUT_OF_OFFICE").unwrap();
    events_until(&mut mirror, &mut seen, |s| s.len() == 2).await;
    let MirrorEvent::Changed { user_id, from, to } = &seen[1] else {
        panic!("{seen:?}")
    };
    assert_eq!(*user_id, UserId(uid));
    assert_eq!(from.as_ref(), Some(&PresenceCategory::OnThePhone));
    assert_eq!(to.category, PresenceCategory::OutOfOffice);
    assert_eq!(
        mirror.get(UserId(uid)).unwrap().category,
        PresenceCategory::OutOfOffice
    );
    let counts = mirror.count_by_category();
    assert_eq!(counts.values().sum::<usize>(), 41);
    assert_eq!(counts[&PresenceCategory::OutOfOffice], 5);
    mirror.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_spanning_several_full_reads_arrive_once_each_in_the_order_they_were_made() {
    let pod = pod(MockPodConfig::default().users(1200)).await;
    let mut mirror = mirror(&pod);
    let mut seen = Vec::new();
    events_until(&mut mirror, &mut seen, |s| resyncs(s) == 1).await;
    seen.clear();

    // 1,100 changes: two full reads of 500 (each next read asked for while the batch before
    // it is applied), then the rest.
    let mut order: Vec<usize> = (0..1100).collect();
    order.reverse();
    for &user in &order {
        // Another category than the seeded one, which cycles through the ten documented.
        let category = CATEGORIES[(user + 1) % CATEGORIES.len()];
        pod.set_presence(pod.user_id(user), category).unwrap();
    }
    events_until(&mut mirror, &mut seen, |s| s.len() == order.len()).await;
    let changed: Vec<UserId> = seen
        .iter()
        .map(|e| match e {
            MirrorEvent::Changed { user_id, .. } => *user_id,
            other => panic!("{other:?}"),
        })
        .collect();
    let expected: Vec<UserId> = order.iter().map(|&u| UserId(pod.user_id(u))).collect();
    assert_eq!(changed, expected);
    settle(&pod, &mut mirror, &mut seen).await;
    assert_eq!(mirror_state(&mirror), pod_state(&pod));
    mirror.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_snapshot_reports_its_progress_after_every_page_without_events() {
    let pod = pod(MockPodConfig::default().users(40)).await;
    let reported = Arc::new(Mutex::new(Vec::new()));
    let mut mirror = bot(&pod)
        .mirror()
        .interval(Duration::from_millis(20))
        .page_size(7)
        .on_snapshot_progress({
            let reported = reported.clone();
            move |p| reported.lock().unwrap().push((p.users, p.pages, p.first))
        })
        .start();
    let mut seen = Vec::new();
    events_until(&mut mirror, &mut seen, |s| resyncs(s) == 1).await;
    assert!(
        matches!(seen[..], [MirrorEvent::Resynced { users: 41 }]),
        "{seen:?}"
    );
    let pages = |first| {
        [7, 14, 21, 28, 35, 41]
            .into_iter()
            .enumerate()
            .map(|(i, users)| (users, i + 1, first))
            .collect::<Vec<_>>()
    };
    assert_eq!(*reported.lock().unwrap(), pages(true), "41 users, 7 a page");

    reported.lock().unwrap().clear();
    pod.drop_feeds();
    events_until(&mut mirror, &mut seen, |s| resyncs(s) == 2).await;
    assert_eq!(
        *reported.lock().unwrap(),
        pages(false),
        "a later snapshot is not the first"
    );
    mirror.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_feeds_are_dropped_one_resync_follows_without_changes_for_unchanged_users() {
    let pod = pod(MockPodConfig::default().users(30)).await;
    let mut mirror = mirror(&pod);
    let mut seen = Vec::new();
    events_until(&mut mirror, &mut seen, |s| resyncs(s) == 1).await;
    seen.clear();

    pod.drop_feeds();
    let changed = pod.user_id(7);
    pod.set_presence(changed, "BUSY").unwrap();
    events_until(&mut mirror, &mut seen, |s| resyncs(s) == 1).await;
    settle(&pod, &mut mirror, &mut seen).await;

    assert_eq!(resyncs(&seen), 1, "{seen:#?}");
    let changes: Vec<UserId> = seen
        .iter()
        .filter_map(|e| match e {
            MirrorEvent::Changed { user_id, .. } => Some(*user_id),
            _ => None,
        })
        .collect();
    assert_eq!(changes, [UserId(changed)], "{seen:#?}");
    assert!(
        seen.iter()
            .any(|e| matches!(e, MirrorEvent::Degraded { .. })),
        "the lost feed was reported"
    );
    mirror.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_feed_is_replaced() {
    let pod = pod(MockPodConfig::default()
        .users(10)
        .feed_ttl(Duration::from_millis(300)))
    .await;
    let mut mirror = bot(&pod)
        .mirror()
        // Longer than the feed lives between reads.
        .interval(Duration::from_millis(800))
        .start();
    let mut seen = Vec::new();
    events_until(&mut mirror, &mut seen, |s| resyncs(s) == 2).await;
    assert!(
        seen.iter()
            .any(|e| matches!(e, MirrorEvent::Degraded { .. }))
    );
    pod.set_presence(pod.user_id(1), "AWAY").unwrap();
    settle(&pod, &mut mirror, &mut seen).await;
    assert_each_change_reported_once(&seen);
    mirror.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_429s_degrades_and_the_mirror_recovers() {
    let pod = pod(MockPodConfig::default().users(20)).await;
    let mut mirror = mirror(&pod);
    let mut seen = Vec::new();
    events_until(&mut mirror, &mut seen, |s| resyncs(s) == 1).await;
    pod.set_faults(Faults {
        fail: Some(ForcedStatus {
            status: 429,
            count: 12,
            retry_after: Some("0".into()),
        }),
        ..Faults::default()
    });
    pod.set_presence(pod.user_id(2), "BUSY").unwrap();
    events_until(&mut mirror, &mut seen, |s| {
        s.iter().any(|e| matches!(e, MirrorEvent::Degraded { error } if error.status().map(|s| s.as_u16()) == Some(429)))
    })
    .await;
    settle(&pod, &mut mirror, &mut seen).await;
    assert_each_change_reported_once(&seen);
    mirror.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_refresh_during_the_snapshot_is_survived() {
    let pod = pod(MockPodConfig::default().users(3000)).await;
    // Slow pages, so that the tokens expire while the snapshot is under way.
    pod.set_faults(Faults {
        latency_ms: 20,
        ..Faults::default()
    });
    let mut mirror = bot(&pod)
        .mirror()
        .interval(Duration::from_millis(20))
        .page_size(100)
        .start();
    let limit = Instant::now() + Duration::from_secs(20);
    while pod.counters().requests_to("get_v2_users_presence") < 3 {
        assert!(Instant::now() < limit, "the snapshot did not start");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    pod.expire_tokens();
    let mut seen = Vec::new();
    events_until(&mut mirror, &mut seen, |s| resyncs(s) == 1).await;
    assert_eq!(mirror.len(), 3001);
    assert_eq!(
        pod.counters().bot_authentications,
        2,
        "one login, one refresh"
    );
    pod.set_faults(Faults::default());
    mirror.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_mirror_deletes_its_feed() {
    let pod = pod(MockPodConfig::default().users(5)).await;
    let mut mirror = mirror(&pod);
    let mut seen = Vec::new();
    events_until(&mut mirror, &mut seen, |s| resyncs(s) == 1).await;
    mirror.close().await.unwrap();
    let counters = pod.counters();
    assert_eq!(counters.requests_to("post_v1_presence_feed_create"), 1);
    assert_eq!(
        counters.requests_to("post_v1_presence_feed_feed_id_delete"),
        1
    );
}

/// One step of a scripted run against the pod.
#[derive(Clone, Debug)]
enum Step {
    Change { user: usize, category: usize },
    DropFeeds,
    Fail { status: u16, count: u32 },
    Wait { millis: u64 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0..25usize, 0..CATEGORIES.len()).prop_map(|(user, category)| Step::Change { user, category }),
        1 => Just(Step::DropFeeds),
        1 => (prop::sample::select(vec![429u16, 500, 503]), 1..4u32)
            .prop_map(|(status, count)| Step::Fail { status, count }),
        2 => (0..60u64).prop_map(|millis| Step::Wait { millis }),
    ]
}

proptest! {
    // Each case runs a pod and a mirror for a second or two: a few cases, not hundreds.
    #![proptest_config(ProptestConfig { cases: 6, failure_persistence: None, .. ProptestConfig::default() })]

    /// Whatever happens (changes, lost feeds, transient errors), once the pod is quiet the
    /// mirror equals it exactly, and no change was reported twice.
    #[test]
    fn once_the_pod_is_quiet_the_mirror_equals_it(steps in prop::collection::vec(step(), 1..30)) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let pod = pod(MockPodConfig::default().users(25)).await;
            let mut mirror = mirror(&pod);
            let mut seen = Vec::new();
            events_until(&mut mirror, &mut seen, |s| resyncs(s) == 1).await;
            for step in &steps {
                match *step {
                    Step::Change { user, category } => {
                        pod.set_presence(pod.user_id(user), CATEGORIES[category]).unwrap();
                    }
                    Step::DropFeeds => pod.drop_feeds(),
                    Step::Fail { status, count } => pod.set_faults(Faults {
                        fail: Some(ForcedStatus { status, count, retry_after: None }),
                        ..Faults::default()
                    }),
                    Step::Wait { millis } => tokio::time::sleep(Duration::from_millis(millis)).await,
                }
            }
            pod.set_faults(Faults::default());
            settle(&pod, &mut mirror, &mut seen).await;
            assert_eq!(mirror_state(&mirror), pod_state(&pod));
            assert_each_change_reported_once(&seen);
            mirror.close().await.unwrap();
        });
    }
}
