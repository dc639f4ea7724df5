//! `cargo xtask api-diff [--base REV] [--json]`: what changed between REV and the working
//! tree, in the API documents and in the public API of each publishable crate.
//!
//! Both sides go through the same stages: the documents under `openapi/<api>/` are merged and
//! normalised by codegen's own code ([`spec`]) and compared ([`compare`]); each crate's public
//! API is listed from its sources ([`crate::public_api`]) and diffed ([`crates`]). REV is read
//! out of git into memory; nothing is checked out or written.

use std::path::Path;

use crate::codegen::CodegenError;
use crate::public_api::PublicApiError;
use crate::tree::{GitTree, Tree, TreeError, WorkTree};

pub mod compare;
pub mod crates;
pub mod kind;
pub mod report;
pub mod spec;

pub use compare::{ApiChanges, SpecChange};
pub use kind::{ChangeKind, Sides};
pub use report::Report;

/// Bad input: an unknown revision, a document that does not parse or that normalisation
/// refuses (named with its file, `REV:path` for the base, and JSON pointer), or a crate
/// whose sources cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ApiDiffError {
    #[error(transparent)]
    Tree(#[from] TreeError),
    #[error(transparent)]
    Spec(#[from] CodegenError),
    #[error(transparent)]
    PublicApi(#[from] PublicApiError),
}

/// Compares revision `base` of the repository holding `root` with the working tree.
pub fn run(root: &Path, base: &str) -> Result<Report, ApiDiffError> {
    let base_tree = GitTree::open(root, base)?;
    let mut report = between(&base_tree, &WorkTree::new(root))?;
    report.base_commit = Some(base_tree.commit().to_owned());
    Ok(report)
}

/// Compares any two trees.
pub fn between(base: &dyn Tree, head: &dyn Tree) -> Result<Report, ApiDiffError> {
    let base_apis = spec::load_all(base)?;
    let head_apis = spec::load_all(head)?;
    let names: std::collections::BTreeSet<&String> =
        base_apis.keys().chain(head_apis.keys()).collect();
    let apis = names
        .into_iter()
        .map(|name| compare::compare(name, base_apis.get(name), head_apis.get(name)))
        .collect();
    let crates = crates::compare(base, head)?;
    Ok(Report {
        base: base.label(),
        base_commit: None,
        head: head.label(),
        apis,
        crates,
    })
}

/// What `cargo xtask codegen` prints after it wrote changed code: the short report of HEAD
/// against the working tree, or why there is none. It never fails codegen.
pub fn after_codegen(root: &Path) -> String {
    match run(root, "HEAD") {
        Ok(report) => report.short(),
        Err(e) => format!("api-diff: no report ({e})\n"),
    }
}
