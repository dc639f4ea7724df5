//! What the xtask's tests share: copies of the workspace's codegen inputs and outputs.

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Copies the documents under `openapi/`, the root manifest and the generated crate into
/// `root`: enough for codegen to run there exactly as on the workspace, and to list the crate.
pub fn copy_codegen_inputs(root: &Path) {
    copy_tree(&workspace().join("openapi"), &root.join("openapi"));
    copy_tree(
        &workspace().join("crates/symphony-api"),
        &root.join("crates/symphony-api"),
    );
    std::fs::copy(workspace().join("Cargo.toml"), root.join("Cargo.toml")).unwrap();
}

/// A temporary directory holding [`copy_codegen_inputs`].
#[allow(
    dead_code,
    reason = "each test binary uses its own part of this module"
)]
pub fn copy_of_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_codegen_inputs(dir.path());
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
