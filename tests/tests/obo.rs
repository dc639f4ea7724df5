//! App, OBO and bot sessions against httpmock: the JWT sent, the paths and headers, single-flight
//! authentication counted at the server, refresh after 401, and redaction.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use httpmock::{HttpMockRequest, HttpMockResponse, Mock, MockServer};
use serde_json::json;
use symphony_presence::{
    AppClient, AppCredentials, BotCredentials, Error, HttpSettings, PresenceClient, UserId,
};
use symphony_presence_tests::{fast_retry, fixture, fixture_text};

fn json_response(status: u16, body: serde_json::Value) -> HttpMockResponse {
    HttpMockResponse::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.to_string())
        .build()
}

fn header(req: &HttpMockRequest, name: &str) -> String {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Issues `app-1`, `app-2`, ... from the app endpoint.
async fn app_auth(server: &MockServer) -> Mock<'_> {
    let n = Arc::new(AtomicUsize::new(0));
    server
        .mock_async(|when, then| {
            when.method("POST").path("/login/pubkey/app/authenticate");
            then.respond_with(move |_| {
                let n = n.fetch_add(1, Ordering::SeqCst) + 1;
                json_response(
                    200,
                    json!({"name": "sessionToken", "token": format!("app-{n}")}),
                )
            });
        })
        .await
}

/// OBO by id: accepts the app tokens in `valid`, issuing `obo-<uid>-<n>`; 401 otherwise.
async fn obo_auth<'a>(server: &'a MockServer, valid: &'static [&'static str]) -> Mock<'a> {
    let n = Arc::new(AtomicUsize::new(0));
    server
        .mock_async(|when, then| {
            when.method("POST")
                .path_matches(r"^/login/pubkey/app/user/\d+/authenticate$");
            then.respond_with(move |req| {
                if !valid.contains(&header(req, "sessiontoken").as_str()) {
                    return json_response(
                        401,
                        json!({"code": 401, "message": "Invalid app session"}),
                    );
                }
                let uid = req.uri().path().split('/').nth(5).unwrap().to_owned();
                let n = n.fetch_add(1, Ordering::SeqCst) + 1;
                json_response(200, json!({"token": format!("obo-{uid}-{n}")}))
            });
        })
        .await
}

/// The pod: answers as the user named in any `obo-<uid>-<n>` token; 401 for other tokens.
async fn pod(server: &MockServer) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method("GET").path("/pod/v2/user/presence");
            then.respond_with(|req| {
                let token = header(req, "sessiontoken");
                match token
                    .strip_prefix("obo-")
                    .and_then(|rest| rest.split('-').next())
                {
                    Some(uid) => json_response(
                        200,
                        json!({"category": "AVAILABLE", "userId": uid.parse::<i64>().unwrap()}),
                    ),
                    None => json_response(401, json!({"code": 401, "message": "Invalid session"})),
                }
            });
        })
        .await
}

fn app(server: &MockServer) -> AppClient {
    app_trusting_its_token_for(server, symphony_presence::DEFAULT_APP_TOKEN_TRUSTED_FOR)
}

fn app_trusting_its_token_for(server: &MockServer, trusted_for: Duration) -> AppClient {
    let credentials =
        AppCredentials::from_pem_file("my-app", fixture("keys/app-pkcs1.pem")).unwrap();
    AppClient::builder(server.url("/pod"), credentials)
        .app_token_trusted_for(trusted_for)
        .http(HttpSettings::default().retry_policy(fast_retry(3)))
        .build()
        .unwrap()
}

#[derive(serde::Deserialize)]
struct Claims {
    sub: String,
    exp: u64,
}

