//! Exit codes and the one-line error message.

use std::process::ExitCode;

use symphony_presence::Error;

pub const USAGE: u8 = 2;
pub const AUTHENTICATION: u8 = 3;
pub const FORBIDDEN_OR_NOT_FOUND: u8 = 4;
pub const UNAVAILABLE: u8 = 5;
pub const UNDERSTANDING: u8 = 6;

/// The exit code for an SDK error (see `--help`).
pub fn code(error: &Error) -> u8 {
    let from_authentication = error
        .service_error()
        .is_some_and(|e| e.operation.starts_with("post_pubkey"));
    match error {
        Error::Unauthorized(_) => AUTHENTICATION,
        Error::BadRequest(_) | Error::Forbidden(_) | Error::NotFound(_) if from_authentication => {
            AUTHENTICATION
        }
        Error::Forbidden(_) | Error::NotFound(_) => FORBIDDEN_OR_NOT_FOUND,
        Error::InvalidInput(_) | Error::Key(_) | Error::BadRequest(_) => USAGE,
        Error::Decode(_) => UNDERSTANDING,
        _ => UNAVAILABLE,
    }
}

/// Prints `error` as one line on stderr and returns its exit code. Nothing the SDK puts in an
/// error holds a token or key, so the message can be printed as is.
pub fn report(error: &Error) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(code(error))
}
