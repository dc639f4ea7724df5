//! The listing walker on small crates held in memory.

use super::*;
use crate::tree::MemoryTree;

fn lines(files: &[(&str, &str)]) -> Vec<String> {
    let mut tree = MemoryTree::new();
    for (path, content) in files {
        tree = tree.with_file(format!("c/{path}"), *content);
    }
    listing(&tree, std::path::Path::new("c/src/lib.rs"), "demo")
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.line)
        .collect()
}

fn has(lines: &[String], line: &str) {
    assert!(
        lines.iter().any(|l| l == line),
        "missing {line:?} in:\n{}",
        lines.join("\n")
    );
}

fn lacks(lines: &[String], part: &str) {
    assert!(
        !lines.iter().any(|l| l.contains(part)),
        "unexpected {part:?} in:\n{}",
        lines.join("\n")
    );
}

#[test]
fn glob_re_export_of_a_private_module_lists_items_at_the_crate_root() {
    // The shape of the generated crates: `mod generated; pub use generated::*;`.
    let l = lines(&[
        (
            "src/lib.rs",
            "mod generated;\npub mod hooks;\npub use generated::*;",
        ),
        (
            "src/generated.rs",
            "pub use progenitor_client::{Error, ResponseValue};\n\
             use progenitor_client::ClientHooks;\n\
             pub struct Client { pub(crate) inner: crate::hooks::Inner }\n\
             pub mod types { pub struct V2Presence { pub category: ::std::string::String } }\n\
             pub mod prelude { pub use self::super::Client; }\n\
             pub(crate) fn internal() {}",
        ),
        (
            "src/hooks.rs",
            "use crate::Client;\n#[derive(Clone, Default)]\npub struct Inner;\n\
             impl ClientHooks<Inner> for Client {}\n\
             #[doc(hidden)]\npub fn from_response() {}",
        ),
    ]);
    has(&l, "pub struct demo::Client { /* private fields */ }");
    has(
        &l,
        "pub struct demo::prelude::Client { /* private fields */ }",
    );
    has(&l, "pub struct demo::types::V2Presence");
    has(
        &l,
        "pub demo::types::V2Presence::category: std::string::String",
    );
    has(&l, "pub use demo::Error = progenitor_client::Error");
    has(
        &l,
        "pub use demo::ResponseValue = progenitor_client::ResponseValue",
    );
    has(&l, "impl ClientHooks<demo::hooks::Inner> for demo::Client");
    has(&l, "impl Clone for demo::hooks::Inner");
    has(&l, "pub mod demo::types");
    lacks(&l, "generated");
    lacks(&l, "internal");
    lacks(&l, "from_response");
    lacks(&l, "ClientHooks =");
}

#[test]
fn renamed_re_exports_and_nested_modules_follow_the_file_layout() {
    let l = lines(&[
        (
            "src/lib.rs",
            "mod a;\npub use a::b::Thing as Renamed;\npub use a::b::{self as bee};",
        ),
        ("src/a/mod.rs", "pub mod b;"),
        (
            "src/a/b.rs",
            "pub struct Thing(pub u8, u16);\n#[path = \"c_impl.rs\"]\npub mod c;",
        ),
        ("src/a/c_impl.rs", "pub const LIMIT: u32 = 3;"),
    ]);
    has(&l, "pub struct demo::Renamed(pub u8, _)");
    has(&l, "pub struct demo::bee::Thing(pub u8, _)");
    has(&l, "pub const demo::bee::c::LIMIT: u32");
    has(&l, "pub mod demo::bee");
}

#[test]
fn doc_hidden_and_test_items_are_left_out() {
    let l = lines(&[(
        "src/lib.rs",
        "#[doc(hidden)] pub mod internals { pub fn x() {} }\n\
         #[cfg(test)] pub fn only_in_tests() {}\n\
         pub struct S { pub shown: u8, #[doc(hidden)] pub hidden: u8 }\n\
         pub enum E { A, #[doc(hidden)] B }\n\
         impl S { #[doc(hidden)] pub fn secret(&self) {} pub fn open(&self) {} fn private(&self) {} }",
    )]);
    lacks(&l, "internals");
    lacks(&l, "only_in_tests");
    lacks(&l, "hidden");
    lacks(&l, "E::B");
    lacks(&l, "secret");
    lacks(&l, "S::private");
    has(&l, "pub struct demo::S { /* private fields */ }");
    has(&l, "pub fn demo::S::open(&self)");
}

#[test]
fn derives_explicit_impls_and_markers_are_listed() {
    let l = lines(&[(
        "src/lib.rs",
        "use std::fmt;\n\
         #[derive(Clone, Debug, serde::Serialize)]\n#[non_exhaustive]\npub struct P { pub id: i64 }\n\
         impl fmt::Display for P { fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { Ok(()) } }\n\
         impl From<P> for i64 { fn from(p: P) -> i64 { p.id } }\n\
         #[non_exhaustive]\npub enum Kind { Known(String), Other { raw: String } }\n\
         pub trait Provider: Send { fn token(&self) -> String; fn cached(&self) -> Option<String> { None } }\n\
         impl Provider for P { fn token(&self) -> String { String::new() } }",
    )]);
    has(&l, "#[non_exhaustive] pub struct demo::P");
    has(&l, "impl Clone for demo::P");
    has(&l, "impl Debug for demo::P");
    has(&l, "impl serde::Serialize for demo::P");
    has(&l, "impl std::fmt::Display for demo::P");
    has(&l, "impl From<demo::P> for i64");
    has(&l, "impl demo::Provider for demo::P");
    has(&l, "#[non_exhaustive] pub enum demo::Kind");
    has(&l, "pub demo::Kind::Known(String)");
    has(&l, "pub demo::Kind::Other { raw: String }");
    has(&l, "pub trait demo::Provider: Send");
    has(&l, "pub fn demo::Provider::token(&self) -> String");
    has(
        &l,
        "pub fn demo::Provider::cached(&self) -> Option<String> { .. }",
    );
}

