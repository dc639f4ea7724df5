//! The whole client pipeline, fed a fuzzed HTTP response by a loopback server: every call
//! returns a value or a typed error, never panics, never sends more than its attempts and one
//! repeat after a refresh, and never outlives them. Retries and the session refresh after a
//! 401 are on, as users run them, with no backoff and no jitter so that an input runs fast.
//!
//! The retry budget is shared by every call of a client: with one client for the whole run,
//! what earlier inputs spent would decide whether this one retries, and after a dozen inputs
//! answered 503 nothing would retry any more. So a client serves only as many inputs as its
//! budget covers in full ([`INPUTS_PER_CLIENT`]), and an input takes the same path whenever it
//! runs. (A client per input would do too, but building one takes tens of milliseconds in a
//! debug build, more than the rest of an input.) Only a `Retry-After` of 0, or a date already
//! past, is waited for, so no wait depends on how fast the machine is.
//!
//! The first input byte chooses how the rest is served: as the raw response, as the body of a
//! JSON 200, or as the body of a JSON response with the status in the next two bytes.
#![no_main]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use symphony_presence::{
    BoxFuture, Error, FeedId, HttpSettings, PresenceClient, RETRY_BUDGET, RetryPolicy,
    SessionProvider, SessionToken, TIMEOUT_RETRY_COST,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Harness {
    runtime: tokio::runtime::Runtime,
    pod_url: String,
    /// What the server answers every request with.
    reply: Arc<Mutex<Vec<u8>>>,
    /// Requests the server read (and answered) since the last input started.
    requests: Arc<AtomicU32>,
    /// The client, and how many inputs it has served.
    client: Mutex<(PresenceClient, u32)>,
}

const TIMEOUT: Duration = Duration::from_millis(300);
const ATTEMPTS: u32 = 3;
/// The calls made per input.
const CALLS: u32 = 4;
/// How many inputs one client serves: as many as its retry budget covers, though each retried
/// every call to the limit, after timeouts (the dearest retries), and nothing was refunded.
const INPUTS_PER_CLIENT: u32 = RETRY_BUDGET / (CALLS * (ATTEMPTS - 1) * TIMEOUT_RETRY_COST);

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
        let requests = Arc::new(AtomicU32::new(0));
        let (served, counted) = (reply.clone(), requests.clone());
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let pod_url = format!("http://{}/pod", listener.local_addr().unwrap());
        runtime.spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let bytes = served.lock().unwrap().clone();
                let counted = counted.clone();
                tokio::spawn(async move {
                    let mut head = vec![0u8; 8192];
                    // Counted before answering, so before the call that sent it can return.
                    if stream.read(&mut head).await.is_ok_and(|n| n > 0) {
                        counted.fetch_add(1, Ordering::SeqCst);
                    }
                    let _ = stream.write_all(&bytes).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        let client = Mutex::new((client(&pod_url), 0));
        Harness {
            runtime,
            pod_url,
            reply,
            requests,
            client,
        }
    })
}

/// A new client: its transport, and so its retry budget, is its own.
fn client(pod_url: &str) -> PresenceClient {
    let retry = RetryPolicy::default()
        .max_attempts(ATTEMPTS)
        .initial_backoff(Duration::ZERO)
        .max_backoff(Duration::ZERO)
        .max_retry_after(Duration::ZERO)
        .jitter(false);
    let http = HttpSettings::default()
        .retry_policy(retry)
        .timeout(TIMEOUT)
        .max_response_bytes(64 * 1024);
    PresenceClient::builder(pod_url)
        .session(Refreshing)
        .http(http)
        .build()
        .unwrap()
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
    h.requests.store(0, Ordering::SeqCst);
    let client = {
        let mut current = h.client.lock().unwrap();
        if current.1 == INPUTS_PER_CLIENT {
            *current = (client(&h.pod_url), 0);
        }
        current.1 += 1;
        current.0.clone()
    };
    h.runtime.block_on(async {
        let started = Instant::now();
        let _ = client.get_presence().await;
        let _ = client.list_presence_page().limit(10).await;
        let _ = client.create_feed().await;
        let _ = client.read_feed(&FeedId::new("f")).await;
        // Each call sends at most ATTEMPTS requests and one repeat after a refresh, each within
        // TIMEOUT, with no wait between two; plus slack for a loaded machine.
        let sent = h.requests.load(Ordering::SeqCst);
        assert!(
            sent <= CALLS * (ATTEMPTS + 1),
            "{sent} requests for {CALLS} calls"
        );
        let bound = TIMEOUT * CALLS * (ATTEMPTS + 1) + Duration::from_secs(2);
        assert!(started.elapsed() < bound, "a call outlived its attempts");
    });
});
