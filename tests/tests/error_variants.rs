//! Every variant of `Error`, raised by a real call: what `is_auth()`, `trace_id()` and
//! `operation()` say, and the `{:#}`-style rendering of its source chain (each message once).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use httpmock::{HttpMockResponse, Mock, MockServer};
use serde_json::json;
use symphony_presence::{
    AppClient, AppCredentials, BotCredentials, Error, FeedId, HttpSettings, KeyError, Operation,
    PresenceCategory, PresenceClient, RetryPolicy, TransportErrorKind, UserId,
};
use symphony_presence_tests::{
    RawReply, RawServer, alternate, error_chain, fast_retry, fixture, token_client,
};

/// A session token that occurs in no server message (messages echoing it are redacted).
const TOKEN: &str = "session-token-0123456789";

/// The `X-Trace-Id`s a mock received, in order.
#[derive(Clone, Default)]
struct Traces(Arc<Mutex<Vec<String>>>);

impl Traces {
    fn last(&self) -> String {
        self.0.lock().unwrap().last().cloned().expect("a request")
    }
    fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

/// Answers `method path` with `status`, `body` and `headers`, recording each trace id.
async fn answer<'a>(
    server: &'a MockServer,
    (method, path): (&str, &str),
    status: u16,
    body: serde_json::Value,
    headers: &[(&'static str, &'static str)],
    traces: &Traces,
) -> Mock<'a> {
    let (record, headers) = (traces.clone(), headers.to_vec());
    server
        .mock_async(|when, then| {
            when.method(method).path(path);
            then.respond_with(move |req| {
                let trace = req
                    .headers()
                    .get("x-trace-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                record.0.lock().unwrap().push(trace);
                let mut response = HttpMockResponse::builder()
                    .status(status)
                    .header("content-type", "application/json")
                    .body(body.to_string());
                for (name, value) in &headers {
                    response = response.header(*name, *value);
                }
                response.build()
            });
        })
        .await
}

fn error_body(status: u16, message: &str) -> serde_json::Value {
    json!({"code": status, "message": message})
}

fn app(server: &MockServer) -> AppClient {
    let credentials =
        AppCredentials::from_pem_file("my-app", fixture("keys/app-pkcs1.pem")).unwrap();
    AppClient::builder(server.url("/pod"), credentials)
        .http(HttpSettings::default().retry_policy(fast_retry(2)))
        .build()
        .unwrap()
}

/// Checks what every error promises about its text, and returns its `{:#}`-style rendering:
/// `Display` is one line; no message of the source chain is printed twice.
fn rendered(err: &Error) -> String {
    let parts = error_chain(err);
    assert!(!parts[0].contains('\n'), "{:?}", parts[0]);
    for (i, earlier) in parts.iter().enumerate() {
        for later in &parts[i + 1..] {
            assert!(
                !earlier.contains(later.as_str()),
                "{later:?} is printed twice: {parts:#?}"
            );
        }
    }
    alternate(err)
}

fn assert_operation(op: Operation, display: &str, method: &str, path: &str, auth: bool) {
    assert_eq!(op.to_string(), display);
    assert_eq!(op.name(), display.split(' ').next().unwrap());
    assert_eq!(op.http_method(), Some(method));
    assert_eq!(op.path(), Some(path));
    assert_eq!(op.is_authentication(), auth);
}

fn assert_trace_id_shape(trace: Option<&str>) {
    let trace = trace.expect("a trace id");
    assert!(
        trace.len() == 16 && trace.bytes().all(|b| b.is_ascii_hexdigit()),
        "{trace}"
    );
}

#[tokio::test]
async fn bad_request_from_the_pod_is_not_auth_and_names_the_operation() {
    let server = MockServer::start_async().await;
    let traces = Traces::default();
    answer(
        &server,
        ("GET", "/pod/v2/user/presence"),
        400,
        error_body(400, "Client error"),
        &[],
        &traces,
    )
    .await;
    let err = token_client(&server.url("/pod"), TOKEN, fast_retry(3))
        .get_presence()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::BadRequest(_)), "{err:?}");
    assert!(!err.is_auth());
    assert_eq!(err.trace_id(), Some(traces.last().as_str()));
    assert_operation(
        err.operation(),
        "get_presence (GET /v2/user/presence)",
        "GET",
        "/v2/user/presence",
        false,
    );
    assert_eq!(err.service_error().unwrap().request, err.operation());
    assert_eq!(
        rendered(&err),
        "bad request: get_presence (GET /v2/user/presence) answered HTTP 400: Client error (code 400)"
    );
}