#[tokio::test]
async fn the_jwt_sent_is_rs512_with_sub_and_a_bounded_exp() {
    let server = MockServer::start_async().await;
    let captured = Arc::new(std::sync::Mutex::new(None::<String>));
    let sink = captured.clone();
    server
        .mock_async(move |when, then| {
            when.method("POST")
                .path("/login/pubkey/app/authenticate")
                .header("content-type", "application/json");
            then.respond_with(move |req| {
                let body: serde_json::Value = serde_json::from_slice(req.body().as_ref()).unwrap();
                *sink.lock().unwrap() = body["token"].as_str().map(str::to_owned);
                json_response(200, json!({"token": "app-1"}))
            });
        })
        .await;
    app(&server).authenticate().await.unwrap();

    let jwt = captured.lock().unwrap().clone().expect("a JWT was sent");
    let header = jsonwebtoken::decode_header(&jwt).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS512);
    let key =
        jsonwebtoken::DecodingKey::from_rsa_pem(fixture_text("keys/app-public.pem").as_bytes())
            .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS512);
    validation.set_required_spec_claims(&["exp", "sub"]);
    let claims = jsonwebtoken::decode::<Claims>(&jwt, &key, &validation)
        .unwrap()
        .claims;
    assert_eq!(claims.sub, "my-app");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        claims.exp > now + 200 && claims.exp <= now + 300,
        "exp {} is {} s ahead",
        claims.exp,
        claims.exp - now
    );

    let wrong =
        jsonwebtoken::DecodingKey::from_rsa_pem(fixture_text("keys/other-public.pem").as_bytes())
            .unwrap();
    assert!(jsonwebtoken::decode::<Claims>(&jwt, &wrong, &validation).is_err());
}

#[test]
fn jwt_lifetime_is_configurable_up_to_300_seconds() {
    let credentials =
        AppCredentials::from_pem_file("my-app", fixture("keys/app-pkcs8.pem")).unwrap();
    let builder = || AppClient::builder("http://127.0.0.1:9/pod", credentials.clone());
    builder()
        .jwt_lifetime(Duration::from_secs(300))
        .build()
        .unwrap();
    for bad in [Duration::ZERO, Duration::from_secs(301)] {
        assert!(
            matches!(
                builder().jwt_lifetime(bad).build(),
                Err(Error::InvalidInput(_))
            ),
            "{bad:?}"
        );
    }
}

