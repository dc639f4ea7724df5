//! The API 1.0 contract program, as close to the contract as the mock pod allows: plain HTTP
//! (so without the `add_root_certificate_pem` line), its key files from `fixtures/keys/`, and
//! the contract's users 12345, "bob" and 7 mapped to seeded users. It is run against the mock
//! pod, and against a gateway (httpmock) that answers only requests carrying its header.

use std::path::Path;
use std::time::Duration;

use futures_util::TryStreamExt;
use httpmock::{Mock, MockServer};
use serde_json::json;
use symphony_mock_pod::{FIRST_USER_ID, MockPod, MockPodConfig, RunningMockPod};
use symphony_presence::{
    AppClient, AppCredentials, BotCredentials, Error, HttpSettings, KeyError, Operation, Presence,
    PresenceCategory, PresenceClient, PresenceStream, UserId,
};
use symphony_presence_tests::{fixture, fixture_text};

/// The contract's user 12345: seeded user 0.
const ALICE: UserId = UserId(FIRST_USER_ID);
/// The contract's "bob": seeded user 1.
const BOB: &str = "user1";
/// The contract's user 7: seeded user 2.
const THEIRS: UserId = UserId(FIRST_USER_ID + 2);

// `PresenceStream` is `Unpin`: the tour calls `try_next()` on it without `pin!`.
const _: fn() = || {
    fn unpin<T: Unpin>() {}
    unpin::<PresenceStream>();
};

/// What the tour saw, for the tests to check.
struct Seen {
    me: Presence,
    theirs: Presence,
    everyone: Vec<Presence>,
    /// The line the tour printed about the bot's call.
    bot: String,
}

async fn tour(pod: &str, login: &str, bot_pem: &Path) -> Result<Seen, symphony_presence::Error> {
    // One transport for login and pod: proxy, private root CA, timeouts, a gateway header.
    let http = HttpSettings::default().default_header("x-gateway-key", "k")?;
    let app = AppClient::builder(
        pod,
        AppCredentials::from_pem_file("my-app", fixture("keys/app-pkcs1.pem"))?,
    )
    .login_url(login)
    .http(http.clone())
    .build()?;
    let alice: PresenceClient = app.on_behalf_of(ALICE); // shares app's pool
    let bob: PresenceClient = app.on_behalf_of_username(BOB);
    let me = alice.get_presence().await?;
    alice
        .set_presence(PresenceCategory::Busy)
        .soft(true)
        .await?; // builder + IntoFuture
    let theirs = bob.user_presence(THEIRS).local(true).await?;
    let mut everyone = alice.list_all_presence().page_size(5000).stream(); // Unpin: no pin! needed
    let mut listed = Vec::new();
    while let Some(p) = everyone.try_next().await? {
        let _ = (p.user_id, &p.category);
        listed.push(p);
    }
    let bot = PresenceClient::builder(pod)
        .bot(BotCredentials::from_pem_file("my-bot", bot_pem)?)
        .http(http)
        .build()?;
    let line = match bot.get_presence().timeout(Duration::from_secs(5)).await {
        Ok(p) => format!("{} {}", p.category, me.category == theirs.category),
        Err(e) if e.is_auth() => format!("login failed: {e} (trace {:?})", e.trace_id()),
        Err(e) => format!("{e} during {}", e.operation()),
    };
    println!("{line}");
    Ok(Seen {
        me,
        theirs,
        everyone: listed,
        bot: line,
    })
}

async fn mock_pod() -> RunningMockPod {
    let config = MockPodConfig::default()
        .users(10)
        .app("my-app", fixture_text("keys/app-public.pem"))
        .bot("my-bot", fixture_text("keys/other-public.pem"));
    MockPod::start(config).await.unwrap()
}

