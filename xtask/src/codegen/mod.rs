//! `cargo xtask codegen`: documents → merged document → normalised document → Rust.
//!
//! Each stage is its own module and fails with a [`CodegenError`] that names the file, and
//! where it applies the JSON pointer, so that a bad document never produces a partial write.

use std::path::{Path, PathBuf};
use std::time::Instant;

mod error;
// Public so that `api-diff` and the tests reuse codegen's own stages.
pub mod load;
pub mod merge;
pub mod normalise;
mod output;
pub mod render;
mod rewrite;

pub use error::CodegenError;

/// One API: the folder of documents it is built from and the file it generates.
struct Api {
    /// Folder under `openapi/`.
    name: &'static str,
    /// Output path, relative to the workspace root.
    output: &'static str,
}

const APIS: &[Api] = &[
    Api {
        name: "pod",
        output: "crates/symphony-pod-api/src/generated.rs",
    },
    Api {
        name: "login",
        output: "crates/symphony-login-api/src/generated.rs",
    },
];

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
pub fn run(root: &Path, mode: Mode) -> Result<Outcome, CodegenError> {
    let started = Instant::now();
    let openapi = root.join("openapi");
    if !openapi.is_dir() {
        return Err(CodegenError::MissingOpenApiDir(openapi));
    }

    let mut rendered = Vec::with_capacity(APIS.len());
    for api in APIS {
        let docs = load::documents(root, &openapi.join(api.name))?;
        let merged = merge::merge(&docs)?;
        let normalised = normalise::normalise(merged.document, &merged.origin)?;
        let code = render::render(&normalised, &merged.summary)?;
        rendered.push((api, PathBuf::from(api.output), code, merged.summary));
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
            "codegen {}: {} documents, {} operations ({} {}) -> {} [{}]",
            api.name,
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
