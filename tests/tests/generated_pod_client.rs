//! The generated Pod client against httpmock: every Presence operation's method, path,
//! headers, query and body, the decoding of 200 responses, and of `Error` bodies.

use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use serde_json::json;
use symphony_api::ErrorBody;
use symphony_api::hooks::{BodyTooLarge, InvalidBody};
use symphony_api::pod::{Client, Error, types};

const TOKEN: &str = "session-token-123";

fn client(server: &MockServer) -> Client {
    Client::new(&server.url("/pod"), Default::default())
}

fn presence_json() -> serde_json::Value {
    json!({"category": "AVAILABLE", "userId": 14568529068038i64, "timestamp": 1533928483800i64})
}

/// Every request carries the session token and never progenitor's `api-version` header.
fn common(when: httpmock::When, method: httpmock::Method, path: &str) -> httpmock::When {
    when.method(method)
        .path(format!("/pod{path}"))
        .header("sessionToken", TOKEN)
        .header_missing("api-version")
}

fn assert_presence(p: &types::V2Presence) {
    assert_eq!(p.category, "AVAILABLE");
    assert_eq!(p.user_id, Some(14568529068038));
    assert_eq!(p.timestamp, Some(1533928483800));
}

#[tokio::test]
async fn get_presence_sends_token_and_decodes_v2_presence() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            common(when, GET, "/v2/user/presence");
            then.status(200).json_body(presence_json());
        })
        .await;
    let p = client(&server)
        .get_v2_user_presence()
        .session_token(TOKEN)
        .send()
        .await
        .unwrap();
    assert_presence(&p);
    mock.assert_async().await;
}

#[tokio::test]
async fn set_presence_sends_soft_and_status_body() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            common(when, POST, "/v2/user/presence")
                .query_param("soft", "true")
                .json_body(json!({"category": "BUSY"}));
            then.status(200).json_body(presence_json());
        })
        .await;
    let body = types::V2PresenceStatus {
        category: "BUSY".into(),
    };
    let p = client(&server)
        .post_v2_user_presence()
        .session_token(TOKEN)
        .soft(true)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_presence(&p);
    mock.assert_async().await;
}

#[tokio::test]
async fn user_presence_sends_uid_in_path_and_local_query() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            common(when, GET, "/v3/user/14568529068038/presence").query_param("local", "true");
            then.status(200).json_body(presence_json());
        })
        .await;
    let p = client(&server)
        .get_v3_user_uid_presence()
        .uid(14568529068038_i64)
        .local(true)
        .session_token(TOKEN)
        .send()
        .await
        .unwrap();
    assert_presence(&p);
    mock.assert_async().await;
}

#[tokio::test]
async fn list_all_presence_sends_paging_query_and_decodes_list() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            common(when, GET, "/v2/users/presence")
                .query_param("lastUserId", "974217539631")
                .query_param("limit", "2");
            then.status(200).json_body(
                json!([presence_json(), {"category": "OFFLINE", "userId": 974217539632_i64}]),
            );
        })
        .await;
    let list = client(&server)
        .get_v2_users_presence()
        .last_user_id(974217539631_i64)
        .limit(2)
        .session_token(TOKEN)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.0.len(), 2);
    assert_presence(&list.0[0]);
    assert_eq!(list.0[1].category, "OFFLINE");
    assert_eq!(list.0[1].timestamp, None);
    mock.assert_async().await;
}

#[tokio::test]
async fn register_interest_sends_user_id_list() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            common(when, POST, "/v1/user/presence/register")
                .json_body(json!([7215545058313_i64, 7215545078461_i64]));
            then.status(200)
                .json_body(json!({"format": "TEXT", "message": "OK"}));
        })
        .await;
    let ok = client(&server)
        .post_v1_user_presence_register()
        .session_token(TOKEN)
        .body(types::UserIdList(vec![7215545058313, 7215545078461]))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.message.as_deref(), Some("OK"));
    assert_eq!(ok.format, Some(types::SuccessResponseFormat::Text));
    mock.assert_async().await;
}

#[tokio::test]
async fn set_user_presence_sends_user_presence_body() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            common(when, POST, "/v3/user/presence")
                .query_param("soft", "false")
                .json_body(json!({"category": "AVAILABLE", "userId": 14568529068038i64}));
            then.status(200).json_body(presence_json());
        })
        .await;
    let body = types::V2UserPresence {
        category: "AVAILABLE".into(),
        user_id: Some(14568529068038),
    };
    let p = client(&server)
        .post_v3_user_presence()
        .soft(false)
        .session_token(TOKEN)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_presence(&p);
    mock.assert_async().await;
}

