//! [`ErrorBody`]: the error body every Symphony API shares.

use serde::{Deserialize, Serialize};

/// The `Error {code, message}` body of Symphony's error responses. Every API's documents define
/// the same schema, so codegen maps each of them to this one type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error code, usually the HTTP status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i32>,
    /// What went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}
