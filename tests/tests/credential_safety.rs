//! Credentials are sent only to the configured pod and login URLs, whatever the HTTP stack is
//! asked to do (redirects, a pod and a login endpoint on different hosts).

use symphony_mock_pod::{MockPod, MockPodConfig, RunningMockPod};
use symphony_presence::{
    AppCredentials, AppSession, Error, PresenceClient, SessionProvider, StaticSession, UserId,
};
use symphony_presence_tests::{
    RawReply, RawServer, fast_retry, fixture, fixture_text, header_in, http_response,
};

async fn pod() -> RunningMockPod {
    let config = MockPodConfig::default()
        .users(10)
        .app("my-app", fixture_text("keys/app-public.pem"))
        .bot("presence-bot", fixture_text("keys/other-public.pem"));
    MockPod::start(config).await.unwrap()
}

fn client(pod_url: &str, session: impl SessionProvider + 'static) -> PresenceClient {
    PresenceClient::builder(pod_url)
        .session(session)
        .retry_policy(fast_retry(2))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_redirect_never_carries_the_token_to_another_host() {
    let elsewhere = RawServer::start(|_| {
        RawReply::Bytes(http_response(
            200,
            "application/json",
            br#"{"category":"AWAY"}"#,
        ))
    })
    .await;
    let location = format!("{}/v2/user/presence", elsewhere.pod_url);
    let redirect = RawServer::start(move |_| {
        RawReply::Bytes(format!("HTTP/1.1 307 Temporary Redirect\r\nlocation: {location}\r\ncontent-length: 0\r\n\r\n").into_bytes())
    })
    .await;
    let result = client(
        &redirect.pod_url,
        StaticSession::new("secret-token-1234").unwrap(),
    )
    .get_presence()
    .await;
    assert!(
        matches!(&result, Err(Error::Decode(e)) if e.status.map(|s| s.as_u16()) == Some(307)),
        "{result:?}"
    );
    assert_eq!(redirect.requests(), 1);
    assert_eq!(elsewhere.requests(), 0, "the redirect was not followed");
}

#[tokio::test]
async fn a_redirect_from_the_login_endpoint_never_carries_the_jwt_or_app_token_away() {
    let elsewhere = RawServer::start(|_| {
        RawReply::Bytes(http_response(200, "application/json", br#"{"token":"x"}"#))
    })
    .await;
    let location = elsewhere
        .pod_url
        .replace("/pod", "/login/pubkey/app/authenticate");
    let login = RawServer::start(move |_| {
        RawReply::Bytes(format!("HTTP/1.1 308 Permanent Redirect\r\nlocation: {location}\r\ncontent-length: 0\r\n\r\n").into_bytes())
    })
    .await;
    let credentials =
        AppCredentials::from_pem_file("my-app", fixture("keys/app-pkcs1.pem")).unwrap();
    let session = AppSession::builder("http://127.0.0.1:9/pod", credentials)
        .login_url(login.pod_url.replace("/pod", "/login"))
        .build()
        .unwrap();
    assert!(session.session_token().await.is_err());
    assert_eq!(elsewhere.requests(), 0);
}

#[tokio::test]
async fn tokens_go_only_to_their_own_endpoint_when_pod_and_login_are_different_hosts() {
    let login = pod().await;
    let pod_server = RawServer::start(|_| {
        RawReply::Bytes(http_response(
            200,
            "application/json",
            br#"{"category":"AWAY"}"#,
        ))
    })
    .await;
    let credentials =
        AppCredentials::from_pem_file("my-app", fixture("keys/app-pkcs1.pem")).unwrap();
    let session = AppSession::builder(&pod_server.pod_url, credentials)
        .login_url(login.login_url())
        .build()
        .unwrap();
    let obo = session.obo_user(UserId(login.user_id(2)));
    let c = client(&pod_server.pod_url, obo.clone());
    for _ in 0..3 {
        c.get_presence().await.unwrap();
    }
    let app_token = session.session_token().await.unwrap().expose().to_owned();
    let obo_token = obo.session_token().await.unwrap().expose().to_owned();
    let heads = pod_server.request_heads();
    assert_eq!(heads.len(), 3);
    for head in &heads {
        assert_eq!(
            header_in(head, "sessiontoken"),
            Some(obo_token.clone().into_bytes()),
            "only the OBO token reaches the pod"
        );
        let text = String::from_utf8_lossy(head);
        assert!(
            !text.contains(&app_token) && !text.contains("eyJ"),
            "{text}"
        );
    }
    let counters = login.counters();
    assert_eq!(
        (
            counters.app_authentications,
            counters.obo_authentications,
            counters.requests_to("get_v2_user_presence")
        ),
        (1, 1, 0)
    );
}
