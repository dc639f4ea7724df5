//! The mock pod over TLS: ALPN (HTTP/2 and HTTP/1.1), one HTTP/2 connection for many calls,
//! client certificates, and the certificates a client must refuse.

use std::time::Duration;

use reqwest::{Certificate, Client, ClientBuilder, Identity, StatusCode, Version};
use symphony_mock_pod::{
    ClientCertificate, ClientCertificates, Faults, Listener, MockPod, MockPodConfig,
    RunningMockPod, TlsConfig,
};

/// Every request gives up after this, so a test cannot hang.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

async fn pod(tls: TlsConfig) -> RunningMockPod {
    let config = MockPodConfig::default().users(3).tls(tls);
    MockPod::start(config).await.unwrap()
}

/// A client that trusts only the pod's CA.
fn builder(pod: &RunningMockPod) -> ClientBuilder {
    let ca = Certificate::from_pem(pod.ca_certificate_pem().unwrap().as_bytes()).unwrap();
    Client::builder()
        .tls_certs_only([ca])
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(REQUEST_TIMEOUT)
}

fn with_certificate(builder: ClientBuilder, certificate: &ClientCertificate) -> ClientBuilder {
    builder.identity(Identity::from_pem(certificate.identity_pem().as_bytes()).unwrap())
}

/// A client presenting a certificate issued by the pod for `common_name`.
fn certificate_client(pod: &RunningMockPod, common_name: &str) -> Client {
    let certificate = pod.issue_client_certificate(common_name).unwrap();
    with_certificate(builder(pod), &certificate)
        .build()
        .unwrap()
}

/// `GET /pod/v2/user/presence` without a session: a 401, over whichever HTTP version.
async fn get_presence(pod: &RunningMockPod, client: &Client) -> (Version, StatusCode) {
    let response = client
        .get(format!("{}/v2/user/presence", pod.pod_url()))
        .send()
        .await
        .unwrap();
    (response.version(), response.status())
}

/// The error and its sources, one line.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = format!("{error:?}");
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(&format!(" <- {e:?}"));
        source = e.source();
    }
    text
}

/// Waits (at most 10 s) until `done` holds for the pod's counters; server-side counting can
/// trail what the client already saw.
async fn eventually(pod: &RunningMockPod, done: impl Fn(&symphony_mock_pod::Counters) -> bool) {
    for _ in 0..1000 {
        if done(&pod.counters()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("counters never matched: {:?}", pod.counters());
}

#[tokio::test]
async fn plain_http_stays_the_default_without_a_ca() {
    let pod = MockPod::start(MockPodConfig::default()).await.unwrap();
    assert!(pod.base_url().starts_with("http://127.0.0.1:"));
    assert_eq!(pod.ca_certificate_pem(), None);
    assert!(pod.issue_client_certificate("cert-bot").is_err());
}

#[tokio::test]
async fn alpn_gives_http2_and_http1_to_a_client_that_offers_only_http1() {
    let pod = pod(TlsConfig::default()).await;
    assert!(pod.base_url().starts_with("https://127.0.0.1:"));
    let h2 = builder(&pod).build().unwrap();
    assert_eq!(
        get_presence(&pod, &h2).await,
        (Version::HTTP_2, StatusCode::UNAUTHORIZED)
    );
    let h1 = builder(&pod).http1_only().build().unwrap();
    assert_eq!(
        get_presence(&pod, &h1).await,
        (Version::HTTP_11, StatusCode::UNAUTHORIZED)
    );
}

#[tokio::test]
async fn sixty_four_concurrent_http2_calls_share_one_connection() {
    let pod = pod(TlsConfig::default()).await;
    let client = builder(&pod).build().unwrap();
    // The first call opens the connection.
    get_presence(&pod, &client).await;
    // Each answer waits, so that the calls are in flight together.
    pod.set_faults(Faults {
        latency_ms: 100,
        ..Faults::default()
    });

    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..64 {
        let client = client.clone();
        let url = format!("{}/v2/user/presence", pod.pod_url());
        calls.spawn(async move {
            let response = client.get(url).send().await.unwrap();
            (response.version(), response.status())
        });
    }
    let answers = calls.join_all().await;
    assert_eq!(answers.len(), 64);
    assert!(
        answers
            .iter()
            .all(|&answer| answer == (Version::HTTP_2, StatusCode::UNAUTHORIZED)),
        "{answers:?}"
    );
    let seen = pod.counters().listener(Listener::Pod);
    assert_eq!(seen.connections, 1, "{seen:?}");
    assert_eq!(seen.requests, 65);
}

#[tokio::test]
async fn the_common_name_of_a_client_certificate_is_counted() {
    let pod = pod(TlsConfig::default()).await;
    get_presence(&pod, &certificate_client(&pod, "cert-bot")).await;
    get_presence(&pod, &builder(&pod).build().unwrap()).await;
    let seen = pod.counters().listener(Listener::Pod);
    assert_eq!(seen.requests, 2);
    assert_eq!(seen.client_certificates.len(), 1, "{seen:?}");
    assert_eq!(seen.client_certificates.get("cert-bot"), Some(&1));
}

#[tokio::test]
async fn required_client_certificates_fail_the_handshake_without_one() {
    let pod = pod(TlsConfig::default().client_certificates(ClientCertificates::Required)).await;
    let anonymous = builder(&pod).build().unwrap();
    let error = anonymous
        .get(format!("{}/v2/user/presence", pod.pod_url()))
        .send()
        .await
        .unwrap_err();
    assert!(
        chain(&error).contains("CertificateRequired"),
        "{}",
        chain(&error)
    );
    eventually(&pod, |c| c.listener(Listener::Pod).failed_handshakes == 1).await;

    let client = certificate_client(&pod, "cert-bot");
    assert_eq!(
        get_presence(&pod, &client).await.1,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_server_certificate_that_is_unknown_expired_or_for_another_name_is_refused() {
    let trusted = pod(TlsConfig::default()).await;
    let other_ca = pod(TlsConfig::default()).await;
    let expired = pod(TlsConfig::default().expired_certificate()).await;
    let misnamed = pod(TlsConfig::default().server_name("other.example")).await;
    let cases = [
        (builder(&other_ca), &trusted, "UnknownIssuer"),
        (builder(&expired), &expired, "Expired"),
        (builder(&misnamed), &misnamed, "NotValidForName"),
    ];
    for (client, target, expected) in cases {
        let error = client
            .build()
            .unwrap()
            .get(format!("{}/v2/user/presence", target.pod_url()))
            .send()
            .await
            .unwrap_err();
        let chain = chain(&error);
        assert!(chain.contains(expected), "{expected}: {chain}");
    }
}
