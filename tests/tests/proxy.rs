//! `HttpSettings::proxy`: with a proxy set, every request (app, OBO and bot logins, and pod
//! calls) goes through it, and none does without one; proxy credentials are sent as
//! `Proxy-Authorization: Basic` and never shown, in settings or in errors.

use symphony_mock_pod::{MockPod, MockPodConfig, RunningMockPod};
use symphony_presence::{
    AppClient, AppCredentials, BotCredentials, Error, HttpSettings, PresenceClient, UserId,
};
use symphony_presence_tests::{TestProxy, alternate, fast_retry, fixture, fixture_text};

const USER: &str = "svc-presence";
const PASSWORD: &str = "s3cret-Pa55";
/// `Basic ` and the base64 of `svc-presence:s3cret-Pa55`.
const BASIC: &str = "Basic c3ZjLXByZXNlbmNlOnMzY3JldC1QYTU1";

async fn pod() -> RunningMockPod {
    let config = MockPodConfig::default()
        .users(5)
        .app("my-app", fixture_text("keys/app-public.pem"))
        .bot("my-bot", fixture_text("keys/other-public.pem"));
    MockPod::start(config).await.unwrap()
}

/// Runs an app login, an OBO login by id and by username, a bot login, and three pod calls,
/// all with `http`; returns the request lines they should produce, as a proxy sees them.
async fn run_every_kind_of_request(pod: &RunningMockPod, http: HttpSettings) -> Vec<String> {
    let credentials =
        AppCredentials::from_pem_file("my-app", fixture("keys/app-pkcs1.pem")).unwrap();
    let app = AppClient::builder(pod.pod_url(), credentials)
        .http(http.clone())
        .build()
        .unwrap();
    let (alice, theirs) = (pod.user_id(0), pod.user_id(2));
    app.on_behalf_of(UserId(alice))
        .get_presence()
        .await
        .unwrap();
    app.on_behalf_of_username("user1")
        .user_presence(UserId(theirs))
        .await
        .unwrap();
    let bot = PresenceClient::builder(pod.pod_url())
        .bot(BotCredentials::from_pem_file("my-bot", fixture("keys/other-pkcs8.pem")).unwrap())
        .http(http)
        .build()
        .unwrap();
    bot.get_presence().await.unwrap();
    let base = pod.base_url();
    vec![
        format!("POST {base}/login/pubkey/app/authenticate HTTP/1.1"),
        format!("POST {base}/login/pubkey/app/user/{alice}/authenticate HTTP/1.1"),
        format!("GET {base}/pod/v2/user/presence HTTP/1.1"),
        format!("POST {base}/login/pubkey/app/username/user1/authenticate HTTP/1.1"),
        format!("GET {base}/pod/v3/user/{theirs}/presence?local=false HTTP/1.1"),
        format!("POST {base}/login/pubkey/authenticate HTTP/1.1"),
        format!("GET {base}/pod/v2/user/presence HTTP/1.1"),
    ]
}

#[tokio::test]
async fn with_a_proxy_every_login_and_pod_request_goes_through_it() {
    let (pod, proxy) = (pod().await, TestProxy::start().await);
    let http = HttpSettings::default()
        .retry_policy(fast_retry(2))
        .proxy(&proxy.url())
        .unwrap();
    let expected = run_every_kind_of_request(&pod, http).await;
    assert_eq!(proxy.request_lines(), expected);
    assert_eq!(
        pod.counters().total_requests(),
        7,
        "each one reached the pod"
    );
    assert!(
        proxy
            .requests()
            .iter()
            .all(|r| r.proxy_authorization.is_none())
    );
}

#[tokio::test]
async fn without_a_proxy_no_request_goes_through_one() {
    let (pod, proxy) = (pod().await, TestProxy::start().await);
    let http = HttpSettings::default().retry_policy(fast_retry(2));
    run_every_kind_of_request(&pod, http).await;
    assert_eq!(pod.counters().total_requests(), 7);
    assert_eq!(proxy.request_lines(), Vec::<String>::new());
}

