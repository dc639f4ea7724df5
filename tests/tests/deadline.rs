//! The deadline bounds a whole call, authentication included: a login that never answers ends
//! the call with `Error::Timeout` at its deadline, whether the deadline comes from
//! `HttpSettings::deadline` or from the call's own `.deadline(..)`. A call that gives up
//! leaves the login it waited for running, for the next caller.

use std::time::{Duration, Instant};

use symphony_mock_pod::{Faults, MockPod, MockPodConfig, RunningMockPod};
use symphony_presence::{
    BoxFuture, Error, HttpSettings, PresenceClient, SessionProvider, SessionToken, TimeoutError,
    TransportErrorKind, UserId, WaitingFor,
};
use symphony_presence_tests::{
    APP_ID, BOT, app_client, bot_client, fast_retry, fixture_text, within,
};

const DEADLINE: Duration = Duration::from_secs(1);
/// How late after its deadline a call may end, on a loaded machine.
const LATE: Duration = Duration::from_secs(1);
/// The timeout of one attempt, where a test counts attempts: long enough for each to reach
/// the pod on a loaded machine.
const ATTEMPT: Duration = Duration::from_secs(1);
/// The bound of each test: far above what any of them needs.
const TEST_LIMIT: Duration = Duration::from_secs(60);

async fn pod() -> RunningMockPod {
    let config = MockPodConfig::default()
        .users(3)
        .app(APP_ID, fixture_text("keys/app-public.pem"))
        .bot(BOT, fixture_text("keys/other-public.pem"));
    MockPod::start(config).await.unwrap()
}

/// Every login from now on arrives and is never answered; the pod itself still answers.
fn logins_never_answer(pod: &RunningMockPod) {
    pod.set_faults(Faults {
        auth_latency_ms: u64::MAX,
        ..Faults::default()
    });
}

/// Settings whose attempts and retries alone would let a call wait far past [`DEADLINE`].
fn patient() -> HttpSettings {
    HttpSettings::default()
        .retry_policy(fast_retry(4))
        .timeout(Duration::from_secs(30))
}

