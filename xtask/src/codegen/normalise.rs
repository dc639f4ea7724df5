//! Normalising a merged OpenAPI 3.1 document into the 3.0 form that progenitor 0.15.1 reads.
//!
//! - `openapi: 3.1.x` is relabelled `3.0.3`; `3.0.x` passes unchanged.
//! - Missing `operationId`s are derived from the method and the path (see [`operation_id`]).
//! - Schema constructs that only 3.1 has are rewritten into their 3.0 form:
//!   `type: [T, "null"]` → `type: T, nullable: true`; `const: v` → `enum: [v]`;
//!   numeric `exclusiveMinimum: n` → `minimum: n, exclusiveMinimum: true` (and the maximum
//!   likewise); `examples: [a, ..]` → `example: a`; siblings of `$ref` are dropped, as 3.0
//!   ignores them.
//! - Anything else that 3.0 cannot express is refused with its file and JSON pointer.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::CodegenError;
use super::merge::{METHODS, Origin, escape};

/// JSON Schema keywords that 3.1 allows and the 3.0 schema object has no form for.
const REFUSED_KEYWORDS: &[&str] = &[
    "$defs",
    "$id",
    "$schema",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "prefixItems",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "unevaluatedProperties",
    "unevaluatedItems",
    "patternProperties",
    "propertyNames",
    "contains",
    "minContains",
    "maxContains",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
];

pub fn normalise(mut doc: Value, origin: &Origin) -> Result<openapiv3::OpenAPI, CodegenError> {
    let unsupported = |pointer: &str, reason: String| CodegenError::Unsupported {
        file: origin.file_for(pointer),
        pointer: pointer.to_owned(),
        reason,
    };

    let version = doc["openapi"].as_str().unwrap_or_default().to_owned();
    if version.starts_with("3.1.") {
        doc["openapi"] = Value::from("3.0.3");
    } else if !version.starts_with("3.0.") {
        return Err(unsupported(
            "/openapi",
            format!("OpenAPI version {version} (3.0.x and 3.1.x are supported)"),
        ));
    }
    for field in ["webhooks", "jsonSchemaDialect"] {
        if doc.get(field).is_some() {
            return Err(unsupported(
                &format!("/{field}"),
                format!("`{field}` has no OpenAPI 3.0 form"),
            ));
        }
    }

    assign_operation_ids(&mut doc, origin)?;
    walk(&mut doc, String::new(), &unsupported)?;

    serde_json::from_value(doc).map_err(|e| CodegenError::Model {
        files: origin.file_for("").display().to_string(),
        message: e.to_string(),
    })
}

/// The operationId derived for an operation that has none: the lower-case method followed by
/// each path segment, in snake case, joined by `_`; a `{parameter}` contributes its name.
/// `GET /v3/user/{uid}/presence` becomes `get_v3_user_uid_presence`.
pub fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_lowercase();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        id.push('_');
        id.push_str(&snake_case(
            segment.trim_start_matches('{').trim_end_matches('}'),
        ));
    }
    id
}

fn snake_case(segment: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in segment.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && previous_lower {
                out.push('_');
            }
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
            previous_lower = false;
        }
    }
    out.trim_matches('_').to_owned()
}

fn assign_operation_ids(doc: &mut Value, origin: &Origin) -> Result<(), CodegenError> {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item
            .iter_mut()
            .filter(|(k, _)| METHODS.contains(&k.as_str()))
        {
            let where_ = format!("{} {path}", method.to_uppercase());
            let Some(operation) = operation.as_object_mut() else {
                let pointer = format!("/paths/{}/{method}", escape(path));
                return Err(CodegenError::Unsupported {
                    file: origin.file_for(&pointer),
                    pointer,
                    reason: "an operation must be an object".into(),
                });
            };
            let id = match operation.get("operationId").and_then(Value::as_str) {
                Some(id) => id.to_owned(),
                None => {
                    let id = operation_id(method, path);
                    operation.insert("operationId".into(), Value::from(id.clone()));
                    id
                }
            };
            if let Some(first) = seen.insert(id.clone(), where_.clone()) {
                return Err(CodegenError::DuplicateOperationId {
                    id,
                    first,
                    second: where_,
                });
            }
        }
    }
    Ok(())
}

