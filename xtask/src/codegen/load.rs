//! Reading `openapi/<api>/*.json`, in file-name order so that every run sees the same input.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::CodegenError;

/// One parsed input document.
pub struct Document {
    /// Path relative to the workspace root, as shown in messages and in the generated header.
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    pub value: Value,
}

pub fn documents(root: &Path, dir: &Path) -> Result<Vec<Document>, CodegenError> {
    let read_err = |source| CodegenError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let path = entry.map_err(read_err)?.path();
        if path.extension().is_some_and(|e| e == "json") {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        return Err(CodegenError::NoDocuments(dir.to_path_buf()));
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| document(root, &path))
        .collect()
}

fn document(root: &Path, path: &Path) -> Result<Document, CodegenError> {
    let shown = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    let bytes = std::fs::read(path).map_err(|source| CodegenError::Read {
        path: shown.clone(),
        source,
    })?;
    parse(shown, bytes)
}

/// Parses one document read from anywhere (`api-diff` reads them from git); `shown` is how
/// messages name it.
pub fn parse(shown: PathBuf, bytes: Vec<u8>) -> Result<Document, CodegenError> {
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| CodegenError::InvalidJson {
        path: shown.clone(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    match value.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.") => Ok(Document {
            path: shown,
            bytes,
            value,
        }),
        other => Err(CodegenError::NotOpenApi3 {
            path: shown,
            found: other.map_or_else(|| "absent".to_owned(), |v| format!("{v:?}")),
        }),
    }
}
