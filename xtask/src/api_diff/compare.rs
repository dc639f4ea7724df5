//! Comparing two normalised documents of one API, operation by operation (keyed by method and
//! path) and component schema by component schema (keyed by name).
//!
//! A change inside a component schema is reported once, at the component, and classified by
//! where the schema is used (requests, responses or both, through `$ref`s at any depth), not
//! once per operation that reaches it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::kind::{ChangeKind, Sides};
use super::spec::Api;
use crate::codegen::merge::METHODS;

/// One change to an API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecChange {
    pub kind: ChangeKind,
    pub breaking: bool,
    /// For a change within an operation: its method, upper case.
    pub method: Option<String>,
    /// For a change within an operation: its path.
    pub path: Option<String>,
    /// For a change within a component schema: its name.
    pub schema: Option<String>,
    /// For a change within a component schema: where the schema is used.
    pub used_in: Option<Sides>,
    pub detail: String,
}

/// The changes to one API between two sides; `None` for a side that does not have it.
#[derive(Debug)]
pub struct ApiChanges {
    pub name: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub changes: Vec<SpecChange>,
}

impl ApiChanges {
    pub fn breaking(&self) -> usize {
        self.changes.iter().filter(|c| c.breaking).count()
    }
}

pub fn compare(name: &str, base: Option<&Api>, head: Option<&Api>) -> ApiChanges {
    let mut out = Changes::default();
    match (base, head) {
        (None, Some(head)) => out.push(
            ChangeKind::ApiAdded,
            false,
            &At::api(),
            format!("API {name} added at version {}", head.version),
        ),
        (Some(base), None) => out.push(
            ChangeKind::ApiRemoved,
            true,
            &At::api(),
            format!("API {name} removed (was version {})", base.version),
        ),
        (Some(base), Some(head)) => {
            if base.version != head.version {
                out.push(
                    ChangeKind::Version,
                    false,
                    &At::api(),
                    format!("info.version {} → {}", base.version, head.version),
                );
            }
            let docs = Docs::new(&base.document, &head.document);
            docs.operations(&mut out);
            docs.components(&mut out);
        }
        (None, None) => {}
    }
    ApiChanges {
        name: name.to_owned(),
        from: base.map(|a| a.version.clone()),
        to: head.map(|a| a.version.clone()),
        changes: out.list,
    }
}

#[derive(Default)]
struct Changes {
    list: Vec<SpecChange>,
}

impl Changes {
    fn push(&mut self, kind: ChangeKind, breaking: bool, at: &At, detail: String) {
        let (method, path, schema, used_in) = match &at.place {
            Place::Api => (None, None, None, None),
            Place::Operation { method, path, .. } => {
                (Some(method.clone()), Some(path.clone()), None, None)
            }
            Place::Component(name) => (None, None, Some(name.clone()), Some(at.sides)),
        };
        self.list.push(SpecChange {
            kind,
            breaking,
            method,
            path,
            schema,
            used_in,
            detail,
        });
    }
}

/// Where in the document a comparison is.
#[derive(Clone)]
enum Place {
    Api,
    /// `part` names what in the operation: `request body`, `response 200`,
    /// `query parameter local`.
    Operation {
        method: String,
        path: String,
        part: String,
        parameter: bool,
    },
    Component(String),
}

#[derive(Clone)]
struct At {
    place: Place,
    /// Property names from the schema's root down; `[]` marks array items.
    property: Vec<String>,
    sides: Sides,
}

impl At {
    fn api() -> At {
        At {
            place: Place::Api,
            property: Vec::new(),
            sides: Sides::default(),
        }
    }

    fn operation(method: &str, path: &str, part: String, parameter: bool, sides: Sides) -> At {
        At {
            place: Place::Operation {
                method: method.to_owned(),
                path: path.to_owned(),
                part,
                parameter,
            },
            property: Vec::new(),
            sides,
        }
    }

