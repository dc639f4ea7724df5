//! The HTTP side: accepting connections, parsing requests, routing, and applying faults.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use hyper::{Method, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde::Serialize;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::faults::Injected;
use crate::state::{Listener, Principal, State};
use crate::{control, login, pod, sessionauth, tls};

/// How long a client has to complete the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) type Reply = Response<Full<Bytes>>;
pub(crate) type Shared = Arc<Mutex<State>>;

/// Locks the state; a panicked handler cannot leave it half-written, so poison is ignored.
pub(crate) fn lock(state: &Shared) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A parsed request.
pub(crate) struct Request {
    pub method: Method,
    pub segments: Vec<String>,
    pub query: HashMap<String, String>,
    pub token: Option<String>,
    pub body: Bytes,
    /// The common name of the connection's verified client certificate.
    pub client_cn: Option<String>,
}

impl Request {
    pub(crate) fn segments(&self) -> Vec<&str> {
        self.segments.iter().map(String::as_str).collect()
    }
}

/// An endpoint: its operation id (the counters' key), its handler, and who it acts as.
pub(crate) struct Route {
    pub operation: &'static str,
    pub handler: fn(&mut State, &Request) -> Handled,
    pub actor: Actor,
}

/// Whose request it is, for the journal.
#[derive(Clone, Copy)]
pub(crate) enum Actor {
    /// The user of the session in `sessionToken` (the Pod API).
    Session,
    /// The user an on-behalf-of authentication asks for, by id or username in the path.
    OboTarget,
    /// Nobody known before the request is served (app and bot authentication).
    Unknown,
}

impl Actor {
    fn user(self, state: &State, request: &Request) -> Option<i64> {
        match self {
            Actor::Session => match state.principal(request.token.as_deref()) {
                Some(Principal::User(uid)) => Some(uid),
                _ => None,
            },
            Actor::OboTarget => login::obo_target(state, request),
            Actor::Unknown => None,
        }
    }
}

/// A refused request: answered with an `Error {code, message}` body.
#[derive(Debug)]
pub(crate) struct Fail {
    status: u16,
    message: String,
}

pub(crate) fn fail(status: u16, message: impl Into<String>) -> Fail {
    Fail {
        status,
        message: message.into(),
    }
}

pub(crate) type Handled = Result<Reply, Fail>;

/// Returned by the service to make hyper close the connection without answering.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by fault injection")]
struct Dropped;

pub(crate) fn json(status: u16, value: &impl Serialize) -> Reply {
    let body = serde_json::to_vec(value).unwrap_or_default();
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_default()
}

/// An `Error {code, message}` response.
pub(crate) fn error(status: u16, message: &str) -> Reply {
    json(
        status,
        &symphony_api::ErrorBody {
            code: Some(i32::from(status)),
            message: Some(message.to_owned()),
        },
    )
}

/// One listener: which it is, its TLS acceptor (none for plain HTTP/1.1), and whether
/// `/sessionauth` has a listener of its own.
#[derive(Clone)]
pub(crate) struct Endpoint {
    pub listener: Listener,
    pub tls: Option<TlsAcceptor>,
    pub session_auth_split: bool,
}

/// What a request's connection says about it.
#[derive(Clone)]
struct Peer {
    endpoint: Arc<Endpoint>,
    client_cn: Option<String>,
}

/// Serves `listener` until the task running this is aborted, which also ends every connection.
pub(crate) async fn serve(listener: TcpListener, state: Shared, endpoint: Endpoint) {
    let endpoint = Arc::new(endpoint);
    let mut connections = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        lock(&state)
            .counters
            .listener_mut(endpoint.listener)
            .connections += 1;
        connections.spawn(connection(stream, state.clone(), endpoint.clone()));
        // Reap finished connections so the set does not grow without bound.
        while connections.try_join_next().is_some() {}
    }
}

/// Serves one connection: plain HTTP/1.1, or TLS with HTTP/2 or HTTP/1.1 as ALPN chose.
async fn connection(stream: TcpStream, state: Shared, endpoint: Arc<Endpoint>) {
    let Some(acceptor) = endpoint.tls.clone() else {
        let peer = Peer {
            endpoint,
            client_cn: None,
        };
        let service = service_fn(move |req| handle(state.clone(), peer.clone(), req));
        let _ = http1_builder()
            .serve_connection(TokioIo::new(stream), service)
            .await;
        return;
    };
    let handshake = acceptor.accept(stream).into_fallible();
    let accepted = tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake).await;
    let stream = match accepted {
        Ok(Ok(stream)) => stream,
        failed => {
            lock(&state)
                .counters
                .listener_mut(endpoint.listener)
                .failed_handshakes += 1;
            if let Ok(Err((_, stream))) = failed {
                close_gracefully(stream).await;
            }
            return;
        }
    };
    let (_, session) = stream.get_ref();
    let client_cn = session
        .peer_certificates()
        .and_then(|chain| chain.first())
        .map(|certificate| tls::common_name(certificate));
    let h2 = session.alpn_protocol() == Some(b"h2".as_slice());
    let peer = Peer {
        endpoint,
        client_cn,
    };
    let service = service_fn(move |req| handle(state.clone(), peer.clone(), req));
    let io = TokioIo::new(stream);
    let _ = if h2 {
        http2::Builder::new(TokioExecutor::new())
            .auto_date_header(false)
            .serve_connection(io, service)
            .await
    } else {
        http1_builder().serve_connection(io, service).await
    };
}

