//! Every kind of session over TLS against the mock pod with its own CA, HTTP/2, the typed TLS
//! failures, and where the client certificate goes.

use std::time::Duration;

use symphony_mock_pod::{
    ClientCertificates, Listener, MockPod, MockPodConfig, RunningMockPod, TlsConfig,
};
use symphony_presence::{
    AppClient, AppCredentials, BotCredentials, Error, HttpSettings, PresenceClient, RetryPolicy,
    TlsFailure, TransportErrorKind, UserId,
};
use symphony_presence_tests::fixture_text;

const APP: &str = "my-app";
const CERT_APP: &str = "cert-app";
const BOT: &str = "my-bot";
const CERT_BOT: &str = "cert-bot";

async fn tls_pod(tls: TlsConfig) -> RunningMockPod {
    let config = MockPodConfig::default()
        .users(5)
        .app(APP, fixture_text("keys/app-public.pem"))
        .bot(BOT, fixture_text("keys/app-public.pem"))
        .certificate_app(CERT_APP)
        .certificate_bot(CERT_BOT)
        .tls(tls);
    MockPod::start(config).await.unwrap()
}

/// Settings that trust the pod's CA, with short timeouts and no retries.
fn trusting(pod: &RunningMockPod) -> HttpSettings {
    HttpSettings::default()
        .add_root_certificate_pem(pod.ca_certificate_pem().unwrap().as_bytes())
        .unwrap()
        .timeout(Duration::from_secs(10))
        .retry_policy(RetryPolicy::none())
}

