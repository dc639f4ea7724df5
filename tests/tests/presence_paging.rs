//! list_all_presence across pages: where each page starts, where the listing ends.

use futures_util::TryStreamExt;
use httpmock::MockServer;
use serde_json::json;
use symphony_presence::{Error, UserId};
use symphony_presence_tests::{fast_retry, token_client};

fn page(ids: &[i64]) -> serde_json::Value {
    json!(
        ids.iter()
            .map(|id| json!({"category": "AVAILABLE", "userId": id}))
            .collect::<Vec<_>>()
    )
}

#[tokio::test]
async fn streams_three_pages_and_stops_at_the_empty_one() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.path("/pod/v2/users/presence")
                .query_param("limit", "2")
                .query_param_missing("lastUserId");
            then.status(200).json_body(page(&[1, 5]));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.path("/pod/v2/users/presence")
                .query_param("limit", "2")
                .query_param("lastUserId", "5");
            then.status(200).json_body(page(&[7, 9]));
        })
        .await;
    let third = server
        .mock_async(|when, then| {
            when.path("/pod/v2/users/presence")
                .query_param("limit", "2")
                .query_param("lastUserId", "9");
            then.status(200).json_body(page(&[12]));
        })
        .await;
    let last = server
        .mock_async(|when, then| {
            when.path("/pod/v2/users/presence")
                .query_param("limit", "2")
                .query_param("lastUserId", "12");
            then.status(200).json_body(json!([]));
        })
        .await;
    let c = token_client(&server.url("/pod"), "t", fast_retry(1));
    let all: Vec<_> = c
        .list_all_presence()
        .page_size(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = all.iter().map(|p| p.user_id.unwrap().0).collect();
    assert_eq!(ids, [1, 5, 7, 9, 12]);
    for mock in [first, second, third, last] {
        assert_eq!(mock.calls_async().await, 1);
    }
}

#[tokio::test]
async fn a_repeated_boundary_user_is_not_yielded_twice() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/pod/v2/users/presence")
                .query_param("lastUserId", "3");
            then.status(200).json_body(page(&[3, 4]));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/pod/v2/users/presence")
                .query_param("lastUserId", "4");
            then.status(200).json_body(json!([]));
        })
        .await;
    let c = token_client(&server.url("/pod"), "t", fast_retry(1));
    let all: Vec<_> = c
        .list_all_presence()
        .start_after(UserId(3))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|p| p.user_id.unwrap().0).collect::<Vec<_>>(),
        [4]
    );
}

#[tokio::test]
async fn a_server_that_ignores_last_user_id_ends_with_an_error_not_a_loop() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/pod/v2/users/presence");
            then.status(200).json_body(page(&[1, 2]));
        })
        .await;
    let c = token_client(&server.url("/pod"), "t", fast_retry(1));
    let result: Result<Vec<_>, _> = c
        .list_all_presence()
        .page_size(2)
        .stream()
        .try_collect()
        .await;
    assert!(matches!(result, Err(Error::Decode(_))), "{result:?}");
    assert_eq!(mock.calls_async().await, 2);
}

#[tokio::test]
async fn page_size_outside_1_to_5000_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!([]));
        })
        .await;
    let c = token_client(&server.url("/pod"), "t", fast_retry(1));
    for size in [0, 5001] {
        let result: Result<Vec<_>, _> = c
            .list_all_presence()
            .page_size(size)
            .stream()
            .try_collect()
            .await;
        assert!(matches!(result, Err(Error::InvalidInput(_))), "{size}");
    }
    for size in [0, 5001] {
        let result = c.list_presence_page().limit(size).await;
        assert!(matches!(result, Err(Error::InvalidInput(_))), "{size}");
    }
    assert!(c.list_presence_page().limit(5000).await.unwrap().is_empty());
    assert_eq!(any.calls_async().await, 1);
}

#[tokio::test]
async fn an_error_mid_listing_is_yielded_and_ends_the_stream() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/pod/v2/users/presence")
                .query_param_missing("lastUserId");
            then.status(200).json_body(page(&[1]));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/pod/v2/users/presence")
                .query_param("lastUserId", "1");
            then.status(403)
                .json_body(json!({"code": 403, "message": "no entitlement"}));
        })
        .await;
    let c = token_client(&server.url("/pod"), "t", fast_retry(1));
    let items: Vec<_> = futures_util::StreamExt::collect(c.list_all_presence().stream()).await;
    assert_eq!(items.len(), 2);
    assert!(items[0].is_ok());
    assert!(matches!(&items[1], Err(Error::Forbidden(e)) if e.code == Some(403)));
}

#[tokio::test]
async fn a_page_longer_than_the_limit_is_a_decode_error() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/pod/v2/users/presence")
                .query_param("limit", "2");
            then.status(200).json_body(page(&[1, 2, 3]));
        })
        .await;
    let c = token_client(&server.url("/pod"), "t", fast_retry(3));
    let result = c.list_presence_page().limit(2).await;
    assert!(
        matches!(&result, Err(Error::Decode(e)) if e.reason.contains("more users than the limit")),
        "{result:?}"
    );
    let listed: Result<Vec<_>, _> = c
        .list_all_presence()
        .page_size(2)
        .stream()
        .try_collect()
        .await;
    assert!(matches!(listed, Err(Error::Decode(_))), "{listed:?}");
    assert_eq!(mock.calls_async().await, 2, "a decode error is not retried");
}

#[tokio::test]
async fn a_page_not_strictly_ascending_by_user_id_is_a_decode_error() {
    for ids in [&[1, 3, 2][..], &[1, 2, 2]] {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.path("/pod/v2/users/presence");
                then.status(200).json_body(page(ids));
            })
            .await;
        let c = token_client(&server.url("/pod"), "t", fast_retry(1));
        let result = c.list_presence_page().await;
        assert!(
            matches!(&result, Err(Error::Decode(e)) if e.reason.contains("not sorted")),
            "{ids:?}: {result:?}"
        );
    }
}

#[tokio::test]
async fn an_entry_without_a_user_id_is_skipped() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/pod/v2/users/presence")
                .query_param_missing("lastUserId");
            then.status(200).json_body(json!([
                {"category": "AVAILABLE", "userId": 1},
                {"category": "BUSY"},
                {"category": "AWAY", "userId": 2}
            ]));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/pod/v2/users/presence")
                .query_param("lastUserId", "2");
            then.status(200).json_body(json!([]));
        })
        .await;
    let c = token_client(&server.url("/pod"), "t", fast_retry(1));
    let all: Vec<_> = c.list_all_presence().stream().try_collect().await.unwrap();
    assert_eq!(
        all.iter().map(|p| p.user_id).collect::<Vec<_>>(),
        [Some(UserId(1)), Some(UserId(2))]
    );
}
