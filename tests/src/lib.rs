//! Shared support for the tests in `tests/`, which use the crates the way an outside user would.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use symphony_presence::{
    AppClient, AppCredentials, BotCredentials, BoxFuture, Error, HttpSettings, PresenceClient,
    RetryPolicy, SessionProvider, SessionToken,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The code blocks of the workspace README, compiled (and run unless `no_run`) as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// A retry policy with millisecond waits and no jitter, so tests are quick and exact.
pub fn fast_retry(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
        .max_retry_after(Duration::from_secs(2))
        .max_total_delay(Duration::from_secs(2))
        .jitter(false)
}

/// Settings with `retry`, a 2 s timeout per attempt and a 1 s connect timeout.
pub fn http(retry: RetryPolicy) -> HttpSettings {
    HttpSettings::default()
        .retry_policy(retry)
        .timeout(Duration::from_secs(2))
        .connect_timeout(Duration::from_secs(1))
}

/// A client for `pod_url` taking its tokens from `session`, with [`http`]`(retry)`.
pub fn client(
    pod_url: &str,
    session: impl SessionProvider + 'static,
    retry: RetryPolicy,
) -> PresenceClient {
    PresenceClient::builder(pod_url)
        .session(session)
        .http(http(retry))
        .build()
        .expect("valid test client")
}

/// A client for `pod_url` with the fixed session token `token`, with [`http`]`(retry)`.
pub fn token_client(pod_url: &str, token: &str, retry: RetryPolicy) -> PresenceClient {
    PresenceClient::builder(pod_url)
        .session_token(token)
        .http(http(retry))
        .build()
        .expect("valid test client")
}

/// A provider that hands out `tokens[0]` and moves to the next token on each refresh,
/// counting the refreshes and the tokens asked for. With one token left it refreshes to that same token.
#[derive(Debug)]
pub struct CountingSession {
    tokens: Vec<SessionToken>,
    current: Mutex<usize>,
    refreshes: AtomicUsize,
    asked: AtomicUsize,
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
            asked: AtomicUsize::new(0),
        }
    }

    /// How many times `session_token` was called. The client asks before every attempt
    /// (see [`SessionProvider`]), so this counts attempts, even those that never reached a
    /// server, such as a refused connection.
    pub fn tokens_asked(&self) -> usize {
        self.asked.load(Ordering::SeqCst)
    }

    /// How many times `refresh` was called.
    pub fn refreshes(&self) -> usize {
        self.refreshes.load(Ordering::SeqCst)
    }
}

