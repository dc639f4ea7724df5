//! The public API listings (`crates/<crate>/api.txt`) as `cargo xtask codegen` keeps them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A copy of the documents and of the generated crates, enough for codegen to list them.
fn copy_of_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let copy = |relative: &str| {
        let to = dir.path().join(relative);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(workspace().join(relative), to).unwrap();
    };
    for api in ["pod", "login"] {
        for entry in std::fs::read_dir(workspace().join("openapi").join(api)).unwrap() {
            let name = entry.unwrap().file_name();
            copy(&format!("openapi/{api}/{}", name.to_string_lossy()));
        }
    }
    copy("Cargo.toml");
    for krate in ["symphony-pod-api", "symphony-login-api"] {
        for file in [
            "Cargo.toml",
            "api.txt",
            "src/lib.rs",
            "src/hooks.rs",
            "src/generated.rs",
        ] {
            copy(&format!("crates/{krate}/{file}"));
        }
    }
    dir
}

fn codegen(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("codegen")
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn check_fails_on_a_stale_listing_and_codegen_rewrites_it() {
    let root = copy_of_workspace();
    let listing = root.path().join("crates/symphony-pod-api/api.txt");
    let fresh = std::fs::read_to_string(&listing).unwrap();
    std::fs::write(
        &listing,
        fresh.replace("pub mod symphony_pod_api::types\n", ""),
    )
    .unwrap();

    let out = codegen(root.path(), &["--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("--- a/crates/symphony-pod-api/api.txt"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("+pub mod symphony_pod_api::types"),
        "{}",
        stdout(&out)
    );

    let out = codegen(root.path(), &[]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert_eq!(std::fs::read_to_string(&listing).unwrap(), fresh);
    assert!(codegen(root.path(), &["--check"]).status.success());
}

#[test]
fn a_bin_only_crate_has_no_listing() {
    let root = copy_of_workspace();
    let cli = root.path().join("crates/some-cli");
    std::fs::create_dir_all(cli.join("src")).unwrap();
    std::fs::write(cli.join("Cargo.toml"), "[package]\nname = \"some-cli\"\n").unwrap();
    std::fs::write(cli.join("src/main.rs"), "fn main() {}\n").unwrap();
    let out = codegen(root.path(), &[]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(!cli.join("api.txt").exists());
    assert!(
        stdout(&out).contains("public API -> crates/symphony-pod-api/api.txt [unchanged]"),
        "{}",
        stdout(&out)
    );
}
