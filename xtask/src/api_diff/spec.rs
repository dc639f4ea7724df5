//! Each API's document as codegen sees it: every folder under `openapi/` is one API, its
//! `*.json` documents merged and normalised by codegen's own stages.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::ApiDiffError;
use crate::codegen::{CodegenError, load, merge, normalise};
use crate::tree::Tree;

/// One API on one side of the comparison.
pub struct Api {
    pub version: String,
    /// The normalised document (OpenAPI 3.0, operation ids assigned), as JSON.
    pub document: Value,
}

/// The APIs of a tree by folder name; none when there is no `openapi/`.
pub fn load_all(tree: &dyn Tree) -> Result<BTreeMap<String, Api>, ApiDiffError> {
    let mut apis = BTreeMap::new();
    for entry in tree.entries(Path::new("openapi"))? {
        if entry.is_dir {
            let api = load(tree, &Path::new("openapi").join(&entry.name))?;
            apis.insert(entry.name, api);
        }
    }
    Ok(apis)
}

fn load(tree: &dyn Tree, dir: &Path) -> Result<Api, ApiDiffError> {
    let mut docs = Vec::new();
    for entry in tree.entries(dir)? {
        if entry.is_dir || !entry.name.ends_with(".json") {
            continue;
        }
        let path = dir.join(&entry.name);
        let Some(bytes) = tree.read(&path)? else {
            continue;
        };
        docs.push(load::parse(tree.shown(&path), bytes)?);
    }
    if docs.is_empty() {
        return Err(CodegenError::NoDocuments(tree.shown(dir)).into());
    }
    from_documents(&docs)
}

/// Merges and normalises one API's documents.
pub fn from_documents(docs: &[load::Document]) -> Result<Api, ApiDiffError> {
    let merged = merge::merge(docs)?;
    let version = merged.summary.version.clone();
    let normalised = normalise::normalise(merged.document, &merged.origin)?;
    let document = serde_json::to_value(&normalised).map_err(|e| CodegenError::Model {
        files: merged
            .summary
            .files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        message: e.to_string(),
    })?;
    Ok(Api { version, document })
}
