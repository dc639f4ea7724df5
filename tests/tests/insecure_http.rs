//! Credentials cross the network only over TLS: a client that would send a session token, a
//! JWT or a key-backed login over plain `http://` to another machine is refused when it is
//! built, before any request, unless `HttpSettings::allow_insecure_http(true)` says otherwise.
//! Loopback addresses need no permission. Nothing here leaves this machine: the requests that
//! are allowed go to a local proxy, which answers 502 for any host but this one.

use std::time::Instant;

use symphony_presence::{
    AppClient, AppCredentials, BotCredentials, Error, HttpSettings, PresenceClient, RetryPolicy,
    UserId,
};
use symphony_presence_tests::{APP_ID, BOT, CountingSession, TestProxy, fixture};

/// A host that is not this machine; `.invalid` never resolves, and nothing resolves it here.
const ELSEWHERE: &str = "http://pod.example.invalid/pod";

fn app_credentials() -> AppCredentials {
    AppCredentials::from_pem_file(APP_ID, fixture("keys/app-pkcs1.pem")).unwrap()
}

fn bot_credentials() -> BotCredentials {
    BotCredentials::from_pem_file(BOT, fixture("keys/other-pkcs8.pem")).unwrap()
}

/// A client of each kind for `pod_url` (and `login_url` if given), built with `http`.
fn build_each(
    pod_url: &str,
    login_url: Option<&str>,
    http: &HttpSettings,
) -> Vec<(&'static str, Result<(), Error>)> {
    let with_login = |builder: symphony_presence::PresenceClientBuilder| match login_url {
        Some(url) => builder.login_url(url),
        None => builder,
    };
    let mut app = AppClient::builder(pod_url, app_credentials()).http(http.clone());
    if let Some(url) = login_url {
        app = app.login_url(url);
    }
    vec![
        (
            "session token",
            PresenceClient::builder(pod_url)
                .session_token("t")
                .http(http.clone())
                .build()
                .map(drop),
        ),
        (
            "custom session",
            PresenceClient::builder(pod_url)
                .session(CountingSession::new(&["t"]))
                .http(http.clone())
                .build()
                .map(drop),
        ),
        (
            "bot key",
            with_login(PresenceClient::builder(pod_url).bot(bot_credentials()))
                .http(http.clone())
                .build()
                .map(drop),
        ),
        ("app key", app.build().map(drop)),
    ]
}

fn refused_as_insecure(result: &Result<(), Error>, url: &str) -> bool {
    matches!(result, Err(Error::InvalidInput(e))
        if e.operation.name() == "setup"
            && e.message.contains(&format!("{url} URL uses plain http:// to another machine"))
            && e.message.contains("HttpSettings::allow_insecure_http(true)"))
}

#[tokio::test]
async fn credentials_over_plain_http_to_another_machine_are_refused_before_any_request() {
    let proxy = TestProxy::start().await;
    let http = HttpSettings::default().proxy(&proxy.url()).unwrap();
    let started = Instant::now();
    for (kind, result) in build_each(ELSEWHERE, None, &http) {
        // A key-backed client's login URL is derived from the pod's, and checked first.
        let refused = match kind {
            "bot key" | "app key" => refused_as_insecure(&result, "login"),
            _ => refused_as_insecure(&result, "pod"),
        };
        assert!(refused, "{kind}: {result:?}");
    }
    // The login endpoint over TLS, the pod not: the pod URL is refused, whatever the client.
    let tls_login = "https://login.example.invalid/login";
    for (kind, result) in build_each(ELSEWHERE, Some(tls_login), &http) {
        assert!(refused_as_insecure(&result, "pod"), "{kind}: {result:?}");
    }
    // The pod over TLS, the login endpoint not: the login URL is refused.
    let login = "http://login.example.invalid/login";
    for (kind, result) in build_each("https://pod.example.invalid/pod", Some(login), &http) {
        match kind {
            "bot key" | "app key" => {
                assert!(refused_as_insecure(&result, "login"), "{kind}: {result:?}")
            }
            _ => assert!(result.is_ok(), "{kind} sends nothing to the login URL"),
        }
    }
    assert!(started.elapsed().as_secs() < 5, "refused at once");
    assert!(proxy.requests().is_empty(), "{:?}", proxy.request_lines());
}

#[tokio::test]
async fn allow_insecure_http_lets_credentials_go_to_another_machine_over_http() {
    let proxy = TestProxy::start().await;
    let http = HttpSettings::default()
        .proxy(&proxy.url())
        .unwrap()
        .retry_policy(RetryPolicy::none())
        .allow_insecure_http(true);
    for (kind, result) in build_each(ELSEWHERE, None, &http) {
        assert!(result.is_ok(), "{kind}: {result:?}");
    }
    // Sent, to the proxy, which answers 502 for any host but this one.
    let client = PresenceClient::builder(ELSEWHERE)
        .session_token("t")
        .http(http.clone())
        .build()
        .unwrap();
    let result = client.get_presence().await;
    assert!(
        matches!(&result, Err(Error::Server(e)) if e.status.as_u16() == 502),
        "{result:?}"
    );
    let app = AppClient::builder(ELSEWHERE, app_credentials())
        .http(http)
        .build()
        .unwrap();
    let result = app.on_behalf_of(UserId(1)).get_presence().await;
    assert!(
        matches!(&result, Err(Error::Server(e)) if e.request.name() == "authenticate_app"),
        "{result:?}"
    );
    assert_eq!(
        proxy.request_lines(),
        [
            "GET http://pod.example.invalid/pod/v2/user/presence HTTP/1.1",
            "POST http://pod.example.invalid/login/pubkey/app/authenticate HTTP/1.1",
        ]
    );
}

#[test]
fn loopback_and_tls_urls_need_no_permission() {
    let http = HttpSettings::default();
    for url in [
        "http://127.0.0.1:8080/pod",
        "http://127.0.0.2:8080/pod",
        "http://[::1]:8080/pod",
        "http://[::ffff:127.0.0.1]:8080/pod",
        "http://localhost:8080/pod",
        "http://LOCALHOST:8080/pod",
        "https://pod.example.invalid/pod",
    ] {
        for (kind, result) in build_each(url, None, &http) {
            assert!(result.is_ok(), "{url}, {kind}: {result:?}");
        }
    }
}