#[test]
fn signatures_are_complete_and_use_canonical_paths() {
    let l = lines(&[
        (
            "src/lib.rs",
            "mod client;\npub use client::{Client, Error};",
        ),
        (
            "src/client.rs",
            "use std::time::Duration;\n\
             pub struct Client;\npub enum Error { Timeout }\n\
             impl Client {\n\
               pub async fn get<'a, T: Into<String>>(&'a self, mut name: T, wait: Duration) -> Result<&'a str, Error> where T: Send { todo!() }\n\
               pub const fn limit() -> u32 { 3 }\n\
               pub const MAX: u32 = 3;\n\
             }",
        ),
    ]);
    has(
        &l,
        "pub async fn demo::Client::get<'a, T: Into<String>>(&'a self, name: T, wait: std::time::Duration) -> Result<&'a str, demo::Error> where T: Send",
    );
    has(&l, "pub const fn demo::Client::limit() -> u32");
    has(&l, "pub const demo::Client::MAX: u32");
    has(&l, "pub demo::Error::Timeout");
}

fn diff(base: &str, head: &str) -> ListingDiff {
    let listing_of = |src: &str| {
        let tree = MemoryTree::new().with_file("c/src/lib.rs", src);
        listing(&tree, std::path::Path::new("c/src/lib.rs"), "demo").unwrap()
    };
    ListingDiff::between(&listing_of(base), &listing_of(head))
}

#[test]
fn verdicts_follow_cargo_semver() {
    let base = "pub struct S { pub a: u8 }\npub fn f(x: u8) {}";
    assert_eq!(diff(base, base).verdict(), Verdict::Patch);
    assert_eq!(
        diff(base, &format!("{base}\npub fn g() {{}}")).verdict(),
        Verdict::Minor
    );
    let changed = diff(base, "pub struct S { pub a: u8 }\npub fn f(x: u16) {}");
    assert_eq!(changed.verdict(), Verdict::Major);
    assert_eq!(changed.changed.len(), 1, "{changed:?}");
    assert_eq!(
        diff(base, "pub struct S { pub a: u8 }").verdict(),
        Verdict::Major
    );
}

#[test]
fn a_field_added_to_an_exhaustive_struct_or_a_variant_to_an_exhaustive_enum_is_major() {
    assert_eq!(
        diff(
            "pub struct S { pub a: u8 }",
            "pub struct S { pub a: u8, pub b: u8 }"
        )
        .verdict(),
        Verdict::Major
    );
    assert_eq!(
        diff(
            "#[non_exhaustive] pub struct S { pub a: u8 }",
            "#[non_exhaustive] pub struct S { pub a: u8, pub b: u8 }"
        )
        .verdict(),
        Verdict::Minor
    );
    assert_eq!(
        diff("pub enum E { A }", "pub enum E { A, B }").verdict(),
        Verdict::Major
    );
    assert_eq!(
        diff(
            "#[non_exhaustive] pub enum E { A }",
            "#[non_exhaustive] pub enum E { A, B }"
        )
        .verdict(),
        Verdict::Minor
    );
    assert_eq!(
        diff(
            "pub trait T { fn a(&self); }",
            "pub trait T { fn a(&self); fn b(&self) {} }"
        )
        .verdict(),
        Verdict::Minor
    );
    assert_eq!(
        diff(
            "pub trait T { fn a(&self); }",
            "pub trait T { fn a(&self); fn b(&self); }"
        )
        .verdict(),
        Verdict::Major
    );
    // A new struct's fields are part of a new item, not additions to an existing one.
    assert_eq!(
        diff("", "pub struct S { pub a: u8 }").verdict(),
        Verdict::Minor
    );
}

#[test]
fn a_missing_module_file_is_an_error_naming_both_candidates() {
    let tree = MemoryTree::new().with_file("c/src/lib.rs", "mod gone;");
    let err = listing(&tree, std::path::Path::new("c/src/lib.rs"), "demo").unwrap_err();
    assert_eq!(
        err.to_string(),
        "c/src/lib.rs: `mod gone;` has no file: looked for c/src/gone.rs and c/src/gone/mod.rs"
    );
}

#[test]
fn unparsable_source_is_an_error_naming_the_file() {
    let tree = MemoryTree::new().with_file("c/src/lib.rs", "pub fn (");
    let err = listing(&tree, std::path::Path::new("c/src/lib.rs"), "demo").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("c/src/lib.rs: cannot parse Rust"),
        "{err}"
    );
}