impl SessionProvider for CountingSession {
    fn session_token(&self) -> BoxFuture<'_, Result<SessionToken, Error>> {
        self.asked.fetch_add(1, Ordering::SeqCst);
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
    written: std::sync::Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

/// What the raw server does with one request.
#[derive(Clone)]
pub enum RawReply {
    /// Write these bytes, then close the connection.
    Bytes(Vec<u8>),
    /// Read the request and never answer (the connection stays open).
    Stall,
    /// Write the first bytes (a response head), then the second over and over, until the
    /// client stops reading and closes the connection: an endless body.
    Endless(Vec<u8>, Vec<u8>),
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
        let written = std::sync::Arc::new(AtomicUsize::new(0));
        let (counter, seen, sent) = (requests.clone(), heads.clone(), written.clone());
        let respond = std::sync::Arc::new(respond);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                let reply = respond(n);
                tokio::spawn(serve(stream, reply, seen.clone(), sent.clone()));
            }
        });
        RawServer {
            pod_url,
            requests,
            heads,
            written,
            task,
        }
    }

    /// The bytes of [`RawReply::Endless`] bodies written so far: what the clients read, plus
    /// at most what the connections' socket buffers held when they closed.
    pub fn endless_bytes_written(&self) -> usize {
        self.written.load(Ordering::SeqCst)
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

async fn serve(
    mut stream: TcpStream,
    reply: RawReply,
    heads: std::sync::Arc<Mutex<Vec<Vec<u8>>>>,
    written: std::sync::Arc<AtomicUsize>,
) {
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
    write_reply(&mut stream, reply, &written).await;
}

/// Sends `reply`, counting the bytes of an endless body in `written`.
async fn write_reply(stream: &mut TcpStream, reply: RawReply, written: &AtomicUsize) {
    match reply {
        RawReply::Bytes(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        RawReply::Stall => tokio::time::sleep(Duration::from_secs(30)).await,
        RawReply::Endless(head, chunk) => {
            if stream.write_all(&head).await.is_err() {
                return;
            }
            while stream.write_all(&chunk).await.is_ok() {
                written.fetch_add(chunk.len(), Ordering::SeqCst);
            }
        }
    }
}

/// One request, as a [`RawServer`] started with [`RawServer::start_reading`] received it.
#[derive(Clone, Debug)]
pub struct RawRequest {
    /// The request line and headers, without the blank line.
    pub head: Vec<u8>,
    /// The body, as long as its `content-length` said (empty without one).
    pub body: Vec<u8>,
}

impl RawServer {
    /// Starts a server that reads each request, body included, before `respond` answers it:
    /// for a reply that depends on what the client sent, such as a login that echoes its JWT.
    /// `respond` is given the request number (from 1) and the request.
    pub async fn start_reading(
        respond: impl Fn(usize, &RawRequest) -> RawReply + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let pod_url = format!("http://{}/pod", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let written = Arc::new(AtomicUsize::new(0));
        let (counter, seen, sent) = (requests.clone(), heads.clone(), written.clone());
        let respond = Arc::new(respond);
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((mut stream, _)) = listener.accept().await {
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                let (respond, seen, sent) = (respond.clone(), seen.clone(), sent.clone());
                connections.spawn(async move {
                    let Some(request) = read_request(&mut stream).await else {
                        return;
                    };
                    seen.lock().unwrap().push(request.head.clone());
                    write_reply(&mut stream, respond(n, &request), &sent).await;
                });
                while connections.try_join_next().is_some() {}
            }
        });
        RawServer {
            pod_url,
            requests,
            heads,
            written,
            task,
        }
    }
}

/// Reads one request: its head, then as many body bytes as its `content-length` says (at most
/// 1 MiB). `None` if the connection ends first.
async fn read_request(stream: &mut TcpStream) -> Option<RawRequest> {
    let (head, mut body) = read_head(stream).await?;
    let length = header_in(&head, "content-length")
        .and_then(|v| String::from_utf8(v).ok()?.parse::<usize>().ok())
        .unwrap_or(0)
        .min(1024 * 1024);
    let mut buf = [0u8; 8192];
    while body.len() < length {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => body.extend_from_slice(&buf[..n]),
        }
    }
    body.truncate(length);
    Some(RawRequest { head, body })
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

/// The messages of `error` and of each error in its `source()` chain, outermost first.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = Some(error);
    while let Some(e) = current {
        parts.push(e.to_string());
        current = e.source();
    }
    parts
}

