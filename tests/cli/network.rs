//! `--proxy`, `--deadline` and `--allow-insecure-http`. Every server here is on 127.0.0.1: the
//! host that is not this machine is only ever named to a proxy that refuses to forward to it.

use symphony_presence_tests::{RawReply, RawServer, TestProxy};

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proxy_sees_the_login_and_the_pod_requests_with_its_credentials() {
    let pod = pod().await;
    let proxy = TestProxy::start().await;
    let me = pod.user_id(0);
    let proxy_url = proxy.url_with_credentials("svc-presence", "s3cret-proxy");
    let out = run(obo_args(
        &pod,
        "keys/app-pkcs1.pem",
        me,
        &["--proxy", &proxy_url, "--output", "json", "get"],
    ))
    .await;
    assert_eq!(json_lines(&out)[0]["userId"], me);

    let lines = proxy.request_lines();
    let origin = format!("http://127.0.0.1:{}", pod.port());
    for path in ["/login/pubkey/app/authenticate", "/pod/v2/user/presence"] {
        let target = format!("{origin}{path}");
        assert!(
            lines.iter().any(|l| l.contains(&target)),
            "no request to {target} in {lines:?}"
        );
    }
    assert!(
        lines.iter().any(|l| l.contains(&format!("{origin}/login/"))
            && l.contains(&format!("/user/{me}/"))),
        "no OBO login in {lines:?}"
    );
    for request in proxy.requests() {
        assert_eq!(
            request.proxy_authorization.as_deref(),
            Some("Basic c3ZjLXByZXNlbmNlOnMzY3JldC1wcm94eQ=="),
            "{}",
            request.request_line
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_proxy_exits_5_without_printing_its_password() {
    let pod = pod().await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let out = run(obo_args(
        &pod,
        "keys/app-pkcs1.pem",
        pod.user_id(0),
        &[
            "--proxy",
            &format!("http://svc-presence:s3cret-proxy@127.0.0.1:{closed}"),
            "--deadline",
            "10",
            "get",
        ],
    ))
    .await;
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(!stderr(&out).contains("s3cret"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deadline_ends_a_login_that_never_answers() {
    let silent = RawServer::start(|_| RawReply::Stall).await;
    let started = Instant::now();
    let out = run(strings(&[
        "--pod-url",
        &silent.pod_url,
        "--login-url",
        &silent.pod_url.replace("/pod", "/login"),
        "--app-id",
        "my-app",
        "--app-key",
        &fixture("keys/app-pkcs1.pem").display().to_string(),
        "--obo-user-id",
        "1",
        "--deadline",
        "1",
        "get",
    ]))
    .await;
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("1s deadline, waiting for authentication"),
        "{}",
        stderr(&out)
    );
    // 1 s, and a generous margin for starting the binary on a loaded machine.
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_to_another_machine_needs_allow_insecure_http() {
    // pod.example is not this machine, so the SDK refuses to send a token there in clear text.
    // The request can only reach the proxy, which refuses (502) to forward off this machine.
    let proxy = TestProxy::start().await;
    let args = |extra: &[&str]| {
        let mut all = strings(&[
            "--pod-url",
            "http://pod.example:9/pod",
            "--session-token",
            "t",
            "--proxy",
            &proxy.url(),
            "--deadline",
            "5",
            "--timeout",
            "2",
        ]);
        all.extend(strings(extra));
        all.push("get".into());
        all
    };

    let refused = run(args(&[])).await;
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("clear text")
            && stderr(&refused).contains("--allow-insecure-http"),
        "{}",
        stderr(&refused)
    );
    assert!(
        proxy.request_lines().is_empty(),
        "{:?}",
        proxy.request_lines()
    );

    let allowed = run(args(&["--allow-insecure-http"])).await;
    assert_eq!(allowed.status.code(), Some(5), "{}", stderr(&allowed));
    let lines = proxy.request_lines();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("GET http://pod.example:9/pod/")),
        "{lines:?}"
    );
}