#[tokio::test]
async fn the_contract_program_runs_against_the_mock_pod() {
    let pod = mock_pod().await;
    let seen = tour(
        &pod.pod_url(),
        &pod.login_url(),
        &fixture("keys/other-pkcs8.pem"),
    )
    .await
    .unwrap();

    // Alice read her own presence, then set it (soft, and she was not offline).
    assert_eq!(seen.me.user_id, Some(ALICE));
    assert_eq!(seen.me.category, PresenceCategory::Available);
    assert_eq!(pod.category_of(ALICE.0).as_deref(), Some("BUSY"));
    // Bob read user 2's presence.
    assert_eq!(seen.theirs.user_id, Some(THEIRS));
    assert_eq!(seen.theirs.category, PresenceCategory::Away);
    // The listing: the 10 seeded users and the bot, once each, in order, in one page.
    let ids: Vec<_> = seen.everyone.iter().map(|p| p.user_id).collect();
    let expected: Vec<_> = (0..11).map(|i| Some(UserId(pod.user_id(i)))).collect();
    assert_eq!(ids, expected);
    assert_eq!(seen.everyone[0].category, PresenceCategory::Busy);
    // The bot (the user after the seeded ones) read its own presence.
    let bot_category = pod.category_of(pod.user_id(10)).unwrap();
    assert_eq!(seen.bot, format!("{bot_category} false"));

    let counters = pod.counters();
    // Alice and Bob share the app: it authenticated once for both of them.
    assert_eq!(counters.app_authentications, 1);
    assert_eq!(counters.obo_authentications, 2);
    assert_eq!(counters.bot_authentications, 1);
    assert_eq!(counters.requests_to("get_v2_user_presence"), 2);
    assert_eq!(counters.requests_to("post_v2_user_presence"), 1);
    assert_eq!(counters.requests_to("get_v3_user_uid_presence"), 1);
    // One page of 11 and the empty page that ends the listing.
    assert_eq!(counters.requests_to("get_v2_users_presence"), 2);
}

#[tokio::test]
async fn the_contract_programs_bot_login_failure_takes_the_auth_branch_with_a_trace_id() {
    let pod = mock_pod().await;
    // The app's key is not the bot's: the bot is refused.
    let seen = tour(
        &pod.pod_url(),
        &pod.login_url(),
        &fixture("keys/app-pkcs8.pem"),
    )
    .await
    .unwrap();
    let prefix = "login failed: authentication failed: unauthorized: \
                  authenticate_bot (POST /pubkey/authenticate) answered HTTP 401: ";
    assert!(seen.bot.starts_with(prefix), "{}", seen.bot);
    let trace = seen
        .bot
        .rsplit_once("(trace Some(\"")
        .map(|(_, t)| t.trim_end_matches("\"))"))
        .unwrap_or_else(|| panic!("no trace id in {}", seen.bot));
    assert_eq!(trace.len(), 16, "{trace}");
    assert!(trace.bytes().all(|b| b.is_ascii_hexdigit()), "{trace}");
    assert_eq!(pod.counters().bot_authentications, 0);
}

#[tokio::test]
async fn the_contract_programs_question_marks_return_a_missing_key_as_a_setup_error() {
    let pod = mock_pod().await;
    let missing = fixture("keys/no-such-bot-key.pem");
    let Err(err) = tour(&pod.pod_url(), &pod.login_url(), &missing).await else {
        panic!("the tour cannot build a bot without its key");
    };
    assert!(
        matches!(&err, Error::Key(KeyError::MissingFile { path }) if *path == missing),
        "{err:?}"
    );
    assert_eq!(err.operation(), Operation::SETUP);
    assert_eq!(err.trace_id(), None);
    assert!(!err.is_auth());
}

/// A gateway in front of a pod: it answers the contract's requests only when they carry
/// `x-gateway-key: k`, and counts those that do not. The bot's own presence is answered with
/// `bot_status`.
struct Gateway {
    server: MockServer,
}

impl Gateway {
    async fn start() -> Self {
        Gateway {
            server: MockServer::start_async().await,
        }
    }