/// `error` as anyhow's `{:#}` shows it: each message of its chain, joined by `": "`.
pub fn alternate(error: &(dyn std::error::Error + 'static)) -> String {
    error_chain(error).join(": ")
}

/// Every way `error` can be shown: `Display`, `{:#}`, `{:?}`, `{:#?}`, anyhow's `{:#}` (the
/// chain joined by `": "`), and the `Display` and `Debug` of each error in its `source()` chain.
pub fn renderings(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut shown = vec![
        error.to_string(),
        format!("{error:#}"),
        format!("{error:?}"),
        format!("{error:#?}"),
        alternate(error),
    ];
    let mut current = error.source();
    while let Some(e) = current {
        shown.extend([e.to_string(), format!("{e:?}"), format!("{e:#?}")]);
        current = e.source();
    }
    shown
}

/// Panics, naming `what` and the secret but not showing the text, if any of `shown` contains
/// any of `secrets`. Empty secrets are refused: a scan for nothing would prove nothing.
pub fn assert_none_shown(what: &str, shown: &[String], secrets: &[&str]) {
    for secret in secrets {
        assert!(
            secret.len() >= 8,
            "{what}: secret {secret:?} is too short to scan for"
        );
        for text in shown {
            assert!(
                !text.contains(secret),
                "{what}: a secret ({}...) appears in: {text}",
                &secret[..8]
            );
        }
    }
}

/// One request a [`TestProxy`] received.
#[derive(Clone, Debug)]
pub struct ProxiedRequest {
    /// The request line as received, such as `GET http://127.0.0.1:8080/pod/v2/user/presence HTTP/1.1`.
    pub request_line: String,
    /// The `Proxy-Authorization` header's value, if one was sent.
    pub proxy_authorization: Option<String>,
    /// The raw request head (request line and headers).
    pub head: Vec<u8>,
}

/// An HTTP forward proxy on 127.0.0.1 that records every request it sees.
///
/// Plain-HTTP requests arrive in absolute form (`GET http://127.0.0.1:port/path HTTP/1.1`); they
/// are forwarded in origin form to their target, which must be on 127.0.0.1 or localhost, with
/// `connection: close` on both legs, so that every request is one connection. `CONNECT` opens
/// a tunnel. The proxy never asks for credentials: it records `Proxy-Authorization` when sent.
pub struct TestProxy {
    port: u16,
    seen: Arc<Mutex<Vec<ProxiedRequest>>>,
    task: tokio::task::JoinHandle<()>,
}

impl TestProxy {
    /// Starts the proxy on a free port of 127.0.0.1.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                connections.spawn(proxy_one(stream, record.clone()));
                while connections.try_join_next().is_some() {}
            }
        });
        TestProxy { port, seen, task }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://<username>:<password>@127.0.0.1:<port>`.
    pub fn url_with_credentials(&self, username: &str, password: &str) -> String {
        format!("http://{username}:{password}@127.0.0.1:{}", self.port)
    }

    /// Every request received so far, in order of arrival.
    pub fn requests(&self) -> Vec<ProxiedRequest> {
        self.seen.lock().unwrap().clone()
    }

    /// The request lines received so far.
    pub fn request_lines(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .map(|r| r.request_line)
            .collect()
    }
}

impl Drop for TestProxy {
    fn drop(&mut self) {
        // Aborting the accept loop drops its JoinSet, which aborts every open connection.
        self.task.abort();
    }
}

/// Reads from `stream` until the end of a head (`\r\n\r\n`); returns the head (without the
/// blank line) and whatever was read after it. `None` if the stream ended first or the head
/// is over 64 KiB.
async fn read_head(stream: &mut (impl AsyncRead + Unpin)) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        if let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = seen.split_off(end + 4);
            seen.truncate(end);
            return Some((seen, rest));
        }
        if seen.len() > 64 * 1024 {
            return None;
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

/// `head` with its first line replaced by `first_line`, without the hop-by-hop headers, and
/// with `connection: close`, ending with the blank line.
fn rewrite_head(head: &[u8], first_line: &str) -> Vec<u8> {
    const HOP_BY_HOP: [&str; 4] = [
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authorization",
    ];
    let mut out = format!("{first_line}\r\n").into_bytes();
    for line in head.split(|b| *b == b'\n').skip(1) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let name = line.split(|b| *b == b':').next().unwrap_or_default();
        if HOP_BY_HOP
            .iter()
            .any(|h| name.trim_ascii().eq_ignore_ascii_case(h.as_bytes()))
        {
            continue;
        }
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"connection: close\r\n\r\n");
    out
}

/// Whether `authority` (`host:port`) is on this machine.
fn is_loopback(authority: &str) -> bool {
    authority.starts_with("127.0.0.1:") || authority.starts_with("localhost:")
}

