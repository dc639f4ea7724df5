//! The SDK's spans as OpenTelemetry exports them (tracing-opentelemetry into an in-memory
//! exporter): one span per call named after the method called, with the HTTP semantic
//! conventions' attributes and the SDK's own, authentication spans inside the operation that
//! needed them, and no credential in any attribute or event, for static, bot and OBO sessions.
//!
//! The binary has one global subscriber (a subscriber per thread leaves callsites' cached
//! interest to races between tests); its tests take turns, each starting from an empty
//! exporter.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use opentelemetry::trace::{SpanId, TracerProvider as _};
use opentelemetry::{Key, Value};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use symphony_mock_pod::{Faults, ForcedStatus, MockPod, MockPodConfig, RunningMockPod};
use symphony_presence::{
    AppClient, AppCredentials, BotCredentials, Error, HttpSettings, PresenceCategory,
    PresenceClient, UserId,
};
use symphony_presence_tests::{TestProxy, fast_retry, fixture, fixture_text, header_in};
use tracing_subscriber::layer::SubscriberExt;

const APP: &str = "my-app";
const BOT: &str = "presence-bot";

/// The exporter every span of this binary goes to, installed once.
fn exporter() -> &'static InMemorySpanExporter {
    static EXPORTER: OnceLock<InMemorySpanExporter> = OnceLock::new();
    EXPORTER.get_or_init(|| {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("telemetry-test"));
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer))
            .expect("no other subscriber");
        exporter
    })
}

/// A test's turn: while it is held, the exporter receives only this test's spans.
struct Traces {
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Traces {
    /// Waits for the turn, and empties the exporter.
    async fn start() -> Self {
        static TURNS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
        let turn = TURNS.lock().await;
        exporter().reset();
        Traces { _turn: turn }
    }

    /// The spans ended so far, once at least `count` of them are named `name`: an
    /// authentication runs as a task of its own, whose span may end just after the call that
    /// waited for it returns. Waits at most 5 s.
    async fn wait_for(&self, name: &str, count: usize) -> Vec<SpanData> {
        let started = Instant::now();
        loop {
            let spans = exporter().get_finished_spans().unwrap();
            if named(&spans, name).len() >= count || started.elapsed() > Duration::from_secs(5) {
                return spans;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The spans ended so far.
    fn spans(&self) -> Vec<SpanData> {
        exporter().get_finished_spans().unwrap()
    }

    /// Forgets the spans exported so far.
    fn reset(&self) {
        exporter().reset();
    }
}

fn named<'a>(spans: &'a [SpanData], name: &str) -> Vec<&'a SpanData> {
    spans.iter().filter(|s| s.name == name).collect()
}

/// The one span named `name`.
fn only<'a>(spans: &'a [SpanData], name: &str) -> &'a SpanData {
    let found = named(spans, name);
    assert_eq!(found.len(), 1, "one {name} span in {:?}", names(spans));
    found[0]
}

fn names(spans: &[SpanData]) -> Vec<&str> {
    spans.iter().map(|s| s.name.as_ref()).collect()
}

/// The value of attribute `key`; a key recorded twice fails the test: an exporter sends every
/// copy, and backends differ on which they show.
fn attribute<'a>(span: &'a SpanData, key: &str) -> Option<&'a Value> {
    let key = Key::from(key.to_owned());
    let mut values = span.attributes.iter().filter(|kv| kv.key == key);
    let value = values.next().map(|kv| &kv.value);
    let again: Vec<_> = values.map(|kv| &kv.value).collect();
    assert!(
        again.is_empty(),
        "{key} recorded more than once on {}: {value:?} then {again:?}",
        span.name
    );
    value
}

fn text(span: &SpanData, key: &str) -> Option<String> {
    attribute(span, key).map(|v| v.as_str().into_owned())
}

fn integer(span: &SpanData, key: &str) -> Option<i64> {
    match attribute(span, key) {
        Some(Value::I64(n)) => Some(*n),
        other => panic!("{key} of {} is not an integer: {other:?}", span.name),
    }
}

/// Whether `span`'s parent is `parent`.
fn is_child_of(span: &SpanData, parent: &SpanData) -> bool {
    span.parent_span_id == parent.span_context.span_id()
        && span.span_context.trace_id() == parent.span_context.trace_id()
}

