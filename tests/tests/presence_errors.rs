//! Each class of failure maps to its Error variant, with the status, code and message.

use httpmock::MockServer;
use serde_json::json;
use symphony_presence::{Error, PresenceClient, SessionToken};
use symphony_presence_tests::{fast_retry, token_client};

const TOKEN: &str = "secret-token-0123456789";

async fn answer(status: u16, content_type: &str, body: &str) -> (MockServer, PresenceClient) {
    let server = MockServer::start_async().await;
    let (content_type, body) = (content_type.to_owned(), body.to_owned());
    server
        .mock_async(|when, then| {
            when.path("/pod/v2/user/presence");
            then.status(status)
                .header("content-type", content_type)
                .body(body);
        })
        .await;
    let c = token_client(&server.url("/pod"), TOKEN, fast_retry(1));
    (server, c)
}

#[tokio::test]
async fn each_error_status_maps_to_its_variant_with_code_and_message() {
    for status in [400u16, 401, 403, 404, 409, 429, 500, 502, 503] {
        let body = json!({"code": status, "message": format!("m{status}")}).to_string();
        let (_server, c) = answer(status, "application/json", &body).await;
        let err = c.get_presence().await.unwrap_err();
        let ok = matches!(
            (&err, status),
            (Error::BadRequest(_), 400 | 409)
                | (Error::Unauthorized(_), 401)
                | (Error::Forbidden(_), 403)
                | (Error::NotFound(_), 404)
                | (Error::RateLimited(_), 429)
                | (Error::Server(_), 500 | 502 | 503)
        );
        assert!(ok, "{status} became {err:?}");
        let e = err.service_error().unwrap();
        assert_eq!(e.status.as_u16(), status);
        assert_eq!(e.code, Some(i32::from(status)));
        assert_eq!(e.message.as_deref(), Some(format!("m{status}").as_str()));
        assert_eq!(e.operation.name(), "get_presence");
        assert_eq!(e.request, e.operation);
        assert_eq!(e.trace_id.len(), 16, "{}", e.trace_id);
        assert_eq!(err.trace_id(), Some(e.trace_id.as_str()));
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
    }
}

#[tokio::test]
async fn an_error_status_without_an_error_body_keeps_its_status() {
    let (_server, c) = answer(401, "text/html", "<html>Login</html>").await;
    let Err(Error::Unauthorized(e)) = c.get_presence().await else {
        panic!()
    };
    assert_eq!(
        (e.status.as_u16(), e.code, e.message.clone()),
        (401, None, None)
    );
}

#[tokio::test]
async fn rate_limited_carries_retry_after() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/pod/v2/user/presence");
            then.status(429)
                .header("retry-after", "7")
                .json_body(json!({"code": 429, "message": "slow down"}));
        })
        .await;
    let c = token_client(&server.url("/pod"), TOKEN, fast_retry(1));
    let err = c.get_presence().await.unwrap_err();
    let Error::RateLimited(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.retry_after, Some(std::time::Duration::from_secs(7)));
    assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(7)));
    assert_eq!(e.message.as_deref(), Some("slow down"));
}

#[tokio::test]
async fn malformed_html_and_empty_200s_are_decode_errors_with_their_status() {
    for (content_type, body, excerpt) in [
        (
            "application/json",
            r#"{"category": "AVAIL"#,
            r#"{"category": "AVAIL"#,
        ),
        (
            "text/html",
            "<html><body>Maintenance</body></html>",
            "<html><body>Maintenance</body></html>",
        ),
        ("application/json", "", ""),
    ] {
        let (_server, c) = answer(200, content_type, body).await;
        let Err(Error::Decode(e)) = c.get_presence().await else {
            panic!("{body:?}")
        };
        assert_eq!(e.status.map(|s| s.as_u16()), Some(200));
        assert_eq!(e.operation.name(), "get_presence");
        assert_eq!(e.body, excerpt);
    }
}

#[tokio::test]
async fn decode_error_quotes_at_most_512_bytes_of_the_body() {
    let long = format!("<html>{}</html>", "x".repeat(5000));
    let (_server, c) = answer(200, "text/html", &long).await;
    let Err(Error::Decode(e)) = c.get_presence().await else {
        panic!()
    };
    assert_eq!(e.body.len(), 512);
    assert!(long.starts_with(&e.body));
}

#[tokio::test]
async fn a_server_message_echoing_the_token_is_redacted() {
    let body = json!({"code": 401, "message": format!("session {TOKEN} expired")}).to_string();
    let (_server, c) = answer(401, "application/json", &body).await;
    let err = c.get_presence().await.unwrap_err();
    assert_eq!(
        err.service_error().unwrap().message.as_deref(),
        Some("session [REDACTED] expired")
    );
}

#[tokio::test]
async fn debug_and_display_of_the_client_and_its_errors_never_show_the_token() {
    let (_server, c) = answer(
        401,
        "application/json",
        r#"{"code":401,"message":"Invalid session"}"#,
    )
    .await;
    let err = c.get_presence().await.unwrap_err();
    for text in [
        format!("{c:?}"),
        format!("{c:#?}"),
        format!("{err}"),
        format!("{err:?}"),
        format!("{err:#?}"),
    ] {
        assert!(!text.contains(TOKEN), "token leaked into: {text}");
    }
    assert!(format!("{c:?}").contains("REDACTED"));
    assert_eq!(
        err.to_string(),
        "authentication failed: unauthorized: get_presence (GET /v2/user/presence) answered HTTP 401: Invalid session (code 401)"
    );
}

#[test]
fn tokens_with_control_characters_or_edge_whitespace_are_refused_before_sending() {
    // Each case alone, so that one refused character cannot hide another that is accepted.
    for bad in [
        "", "a\r\nb", "a\nb", "a\rb", "a\tb", "a\u{0}b", "a\u{7f}b", " s3cr3t", "s3cr3t ",
        "\ts3cr3t", "s3cr3t\t",
    ] {
        let err = PresenceClient::builder("https://x/pod")
            .session_token(bad)
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{bad:?}: {err:?}");
        assert!(bad.is_empty() || !err.to_string().contains(bad), "{err}");
        assert!(
            matches!(SessionToken::new(bad), Err(Error::InvalidInput(_))),
            "{bad:?}"
        );
    }
    // A space inside is a valid header character: sent as given (see properties.rs).
    assert_eq!(SessionToken::new("a b").unwrap().expose(), "a b");
}

#[test]
fn bad_pod_urls_are_refused_without_echoing_them() {
    for url in [
        "not a url",
        "ftp://x/pod",
        "https://user:pw@x/pod",
        "https://x/pod?a=b",
        "/pod",
    ] {
        let err = PresenceClient::builder(url)
            .session_token("t")
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{url}");
        assert!(!err.to_string().contains("pw"), "{err}");
    }
    let missing = PresenceClient::builder("https://x/pod")
        .build()
        .unwrap_err();
    assert!(missing.to_string().contains("session"), "{missing}");
}
