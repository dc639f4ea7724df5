#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

#[allow(missing_docs, clippy::all)]
mod generated;
pub mod hooks;

pub use generated::*;