/// Walks the document and normalises every schema found under a `schema` key or in
/// `components/schemas`. Examples are data, not schemas, and are not entered.
fn walk<F>(value: &mut Value, pointer: String, unsupported: &F) -> Result<(), CodegenError>
where
    F: Fn(&str, String) -> CodegenError,
{
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                let child_pointer = format!("{pointer}/{}", escape(key));
                if key == "example" || key == "examples" {
                    continue;
                }
                if key == "schema" {
                    schema(child, &child_pointer, unsupported)?;
                } else if key == "schemas" && pointer == "/components" {
                    for (name, s) in child.as_object_mut().into_iter().flatten() {
                        schema(s, &format!("{child_pointer}/{}", escape(name)), unsupported)?;
                    }
                } else {
                    walk(child, child_pointer, unsupported)?;
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                walk(child, format!("{pointer}/{i}"), unsupported)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn schema<F>(value: &mut Value, pointer: &str, unsupported: &F) -> Result<(), CodegenError>
where
    F: Fn(&str, String) -> CodegenError,
{
    let Some(map) = value.as_object_mut() else {
        // `true`/`false` schemas are 3.1 only.
        return Err(unsupported(pointer, "a schema must be an object".into()));
    };
    if map.contains_key("$ref") {
        map.retain(|k, _| k == "$ref");
        return Ok(());
    }
    if let Some(keyword) = REFUSED_KEYWORDS.iter().find(|k| map.contains_key(**k)) {
        return Err(unsupported(
            &format!("{pointer}/{}", escape(keyword)),
            format!("`{keyword}` has no OpenAPI 3.0 form"),
        ));
    }
    map.remove("$comment");
    normalise_type(map, pointer, unsupported)?;
    if let Some(value) = map.remove("const") {
        if map.contains_key("enum") {
            return Err(unsupported(
                &format!("{pointer}/const"),
                "`const` beside `enum`".into(),
            ));
        }
        map.insert("enum".into(), Value::Array(vec![value]));
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(n) = map.get(exclusive).filter(|v| v.is_number()).cloned() {
            if map.contains_key(bound) {
                return Err(unsupported(
                    &format!("{pointer}/{exclusive}"),
                    format!("numeric `{exclusive}` beside `{bound}`"),
                ));
            }
            map.insert(bound.into(), n);
            map.insert(exclusive.into(), Value::Bool(true));
        }
    }
    if let Some(examples) = map.remove("examples") {
        let Value::Array(examples) = examples else {
            return Err(unsupported(
                &format!("{pointer}/examples"),
                "schema `examples` must be an array".into(),
            ));
        };
        if let Some(first) = examples.into_iter().next() {
            map.entry("example").or_insert(first);
        }
    }

    for (key, child) in map.iter_mut() {
        let child_pointer = format!("{pointer}/{}", escape(key));
        match key.as_str() {
            "properties" => {
                for (name, s) in child.as_object_mut().into_iter().flatten() {
                    schema(s, &format!("{child_pointer}/{}", escape(name)), unsupported)?;
                }
            }
            "allOf" | "anyOf" | "oneOf" => {
                for (i, s) in child.as_array_mut().into_iter().flatten().enumerate() {
                    schema(s, &format!("{child_pointer}/{i}"), unsupported)?;
                }
            }
            "items" | "not" => schema(child, &child_pointer, unsupported)?,
            "additionalProperties" if child.is_object() => {
                schema(child, &child_pointer, unsupported)?
            }
            _ => {}
        }
    }
    Ok(())
}

fn normalise_type<F>(
    map: &mut Map<String, Value>,
    pointer: &str,
    unsupported: &F,
) -> Result<(), CodegenError>
where
    F: Fn(&str, String) -> CodegenError,
{
    let type_pointer = format!("{pointer}/type");
    match map.get("type") {
        Some(Value::Array(types)) => {
            let nullable = types.iter().any(|t| t == "null");
            let rest: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
            let [single] = rest.as_slice() else {
                return Err(unsupported(
                    &type_pointer,
                    format!(
                        "type array {} needs exactly one non-null type",
                        Value::Array(types.clone())
                    ),
                ));
            };
            let single = (*single).clone();
            map.insert("type".into(), single);
            if nullable {
                map.insert("nullable".into(), Value::Bool(true));
            }
        }
        Some(Value::String(t)) if t == "null" => {
            return Err(unsupported(
                &type_pointer,
                "`type: null` has no OpenAPI 3.0 form".into(),
            ));
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalise_schema(s: Value) -> Result<Value, CodegenError> {
        let mut s = s;
        schema(&mut s, "/components/schemas/X", &|p: &str, reason| {
            CodegenError::Unsupported {
                file: "test.json".into(),
                pointer: p.to_owned(),
                reason,
            }
        })?;
        Ok(s)
    }

    #[test]
    fn operation_ids_follow_the_documented_rule() {
        assert_eq!(
            operation_id("get", "/v2/user/presence"),
            "get_v2_user_presence"
        );
        assert_eq!(
            operation_id("GET", "/v3/user/{uid}/presence"),
            "get_v3_user_uid_presence"
        );
        assert_eq!(
            operation_id("get", "/v1/presence/feed/{feedId}/read"),
            "get_v1_presence_feed_feed_id_read"
        );
        assert_eq!(
            operation_id("post", "/pubkey/app/username/{username}/authenticate"),
            "post_pubkey_app_username_username_authenticate"
        );
    }

    #[test]
    fn nullable_type_array_becomes_nullable() {
        let s = normalise_schema(serde_json::json!({"type": ["string", "null"]})).unwrap();
        assert_eq!(s, serde_json::json!({"type": "string", "nullable": true}));
    }

    #[test]
    fn const_becomes_single_enum_and_exclusive_bounds_become_booleans() {
        let s = normalise_schema(serde_json::json!({
            "type": "object",
            "properties": {
                "kind": {"const": "A"},
                "n": {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10}
            }
        }))
        .unwrap();
        assert_eq!(s["properties"]["kind"], serde_json::json!({"enum": ["A"]}));
        assert_eq!(
            s["properties"]["n"],
            serde_json::json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 10, "exclusiveMaximum": true})
        );
    }

    #[test]
    fn unknown_3_1_keyword_is_refused_with_its_pointer() {
        let err =
            normalise_schema(serde_json::json!({"type": "array", "items": {"prefixItems": []}}))
                .unwrap_err();
        assert_eq!(
            err.to_string(),
            "test.json: unsupported construct at /components/schemas/X/items/prefixItems: `prefixItems` has no OpenAPI 3.0 form"
        );
    }

    #[test]
    fn two_non_null_types_are_refused() {
        let err = normalise_schema(serde_json::json!({"type": ["string", "integer"]})).unwrap_err();
        assert!(
            err.to_string().contains("/components/schemas/X/type"),
            "{err}"
        );
    }
}
