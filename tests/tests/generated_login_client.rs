//! The generated Login client against httpmock: the bot, app and OBO authentication
//! operations' method, path, headers and body, and the decoding of `Token` and `Error`.

use httpmock::Method::POST;
use httpmock::MockServer;
use serde_json::json;
use symphony_api::login::{Client, Error, types};

fn client(server: &MockServer) -> Client {
    Client::new(&server.url("/login"), Default::default())
}

fn token_json() -> serde_json::Value {
    json!({"name": "sessionToken", "token": "issued-session", "authorizationToken": "Bearer x"})
}

fn jwt_body() -> types::AuthenticateRequest {
    types::AuthenticateRequest {
        token: Some("signed.jwt.value".into()),
    }
}

#[tokio::test]
async fn bot_authenticate_posts_the_jwt_and_decodes_token() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/login/pubkey/authenticate")
                .header_missing("api-version")
                .json_body(json!({"token": "signed.jwt.value"}));
            then.status(200).json_body(token_json());
        })
        .await;
    let token = client(&server)
        .post_pubkey_authenticate()
        .body(jwt_body())
        .send()
        .await
        .unwrap();
    assert_eq!(token.token.as_deref(), Some("issued-session"));
    assert_eq!(token.name.as_deref(), Some("sessionToken"));
    assert_eq!(token.authorization_token.as_deref(), Some("Bearer x"));
    mock.assert_async().await;
}

#[tokio::test]
async fn app_authenticate_posts_the_jwt_and_decodes_token() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/login/pubkey/app/authenticate")
                .header_missing("api-version")
                .json_body(json!({"token": "signed.jwt.value"}));
            then.status(200).json_body(token_json());
        })
        .await;
    let token = client(&server)
        .post_pubkey_app_authenticate()
        .body(jwt_body())
        .send()
        .await
        .unwrap();
    assert_eq!(token.token.as_deref(), Some("issued-session"));
    mock.assert_async().await;
}

#[tokio::test]
async fn obo_by_user_id_sends_the_app_token_and_no_body() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/login/pubkey/app/user/12345/authenticate")
                .header("sessionToken", "app-session")
                .header_missing("api-version")
                .body("");
            then.status(200).json_body(token_json());
        })
        .await;
    let token = client(&server)
        .post_pubkey_app_user_user_id_authenticate()
        .user_id(12345)
        .session_token("app-session")
        .send()
        .await
        .unwrap();
    assert_eq!(token.token.as_deref(), Some("issued-session"));
    mock.assert_async().await;
}

#[tokio::test]
async fn obo_by_username_sends_the_app_token_and_no_body() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/login/pubkey/app/username/jane.doe/authenticate")
                .header("sessionToken", "app-session")
                .header_missing("api-version")
                .body("");
            then.status(200).json_body(token_json());
        })
        .await;
    let token = client(&server)
        .post_pubkey_app_username_username_authenticate()
        .username("jane.doe")
        .session_token("app-session")
        .send()
        .await
        .unwrap();
    assert_eq!(token.token.as_deref(), Some("issued-session"));
    mock.assert_async().await;
}

#[tokio::test]
async fn declared_error_statuses_decode_to_error_code_and_message() {
    for status in [401u16, 403, 500] {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(POST).path("/login/pubkey/app/authenticate");
                then.status(status)
                    .json_body(json!({"code": status, "message": "denied"}));
            })
            .await;
        let err = client(&server)
            .post_pubkey_app_authenticate()
            .body(jwt_body())
            .send()
            .await
            .unwrap_err();
        let Error::ErrorResponse(body) = err else {
            panic!("{status}: expected ErrorResponse, got {err:?}")
        };
        assert_eq!(body.status().as_u16(), status);
        assert_eq!(body.code, Some(i32::from(status)));
        assert_eq!(body.message.as_deref(), Some("denied"));
    }
}
