//! Exit codes and the one-line error message.

use std::process::ExitCode;

use symphony_presence::Error;

pub const USAGE: u8 = 2;
pub const AUTHENTICATION: u8 = 3;
pub const FORBIDDEN_OR_NOT_FOUND: u8 = 4;
pub const UNAVAILABLE: u8 = 5;
pub const UNDERSTANDING: u8 = 6;

/// Why the command failed.
#[derive(Debug)]
pub enum Failure {
    /// The command line was wrong.
    Usage(String),
    /// The SDK refused the input or the call failed.
    Sdk(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Sdk(e)
    }
}

impl From<symphony_presence::ConfigError> for Failure {
    fn from(e: symphony_presence::ConfigError) -> Self {
        Failure::Sdk(e.into())
    }
}

impl From<symphony_presence::KeyError> for Failure {
    fn from(e: symphony_presence::KeyError) -> Self {
        Failure::Sdk(e.into())
    }
}

/// The exit code for an SDK error (see `--help`). TLS failures are transport errors (5), except
/// a client certificate the server refused, which is an authentication failure (3).
pub fn code(error: &Error) -> u8 {
    match error {
        e if e.is_auth() => AUTHENTICATION,
        Error::Forbidden(_) | Error::NotFound(_) => FORBIDDEN_OR_NOT_FOUND,
        Error::InvalidInput(_) | Error::Key(_) | Error::Config(_) | Error::BadRequest(_) => USAGE,
        Error::Decode(_) => UNDERSTANDING,
        _ => UNAVAILABLE,
    }
}

/// Prints the failure as one line on stderr, the error followed by its causes, and returns its
/// exit code. Nothing the SDK puts in an error holds a token or key, so it can be printed as is.
pub fn report(failure: &Failure) -> ExitCode {
    match failure {
        Failure::Usage(message) => {
            eprintln!("error: {message}");
            ExitCode::from(USAGE)
        }
        Failure::Sdk(error) => {
            eprintln!("error: {}", describe(error));
            ExitCode::from(code(error))
        }
    }
}

/// The error followed by its causes, on one line.
pub fn describe(error: &Error) -> String {
    let mut line = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        line.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    line
}
