//! No session token, JWT, key material or proxy password in the logs at TRACE (the SDK's own
//! `tracing` output and the `log` records of reqwest and the HTTP stack, bridged in), in errors,
//! or in Debug/Display output, across every operation and authentication flow, failures
//! included. Alone in its test binary, because it installs a global tracing subscriber and a
//! global `log` logger; its tests take turns, so that each can tell its own records.

use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use serde_json::json;
use symphony_mock_pod::{MockPod, MockPodConfig, RunningMockPod, TlsConfig};
use symphony_presence::{
    AppClient, AppCredentials, BotCredentials, Error, FeedId, HttpSettings, PresenceCategory,
    PresenceClient, UserId,
};
use symphony_presence_tests::{
    RawReply, RawServer, TestProxy, assert_none_shown, fast_retry, fixture, fixture_text,
    header_in, http_response, renderings,
};

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

    fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    /// What was written from byte `start` on.
    fn text_since(&self, start: usize) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()[start..]).into_owned()
    }
}

/// The capture of every `tracing` event and span at TRACE, and of every `log` record (reqwest
/// logs through `log`), installed once for the whole binary.
fn capture() -> &'static Captured {
    static CAPTURE: OnceLock<Captured> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        tracing_log::LogTracer::init().expect("no other logger is installed");
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        captured
    })
}

/// A test's turn: while it is held, the capture grows only with this test's records. Holds
/// where this test's records start.
struct Turn {
    _guard: MutexGuard<'static, ()>,
    start: usize,
}

impl Turn {
    fn take() -> Self {
        static TURNS: Mutex<()> = Mutex::new(());
        let guard = TURNS.lock().unwrap_or_else(PoisonError::into_inner);
        Turn {
            _guard: guard,
            start: capture().len(),
        }
    }