    fn child(&self, name: &str) -> At {
        let mut at = self.clone();
        at.property.push(name.to_owned());
        at
    }

    /// What a detail message starts with: `response 200 property a.b`, `property a`, ``.
    fn subject(&self) -> String {
        let part = match &self.place {
            Place::Operation { part, .. } => part.clone(),
            _ => String::new(),
        };
        let property = self.property_name();
        match (part.is_empty(), property.is_empty()) {
            (true, true) => String::new(),
            (false, true) => part,
            (true, false) => format!("property {property}"),
            (false, false) => format!("{part} property {property}"),
        }
    }

    fn property_name(&self) -> String {
        self.property.join(".").replace(".[]", "[]")
    }

    /// `subject: rest`, or just `rest` at a component's root.
    fn says(&self, rest: &str) -> String {
        match self.subject() {
            s if s.is_empty() => rest.to_owned(),
            s => format!("{s}: {rest}"),
        }
    }

    fn is_parameter(&self) -> bool {
        matches!(
            self.place,
            Place::Operation {
                parameter: true,
                ..
            }
        )
    }
}

/// An operation's parts, with `$ref`s to parameters, bodies and responses followed.
struct Operation<'a> {
    /// By (location, name); header names are case-insensitive.
    parameters: BTreeMap<(String, String), &'a Value>,
    request_body: Option<&'a Value>,
    responses: BTreeMap<String, &'a Value>,
}

struct Docs<'a> {
    base: &'a Value,
    head: &'a Value,
    /// Where each component schema is used, in either document.
    uses: BTreeMap<String, Sides>,
}

impl<'a> Docs<'a> {
    fn new(base: &'a Value, head: &'a Value) -> Self {
        let mut uses = BTreeMap::new();
        usage(base, &mut uses);
        usage(head, &mut uses);
        Docs { base, head, uses }
    }

    fn operations(&self, out: &mut Changes) {
        let base = operations(self.base);
        let head = operations(self.head);
        let keys: BTreeSet<&(String, String)> = base.keys().chain(head.keys()).collect();
        for key in keys {
            let (path, method) = key;
            let at = At::operation(method, path, String::new(), false, Sides::default());
            match (base.get(key), head.get(key)) {
                (Some(_), None) => out.push(
                    ChangeKind::OperationRemoved,
                    true,
                    &at,
                    format!("operation {method} {path} removed"),
                ),
                (None, Some(_)) => out.push(
                    ChangeKind::OperationAdded,
                    false,
                    &at,
                    format!("operation {method} {path} added"),
                ),
                (Some(old), Some(new)) => self.operation(method, path, old, new, out),
                (None, None) => {}
            }
        }
    }