fn certificate_of(pod: &RunningMockPod, name: &str) -> (String, String) {
    let certificate = pod.issue_client_certificate(name).unwrap();
    (
        certificate.certificate_pem().to_owned(),
        certificate.private_key_pem().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_session_works_over_tls_with_the_pods_ca() {
    let pod = tls_pod(TlsConfig::default()).await;
    assert!(pod.pod_url().starts_with("https://"));
    let http = trusting(&pod);
    let user = UserId(pod.user_id(0));

    // A bot with an RSA key, and one with a certificate.
    let bot = PresenceClient::builder(pod.pod_url())
        .bot(BotCredentials::from_pem(BOT, &fixture_text("keys/app-pkcs8.pem")).unwrap())
        .http(http.clone())
        .build()
        .unwrap();
    bot.get_presence().await.unwrap();
    let (cert, key) = certificate_of(&pod, CERT_BOT);
    let cert_bot = PresenceClient::builder(pod.pod_url())
        .bot(BotCredentials::from_certificate_pem(&cert, &key).unwrap())
        .http(http.clone())
        .build()
        .unwrap();
    cert_bot.get_presence().await.unwrap();

    // An app with an RSA key and one with a certificate, each acting for a user.
    let app = AppClient::builder(
        pod.pod_url(),
        AppCredentials::from_pem(APP, &fixture_text("keys/app-pkcs1.pem")).unwrap(),
    )
    .http(http.clone())
    .build()
    .unwrap();
    assert_eq!(
        app.on_behalf_of(user).get_presence().await.unwrap().user_id,
        Some(user)
    );
    let (cert, key) = certificate_of(&pod, CERT_APP);
    let cert_app = AppClient::builder(
        pod.pod_url(),
        AppCredentials::from_certificate_pem(CERT_APP, &cert, &key).unwrap(),
    )
    .http(http.clone())
    .build()
    .unwrap();
    let alice = cert_app.on_behalf_of(user);
    assert_eq!(alice.get_presence().await.unwrap().user_id, Some(user));
    let by_name = cert_app.on_behalf_of_username("user1");
    assert_eq!(
        by_name.get_presence().await.unwrap().user_id,
        Some(UserId(pod.user_id(1)))
    );

    // A session token obtained elsewhere.
    let token = alice.session_token().await.unwrap();
    let static_client = PresenceClient::builder(pod.pod_url())
        .session_token(token.expose())
        .http(http)
        .build()
        .unwrap();
    static_client.get_presence().await.unwrap();

    let counters = pod.counters();
    assert_eq!(counters.bot_authentications, 2);
    assert_eq!(counters.app_authentications, 2);
    assert_eq!(counters.obo_authentications, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_concurrent_calls_over_http2_share_one_connection() {
    let pod = tls_pod(TlsConfig::default()).await;
    let client = PresenceClient::builder(pod.pod_url())
        .bot(BotCredentials::from_pem(BOT, &fixture_text("keys/app-pkcs8.pem")).unwrap())
        .http(trusting(&pod))
        .build()
        .unwrap();
    // The login opens the connection; then 64 calls at once.
    client.get_presence().await.unwrap();
    let calls: Vec<_> = (0..64)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_presence().await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    let pod_listener = pod.counters().listener(Listener::Pod);
    assert_eq!(pod_listener.connections, 1, "{pod_listener:?}");
    assert_eq!(pod_listener.requests, 66);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_certificate_goes_only_to_the_session_auth_host() {
    // Both listeners would record a certificate if one were sent: the pod's asks for one.
    let pod = tls_pod(
        TlsConfig::default()
            .client_certificates(ClientCertificates::Requested)
            .session_auth_port(0),
    )
    .await;
    assert_ne!(pod.session_auth_port(), Some(pod.port()));
    let (cert, key) = certificate_of(&pod, CERT_APP);
    let app = AppClient::builder(
        pod.pod_url(),
        AppCredentials::from_certificate_pem(CERT_APP, &cert, &key).unwrap(),
    )
    .session_auth_url(pod.session_auth_url())
    .http(trusting(&pod))
    .build()
    .unwrap();
    app.on_behalf_of(UserId(pod.user_id(0)))
        .get_presence()
        .await
        .unwrap();
    let counters = pod.counters();
    let session_auth = counters.listener(Listener::SessionAuth);
    assert_eq!(session_auth.client_certificates.get(CERT_APP), Some(&2));
    let pod_listener = counters.listener(Listener::Pod);
    assert!(pod_listener.requests > 0);
    assert!(
        pod_listener.client_certificates.is_empty(),
        "{pod_listener:?}"
    );
}

/// The error of a bot call to `pod` with `http`, its certificate `bot`, if any.
async fn failure(pod: &RunningMockPod, http: HttpSettings, bot: Option<BotCredentials>) -> Error {
    let bot = bot.unwrap_or_else(|| {
        BotCredentials::from_pem(BOT, &fixture_text("keys/app-pkcs8.pem")).unwrap()
    });
    let client = PresenceClient::builder(pod.pod_url())
        .bot(bot)
        .http(http)
        .build()
        .unwrap();
    client.get_presence().await.unwrap_err()
}

fn tls_failure_of(error: &Error) -> Option<TlsFailure> {
    match error {
        Error::Transport(e) => match e.kind {
            TransportErrorKind::Tls(failure) => Some(failure),
            _ => None,
        },
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_tls_failure_gets_its_typed_error_and_advice() {
    let plain = HttpSettings::default().retry_policy(RetryPolicy::none());

    let pod = tls_pod(TlsConfig::default()).await;
    let err = failure(&pod, plain.clone(), None).await;
    assert_eq!(
        tls_failure_of(&err),
        Some(TlsFailure::UnknownAuthority),
        "{err:?}"
    );
    assert!(err.to_string().contains("--ca-cert"), "{err}");
    assert!(!err.is_retryable() && !err.is_auth());

    let pod = tls_pod(TlsConfig::default().server_name("other.example")).await;
    let err = failure(&pod, trusting(&pod), None).await;
    assert_eq!(
        tls_failure_of(&err),
        Some(TlsFailure::NameMismatch),
        "{err:?}"
    );

    let pod = tls_pod(TlsConfig::default().expired_certificate()).await;
    let err = failure(&pod, trusting(&pod), None).await;
    assert_eq!(tls_failure_of(&err), Some(TlsFailure::Expired), "{err:?}");

    // Over HTTP/1.1 the server's alert reaches the client as such (over HTTP/2, h2 may report
    // only a closed connection: see TlsFailure's docs).
    let pod = tls_pod(
        TlsConfig::default()
            .client_certificates(ClientCertificates::Required)
            .http1_only(),
    )
    .await;
    let err = failure(&pod, trusting(&pod), None).await;
    assert_eq!(
        tls_failure_of(&err),
        Some(TlsFailure::ClientCertificateRequired),
        "{err:?}"
    );

    // A certificate from another CA: the pod refuses it.
    let pod = tls_pod(TlsConfig::default().client_certificates(ClientCertificates::Required)).await;
    let other = tls_pod(TlsConfig::default()).await;
    let (cert, key) = certificate_of(&other, CERT_BOT);
    let foreign = BotCredentials::from_certificate_pem(&cert, &key).unwrap();
    let err = failure(&pod, trusting(&pod), Some(foreign)).await;
    assert_eq!(
        tls_failure_of(&err),
        Some(TlsFailure::ClientCertificateRejected),
        "{err:?}"
    );
    assert!(
        err.is_auth(),
        "a refused certificate is a failed authentication"
    );
}