/// Asserts the attributes every operation's span has, after a call answered `status`.
fn assert_operation_span(span: &SpanData, method: &str, path: &str, status: i64, kind: &str) {
    let name = &span.name;
    assert_eq!(
        text(span, "http.request.method").as_deref(),
        Some(method),
        "{name}"
    );
    assert_eq!(
        text(span, "server.address").as_deref(),
        Some("127.0.0.1"),
        "{name}"
    );
    let url_path = text(span, "url.path").unwrap();
    assert_eq!(url_path, path, "{name}");
    assert!(!url_path.contains('?'), "{name}: no query in {url_path}");
    assert_eq!(
        integer(span, "http.response.status_code"),
        Some(status),
        "{name}"
    );
    assert!(
        integer(span, "http.request.resend_count").is_some(),
        "{name}"
    );
    let trace_id = text(span, "symphony.trace_id").unwrap();
    assert!(
        trace_id.len() == 16 && trace_id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{name}: {trace_id}"
    );
    assert_eq!(
        text(span, "symphony.session.kind").as_deref(),
        Some(kind),
        "{name}"
    );
}

async fn pod() -> RunningMockPod {
    let config = MockPodConfig::default()
        .users(10)
        .app(APP, fixture_text("keys/app-public.pem"))
        .bot(BOT, fixture_text("keys/other-public.pem"));
    MockPod::start(config).await.unwrap()
}

fn http() -> HttpSettings {
    HttpSettings::default()
        .retry_policy(fast_retry(3))
        .timeout(Duration::from_secs(5))
}

fn bot(pod: &RunningMockPod, http: HttpSettings) -> PresenceClient {
    PresenceClient::builder(pod.pod_url())
        .bot(BotCredentials::from_pem_file(BOT, fixture("keys/other-pkcs8.pem")).unwrap())
        .http(http)
        .build()
        .unwrap()
}

fn app(pod: &RunningMockPod, http: HttpSettings) -> AppClient {
    AppClient::builder(
        pod.pod_url(),
        AppCredentials::from_pem_file(APP, fixture("keys/app-pkcs1.pem")).unwrap(),
    )
    .http(http)
    .build()
    .unwrap()
}

/// A client with a fixed session token, one the pod issued to the bot.
async fn static_client(pod: &RunningMockPod) -> PresenceClient {
    let token = bot(pod, http()).session_token().await.unwrap();
    PresenceClient::builder(pod.pod_url())
        .session_token(token.expose())
        .http(http())
        .build()
        .unwrap()
}