/// The timeout error of `result`, after checking that it ended within the deadline, late by
/// at most [`LATE`].
fn timed_out(result: Result<impl std::fmt::Debug, Error>, started: Instant) -> TimeoutError {
    let elapsed = started.elapsed();
    assert!(
        elapsed >= DEADLINE && elapsed <= DEADLINE + LATE,
        "ended after {elapsed:?}"
    );
    match result {
        Err(Error::Timeout(e)) => *e,
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn a_bot_login_that_never_answers_ends_the_call_at_the_settings_deadline() {
    let pod = pod().await;
    logins_never_answer(&pod);
    let bot = bot_client(&pod.pod_url(), patient().deadline(DEADLINE));
    let started = Instant::now();
    let result = within(TEST_LIMIT, bot.get_presence()).await;
    let e = timed_out(result, started);
    assert_eq!(e.waiting_for, WaitingFor::Authentication);
    assert_eq!(e.deadline, DEADLINE);
    assert_eq!(e.operation.name(), "get_presence");
    assert_eq!(e.trace_id, None, "no pod request was in flight");
    let counters = pod.counters();
    assert_eq!(counters.requests_to("post_pubkey_authenticate"), 1);
    assert_eq!(counters.requests_to("get_v2_user_presence"), 0);
    pod.shutdown().await;
}

#[tokio::test]
async fn an_app_login_that_never_answers_ends_an_obo_call_at_its_own_deadline() {
    let pod = pod().await;
    logins_never_answer(&pod);
    let app = app_client(&pod.pod_url(), patient());
    let alice = app.on_behalf_of(UserId(pod.user_id(0)));
    let started = Instant::now();
    let result = within(TEST_LIMIT, alice.get_presence().deadline(DEADLINE)).await;
    let e = timed_out(result, started);
    assert_eq!(e.waiting_for, WaitingFor::Authentication);
    assert_eq!(e.deadline, DEADLINE);
    assert_eq!(
        pod.counters().requests_to("post_pubkey_app_authenticate"),
        1
    );
    pod.shutdown().await;
}

#[tokio::test]
async fn an_obo_login_that_never_answers_ends_the_call_at_its_deadline_whatever_its_timeout() {
    let pod = pod().await;
    let app = app_client(&pod.pod_url(), patient());
    app.authenticate().await.unwrap();
    logins_never_answer(&pod);
    let alice = app.on_behalf_of(UserId(pod.user_id(0)));
    // A call's timeout bounds its own attempts at the pod; the login it waits for is shared
    // with other calls and follows the settings' timeout. The deadline bounds both.
    let started = Instant::now();
    let call = alice
        .get_presence()
        .timeout(Duration::from_millis(200))
        .deadline(DEADLINE);
    let e = timed_out(within(TEST_LIMIT, call).await, started);
    assert_eq!(e.waiting_for, WaitingFor::Authentication);
    let counters = pod.counters();
    assert_eq!(
        counters.requests_to("post_pubkey_app_user_user_id_authenticate"),
        1
    );
    assert_eq!(counters.app_authentications, 1);
    pod.shutdown().await;
}

#[tokio::test]
async fn a_pod_that_never_answers_ends_the_call_at_its_deadline_with_the_request_in_flight() {
    let pod = pod().await;
    let bot = bot_client(&pod.pod_url(), patient());
    bot.get_presence().await.unwrap();
    pod.set_faults(Faults {
        latency_ms: u64::MAX,
        ..Faults::default()
    });
    // Attempts of 300 ms, retried up to 10 times: the deadline ends it first.
    let started = Instant::now();
    let call = bot
        .get_presence()
        .timeout(Duration::from_millis(300))
        .retry(fast_retry(10))
        .deadline(DEADLINE);
    let e = timed_out(within(TEST_LIMIT, call).await, started);
    assert_eq!(e.waiting_for, WaitingFor::Response);
    let trace_id = e.trace_id.expect("the trace id of the request in flight");
    assert_eq!(trace_id.len(), 16);
    // 300 ms attempts in a 1 s deadline: at most 4 were sent.
    let sent = pod.counters().requests_to("get_v2_user_presence") - 1;
    assert!((1..=4).contains(&sent), "{sent} attempts");
    pod.shutdown().await;
}

#[tokio::test]
async fn the_call_timeout_cuts_each_attempt_at_the_pod() {
    let pod = pod().await;
    let bot = bot_client(&pod.pod_url(), patient());
    bot.get_presence().await.unwrap();
    pod.set_faults(Faults {
        latency_ms: u64::MAX,
        ..Faults::default()
    });
    let started = Instant::now();
    let call = bot.get_presence().timeout(ATTEMPT).retry(fast_retry(2));
    let result = within(TEST_LIMIT, call).await;
    assert!(
        matches!(&result, Err(Error::Transport(e)) if e.kind == TransportErrorKind::Timeout),
        "{result:?}"
    );
    // Two attempts, each cut at its timeout, and a 5 ms backoff, late by at most LATE.
    let elapsed = started.elapsed();
    assert!(
        elapsed >= 2 * ATTEMPT && elapsed <= 2 * ATTEMPT + LATE,
        "{elapsed:?}"
    );
    assert_eq!(pod.counters().requests_to("get_v2_user_presence"), 1 + 2);
    pod.shutdown().await;
}

#[tokio::test]
async fn the_settings_timeout_cuts_each_login_attempt() {
    let pod = pod().await;
    logins_never_answer(&pod);
    let http = HttpSettings::default()
        .retry_policy(fast_retry(2))
        .timeout(ATTEMPT);
    let bot = bot_client(&pod.pod_url(), http);
    let started = Instant::now();
    let result = within(TEST_LIMIT, bot.get_presence()).await;
    let Err(Error::Transport(e)) = &result else {
        panic!("{result:?}")
    };
    assert_eq!(e.kind, TransportErrorKind::Timeout);
    assert_eq!(e.request.name(), "authenticate_bot");
    assert_eq!(e.operation.name(), "get_presence");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= 2 * ATTEMPT && elapsed <= 2 * ATTEMPT + LATE,
        "{elapsed:?}"
    );
    assert_eq!(pod.counters().requests_to("post_pubkey_authenticate"), 2);
    pod.shutdown().await;
}

/// A session whose authentication never ends.
#[derive(Debug)]
struct NeverAuthenticates;

impl SessionProvider for NeverAuthenticates {
    fn session_token(&self) -> BoxFuture<'_, Result<SessionToken, Error>> {
        Box::pin(std::future::pending())
    }

    fn refresh<'a>(
        &'a self,
        _rejected: &'a SessionToken,
    ) -> BoxFuture<'a, Result<Option<SessionToken>, Error>> {
        Box::pin(std::future::pending())
    }
}

/// Paused time: the 60 s pass in an instant, and exactly. Nothing is sent (the session never
/// gives a token), so no real I/O races the virtual clock.
#[tokio::test(start_paused = true)]
async fn the_default_deadline_is_sixty_seconds_and_covers_authentication() {
    let client = PresenceClient::builder("http://127.0.0.1:9/pod")
        .session(NeverAuthenticates)
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let result = client.get_presence().await;
    let Err(Error::Timeout(e)) = &result else {
        panic!("{result:?}")
    };
    assert_eq!(e.deadline, Duration::from_secs(60));
    assert_eq!(e.waiting_for, WaitingFor::Authentication);
    assert_eq!(started.elapsed(), Duration::from_secs(60));
}