#[tokio::test]
async fn obo_by_id_and_by_username_send_the_app_token_and_no_body() {
    let server = MockServer::start_async().await;
    let app_mock = app_auth(&server).await;
    let by_id = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/login/pubkey/app/user/12345/authenticate")
                .header("sessionToken", "app-1")
                .body("");
            then.status(200).json_body(json!({"token": "obo-12345-1"}));
        })
        .await;
    let by_name = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/login/pubkey/app/username/jane.doe/authenticate")
                .header("sessionToken", "app-1")
                .body("");
            then.status(200).json_body(json!({"token": "obo-777-1"}));
        })
        .await;
    let pod_mock = pod(&server).await;
    let app = app(&server);
    let alice = app
        .on_behalf_of(UserId(12345))
        .get_presence()
        .await
        .unwrap();
    assert_eq!(alice.user_id, Some(UserId(12345)));
    let jane = app
        .on_behalf_of_username("jane.doe")
        .get_presence()
        .await
        .unwrap();
    assert_eq!(jane.user_id, Some(UserId(777)));
    assert_eq!(
        (
            app_mock.calls_async().await,
            by_id.calls_async().await,
            by_name.calls_async().await
        ),
        (1, 1, 1)
    );
    assert_eq!(pod_mock.calls_async().await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_first_calls_for_one_user_authenticate_once_each() {
    let server = MockServer::start_async().await;
    let (app_mock, obo_mock, pod_mock) = (
        app_auth(&server).await,
        obo_auth(&server, &["app-1"]).await,
        pod(&server).await,
    );
    let client = app(&server).on_behalf_of(UserId(42));
    let calls: Vec<_> = (0..1000)
        .map(|_| {
            tokio::spawn({
                let c = client.clone();
                async move { c.get_presence().await }
            })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap().user_id, Some(UserId(42)));
    }
    assert_eq!(app_mock.calls_async().await, 1);
    assert_eq!(obo_mock.calls_async().await, 1);
    assert_eq!(pod_mock.calls_async().await, 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_over_a_hundred_users_authenticate_each_user_once() {
    let server = MockServer::start_async().await;
    let (app_mock, obo_mock, _pod) = (
        app_auth(&server).await,
        obo_auth(&server, &["app-1"]).await,
        pod(&server).await,
    );
    let app = app(&server);
    let calls: Vec<_> = (0..1000)
        .map(|i| {
            let c = app.on_behalf_of(UserId(1000 + i % 100));
            tokio::spawn(async move { (i, c.get_presence().await) })
        })
        .collect();
    for call in calls {
        let (i, result) = call.await.unwrap();
        assert_eq!(result.unwrap().user_id, Some(UserId(1000 + i % 100)));
    }
    assert_eq!(app_mock.calls_async().await, 1);
    assert_eq!(obo_mock.calls_async().await, 100);
}

#[tokio::test]
async fn a_pod_401_on_an_obo_token_reauthenticates_the_user_once_and_repeats_once() {
    let server = MockServer::start_async().await;
    let (app_mock, obo_mock) = (app_auth(&server).await, obo_auth(&server, &["app-1"]).await);
    // The first OBO token has expired at the pod; the second is accepted.
    let expired = server
        .mock_async(|when, then| {
            when.path("/pod/v2/user/presence")
                .header("sessionToken", "obo-42-1");
            then.status(401)
                .json_body(json!({"code": 401, "message": "Invalid session"}));
        })
        .await;
    let pod_mock = pod(&server).await;
    let client = app(&server).on_behalf_of(UserId(42));
    assert_eq!(
        client.get_presence().await.unwrap().user_id,
        Some(UserId(42))
    );
    assert_eq!(
        (expired.calls_async().await, pod_mock.calls_async().await),
        (1, 1)
    );
    assert_eq!(
        (app_mock.calls_async().await, obo_mock.calls_async().await),
        (1, 2)
    );
}

#[tokio::test]
async fn an_obo_401_with_an_app_token_past_its_trust_reauthenticates_the_app_once() {
    let server = MockServer::start_async().await;
    // app-1 has expired at the login endpoint; app-2 is accepted.
    let (app_mock, obo_mock, _pod) = (
        app_auth(&server).await,
        obo_auth(&server, &["app-2"]).await,
        pod(&server).await,
    );
    // The app token is never trusted for a new user's 401, as if it were hours old.
    let app = app_trusting_its_token_for(&server, Duration::ZERO);
    // The app's session is app-1, which the OBO endpoint no longer accepts.
    app.authenticate().await.unwrap();
    assert_eq!(app_mock.calls_async().await, 1);
    let client = app.on_behalf_of(UserId(7));
    assert_eq!(
        client.get_presence().await.unwrap().user_id,
        Some(UserId(7))
    );
    assert_eq!(
        (app_mock.calls_async().await, obo_mock.calls_async().await),
        (2, 2)
    );
    // Later users reuse app-2 without authenticating the app again.
    app.on_behalf_of(UserId(8)).get_presence().await.unwrap();
    assert_eq!(
        (app_mock.calls_async().await, obo_mock.calls_async().await),
        (2, 3)
    );
}

#[tokio::test]
async fn a_new_users_obo_401_with_a_fresh_app_token_is_that_users_and_renews_nothing() {
    let server = MockServer::start_async().await;
    let (app_mock, obo_mock, pod_mock) = (
        app_auth(&server).await,
        obo_auth(&server, &[]).await,
        pod(&server).await,
    );
    let client = app(&server).on_behalf_of(UserId(7));
    let err = client.get_presence().await.unwrap_err();
    assert!(err.is_auth(), "{err:?}");
    assert_eq!(
        err.service_error().unwrap().request.name(),
        "authenticate_on_behalf_of"
    );
    assert_eq!(
        (
            app_mock.calls_async().await,
            obo_mock.calls_async().await,
            pod_mock.calls_async().await
        ),
        (1, 1, 0)
    );
}

#[tokio::test]
async fn a_persistent_obo_401_gives_unauthorized_with_the_hint_after_bounded_requests() {
    let server = MockServer::start_async().await;
    let (app_mock, obo_mock, pod_mock) = (
        app_auth(&server).await,
        obo_auth(&server, &[]).await,
        pod(&server).await,
    );
    let client = app_trusting_its_token_for(&server, Duration::ZERO).on_behalf_of(UserId(7));
    let err = client.get_presence().await.unwrap_err();
    let Error::Unauthorized(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.operation.name(), "get_presence");
    assert_eq!(e.request.name(), "authenticate_on_behalf_of");
    assert!(
        e.hint
            .as_deref()
            .unwrap()
            .contains("may not have installed the app")
    );
    assert!(
        err.to_string().contains("may not have installed the app"),
        "{err}"
    );
    assert_eq!(
        (
            app_mock.calls_async().await,
            obo_mock.calls_async().await,
            pod_mock.calls_async().await
        ),
        (2, 2, 0)
    );
}

#[tokio::test]
async fn a_persistent_pod_401_gives_unauthorized_after_one_reauthentication() {
    let server = MockServer::start_async().await;
    let (app_mock, obo_mock) = (app_auth(&server).await, obo_auth(&server, &["app-1"]).await);
    let pod_mock = server
        .mock_async(|when, then| {
            when.path("/pod/v2/user/presence");
            then.status(401)
                .json_body(json!({"code": 401, "message": "Invalid session"}));
        })
        .await;
    let client = app(&server).on_behalf_of(UserId(7));
    let err = client.get_presence().await.unwrap_err();
    assert!(
        matches!(&err, Error::Unauthorized(e) if e.request.name() == "get_presence"),
        "{err:?}"
    );
    assert!(err.is_auth());
    assert_eq!(
        (
            app_mock.calls_async().await,
            obo_mock.calls_async().await,
            pod_mock.calls_async().await
        ),
        (1, 2, 2)
    );
}

#[tokio::test]
async fn an_app_401_says_the_app_may_be_missing_or_its_key_wrong() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/login/pubkey/app/authenticate");
            then.status(401)
                .json_body(json!({"code": 401, "message": "Invalid token"}));
        })
        .await;
    let err = app(&server).authenticate().await.unwrap_err();
    let Error::Unauthorized(e) = &err else {
        panic!("{err:?}")
    };
    assert!(
        e.hint.as_deref().unwrap().contains("key may not match"),
        "{err}"
    );
    assert_eq!(mock.calls_async().await, 1);
}

