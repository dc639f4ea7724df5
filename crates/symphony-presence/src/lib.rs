#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod auth;
mod category;
mod client;
mod config;
mod error;
mod feed;
mod http;
mod operations;
mod paging;
mod presence;
mod retry;
mod session;
mod settings;

pub use auth::{
    AppCredentials, AppSession, AppSessionBuilder, BotCredentials, BotSession, BotSessionBuilder,
    DEFAULT_JWT_LIFETIME, DEFAULT_OBO_CACHE_CAPACITY, KeyError, MAX_JWT_LIFETIME, OboSession,
    PrivateKey, SessionBuilder,
};
pub use category::PresenceCategory;
pub use client::{PresenceClient, PresenceClientBuilder};
pub use config::{
    AppConfig, BotConfig, CertificateConfig, Config, ConfigError, Endpoint, KeySource, Location,
    ProxyConfig, RetryConfig,
};
pub use error::{DecodeError, Error, ServiceError, StatusCode, TransportError, TransportErrorKind};
pub use feed::{FeedId, MAX_FEED_BATCH};
pub use paging::{DEFAULT_PAGE_SIZE, ListAllPresence, MAX_PAGE_SIZE};
pub use presence::{Presence, Timestamp, UserId};
pub use retry::RetryPolicy;
pub use session::{BoxFuture, SessionProvider, SessionToken, StaticSession};
pub use settings::{DEFAULT_USER_AGENT, HttpSettings};