/// How long each login takes in the shared-login tests: far longer than the impatient callers
/// wait, so that they give up while it runs.
const SLOW_LOGIN_MS: u64 = 2500;
const IMPATIENT: Duration = Duration::from_millis(300);

#[tokio::test]
async fn a_caller_that_gives_up_neither_aborts_nor_restarts_the_shared_bot_login() {
    let pod = pod().await;
    pod.set_faults(Faults {
        auth_latency_ms: SLOW_LOGIN_MS,
        ..Faults::default()
    });
    let bot = bot_client(&pod.pod_url(), patient());
    // One caller's deadline passes, another is dropped, while the login runs.
    let first = within(TEST_LIMIT, bot.get_presence().deadline(IMPATIENT)).await;
    assert!(
        matches!(&first, Err(Error::Timeout(e)) if e.waiting_for == WaitingFor::Authentication),
        "{first:?}"
    );
    let dropped = tokio::time::timeout(IMPATIENT, bot.get_presence()).await;
    assert!(dropped.is_err(), "the login cannot have ended yet");
    // The next caller waits for the same login and succeeds.
    let me = within(TEST_LIMIT, bot.get_presence()).await.unwrap();
    assert_eq!(me.user_id.map(|u| u.0), pod.bot_user_id(BOT));
    let counters = pod.counters();
    assert_eq!(
        counters.requests_to("post_pubkey_authenticate"),
        1,
        "one login, one JWT"
    );
    assert_eq!(counters.bot_authentications, 1);
    assert_eq!(counters.requests_to("get_v2_user_presence"), 1);
    pod.shutdown().await;
}

#[tokio::test]
async fn a_caller_that_gives_up_neither_aborts_nor_restarts_the_shared_app_and_obo_logins() {
    let pod = pod().await;
    pod.set_faults(Faults {
        auth_latency_ms: SLOW_LOGIN_MS,
        ..Faults::default()
    });
    let app = app_client(&pod.pod_url(), patient());
    let alice = app.on_behalf_of(UserId(pod.user_id(0)));
    // The first gives up during the app login, the second during the OBO login.
    let first = within(TEST_LIMIT, alice.get_presence().deadline(IMPATIENT)).await;
    assert!(matches!(&first, Err(Error::Timeout(_))), "{first:?}");
    let second = within(
        TEST_LIMIT,
        alice
            .get_presence()
            .deadline(Duration::from_millis(SLOW_LOGIN_MS)),
    )
    .await;
    assert!(matches!(&second, Err(Error::Timeout(_))), "{second:?}");
    // A client made later for the same user joins the same logins.
    let again = app.on_behalf_of(UserId(pod.user_id(0)));
    let me = within(TEST_LIMIT, again.get_presence()).await.unwrap();
    assert_eq!(me.user_id, Some(UserId(pod.user_id(0))));
    let counters = pod.counters();
    assert_eq!(counters.requests_to("post_pubkey_app_authenticate"), 1);
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

/// `Duration::MAX` is how a caller says "no limit": it must mean that, not a panic on
/// `Instant + Duration` overflow.
#[tokio::test]
async fn duration_max_as_a_deadline_or_a_timeout_means_no_limit() {
    let pod = pod().await;
    let http = HttpSettings::default()
        .deadline(Duration::MAX)
        .timeout(Duration::MAX);
    let client = bot_client(&pod.pod_url(), http);
    within(TEST_LIMIT, client.get_presence()).await.unwrap();
    within(
        TEST_LIMIT,
        client
            .user_presence(UserId(pod.user_id(1)))
            .timeout(Duration::MAX)
            .deadline(Duration::MAX),
    )
    .await
    .unwrap();
    pod.shutdown().await;
}

/// The listing and the feed poller take a deadline per page and per read, like every request.
#[tokio::test]
async fn a_listing_and_a_feed_read_end_at_their_own_deadline() {
    use futures_util::StreamExt;
    let pod = pod().await;
    logins_never_answer(&pod);
    let bot = bot_client(&pod.pod_url(), patient());

    let started = Instant::now();
    let mut pages = bot.list_all_presence().deadline(DEADLINE).stream();
    let first = within(TEST_LIMIT, pages.next()).await.expect("an item");
    let e = timed_out(first, started);
    assert_eq!(e.waiting_for, WaitingFor::Authentication);
    assert_eq!(e.operation.name(), "list_presence_page");

    let started = Instant::now();
    let feed = symphony_presence::FeedId::new("feed-1");
    let mut reads = bot.watch_feed(feed).deadline(DEADLINE).stream();
    let first = within(TEST_LIMIT, reads.next()).await.expect("an item");
    let e = timed_out(first, started);
    assert_eq!(e.operation.name(), "read_feed");
    pod.shutdown().await;
}