    /// This test's records.
    fn records(&self) -> String {
        capture().text_since(self.start)
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

const PROXY_USER: &str = "proxy-user";
const PROXY_PASSWORD: &str = "proxy-password-0123456789";

/// The proxy password, and the `Proxy-Authorization` value each request to `proxy` carried
/// (which must be there: the password was used).
fn proxy_secrets(proxy: &TestProxy) -> Vec<String> {
    let sent: Vec<String> = proxy
        .requests()
        .into_iter()
        .map(|r| r.proxy_authorization.expect("the proxy password was sent"))
        .collect();
    assert!(!sent.is_empty());
    let mut secrets = vec![PROXY_PASSWORD.to_owned()];
    secrets.extend(
        sent.iter()
            .map(|v| v.trim_start_matches("Basic ").to_owned()),
    );
    secrets.sort();
    secrets.dedup();
    secrets
}

async fn pod() -> RunningMockPod {
    let config = MockPodConfig::default()
        .users(10)
        .app("my-app", fixture_text("keys/app-public.pem"))
        .bot("presence-bot", fixture_text("keys/other-public.pem"));
    MockPod::start(config).await.unwrap()
}

/// Every request goes through `proxy`, with a password, and the proxy sees each session token
/// sent: the SDK gives access only to the tokens of its `PresenceClient`s.
fn http(proxy: &TestProxy) -> HttpSettings {
    HttpSettings::default()
        .retry_policy(fast_retry(2))
        .proxy(&proxy.url_with_credentials(PROXY_USER, PROXY_PASSWORD))
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
/// they printed in errors and Debug output, the tokens they sent and the proxy's password and
/// `Proxy-Authorization` values.
async fn exercise(pod: &RunningMockPod) -> (Vec<String>, Vec<String>, Vec<String>) {
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
    (shown, secrets, proxy_secrets(&proxy))
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
    let turn = Turn::take();
    let (shown, secrets, proxy_secrets) = runtime().block_on(async {
        let pod = pod().await;
        exercise(&pod).await
    });
    let logs = turn.records();
    assert!(
        logs.contains("get_presence{") && logs.contains("authenticate_app{"),
        "spans were logged:\n{logs}"
    );
    assert!(logs.contains("trace_id"), "{logs}");
    // reqwest's own records, through `log`: the bridge is in place.
    assert!(logs.contains("log.target=\"reqwest::connect\""), "{logs}");

    let everything = format!("{}\n{}", capture().text(), shown.join("\n"));
    // Two app tokens, the OBO tokens of user 1 (before and after expiry), a bot token and the
    // static one.
    assert!(
        secrets.len() >= 6 && secrets.iter().all(|s| s.len() >= 16),
        "real tokens were collected: {}",
        secrets.len()
    );
    assert!(secrets.iter().any(|s| s == "static-secret-token"));
    for secret in secrets
        .iter()
        .chain(key_lines().iter())
        .chain(proxy_secrets.iter())
    {
        assert!(
            !everything.contains(secret.as_str()),
            "a credential leaked: {secret}"
        );
    }
    // Every JWT starts with the base64 of `{"`.
    assert!(!everything.contains("eyJ"), "a JWT leaked");
}

#[test]
fn log_records_of_the_http_stack_are_captured_at_trace_and_show_no_credential() {
    let turn = Turn::take();
    let (tokens, proxy_secrets) = runtime().block_on(async {
        // TLS with HTTP/2 through a CONNECT tunnel, so that rustls, h2 and the tunnel all run.
        let config = MockPodConfig::default()
            .users(5)
            .app("my-app", fixture_text("keys/app-public.pem"))
            .bot("tls-bot", fixture_text("keys/other-public.pem"))
            .tls(TlsConfig::default());
        let pod = MockPod::start(config).await.unwrap();
        let proxy = TestProxy::start().await;
        let http = http(&proxy)
            .add_root_certificate_pem(pod.ca_certificate_pem().unwrap().as_bytes())
            .unwrap();
        let bot = PresenceClient::builder(pod.pod_url())
            .bot(BotCredentials::from_pem_file("tls-bot", fixture("keys/other-pkcs8.pem")).unwrap())
            .http(http.clone())
            .build()
            .unwrap();
        bot.get_presence().await.unwrap();
        bot.set_presence(PresenceCategory::Busy).await.unwrap();
        let app = AppClient::builder(
            pod.pod_url(),
            AppCredentials::from_pem_file("my-app", fixture("keys/app-pkcs1.pem")).unwrap(),
        )
        .http(http)
        .build()
        .unwrap();
        let user = app.on_behalf_of(UserId(pod.user_id(1)));
        user.get_presence().await.unwrap();
        assert!(matches!(
            user.user_presence(UserId(1)).await,
            Err(Error::NotFound(_))
        ));
        let tokens = [
            bot.session_token().await.unwrap(),
            user.session_token().await.unwrap(),
        ]
        .map(|t| t.expose().to_owned());
        assert!(
            proxy
                .request_lines()
                .iter()
                .all(|line| line.starts_with("CONNECT 127.0.0.1:")),
            "every request went through the tunnel: {:?}",
            proxy.request_lines()
        );
        pod.shutdown().await;
        (tokens, proxy_secrets(&proxy))
    });
    let logs = turn.records();
    // Records of every layer were captured: reqwest's through `log`, h2's and hyper-util's
    // through `tracing`, and the SDK's.
    let layers = [
        // `log` records, bridged: reqwest's, at DEBUG and TRACE, and the TLS verifier's.
        "log: starting new connection",
        "log: tunneling HTTPS over proxy",
        "log.target=\"reqwest::connect\"",
        "log.target=\"rustls_platform_verifier",
        // `tracing` records of the HTTP stack: the h2 client's and hyper-util's pool.
        "Connection{peer=Client}",
        "hyper_util::client::legacy::pool",
        // The SDK's spans.
        "authenticate_bot{",
        "authenticate_on_behalf_of{",
    ];
    for layer in layers {
        assert!(logs.contains(layer), "no {layer} record in:\n{logs}");
    }
    let everything = capture().text();
    let mut secrets: Vec<&str> = tokens.iter().map(String::as_str).collect();
    secrets.extend(proxy_secrets.iter().map(String::as_str));
    let keys = key_lines();
    secrets.extend(keys.iter().map(String::as_str).filter(|l| l.len() >= 16));
    assert_none_shown("the logs", std::slice::from_ref(&everything), &secrets);
    assert!(!everything.contains("eyJ"), "a JWT leaked");
}

#[test]
fn a_jwt_echoed_by_a_failing_login_is_in_no_retry_log_or_error() {
    let turn = Turn::take();
    let (jwts, shown) = runtime().block_on(async {
        // Each JWT is answered 503 the first time and 401 the second, quoted in both messages.
        let received = Arc::new(Mutex::new(Vec::<String>::new()));
        let seen = received.clone();
        let login = RawServer::start_reading(move |_, request| {
            let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
            let jwt = body["token"].as_str().unwrap().to_owned();
            let mut seen = seen.lock().unwrap();
            let (status, message) = if seen.contains(&jwt) {
                (401, format!("invalid JWT token={jwt}."))
            } else {
                (503, format!("overloaded, try again with {jwt}"))
            };
            seen.push(jwt);
            let body = json!({"code": status, "message": message}).to_string();
            RawReply::Bytes(http_response(status, "application/json", body.as_bytes()))
        })
        .await;
        let login_url = login.pod_url.replace("/pod", "/login");
        let bot = PresenceClient::builder("http://127.0.0.1:9/pod")
            .bot(BotCredentials::from_pem_file("echo-bot", fixture("keys/app-pkcs1.pem")).unwrap())
            .login_url(&login_url)
            .http(HttpSettings::default().retry_policy(fast_retry(3)))
            .build()
            .unwrap();
        let app = AppClient::builder(
            "http://127.0.0.1:9/pod",
            AppCredentials::from_pem_file("echo-app", fixture("keys/app-pkcs8.pem")).unwrap(),
        )
        .login_url(&login_url)
        .http(HttpSettings::default().retry_policy(fast_retry(3)))
        .build()
        .unwrap();
        let errors = [
            bot.get_presence().await.unwrap_err(),
            app.authenticate().await.unwrap_err(),
        ];
        let mut shown = Vec::new();
        for error in &errors {
            assert!(matches!(error, Error::Unauthorized(_)), "{error:?}");
            shown.extend(renderings(error));
        }
        let mut jwts = received.lock().unwrap().clone();
        jwts.dedup();
        (jwts, shown)
    });
    assert_eq!(jwts.len(), 2, "one JWT per login, sent twice: {jwts:?}");
    let logs = turn.records();
    // The 503 was retried, and the retry logged at INFO with the error's message, redacted.
    let retries: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains(" INFO ") && l.contains("retrying"))
        .collect();
    assert_eq!(retries.len(), 2, "{logs}");
    for line in &retries {
        assert!(
            line.contains("HTTP 503: overloaded, try again with [REDACTED]"),
            "{line}"
        );
    }
    let everything = format!("{}\n{}", capture().text(), shown.join("\n"));
    for jwt in &jwts {
        let signature = jwt.rsplit('.').next().unwrap();
        assert_none_shown(
            "the logs and errors",
            std::slice::from_ref(&everything),
            &[jwt, signature],
        );
    }
    assert!(!everything.contains("eyJ"), "a JWT leaked");
}
