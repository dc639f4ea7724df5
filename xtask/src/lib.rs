//! Workspace automation for symphony-presence, as a library so that its tests can call each
//! stage directly; `src/main.rs` is the command line.

#![allow(
    missing_docs,
    reason = "an unpublished tool: its interface is the command line and docs/codegen.md"
)]

pub mod api_diff;
pub mod codegen;
pub mod public_api;
pub mod tree;
