//! Every PresenceClient operation against httpmock: the request it sends and what it returns.

use httpmock::Method::{GET, POST};
use httpmock::{MockServer, When};
use serde_json::json;
use symphony_presence::{
    DEFAULT_USER_AGENT, Error, FeedId, Presence, PresenceCategory, PresenceClient, Timestamp,
    UserId,
};
use symphony_presence_tests::{fast_retry, token_client};

const TOKEN: &str = "tok-abc-123";

fn presence_client(server: &MockServer) -> PresenceClient {
    token_client(&server.url("/pod"), TOKEN, fast_retry(3))
}

/// What every request carries: the token, a trace id, our User-Agent, and no api-version.
fn sent(when: When, method: httpmock::Method, path: &str) -> When {
    when.method(method)
        .path(format!("/pod{path}"))
        .header("sessionToken", TOKEN)
        .header_exists("x-trace-id")
        .header("user-agent", DEFAULT_USER_AGENT)
        .header_missing("api-version")
}

fn wire(category: &str, uid: i64) -> serde_json::Value {
    json!({"category": category, "userId": uid, "timestamp": 1533928483800_i64})
}

fn expected(category: PresenceCategory, uid: i64) -> Presence {
    Presence::new(category)
        .with_user_id(UserId(uid))
        .with_timestamp(Timestamp::from_millis(1533928483800))
}

#[tokio::test]
async fn get_presence_returns_the_callers_presence() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            sent(when, GET, "/v2/user/presence");
            then.status(200).json_body(wire("AVAILABLE", 1));
        })
        .await;
    let p = presence_client(&server).get_presence().await.unwrap();
    assert_eq!(p, expected(PresenceCategory::Available, 1));
    mock.assert_async().await;
}

#[tokio::test]
async fn set_presence_posts_category_and_soft() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            sent(when, POST, "/v2/user/presence")
                .query_param("soft", "true")
                .json_body(json!({"category": "BUSY"}));
            then.status(200).json_body(wire("BUSY", 1));
        })
        .await;
    let p = presence_client(&server)
        .set_presence(PresenceCategory::Busy)
        .soft(true)
        .await
        .unwrap();
    assert_eq!(p, expected(PresenceCategory::Busy, 1));
    mock.assert_async().await;
}

#[tokio::test]
async fn set_presence_refuses_undefined_and_unknown_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200);
        })
        .await;
    let c = presence_client(&server);
    for category in [PresenceCategory::Undefined, PresenceCategory::from("FOCUS")] {
        assert!(matches!(
            c.set_presence(category.clone()).await,
            Err(Error::InvalidInput(_))
        ));
        assert!(matches!(
            c.set_user_presence(UserId(1), category).await,
            Err(Error::InvalidInput(_))
        ));
    }
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn user_presence_sends_uid_and_local() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            sent(when, GET, "/v3/user/14568529068038/presence").query_param("local", "false");
            then.status(200)
                .json_body(wire("ON_THE_PHONE", 14568529068038));
        })
        .await;
    let p = presence_client(&server)
        .user_presence(UserId(14568529068038))
        .await
        .unwrap();
    assert_eq!(p, expected(PresenceCategory::OnThePhone, 14568529068038));
    mock.assert_async().await;
}

#[tokio::test]
async fn register_interest_posts_the_ids() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            sent(when, POST, "/v1/user/presence/register")
                .json_body(json!([7215545058313_i64, 7215545078461_i64]));
            then.status(200)
                .json_body(json!({"format": "TEXT", "message": "OK"}));
        })
        .await;
    let c = presence_client(&server);
    c.register_interest([UserId(7215545058313), UserId(7215545078461)])
        .await
        .unwrap();
    mock.assert_async().await;
    assert!(matches!(
        c.register_interest([]).await,
        Err(Error::InvalidInput(_))
    ));
}

#[tokio::test]
async fn set_user_presence_posts_user_and_category() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            sent(when, POST, "/v3/user/presence")
                .query_param("soft", "false")
                .json_body(json!({"category": "OUT_OF_OFFICE", "userId": 42}));
            then.status(200).json_body(wire("OUT_OF_OFFICE", 42));
        })
        .await;
    let p = presence_client(&server)
        .set_user_presence(UserId(42), PresenceCategory::OutOfOffice)
        .await
        .unwrap();
    assert_eq!(p, expected(PresenceCategory::OutOfOffice, 42));
    mock.assert_async().await;
}