#[tokio::test]
async fn each_call_has_one_span_named_after_its_method_with_the_semconv_attributes() {
    let traces = Traces::start().await;
    let pod = pod().await;
    let c = static_client(&pod).await;
    traces.reset();
    let other = pod.user_id(2);

    c.get_presence().await.unwrap();
    c.set_presence(PresenceCategory::Busy).await.unwrap();
    c.user_presence(UserId(other)).await.unwrap();
    c.set_user_presence(UserId(other), PresenceCategory::Away)
        .await
        .unwrap();
    c.register_interest([UserId(other)]).await.unwrap();
    c.list_presence_page().limit(4).await.unwrap();
    let feed = c.create_feed().await.unwrap();
    c.read_feed(&feed).await.unwrap();
    c.delete_feed(&feed).await.unwrap();

    let spans = traces.wait_for("delete_feed", 1).await;
    let feed_path = |action: &str| format!("/pod/v1/presence/feed/{}/{action}", feed.as_str());
    let expected = [
        ("get_presence", "GET", "/pod/v2/user/presence".to_owned()),
        ("set_presence", "POST", "/pod/v2/user/presence".to_owned()),
        (
            "user_presence",
            "GET",
            format!("/pod/v3/user/{other}/presence"),
        ),
        (
            "set_user_presence",
            "POST",
            "/pod/v3/user/presence".to_owned(),
        ),
        (
            "register_interest",
            "POST",
            "/pod/v1/user/presence/register".to_owned(),
        ),
        // `?limit=4` is a query: not in url.path.
        (
            "list_presence_page",
            "GET",
            "/pod/v2/users/presence".to_owned(),
        ),
        (
            "create_feed",
            "POST",
            "/pod/v1/presence/feed/create".to_owned(),
        ),
        ("read_feed", "GET", feed_path("read")),
        ("delete_feed", "POST", feed_path("delete")),
    ];
    for (name, method, path) in &expected {
        let span = only(&spans, name);
        assert_operation_span(span, method, path, 200, "static");
        assert_eq!(
            integer(span, "http.request.resend_count"),
            Some(0),
            "{name}"
        );
        assert!(attribute(span, "error.type").is_none(), "{name}");
    }
    // The calls' spans are roots: a static session needs no authentication.
    for (name, ..) in &expected {
        assert_eq!(only(&spans, name).parent_span_id, SpanId::INVALID, "{name}");
    }
    // Each call's trace id is its own.
    let mut ids: Vec<String> = expected
        .iter()
        .map(|(name, ..)| text(only(&spans, name), "symphony.trace_id").unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), expected.len());

    // Listing everything is one `list_presence_page` span per page sent: 10 users and the bot
    // by 4 are three pages and the empty one that ends the listing.
    traces.reset();
    let all: Vec<_> = c
        .list_all_presence()
        .page_size(4)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 11);
    let spans = traces.spans();
    let pages = named(&spans, "list_presence_page");
    assert_eq!(pages.len(), 4, "{:?}", names(&spans));
    for page in pages {
        assert_operation_span(page, "GET", "/pod/v2/users/presence", 200, "static");
    }
    pod.shutdown().await;
}

#[tokio::test]
async fn a_retried_call_records_its_resend_count_and_final_status() {
    let traces = Traces::start().await;
    let pod = pod().await;
    let c = static_client(&pod).await;
    traces.reset();
    pod.set_faults(Faults {
        fail: Some(ForcedStatus {
            status: 503,
            count: 1,
            retry_after: None,
        }),
        ..Faults::default()
    });
    c.get_presence().await.unwrap();
    let spans = traces.wait_for("get_presence", 1).await;
    let span = only(&spans, "get_presence");
    assert_operation_span(span, "GET", "/pod/v2/user/presence", 200, "static");
    assert_eq!(integer(span, "http.request.resend_count"), Some(1));
    assert!(attribute(span, "error.type").is_none());
    // The retry is an event of the call's span, and each attempt a span of its own within it.
    assert!(
        span.events.iter().any(|e| e.name.contains("retrying")),
        "{:?}",
        span.events
    );
    let attempts = named(&spans, "symphony_api");
    assert_eq!(attempts.len(), 2);
    assert!(attempts.iter().all(|a| is_child_of(a, span)));
    pod.shutdown().await;
}

#[tokio::test]
async fn a_failed_call_records_its_error_type_status_and_trace_id() {
    let traces = Traces::start().await;
    let pod = pod().await;
    let c = static_client(&pod).await;
    traces.reset();

    // A 404: error.type is the status, as the semantic conventions ask.
    let not_found = c.user_presence(UserId(1)).await.unwrap_err();
    assert!(matches!(not_found, Error::NotFound(_)), "{not_found:?}");
    let spans = traces.wait_for("user_presence", 1).await;
    let span = only(&spans, "user_presence");
    assert_operation_span(span, "GET", "/pod/v3/user/1/presence", 404, "static");
    assert_eq!(text(span, "error.type").as_deref(), Some("404"));
    assert_eq!(
        text(span, "symphony.trace_id").as_deref(),
        not_found.trace_id()
    );

    // A 401 on a static session, which cannot be refreshed: returned as it is.
    traces.reset();
    pod.expire_tokens();
    let unauthorized = c.get_presence().await.unwrap_err();
    assert!(matches!(unauthorized, Error::Unauthorized(_)));
    let spans = traces.wait_for("get_presence", 1).await;
    let span = only(&spans, "get_presence");
    assert_eq!(text(span, "error.type").as_deref(), Some("401"));
    assert_eq!(integer(span, "http.response.status_code"), Some(401));
    assert_eq!(integer(span, "http.request.resend_count"), Some(0));

    // No answer at all: the class of failure, and no status.
    traces.reset();
    let closed = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap().port()
    };
    let nowhere = PresenceClient::builder(format!("http://127.0.0.1:{closed}/pod"))
        .session_token("static-token-0123456789")
        .http(HttpSettings::default().retry_policy(fast_retry(2)))
        .build()
        .unwrap();
    let refused = nowhere.get_presence().await.unwrap_err();
    assert!(matches!(refused, Error::Transport(_)), "{refused:?}");
    let spans = traces.wait_for("get_presence", 1).await;
    let span = only(&spans, "get_presence");
    assert_eq!(text(span, "error.type").as_deref(), Some("transport"));
    assert!(attribute(span, "http.response.status_code").is_none());
    // Connection refused is retried: the second attempt is the one that failed last.
    assert_eq!(integer(span, "http.request.resend_count"), Some(1));
    assert_eq!(
        text(span, "symphony.trace_id").as_deref(),
        refused.trace_id()
    );
    pod.shutdown().await;
}