    fn operation(
        &self,
        method: &str,
        path: &str,
        old: &Operation<'_>,
        new: &Operation<'_>,
        out: &mut Changes,
    ) {
        let plain = At::operation(method, path, String::new(), false, Sides::REQUEST);
        let keys: BTreeSet<_> = old.parameters.keys().chain(new.parameters.keys()).collect();
        for key in keys {
            let (location, _) = key;
            let (o, n) = (old.parameters.get(key), new.parameters.get(key));
            let name = o.or(n).and_then(|p| p["name"].as_str()).unwrap_or_default();
            let label = format!("{location} parameter {name}");
            match (o, n) {
                (Some(_), None) => out.push(
                    ChangeKind::ParameterRemoved,
                    true,
                    &plain,
                    format!("{label} removed"),
                ),
                (None, Some(n)) => {
                    let required = is_true(&n["required"]);
                    out.push(
                        ChangeKind::ParameterAdded,
                        required,
                        &plain,
                        format!("{label} added ({})", required_word(required)),
                    );
                }
                (Some(o), Some(n)) => {
                    match (is_true(&o["required"]), is_true(&n["required"])) {
                        (false, true) => out.push(
                            ChangeKind::ParameterRequired,
                            true,
                            &plain,
                            format!("{label} is now required"),
                        ),
                        (true, false) => out.push(
                            ChangeKind::ParameterOptional,
                            false,
                            &plain,
                            format!("{label} is now optional"),
                        ),
                        _ => {}
                    }
                    let at = At::operation(method, path, label, true, Sides::REQUEST);
                    self.schema(&o["schema"], &n["schema"], &at, out);
                }
                (None, None) => {}
            }
        }

        match (old.request_body, new.request_body) {
            (Some(_), None) => out.push(
                ChangeKind::RequestBodyRemoved,
                true,
                &plain,
                "request body removed".into(),
            ),
            (None, Some(n)) => {
                let required = is_true(&n["required"]);
                out.push(
                    ChangeKind::RequestBodyAdded,
                    required,
                    &plain,
                    format!("request body added ({})", required_word(required)),
                );
            }
            (Some(o), Some(n)) => {
                match (is_true(&o["required"]), is_true(&n["required"])) {
                    (false, true) => out.push(
                        ChangeKind::RequestBodyRequired,
                        true,
                        &plain,
                        "request body is now required".into(),
                    ),
                    (true, false) => out.push(
                        ChangeKind::RequestBodyOptional,
                        false,
                        &plain,
                        "request body is now optional".into(),
                    ),
                    _ => {}
                }
                if let (Some(os), Some(ns)) = (body_schema(o), body_schema(n)) {
                    let at =
                        At::operation(method, path, "request body".into(), false, Sides::REQUEST);
                    self.schema(os, ns, &at, out);
                }
            }
            (None, None) => {}
        }

        let codes: BTreeSet<&String> = old.responses.keys().chain(new.responses.keys()).collect();
        for code in codes {
            match (old.responses.get(code), new.responses.get(code)) {
                (Some(_), None) => out.push(
                    ChangeKind::ResponseRemoved,
                    false,
                    &plain,
                    format!("response {code} removed"),
                ),
                (None, Some(_)) => out.push(
                    ChangeKind::ResponseAdded,
                    code.starts_with('2'),
                    &plain,
                    format!("response {code} added"),
                ),
                (Some(o), Some(n)) => {
                    if let (Some(os), Some(ns)) = (body_schema(o), body_schema(n)) {
                        let at = At::operation(
                            method,
                            path,
                            format!("response {code}"),
                            false,
                            Sides::RESPONSE,
                        );
                        self.schema(os, ns, &at, out);
                    }
                }
                (None, None) => {}
            }
        }
    }

    fn components(&self, out: &mut Changes) {
        let base = &self.base["components"]["schemas"];
        let head = &self.head["components"]["schemas"];
        let (Some(base), Some(head)) = (base.as_object(), head.as_object()) else {
            return;
        };
        for (name, old) in base {
            if let Some(new) = head.get(name) {
                let at = At {
                    place: Place::Component(name.clone()),
                    property: Vec::new(),
                    sides: self.uses.get(name).copied().unwrap_or_default(),
                };
                self.schema(old, new, &at, out);
            }
        }
    }

