use std::path::PathBuf;

/// Everything that stops a codegen run. Messages name the file and, where it applies, the JSON
/// pointer, so that the author of a document can find the problem without reading this tool.
#[derive(Debug, thiserror::Error)]
pub enum CodegenError {
    #[error("{} does not exist: codegen reads its documents from openapi/<api>/*.json", .0.display())]
    MissingOpenApiDir(PathBuf),

    #[error("{}: no *.json documents found", .0.display())]
    NoDocuments(PathBuf),

    #[error("{}: cannot read: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{}:{line}:{column}: invalid JSON: {message}", path.display())]
    InvalidJson {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("{}: not an OpenAPI 3.x document (`openapi` is {found})", path.display())]
    NotOpenApi3 { path: PathBuf, found: String },

    #[error("{}: missing or invalid `{field}`", path.display())]
    MissingField { path: PathBuf, field: &'static str },

    #[error("{} and {}: `info.{field}` differs ({first:?} vs {second:?}); documents of one API must agree", first_file.display(), second_file.display())]
    InfoMismatch {
        field: &'static str,
        first_file: PathBuf,
        first: String,
        second_file: PathBuf,
        second: String,
    },

    #[error("duplicate operation {method} {path}: defined in {} and in {}", first.display(), second.display())]
    DuplicatePath {
        method: String,
        path: String,
        first: PathBuf,
        second: PathBuf,
    },

    #[error("component conflict: components/{kind}/{name} differs between {} and {}", first.display(), second.display())]
    ComponentConflict {
        kind: String,
        name: String,
        first: PathBuf,
        second: PathBuf,
    },

    #[error("{}: unsupported construct at {pointer}: {reason}", file.display())]
    Unsupported {
        file: PathBuf,
        pointer: String,
        reason: String,
    },

    #[error("operationId `{id}` is used by both {first} and {second}")]
    DuplicateOperationId {
        id: String,
        first: String,
        second: String,
    },

    #[error(
        "{}: document does not fit the OpenAPI 3.0 model after normalising: {message}",
        files
    )]
    Model { files: String, message: String },

    #[error("progenitor could not generate the {api} client: {message}")]
    Generate { api: String, message: String },

    #[error("rustfmt failed on the generated {api} client: {message}")]
    Rustfmt { api: String, message: String },

    #[error("{}: cannot write: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },

    /// Listing a crate's public API for its `api.txt` failed (xtask/src/public_api).
    #[error(transparent)]
    PublicApi(#[from] crate::public_api::PublicApiError),
}
