//! The fault matrix: each scenario against a raw loopback server or the mock pod, checking the
//! exact outcome, how many requests the server saw, and that the call ended within the policy's
//! bound (attempts × timeout + total delay). See docs/reliability.md.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use symphony_mock_pod::{Faults, ForcedStatus, MockPod, MockPodConfig};
use symphony_presence::{
    AppClient, AppCredentials, Error, HttpSettings, Presence, PresenceClient, SessionProvider,
    TransportErrorKind, UserId,
};
use symphony_presence_tests::{
    CountingSession, RawReply, RawServer, fast_retry, fixture, fixture_text, http_response,
};

const ATTEMPTS: u32 = 3;
const TIMEOUT: Duration = Duration::from_millis(500);
/// `fast_retry` allows at most 2 s of waiting in all.
const BOUND: Duration = Duration::from_millis(3 * 500 + 2000);
const CAP: usize = 1024;

fn json(status: u16, body: &str) -> RawReply {
    RawReply::Bytes(http_response(status, "application/json", body.as_bytes()))
}

fn error_body(status: u16) -> RawReply {
    json(
        status,
        &format!(r#"{{"code":{status},"message":"m{status}"}}"#),
    )
}

fn ok() -> RawReply {
    json(200, r#"{"category":"AVAILABLE","userId":1}"#)
}

fn with_retry_after(status: u16, value: &str) -> RawReply {
    let mut bytes = format!("HTTP/1.1 {status} X\r\nretry-after: {value}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").into_bytes();
    bytes.extend_from_slice(b"");
    RawReply::Bytes(bytes)
}

/// The first `n` requests get `first`, the rest `then`.
fn first(
    n: usize,
    first: RawReply,
    then: RawReply,
) -> impl Fn(usize) -> RawReply + Send + Sync + 'static {
    move |i| if i <= n { first.clone() } else { then.clone() }
}

fn always(reply: RawReply) -> impl Fn(usize) -> RawReply + Send + Sync + 'static {
    move |_| reply.clone()
}

type Check = fn(&Result<Presence, Error>) -> bool;

struct Scenario {
    name: &'static str,
    replies: Box<dyn Fn(usize) -> RawReply + Send + Sync>,
    expect: Check,
    requests: usize,
    /// The least the call may take: a server's `Retry-After` is never cut short.
    at_least: Duration,
}

impl Scenario {
    fn waiting_at_least(mut self, at_least: Duration) -> Self {
        self.at_least = at_least;
        self
    }
}

fn scenario(
    name: &'static str,
    replies: impl Fn(usize) -> RawReply + Send + Sync + 'static,
    requests: usize,
    expect: Check,
) -> Scenario {
    Scenario {
        name,
        replies: Box::new(replies),
        expect,
        requests,
        at_least: Duration::ZERO,
    }
}

fn server_error(r: &Result<Presence, Error>, status: u16) -> bool {
    matches!(r, Err(Error::Server(e)) if e.status.as_u16() == status && e.code == Some(i32::from(status)))
}

fn decode_200(r: &Result<Presence, Error>) -> bool {
    matches!(r, Err(Error::Decode(e)) if e.status.map(|s| s.as_u16()) == Some(200))
}

fn transport(r: &Result<Presence, Error>, kind: TransportErrorKind) -> bool {
    matches!(r, Err(Error::Transport(e)) if e.kind == kind)
}

/// A `Retry-After` date 1 to 2 s ahead when the answer is made: the next whole second after
/// one second from now (HTTP dates have no fractions, so a date one second from now could be
/// only a few milliseconds ahead once truncated).
fn retry_after_date() -> RawReply {
    let in_a_second = SystemTime::now() + Duration::from_secs(1);
    let whole = in_a_second.duration_since(UNIX_EPOCH).unwrap().as_secs() + 1;
    let date = UNIX_EPOCH + Duration::from_secs(whole);
    with_retry_after(429, &httpdate::fmt_http_date(date))
}

