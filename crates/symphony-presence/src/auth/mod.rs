//! RSA authentication: keys and credentials, the signed JWT, and the session providers built
//! on them: [`AppSession`] with its per-user [`OboSession`]s, and [`BotSession`]. Each keeps
//! its token in a single-flight [`token_cell::TokenCell`].

mod app;
mod bot;
mod builder;
mod credentials;
mod jwt;
mod key;
mod login;
mod token_cell;

pub use app::{AppSession, AppSessionBuilder, DEFAULT_OBO_CACHE_CAPACITY, OboSession};
pub use bot::{BotSession, BotSessionBuilder};
pub use builder::SessionBuilder;
pub use credentials::{AppCredentials, BotCredentials};
pub use jwt::{DEFAULT_JWT_LIFETIME, MAX_JWT_LIFETIME};
pub use key::{KeyError, PrivateKey};
