//! Transport faults httpmock cannot make, from a raw loopback TCP server.

use std::time::{Duration, Instant};

use symphony_presence::{Error, HttpSettings, PresenceClient, TransportErrorKind};
use symphony_presence_tests::{RawReply, RawServer, fast_retry, http_response};

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
async fn an_endless_chunked_body_is_cut_at_the_cap() {
    let mut endless =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
            .to_vec();
    for _ in 0..200 {
        endless.extend_from_slice(b"400\r\n");
        endless.extend_from_slice(&[b' '; 0x400]);
        endless.extend_from_slice(b"\r\n");
    }
    let server = RawServer::start(move |_| RawReply::Bytes(endless.clone())).await;
    let err = client(&server.pod_url, 1, 4096)
        .get_presence()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Decode(e) if e.reason.contains("cap")),
        "{err:?}"
    );
}

#[tokio::test]
async fn connection_refused_is_a_connect_error_retried_to_the_limit() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let err = client(&format!("http://127.0.0.1:{port}/pod"), 3, 1024)
        .get_presence()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(e) if e.kind == TransportErrorKind::Connect),
        "{err:?}"
    );
    assert!(err.is_retryable());
}
