//! The HTTP side: accepting connections, parsing requests, routing, and applying faults.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::faults::Injected;
use crate::state::State;
use crate::{control, login, pod};

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
}

impl Request {
    pub(crate) fn segments(&self) -> Vec<&str> {
        self.segments.iter().map(String::as_str).collect()
    }
}

/// An endpoint: its operation id (the counters' key) and its handler.
pub(crate) struct Route {
    pub operation: &'static str,
    pub handler: fn(&mut State, &Request) -> Handled,
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

/// Serves `listener` until the task running this is aborted, which also ends every connection.
pub(crate) async fn serve(listener: TcpListener, state: Shared) {
    let mut connections = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        connections.spawn(async move {
            let service = service_fn(move |req| handle(state.clone(), req));
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
        // Reap finished connections so the set does not grow without bound.
        while connections.try_join_next().is_some() {}
    }
}

async fn handle(state: Shared, req: hyper::Request<Incoming>) -> Result<Reply, Dropped> {
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
    };
    if request.segments.first().map(String::as_str) == Some("_mock") {
        return Ok(control::handle(&state, &request));
    }
    let Some(route) = pod::route(&request).or_else(|| login::route(&request)) else {
        return Ok(error(404, "no such endpoint"));
    };
    let (latency, injected) = {
        let mut st = lock(&state);
        st.count(route.operation);
        (st.faults.latency(), st.faults.take())
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match injected {
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
            let handled = (route.handler)(&mut lock(&state), &request);
            Ok(handled.unwrap_or_else(|f| error(f.status, &f.message)))
        }
    }
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
