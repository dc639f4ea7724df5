//! Merging the per-endpoint documents of one API into a single document.
//!
//! Symphony publishes one document per endpoint, each carrying copies of the components it
//! uses. Merging takes the union of the operations, refuses a method+path defined twice, and
//! requires every copy of a component to be identical, so that no document silently wins.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::CodegenError;
use super::load::Document;

pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// What the generated file's header and the progress line report.
pub struct Summary {
    pub title: String,
    pub version: String,
    pub files: Vec<PathBuf>,
    pub operations: usize,
    /// SHA-256 of the input files, in order, each as `path NUL bytes NUL`.
    pub hash: String,
}

/// Which input file each part of the merged document came from, for error messages.
#[derive(Default)]
pub struct Origin {
    by_pointer: BTreeMap<String, PathBuf>,
    files: Vec<PathBuf>,
}

impl Origin {
    /// The file that defined the deepest recorded prefix of `pointer`; all files otherwise.
    pub fn file_for(&self, pointer: &str) -> PathBuf {
        self.by_pointer
            .iter()
            .filter(|(prefix, _)| pointer == *prefix || pointer.starts_with(&format!("{prefix}/")))
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, file)| file.clone())
            .unwrap_or_else(|| {
                let all: Vec<_> = self.files.iter().map(|f| f.display().to_string()).collect();
                PathBuf::from(all.join(", "))
            })
    }
}

pub struct Merged {
    pub document: Value,
    pub origin: Origin,
    pub summary: Summary,
}

pub fn merge(docs: &[Document]) -> Result<Merged, CodegenError> {
    let first = &docs[0];
    let info = field_object(first, "info")?;
    let title = info_string(first, info, "title")?;
    let version = info_string(first, info, "version")?;

    let mut origin = Origin {
        files: docs.iter().map(|d| d.path.clone()).collect(),
        ..Origin::default()
    };
    let mut paths = Map::new();
    let mut components: Map<String, Value> = Map::new();
    let mut component_files: BTreeMap<(String, String), PathBuf> = BTreeMap::new();
    let mut operations = 0;
    let mut hasher = Sha256::new();

    for doc in docs {
        hasher.update(doc.path.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update(&doc.bytes);
        hasher.update([0]);

        let doc_info = field_object(doc, "info")?;
        for (field, expected) in [("title", &title), ("version", &version)] {
            let found = info_string(doc, doc_info, field)?;
            if &found != expected {
                return Err(CodegenError::InfoMismatch {
                    field,
                    first_file: first.path.clone(),
                    first: expected.clone(),
                    second_file: doc.path.clone(),
                    second: found,
                });
            }
        }

        for (path, item) in field_object(doc, "paths")? {
            let item = item.as_object().ok_or_else(|| missing(doc, "paths"))?;
            let merged = paths
                .entry(path.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            let merged = merged.as_object_mut().expect("inserted as an object");
            for (key, value) in item {
                let pointer = format!("/paths/{}/{key}", escape(path));
                if let Some(existing) = merged.get(key) {
                    if METHODS.contains(&key.as_str()) {
                        return Err(CodegenError::DuplicatePath {
                            method: key.to_uppercase(),
                            path: path.clone(),
                            first: origin.file_for(&pointer),
                            second: doc.path.clone(),
                        });
                    }
                    if existing != value {
                        return Err(CodegenError::ComponentConflict {
                            kind: "paths".into(),
                            name: format!("{path}/{key}"),
                            first: origin.file_for(&pointer),
                            second: doc.path.clone(),
                        });
                    }
                    continue;
                }
                if METHODS.contains(&key.as_str()) {
                    operations += 1;
                }
                origin.by_pointer.insert(pointer, doc.path.clone());
                merged.insert(key.clone(), value.clone());
            }
        }

        let Some(doc_components) = doc.value.get("components") else {
            continue;
        };
        let doc_components = doc_components
            .as_object()
            .ok_or_else(|| missing(doc, "components"))?;
        for (kind, entries) in doc_components {
            let entries = entries
                .as_object()
                .ok_or_else(|| missing(doc, "components"))?;
            let merged = components
                .entry(kind.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            let merged = merged.as_object_mut().expect("inserted as an object");
            for (name, value) in entries {
                let key = (kind.clone(), name.clone());
                match merged.get(name) {
                    Some(existing) if existing != value => {
                        return Err(CodegenError::ComponentConflict {
                            kind: kind.clone(),
                            name: name.clone(),
                            first: component_files[&key].clone(),
                            second: doc.path.clone(),
                        });
                    }
                    Some(_) => {}
                    None => {
                        let pointer = format!("/components/{}/{}", escape(kind), escape(name));
                        origin.by_pointer.insert(pointer, doc.path.clone());
                        component_files.insert(key, doc.path.clone());
                        merged.insert(name.clone(), value.clone());
                    }
                }
            }
        }
    }

    let mut document = Map::new();
    document.insert("openapi".into(), first.value["openapi"].clone());
    document.insert("info".into(), Value::Object(info.clone()));
    if let Some(servers) = first.value.get("servers") {
        document.insert("servers".into(), servers.clone());
    }
    document.insert("paths".into(), Value::Object(paths));
    document.insert("components".into(), Value::Object(components));

    let summary = Summary {
        title,
        version,
        files: docs.iter().map(|d| d.path.clone()).collect(),
        operations,
        hash: format!("{:x}", hasher.finalize()),
    };
    Ok(Merged {
        document: Value::Object(document),
        origin,
        summary,
    })
}

/// JSON pointer escaping (RFC 6901).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn field_object<'a>(
    doc: &'a Document,
    field: &'static str,
) -> Result<&'a Map<String, Value>, CodegenError> {
    doc.value
        .get(field)
        .and_then(Value::as_object)
        .ok_or_else(|| missing(doc, field))
}

fn info_string(
    doc: &Document,
    info: &Map<String, Value>,
    field: &'static str,
) -> Result<String, CodegenError> {
    info.get(field)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            missing(
                doc,
                if field == "title" {
                    "info.title"
                } else {
                    "info.version"
                },
            )
        })
}

fn missing(doc: &Document, field: &'static str) -> CodegenError {
    CodegenError::MissingField {
        path: doc.path.clone(),
        field,
    }
}
