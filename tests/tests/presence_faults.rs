//! Transport faults httpmock cannot make, from a raw loopback TCP server.

use std::sync::Arc;
use std::time::{Duration, Instant};

use symphony_presence::{Error, FeedId, HttpSettings, PresenceClient, TransportErrorKind};
use symphony_presence_tests::{
    CountingSession, RawReply, RawServer, fast_retry, http_response, within,
};

fn client(pod_url: &str, attempts: u32, max_body: usize) -> PresenceClient {
    PresenceClient::builder(pod_url)
        .session_token("t")
        .http(
            HttpSettings::default()
                .retry_policy(fast_retry(attempts))
                .timeout(Duration::from_millis(500))
                .max_response_bytes(max_body),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_connection_dropped_mid_body_is_a_transport_error_and_is_retried() {
    let truncated = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"category\":".to_vec();
    let server = RawServer::start(move |_| RawReply::Bytes(truncated.clone())).await;
    let err = client(&server.pod_url, 2, 1 << 20)
        .get_presence()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(e) if e.kind == TransportErrorKind::Interrupted),
        "{err:?}"
    );
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn a_dropped_connection_then_a_good_answer_succeeds() {
    let server = RawServer::start(|n| {
        if n == 1 {
            RawReply::Bytes(Vec::new())
        } else {
            RawReply::Bytes(http_response(
                200,
                "application/json",
                br#"{"category":"BUSY"}"#,
            ))
        }
    })
    .await;
    let p = client(&server.pod_url, 3, 1 << 20)
        .get_presence()
        .await
        .unwrap();
    assert_eq!(p.category.to_string(), "BUSY");
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_within_the_bound() {
    let server = RawServer::start(|_| RawReply::Stall).await;
    let started = Instant::now();
    let err = client(&server.pod_url, 2, 1 << 20)
        .get_presence()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(e) if e.kind == TransportErrorKind::Timeout),
        "{err:?}"
    );
    assert_eq!(server.requests(), 2);
    // Two attempts of 500 ms plus at most 20 ms of backoff.
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_body_over_the_cap_is_a_decode_error() {
    let big = format!(
        r#"{{"category":"AVAILABLE","pad":"{}"}}"#,
        "x".repeat(10_000)
    );
    let body = http_response(200, "application/json", big.as_bytes());
    let server = RawServer::start(move |_| RawReply::Bytes(body.clone())).await;
    let err = client(&server.pod_url, 3, 1024)
        .get_presence()
        .await
        .unwrap_err();
    let Error::Decode(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.status.map(|s| s.as_u16()), Some(200));
    assert!(e.reason.contains("1024-byte cap"), "{}", e.reason);
    assert_eq!(server.requests(), 1, "an oversized body is not retried");
}

#[tokio::test]
async fn an_endless_chunked_body_is_cut_at_the_cap_in_bounded_time_and_bytes() {
    let head =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
            .to_vec();
    let mut chunk = b"400\r\n".to_vec();
    chunk.extend_from_slice(&[b' '; 0x400]);
    chunk.extend_from_slice(b"\r\n");
    let server = RawServer::start(move |_| RawReply::Endless(head.clone(), chunk.clone())).await;
    let started = Instant::now();
    let err = within(
        Duration::from_secs(30),
        client(&server.pod_url, 3, 4096).get_presence(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, Error::Decode(e) if e.reason.contains("4096-byte cap")),
        "{err:?}"
    );
    // Generous: a loaded machine. Reading until the server gives up would never end.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests(), 1, "an oversized body is not retried");
    // The client read about 4 KiB and closed; the server wrote that and what the loopback
    // socket buffers (a few MiB at most) took before the close reached it.
    let written = server.endless_bytes_written();
    assert!(written < 32 << 20, "{written} bytes written");
}

#[tokio::test]
async fn connection_refused_is_a_connect_error_retried_to_the_limit() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    // Nothing reaches a server: the session counts the attempts, as the client asks it for the
    // token before each one.
    let session = Arc::new(CountingSession::new(&["t"]));
    let err = symphony_presence_tests::client(
        &format!("http://127.0.0.1:{port}/pod"),
        session.clone(),
        fast_retry(3),
    )
    .get_presence()
    .await
    .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(e) if e.kind == TransportErrorKind::Connect),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(session.tokens_asked(), 3);
}

#[tokio::test]
async fn create_feed_and_delete_feed_are_not_retried_after_a_timeout_or_a_dropped_connection() {
    let truncated =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"id\":"
            .to_vec();
    for (fault, reply, kind) in [
        ("no answer", RawReply::Stall, TransportErrorKind::Timeout),
        (
            "closed before answering",
            RawReply::Bytes(Vec::new()),
            TransportErrorKind::Interrupted,
        ),
        (
            "closed mid-body",
            RawReply::Bytes(truncated),
            TransportErrorKind::Interrupted,
        ),
    ] {
        // The server may have acted on a request it did not answer: a repeat could make a
        // second feed, or find the feed deleted. Reading a feed is repeated (the control).
        let feed = FeedId::new("f");
        for operation in ["create_feed", "delete_feed", "read_feed"] {
            let server = RawServer::start({
                let reply = reply.clone();
                move |_| reply.clone()
            })
            .await;
            let c = client(&server.pod_url, 3, 1 << 20);
            let result = match operation {
                "create_feed" => c.create_feed().await.map(drop),
                "delete_feed" => c.delete_feed(&feed).await,
                _ => c.read_feed(&feed).await.map(drop),
            };
            let err = result.unwrap_err();
            assert!(
                matches!(&err, Error::Transport(e) if e.kind == kind),
                "{operation}, {fault}: {err:?}"
            );
            let expected = if operation == "read_feed" { 3 } else { 1 };
            assert_eq!(server.requests(), expected, "{operation}, {fault}");
        }
    }
}
