//! Credentials are sent only to the configured pod and login URLs, whatever the HTTP stack is
//! asked to do (redirects, a pod and a login endpoint on different hosts).

use httpmock::MockServer;
use serde_json::json;
use symphony_presence::{AppClient, AppCredentials, Error, HttpSettings, PresenceClient, UserId};
use symphony_presence_tests::{RawReply, RawServer, fast_retry, fixture, header_in, http_response};

fn client(pod_url: &str, token: &str) -> PresenceClient {
    PresenceClient::builder(pod_url)
        .session_token(token)
        .http(HttpSettings::default().retry_policy(fast_retry(2)))
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
    let result = client(&redirect.pod_url, "secret-token-1234")
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
    let app = AppClient::builder("http://127.0.0.1:9/pod", credentials)
        .login_url(login.pod_url.replace("/pod", "/login"))
        .build()
        .unwrap();
    assert!(app.authenticate().await.is_err());
    assert_eq!(login.requests(), 1);
    assert_eq!(elsewhere.requests(), 0);
}

#[tokio::test]
async fn tokens_go_only_to_their_own_endpoint_when_pod_and_login_are_different_hosts() {
    // The login endpoint issues known tokens, so that the test can look for them.
    let login = MockServer::start_async().await;
    let app_login = login
        .mock_async(|when, then| {
            when.method("POST").path("/login/pubkey/app/authenticate");
            then.status(200)
                .json_body(json!({"token": "app-token-0123456789"}));
        })
        .await;
    let obo_login = login
        .mock_async(|when, then| {
            when.method("POST")
                .path("/login/pubkey/app/user/12345/authenticate")
                .header("sessionToken", "app-token-0123456789");
            then.status(200)
                .json_body(json!({"token": "obo-token-0123456789"}));
        })
        .await;
    let pod_at_login = login
        .mock_async(|when, then| {
            when.path_prefix("/pod");
            then.status(500);
        })
        .await;
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
    let app = AppClient::builder(&pod_server.pod_url, credentials)
        .login_url(login.url("/login"))
        .http(HttpSettings::default().retry_policy(fast_retry(2)))
        .build()
        .unwrap();
    let c = app.on_behalf_of(UserId(12345));
    for _ in 0..3 {
        c.get_presence().await.unwrap();
    }
    let heads = pod_server.request_heads();
    assert_eq!(heads.len(), 3);
    for head in &heads {
        assert_eq!(
            header_in(head, "sessiontoken"),
            Some(b"obo-token-0123456789".to_vec()),
            "only the OBO token reaches the pod"
        );
        let text = String::from_utf8_lossy(head);
        assert!(
            !text.contains("app-token-0123456789") && !text.contains("eyJ"),
            "{text}"
        );
    }
    assert_eq!(
        (
            app_login.calls_async().await,
            obo_login.calls_async().await,
            pod_at_login.calls_async().await
        ),
        (1, 1, 0)
    );
}
