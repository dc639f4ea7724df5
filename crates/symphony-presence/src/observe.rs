//! The `tracing` span of each operation, with OpenTelemetry's semantic-convention fields.
//!
//! Each operation's span has a callsite of its own, named after the method the user called
//! (`get_presence`, `authenticate_app`, ...), made by [`operation_span!`]. It carries
//! `http.request.method`, `server.address`, `url.path` (the path without the query),
//! `http.response.status_code`, `http.request.resend_count`, `error.type`, `symphony.trace_id`
//! and `symphony.session.kind`, and never a header value, a token or a body.
//!
//! The integer attributes are recorded as `i64`: tracing-opentelemetry turns an unsigned value
//! into a string (its span visitor has no `record_u64`), and the conventions want integers.

use std::fmt::{self, Display, Write};

use tracing::Span;

use crate::error::Error;

/// What an operation's span is opened with.
pub(crate) struct SpanStart<'a> {
    pub method: &'static str,
    pub server: &'a str,
    /// `static`, `bot`, `obo`, `app` or `custom`; none for a login with a JWT, which then has
    /// no `symphony.session.kind` attribute.
    pub session_kind: Option<&'static str>,
}

/// A function that opens the span of one operation: `operation_span!("get_presence")`.
macro_rules! operation_span {
    ($name:literal) => {{
        fn open(start: &$crate::observe::SpanStart<'_>) -> ::tracing::Span {
            ::tracing::debug_span!(
                $name,
                http.request.method = start.method,
                server.address = start.server,
                url.path = ::tracing::field::Empty,
                http.response.status_code = ::tracing::field::Empty,
                http.request.resend_count = ::tracing::field::Empty,
                error.type = ::tracing::field::Empty,
                symphony.trace_id = ::tracing::field::Empty,
                symphony.session.kind = start.session_kind,
            )
        }
        open
    }};
}
pub(crate) use operation_span;

/// Records `base_path` followed by `template`, its `{parameters}` replaced by `params` in
/// order, as `url.path`.
pub(crate) fn record_path(
    span: &Span,
    base_path: &str,
    template: &str,
    params: &[&(dyn Display + Sync)],
) {
    span.record("url.path", fill_path(base_path, template, params).as_str());
}

fn fill_path(base_path: &str, template: &str, params: &[&(dyn Display + Sync)]) -> String {
    let mut path = String::with_capacity(base_path.len() + template.len() + 16);
    path.push_str(base_path.trim_end_matches('/'));
    let mut params = params.iter();
    let mut rest = template;
    while let (Some(open), Some(close)) = (rest.find('{'), rest.find('}')) {
        path.push_str(&rest[..open]);
        match params.next() {
            Some(param) => {
                let _ = write!(path, "{param}");
            }
            None => path.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    path.push_str(rest);
    path
}

/// Records how a call ended.
pub(crate) fn record_error(span: &Span, error: &Error) {
    if let Some(status) = error.status() {
        span.record("http.response.status_code", i64::from(status.as_u16()));
    }
    span.record("error.type", ErrorType(error).to_string().as_str());
}

/// The `error.type` of an error: the HTTP status where there was one, as the semantic
/// conventions ask, otherwise the class of failure.
struct ErrorType<'a>(&'a Error);

impl Display for ErrorType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(status) = self.0.status() {
            return f.write_str(status.as_str());
        }
        f.write_str(match self.0 {
            Error::Transport(_) => "transport",
            Error::Timeout(_) => "timeout",
            Error::Decode(_) => "decode",
            Error::InvalidInput(_) => "invalid_input",
            Error::Key(_) => "key",
            Error::Config(_) => "config",
            _ => "_OTHER",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_are_filled_in_order_after_the_base_path() {
        assert_eq!(
            fill_path("/pod/", "/v3/user/{uid}/presence", &[&42]),
            "/pod/v3/user/42/presence"
        );
        assert_eq!(
            fill_path("/pod", "/v2/user/presence", &[]),
            "/pod/v2/user/presence"
        );
        assert_eq!(
            fill_path("", "/v1/presence/feed/{feedId}/read", &[]),
            "/v1/presence/feed/{feedId}/read"
        );
    }
}
