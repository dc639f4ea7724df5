//! The public API listings (`crates/<crate>/api.txt`) as `cargo xtask codegen` keeps them.

mod support;

use std::path::Path;
use std::process::{Command, Output};

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
    let root = support::copy_of_workspace();
    let listing = root.path().join("crates/symphony-api/api.txt");
    let fresh = std::fs::read_to_string(&listing).unwrap();
    std::fs::write(
        &listing,
        fresh.replace("pub mod symphony_api::pod::types\n", ""),
    )
    .unwrap();

    let out = codegen(root.path(), &["--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("--- a/crates/symphony-api/api.txt"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("+pub mod symphony_api::pod::types"),
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
    let root = support::copy_of_workspace();
    let cli = root.path().join("crates/some-cli");
    std::fs::create_dir_all(cli.join("src")).unwrap();
    std::fs::write(cli.join("Cargo.toml"), "[package]\nname = \"some-cli\"\n").unwrap();
    std::fs::write(cli.join("src/main.rs"), "fn main() {}\n").unwrap();
    let out = codegen(root.path(), &[]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(!cli.join("api.txt").exists());
    assert!(
        stdout(&out).contains("public API -> crates/symphony-api/api.txt [unchanged]"),
        "{}",
        stdout(&out)
    );
}
