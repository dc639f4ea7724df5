//! Credentials are sent only to the configured pod and login URLs, whatever the HTTP stack is
//! asked to do (redirects, a pod and a login endpoint on different hosts); and no error or
//! `Debug` output shows one, whatever a server echoes or fails to send.

use std::sync::{Arc, Mutex};

use httpmock::MockServer;
use serde_json::json;
use symphony_mock_pod::{MockPod, MockPodConfig, TlsConfig};
use symphony_presence::{
    AppClient, AppCredentials, BotCredentials, Error, HttpSettings, PresenceClient, SessionToken,
    UserId,
};
use symphony_presence_tests::{
    RawReply, RawRequest, RawServer, assert_none_shown, fast_retry, fixture, fixture_text,
    header_in, http_response, renderings,
};

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

// ---------------------------------------------------------------------------------------------
// Redaction: what errors and Debug output show of credentials a server echoed, a body that did
// not decode, a failed connection, or the settings themselves.
// ---------------------------------------------------------------------------------------------

/// The JWT in a login request's `{"token": ...}` body.
fn jwt_of(request: &RawRequest) -> Option<String> {
    let body: serde_json::Value = serde_json::from_slice(&request.body).ok()?;
    Some(body.get("token")?.as_str()?.to_owned())
}

/// The path of a raw request (`POST /login/pubkey/authenticate HTTP/1.1` → `/login/...`).
fn path_of(request: &RawRequest) -> String {
    let line = request
        .head
        .split(|b| *b == b'\n')
        .next()
        .unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    line.split(' ').nth(1).unwrap_or_default().to_owned()
}

/// The JWT's signature: with the header and claims, which are easy to guess, it is the JWT.
fn signature_of(jwt: &str) -> &str {
    jwt.rsplit('.').next().unwrap()
}