#[tokio::test]
async fn a_pod_401_that_persists_after_a_refresh_is_unauthorized_and_auth() {
    let server = MockServer::start_async().await;
    let (logins, pod) = (Traces::default(), Traces::default());
    answer(
        &server,
        ("POST", "/login/pubkey/authenticate"),
        200,
        json!({"token": "bot-token"}),
        &[],
        &logins,
    )
    .await;
    answer(
        &server,
        ("GET", "/pod/v2/user/presence"),
        401,
        error_body(401, "Invalid session"),
        &[],
        &pod,
    )
    .await;
    let bot = PresenceClient::builder(server.url("/pod"))
        .bot(BotCredentials::from_pem_file("my-bot", fixture("keys/app-pkcs8.pem")).unwrap())
        .http(HttpSettings::default().retry_policy(fast_retry(3)))
        .build()
        .unwrap();
    let err = bot.get_presence().await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert!(err.is_auth());
    // The bot authenticated, the pod refused, the bot authenticated again, the pod refused again.
    assert_eq!((logins.count(), pod.count()), (2, 2));
    assert_eq!(err.trace_id(), Some(pod.last().as_str()));
    assert_operation(
        err.operation(),
        "get_presence (GET /v2/user/presence)",
        "GET",
        "/v2/user/presence",
        false,
    );
    assert_eq!(err.service_error().unwrap().request, err.operation());
    assert_eq!(
        rendered(&err),
        "authentication failed: unauthorized: get_presence (GET /v2/user/presence) answered \
         HTTP 401: Invalid session (code 401)"
    );
}

#[tokio::test]
async fn an_obo_login_401_during_get_presence_is_auth_and_names_get_presence_and_the_login() {
    let server = MockServer::start_async().await;
    let (app_logins, obo_logins, pod) = (Traces::default(), Traces::default(), Traces::default());
    answer(
        &server,
        ("POST", "/login/pubkey/app/authenticate"),
        200,
        json!({"token": "app-token"}),
        &[],
        &app_logins,
    )
    .await;
    answer(
        &server,
        ("POST", "/login/pubkey/app/user/12345/authenticate"),
        401,
        error_body(401, "Invalid app session"),
        &[],
        &obo_logins,
    )
    .await;
    answer(
        &server,
        ("GET", "/pod/v2/user/presence"),
        200,
        json!({"category": "AVAILABLE"}),
        &[],
        &pod,
    )
    .await;
    let err = app(&server)
        .on_behalf_of(UserId(12345))
        .get_presence()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert!(err.is_auth());
    assert_eq!(pod.count(), 0, "nothing reached the pod");
    assert_eq!(err.trace_id(), Some(obo_logins.last().as_str()));
    assert_operation(
        err.operation(),
        "get_presence (GET /v2/user/presence)",
        "GET",
        "/v2/user/presence",
        false,
    );
    let e = err.service_error().unwrap();
    assert_operation(
        e.request,
        "authenticate_on_behalf_of (POST /pubkey/app/user/{userId}/authenticate)",
        "POST",
        "/pubkey/app/user/{userId}/authenticate",
        true,
    );
    assert_eq!(
        rendered(&err),
        "authentication failed: unauthorized: authenticate_on_behalf_of \
         (POST /pubkey/app/user/{userId}/authenticate) answered HTTP 401: Invalid app session \
         (code 401); the user may not have installed the app, or the app may not be allowed to \
         act on behalf of users"
    );
}

#[tokio::test]
async fn forbidden_from_the_pod_is_not_auth() {
    let server = MockServer::start_async().await;
    let traces = Traces::default();
    answer(
        &server,
        ("GET", "/pod/v2/users/presence"),
        403,
        error_body(403, "Caller lacks necessary entitlement."),
        &[],
        &traces,
    )
    .await;
    let err = token_client(&server.url("/pod"), TOKEN, fast_retry(3))
        .list_presence_page()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    assert!(!err.is_auth());
    assert_eq!(traces.count(), 1);
    assert_eq!(err.trace_id(), Some(traces.last().as_str()));
    assert_operation(
        err.operation(),
        "list_presence_page (GET /v2/users/presence)",
        "GET",
        "/v2/users/presence",
        false,
    );
    assert_eq!(
        rendered(&err),
        "forbidden: list_presence_page (GET /v2/users/presence) answered HTTP 403: Caller lacks \
         necessary entitlement. (code 403)"
    );
}