#[tokio::test]
async fn credentials_in_the_proxy_url_are_sent_as_proxy_authorization_basic() {
    let (pod, proxy) = (pod().await, TestProxy::start().await);
    let http = HttpSettings::default()
        .retry_policy(fast_retry(2))
        .proxy(&proxy.url_with_credentials(USER, PASSWORD))
        .unwrap();
    run_every_kind_of_request(&pod, http).await;
    let seen = proxy.requests();
    assert_eq!(seen.len(), 7);
    for request in &seen {
        assert_eq!(
            request.proxy_authorization.as_deref(),
            Some(BASIC),
            "{}",
            request.request_line
        );
    }
}

#[tokio::test]
async fn proxy_credentials_set_apart_are_sent_as_proxy_authorization_basic() {
    let (pod, proxy) = (pod().await, TestProxy::start().await);
    let http = HttpSettings::default()
        .retry_policy(fast_retry(2))
        .proxy(&proxy.url())
        .unwrap()
        .proxy_credentials(USER, PASSWORD);
    run_every_kind_of_request(&pod, http).await;
    let seen = proxy.requests();
    assert_eq!(seen.len(), 7);
    for request in &seen {
        assert_eq!(
            request.proxy_authorization.as_deref(),
            Some(BASIC),
            "{}",
            request.request_line
        );
    }
}

/// Every way an error can be shown.
fn shown(err: &Error) -> [String; 4] {
    [
        err.to_string(),
        alternate(err),
        format!("{err:?}"),
        format!("{err:#?}"),
    ]
}

fn assert_no_password(what: &str, texts: &[String]) {
    for text in texts {
        assert!(
            !text.contains(PASSWORD) && !text.contains(&BASIC["Basic ".len()..]),
            "{what}: {text}"
        );
    }
}

#[tokio::test]
async fn the_proxy_password_never_appears_in_settings_clients_or_errors() {
    let (pod, proxy) = (pod().await, TestProxy::start().await);
    let in_url = HttpSettings::default()
        .retry_policy(fast_retry(2))
        .proxy(&proxy.url_with_credentials(USER, PASSWORD))
        .unwrap();
    let set_apart = HttpSettings::default()
        .retry_policy(fast_retry(2))
        .proxy(&proxy.url())
        .unwrap()
        .proxy_credentials(USER, PASSWORD);
    for settings in [&in_url, &set_apart] {
        assert_no_password(
            "settings",
            &[format!("{settings:?}"), format!("{settings:#?}")],
        );
        let builder = PresenceClient::builder(pod.pod_url())
            .session_token("t")
            .http(settings.clone());
        assert_no_password("builder", &[format!("{builder:?}")]);
        let client = builder.build().unwrap();
        let credentials =
            AppCredentials::from_pem_file("my-app", fixture("keys/app-pkcs1.pem")).unwrap();
        let app_builder = AppClient::builder(pod.pod_url(), credentials).http(settings.clone());
        assert_no_password("app builder", &[format!("{app_builder:?}")]);
        let app = app_builder.build().unwrap();
        assert_no_password(
            "clients",
            &[
                format!("{client:?}"),
                format!("{app:#?}"),
                format!("{:#?}", app.on_behalf_of(UserId(pod.user_id(0)))),
            ],
        );

        // A 401 answered through the proxy.
        let err = client.get_presence().await.unwrap_err();
        assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
        assert_no_password("a pod error through the proxy", &shown(&err));
        // An OBO login refused through the proxy.
        let err = app
            .on_behalf_of(UserId(7))
            .get_presence()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::NotFound(_)), "{err:?}");
        assert_no_password("a login error through the proxy", &shown(&err));
    }
    assert!(!proxy.requests().is_empty());

    // A proxy that cannot be reached.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let unreachable = HttpSettings::default()
        .retry_policy(fast_retry(2))
        .proxy(&format!("http://{USER}:{PASSWORD}@127.0.0.1:{closed}"))
        .unwrap();
    let err = PresenceClient::builder(pod.pod_url())
        .session_token("t")
        .http(unreachable)
        .build()
        .unwrap()
        .get_presence()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_no_password("an unreachable proxy", &shown(&err));

    // Proxy URLs that are refused.
    for url in [
        format!("ftp://{USER}:{PASSWORD}@127.0.0.1:3128"),
        format!("http://{USER}:{PASSWORD}@"),
        format!("{USER}:{PASSWORD}@127.0.0.1:3128"),
    ] {
        let err = HttpSettings::default().proxy(&url).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{url}: {err:?}");
        assert_no_password(&url, &shown(&err));
    }
}
