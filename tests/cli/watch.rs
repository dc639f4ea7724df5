//! `watch`: the mirror's events as NDJSON or plain lines, its stops (`--max-events`,
//! `--duration`, Ctrl-C) and the exit code of an error that will not heal. Changes are made
//! only once the pod has served the snapshot, and the feed is dropped only once the pod has
//! answered a read made after them, so the events are exactly known however slow the machine.

use super::*;

/// How long the pod may take to see what a test waits for.
const SEEN_WITHIN: Duration = Duration::from_secs(60);

const CREATE_FEED: &str = "post_v1_presence_feed_create";
const READ_FEED: &str = "get_v1_presence_feed_feed_id_read";
const DELETE_FEED: &str = "post_v1_presence_feed_feed_id_delete";
const LIST: &str = "get_v2_users_presence";

/// Waits until `seen` holds of the pod, failing the test after [`SEEN_WITHIN`].
async fn wait_for(pod: &RunningMockPod, what: &str, seen: impl Fn(&RunningMockPod) -> bool) {
    let limit = Instant::now() + SEEN_WITHIN;
    while !seen(pod) {
        assert!(Instant::now() < limit, "the pod never saw {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until the pod has served a snapshot of its 30 users: one page, then the empty page
/// that ends the listing (asked for only once the first page was taken in).
async fn snapshot_served(pod: &RunningMockPod) {
    wait_for(pod, "the snapshot", |pod| {
        pod.counters().requests_to(LIST) >= 2
    })
    .await;
}

/// Waits until the pod has answered a feed read made after everything journaled so far.
async fn feed_read_after_now(pod: &RunningMockPod) {
    let now = pod.journal().last().map_or(0, |entry| entry.sequence);
    wait_for(pod, "a feed read after the changes", |pod| {
        pod.journal().iter().any(|entry| {
            entry.sequence > now && entry.operation == READ_FEED && entry.status == Some(200)
        })
    })
    .await;
}

/// The category `uid` has on the pod, and when it was set.
fn stored(pod: &RunningMockPod, uid: i64) -> (String, i64) {
    let presence = &pod.presences()[&uid];
    (presence.category.clone(), presence.timestamp)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_events_prints_the_snapshot_each_change_and_a_recovery_as_ndjson_then_exits_0() {
    let pod = pod().await;
    let users = [pod.user_id(3), pod.user_id(4), pod.user_id(5)];
    let before: Vec<String> = users.iter().map(|uid| stored(&pod, *uid).0).collect();
    let args = obo_args(
        &pod,
        "keys/app-pkcs1.pem",
        pod.user_id(0),
        &[
            "--output",
            "json",
            "watch",
            "--interval",
            "0.05",
            "--max-events",
            "6",
        ],
    );
    let watch = tokio::spawn(run(args));

    snapshot_served(&pod).await;
    for uid in users {
        pod.set_presence(uid, "OUT_OF_OFFICE").unwrap();
    }
    feed_read_after_now(&pod).await;
    // The mirror holds the three changes; losing its feed now makes it degrade and resync.
    pod.drop_feeds();
    let out = watch.await.unwrap();

    let events = json_lines(&out);
    assert_eq!(events.len(), 6, "{events:#?}");
    assert_eq!(
        events[0],
        serde_json::json!({"event": "resynced", "users": 30})
    );
    for (i, uid) in users.iter().enumerate() {
        let (category, timestamp) = stored(&pod, *uid);
        assert_eq!(
            events[1 + i],
            serde_json::json!({
                "event": "changed",
                "userId": uid,
                "from": before[i],
                "to": category,
                "timestamp": timestamp,
            })
        );
    }
    assert_eq!(events[4]["event"], "degraded");
    let error = events[4]["error"].as_str().unwrap();
    assert!(error.contains("Presence feed not found"), "{error}");
    assert_eq!(
        events[5],
        serde_json::json!({"event": "resynced", "users": 30})
    );
    assert_eq!(stderr(&out), "", "no progress off a terminal, no warning");

    let counters = pod.counters();
    assert_eq!(
        counters.requests_to(CREATE_FEED),
        2,
        "one feed, then its replacement"
    );
    assert_eq!(
        counters.requests_to(DELETE_FEED),
        1,
        "the replacement is deleted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duration_ends_the_watch_on_time_with_exit_0_and_deletes_the_feed() {
    let pod = pod().await;
    let args = obo_args(
        &pod,
        "keys/app-pkcs1.pem",
        pod.user_id(0),
        &[
            "--output",
            "json",
            "watch",
            "--interval",
            "0.05",
            "--duration",
            "2",
        ],
    );
    let started = Instant::now();
    let out = run(args).await;
    assert!(started.elapsed() >= Duration::from_secs(2));
    let events = json_lines(&out);
    // On a very slow machine the two seconds may end before the snapshot: then nothing is
    // printed. Otherwise the snapshot is the one event, as nothing changes.
    assert!(events.len() <= 1, "{events:#?}");
    if let Some(first) = events.first() {
        assert_eq!(
            *first,
            serde_json::json!({"event": "resynced", "users": 30})
        );
        let counters = pod.counters();
        assert_eq!(counters.requests_to(CREATE_FEED), 1);
        assert_eq!(counters.requests_to(DELETE_FEED), 1, "the feed is deleted");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn off_a_terminal_the_table_output_is_one_line_per_event() {
    let pod = pod().await;
    let uid = pod.user_id(6);
    let args = obo_args(
        &pod,
        "keys/app-pkcs1.pem",
        pod.user_id(0),
        &["watch", "--interval", "0.05", "--max-events", "2"],
    );
    let watch = tokio::spawn(run(args));
    snapshot_served(&pod).await;
    pod.set_presence(uid, "AVAILABLE").unwrap();
    let out = watch.await.unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[0], "resynced  30 users held");
    let words: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(
        words[..5],
        [
            "changed",
            &uid.to_string(),
            "OUT_OF_OFFICE",
            "->",
            "AVAILABLE"
        ],
        "{text}"
    );
    assert!(lines[1].ends_with(" GMT"), "the time it was set: {text}");
    assert_eq!(stderr(&out), "");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_deletes_the_feed_and_exits_0() {
    let pod = pod().await;
    let args = obo_args(
        &pod,
        "keys/app-pkcs1.pem",
        pod.user_id(0),
        &["--output", "json", "watch", "--interval", "0.05"],
    );
    let child = spawn(&args, Vec::new());
    let pid = child.id().to_string();
    let out = tokio::task::spawn_blocking(move || finish_bounded(child, &args));
    // The snapshot is served and its first feed read answered: the watch is under way.
    snapshot_served(&pod).await;
    feed_read_after_now(&pod).await;
    let interrupted = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(interrupted.success());
    let out = out.await.unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        json_lines(&out),
        [serde_json::json!({"event": "resynced", "users": 30})]
    );
    assert_eq!(
        pod.counters().requests_to(DELETE_FEED),
        1,
        "the feed is deleted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_before_the_first_snapshot_exits_with_its_code_and_deletes_the_feed() {
    let config = MockPodConfig::default()
        .users(30)
        .app("my-app", fixture_text("keys/app-public.pem"))
        .restricted_user(symphony_mock_pod::FIRST_USER_ID);
    let restricted = MockPod::start(config).await.unwrap();
    let out = run_obo(&restricted, &["--output", "json", "watch"]).await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("403") && stderr(&out).contains("lacks necessary entitlement"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
    let counters = restricted.counters();
    assert_eq!(counters.requests_to(CREATE_FEED), 1);
    assert_eq!(counters.requests_to(DELETE_FEED), 1, "the feed is deleted");

    for bad in [
        vec!["watch", "--interval", "0"],
        vec!["watch", "--duration", "-1"],
        vec!["watch", "--max-events", "0"],
        vec!["watch", "--page-size", "5001"],
    ] {
        let out = run_obo(&restricted, &bad).await;
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", stderr(&out));
    }
}