#[tokio::test]
async fn a_bot_login_is_a_child_span_of_the_call_that_needed_it() {
    let traces = Traces::start().await;
    let pod = pod().await;
    let c = bot(&pod, http());
    c.get_presence().await.unwrap();
    let spans = traces.wait_for("authenticate_bot", 1).await;
    let call = only(&spans, "get_presence");
    assert_operation_span(call, "GET", "/pod/v2/user/presence", 200, "bot");
    let login = only(&spans, "authenticate_bot");
    assert!(is_child_of(login, call), "the login is inside get_presence");
    assert_eq!(text(login, "http.request.method").as_deref(), Some("POST"));
    assert_eq!(
        text(login, "url.path").as_deref(),
        Some("/login/pubkey/authenticate")
    );
    assert_eq!(integer(login, "http.response.status_code"), Some(200));
    // A login with a JWT acts in no session.
    assert_eq!(text(login, "symphony.session.kind"), None);

    // A cached session: no login span.
    traces.reset();
    c.user_presence(UserId(pod.user_id(1))).await.unwrap();
    let spans = traces.wait_for("user_presence", 1).await;
    assert!(named(&spans, "authenticate_bot").is_empty());
    assert_eq!(
        text(only(&spans, "user_presence"), "symphony.session.kind").as_deref(),
        Some("bot")
    );

    // An expired session: 401, a new login inside the call, and the call repeated once.
    traces.reset();
    pod.expire_tokens();
    c.get_presence().await.unwrap();
    let spans = traces.wait_for("authenticate_bot", 1).await;
    let call = only(&spans, "get_presence");
    assert_operation_span(call, "GET", "/pod/v2/user/presence", 200, "bot");
    assert_eq!(integer(call, "http.request.resend_count"), Some(1));
    assert!(is_child_of(only(&spans, "authenticate_bot"), call));
    pod.shutdown().await;
}

#[tokio::test]
async fn an_obo_login_and_the_app_login_inside_it_are_within_the_call() {
    let traces = Traces::start().await;
    let pod = pod().await;
    let app = app(&pod, http());
    let user = UserId(pod.user_id(1));
    app.on_behalf_of(user).get_presence().await.unwrap();
    let spans = traces.wait_for("authenticate_app", 1).await;
    let call = only(&spans, "get_presence");
    assert_operation_span(call, "GET", "/pod/v2/user/presence", 200, "obo");
    let obo = only(&spans, "authenticate_on_behalf_of");
    let app_login = only(&spans, "authenticate_app");
    assert!(
        is_child_of(obo, call),
        "the OBO login is inside get_presence"
    );
    assert!(
        is_child_of(app_login, obo),
        "the app login is inside the OBO login that needed it"
    );
    assert_eq!(
        text(obo, "url.path"),
        Some(format!("/login/pubkey/app/user/{}/authenticate", user.0))
    );
    assert_eq!(text(obo, "symphony.session.kind").as_deref(), Some("app"));
    assert_eq!(text(app_login, "symphony.session.kind"), None);
    assert_eq!(
        text(app_login, "url.path").as_deref(),
        Some("/login/pubkey/app/authenticate")
    );

    // A second user: an OBO login only, the app's session is cached.
    traces.reset();
    app.on_behalf_of(UserId(pod.user_id(2)))
        .set_presence(PresenceCategory::Away)
        .await
        .unwrap();
    let spans = traces.wait_for("authenticate_on_behalf_of", 1).await;
    let call = only(&spans, "set_presence");
    assert_operation_span(call, "POST", "/pod/v2/user/presence", 200, "obo");
    assert!(is_child_of(only(&spans, "authenticate_on_behalf_of"), call));
    assert!(named(&spans, "authenticate_app").is_empty());
    pod.shutdown().await;
}