#[tokio::test]
async fn feed_create_read_delete() {
    let server = MockServer::start_async().await;
    let id = "c4dca251-8639-48db-a9d4-f387089e17cf";
    let create = server
        .mock_async(|when, then| {
            sent(when, POST, "/v1/presence/feed/create");
            then.status(200).json_body(json!({"id": id}));
        })
        .await;
    let read = server
        .mock_async(|when, then| {
            sent(when, GET, &format!("/v1/presence/feed/{id}/read"));
            then.status(200)
                .json_body(json!([wire("AWAY", 1), wire("FOCUS_MODE", 2)]));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            sent(when, POST, &format!("/v1/presence/feed/{id}/delete"));
            then.status(200).json_body(json!({"id": id}));
        })
        .await;
    let c = presence_client(&server);
    let feed = c.create_feed().await.unwrap();
    assert_eq!(feed, FeedId::new(id));
    let changes = c.read_feed(&feed).await.unwrap();
    assert_eq!(
        changes,
        vec![
            expected(PresenceCategory::Away, 1),
            expected(PresenceCategory::from("FOCUS_MODE"), 2)
        ]
    );
    c.delete_feed(&feed).await.unwrap();
    create.assert_async().await;
    read.assert_async().await;
    delete.assert_async().await;
}

#[tokio::test]
async fn feed_without_an_id_is_a_decode_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/pod/v1/presence/feed/create");
            then.status(200).json_body(json!({}));
        })
        .await;
    let Err(Error::Decode(e)) = presence_client(&server).create_feed().await else {
        panic!()
    };
    assert_eq!(e.status.map(|s| s.as_u16()), Some(200));
}

#[tokio::test]
async fn watch_feed_yields_changes_and_ends_when_the_feed_is_gone() {
    use futures_util::StreamExt;
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/pod/v1/presence/feed/f1/read");
            then.status(200)
                .json_body(json!([wire("AWAY", 1), wire("BUSY", 2)]))
                .up_to_n_times(1);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/pod/v1/presence/feed/f1/read");
            then.status(404)
                .json_body(json!({"code": 404, "message": "feed not found"}));
        })
        .await;
    let c = presence_client(&server);
    let items: Vec<_> = c
        .watch_feed(FeedId::new("f1"))
        .interval(std::time::Duration::from_millis(10))
        .stream()
        .collect()
        .await;
    assert_eq!(items.len(), 3);
    assert_eq!(
        items[0].as_ref().unwrap(),
        &expected(PresenceCategory::Away, 1)
    );
    assert_eq!(
        items[1].as_ref().unwrap(),
        &expected(PresenceCategory::Busy, 2)
    );
    assert!(
        matches!(&items[2], Err(Error::NotFound(e)) if e.message.as_deref() == Some("feed not found"))
    );
}

#[tokio::test]
async fn each_request_gets_its_own_trace_id() {
    let server = MockServer::start_async().await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    server
        .mock_async(move |when, then| {
            when.path("/pod/v2/user/presence");
            then.respond_with(move |req| {
                let id = req
                    .headers()
                    .get("x-trace-id")
                    .map(|v| v.to_str().unwrap().to_owned());
                record.lock().unwrap().push(id);
                httpmock::HttpMockResponse::builder()
                    .status(200)
                    .header("content-type", "application/json")
                    .body(r#"{"category":"AWAY"}"#)
                    .build()
            });
        })
        .await;
    let c = presence_client(&server);
    for _ in 0..3 {
        c.get_presence().await.unwrap();
    }
    let ids = seen.lock().unwrap().clone();
    assert_eq!(ids.len(), 3);
    for id in &ids {
        let id = id.as_deref().expect("x-trace-id sent");
        assert!(
            id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit()),
            "{id}"
        );
    }
    assert!(ids[0] != ids[1] && ids[1] != ids[2]);
}