#[tokio::test]
async fn forbidden_from_an_app_login_is_auth() {
    let server = MockServer::start_async().await;
    let traces = Traces::default();
    answer(
        &server,
        ("POST", "/login/pubkey/app/authenticate"),
        403,
        error_body(403, "App disabled"),
        &[],
        &traces,
    )
    .await;
    let err = app(&server).authenticate().await.unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    assert!(err.is_auth());
    assert_eq!(err.trace_id(), Some(traces.last().as_str()));
    assert_operation(
        err.operation(),
        "authenticate_app (POST /pubkey/app/authenticate)",
        "POST",
        "/pubkey/app/authenticate",
        true,
    );
    assert_eq!(
        rendered(&err),
        "authentication failed: forbidden: authenticate_app (POST /pubkey/app/authenticate) \
         answered HTTP 403: App disabled (code 403)"
    );
}

#[tokio::test]
async fn not_found_from_the_pod_is_not_auth() {
    let server = MockServer::start_async().await;
    let traces = Traces::default();
    answer(
        &server,
        ("GET", "/pod/v3/user/7/presence"),
        404,
        error_body(404, "User id cannot be located"),
        &[],
        &traces,
    )
    .await;
    let err = token_client(&server.url("/pod"), TOKEN, fast_retry(3))
        .user_presence(UserId(7))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert!(!err.is_auth());
    assert_eq!(err.trace_id(), Some(traces.last().as_str()));
    assert_operation(
        err.operation(),
        "user_presence (GET /v3/user/{uid}/presence)",
        "GET",
        "/v3/user/{uid}/presence",
        false,
    );
    assert_eq!(
        rendered(&err),
        "not found: user_presence (GET /v3/user/{uid}/presence) answered HTTP 404: User id \
         cannot be located (code 404)"
    );
}

#[tokio::test]
async fn not_found_from_an_obo_login_by_username_is_auth() {
    let server = MockServer::start_async().await;
    let (app_logins, obo_logins) = (Traces::default(), Traces::default());
    answer(
        &server,
        ("POST", "/login/pubkey/app/authenticate"),
        200,
        json!({"token": "app-token"}),
        &[],
        &app_logins,
    )
    .await;
    answer(
        &server,
        ("POST", "/login/pubkey/app/username/nobody/authenticate"),
        404,
        error_body(404, "User cannot be located"),
        &[],
        &obo_logins,
    )
    .await;
    let err = app(&server)
        .on_behalf_of_username("nobody")
        .set_presence(PresenceCategory::Away)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert!(err.is_auth());
    assert_eq!(err.trace_id(), Some(obo_logins.last().as_str()));
    assert_operation(
        err.operation(),
        "set_presence (POST /v2/user/presence)",
        "POST",
        "/v2/user/presence",
        false,
    );
    assert_operation(
        err.service_error().unwrap().request,
        "authenticate_on_behalf_of_username (POST /pubkey/app/username/{username}/authenticate)",
        "POST",
        "/pubkey/app/username/{username}/authenticate",
        true,
    );
    assert_eq!(
        rendered(&err),
        "authentication failed: not found: authenticate_on_behalf_of_username \
         (POST /pubkey/app/username/{username}/authenticate) answered HTTP 404: User cannot be \
         located (code 404)"
    );
}

#[tokio::test]
async fn rate_limited_is_not_auth_and_carries_retry_after() {
    let server = MockServer::start_async().await;
    let traces = Traces::default();
    answer(
        &server,
        ("POST", "/pod/v1/user/presence/register"),
        429,
        error_body(429, "Too many requests"),
        &[("retry-after", "7")],
        &traces,
    )
    .await;
    let err = token_client(&server.url("/pod"), TOKEN, fast_retry(3))
        .register_interest([UserId(1)])
        .retry(RetryPolicy::none())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RateLimited(_)), "{err:?}");
    assert!(!err.is_auth());
    assert!(err.is_retryable());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(
        traces.count(),
        1,
        "the call's retry policy replaced the client's"
    );
    assert_eq!(err.trace_id(), Some(traces.last().as_str()));
    assert_operation(
        err.operation(),
        "register_interest (POST /v1/user/presence/register)",
        "POST",
        "/v1/user/presence/register",
        false,
    );
    assert_eq!(
        rendered(&err),
        "rate limited: register_interest (POST /v1/user/presence/register) answered HTTP 429: \
         Too many requests (code 429)"
    );
}