/// A login endpoint that refuses every JWT with `reply.0` and an `Error` body whose message is
/// `reply.1` with `{jwt}` and `{signature}` replaced by those of the JWT received. It keeps the
/// JWTs it received.
async fn echoing_login(
    reply: Arc<Mutex<(u16, &'static str)>>,
    received: Arc<Mutex<Vec<String>>>,
) -> RawServer {
    RawServer::start_reading(move |_, request| {
        let jwt = jwt_of(request).unwrap_or_default();
        let (status, template) = *reply.lock().unwrap();
        let message = template
            .replace("{jwt}", &jwt)
            .replace("{signature}", signature_of(&jwt));
        received.lock().unwrap().push(jwt);
        let body = json!({"code": status, "message": message}).to_string();
        RawReply::Bytes(http_response(status, "application/json", body.as_bytes()))
    })
    .await
}

/// Ways a login server may quote the JWT it refuses.
const JWT_ECHOES: [&str; 7] = [
    "invalid JWT {jwt}",
    "{jwt}",
    "token={jwt}",
    "could not verify JWT {jwt}.",
    "Bearer:{jwt}",
    "request was {\"token\":\"{jwt}\"}",
    "bad signature {signature}",
];

#[tokio::test]
async fn a_jwt_echoed_in_a_refused_login_is_in_no_error_display_or_debug() {
    let reply = Arc::new(Mutex::new((401, JWT_ECHOES[0])));
    let received = Arc::new(Mutex::new(Vec::new()));
    let login = echoing_login(reply.clone(), received.clone()).await;
    let login_url = login.pod_url.replace("/pod", "/login");
    let bot = PresenceClient::builder("http://127.0.0.1:9/pod")
        .bot(BotCredentials::from_pem_file("echo-bot", fixture("keys/app-pkcs1.pem")).unwrap())
        .login_url(&login_url)
        .http(HttpSettings::default().retry_policy(fast_retry(2)))
        .build()
        .unwrap();
    let app = AppClient::builder(
        "http://127.0.0.1:9/pod",
        AppCredentials::from_pem_file("echo-app", fixture("keys/app-pkcs8.pem")).unwrap(),
    )
    .login_url(&login_url)
    .http(HttpSettings::default().retry_policy(fast_retry(2)))
    .build()
    .unwrap();

    for status in [401, 400] {
        for template in JWT_ECHOES {
            *reply.lock().unwrap() = (status, template);
            let errors = [
                bot.get_presence().await.unwrap_err(),
                app.authenticate().await.unwrap_err(),
                app.on_behalf_of(UserId(12345))
                    .get_presence()
                    .await
                    .unwrap_err(),
            ];
            let jwts = std::mem::take(&mut *received.lock().unwrap());
            assert_eq!(
                jwts.len(),
                3,
                "each login sent one JWT ({status}, {template})"
            );
            for (error, jwt) in errors.iter().zip(&jwts) {
                assert!(jwt.starts_with("eyJ"), "a JWT was received: {jwt}");
                assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
                // The message is kept, with the credential taken out: not dropped altogether.
                let message = error.service_error().unwrap().message.as_deref().unwrap();
                assert!(message.contains("[REDACTED]"), "{message}");
                assert_none_shown(
                    &format!("login answering {status} {template:?}"),
                    &renderings(error),
                    &[jwt, signature_of(jwt)],
                );
            }
        }
    }
}

#[tokio::test]
async fn a_session_token_echoed_in_an_error_body_is_in_no_error_display_or_debug() {
    const APP_TOKEN: &str = "app-session-token-0123456789";
    const STATIC_TOKEN: &str = "static-session-token-0123456789";
    // The pod and the login API echo the sessionToken header they were sent.
    let server = RawServer::start_reading(|_, request| {
        let token = header_in(&request.head, "sessiontoken")
            .map(|t| String::from_utf8(t).unwrap())
            .unwrap_or_default();
        if path_of(request) == "/login/pubkey/app/authenticate" {
            let body = json!({"token": APP_TOKEN}).to_string();
            return RawReply::Bytes(http_response(200, "application/json", body.as_bytes()));
        }
        let body =
            json!({"code": 401, "message": format!("session sessionToken={token} expired.")})
                .to_string();
        RawReply::Bytes(http_response(401, "application/json", body.as_bytes()))
    })
    .await;
    let static_client = client(&server.pod_url, STATIC_TOKEN);
    let app = AppClient::builder(
        &server.pod_url,
        AppCredentials::from_pem_file("echo-app", fixture("keys/app-pkcs8.pem")).unwrap(),
    )
    .http(HttpSettings::default().retry_policy(fast_retry(2)))
    .build()
    .unwrap();
    let errors = [
        static_client.get_presence().await.unwrap_err(),
        static_client
            .user_presence(UserId(12345))
            .await
            .unwrap_err(),
        // The OBO authentication, sent with the app's token, is refused with it.
        app.on_behalf_of(UserId(12345))
            .get_presence()
            .await
            .unwrap_err(),
    ];
    for error in &errors {
        assert!(matches!(error, Error::Unauthorized(_)), "{error:?}");
        let message = error.service_error().unwrap().message.as_deref().unwrap();
        assert_eq!(message, "session sessionToken=[REDACTED] expired.");
        assert_none_shown(
            "a 401 echoing the session token",
            &renderings(error),
            &[APP_TOKEN, STATIC_TOKEN],
        );
    }
}

/// Login answers that are 200 but do not decode, each quoting a secret-looking value.
const UNDECODABLE_LOGINS: [&str; 6] = [
    r#"{"token": 123, "x": "SECRET-body-value-0123456789"}"#,
    r#""SECRET-body-value-0123456789""#,
    r#"["SECRET-body-value-0123456789"]"#,
    r#"{"token": "SECRET-body-value-0123456789""#,
    r#"{"authorizationToken": "SECRET-body-value-0123456789", "token": {"a": 1}}"#,
    r#"{"token": "SECRET-body-value-0123456789", "name": 7}"#,
];

#[tokio::test]
async fn an_undecodable_authentication_response_quotes_no_body_value() {
    let body = Arc::new(Mutex::new(UNDECODABLE_LOGINS[0]));
    let served = body.clone();
    // App logins succeed, so that OBO authentications are sent; every other login gets `body`.
    let login = RawServer::start_reading(move |_, request| {
        let reply = match path_of(request).as_str() {
            "/login/pubkey/app/authenticate" => r#"{"token": "app-token-0123456789"}"#,
            _ => *served.lock().unwrap(),
        };
        RawReply::Bytes(http_response(200, "application/json", reply.as_bytes()))
    })
    .await;
    let bot = PresenceClient::builder(&login.pod_url)
        .bot(BotCredentials::from_pem_file("bot", fixture("keys/app-pkcs1.pem")).unwrap())
        .http(HttpSettings::default().retry_policy(fast_retry(2)))
        .build()
        .unwrap();
    let app = AppClient::builder(
        &login.pod_url,
        AppCredentials::from_pem_file("my-app", fixture("keys/app-pkcs8.pem")).unwrap(),
    )
    .http(HttpSettings::default().retry_policy(fast_retry(2)))
    .build()
    .unwrap();
    for reply in UNDECODABLE_LOGINS {
        *body.lock().unwrap() = reply;
        let errors = [
            bot.get_presence().await.unwrap_err(),
            app.on_behalf_of(UserId(12345))
                .get_presence()
                .await
                .unwrap_err(),
        ];
        for error in &errors {
            let Error::Decode(decode) = error else {
                panic!("{reply}: expected a decode error, got {error:?}");
            };
            assert!(decode.request.is_authentication(), "{error:?}");
            assert_eq!(decode.status.map(|s| s.as_u16()), Some(200));
            assert!(decode.body.is_empty(), "{reply}: {:?}", decode.body);
            assert_none_shown(
                &format!("a login answering {reply}"),
                &renderings(error),
                &["SECRET-body-value-0123456789", "app-token-0123456789"],
            );
            // Nor anything else of the body: serde's messages quote integers and keys too.
            for shown in renderings(error) {
                assert!(
                    !shown.contains("123") && !shown.contains("authorizationToken"),
                    "{reply}: {shown}"
                );
            }
        }
    }
}

/// A proxy password, and the `Proxy-Authorization` value it makes.
const PROXY_USER: &str = "proxy-user";
const PROXY_PASSWORD: &str = "proxy-password-0123456789";

fn proxy_authorization() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{PROXY_USER}:{PROXY_PASSWORD}"))
}

