use std::path::PathBuf;

use crate::tree::TreeError;

/// Why a crate's public API could not be listed. Messages name the file (as `REV:path` when it
/// was read from a revision).
#[derive(Debug, thiserror::Error)]
pub enum PublicApiError {
    #[error(transparent)]
    Tree(#[from] TreeError),

    #[error("{}: {message}", path.display())]
    Manifest { path: PathBuf, message: String },

    /// Without proc-macro2's `span-locations` (which would slow every progenitor run) syn's
    /// errors carry no line, so the message names the file only; the compiler names the line.
    #[error("{}: cannot parse Rust: {message}", path.display())]
    Parse { path: PathBuf, message: String },

    #[error("{}: `mod {module};` has no file: looked for {}", declared_in.display(), candidates.join(" and "))]
    MissingModule {
        declared_in: PathBuf,
        module: String,
        candidates: Vec<String>,
    },
}
