//! The `symphony-presence` binary run as a user would, against the mock pod: every command in
//! both output forms, and each exit code. (Built as a test of symphony-presence-cli so that
//! cargo builds the binary first.)

mod config;
mod network;
mod tls;
mod watch;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use symphony_mock_pod::{Faults, MockPod, MockPodConfig, RunningMockPod};
use symphony_presence_tests::{fixture, fixture_text};

const BIN: &str = env!("CARGO_BIN_EXE_symphony-presence");

/// The longest one run of the binary may take before its test fails. Every run here takes a
/// few seconds at most; the margin is for a loaded machine.
const RUN_LIMIT: Duration = Duration::from_secs(120);

/// The environment variables the binary reads, removed from every run so that the machine's
/// own settings cannot change a test.
const CLI_VARIABLES: [&str; 6] = [
    "SYMPHONY_CONFIG",
    "SYMPHONY_POD_URL",
    "SYMPHONY_LOGIN_URL",
    "SYMPHONY_SESSION_AUTH_URL",
    "SYMPHONY_SESSION_TOKEN",
    "SYMPHONY_PROXY",
];

/// The variables that would exempt a request from an environment proxy (`NO_PROXY`,
/// `no_proxy`), or make HTTP clients ignore `HTTP_PROXY` as a CGI program must
/// (`REQUEST_METHOD`), also removed from every run: set on this machine, they would let the
/// proxy test pass whether the binary ignored the proxy variables or not.
const PROXY_EXEMPTIONS: [&str; 3] = ["NO_PROXY", "no_proxy", "REQUEST_METHOD"];

async fn pod() -> RunningMockPod {
    let config = MockPodConfig::default()
        .users(30)
        .app("my-app", fixture_text("keys/app-public.pem"));
    MockPod::start(config).await.unwrap()
}

/// The global options for OBO as `user` of my-app, signing with `key`, then `args`.
fn obo_args(pod: &RunningMockPod, key: &str, user: i64, args: &[&str]) -> Vec<String> {
    let mut all = vec![
        "--pod-url".to_owned(),
        pod.pod_url(),
        "--app-id".into(),
        "my-app".into(),
        "--app-key".into(),
        fixture(key).display().to_string(),
        "--obo-user-id".into(),
        user.to_string(),
        "--timeout".into(),
        "5".into(),
    ];
    all.extend(args.iter().map(|s| (*s).to_owned()));
    all
}

/// Runs the binary with OBO authentication for seeded user 0, plus `args`.
async fn run_obo(pod: &RunningMockPod, args: &[&str]) -> Output {
    run(obo_args(pod, "keys/app-pkcs1.pem", pod.user_id(0), args)).await
}

async fn run(args: Vec<String>) -> Output {
    run_with_env(args, Vec::new()).await
}