/// Every attribute value of every span and of every span event, as text.
fn every_value(spans: &[SpanData]) -> Vec<String> {
    spans
        .iter()
        .flat_map(|span| {
            let own = span.attributes.iter();
            let events = span.events.iter().flat_map(|e| e.attributes.iter());
            let names = span.events.iter().map(|e| e.name.to_string());
            own.chain(events)
                .map(|kv| format!("{}={}", kv.key, kv.value.as_str()))
                .chain(names)
                .chain([span.name.to_string()])
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test]
async fn no_span_attribute_or_event_holds_a_session_token_jwt_or_key() {
    let traces = Traces::start().await;
    let pod = pod().await;
    // Every request goes through the proxy, which sees each session token sent.
    let proxy = TestProxy::start().await;
    let http = http().proxy(&proxy.url()).unwrap();

    let bot = bot(&pod, http.clone());
    bot.get_presence().await.unwrap();
    let token = bot.session_token().await.unwrap();
    let static_client = PresenceClient::builder(pod.pod_url())
        .session_token(token.expose())
        .http(http.clone())
        .build()
        .unwrap();
    static_client.user_presence(UserId(1)).await.unwrap_err();
    let app = app(&pod, http.clone());
    let user = app.on_behalf_of(UserId(pod.user_id(1)));
    user.get_presence().await.unwrap();
    // Retries, expiry, refreshes and failures, whose events carry error messages.
    pod.set_faults(Faults {
        fail: Some(ForcedStatus {
            status: 503,
            count: 1,
            retry_after: None,
        }),
        ..Faults::default()
    });
    user.register_interest([UserId(pod.user_id(2))])
        .await
        .unwrap();
    pod.expire_tokens();
    user.get_presence().await.unwrap();
    bot.get_presence().await.unwrap();
    static_client.get_presence().await.unwrap_err();
    app.on_behalf_of(UserId(7))
        .get_presence()
        .await
        .unwrap_err();
    let wrong_key = AppClient::builder(
        pod.pod_url(),
        AppCredentials::from_pem_file(APP, fixture("keys/other-pkcs8.pem")).unwrap(),
    )
    .http(http)
    .build()
    .unwrap();
    wrong_key.authenticate().await.unwrap_err();

    let spans = traces.wait_for("authenticate_app", 3).await;
    for name in [
        "get_presence",
        "user_presence",
        "register_interest",
        "authenticate_bot",
        "authenticate_app",
        "authenticate_on_behalf_of",
    ] {
        assert!(!named(&spans, name).is_empty(), "no {name} span");
    }
    let shown = every_value(&spans);
    let mut secrets: Vec<String> = proxy
        .requests()
        .iter()
        .filter_map(|r| header_in(&r.head, "sessiontoken"))
        .map(|t| String::from_utf8(t).unwrap())
        .collect();
    secrets.sort();
    secrets.dedup();
    // Bot tokens before and after expiry, app tokens before and after, OBO tokens of user 1.
    assert!(
        secrets.len() >= 6,
        "tokens were collected: {}",
        secrets.len()
    );
    secrets.extend(
        ["keys/app-pkcs1.pem", "keys/other-pkcs8.pem"]
            .iter()
            .flat_map(|k| {
                fixture_text(k)
                    .lines()
                    .filter(|l| !l.starts_with("-----") && l.len() >= 16)
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            }),
    );
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    symphony_presence_tests::assert_none_shown("span attributes", &shown, &secrets);
    // Every JWT starts with the base64 of `{"`.
    assert!(shown.iter().all(|v| !v.contains("eyJ")), "a JWT in a span");
    pod.shutdown().await;
}
