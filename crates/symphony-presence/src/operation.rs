//! [`Operation`]: which call an error belongs to, and which request failed.

use std::fmt;

/// A call of this SDK: the method you called, and the HTTP request it makes.
///
/// Every error says which operation it happened in ([`Error::operation`](crate::Error::operation))
/// and, for an error that a response or the network caused, which request failed: the
/// operation's own, or an authentication it needed first.
///
/// ```
/// # use symphony_presence::Operation;
/// # fn show(op: Operation) {
/// println!("{op}"); // get_presence (GET /v2/user/presence)
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operation {
    name: &'static str,
    method: &'static str,
    path: &'static str,
    authentication: bool,
}

impl Operation {
    /// Errors raised before any call: building a client, reading a key or a configuration.
    pub const SETUP: Operation = Operation {
        name: "setup",
        method: "",
        path: "",
        authentication: false,
    };

    /// A Pod API operation.
    pub(crate) const fn pod(name: &'static str, method: &'static str, path: &'static str) -> Self {
        Operation {
            name,
            method,
            path,
            authentication: false,
        }
    }

    /// An authentication operation (Login or session-auth API).
    pub(crate) const fn auth(name: &'static str, method: &'static str, path: &'static str) -> Self {
        Operation {
            name,
            method,
            path,
            authentication: true,
        }
    }

    /// The method's name, such as `get_presence`, or `setup`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The HTTP method of its request, such as `GET`; `None` for [`SETUP`](Self::SETUP).
    pub fn http_method(&self) -> Option<&'static str> {
        (!self.method.is_empty()).then_some(self.method)
    }

    /// The path of its request relative to its API's base URL, with parameters in braces, such
    /// as `/v3/user/{uid}/presence`; `None` for [`SETUP`](Self::SETUP).
    pub fn path(&self) -> Option<&'static str> {
        (!self.path.is_empty()).then_some(self.path)
    }

    /// Whether this is an authentication: a bot's, an app's, or one on behalf of a user.
    pub fn is_authentication(&self) -> bool {
        self.authentication
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.http_method(), self.path()) {
            (Some(method), Some(path)) => write!(f, "{} ({method} {path})", self.name),
            _ => f.write_str(self.name),
        }
    }
}