    /// Compares two schemas at one place; a `$ref` is compared by name only, as the component
    /// it names is compared on its own.
    fn schema(&self, old: &Value, new: &Value, at: &At, out: &mut Changes) {
        let (old_type, new_type) = (signature(old), signature(new));
        let (old_null, new_null) = (is_true(&old["nullable"]), is_true(&new["nullable"]));
        if old_type != new_type || old_null != new_null {
            let kind = if !at.property.is_empty() {
                ChangeKind::PropertyType
            } else if at.is_parameter() {
                ChangeKind::ParameterType
            } else {
                ChangeKind::SchemaType
            };
            let show = |t: &str, null: bool| {
                if null {
                    format!("{t} | null")
                } else {
                    t.to_owned()
                }
            };
            out.push(
                kind,
                at.sides.any(),
                at,
                at.says(&format!(
                    "type {} → {}",
                    show(&old_type, old_null),
                    show(&new_type, new_null)
                )),
            );
            if old_type != new_type {
                // Another shape: its properties are not comparable one by one.
                return;
            }
        }
        if old.get("$ref").is_some() {
            return;
        }

        let (old_enum, new_enum) = (enum_values(old), enum_values(new));
        for value in new_enum.difference(&old_enum) {
            out.push(
                ChangeKind::EnumValueAdded,
                at.sides.response,
                at,
                at.says(&format!("enum value {value} added")),
            );
        }
        for value in old_enum.difference(&new_enum) {
            out.push(
                ChangeKind::EnumValueRemoved,
                at.sides.request,
                at,
                at.says(&format!("enum value {value} removed")),
            );
        }

        let (old_props, old_required) = object_view(old);
        let (new_props, new_required) = object_view(new);
        let names: BTreeSet<&String> = old_props.keys().chain(new_props.keys()).collect();
        for name in names {
            let child = at.child(name);
            let (was_required, is_required) =
                (old_required.contains(name), new_required.contains(name));
            match (old_props.get(name), new_props.get(name)) {
                (Some(_), None) => out.push(
                    ChangeKind::PropertyRemoved,
                    at.sides.response,
                    &child,
                    format!("{} removed", child.subject()),
                ),
                (None, Some(_)) => out.push(
                    ChangeKind::PropertyAdded,
                    at.sides.request && is_required,
                    &child,
                    format!("{} added ({})", child.subject(), required_word(is_required)),
                ),
                (Some(o), Some(n)) => {
                    match (was_required, is_required) {
                        (false, true) => out.push(
                            ChangeKind::PropertyRequired,
                            at.sides.request,
                            &child,
                            format!("{} is now required", child.subject()),
                        ),
                        (true, false) => out.push(
                            ChangeKind::PropertyOptional,
                            at.sides.response,
                            &child,
                            format!("{} is now optional", child.subject()),
                        ),
                        _ => {}
                    }
                    self.schema(o, n, &child, out);
                }
                (None, None) => {}
            }
        }

        if let (Some(o), Some(n)) = (old.get("items"), new.get("items")) {
            self.schema(o, n, &at.child("[]"), out);
        }
    }
}

/// A schema's type in one word: the component a `$ref` names, `integer(int64)`,
/// `array<V2Presence>`, `allOf(V2UserPresence, object)`. Nullability is compared apart.
fn signature(schema: &Value) -> String {
    if let Some(r) = schema["$ref"].as_str() {
        return r.rsplit('/').next().unwrap_or(r).to_owned();
    }
    for combinator in ["allOf", "oneOf", "anyOf"] {
        if let Some(members) = schema[combinator].as_array() {
            let parts: Vec<String> = members.iter().map(signature).collect();
            return format!("{combinator}({})", parts.join(", "));
        }
    }
    let ty = match schema["type"].as_str() {
        Some(t) => t,
        None if schema.get("properties").is_some() => "object",
        None => "any",
    };
    match ty {
        "array" => format!("array<{}>", signature(&schema["items"])),
        "object" => match &schema["additionalProperties"] {
            extra @ Value::Object(_) if schema.get("properties").is_none() => {
                format!("map<{}>", signature(extra))
            }
            _ => "object".into(),
        },
        _ => match schema["format"].as_str() {
            Some(format) => format!("{ty}({format})"),
            None => ty.to_owned(),
        },
    }
}

/// A schema's enum values, each as JSON text (`"AVAILABLE"`, `3`).
fn enum_values(schema: &Value) -> BTreeSet<String> {
    schema["enum"]
        .as_array()
        .into_iter()
        .flatten()
        .map(Value::to_string)
        .collect()
}

