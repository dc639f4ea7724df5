//! The whole client pipeline, fed a fuzzed HTTP response by a loopback server: every call
//! returns a value or a typed error, never panics, and never outlives its timeout.
//!
//! The first input byte chooses how the rest is served: as the raw response, as the body of a
//! JSON 200, or as the body of a JSON response with the status in the next two bytes.
#![no_main]

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use symphony_presence::{FeedId, PresenceClient, RetryPolicy, StaticSession};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Harness {
    runtime: tokio::runtime::Runtime,
    client: PresenceClient,
    reply: Arc<Mutex<Vec<u8>>>,
}

const TIMEOUT: Duration = Duration::from_millis(300);

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
        let client = PresenceClient::builder(pod_url)
            .session(StaticSession::new("fuzz-token").unwrap())
            .retry_policy(RetryPolicy::none())
            .timeout(TIMEOUT)
            .max_response_bytes(64 * 1024)
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
        let _ = h.client.list_presence_page(None, 10).await;
        let _ = h.client.create_feed().await;
        let _ = h.client.read_feed(&FeedId::new("f")).await;
        // Four calls of one attempt each, plus slack for a loaded machine.
        assert!(
            started.elapsed() < TIMEOUT * 4 + Duration::from_secs(2),
            "a call outlived its timeout"
        );
    });
});
