#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod error_body;
pub mod hooks;

pub use error_body::ErrorBody;

/// The Login API (mounted at `/login`): RSA authentication of bots, apps and users on behalf
/// of an app.
#[allow(missing_docs, clippy::all)]
#[path = "generated/login.rs"]
pub mod login;

/// The Presence operations of the Pod API (mounted at `/pod`).
#[allow(missing_docs, clippy::all)]
#[path = "generated/pod.rs"]
pub mod pod;

/// The Authenticator API (mounted at `/sessionauth`): authentication of bots and apps, and on
/// behalf of users, with client certificates.
#[allow(missing_docs, clippy::all)]
#[path = "generated/sessionauth.rs"]
pub mod sessionauth;