/// A port on 127.0.0.1 that refuses connections: bound, then closed.
async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn transport_errors_through_a_proxy_with_a_password_show_no_credential() {
    // One proxy refuses connections; another answers every request and CONNECT with 407.
    let refusing = format!(
        "http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{}",
        closed_port().await
    );
    let demanding = RawServer::start(|_| {
        RawReply::Bytes(
            b"HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm=\"x\"\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                .to_vec(),
        )
    })
    .await;
    let demanding = demanding
        .pod_url
        .replace("/pod", "")
        .replace("http://", &format!("http://{PROXY_USER}:{PROXY_PASSWORD}@"));
    let key_lines = key_lines(&["keys/app-pkcs1.pem"]);
    let mut secrets = vec![
        PROXY_PASSWORD.to_owned(),
        proxy_authorization(),
        "static-token-0123456789".to_owned(),
    ];
    secrets.extend(key_lines);
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();

    let mut transport_errors = 0;
    for proxy in [&refusing, &demanding] {
        // Plain HTTP goes to the proxy in absolute form; HTTPS through a CONNECT tunnel.
        for pod_url in ["http://127.0.0.1:9/pod", "https://127.0.0.1:9/pod"] {
            let http = HttpSettings::default()
                .retry_policy(fast_retry(2))
                .proxy(proxy)
                .unwrap();
            let static_client = PresenceClient::builder(pod_url)
                .session_token("static-token-0123456789")
                .http(http.clone())
                .build()
                .unwrap();
            let bot = PresenceClient::builder(pod_url)
                .bot(BotCredentials::from_pem_file("bot", fixture("keys/app-pkcs1.pem")).unwrap())
                .http(http)
                .build()
                .unwrap();
            for error in [
                static_client.get_presence().await.unwrap_err(),
                bot.get_presence().await.unwrap_err(),
            ] {
                transport_errors += usize::from(matches!(error, Error::Transport(_)));
                let mut shown = renderings(&error);
                if let Error::Transport(transport) = &error {
                    shown.extend(renderings(&**transport));
                }
                assert_none_shown(&format!("via {pod_url}"), &shown, &secrets);
                assert!(shown.iter().all(|s| !s.contains("eyJ")), "{shown:?}");
            }
        }
    }
    // The refusing proxy fails all four calls, and the 407 to CONNECT both HTTPS ones; the 407
    // to a plain request is an answer (a `BadRequest`), also scanned.
    assert!(transport_errors >= 6, "{transport_errors}");
}

