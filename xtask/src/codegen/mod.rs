//! `cargo xtask codegen`: documents → merged document → normalised document → augmented
//! document → Rust.
//!
//! Each stage is its own module and fails with a [`CodegenError`] that names the file, and
//! where it applies the JSON pointer, so that a bad document never produces a partial write.

use std::path::{Path, PathBuf};
use std::time::Instant;

mod augment;
mod error;
mod load;
mod merge;
mod normalise;
mod output;
mod render;
mod rewrite;

pub use error::CodegenError;
pub use rewrite::Rewrite;

/// Where the generated module of the API in `openapi/<api>/` goes, relative to the workspace
/// root. Every API is one module of the one generated crate.
pub fn output_path(api: &str) -> PathBuf {
    PathBuf::from(format!("crates/symphony-api/src/generated/{api}.rs"))
}

/// The APIs: one per folder under `openapi/`, in name order.
pub fn apis(openapi: &Path) -> Result<Vec<String>, CodegenError> {
    let read_err = |source| CodegenError::Read {
        path: openapi.to_path_buf(),
        source,
    };
    let mut apis = Vec::new();
    for entry in std::fs::read_dir(openapi).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        if entry.file_type().map_err(read_err)?.is_dir() {
            apis.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    apis.sort();
    Ok(apis)
}

/// Whether to write the generated files or only compare them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

/// What a run found.
pub enum Outcome {
    /// Every output matches its documents (after writing, in [`Mode::Write`]).
    UpToDate,
    /// [`Mode::Check`] found at least one stale file; the diffs were printed.
    Stale,
}

/// Generates every API before writing any file, so that an error leaves the tree untouched.
/// `without` names rewrites to leave out, which only measurements do (docs/codegen.md).
pub fn run(root: &Path, mode: Mode, without: &[Rewrite]) -> Result<Outcome, CodegenError> {
    let started = Instant::now();
    let openapi = root.join("openapi");
    if !openapi.is_dir() {
        return Err(CodegenError::MissingOpenApiDir(openapi));
    }

    let mut rendered = Vec::new();
    for api in apis(&openapi)? {
        let docs = load::documents(root, &openapi.join(&api))?;
        let merged = merge::merge(&docs)?;
        let mut spec = normalise::normalise(merged.document, &merged.origin)?;
        augment::augment(&mut spec);
        let code = render::render(&spec, &merged.summary, without)?;
        let output = output_path(&api);
        rendered.push((api, output, code, merged.summary));
    }

    let mut stale = false;
    for (api, relative, code, summary) in &rendered {
        let path = root.join(relative);
        let status = match mode {
            Mode::Write => output::write_if_changed(&path, code)?,
            Mode::Check => output::check(&path, relative, code)?,
        };
        stale |= status == output::Status::Stale;
        println!(
            "codegen {api}: {} documents, {} operations ({} {}) -> {} [{}]",
            summary.files.len(),
            summary.operations,
            summary.title,
            summary.version,
            relative.display(),
            status,
        );
    }
    println!("codegen finished in {:.2?}", started.elapsed());
    Ok(if stale {
        Outcome::Stale
    } else {
        Outcome::UpToDate
    })
}
