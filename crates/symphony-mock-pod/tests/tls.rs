//! The mock pod over TLS: ALPN (HTTP/2 and HTTP/1.1), one HTTP/2 connection for many calls,
//! certificate authentication under `/sessionauth`, split hosts, and the certificates a client
//! must refuse.

use std::time::Duration;

use reqwest::{Certificate, Client, ClientBuilder, Identity, StatusCode, Version};
use serde_json::Value;
use symphony_mock_pod::{
    ClientCertificate, ClientCertificates, Faults, Listener, MockPod, MockPodConfig,
    RunningMockPod, TlsConfig,
};

/// Every request gives up after this, so a test cannot hang.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

async fn pod(tls: TlsConfig) -> RunningMockPod {
    let config = MockPodConfig::default()
        .users(3)
        .certificate_bot("cert-bot")
        .certificate_app("cert-app")
        .tls(tls);
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

async fn post(client: &Client, url: String, session_token: Option<&str>) -> (StatusCode, Value) {
    let mut request = client.post(url);
    if let Some(token) = session_token {
        request = request.header("sessionToken", token);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.json().await.unwrap())
}

/// The bot's session token, from certificate authentication.
async fn bot_token(pod: &RunningMockPod, client: &Client) -> String {
    let url = format!("{}/v1/authenticate", pod.session_auth_url());
    let (status, body) = post(client, url, None).await;
    assert_eq!(status, 200, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

async fn get_presence(pod: &RunningMockPod, client: &Client, token: &str) -> reqwest::Response {
    client
        .get(format!("{}/v2/user/presence", pod.pod_url()))
        .header("sessionToken", token)
        .send()
        .await
        .unwrap()
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
    assert!(pod.session_auth_url().starts_with("http://127.0.0.1:"));
    assert_eq!(pod.ca_certificate_pem(), None);
    assert!(pod.issue_client_certificate("cert-bot").is_err());
}

#[tokio::test]
async fn a_certificate_bot_logs_in_and_calls_the_pod_over_http2() {
    let pod = pod(TlsConfig::default()).await;
    assert!(pod.base_url().starts_with("https://127.0.0.1:"));
    let client = certificate_client(&pod, "cert-bot");

    let response = client
        .post(format!("{}/v1/authenticate", pod.session_auth_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.version(), Version::HTTP_2);
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["name"], "sessionToken");
    let token = body["token"].as_str().unwrap();

    let response = get_presence(&pod, &client, token).await;
    assert_eq!(response.version(), Version::HTTP_2);
    assert_eq!(response.status(), 200);
    let presence: Value = response.json().await.unwrap();
    // The bot is the user after the three seeded ones.
    assert_eq!(presence["userId"], pod.user_id(3));

    let counters = pod.counters();
    assert_eq!(counters.bot_authentications, 1);
    assert_eq!(counters.requests_to("post_v1_authenticate"), 1);
    let seen = counters.listener(Listener::Pod);
    assert_eq!(seen.client_certificates.get("cert-bot"), Some(&2));
}

#[tokio::test]
async fn http1_is_served_to_a_client_that_offers_only_http1() {
    let pod = pod(TlsConfig::default()).await;
    let certificate = pod.issue_client_certificate("cert-bot").unwrap();
    let client = with_certificate(builder(&pod), &certificate)
        .http1_only()
        .build()
        .unwrap();
    let token = bot_token(&pod, &client).await;
    let response = get_presence(&pod, &client, &token).await;
    assert_eq!(response.version(), Version::HTTP_11);
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn sixty_four_concurrent_http2_calls_share_one_connection() {
    let pod = pod(TlsConfig::default()).await;
    let client = certificate_client(&pod, "cert-bot");
    let token = bot_token(&pod, &client).await;
    // Each answer waits, so that the calls are in flight together.
    pod.set_faults(Faults {
        latency_ms: 100,
        ..Faults::default()
    });

    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..64 {
        let client = client.clone();
        let url = format!("{}/v2/user/presence", pod.pod_url());
        let token = token.clone();
        calls.spawn(async move {
            let response = client
                .get(url)
                .header("sessionToken", token)
                .send()
                .await
                .unwrap();
            (response.version(), response.status())
        });
    }
    let answers = calls.join_all().await;
    assert_eq!(answers.len(), 64);
    assert!(
        answers
            .iter()
            .all(|&(version, status)| version == Version::HTTP_2 && status == 200),
        "{answers:?}"
    );
    let seen = pod.counters().listener(Listener::Pod);
    assert_eq!(seen.connections, 1, "{seen:?}");
    assert_eq!(seen.requests, 65);
}

#[tokio::test]
async fn over_http2_a_dropped_connection_fault_resets_only_that_stream() {
    let pod = pod(TlsConfig::default()).await;
    let client = certificate_client(&pod, "cert-bot");
    let token = bot_token(&pod, &client).await;
    pod.set_faults(Faults {
        drop_connection: 1,
        ..Faults::default()
    });
    let url = format!("{}/v2/user/presence", pod.pod_url());
    let error = client
        .get(&url)
        .header("sessionToken", &token)
        .send()
        .await
        .unwrap_err();
    assert!(
        chain(&error).contains("INTERNAL_ERROR"),
        "{}",
        chain(&error)
    );
    assert_eq!(get_presence(&pod, &client, &token).await.status(), 200);
    assert_eq!(pod.counters().listener(Listener::Pod).connections, 1);
}

#[tokio::test]
async fn sessionauth_without_a_client_certificate_answers_401() {
    let pod = pod(TlsConfig::default()).await;
    let client = builder(&pod).build().unwrap();
    for path in ["/v1/authenticate", "/v1/app/authenticate"] {
        let (status, body) = post(&client, format!("{}{path}", pod.session_auth_url()), None).await;
        assert_eq!(status, 401, "{path}: {body}");
        assert_eq!(body["code"], 401);
        assert!(body["message"].is_string());
    }
    assert_eq!(pod.counters().bot_authentications, 0);
}

#[tokio::test]
async fn an_unknown_common_name_gets_401_and_a_user_who_is_not_a_bot_403() {
    let pod = pod(TlsConfig::default()).await;
    let url = format!("{}/v1/authenticate", pod.session_auth_url());
    let (status, body) = post(&certificate_client(&pod, "nobody"), url.clone(), None).await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = post(&certificate_client(&pod, "user0"), url, None).await;
    assert_eq!(status, 403, "{body}");
    // A bot's name is not an app id.
    let url = format!("{}/v1/app/authenticate", pod.session_auth_url());
    let (status, body) = post(&certificate_client(&pod, "cert-bot"), url, None).await;
    assert_eq!(status, 401, "{body}");
}

#[tokio::test]
async fn a_certificate_app_gets_obo_sessions_by_user_id_and_username() {
    let pod = pod(TlsConfig::default()).await;
    let client = certificate_client(&pod, "cert-app");
    let (status, body) = post(
        &client,
        format!("{}/v1/app/authenticate", pod.session_auth_url()),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "sessionToken");
    let app_token = body["token"].as_str().unwrap().to_owned();

    let by_id = format!(
        "{}/v1/app/user/{}/authenticate",
        pod.session_auth_url(),
        pod.user_id(1)
    );
    let by_name = format!(
        "{}/v1/app/username/user2/authenticate",
        pod.session_auth_url()
    );
    for (url, user) in [(by_id, 1), (by_name, 2)] {
        let (status, body) = post(&client, url.clone(), Some(&app_token)).await;
        assert_eq!(status, 200, "{url}: {body}");
        // The Authenticator API answers OBO with OboAuthResponse, not Token.
        let token = body["sessionToken"].as_str().unwrap();
        let presence: Value = get_presence(&pod, &client, token)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(presence["userId"], pod.user_id(user));
    }
    // OBO needs the app's session, not a user's.
    let url = format!(
        "{}/v1/app/username/user2/authenticate",
        pod.session_auth_url()
    );
    let (status, _) = post(&client, url.clone(), None).await;
    assert_eq!(status, 401);
    let missing = format!(
        "{}/v1/app/username/nobody/authenticate",
        pod.session_auth_url()
    );
    let (status, _) = post(&client, missing, Some(&app_token)).await;
    assert_eq!(status, 404);

    let counters = pod.counters();
    assert_eq!(counters.app_authentications, 1);
    assert_eq!(counters.obo_authentications, 2);
}

#[tokio::test]
async fn with_split_hosts_the_client_certificate_never_reaches_the_pod_port() {
    let pod = pod(TlsConfig::default().session_auth_port(0)).await;
    assert_ne!(pod.session_auth_port(), Some(pod.port()));
    assert!(pod.session_auth_url().starts_with(&format!(
        "https://127.0.0.1:{}/",
        pod.session_auth_port().unwrap()
    )));
    // As an SDK should do it: the certificate only on the session-auth host's client.
    let auth = certificate_client(&pod, "cert-bot");
    let plain = builder(&pod).build().unwrap();

    let token = bot_token(&pod, &auth).await;
    assert_eq!(get_presence(&pod, &plain, &token).await.status(), 200);
    let counters = pod.counters();
    let session_auth = counters.listener(Listener::SessionAuth);
    assert_eq!(session_auth.client_certificates.get("cert-bot"), Some(&1));
    let pod_port = counters.listener(Listener::Pod);
    assert_eq!(pod_port.requests, 1);
    assert!(pod_port.client_certificates.is_empty(), "{pod_port:?}");

    // The pod's port asks for certificates by default, so a client that sends one there is
    // seen: the assertion above would catch a client that leaked it. Each listener serves only
    // its own paths.
    let on_pod_port = format!("{}/sessionauth/v1/authenticate", pod.base_url());
    assert_eq!(post(&auth, on_pod_port, None).await.0, 404);
    let pod_port = pod.counters().listener(Listener::Pod);
    assert_eq!(pod_port.client_certificates.get("cert-bot"), Some(&1));
    let session_auth_base = pod.session_auth_url().replace("/sessionauth", "");
    let on_auth_port = format!("{session_auth_base}/pod/v2/user/presence");
    let response = auth
        .get(on_auth_port)
        .header("sessionToken", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);

    let counters: Value = plain
        .get(format!("{}/_mock/counters", pod.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counters["listeners"]["pod"]["requests"], 3, "{counters}");
    assert_eq!(
        counters["listeners"]["session_auth"]["client_certificates"]["cert-bot"], 2,
        "{counters}"
    );
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
    let token = bot_token(&pod, &client).await;
    assert_eq!(get_presence(&pod, &client, &token).await.status(), 200);
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

/// `symphony-mock-pod --tls --ca-cert-out`: the CA file and a client certificate file are
/// enough for a client to authenticate.
#[test]
fn the_binary_writes_the_ca_and_client_certificates() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};

    struct Killed(std::process::Child);
    impl Drop for Killed {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    let dir = std::env::temp_dir().join(format!("symphony-mock-pod-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_path = dir.join("ca.pem");
    let identity_path = dir.join("cert-bot.pem");
    let mut child = Killed(
        Command::new(env!("CARGO_BIN_EXE_symphony-mock-pod"))
            .args([
                "--tls",
                "--session-auth-port",
                "0",
                "--certificate-bot",
                "cert-bot",
            ])
            .arg("--ca-cert-out")
            .arg(&ca_path)
            .arg("--client-cert-out")
            .arg("cert-bot")
            .arg(&identity_path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let (lines, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            if lines.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let base_url = received.recv_timeout(REQUEST_TIMEOUT).unwrap();
    let session_auth_url = received.recv_timeout(REQUEST_TIMEOUT).unwrap();
    assert!(base_url.starts_with("https://127.0.0.1:"), "{base_url}");
    assert!(
        session_auth_url.ends_with("/sessionauth"),
        "{session_auth_url}"
    );

    let ca = Certificate::from_pem(&std::fs::read(&ca_path).unwrap()).unwrap();
    let identity = Identity::from_pem(&std::fs::read(&identity_path).unwrap()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        Client::builder()
            .tls_certs_only([ca])
            .identity(identity)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .unwrap()
            .post(format!("{session_auth_url}/v1/authenticate"))
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);
    drop(child);
    let _ = std::fs::remove_dir_all(&dir);
}