#[tokio::test]
async fn feed_create_read_delete_reach_their_paths() {
    let server = MockServer::start_async().await;
    let id = "c4dca251-8639-48db-a9d4-f387089e17cf";
    let create = server
        .mock_async(|when, then| {
            common(when, POST, "/v1/presence/feed/create");
            then.status(200).json_body(json!({"id": id}));
        })
        .await;
    let read = server
        .mock_async(|when, then| {
            common(when, GET, &format!("/v1/presence/feed/{id}/read"));
            then.status(200).json_body(json!([presence_json()]));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            common(when, POST, &format!("/v1/presence/feed/{id}/delete"));
            then.status(200).json_body(json!({"id": id}));
        })
        .await;
    let c = client(&server);
    let created = c
        .post_v1_presence_feed_create()
        .session_token(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(created.id.as_deref(), Some(id));
    let changes = c
        .get_v1_presence_feed_feed_id_read()
        .feed_id(id)
        .session_token(TOKEN)
        .send()
        .await
        .unwrap();
    assert_presence(&changes.0[0]);
    let deleted = c
        .post_v1_presence_feed_feed_id_delete()
        .feed_id(id)
        .session_token(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.id.as_deref(), Some(id));
    create.assert_async().await;
    read.assert_async().await;
    delete.assert_async().await;
}

#[tokio::test]
async fn declared_error_statuses_decode_to_error_code_and_message() {
    for (status, message) in [
        (400, "Client error"),
        (401, "Invalid session"),
        (403, "Caller lacks necessary entitlement"),
        (404, "User id cannot be located"),
        (500, "Server error"),
    ] {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                common(when, GET, "/v3/user/1/presence");
                then.status(status)
                    .json_body(json!({"code": status, "message": message}));
            })
            .await;
        let err = client(&server)
            .get_v3_user_uid_presence()
            .uid(1)
            .session_token(TOKEN)
            .send()
            .await
            .unwrap_err();
        let Error::ErrorResponse(body) = err else {
            panic!("{status}: expected ErrorResponse, got {err:?}")
        };
        assert_eq!(body.status().as_u16(), status);
        assert_eq!(body.code, Some(i32::from(status)));
        assert_eq!(body.message.as_deref(), Some(message));
    }
}

#[tokio::test]
async fn every_operation_decodes_a_401_error_body() {
    let server = MockServer::start_async().await;
    // One mock per operation, in the order called below, so that each request is seen to reach
    // its own method and path.
    let endpoints = [
        ("GET", "/v2/user/presence"),
        ("POST", "/v2/user/presence"),
        ("GET", "/v3/user/1/presence"),
        ("GET", "/v2/users/presence"),
        ("POST", "/v1/user/presence/register"),
        ("POST", "/v3/user/presence"),
        ("POST", "/v1/presence/feed/create"),
        ("GET", "/v1/presence/feed/f/read"),
        ("POST", "/v1/presence/feed/f/delete"),
    ];
    let mut mocks = Vec::new();
    for (method, path) in endpoints {
        let mock = server
            .mock_async(|when, then| {
                let method = if method == "GET" { GET } else { POST };
                common(when, method, path);
                then.status(401)
                    .json_body(json!({"code": 401, "message": "Invalid session"}));
            })
            .await;
        mocks.push((method, path, mock));
    }
    let c = client(&server);
    let results: Vec<Result<(), Error<ErrorBody>>> = vec![
        c.get_v2_user_presence()
            .session_token(TOKEN)
            .send()
            .await
            .map(drop),
        c.post_v2_user_presence()
            .session_token(TOKEN)
            .body(types::V2PresenceStatus {
                category: "AWAY".into(),
            })
            .send()
            .await
            .map(drop),
        c.get_v3_user_uid_presence()
            .uid(1)
            .session_token(TOKEN)
            .send()
            .await
            .map(drop),
        c.get_v2_users_presence()
            .session_token(TOKEN)
            .send()
            .await
            .map(drop),
        c.post_v1_user_presence_register()
            .session_token(TOKEN)
            .body(types::UserIdList(vec![1]))
            .send()
            .await
            .map(drop),
        c.post_v3_user_presence()
            .session_token(TOKEN)
            .body(types::V2UserPresence {
                category: "AWAY".into(),
                user_id: Some(1),
            })
            .send()
            .await
            .map(drop),
        c.post_v1_presence_feed_create()
            .session_token(TOKEN)
            .send()
            .await
            .map(drop),
        c.get_v1_presence_feed_feed_id_read()
            .feed_id("f")
            .session_token(TOKEN)
            .send()
            .await
            .map(drop),
        c.post_v1_presence_feed_feed_id_delete()
            .feed_id("f")
            .session_token(TOKEN)
            .send()
            .await
            .map(drop),
    ];
    for (i, result) in results.into_iter().enumerate() {
        match result {
            Err(Error::ErrorResponse(body)) => {
                assert_eq!(body.status().as_u16(), 401, "operation {i}");
                assert_eq!(
                    body.message.as_deref(),
                    Some("Invalid session"),
                    "operation {i}"
                );
            }
            other => panic!("operation {i}: expected a 401 ErrorResponse, got {other:?}"),
        }
    }
    for (method, path, mock) in mocks {
        assert_eq!(mock.calls_async().await, 1, "{method} {path}");
    }
}