async fn proxy_one(mut client: TcpStream, seen: Arc<Mutex<Vec<ProxiedRequest>>>) {
    const BAD_GATEWAY: &[u8] =
        b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
    let Some((head, body_start)) = read_head(&mut client).await else {
        return;
    };
    let request_line =
        String::from_utf8_lossy(head.split(|b| *b == b'\n').next().unwrap_or_default())
            .trim_end()
            .to_owned();
    seen.lock().unwrap().push(ProxiedRequest {
        request_line: request_line.clone(),
        proxy_authorization: header_in(&head, "proxy-authorization")
            .map(|v| String::from_utf8_lossy(&v).into_owned()),
        head: head.clone(),
    });
    let mut parts = request_line.splitn(3, ' ');
    let (method, target, version) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or("HTTP/1.1"),
    );

    if method.eq_ignore_ascii_case("CONNECT") {
        let upstream = match is_loopback(target) {
            true => TcpStream::connect(target).await.ok(),
            false => None,
        };
        let Some(mut upstream) = upstream else {
            let _ = client.write_all(BAD_GATEWAY).await;
            return;
        };
        if client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await
            .is_err()
            || upstream.write_all(&body_start).await.is_err()
        {
            return;
        }
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        return;
    }

    // Absolute form: http://authority/path?query
    let Some(rest) = target.strip_prefix("http://") else {
        let _ = client.write_all(BAD_GATEWAY).await;
        return;
    };
    let (authority, path) = match rest.find('/') {
        Some(slash) => (&rest[..slash], &rest[slash..]),
        None => (rest, "/"),
    };
    let upstream = match is_loopback(authority) {
        true => TcpStream::connect(authority).await.ok(),
        false => None,
    };
    let Some(upstream) = upstream else {
        let _ = client.write_all(BAD_GATEWAY).await;
        return;
    };
    let (mut from_upstream, mut to_upstream) = upstream.into_split();
    let (mut from_client, mut to_client) = client.into_split();
    let forwarded = rewrite_head(&head, &format!("{method} {path} {version}"));
    if to_upstream.write_all(&forwarded).await.is_err()
        || to_upstream.write_all(&body_start).await.is_err()
    {
        return;
    }
    // The rest of the request body, whatever its framing, until the response is relayed.
    let request_body =
        tokio::spawn(async move { tokio::io::copy(&mut from_client, &mut to_upstream).await });
    if let Some((response_head, response_start)) = read_head(&mut from_upstream).await {
        let status_line = String::from_utf8_lossy(
            response_head
                .split(|b| *b == b'\n')
                .next()
                .unwrap_or_default(),
        )
        .trim_end()
        .to_owned();
        let relayed = rewrite_head(&response_head, &status_line);
        if to_client.write_all(&relayed).await.is_ok()
            && to_client.write_all(&response_start).await.is_ok()
        {
            let _ = tokio::io::copy(&mut from_upstream, &mut to_client).await;
        }
    } else {
        let _ = to_client.write_all(BAD_GATEWAY).await;
    }
    let _ = to_client.shutdown().await;
    request_body.abort();
}

/// The id of the app whose key pair is `tests/fixtures/keys/app-*.pem`; register it on a mock
/// pod with `.app(APP_ID, fixture_text("keys/app-public.pem"))`.
pub const APP_ID: &str = "my-app";
/// The username of the bot whose key pair is `tests/fixtures/keys/other-*.pem`; register it
/// on a mock pod with `.bot(BOT, fixture_text("keys/other-public.pem"))`.
pub const BOT: &str = "presence-bot";

/// The [`APP_ID`] app on the pod at `pod_url`, with `http`.
pub fn app_client(pod_url: &str, http: HttpSettings) -> AppClient {
    let credentials = AppCredentials::from_pem_file(APP_ID, fixture("keys/app-pkcs1.pem"))
        .expect("the fixture key loads");
    AppClient::builder(pod_url, credentials)
        .http(http)
        .build()
        .expect("valid test app client")
}

/// The [`BOT`] bot on the pod at `pod_url`, with `http`.
pub fn bot_client(pod_url: &str, http: HttpSettings) -> PresenceClient {
    let credentials = BotCredentials::from_pem_file(BOT, fixture("keys/other-pkcs8.pem"))
        .expect("the fixture key loads");
    PresenceClient::builder(pod_url)
        .bot(credentials)
        .http(http)
        .build()
        .expect("valid test bot client")
}

/// Runs `future` to its end, failing the test if that takes longer than `limit`: a bound on
/// every test, set far above what the test needs, so that a regression fails instead of
/// hanging.
pub async fn within<F: std::future::IntoFuture>(limit: Duration, future: F) -> F::Output {
    match tokio::time::timeout(limit, future.into_future()).await {
        Ok(output) => output,
        Err(_) => panic!("still running after {limit:?}"),
    }
}