async fn run_with_env(args: Vec<String>, env: Vec<(&'static str, String)>) -> Output {
    tokio::task::spawn_blocking(move || run_bounded(&args, env))
        .await
        .unwrap()
}

/// Runs the binary to its end, killing it and failing the test after [`RUN_LIMIT`].
fn run_bounded(args: &[String], env: Vec<(&'static str, String)>) -> Output {
    finish_bounded(spawn(args, env), args)
}

/// Starts the binary with `args`, without the machine's own settings, and stdout and stderr
/// piped.
fn spawn(args: &[String], env: Vec<(&'static str, String)>) -> std::process::Child {
    let mut command = Command::new(BIN);
    for name in CLI_VARIABLES.into_iter().chain(PROXY_EXEMPTIONS) {
        command.env_remove(name);
    }
    command
        .args(args)
        .envs(env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for `child` to end, killing it and failing the test after [`RUN_LIMIT`].
fn finish_bounded(mut child: std::process::Child, args: &[String]) -> Output {
    let stdout = read_to_end(child.stdout.take().unwrap());
    let stderr = read_to_end(child.stderr.take().unwrap());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("symphony-presence {args:?} still ran after {RUN_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

fn read_to_end(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

/// `args` as owned strings.
fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| (*s).to_owned()).collect()
}

/// A fresh directory under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "symphony-presence-cli-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    /// Writes `contents` to `name` in the directory and returns its path as a string.
    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path.display().to_string()
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json_lines(out: &Output) -> Vec<Value> {
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(out));
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_set_user_in_json_and_table() {
    let pod = pod().await;
    let me = pod.user_id(0);
    let got = json_lines(&run_obo(&pod, &["--output", "json", "get"]).await);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["userId"], me);
    assert_eq!(got[0]["category"], "AVAILABLE");
    assert_eq!(got[0]["externalView"], "AVAILABLE");
    assert!(got[0]["timestamp"].is_i64());

    let set = json_lines(&run_obo(&pod, &["--output", "json", "set", "BE_RIGHT_BACK"]).await);
    assert_eq!(
        (set[0]["category"].as_str(), set[0]["externalView"].as_str()),
        (Some("BE_RIGHT_BACK"), Some("AWAY"))
    );
    assert_eq!(pod.category_of(me).as_deref(), Some("BE_RIGHT_BACK"));

    let table = run_obo(&pod, &["set", "DO_NOT_DISTURB", "--soft"]).await;
    assert_eq!(table.status.code(), Some(0), "{}", stderr(&table));
    let text = stdout(&table);
    assert!(text.starts_with("USER ID"), "{text}");
    assert!(
        text.contains("DO_NOT_DISTURB (deprecated 20.16)") && text.contains("AWAY"),
        "{text}"
    );

    let other = pod.user_id(9).to_string();
    let user = json_lines(&run_obo(&pod, &["--output", "json", "user", &other, "--local"]).await);
    assert_eq!(user[0]["userId"].to_string(), other);
    assert_eq!(user[0]["category"], "DO_NOT_DISTURB");
    let table = run_obo(&pod, &["user", &other]).await;
    assert!(stdout(&table).contains(&other));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_streams_every_page() {
    let pod = pod().await;
    let all = json_lines(&run_obo(&pod, &["--output", "json", "list", "--page-size", "7"]).await);
    assert_eq!(all.len(), 30);
    let ids: Vec<i64> = all.iter().map(|p| p["userId"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(
        pod.counters().requests_to("get_v2_users_presence"),
        6,
        "5 pages of at most 7, then the empty one"
    );
    let table = run_obo(&pod, &["list"]).await;
    assert_eq!(stdout(&table).lines().count(), 31, "a header and 30 rows");
    assert_eq!(stderr(&table), "", "progress only on a terminal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_set_user_and_feeds() {
    let pod = pod().await;
    let (a, b) = (pod.user_id(3).to_string(), pod.user_id(4).to_string());
    let registered = json_lines(&run_obo(&pod, &["--output", "json", "register", &a, &b]).await);
    assert_eq!(
        registered[0]["registered"],
        serde_json::json!([pod.user_id(3), pod.user_id(4)])
    );
    assert!(
        stdout(&run_obo(&pod, &["register", &a]).await).contains("registered interest in 1 user")
    );

    let created = json_lines(&run_obo(&pod, &["--output", "json", "feed", "create"]).await);
    let id = created[0]["id"].as_str().unwrap().to_owned();
    let set =
        json_lines(&run_obo(&pod, &["--output", "json", "set-user", &a, "OUT_OF_OFFICE"]).await);
    assert_eq!(set[0]["category"], "OUT_OF_OFFICE");
    let table = stdout(&run_obo(&pod, &["set-user", &b, "IN_A_MEETING", "--soft"]).await);
    assert!(
        table.starts_with("USER ID") && table.contains(&b) && table.contains("IN_A_MEETING"),
        "{table}"
    );
    let changes = json_lines(&run_obo(&pod, &["--output", "json", "feed", "read", &id]).await);
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert_eq!(changes[0]["userId"].to_string(), a);
    assert_eq!(changes[1]["userId"].to_string(), b);
    assert_eq!(
        stdout(&run_obo(&pod, &["feed", "read", &id]).await),
        "",
        "nothing changed since"
    );
    run_obo(&pod, &["set-user", &a, "AWAY"]).await;
    let table = stdout(&run_obo(&pod, &["feed", "read", &id]).await);
    assert!(
        table.starts_with("USER ID") && table.contains(&a) && table.contains("AWAY"),
        "{table}"
    );
    let deleted = json_lines(&run_obo(&pod, &["--output", "json", "feed", "delete", &id]).await);
    assert_eq!(deleted[0]["id"], id.as_str());
    let other = stdout(&run_obo(&pod, &["feed", "create"]).await);
    let other_id = other.trim().strip_prefix("feed ").unwrap().to_owned();
    assert_eq!(
        stdout(&run_obo(&pod, &["feed", "delete", &other_id]).await).trim(),
        format!("feed {other_id}")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_token_and_bot_authentication_work_too() {
    let config = MockPodConfig::default()
        .users(3)
        .bot("presence-bot", fixture_text("keys/other-public.pem"));
    let pod = MockPod::start(config).await.unwrap();
    let bot = run(vec![
        "--pod-url".into(),
        pod.pod_url(),
        "--bot-username".into(),
        "presence-bot".into(),
        "--bot-key".into(),
        fixture("keys/other-pkcs8.pem").display().to_string(),
        "--output".into(),
        "json".into(),
        "get".into(),
    ])
    .await;
    assert_eq!(json_lines(&bot)[0]["userId"], pod.user_id(3));

    let bad_token = run(vec![
        "--pod-url".into(),
        pod.pod_url(),
        "--session-token".into(),
        "not-a-session".into(),
        "get".into(),
    ])
    .await;
    assert_eq!(bad_token.status.code(), Some(3), "{}", stderr(&bad_token));
    assert!(!stderr(&bad_token).contains("not-a-session"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_and_invalid_input_exit_2() {
    let pod = pod().await;
    for args in [
        vec!["set", "FOCUS_MODE"],
        vec!["set", "UNDEFINED"],
        vec!["list", "--page-size", "0"],
        vec!["list", "--page-size", "5001"],
        vec!["no-such-command"],
        vec!["user", "not-a-number"],
    ] {
        let out = run_obo(&pod, &args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty());
    }
    let base = |extra: &[&str]| {
        let mut args = vec!["--pod-url".to_owned(), pod.pod_url()];
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        args.push("get".into());
        args
    };
    for (args, says) in [
        (base(&[]), "exactly one form of authentication"),
        (
            base(&["--session-token", "t", "--bot-username", "b"]),
            "exactly one form of authentication",
        ),
        (
            base(&[
                "--app-id",
                "my-app",
                "--app-key",
                "/nonexistent.pem",
                "--obo-user-id",
                "1",
            ]),
            "does not exist",
        ),
        (
            base(&[
                "--app-id",
                "my-app",
                "--app-key",
                &fixture("keys/ec-sec1.pem").display().to_string(),
                "--obo-user-id",
                "1",
            ]),
            "not an RSA",
        ),
        (
            base(&[
                "--app-id",
                "my-app",
                "--app-key",
                &fixture("keys/app-pkcs1.pem").display().to_string(),
            ]),
            "exactly one of --obo-user-id",
        ),
        (
            vec![
                "--pod-url".into(),
                "not a url".into(),
                "--session-token".into(),
                "t".into(),
                "get".into(),
            ],
            "pod URL",
        ),
        (
            vec!["--session-token".into(), "t".into(), "get".into()],
            "--pod-url",
        ),
    ] {
        let out = run(args.clone()).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        assert_eq!(
            stderr(&out).lines().count(),
            1,
            "one line: {}",
            stderr(&out)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_authentication_exits_3() {
    let pod = pod().await;
    // The pod knows app-public.pem for my-app; signing with another key fails verification.
    let out = run(obo_args(
        &pod,
        "keys/other-pkcs8.pem",
        pod.user_id(0),
        &["get"],
    ))
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("401") && stderr(&out).contains("key may not match"),
        "{}",
        stderr(&out)
    );
    let unknown_user = run(obo_args(&pod, "keys/app-pkcs1.pem", 1, &["get"])).await;
    assert_eq!(
        unknown_user.status.code(),
        Some(3),
        "a failed OBO authentication: {}",
        stderr(&unknown_user)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_found_exits_4_server_trouble_5_and_bad_bodies_6() {
    let config = MockPodConfig::default()
        .users(30)
        .app("my-app", fixture_text("keys/app-public.pem"));
    let restricted = MockPod::start(config.restricted_user(symphony_mock_pod::FIRST_USER_ID))
        .await
        .unwrap();
    let forbidden = run_obo(&restricted, &["list"]).await;
    assert_eq!(forbidden.status.code(), Some(4), "{}", stderr(&forbidden));
    assert!(
        stderr(&forbidden).contains("403")
            && stderr(&forbidden).contains("lacks necessary entitlement"),
        "{}",
        stderr(&forbidden)
    );

    let pod = pod().await;
    let missing = run_obo(&pod, &["user", "1"]).await;
    assert_eq!(missing.status.code(), Some(4), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains("404") && stderr(&missing).contains("cannot be located"),
        "{}",
        stderr(&missing)
    );

    // Authenticate first so that the faults hit the pod call.
    run_obo(&pod, &["get"]).await;
    pod.set_faults(Faults {
        malformed_body: 2,
        ..Faults::default()
    });
    let malformed = run_obo(&pod, &["get"]).await;
    assert_eq!(malformed.status.code(), Some(6), "{}", stderr(&malformed));

    pod.set_faults(Faults {
        fail: Some(symphony_mock_pod::ForcedStatus {
            status: 500,
            count: 100,
            retry_after: None,
        }),
        ..Faults::default()
    });
    let broken = run_obo(&pod, &["get"]).await;
    assert_eq!(broken.status.code(), Some(5), "{}", stderr(&broken));
    assert!(stderr(&broken).contains("500"), "{}", stderr(&broken));

    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/pod", listener.local_addr().unwrap())
    };
    let refused = run(vec![
        "--pod-url".into(),
        closed,
        "--session-token".into(),
        "t".into(),
        "get".into(),
    ])
    .await;
    assert_eq!(refused.status.code(), Some(5), "{}", stderr(&refused));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_runs_offline_and_exits_0() {
    let out = run(vec!["demo".into()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for step in [
        "authenticated the app",
        "on-behalf-of session",
        "get:",
        "set:",
        "user:",
        "list:",
        "3 pages",
        "feed:",
        "deleted feed",
        "watch:",
        "resynced  2500 users held",
        "closed the mirror, which deleted its feed",
        "stopping the pod",
    ] {
        assert!(text.contains(step), "missing {step:?} in:\n{text}");
    }
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("  changed   "))
            .count(),
        3,
        "the three changes made on the pod arrive:\n{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_environment_variables_never_receive_credentials() {
    let pod = pod().await;
    let proxy =
        symphony_presence_tests::RawServer::start(|_| symphony_presence_tests::RawReply::Stall)
            .await;
    let proxy_url = proxy.pod_url.replace("/pod", "");
    let env = [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ]
    .into_iter()
    .map(|name| (name, proxy_url.clone()))
    .collect();
    let out = run_with_env(
        obo_args(&pod, "keys/app-pkcs1.pem", pod.user_id(0), &["get"]),
        env,
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(proxy.requests(), 0, "the proxy saw a request");
}

#[test]
fn help_documents_the_exit_codes() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    let help = stdout(&out);
    for code in [
        "0  success",
        "2  usage",
        "3  authentication failed",
        "4  forbidden",
        "5  server",
        "6  the server's response",
    ] {
        assert!(help.contains(code), "{code} missing from --help");
    }
    for flag in [
        "--config",
        "SYMPHONY_CONFIG",
        "--proxy",
        "--ca-cert",
        "--deadline",
        "--allow-insecure-http",
        "--session-auth-url",
        "--bot-cert-key",
        "--app-cert-key",
        "TLS error",
        "client certificate the server refused",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
}
