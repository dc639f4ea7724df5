//! No session token, JWT or key material in the logs at TRACE, in errors, or in Debug/Display
//! output, across every operation and authentication flow, failures included. Alone in its test
//! binary, because it installs a global tracing subscriber.

use std::io::Write;
use std::sync::{Arc, Mutex};

use symphony_mock_pod::{MockPod, MockPodConfig, RunningMockPod};
use symphony_presence::{
    AppClient, AppCredentials, BotCredentials, Error, FeedId, HttpSettings, PresenceCategory,
    PresenceClient, UserId,
};
use symphony_presence_tests::{TestProxy, fast_retry, fixture, fixture_text, header_in};

/// Everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

async fn pod() -> RunningMockPod {
    let config = MockPodConfig::default()
        .users(10)
        .app("my-app", fixture_text("keys/app-public.pem"))
        .bot("presence-bot", fixture_text("keys/other-public.pem"));
    MockPod::start(config).await.unwrap()
}

/// Every request goes through `proxy`, which sees each session token sent: the SDK gives no
/// access to the tokens it obtains.
fn http(proxy: &TestProxy) -> HttpSettings {
    HttpSettings::default()
        .retry_policy(fast_retry(2))
        .proxy(&proxy.url())
        .unwrap()
}

fn app(pod: &RunningMockPod, proxy: &TestProxy, key: &str) -> AppClient {
    let credentials = AppCredentials::from_pem_file("my-app", fixture(key)).unwrap();
    AppClient::builder(pod.pod_url(), credentials)
        .http(http(proxy))
        .build()
        .unwrap()
}

/// Runs every operation and every authentication flow, failures included, and returns what
/// they printed in errors and Debug output plus the tokens they sent.
async fn exercise(pod: &RunningMockPod) -> (Vec<String>, Vec<String>) {
    let proxy = TestProxy::start().await;
    let mut shown = Vec::new();
    let mut show = |result: Result<String, Error>| match result {
        Ok(debug) => shown.push(debug),
        Err(e) => shown.extend([
            e.to_string(),
            format!("{e:?}"),
            format!("{e:#?}"),
            symphony_presence_tests::alternate(&e),
        ]),
    };

    let session = app(pod, &proxy, "keys/app-pkcs1.pem");
    let c = session.on_behalf_of(UserId(pod.user_id(1)));
    show(c.get_presence().await.map(|p| format!("{p:?}")));
    show(
        c.set_presence(PresenceCategory::Busy)
            .soft(true)
            .await
            .map(|p| format!("{p:?}")),
    );
    show(
        c.user_presence(UserId(pod.user_id(2)))
            .await
            .map(|p| format!("{p:?}")),
    );
    show(c.user_presence(UserId(1)).await.map(|p| format!("{p:?}")));
    show(
        c.register_interest([UserId(pod.user_id(3))])
            .await
            .map(|()| String::new()),
    );
    show(
        c.set_user_presence(UserId(pod.user_id(3)), PresenceCategory::Away)
            .await
            .map(|p| format!("{p:?}")),
    );
    show(
        c.list_presence_page()
            .limit(5)
            .await
            .map(|p| format!("{p:?}")),
    );
    let feed = c.create_feed().await.unwrap();
    show(c.read_feed(&feed).await.map(|p| format!("{p:?}")));
    show(c.delete_feed(&feed).await.map(|()| String::new()));
    show(
        c.read_feed(&FeedId::new("gone"))
            .await
            .map(|p| format!("{p:?}")),
    );

    // Expiry: a 401 at the pod, then at OBO authentication, then a new app session.
    pod.expire_tokens();
    show(c.get_presence().await.map(|p| format!("{p:?}")));

    // Failures: a wrong app key, an unknown OBO user, a bad static token.
    let wrong = app(pod, &proxy, "keys/other-pkcs8.pem");
    show(
        wrong
            .on_behalf_of(UserId(pod.user_id(1)))
            .get_presence()
            .await
            .map(|p| format!("{p:?}")),
    );
    show(
        session
            .on_behalf_of(UserId(7))
            .get_presence()
            .await
            .map(|p| format!("{p:?}")),
    );
    let static_client = PresenceClient::builder(pod.pod_url())
        .session_token("static-secret-token")
        .http(http(&proxy))
        .build()
        .unwrap();
    show(static_client.get_presence().await.map(|p| format!("{p:?}")));

    // A bot session.
    let bot_credentials =
        BotCredentials::from_pem_file("presence-bot", fixture("keys/other-pkcs8.pem")).unwrap();
    let bot = PresenceClient::builder(pod.pod_url())
        .bot(bot_credentials.clone())
        .http(http(&proxy))
        .build()
        .unwrap();
    show(bot.get_presence().await.map(|p| format!("{p:?}")));

    shown.extend([
        format!("{session:?}"),
        format!("{session:#?}"),
        format!("{c:?}"),
        format!("{c:#?}"),
        format!("{static_client:?}"),
        format!("{bot:?}"),
        format!("{bot_credentials:?}"),
        format!(
            "{:?}",
            AppCredentials::from_pem_file("my-app", fixture("keys/app-pkcs8.pem")).unwrap()
        ),
    ]);

    // Every token sent: app tokens (to OBO authentication), OBO, bot and static tokens (to the pod).
    let mut secrets: Vec<String> = proxy
        .requests()
        .iter()
        .filter_map(|r| header_in(&r.head, "sessiontoken"))
        .map(|t| String::from_utf8(t).unwrap())
        .collect();
    secrets.sort();
    secrets.dedup();
    (shown, secrets)
}

/// Key material: every base64 line of the PEM files used.
fn key_lines() -> Vec<String> {
    [
        "keys/app-pkcs1.pem",
        "keys/app-pkcs8.pem",
        "keys/other-pkcs8.pem",
    ]
    .iter()
    .flat_map(|k| {
        fixture_text(k)
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    })
    .collect()
}

#[test]
fn no_credential_appears_in_trace_logs_errors_or_debug_output() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (shown, secrets) = runtime.block_on(async {
        let pod = pod().await;
        exercise(&pod).await
    });
    let logs = captured.text();
    assert!(
        logs.contains("get_presence{") && logs.contains("authenticate_app{"),
        "spans were logged:\n{logs}"
    );
    assert!(logs.contains("trace_id"), "{logs}");

    let everything = format!("{logs}\n{}", shown.join("\n"));
    // Two app tokens, the OBO tokens of user 1 (before and after expiry), a bot token and the
    // static one.
    assert!(
        secrets.len() >= 6 && secrets.iter().all(|s| s.len() >= 16),
        "real tokens were collected: {}",
        secrets.len()
    );
    assert!(secrets.iter().any(|s| s == "static-secret-token"));
    for secret in secrets.iter().chain(key_lines().iter()) {
        assert!(
            !everything.contains(secret.as_str()),
            "a credential leaked: {secret}"
        );
    }
    // Every JWT starts with the base64 of `{"`.
    assert!(!everything.contains("eyJ"), "a JWT leaked");
}