#[tokio::test]
async fn the_trace_id_parameter_is_sent_as_x_trace_id() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            common(when, GET, "/v2/user/presence").header("x-trace-id", "0123456789abcdef");
            then.status(200).json_body(presence_json());
        })
        .await;
    client(&server)
        .get_v2_user_presence()
        .session_token(TOKEN)
        .x_trace_id("0123456789abcdef")
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}

fn capped_client(server: &MockServer, limit: usize) -> Client {
    let inner = symphony_api::hooks::Inner::default().max_response_bytes(limit);
    Client::new_with_client(&server.url("/pod"), reqwest::Client::new(), inner)
}

/// The `BodyTooLarge` in a body error's source chain.
fn too_large(err: &Error<ErrorBody>) -> Option<BodyTooLarge> {
    let Error::ResponseBodyError(e) = err else {
        return None;
    };
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(current) = source {
        if let Some(found) = current.downcast_ref::<BodyTooLarge>() {
            return Some(*found);
        }
        source = current.source();
    }
    None
}

#[tokio::test]
async fn a_body_over_the_cap_fails_with_its_status_and_the_cap() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            common(when, GET, "/v2/user/presence");
            then.status(200).body(format!(
                r#"{{"category":"AVAILABLE","padding":"{}"}}"#,
                "x".repeat(4096)
            ));
        })
        .await;
    let err = capped_client(&server, 1024)
        .get_v2_user_presence()
        .session_token(TOKEN)
        .send()
        .await
        .unwrap_err();
    let found = too_large(&err).unwrap_or_else(|| panic!("expected BodyTooLarge, got {err:?}"));
    assert_eq!(found.status.as_u16(), 200);
    assert_eq!(found.limit, 1024);
}

#[tokio::test]
async fn an_undecodable_body_keeps_its_status_and_headers() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            common(when, GET, "/v2/user/presence");
            then.status(200)
                .header("x-extra", "kept")
                .body(r#"{"userId": 1}"#);
        })
        .await;
    server
        .mock_async(|when, then| {
            common(when, GET, "/v3/user/7/presence");
            then.status(401)
                .header("retry-after", "3")
                .body("<html>gateway says no</html>");
        })
        .await;
    let c = client(&server);
    let err = c
        .get_v2_user_presence()
        .session_token(TOKEN)
        .send()
        .await
        .unwrap_err();
    let Error::UnexpectedResponse(response) = err else {
        panic!("expected UnexpectedResponse, got {err:?}")
    };
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["x-extra"], "kept");
    let InvalidBody(e) = response.extensions().get::<InvalidBody>().unwrap();
    assert!(e.to_string().contains("missing field `category`"), "{e}");
    assert_eq!(response.text().await.unwrap(), r#"{"userId": 1}"#);

    let err = c
        .get_v3_user_uid_presence()
        .uid(7)
        .session_token(TOKEN)
        .send()
        .await
        .unwrap_err();
    let Error::UnexpectedResponse(response) = err else {
        panic!("expected UnexpectedResponse, got {err:?}")
    };
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(response.headers()["retry-after"], "3");
    assert!(response.extensions().get::<InvalidBody>().is_some());
}
