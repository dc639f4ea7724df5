//! Shared support for the tests in `tests/`, which use the crates the way an outside user would.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use symphony_presence::{
    BoxFuture, Error, PresenceClient, RetryPolicy, SessionProvider, SessionToken,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A retry policy with millisecond waits and no jitter, so tests are quick and exact.
pub fn fast_retry(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
        .max_retry_after(Duration::from_millis(200))
        .max_total_delay(Duration::from_secs(2))
        .jitter(false)
}

/// A client for `pod_url` with short timeouts and `retry`.
pub fn client(
    pod_url: &str,
    session: impl SessionProvider + 'static,
    retry: RetryPolicy,
) -> PresenceClient {
    PresenceClient::builder(pod_url)
        .session(session)
        .retry_policy(retry)
        .timeout(Duration::from_secs(2))
        .connect_timeout(Duration::from_secs(1))
        .build()
        .expect("valid test client")
}

/// A provider that hands out `tokens[0]` and moves to the next token on each refresh,
/// counting the refreshes. With one token left it refreshes to that same token.
#[derive(Debug)]
pub struct CountingSession {
    tokens: Vec<SessionToken>,
    current: Mutex<usize>,
    refreshes: AtomicUsize,
}

impl CountingSession {
    /// A provider over `tokens`, starting at the first.
    pub fn new(tokens: &[&str]) -> Self {
        CountingSession {
            tokens: tokens
                .iter()
                .map(|t| SessionToken::new(*t).expect("valid token"))
                .collect(),
            current: Mutex::new(0),
            refreshes: AtomicUsize::new(0),
        }
    }

    /// How many times `refresh` was called.
    pub fn refreshes(&self) -> usize {
        self.refreshes.load(Ordering::SeqCst)
    }
}

impl SessionProvider for CountingSession {
    fn session_token(&self) -> BoxFuture<'_, Result<SessionToken, Error>> {
        let token = self.tokens[*self.current.lock().unwrap()].clone();
        Box::pin(async move { Ok(token) })
    }

    fn refresh<'a>(
        &'a self,
        _rejected: &'a SessionToken,
    ) -> BoxFuture<'a, Result<Option<SessionToken>, Error>> {
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        let mut current = self.current.lock().unwrap();
        *current = (*current + 1).min(self.tokens.len() - 1);
        let token = self.tokens[*current].clone();
        Box::pin(async move { Ok(Some(token)) })
    }
}

/// A loopback TCP server that answers every request with raw bytes from `respond`, for the
/// faults httpmock cannot produce: dropped connections, truncated bodies, stalls.
pub struct RawServer {
    /// `http://127.0.0.1:<port>/pod`
    pub pod_url: String,
    requests: std::sync::Arc<AtomicUsize>,
    heads: std::sync::Arc<Mutex<Vec<Vec<u8>>>>,
    task: tokio::task::JoinHandle<()>,
}

/// What the raw server does with one request.
#[derive(Clone)]
pub enum RawReply {
    /// Write these bytes, then close the connection.
    Bytes(Vec<u8>),
    /// Read the request and never answer (the connection stays open).
    Stall,
}

impl RawServer {
    /// Starts the server; `respond` is given the request number (from 1).
    pub async fn start(respond: impl Fn(usize) -> RawReply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let pod_url = format!("http://{}/pod", listener.local_addr().unwrap());
        let requests = std::sync::Arc::new(AtomicUsize::new(0));
        let heads = std::sync::Arc::new(Mutex::new(Vec::new()));
        let (counter, seen) = (requests.clone(), heads.clone());
        let respond = std::sync::Arc::new(respond);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                let reply = respond(n);
                tokio::spawn(serve(stream, reply, seen.clone()));
            }
        });
        RawServer {
            pod_url,
            requests,
            heads,
            task,
        }
    }

    /// Requests (connections) seen so far; each reply closes its connection.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// The raw bytes of every request head received so far (request line and headers).
    pub fn request_heads(&self) -> Vec<Vec<u8>> {
        self.heads.lock().unwrap().clone()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut stream: TcpStream, reply: RawReply, heads: std::sync::Arc<Mutex<Vec<Vec<u8>>>>) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut seen = Vec::new();
    // Read up to the end of the headers; the tests' requests have small or no bodies.
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    let end = seen
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(seen.len());
    heads.lock().unwrap().push(seen[..end].to_vec());
    match reply {
        RawReply::Bytes(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        RawReply::Stall => tokio::time::sleep(Duration::from_secs(30)).await,
    }
}

/// The value of header `name` (case-insensitive) in a raw request head, as bytes.
pub fn header_in(head: &[u8], name: &str) -> Option<Vec<u8>> {
    head.split(|b| *b == b'\n').skip(1).find_map(|line| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let colon = line.iter().position(|b| *b == b':')?;
        let (key, value) = line.split_at(colon);
        key.eq_ignore_ascii_case(name.as_bytes())
            .then(|| value[1..].trim_ascii().to_vec())
    })
}

/// An HTTP/1.1 response with `status`, `content-type` and `body`, closing the connection.
pub fn http_response(status: u16, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// The path of a file under `tests/fixtures/`.
pub fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// The text of a file under `tests/fixtures/`.
pub fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("fixture exists")
}
