//! `cargo xtask codegen`: documents → merged document → normalised document → augmented
//! document → Rust.
//!
//! Each stage is its own module and fails with a [`CodegenError`] that names the file, and
//! where it applies the JSON pointer, so that a bad document never produces a partial write.

use std::path::{Path, PathBuf};
use std::time::Instant;

mod augment;
mod error;
// Public so that `api-diff` and the tests reuse codegen's own stages.
pub mod load;
pub mod merge;
pub mod normalise;
mod output;
pub mod render;
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

/// The code of one API from its documents: merged, normalised, augmented, rendered.
pub fn generate(
    docs: &[load::Document],
    without: &[Rewrite],
) -> Result<(String, merge::Summary), CodegenError> {
    let merged = merge::merge(docs)?;
    let mut spec = normalise::normalise(merged.document, &merged.origin)?;
    augment::augment(&mut spec);
    let code = render::render(&spec, &merged.summary, without)?;
    Ok((code, merged.summary))
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
        let (code, summary) = generate(&docs, without)?;
        let output = output_path(&api);
        rendered.push((api, output, code, summary));
    }

    let listings = public_api_listings(
        root,
        rendered
            .iter()
            .map(|(_, relative, code, _)| (relative, code)),
    )?;

    let mut stale = false;
    let mut wrote = false;
    for (api, relative, code, summary) in &rendered {
        let path = root.join(relative);
        let status = match mode {
            Mode::Write => output::write_if_changed(&path, code)?,
            Mode::Check => output::check(&path, relative, code)?,
        };
        stale |= status == output::Status::Stale;
        wrote |= status == output::Status::Written;
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
    stale |= write_listings(root, mode, &listings)?;
    if wrote {
        print!("{}", crate::api_diff::after_codegen(root));
    }
    println!("codegen finished in {:.2?}", started.elapsed());
    Ok(if stale {
        Outcome::Stale
    } else {
        Outcome::UpToDate
    })
}

// Public API listings (crates/<crate>/api.txt), kept in step with the code: the logic is in
// xtask/src/public_api; codegen only decides when to write or check them.

/// The listing of every publishable library crate, read from the working tree as it will be
/// once the generated files are written, so that an error still leaves the tree untouched.
fn public_api_listings<'a>(
    root: &Path,
    generated: impl Iterator<Item = (&'a PathBuf, &'a String)>,
) -> Result<Vec<(PathBuf, String)>, CodegenError> {
    let mut tree = crate::tree::WorkTree::new(root);
    for (relative, code) in generated {
        tree = tree.with_file(relative.clone(), code.clone());
    }
    Ok(crate::public_api::expected_listings(&tree)?)
}

/// Writes or checks each listing; true when one is stale.
fn write_listings(
    root: &Path,
    mode: Mode,
    listings: &[(PathBuf, String)],
) -> Result<bool, CodegenError> {
    let mut stale = false;
    for (relative, text) in listings {
        let path = root.join(relative);
        let status = match mode {
            Mode::Write => output::write_if_changed(&path, text)?,
            Mode::Check => output::check(&path, relative, text)?,
        };
        stale |= status == output::Status::Stale;
        println!("public API -> {} [{status}]", relative.display());
    }
    Ok(stale)
}
