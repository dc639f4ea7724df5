//! `--config` and `SYMPHONY_CONFIG`: the Symphony SDKs' configuration file, with flags over it.

use super::*;

/// A configuration for the pod at 127.0.0.1:`port` over plain HTTP, with my-app's key.
fn app_config(port: u16) -> String {
    format!(
        "scheme: http\nhost: 127.0.0.1\nport: {port}\napp:\n  appId: my-app\n  privateKey:\n    \
         path: {}\n",
        fixture("keys/app-pkcs8.pem").display()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_config_file_gives_the_pod_and_the_app_and_obo_comes_from_a_flag() {
    let pod = pod().await;
    let dir = TempDir::new();
    let config = dir.write("config.yaml", app_config(pod.port()));
    let me = pod.user_id(0).to_string();

    let out = run(strings(&[
        "--config",
        &config,
        "--obo-user-id",
        &me,
        "--output",
        "json",
        "get",
    ]))
    .await;
    assert_eq!(json_lines(&out)[0]["userId"].to_string(), me);
    assert_eq!(pod.counters().app_authentications, 1);

    let without_user = run(strings(&["--config", &config, "get"])).await;
    assert_eq!(
        without_user.status.code(),
        Some(2),
        "{}",
        stderr(&without_user)
    );
    assert!(
        stderr(&without_user).contains("--obo-user-id or --obo-username"),
        "{}",
        stderr(&without_user)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn symphony_config_is_read_like_the_flag() {
    let pod = pod().await;
    let dir = TempDir::new();
    let config = dir.write("from-env.yaml", app_config(pod.port()));
    let other = pod.user_id(5).to_string();
    let out = run_with_env(
        strings(&["--obo-user-id", &other, "--output", "json", "get"]),
        vec![("SYMPHONY_CONFIG", config)],
    )
    .await;
    assert_eq!(json_lines(&out)[0]["userId"].to_string(), other);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pod_url_and_credential_flags_win_over_the_file() {
    let in_file = pod().await;
    let on_command_line = pod().await;
    let dir = TempDir::new();
    let config = dir.write("config.yaml", app_config(in_file.port()));
    let me = on_command_line.user_id(0).to_string();

    // --pod-url replaces the file's server, login included.
    let out = run(strings(&[
        "--config",
        &config,
        "--pod-url",
        &on_command_line.pod_url(),
        "--obo-user-id",
        &me,
        "--output",
        "json",
        "get",
    ]))
    .await;
    assert_eq!(json_lines(&out)[0]["userId"].to_string(), me);
    assert_eq!(on_command_line.counters().app_authentications, 1);
    assert_eq!(
        in_file.counters().total_requests(),
        0,
        "the file's pod was used"
    );

    // Credential flags replace the file's app: this key is not the one the pod knows.
    let other_key = run(strings(&[
        "--config",
        &config,
        "--app-id",
        "my-app",
        "--app-key",
        &fixture("keys/other-pkcs8.pem").display().to_string(),
        "--obo-user-id",
        &me,
        "get",
    ]))
    .await;
    assert_eq!(other_key.status.code(), Some(3), "{}", stderr(&other_key));
    assert_eq!(in_file.counters().app_authentications, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_config_exits_2_naming_the_key() {
    let dir = TempDir::new();
    let missing = dir.path().join("absent.yaml").display().to_string();
    let p12 = dir.write("bot.p12", [0x30_u8, 0x82, 0x0a, 0x00]);
    for (contents, says) in [
        (
            "host: 127.0.0.1\nport: eighty\n".to_owned(),
            "`port`: expected",
        ),
        (
            "host: 127.0.0.1\nbot:\n  privateKey:\n    path: /nonexistent.pem\n".to_owned(),
            "`bot.username` is required",
        ),
        (
            format!("host: 127.0.0.1\nbot:\n  username: b\n  certificate:\n    path: {p12}\n"),
            "openssl pkcs12 -in",
        ),
    ] {
        let config = dir.write("broken.yaml", &contents);
        let out = run(strings(&["--config", &config, "get"])).await;
        assert_eq!(out.status.code(), Some(2), "{contents}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{contents}: {}", stderr(&out));
        assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    }
    let out = run(strings(&["--config", &missing, "get"])).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot read the configuration file"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_files_proxy_is_used_and_a_proxy_flag_replaces_it_with_its_own_credentials() {
    let pod = pod().await;
    let in_file = symphony_presence_tests::TestProxy::start().await;
    let on_command_line = symphony_presence_tests::TestProxy::start().await;
    let dir = TempDir::new();
    let port = in_file.url().rsplit(':').next().unwrap().to_owned();
    let config = dir.write(
        "config.yaml",
        format!(
            "{}proxy:\n  host: 127.0.0.1\n  port: {port}\n  username: svc-presence\n  \
             password: s3cret-proxy\n",
            app_config(pod.port())
        ),
    );
    let me = pod.user_id(0).to_string();
    let get = |extra: &[&str]| {
        let mut args = strings(&["--config", &config, "--obo-user-id", &me]);
        args.extend(strings(extra));
        args.push("get".into());
        args
    };

    let out = run(get(&[])).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let seen = in_file.requests();
    assert!(seen.len() >= 3, "login, OBO login and get: {seen:?}");
    assert!(
        seen.iter().all(|r| r.proxy_authorization.as_deref()
            == Some("Basic c3ZjLXByZXNlbmNlOnMzY3JldC1wcm94eQ==")),
        "{seen:?}"
    );

    // The file's credentials never go to another proxy: one without credentials gets none.
    let without_credentials = run(get(&["--proxy", &on_command_line.url()])).await;
    assert_eq!(
        without_credentials.status.code(),
        Some(0),
        "{}",
        stderr(&without_credentials)
    );
    let anonymous = on_command_line.requests();
    assert!(
        !anonymous.is_empty() && anonymous.iter().all(|r| r.proxy_authorization.is_none()),
        "{anonymous:?}"
    );

    let with_credentials = run(get(&[
        "--proxy",
        &on_command_line.url_with_credentials("other", "pw"),
    ]))
    .await;
    assert_eq!(
        with_credentials.status.code(),
        Some(0),
        "{}",
        stderr(&with_credentials)
    );
    assert_eq!(
        in_file.requests().len(),
        seen.len(),
        "the file's proxy was used"
    );
    assert!(
        on_command_line
            .requests()
            .iter()
            .any(|r| r.request_line.contains("/pod/v2/user/presence")
                && r.proxy_authorization.as_deref() == Some("Basic b3RoZXI6cHc=")),
        "{:?}",
        on_command_line.requests()
    );
}