#[tokio::test]
async fn a_server_error_from_the_pod_is_not_auth() {
    let server = MockServer::start_async().await;
    let traces = Traces::default();
    answer(
        &server,
        ("POST", "/pod/v2/user/presence"),
        500,
        error_body(500, "Server error"),
        &[],
        &traces,
    )
    .await;
    let err = token_client(&server.url("/pod"), TOKEN, fast_retry(3))
        .set_presence(PresenceCategory::Busy)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Server(_)), "{err:?}");
    assert!(!err.is_auth());
    assert!(!err.is_retryable(), "a 500 is not retryable in general");
    assert_eq!(err.trace_id(), Some(traces.last().as_str()));
    assert_operation(
        err.operation(),
        "set_presence (POST /v2/user/presence)",
        "POST",
        "/v2/user/presence",
        false,
    );
    assert_eq!(
        rendered(&err),
        "server error: set_presence (POST /v2/user/presence) answered HTTP 500: Server error \
         (code 500)"
    );
}

#[tokio::test]
async fn a_5xx_during_login_is_not_auth() {
    let server = MockServer::start_async().await;
    let (app_logins, pod) = (Traces::default(), Traces::default());
    answer(
        &server,
        ("POST", "/login/pubkey/app/authenticate"),
        503,
        error_body(503, "Service unavailable"),
        &[],
        &app_logins,
    )
    .await;
    answer(
        &server,
        ("GET", "/pod/v2/user/presence"),
        200,
        json!({"category": "AVAILABLE"}),
        &[],
        &pod,
    )
    .await;
    let err = app(&server)
        .on_behalf_of(UserId(12345))
        .get_presence()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Server(_)), "{err:?}");
    assert!(
        !err.is_auth(),
        "a server failure says nothing about the credentials"
    );
    assert!(err.is_retryable());
    assert_eq!(app_logins.count(), 2, "retried as the policy says");
    assert_eq!(pod.count(), 0);
    assert_eq!(err.trace_id(), Some(app_logins.last().as_str()));
    assert_operation(
        err.operation(),
        "get_presence (GET /v2/user/presence)",
        "GET",
        "/v2/user/presence",
        false,
    );
    assert_operation(
        err.service_error().unwrap().request,
        "authenticate_app (POST /pubkey/app/authenticate)",
        "POST",
        "/pubkey/app/authenticate",
        true,
    );
    assert_eq!(
        rendered(&err),
        "server error: authenticate_app (POST /pubkey/app/authenticate) answered HTTP 503: \
         Service unavailable (code 503)"
    );
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error_with_its_cause_once() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = token_client(
        &format!("http://127.0.0.1:{port}/pod"),
        TOKEN,
        fast_retry(2),
    )
    .create_feed()
    .await
    .unwrap_err();
    let Error::Transport(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.kind, TransportErrorKind::Connect);
    assert!(!err.is_auth());
    // Nothing was received, but the attempt had its trace id.
    assert_trace_id_shape(err.trace_id());
    assert_operation(
        err.operation(),
        "create_feed (POST /v1/presence/feed/create)",
        "POST",
        "/v1/presence/feed/create",
        false,
    );
    let text = rendered(&err);
    let parts = error_chain(&err);
    assert_eq!(
        parts[0],
        "transport error: create_feed (POST /v1/presence/feed/create): could not connect"
    );
    assert!(parts.len() >= 2, "the cause is in source(): {parts:#?}");
    assert!(text.starts_with(&format!("{}: ", parts[0])), "{text}");
}

#[tokio::test]
async fn an_attempt_over_its_timeout_is_a_transport_error_with_its_cause_once() {
    let server = RawServer::start(|_| RawReply::Stall).await;
    let err = token_client(&server.pod_url, TOKEN, fast_retry(3))
        .read_feed(&FeedId::new("f1"))
        .timeout(Duration::from_millis(300))
        .retry(RetryPolicy::none())
        .await
        .unwrap_err();
    let Error::Transport(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.kind, TransportErrorKind::Timeout);
    assert!(!err.is_auth());
    assert_eq!(server.requests(), 1);
    assert_trace_id_shape(err.trace_id());
    assert_operation(
        err.operation(),
        "read_feed (GET /v1/presence/feed/{feedId}/read)",
        "GET",
        "/v1/presence/feed/{feedId}/read",
        false,
    );
    assert_eq!(
        rendered(&err),
        "transport error: read_feed (GET /v1/presence/feed/{feedId}/read): timed out: \
         no complete response within 300ms"
    );
}

