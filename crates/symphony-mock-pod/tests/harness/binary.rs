//! The `symphony-mock-pod` binary's harness flags: `--with-app`, `--with-bot` and
//! `--clock-offset`.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::SystemTime;

use symphony_presence::{AppClient, AppCredentials, BotCredentials, PresenceClient, UserId};

use crate::support::{REQUEST_TIMEOUT, client, date_of, seconds_between};

/// The child process and a scratch directory, both gone when the test ends, even on failure.
struct Scratch {
    child: Option<Child>,
    dir: PathBuf,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn the_binary_writes_generated_keys_that_log_in_and_runs_its_clock_behind() {
    let dir = std::env::temp_dir().join(format!(
        "symphony-mock-pod-harness-{}-{:08x}",
        std::process::id(),
        fastrand::u32(..)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let mut scratch = Scratch {
        child: None,
        dir: dir.clone(),
    };
    let app_key = dir.join("app.pem");
    let bot_key = dir.join("bot.pem");
    let mut child = Command::new(env!("CARGO_BIN_EXE_symphony-mock-pod"))
        .args([
            "--users",
            "3",
            "--clock-offset",
            "-120",
            "--with-app",
            "my-app",
        ])
        .arg(&app_key)
        .args(["--with-bot", "my-bot"])
        .arg(&bot_key)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    scratch.child = Some(child);
    let (lines, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            if lines.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let base_url = tokio::task::spawn_blocking(move || received.recv_timeout(REQUEST_TIMEOUT))
        .await
        .unwrap()
        .expect("the binary prints its base URL");
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    let pod_url = format!("{base_url}/pod");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&app_key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the key file is its owner's only");
    }
    let app = AppClient::builder(
        pod_url.clone(),
        AppCredentials::from_pem_file("my-app", &app_key).unwrap(),
    )
    .build()
    .unwrap();
    // Seeded user 1.
    let uid = UserId(symphony_mock_pod::FIRST_USER_ID + 1);
    let me = app.on_behalf_of(uid).get_presence().await.unwrap();
    assert_eq!(me.user_id, Some(uid));
    let bot = PresenceClient::builder(pod_url.clone())
        .bot(BotCredentials::from_pem_file("my-bot", &bot_key).unwrap())
        .build()
        .unwrap();
    bot.get_presence().await.unwrap();

    let response = client()
        .get(format!("{base_url}/_mock/counters"))
        .send()
        .await
        .unwrap();
    let behind = seconds_between(date_of(&response), SystemTime::now());
    assert!((behind + 120).abs() <= 30, "{behind} s");
    let counters: serde_json::Value = response.json().await.unwrap();
    assert_eq!(counters["app_authentications"], 1);
    assert_eq!(counters["bot_authentications"], 1);
    drop(scratch);
    assert!(!dir.exists(), "the scratch directory is removed");
}