/// The properties a schema defines itself, counting those of inline `allOf` members (which
/// progenitor flattens into one struct); a `$ref` member's are its component's.
fn object_view(schema: &Value) -> (BTreeMap<String, &Value>, BTreeSet<String>) {
    let mut properties = BTreeMap::new();
    let mut required = BTreeSet::new();
    if let Some(props) = schema["properties"].as_object() {
        for (name, s) in props {
            properties.insert(name.clone(), s);
        }
    }
    for name in schema["required"].as_array().into_iter().flatten() {
        if let Some(name) = name.as_str() {
            required.insert(name.to_owned());
        }
    }
    for member in schema["allOf"].as_array().into_iter().flatten() {
        if member.get("$ref").is_none() {
            let (p, r) = object_view(member);
            properties.extend(p);
            required.extend(r);
        }
    }
    (properties, required)
}

/// Every operation by (path, METHOD), with path-level parameters under operation ones.
fn operations(doc: &Value) -> BTreeMap<(String, String), Operation<'_>> {
    let mut out = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        let item = deref(doc, item);
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let mut parameters = BTreeMap::new();
            for p in item["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(op["parameters"].as_array().into_iter().flatten())
            {
                let p = deref(doc, p);
                let location = p["in"].as_str().unwrap_or_default().to_owned();
                let mut name = p["name"].as_str().unwrap_or_default().to_owned();
                if location == "header" {
                    name = name.to_ascii_lowercase();
                }
                parameters.insert((location, name), p);
            }
            let responses = op["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(code, r)| (code.clone(), deref(doc, r)))
                .collect();
            out.insert(
                (path.clone(), method.to_uppercase()),
                Operation {
                    parameters,
                    request_body: op.get("requestBody").map(|b| deref(doc, b)),
                    responses,
                },
            );
        }
    }
    out
}

/// The schema of a body: its JSON content's, or its only content's.
fn body_schema(body: &Value) -> Option<&Value> {
    let content = body["content"].as_object()?;
    content
        .get("application/json")
        .or_else(|| content.values().next())?
        .get("schema")
}

/// Follows a local `$ref` (to a parameter, body or response; schemas keep theirs).
fn deref<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..8 {
        let Some(target) = value["$ref"].as_str().and_then(|r| r.strip_prefix('#')) else {
            break;
        };
        match doc.pointer(target) {
            Some(v) => value = v,
            None => break,
        }
    }
    value
}

/// Marks each component schema with the sides it is used on, following `$ref`s at any depth.
fn usage(doc: &Value, uses: &mut BTreeMap<String, Sides>) {
    for op in operations(doc).values() {
        for p in op.parameters.values() {
            walk(doc, &p["schema"], Sides::REQUEST, uses);
        }
        if let Some(schema) = op.request_body.and_then(body_schema) {
            walk(doc, schema, Sides::REQUEST, uses);
        }
        for response in op.responses.values() {
            if let Some(schema) = body_schema(response) {
                walk(doc, schema, Sides::RESPONSE, uses);
            }
        }
    }
}

fn walk(doc: &Value, schema: &Value, side: Sides, uses: &mut BTreeMap<String, Sides>) {
    if let Some(name) = schema["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        let entry = uses.entry(name.to_owned()).or_default();
        let before = *entry;
        *entry = entry.union(side);
        // Each component is entered once per side, which also ends reference cycles.
        if *entry != before {
            walk(doc, &doc["components"]["schemas"][name], side, uses);
        }
        return;
    }
    for key in ["items", "not", "additionalProperties"] {
        if let Some(child) = schema.get(key).filter(|c| c.is_object()) {
            walk(doc, child, side, uses);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for child in schema[key].as_array().into_iter().flatten() {
            walk(doc, child, side, uses);
        }
    }
    for child in schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(_, c)| c)
    {
        walk(doc, child, side, uses);
    }
}

fn is_true(v: &Value) -> bool {
    v.as_bool() == Some(true)
}

fn required_word(required: bool) -> &'static str {
    if required { "required" } else { "optional" }
}
