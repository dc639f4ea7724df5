//! The hand-written hooks of the generated client (it sits here because of the orphan rule).
//!
//! - Each request runs in a `tracing` span with the operation, method, path and status. Header
//!   values, which carry session tokens, are never recorded.
//! - A higher layer can replace how requests are executed with an [`Executor`], set through
//!   the client's [`Inner`] value; by default the client's own `reqwest::Client` sends them.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use tracing::Instrument;

use crate::Client;

/// The future an [`Executor`] returns: one response, or the transport error.
pub type ExecFuture = Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send>>;

/// Sends one prepared request, exactly as generated.
pub type Executor = Arc<dyn Fn(reqwest::Request) -> ExecFuture + Send + Sync>;

/// The generated client's inner value: how requests are executed.
///
/// The default sends each request with the client's own `reqwest::Client`.
#[derive(Clone, Default)]
pub struct Inner {
    executor: Option<Executor>,
}

impl Inner {
    /// Executes every request of the client with `executor` instead.
    pub fn with_executor(executor: Executor) -> Self {
        Self {
            executor: Some(executor),
        }
    }
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let executor = if self.executor.is_some() {
            "custom"
        } else {
            "reqwest"
        };
        f.debug_struct("Inner")
            .field("executor", &executor)
            .finish()
    }
}

impl ClientHooks<Inner> for Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::debug_span!(
            "symphony_pod_api",
            operation = info.operation_id,
            method = %request.method(),
            path = request.url().path(),
            status = tracing::field::Empty,
        );
        let sent = match &self.inner().executor {
            Some(execute) => execute(request),
            None => Box::pin(self.client().execute(request)),
        };
        // Without a subscriber the span is disabled; `instrument` would only add work per poll.
        let response = if span.is_disabled() {
            sent.await
        } else {
            sent.instrument(span.clone()).await
        };
        match &response {
            Ok(r) => span.record("status", r.status().as_u16()),
            Err(_) => span.record("status", "transport error"),
        };
        response
    }
}