fn scenarios() -> Vec<Scenario> {
    let truncated = RawReply::Bytes(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 80\r\n\r\n{\"cat"
            .to_vec(),
    );
    let html = RawReply::Bytes(http_response(
        502,
        "text/html",
        b"<html><body>Bad Gateway</body></html>",
    ));
    let big = format!(
        r#"{{"category":"AVAILABLE","pad":"{}"}}"#,
        "x".repeat(4 * CAP)
    );
    vec![
        scenario("500 once", first(1, error_body(500), ok()), 2, |r| {
            r.is_ok()
        }),
        scenario("500 always", always(error_body(500)), 3, |r| {
            server_error(r, 500)
        }),
        scenario("502 once", first(1, error_body(502), ok()), 2, |r| {
            r.is_ok()
        }),
        scenario("502 always", always(error_body(502)), 3, |r| {
            server_error(r, 502)
        }),
        scenario("503 once", first(1, error_body(503), ok()), 2, |r| {
            r.is_ok()
        }),
        scenario("503 always", always(error_body(503)), 3, |r| {
            server_error(r, 503)
        }),
        scenario(
            "502 with an HTML body",
            always(html),
            3,
            |r| matches!(r, Err(Error::Server(e)) if e.status.as_u16() == 502 && e.code.is_none() && e.message.is_none()),
        ),
        scenario(
            "429 with Retry-After in seconds",
            first(1, with_retry_after(429, "1"), ok()),
            2,
            |r| r.is_ok(),
        )
        .waiting_at_least(Duration::from_secs(1)),
        scenario(
            "429 with Retry-After as an HTTP date",
            |i| if i == 1 { retry_after_date() } else { ok() },
            2,
            |r| r.is_ok(),
        )
        .waiting_at_least(Duration::from_secs(1)),
        scenario(
            "429 always",
            always(with_retry_after(429, "0")),
            3,
            |r| matches!(r, Err(Error::RateLimited(e)) if e.retry_after == Some(Duration::ZERO)),
        ),
        scenario(
            "malformed JSON",
            always(json(200, r#"{"category":"#)),
            1,
            decode_200,
        ),
        scenario(
            "an HTML 200",
            always(RawReply::Bytes(http_response(
                200,
                "text/html",
                b"<html></html>",
            ))),
            1,
            decode_200,
        ),
        scenario("an empty 200", always(json(200, "")), 1, decode_200),
        scenario(
            "a missing category",
            always(json(200, r#"{"userId":1}"#)),
            1,
            decode_200,
        ),
        scenario(
            "a null category",
            always(json(200, r#"{"category":null}"#)),
            1,
            decode_200,
        ),
        scenario(
            "numbers sent as strings",
            always(json(200, r#"{"category":"AWAY","userId":"1"}"#)),
            1,
            decode_200,
        ),
        scenario(
            "an int64 beyond 2^53",
            always(json(
                200,
                r#"{"category":"AWAY","userId":9007199254740993,"timestamp":9223372036854775807}"#,
            )),
            1,
            |r| matches!(r, Ok(p) if p.user_id == Some(UserId(9_007_199_254_740_993)) && p.timestamp.map(|t| t.as_millis()) == Some(i64::MAX)),
        ),
        scenario("a connection closed mid-body", always(truncated), 3, |r| {
            transport(r, TransportErrorKind::Interrupted)
        }),
        scenario(
            "a server that never answers",
            always(RawReply::Stall),
            3,
            |r| transport(r, TransportErrorKind::Timeout),
        ),
        scenario(
            "a body larger than the cap",
            always(json(200, &big)),
            1,
            |r| matches!(r, Err(Error::Decode(e)) if e.reason.contains("1024-byte cap")),
        ),
    ]
}

fn http() -> HttpSettings {
    HttpSettings::default()
        .retry_policy(fast_retry(ATTEMPTS))
        .timeout(TIMEOUT)
        .max_response_bytes(CAP)
}

fn client(pod_url: &str, session: impl SessionProvider + 'static) -> PresenceClient {
    PresenceClient::builder(pod_url)
        .session(session)
        .http(http())
        .build()
        .unwrap()
}

fn token_client(pod_url: &str) -> PresenceClient {
    PresenceClient::builder(pod_url)
        .session_token("t")
        .http(http())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_and_transport_scenario_ends_as_specified() {
    let mut failures = Vec::new();
    for s in scenarios() {
        let server = RawServer::start(s.replies).await;
        let c = token_client(&server.pod_url);
        let started = Instant::now();
        let result = c.get_presence().await;
        let elapsed = started.elapsed();
        if !(s.expect)(&result) {
            failures.push(format!("{}: unexpected outcome {result:?}", s.name));
        }
        if server.requests() != s.requests {
            failures.push(format!(
                "{}: {} requests, expected {}",
                s.name,
                server.requests(),
                s.requests
            ));
        }
        if elapsed < s.at_least {
            failures.push(format!(
                "{}: took {elapsed:?}, less than the {:?} the server asked for",
                s.name, s.at_least
            ));
        }
        if elapsed > BOUND {
            failures.push(format!(
                "{}: took {elapsed:?}, over the bound {BOUND:?}",
                s.name
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test]
async fn connection_refused_is_retried_to_the_limit_and_ends_within_the_bound() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // No server sees a refused connection: the session counts the attempts, since the client
    // asks it for the token before each one.
    let session = Arc::new(CountingSession::new(&["t"]));
    let started = Instant::now();
    let result = client(&format!("http://127.0.0.1:{port}/pod"), session.clone())
        .get_presence()
        .await;
    assert!(
        transport(&result, TransportErrorKind::Connect),
        "{result:?}"
    );
    assert_eq!(session.tokens_asked(), ATTEMPTS as usize);
    assert!(started.elapsed() < BOUND);
}

#[tokio::test]
async fn a_redirect_from_the_login_endpoint_is_a_decode_error_and_is_not_followed() {
    let elsewhere = RawServer::start(|_| json(200, r#"{"token":"x"}"#)).await;
    let location = elsewhere
        .pod_url
        .replace("/pod", "/login/pubkey/app/authenticate");
    let login = RawServer::start(move |_| {
        RawReply::Bytes(format!("HTTP/1.1 308 Permanent Redirect\r\nlocation: {location}\r\ncontent-length: 0\r\n\r\n").into_bytes())
    })
    .await;
    let credentials =
        AppCredentials::from_pem_file("my-app", fixture("keys/app-pkcs1.pem")).unwrap();
    let app = AppClient::builder("http://127.0.0.1:9/pod", credentials)
        .login_url(login.pod_url.replace("/pod", "/login"))
        .http(http())
        .build()
        .unwrap();
    let result = app.authenticate().await;
    let Err(Error::Decode(e)) = &result else {
        panic!("expected Error::Decode, got {result:?}")
    };
    assert_eq!(e.status.map(|s| s.as_u16()), Some(308));
    assert_eq!(e.request.name(), "authenticate_app");
    assert!(e.body.is_empty(), "an authentication body is never quoted");
    // Not retried (a 3xx will not change), and never followed.
    assert_eq!((login.requests(), elsewhere.requests()), (1, 0));
}

#[tokio::test]
async fn a_401_once_refreshes_and_succeeds() {
    let server = RawServer::start(first(1, error_body(401), ok())).await;
    let session = Arc::new(CountingSession::new(&["old", "new"]));
    let result = client(&server.pod_url, session.clone())
        .get_presence()
        .await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!((server.requests(), session.refreshes()), (2, 1));
}

#[tokio::test]
async fn a_401_always_is_unauthorized_after_one_refresh() {
    let server = RawServer::start(always(error_body(401))).await;
    let session = Arc::new(CountingSession::new(&["old", "new"]));
    let result = client(&server.pod_url, session.clone())
        .get_presence()
        .await;
    assert!(
        matches!(&result, Err(Error::Unauthorized(e)) if e.message.as_deref() == Some("m401")),
        "{result:?}"
    );
    assert_eq!((server.requests(), session.refreshes()), (2, 1));
}

fn app(pod: &symphony_mock_pod::RunningMockPod) -> AppClient {
    let credentials =
        AppCredentials::from_pem_file("my-app", fixture("keys/app-pkcs1.pem")).unwrap();
    AppClient::builder(pod.pod_url(), credentials)
        .http(
            HttpSettings::default()
                .retry_policy(fast_retry(ATTEMPTS))
                .timeout(TIMEOUT),
        )
        .build()
        .unwrap()
}

async fn mock_pod() -> symphony_mock_pod::RunningMockPod {
    MockPod::start(
        MockPodConfig::default()
            .users(5)
            .app("my-app", fixture_text("keys/app-public.pem")),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_401_on_reauthentication_ends_with_the_app_hint_after_one_request_each() {
    let pod = mock_pod().await;
    let c = app(&pod).on_behalf_of(UserId(pod.user_id(0)));
    c.get_presence().await.unwrap();
    pod.reset_counters();
    pod.expire_tokens();
    pod.set_faults(Faults {
        fail: Some(ForcedStatus {
            status: 401,
            count: 100,
            retry_after: None,
        }),
        ..Faults::default()
    });
    let started = Instant::now();
    let result = c.get_presence().await;
    let Err(Error::Unauthorized(e)) = &result else {
        panic!("{result:?}")
    };
    assert_eq!(e.operation.name(), "get_presence");
    assert_eq!(e.request.name(), "authenticate_app");
    assert!(e.hint.is_some());
    let counters = pod.counters();
    assert_eq!(counters.requests_to("get_v2_user_presence"), 1);
    assert_eq!(
        counters.requests_to("post_pubkey_app_user_user_id_authenticate"),
        1
    );
    assert_eq!(counters.requests_to("post_pubkey_app_authenticate"), 1);
    assert!(started.elapsed() < BOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_calls_during_a_token_expiry_reauthenticate_once() {
    let pod = mock_pod().await;
    // An attempt that times out before reaching the pod would be repeated with whatever token
    // is current then; a 5 s timeout keeps 200 connections opening at once on a loaded machine
    // from timing out, so that each call makes exactly the two requests counted below.
    let credentials =
        AppCredentials::from_pem_file("my-app", fixture("keys/app-pkcs1.pem")).unwrap();
    let app = AppClient::builder(pod.pod_url(), credentials)
        .http(
            HttpSettings::default()
                .retry_policy(fast_retry(ATTEMPTS))
                .timeout(Duration::from_secs(5)),
        )
        .build()
        .unwrap();
    let c = app.on_behalf_of(UserId(pod.user_id(0)));
    c.get_presence().await.unwrap();
    pod.expire_tokens();
    pod.reset_counters();
    // With 300 ms per answer, all 200 first attempts are in flight with the expired token
    // before the renewed one exists (it takes three answers: OBO 401, app, OBO), even on a
    // loaded machine.
    pod.set_faults(Faults {
        latency_ms: 300,
        ..Faults::default()
    });
    let started = Instant::now();
    let calls: Vec<_> = (0..200)
        .map(|_| {
            tokio::spawn({
                let c = c.clone();
                async move { c.get_presence().await }
            })
        })
        .collect();
    for call in calls {
        assert!(call.await.unwrap().is_ok());
    }
    let counters = pod.counters();
    // Every call saw the expired token once and repeated once with the renewed one.
    assert_eq!(counters.requests_to("get_v2_user_presence"), 400);
    assert_eq!(
        (counters.app_authentications, counters.obo_authentications),
        (1, 1)
    );
    assert!(started.elapsed() < BOUND * 2, "{:?}", started.elapsed());
}
