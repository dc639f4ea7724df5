//! Authentication: keys, certificates and credentials, the signed JWT, the Login API (RSA) and
//! session-auth API (certificate) calls, and the session providers built on them: the app's
//! session with its per-user OBO sessions, and the bot's. Each keeps its token in a
//! single-flight [`token_cell::TokenCell`].

mod app;
mod authenticator;
mod bot;
mod certificate;
mod credentials;
mod der;
mod jwt;
mod key;
mod login;
mod obo_cache;
mod token_cell;

pub(crate) use app::AppSession;
pub(crate) use authenticator::Authenticator;
pub(crate) use bot::BotSession;
pub use credentials::{AppCredentials, BotCredentials};
pub use jwt::{DEFAULT_JWT_LIFETIME, MAX_JWT_LIFETIME};
pub use key::{KeyError, PrivateKey};
pub(crate) use login::LoginSettings;
pub(crate) use obo_cache::OboCache;