#[tokio::test]
async fn an_undecodable_body_is_a_decode_error_with_the_parser_message_once() {
    let server = MockServer::start_async().await;
    let traces = Traces::default();
    server
        .mock_async(|when, then| {
            when.path("/pod/v2/user/presence");
            let record = traces.clone();
            then.respond_with(move |req| {
                let trace = req.headers()["x-trace-id"].to_str().unwrap().to_owned();
                record.0.lock().unwrap().push(trace);
                HttpMockResponse::builder()
                    .status(200)
                    .header("content-type", "application/json")
                    .body(r#"{"userId": 1}"#)
                    .build()
            });
        })
        .await;
    let err = token_client(&server.url("/pod"), TOKEN, fast_retry(3))
        .get_presence()
        .await
        .unwrap_err();
    let Error::Decode(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.status.map(|s| s.as_u16()), Some(200));
    assert!(!err.is_auth());
    assert_eq!(traces.count(), 1, "an undecodable body is not retried");
    assert_eq!(err.trace_id(), Some(traces.last().as_str()));
    assert_operation(
        err.operation(),
        "get_presence (GET /v2/user/presence)",
        "GET",
        "/v2/user/presence",
        false,
    );
    let parts = error_chain(&err);
    assert_eq!(
        parts[0],
        "cannot decode the response: get_presence (GET /v2/user/presence) answered HTTP 200: \
         unexpected body"
    );
    assert_eq!(parts.len(), 2, "{parts:#?}");
    assert!(parts[1].contains("missing field `category`"), "{parts:#?}");
    assert_eq!(rendered(&err), parts.join(": "));
}

#[tokio::test]
async fn a_login_response_without_a_token_is_a_decode_error_that_quotes_nothing() {
    let server = MockServer::start_async().await;
    let traces = Traces::default();
    answer(
        &server,
        ("POST", "/login/pubkey/authenticate"),
        200,
        json!({"name": "sessionToken", "authorizationToken": "Bearer secret-0123"}),
        &[],
        &traces,
    )
    .await;
    let bot = PresenceClient::builder(server.url("/pod"))
        .bot(BotCredentials::from_pem_file("my-bot", fixture("keys/app-pkcs8.pem")).unwrap())
        .http(HttpSettings::default().retry_policy(fast_retry(3)))
        .build()
        .unwrap();
    let err = bot.get_presence().await.unwrap_err();
    let Error::Decode(e) = &err else {
        panic!("{err:?}")
    };
    assert!(!err.is_auth());
    assert_eq!(e.body, "", "a login response is never quoted");
    assert_eq!(err.trace_id(), Some(traces.last().as_str()));
    assert_eq!(err.operation().name(), "get_presence");
    assert_operation(
        e.request,
        "authenticate_bot (POST /pubkey/authenticate)",
        "POST",
        "/pubkey/authenticate",
        true,
    );
    let text = rendered(&err);
    assert_eq!(
        text,
        "cannot decode the response: authenticate_bot (POST /pubkey/authenticate) answered \
         HTTP 200: the response has no usable token"
    );
    assert!(!format!("{err:?}").contains("secret-0123"));
}

#[tokio::test]
async fn invalid_input_during_a_call_names_the_call_and_has_no_trace_id() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200);
        })
        .await;
    let err = token_client(&server.url("/pod"), TOKEN, fast_retry(3))
        .set_presence(PresenceCategory::Undefined)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(!err.is_auth());
    assert_eq!(err.trace_id(), None, "nothing was sent");
    assert_eq!(err.status(), None);
    assert_eq!(any.calls_async().await, 0);
    assert_operation(
        err.operation(),
        "set_presence (POST /v2/user/presence)",
        "POST",
        "/v2/user/presence",
        false,
    );
    assert_eq!(
        rendered(&err),
        "invalid input: presence UNDEFINED cannot be set: it means no presence has been set"
    );
}

#[test]
fn invalid_input_while_building_is_a_setup_error() {
    let err = PresenceClient::builder("https://acme.symphony.com/pod")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(!err.is_auth());
    assert_eq!(err.trace_id(), None);
    let op = err.operation();
    assert_eq!(op, Operation::SETUP);
    assert_eq!(op.to_string(), "setup");
    assert_eq!(op.name(), "setup");
    assert_eq!((op.http_method(), op.path()), (None, None));
    assert!(!op.is_authentication());
    assert_eq!(
        rendered(&err),
        "invalid input: a way to authenticate is required: .session_token(..), .bot(..) or \
         .session(..)"
    );
}

#[test]
fn a_key_error_is_a_setup_error() {
    let key = AppCredentials::from_pem_file("my-app", fixture("keys/ec-sec1.pem")).unwrap_err();
    assert_eq!(
        key,
        KeyError::NotRsa {
            found: "an EC private key".into()
        }
    );
    let err = Error::from(key);
    assert!(matches!(err, Error::Key(_)), "{err:?}");
    assert!(!err.is_auth());
    assert_eq!(err.trace_id(), None);
    assert_eq!(err.operation(), Operation::SETUP);
    assert_eq!(err.status(), None);
    assert_eq!(
        rendered(&err),
        "invalid key: the key is an EC private key, not an RSA private key"
    );
}