/// Every base64 line of the PEM files, long enough to be key material rather than padding.
fn key_lines(files: &[&str]) -> Vec<String> {
    files
        .iter()
        .flat_map(|k| {
            fixture_text(k)
                .lines()
                .filter(|l| !l.starts_with("-----") && l.len() >= 16)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test]
async fn settings_builders_and_credentials_debug_show_no_proxy_credential_key_or_token() {
    const TOKEN: &str = "static-token-0123456789";
    const GATEWAY_KEY: &str = "gateway-key-0123456789";
    let with_url_credentials = HttpSettings::default()
        .proxy(&format!(
            "http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:3128"
        ))
        .unwrap()
        .default_header("x-gateway-key", GATEWAY_KEY)
        .unwrap();
    let with_credentials = HttpSettings::default()
        .proxy("http://127.0.0.1:3128")
        .unwrap()
        .proxy_credentials(PROXY_USER, PROXY_PASSWORD);

    let tls_pod = MockPod::start(MockPodConfig::default().users(1).tls(TlsConfig::default()))
        .await
        .unwrap();
    let certificate = tls_pod.issue_client_certificate("cert-bot").unwrap();
    let bot_key = BotCredentials::from_pem_file("bot", fixture("keys/app-pkcs1.pem")).unwrap();
    let bot_certificate = BotCredentials::from_identity_pem(&certificate.identity_pem()).unwrap();
    let app_key = AppCredentials::from_pem_file("my-app", fixture("keys/app-pkcs8.pem")).unwrap();
    let app_certificate = AppCredentials::from_certificate_pem(
        "cert-app",
        certificate.certificate_pem(),
        certificate.private_key_pem(),
    )
    .unwrap();

    let mut shown = Vec::new();
    let mut show = |value: &dyn std::fmt::Debug| {
        shown.extend([format!("{value:?}"), format!("{value:#?}")]);
    };
    for http in [&with_url_credentials, &with_credentials] {
        show(http);
        let token_builder = PresenceClient::builder("http://127.0.0.1:9/pod")
            .session_token(TOKEN)
            .http(http.clone());
        show(&token_builder);
        show(&token_builder.build().unwrap());
        let provider = symphony_presence_tests::CountingSession::new(&[TOKEN]);
        show(&provider);
        let provider_builder = PresenceClient::builder("http://127.0.0.1:9/pod")
            .session(provider)
            .http(http.clone());
        show(&provider_builder);
        show(&provider_builder.build().unwrap());
        for bot in [&bot_key, &bot_certificate] {
            let builder = PresenceClient::builder("http://127.0.0.1:9/pod")
                .bot(bot.clone())
                .http(http.clone());
            show(&builder);
            show(&builder.build().unwrap());
        }
        for app in [&app_key, &app_certificate] {
            let builder =
                AppClient::builder("http://127.0.0.1:9/pod", app.clone()).http(http.clone());
            show(&builder);
            let built = builder.build().unwrap();
            show(&built);
            show(&built.on_behalf_of(UserId(12345)));
        }
    }
    for value in [
        &bot_key as &dyn std::fmt::Debug,
        &bot_certificate as &dyn std::fmt::Debug,
        &app_key as &dyn std::fmt::Debug,
        &app_certificate as &dyn std::fmt::Debug,
    ] {
        show(value);
    }
    show(&symphony_presence::PrivateKey::from_pem_file(fixture("keys/other-pkcs8.pem")).unwrap());
    show(&SessionToken::new(TOKEN).unwrap());

    let mut secrets = vec![
        PROXY_PASSWORD.to_owned(),
        proxy_authorization(),
        TOKEN.to_owned(),
        GATEWAY_KEY.to_owned(),
    ];
    secrets.extend(key_lines(&[
        "keys/app-pkcs1.pem",
        "keys/app-pkcs8.pem",
        "keys/other-pkcs8.pem",
    ]));
    let certificate_key = certificate.private_key_pem().to_owned();
    secrets.extend(
        certificate_key
            .lines()
            .filter(|l| !l.starts_with("-----") && l.len() >= 16)
            .map(str::to_owned),
    );
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    assert_none_shown("Debug output", &shown, &secrets);
    // The values that are not secret are shown: the Debug output says something.
    let all = shown.join("\n");
    assert!(
        all.contains("127.0.0.1:3128") && all.contains("x-gateway-key"),
        "{all}"
    );
    assert!(all.contains("[REDACTED]"), "{all}");
    tls_pod.shutdown().await;
}
