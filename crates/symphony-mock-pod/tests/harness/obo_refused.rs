//! `obo_refused_user`: users who have not installed the app get a 401 with an `Error` body on
//! every on-behalf-of authentication, under `/login` and `/sessionauth`, and are counted.

use std::collections::BTreeSet;
use std::sync::Arc;

use reqwest::{Certificate, Client, Identity};
use serde_json::Value;
use symphony_mock_pod::{MockPod, MockPodConfig, RunningMockPod, TlsConfig};
use symphony_presence::{AppClient, UserId};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::support::{REQUEST_TIMEOUT, client};

/// The app's session token, by RSA login with the pod's own generated key.
async fn app_token(pod: &RunningMockPod, client: &Client) -> String {
    let pem = pod.app_private_key_pem("my-app").unwrap();
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
    let exp = pod
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 120;
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS512);
    let jwt = jsonwebtoken::encode(
        &header,
        &serde_json::json!({"sub": "my-app", "exp": exp}),
        &key,
    )
    .unwrap();
    let body: Value = client
        .post(format!("{}/pubkey/app/authenticate", pod.login_url()))
        .json(&serde_json::json!({ "token": jwt }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["token"].as_str().unwrap().to_owned()
}

async fn post(client: &Client, url: String, token: &str) -> (u16, Value) {
    let response = client
        .post(url)
        .header("sessionToken", token)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn login_refuses_a_user_who_has_not_installed_the_app_by_id_and_by_username() {
    let pod = MockPod::start(
        MockPodConfig::default()
            .users(3)
            .with_app("my-app")
            .obo_refused_user(symphony_mock_pod::FIRST_USER_ID + 1),
    )
    .await
    .unwrap();
    let client = client();
    let token = app_token(&pod, &client).await;
    let refused = pod.user_id(1);
    let login = pod.login_url();
    for url in [
        format!("{login}/pubkey/app/user/{refused}/authenticate"),
        format!("{login}/pubkey/app/username/user1/authenticate"),
    ] {
        let (status, body) = post(&client, url, &token).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["code"], 401);
        assert_eq!(
            body["message"],
            format!("User {refused} has not installed the app my-app")
        );
    }
    let other = pod.user_id(2);
    let (status, _) = post(
        &client,
        format!("{login}/pubkey/app/user/{other}/authenticate"),
        &token,
    )
    .await;
    assert_eq!(status, 200, "other users are served");
    // An unknown user is still a 404, and a bad app session still a 401 of its own.
    let (status, _) = post(
        &client,
        format!("{login}/pubkey/app/user/1/authenticate"),
        &token,
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) = post(
        &client,
        format!("{login}/pubkey/app/user/{refused}/authenticate"),
        "nope",
    )
    .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (401, Some("Invalid app session"))
    );

    let counters = pod.counters();
    assert_eq!(counters.obo_refusals, 2);
    assert_eq!(counters.obo_authentications, 1);
}

#[tokio::test]
async fn sessionauth_refuses_them_too() {
    let pod = MockPod::start(
        MockPodConfig::default()
            .users(3)
            .certificate_app("cert-app")
            .obo_refused_user(symphony_mock_pod::FIRST_USER_ID)
            .tls(TlsConfig::default()),
    )
    .await
    .unwrap();
    let ca = Certificate::from_pem(pod.ca_certificate_pem().unwrap().as_bytes()).unwrap();
    let identity = pod.issue_client_certificate("cert-app").unwrap();
    let client = Client::builder()
        .tls_certs_only([ca])
        .identity(Identity::from_pem(identity.identity_pem().as_bytes()).unwrap())
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(REQUEST_TIMEOUT)
        .build()
        .unwrap();
    let base = pod.session_auth_url();
    let body: Value = client
        .post(format!("{base}/v1/app/authenticate"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = body["token"].as_str().unwrap();
    let refused = pod.user_id(0);
    for url in [
        format!("{base}/v1/app/user/{refused}/authenticate"),
        format!("{base}/v1/app/username/user0/authenticate"),
    ] {
        let (status, body) = post(&client, url, token).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(
            body["message"],
            format!("User {refused} has not installed the app cert-app")
        );
    }
    let (status, body) = post(
        &client,
        format!("{base}/v1/app/username/user2/authenticate"),
        token,
    )
    .await;
    assert_eq!(status, 200);
    assert!(body["sessionToken"].is_string(), "{body}");
    assert_eq!(pod.counters().obo_refusals, 2);
}

/// The SDK's fan-out case: one app acting for 1,000 users, every tenth of whom has not
/// installed it. Exactly those fail, with an authentication error carrying the pod's message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fan_out_over_a_thousand_users_fails_for_exactly_the_refused_tenth() {
    const USERS: usize = 1000;
    let mut config = MockPodConfig::default().users(USERS).with_app("my-app");
    let refused: BTreeSet<i64> = (0..USERS)
        .filter(|i| i % 10 == 0)
        .map(|i| symphony_mock_pod::FIRST_USER_ID + i64::try_from(i).unwrap())
        .collect();
    for uid in &refused {
        config = config.obo_refused_user(*uid);
    }
    let pod = MockPod::start(config).await.unwrap();
    let app = AppClient::builder(pod.pod_url(), pod.app_credentials("my-app").unwrap())
        .build()
        .unwrap();
    let limit = Arc::new(Semaphore::new(32));
    let mut calls = JoinSet::new();
    for i in 0..USERS {
        let user = app.on_behalf_of(UserId(pod.user_id(i)));
        let limit = limit.clone();
        calls.spawn(async move {
            let _permit = limit.acquire_owned().await.unwrap();
            (i, user.get_presence().await)
        });
    }
    let mut failed = BTreeSet::new();
    while let Some(joined) = calls.join_next().await {
        let (i, result) = joined.unwrap();
        let uid = pod.user_id(i);
        match result {
            Ok(presence) => assert_eq!(presence.user_id, Some(UserId(uid))),
            Err(e) => {
                assert!(e.is_auth(), "{e:#}");
                assert_eq!(e.status().map(|s| s.as_u16()), Some(401), "{e:#}");
                let message = e.service_error().and_then(|s| s.message.clone());
                assert_eq!(
                    message.as_deref(),
                    Some(format!("User {uid} has not installed the app my-app").as_str())
                );
                failed.insert(uid);
            }
        }
    }
    assert_eq!(failed, refused);
    let counters = pod.counters();
    assert_eq!(counters.obo_authentications, 900);
    // Each refused user was refused at least once (more if the SDK tried again).
    assert!(counters.obo_refusals >= 100, "{}", counters.obo_refusals);
    eprintln!(
        "fan-out: {} OBO refusals, {} app authentications, {} requests",
        counters.obo_refusals,
        counters.app_authentications,
        counters.total_requests()
    );
}