    /// One mock per request of the tour, each requiring the gateway header; and the guard,
    /// which takes every request without it.
    async fn mocks(&self, bot_status: u16) -> (Vec<(&'static str, Mock<'_>)>, Mock<'_>) {
        let s = &self.server;
        let presence = |uid: i64, category: &str| json!({"category": category, "userId": uid});
        let (alice, theirs, bot) = (ALICE.0, THEIRS.0, FIRST_USER_ID + 10);
        let mut mocks = Vec::new();
        let guard = s
            .mock_async(|when, then| {
                when.header_missing("x-gateway-key");
                then.status(403)
                    .json_body(json!({"code": 403, "message": "no gateway key"}));
            })
            .await;
        let login = |path: String, token: Option<&'static str>, issued: &'static str| async move {
            s.mock_async(|when, then| {
                let when = when.method("POST").path(path).header("x-gateway-key", "k");
                if let Some(token) = token {
                    when.header("sessionToken", token);
                }
                then.status(200).json_body(json!({"token": issued}));
            })
            .await
        };
        mocks.push((
            "app login",
            login("/login/pubkey/app/authenticate".into(), None, "app-token").await,
        ));
        mocks.push((
            "OBO login by id",
            login(
                format!("/login/pubkey/app/user/{alice}/authenticate"),
                Some("app-token"),
                "alice-token",
            )
            .await,
        ));
        mocks.push((
            "OBO login by username",
            login(
                format!("/login/pubkey/app/username/{BOB}/authenticate"),
                Some("app-token"),
                "bob-token",
            )
            .await,
        ));
        mocks.push((
            "bot login",
            login("/login/pubkey/authenticate".into(), None, "bot-token").await,
        ));
        let pod = |method: &'static str,
                   path: String,
                   token: &'static str,
                   status: u16,
                   body: serde_json::Value| async move {
            s.mock_async(|when, then| {
                when.method(method)
                    .path(path)
                    .header("x-gateway-key", "k")
                    .header("sessionToken", token);
                then.status(status).json_body(body);
            })
            .await
        };
        mocks.push((
            "alice's presence",
            pod(
                "GET",
                "/pod/v2/user/presence".into(),
                "alice-token",
                200,
                presence(alice, "AVAILABLE"),
            )
            .await,
        ));
        mocks.push((
            "alice sets hers",
            pod(
                "POST",
                "/pod/v2/user/presence".into(),
                "alice-token",
                200,
                presence(alice, "BUSY"),
            )
            .await,
        ));
        mocks.push((
            "bob reads user 2's",
            pod(
                "GET",
                format!("/pod/v3/user/{theirs}/presence"),
                "bob-token",
                200,
                presence(theirs, "AVAILABLE"),
            )
            .await,
        ));
        let bot_body = match bot_status {
            200 => presence(bot, "ON_THE_PHONE"),
            status => json!({"code": status, "message": "no such user"}),
        };
        mocks.push((
            "the bot's presence",
            pod(
                "GET",
                "/pod/v2/user/presence".into(),
                "bot-token",
                bot_status,
                bot_body,
            )
            .await,
        ));
        let page = |last: Option<i64>, body: serde_json::Value| async move {
            s.mock_async(|when, then| {
                let when = when
                    .method("GET")
                    .path("/pod/v2/users/presence")
                    .query_param("limit", "5000")
                    .header("x-gateway-key", "k")
                    .header("sessionToken", "alice-token");
                match last {
                    Some(last) => when.query_param("lastUserId", last.to_string()),
                    None => when.query_param_missing("lastUserId"),
                };
                then.status(200).json_body(body);
            })
            .await
        };
        mocks.push((
            "first page",
            page(
                None,
                json!([presence(alice, "BUSY"), presence(theirs, "AVAILABLE")]),
            )
            .await,
        ));
        mocks.push(("last page", page(Some(theirs), json!([])).await));
        (mocks, guard)
    }

    fn pod_url(&self) -> String {
        self.server.url("/pod")
    }

    fn login_url(&self) -> String {
        self.server.url("/login")
    }
}

#[tokio::test]
async fn the_default_header_reaches_every_login_and_pod_request_of_the_contract() {
    let gateway = Gateway::start().await;
    let (mocks, guard) = gateway.mocks(200).await;
    let seen = tour(
        &gateway.pod_url(),
        &gateway.login_url(),
        &fixture("keys/other-pkcs8.pem"),
    )
    .await
    .unwrap();
    for (what, mock) in &mocks {
        assert_eq!(mock.calls_async().await, 1, "{what}");
    }
    assert_eq!(guard.calls_async().await, 0, "a request lacked the header");
    // Both users' presences were AVAILABLE, so the bot's line says `true`.
    assert_eq!(seen.bot, "ON_THE_PHONE true");
    assert_eq!(seen.everyone.len(), 2);
}

#[tokio::test]
async fn the_contract_programs_other_errors_name_the_operation_called() {
    let gateway = Gateway::start().await;
    let (_mocks, guard) = gateway.mocks(404).await;
    let seen = tour(
        &gateway.pod_url(),
        &gateway.login_url(),
        &fixture("keys/other-pkcs8.pem"),
    )
    .await
    .unwrap();
    assert_eq!(
        seen.bot,
        "not found: get_presence (GET /v2/user/presence) answered HTTP 404: no such user \
         (code 404) during get_presence (GET /v2/user/presence)"
    );
    assert_eq!(guard.calls_async().await, 0);
}
