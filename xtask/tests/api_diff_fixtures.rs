//! Spec-change fixtures: each folder under `tests/fixtures/api-diff/` holds a `base.json` and a
//! `head.json` that differ in one way. Each test asserts how `api-diff` classifies the change,
//! whether it is breaking for existing clients, and the semver verdict of the client crate that
//! codegen generates from the two documents (so the two views can disagree, and the tests say
//! where they do).

use std::path::{Path, PathBuf};

use xtask::api_diff::{ChangeKind, compare, spec};
use xtask::codegen::{self, load};
use xtask::public_api::{self, ListingDiff, Verdict};
use xtask::tree::MemoryTree;

fn fixture(case: &str, side: &str) -> load::Document {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/api-diff")
        .join(case)
        .join(format!("{side}.json"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    load::parse(PathBuf::from(format!("{case}/{side}.json")), bytes).unwrap()
}

/// The public API of the crate codegen would generate from one document, laid out like
/// crates/symphony-api (the generated module, and `hooks`).
fn generated_listing(doc: &load::Document) -> public_api::Listing {
    let (code, _) = codegen::generate(std::slice::from_ref(doc), &[]).unwrap();
    let tree = MemoryTree::new()
        .with_file(
            "src/lib.rs",
            "pub mod hooks;\n#[path = \"generated/api.rs\"]\npub mod api;\n",
        )
        .with_file("src/generated/api.rs", code)
        .with_file(
            "src/hooks.rs",
            "#[derive(Clone, Default)]\npub struct Inner;\n",
        );
    public_api::listing(&tree, Path::new("src/lib.rs"), "items_api").unwrap()
}

/// Asserts the exact list of `(kind, breaking)` and the generated crate's verdict.
fn assert_case(case: &str, expected: &[(ChangeKind, bool)], verdict: Verdict) {
    let (base, head) = (fixture(case, "base"), fixture(case, "head"));
    let changes = compare::compare(
        "items",
        Some(&spec::from_documents(std::slice::from_ref(&base)).unwrap()),
        Some(&spec::from_documents(std::slice::from_ref(&head)).unwrap()),
    );
    let found: Vec<(ChangeKind, bool)> = changes
        .changes
        .iter()
        .map(|c| (c.kind, c.breaking))
        .collect();
    assert_eq!(found, expected, "{case}: {:#?}", changes.changes);

    let diff = ListingDiff::between(&generated_listing(&base), &generated_listing(&head));
    assert_eq!(
        diff.verdict(),
        verdict,
        "{case}: generated crate\nadded: {:#?}\nremoved: {:#?}\nchanged: {:#?}",
        diff.added,
        diff.removed,
        diff.changed
    );
}

use ChangeKind::*;
use Verdict::*;

#[test]
fn operation_added_is_compatible_and_adds_a_method() {
    assert_case("operation-added", &[(OperationAdded, false)], Minor);
}

#[test]
fn operation_removed_breaks_clients_and_the_crate() {
    assert_case("operation-removed", &[(OperationRemoved, true)], Major);
}

#[test]
fn optional_parameter_added_is_compatible_and_adds_a_setter() {
    assert_case(
        "parameter-added-optional",
        &[(ParameterAdded, false)],
        Minor,
    );
}

#[test]
fn required_parameter_added_breaks_clients_though_the_crate_only_gains_a_setter() {
    // Old callers compile, and their requests fail: the verdict cannot see this.
    assert_case("parameter-added-required", &[(ParameterAdded, true)], Minor);
}

#[test]
fn parameter_removed_breaks_clients_and_the_crate() {
    assert_case("parameter-removed", &[(ParameterRemoved, true)], Major);
}

#[test]
fn parameter_required_breaks_clients_though_the_setter_is_unchanged() {
    assert_case("parameter-required", &[(ParameterRequired, true)], Patch);
}

#[test]
fn parameter_type_change_breaks_clients_and_the_crate() {
    assert_case("parameter-type", &[(ParameterType, true)], Major);
}

#[test]
fn enum_value_removed_from_a_request_parameter_breaks_clients_and_the_crate() {
    assert_case(
        "parameter-enum-value-removed",
        &[(EnumValueRemoved, true)],
        Major,
    );
}

#[test]
fn response_property_added_is_compatible_but_breaks_struct_literals() {
    assert_case("property-added-response", &[(PropertyAdded, false)], Major);
}

#[test]
fn required_request_property_added_breaks_clients_and_the_crate() {
    assert_case(
        "property-added-required-request",
        &[(PropertyAdded, true)],
        Major,
    );
}

#[test]
fn response_property_removed_breaks_clients_and_the_crate() {
    assert_case(
        "property-removed-response",
        &[(PropertyRemoved, true)],
        Major,
    );
}

#[test]
fn request_property_made_required_breaks_clients_though_an_array_field_keeps_its_type() {
    // progenitor types an optional array as `Vec<T>` with `#[serde(default)]`, like a required one.
    assert_case(
        "property-required-request",
        &[(PropertyRequired, true)],
        Patch,
    );
}

#[test]
fn response_property_made_optional_breaks_clients_and_the_crate() {
    assert_case(
        "property-optional-response",
        &[(PropertyOptional, true)],
        Major,
    );
}

#[test]
fn property_type_change_breaks_clients_and_the_crate() {
    assert_case("property-type", &[(PropertyType, true)], Major);
}

#[test]
fn enum_value_added_to_a_response_breaks_clients_and_the_generated_enum() {
    assert_case(
        "enum-value-added-response",
        &[(EnumValueAdded, true)],
        Major,
    );
}

#[test]
fn enum_value_removed_from_a_response_is_compatible_but_removes_a_variant() {
    assert_case(
        "enum-value-removed-response",
        &[(EnumValueRemoved, false)],
        Major,
    );
}

#[test]
fn version_bump_alone_is_compatible_and_leaves_the_crate_unchanged() {
    assert_case("version", &[(Version, false)], Patch);
}

#[test]
fn error_response_added_is_compatible() {
    assert_case("response-added-error", &[(ResponseAdded, false)], Patch);
}

#[test]
fn response_body_type_change_breaks_clients_and_the_crate() {
    assert_case("schema-type", &[(SchemaType, true)], Major);
}

#[test]
fn request_body_made_optional_is_compatible() {
    assert_case(
        "request-body-optional",
        &[(RequestBodyOptional, false)],
        Patch,
    );
}

#[test]
fn every_kind_is_documented_in_docs_codegen_md() {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/codegen.md"))
            .unwrap();
    for kind in ChangeKind::ALL {
        assert!(
            docs.contains(&format!("| `{kind}` |")),
            "docs/codegen.md has no table row for `{kind}`"
        );
    }
}
