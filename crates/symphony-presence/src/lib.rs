#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod auth;
mod category;
mod client;
mod clock;
pub mod config;
mod error;
mod feed;
mod http;
mod mirror;
mod observe;
mod operation;
mod operations;
mod paging;
mod presence;
mod request;
mod retry;
mod session;
mod settings;
mod stream;
mod transport;

pub use auth::{
    AppCredentials, BotCredentials, DEFAULT_JWT_LIFETIME, KeyError, MAX_JWT_LIFETIME, PrivateKey,
};
pub use category::{PresenceCategory, UnknownCategory};
pub use client::{
    AppClient, AppClientBuilder, DEFAULT_APP_TOKEN_TRUSTED_FOR, DEFAULT_OBO_CACHE_CAPACITY,
    DEFAULT_OBO_CACHE_TTL, PresenceClient, PresenceClientBuilder,
};
pub use config::{Config, ConfigError};
pub use error::{
    DecodeError, Error, InvalidInput, ServiceError, StatusCode, TimeoutError, TlsFailure,
    TransportError, TransportErrorKind, WaitingFor,
};
pub use feed::{FeedId, MAX_FEED_BATCH, WatchFeed};
pub use mirror::{MirrorBuilder, MirrorEvent, PresenceMirror, SnapshotProgress};
pub use operation::Operation;
pub use paging::{DEFAULT_PAGE_SIZE, ListAllPresence, MAX_PAGE_SIZE};
pub use presence::{Presence, Timestamp, UserId};
pub use request::{Call, Request};
pub use retry::{RETRY_BUDGET, RETRY_COST, RetryPolicy, TIMEOUT_RETRY_COST};
pub use session::{BoxFuture, SessionProvider, SessionToken};
pub use settings::{DEFAULT_USER_AGENT, HttpSettings};
pub use stream::PresenceStream;

/// The operations a [`Request`] sends, one type each; their options are methods of the
/// request, such as `Request<'_, GetPresence>`.
pub mod requests {
    pub use crate::feed::{CreateFeed, DeleteFeed, ReadFeed};
    pub use crate::operations::{
        GetPresence, RegisterInterest, SetPresence, SetUserPresence, UserPresence,
    };
    pub use crate::paging::ListPresencePage;
}
