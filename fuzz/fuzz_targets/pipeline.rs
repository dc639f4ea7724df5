//! The whole client pipeline, fed a fuzzed HTTP response by a loopback server: every call
//! returns a value or a typed error, never panics, and never outlives its attempts. Retries
//! and the session refresh after a 401 are on, as users run them.
//!
//! The first input byte chooses how the rest is served: as the raw response, as the body of a
//! JSON 200, or as the body of a JSON response with the status in the next two bytes.
#![no_main]

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use symphony_presence::{
    BoxFuture, Error, FeedId, HttpSettings, PresenceClient, RetryPolicy, SessionProvider,
    SessionToken,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Harness {
    runtime: tokio::runtime::Runtime,
    client: PresenceClient,
    reply: Arc<Mutex<Vec<u8>>>,
}

const TIMEOUT: Duration = Duration::from_millis(300);
const ATTEMPTS: u32 = 3;

/// A session that can always refresh, so that a fuzzed 401 takes the refresh path.
#[derive(Debug)]
struct Refreshing;

impl SessionProvider for Refreshing {
    fn session_token(&self) -> BoxFuture<'_, Result<SessionToken, Error>> {
        Box::pin(async { SessionToken::new("fuzz-token") })
    }

    fn refresh<'a>(
        &'a self,
        _rejected: &'a SessionToken,
    ) -> BoxFuture<'a, Result<Option<SessionToken>, Error>> {
        Box::pin(async { SessionToken::new("fuzz-token-refreshed").map(Some) })
    }
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let reply = Arc::new(Mutex::new(Vec::new()));
        let served = reply.clone();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let pod_url = format!("http://{}/pod", listener.local_addr().unwrap());
        runtime.spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let bytes = served.lock().unwrap().clone();
                tokio::spawn(async move {
                    let mut head = vec![0u8; 8192];
                    let _ = stream.read(&mut head).await;
                    let _ = stream.write_all(&bytes).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        let retry = RetryPolicy::default()
            .max_attempts(ATTEMPTS)
            .initial_backoff(Duration::from_millis(1))
            .max_backoff(Duration::from_millis(2))
            .max_retry_after(Duration::from_millis(5));
        let http = HttpSettings::default()
            .retry_policy(retry)
            .timeout(TIMEOUT)
            .max_response_bytes(64 * 1024);
        let client = PresenceClient::builder(pod_url)
            .session(Refreshing)
            .http(http)
            .build()
            .unwrap();
        Harness {
            runtime,
            client,
            reply,
        }
    })
}

fn response(data: &[u8]) -> Vec<u8> {
    let (mode, rest) = data.split_first().unwrap_or((&0, &[]));
    let with_status = |status: u16, body: &[u8]| {
        let mut out = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(body);
        out
    };
    match mode % 3 {
        0 => rest.to_vec(),
        1 => with_status(200, rest),
        _ => {
            let status = rest
                .get(..2)
                .map_or(200, |s| 100 + u16::from_be_bytes([s[0], s[1]]) % 500);
            with_status(status, rest.get(2..).unwrap_or_default())
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let h = harness();
    *h.reply.lock().unwrap() = response(data);
    h.runtime.block_on(async {
        let started = Instant::now();
        let _ = h.client.get_presence().await;
        let _ = h.client.list_presence_page().limit(10).await;
        let _ = h.client.create_feed().await;
        let _ = h.client.read_feed(&FeedId::new("f")).await;
        // Four calls of at most ATTEMPTS attempts and one repeat after a refresh each, plus
        // slack for a loaded machine.
        let bound = TIMEOUT * 4 * (ATTEMPTS + 1) + Duration::from_secs(2);
        assert!(started.elapsed() < bound, "a call outlived its attempts");
    });
});