/// HTTP/1.1 without hyper's own `Date` header: every answer carries the pod's (see [`handle`]).
/// hyper would not add its own beside one already set (HTTP/1.1 skips it, HTTP/2 inserts it only
/// when absent), but with it off there is one source of `Date`, the pod's clock.
fn http1_builder() -> http1::Builder {
    let mut builder = http1::Builder::new();
    builder.auto_date_header(false);
    builder
}

/// Closes a connection whose handshake failed so that the client reads the TLS alert rustls
/// wrote (such as `certificate_required`): closing with the client's unread bytes still
/// queued would send a reset, which can discard the alert before the client reads it.
async fn close_gracefully(mut stream: TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let _ = stream.shutdown().await;
    let mut sink = [0u8; 1024];
    let drain = async { while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {} };
    let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
}

/// The route of a request on one listener. The session-auth listener serves only
/// `/sessionauth`, and then the pod's listener serves everything else.
fn route(endpoint: &Endpoint, request: &Request) -> Option<Route> {
    match endpoint.listener {
        Listener::SessionAuth => sessionauth::route(request),
        Listener::Pod => pod::route(request)
            .or_else(|| login::route(request))
            .or_else(|| {
                (!endpoint.session_auth_split)
                    .then(|| sessionauth::route(request))
                    .flatten()
            }),
    }
}

/// Serves one request and stamps the answer with the pod's time in `Date`.
async fn handle(
    state: Shared,
    peer: Peer,
    req: hyper::Request<Incoming>,
) -> Result<Reply, Dropped> {
    let mut reply = answer(&state, peer, req).await?;
    let now = lock(&state).clock.now();
    if let Ok(date) = httpdate::fmt_http_date(now).parse() {
        reply.headers_mut().insert(hyper::header::DATE, date);
    }
    Ok(reply)
}

async fn answer(
    state: &Shared,
    peer: Peer,
    req: hyper::Request<Incoming>,
) -> Result<Reply, Dropped> {
    let (parts, body) = req.into_parts();
    let Ok(body) = body.collect().await.map(|b| b.to_bytes()) else {
        return Err(Dropped);
    };
    let request = Request {
        method: parts.method,
        segments: parts
            .uri
            .path()
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .collect(),
        query: form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect(),
        token: parts
            .headers
            .get("sessiontoken")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body,
        client_cn: peer.client_cn,
    };
    {
        let mut st = lock(state);
        let seen = st.counters.listener_mut(peer.endpoint.listener);
        seen.requests += 1;
        if let Some(name) = &request.client_cn {
            *seen.client_certificates.entry(name.clone()).or_default() += 1;
        }
    }
    let endpoint = &peer.endpoint;
    if endpoint.listener == Listener::Pod
        && request.segments.first().map(String::as_str) == Some("_mock")
    {
        return Ok(control::handle(state, &request));
    }
    let Some(route) = route(endpoint, &request) else {
        return Ok(error(404, "no such endpoint"));
    };
    let (latency, injected, user) = {
        let mut st = lock(state);
        st.count(route.operation);
        let user = route.actor.user(&st, &request);
        let authentication = matches!(
            request.segments.first().map(String::as_str),
            Some("login" | "sessionauth")
        );
        (st.faults.latency(authentication), st.faults.take(), user)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let answered = match injected {
        Injected::Drop => Err(Dropped),
        Injected::Status(status, retry_after) => {
            let mut reply = error(status, "injected fault");
            if let Some(value) = retry_after.and_then(|v| v.parse().ok()) {
                reply.headers_mut().insert("retry-after", value);
            }
            Ok(reply)
        }
        Injected::Malformed => Ok(Response::builder()
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from_static(b"{\"category\":")))
            .unwrap_or_default()),
        Injected::Serve => {
            // Served and journaled under one lock, so the journal's order is the state's.
            let mut st = lock(state);
            let reply =
                (route.handler)(&mut st, &request).unwrap_or_else(|f| error(f.status, &f.message));
            st.record(route.operation, user, Some(reply.status().as_u16()));
            return Ok(reply);
        }
    };
    let status = answered.as_ref().ok().map(|reply| reply.status().as_u16());
    lock(state).record(route.operation, user, status);
    answered
}

/// Reads a JSON body as `T`, or answers 400.
pub(crate) fn body<T: serde::de::DeserializeOwned>(request: &Request) -> Result<T, Fail> {
    serde_json::from_slice(&request.body).map_err(|e| fail(400, format!("invalid body: {e}")))
}

/// Reads an optional query parameter, or answers 400 when it does not parse.
pub(crate) fn query<T: std::str::FromStr>(
    request: &Request,
    name: &str,
) -> Result<Option<T>, Fail> {
    match request.query.get(name) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| fail(400, format!("invalid query parameter {name}"))),
    }
}