#[tokio::test]
async fn auth_5xx_follows_the_retry_policy() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.path("/login/pubkey/app/authenticate");
            then.status(503).up_to_n_times(2);
        })
        .await;
    let app_mock = app_auth(&server).await;
    app(&server).authenticate().await.unwrap();
    assert_eq!(
        (failing.calls_async().await, app_mock.calls_async().await),
        (2, 1)
    );
}

#[tokio::test]
async fn bot_session_authenticates_once_and_its_token_reaches_the_pod() {
    let server = MockServer::start_async().await;
    let bot_mock = server
        .mock_async(|when, then| {
            when.method("POST").path("/login/pubkey/authenticate");
            then.status(200).json_body(json!({"token": "obo-99-1"}));
        })
        .await;
    let pod_mock = pod(&server).await;
    let credentials =
        BotCredentials::from_pem_file("presence-bot", fixture("keys/app-pkcs8.pem")).unwrap();
    let client = PresenceClient::builder(server.url("/pod"))
        .bot(credentials)
        .http(HttpSettings::default().retry_policy(fast_retry(3)))
        .build()
        .unwrap();
    for _ in 0..3 {
        assert_eq!(
            client.get_presence().await.unwrap().user_id,
            Some(UserId(99))
        );
    }
    assert_eq!(
        (bot_mock.calls_async().await, pod_mock.calls_async().await),
        (1, 3)
    );
}

#[tokio::test]
async fn the_login_url_can_be_set_on_its_own() {
    let (pod_server, login_server) = (
        MockServer::start_async().await,
        MockServer::start_async().await,
    );
    let app_mock = app_auth(&login_server).await;
    let credentials =
        AppCredentials::from_pem_file("my-app", fixture("keys/app-pkcs1.pem")).unwrap();
    let app = AppClient::builder(pod_server.url("/pod"), credentials)
        .login_url(login_server.url("/login"))
        .build()
        .unwrap();
    app.authenticate().await.unwrap();
    assert_eq!(app_mock.calls_async().await, 1);
}

#[tokio::test]
async fn no_token_or_key_appears_in_debug_output_or_errors() {
    let server = MockServer::start_async().await;
    let (_app, _obo, _pod) = (
        app_auth(&server).await,
        obo_auth(&server, &["app-1"]).await,
        pod(&server).await,
    );
    let app = app(&server);
    let client = app.on_behalf_of(UserId(5));
    client.get_presence().await.unwrap();
    let pem = fixture_text("keys/app-pkcs1.pem");
    let key_line = pem.lines().nth(2).unwrap();
    for text in [
        format!("{app:?}"),
        format!("{app:#?}"),
        format!("{client:?}"),
        format!("{client:#?}"),
    ] {
        for secret in ["app-1", "obo-5-1", key_line] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
}
