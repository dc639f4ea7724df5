//! Retrying without making an outage worse: the retry budget shared by every call through one
//! transport, `Retry-After` waited for in full, and `watch_feed` backing off after errors.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use symphony_mock_pod::{Faults, ForcedStatus, MockPod, MockPodConfig, RunningMockPod};
use symphony_presence::{
    Error, HttpSettings, PresenceClient, RETRY_BUDGET, RETRY_COST, RetryPolicy,
};
use symphony_presence_tests::{BOT, bot_client, fast_retry, fixture_text, within};

const CALLERS: usize = 64;
const TEST_LIMIT: Duration = Duration::from_secs(60);
const GET_PRESENCE: &str = "get_v2_user_presence";

async fn pod() -> RunningMockPod {
    let config = MockPodConfig::default()
        .users(3)
        .bot(BOT, fixture_text("keys/other-public.pem"));
    MockPod::start(config).await.unwrap()
}

/// The next `count` requests are answered `status`, with `retry_after` if given.
fn fail(pod: &RunningMockPod, status: u16, count: u32, retry_after: Option<&str>) {
    pod.set_faults(Faults {
        fail: Some(ForcedStatus {
            status,
            count,
            retry_after: retry_after.map(str::to_owned),
        }),
        ..Faults::default()
    });
}

/// A fixed-token client with `http`; the pod answers forced statuses before looking at tokens.
fn client(pod: &RunningMockPod, http: HttpSettings) -> PresenceClient {
    PresenceClient::builder(pod.pod_url())
        .session_token("t")
        .http(http)
        .build()
        .unwrap()
}

fn server_error(result: &Result<impl std::fmt::Debug, Error>, status: u16) -> bool {
    matches!(result, Err(Error::Server(e)) if e.status.as_u16() == status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn during_an_outage_concurrent_callers_retry_only_as_far_as_the_shared_budget() {
    let pod = pod().await;
    fail(&pod, 503, u32::MAX, None);
    // Each caller would make 4 attempts: 64 × 3 = 192 retries wanted, more than the budget.
    // The timeout is generous, so that every retry is a 503's (a timeout's costs more).
    let shared = HttpSettings::default()
        .retry_policy(fast_retry(4))
        .timeout(Duration::from_secs(20));
    let calls: Vec<_> = (0..CALLERS)
        .map(|_| {
            // A client of its own for each caller, from clones of one HttpSettings: one
            // transport, one budget.
            let caller = client(&pod, shared.clone());
            tokio::spawn(async move { caller.get_presence().await })
        })
        .collect();
    for call in calls {
        let result = within(TEST_LIMIT, call).await.unwrap();
        assert!(server_error(&result, 503), "{result:?}");
    }
    let sent = pod.counters().requests_to(GET_PRESENCE);
    let budget = u64::from(RETRY_BUDGET / RETRY_COST);
    assert_eq!(budget, 100);
    assert!(
        sent > CALLERS as u64 && sent <= CALLERS as u64 + budget,
        "{sent} requests: more than the first attempts and the budget"
    );

    // The budget is spent: a failure is returned without a retry.
    pod.reset_counters();
    fail(&pod, 503, 1, None);
    let spent = client(&pod, shared.clone());
    assert!(server_error(&spent.get_presence().await, 503));
    assert_eq!(pod.counters().requests_to(GET_PRESENCE), 1);
    // Successes refill it (one token each): after five, one retry is allowed again. The pod
    // answers these successes with 401 to the fixed token, so they are made with the bot.
    let bot = bot_client(&pod.pod_url(), shared.clone());
    for _ in 0..RETRY_COST {
        bot.get_presence().await.unwrap();
    }
    pod.reset_counters();
    fail(&pod, 503, 1, None);
    bot.get_presence().await.unwrap();
    assert_eq!(pod.counters().requests_to(GET_PRESENCE), 2, "retried once");
    pod.shutdown().await;
}

#[tokio::test]
async fn a_retry_after_is_waited_for_in_full_on_429_and_503() {
    let pod = pod().await;
    // Default jitter: up to the initial backoff, 250 ms, added to what the server asked.
    let http = HttpSettings::default()
        .retry_policy(RetryPolicy::default())
        .timeout(Duration::from_secs(10));
    let bot = bot_client(&pod.pod_url(), http);
    bot.get_presence().await.unwrap();
    for status in [429, 503] {
        pod.reset_counters();
        fail(&pod, status, 1, Some("2"));
        let started = Instant::now();
        within(TEST_LIMIT, bot.get_presence()).await.unwrap();
        let elapsed = started.elapsed();
        assert!(
            elapsed >= Duration::from_secs(2),
            "{status}: retried after {elapsed:?}, before the 2 s asked"
        );
        // Generous: 2 s, the jitter, and a loaded machine.
        assert!(elapsed < Duration::from_secs(5), "{status}: {elapsed:?}");
        assert_eq!(pod.counters().requests_to(GET_PRESENCE), 2);
    }
    pod.shutdown().await;
}

#[tokio::test]
async fn watch_feed_backs_off_exponentially_after_errors_even_with_a_zero_interval() {
    let pod = pod().await;
    let bot = bot_client(
        &pod.pod_url(),
        HttpSettings::default().timeout(Duration::from_secs(10)),
    );
    let feed = bot.create_feed().await.unwrap();
    fail(&pod, 503, u32::MAX, None);
    pod.clear_journal();
    let mut changes = bot
        .watch_feed(feed)
        .interval(Duration::ZERO)
        .retry(RetryPolicy::none())
        .stream();
    // Reads at about 0 s, 1 s and 3 s (waits of 1 s, then 2 s); the next would be at 7 s.
    let window = Duration::from_millis(3600);
    let mut errors = 0;
    let _ = tokio::time::timeout(window, async {
        while let Some(change) = changes.next().await {
            assert!(
                matches!(&change, Err(Error::Server(e)) if e.status.as_u16() == 503),
                "{change:?}"
            );
            errors += 1;
        }
    })
    .await;
    drop(changes);
    let reads: Vec<i64> = pod
        .journal()
        .into_iter()
        .filter(|e| e.operation == "get_v1_presence_feed_feed_id_read")
        .map(|e| e.timestamp)
        .collect();
    assert!(
        (2..=3).contains(&reads.len()),
        "{} reads in {window:?}: {reads:?}",
        reads.len()
    );
    assert_eq!(errors, reads.len(), "each failed read is yielded");
    let gaps: Vec<i64> = reads.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps[0] >= 1000, "first wait {} ms", gaps[0]);
    if let Some(second) = gaps.get(1) {
        assert!(*second >= 2000, "second wait {second} ms");
    }
    pod.shutdown().await;
}
