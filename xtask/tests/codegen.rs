//! `cargo xtask codegen` run as a program against temporary copies of the workspace.

mod support;

use std::path::Path;
use std::process::{Command, Output};

/// The APIs under `openapi/`, and where each one's code is generated.
const APIS: &[&str] = &["login", "pod"];

fn output(api: &str) -> String {
    format!("crates/symphony-api/src/generated/{api}.rs")
}

fn codegen(root: &Path, check: bool) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.args(["codegen", "--root"]).arg(root);
    if check {
        cmd.arg("--check");
    }
    cmd.output().unwrap()
}

fn outputs(root: &Path) -> Vec<Option<Vec<u8>>> {
    APIS.iter()
        .map(|api| std::fs::read(root.join(output(api))).ok())
        .collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn edit_json(path: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

/// Runs codegen on a broken copy and asserts exit 2, the message, and that nothing was written.
fn assert_refused(root: &Path, expected: &[&str]) {
    let before = outputs(root);
    for check in [false, true] {
        let out = codegen(root, check);
        assert_eq!(
            out.status.code(),
            Some(2),
            "check={check}; stderr: {}",
            stderr(&out)
        );
        for part in expected {
            assert!(
                stderr(&out).contains(part),
                "missing {part:?} in: {}",
                stderr(&out)
            );
        }
        assert_eq!(outputs(root), before, "no file may be touched");
    }
}

#[test]
fn checked_in_code_matches_the_documents() {
    let out = codegen(&support::workspace(), true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn output_is_byte_identical_from_run_to_run() {
    let root = support::copy_of_workspace();
    for api in APIS {
        std::fs::remove_file(root.path().join(output(api))).unwrap();
    }
    assert!(codegen(root.path(), false).status.success());
    let first = outputs(root.path());
    assert!(first.iter().all(Option::is_some));
    let out = codegen(root.path(), false);
    assert!(String::from_utf8_lossy(&out.stdout).contains("[unchanged]"));
    assert_eq!(outputs(root.path()), first);
    // Not `assert_eq!`, which would print both files as bytes.
    assert!(
        first == outputs(&support::workspace()),
        "a fresh run does not reproduce the checked-in files; run `cargo xtask codegen`"
    );
}

#[test]
fn check_fails_with_a_diff_after_info_version_changes() {
    let root = support::copy_of_workspace();
    for entry in std::fs::read_dir(root.path().join("openapi/pod")).unwrap() {
        edit_json(&entry.unwrap().path(), |v| {
            v["info"]["version"] = "20.18.0".into()
        });
    }
    let before = outputs(root.path());
    let out = codegen(root.path(), true);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("--- a/crates/symphony-api/src/generated/pod.rs"),
        "{stdout}"
    );
    assert!(stdout.contains("-// API: Pod API 20.17.1"), "{stdout}");
    assert!(stdout.contains("+// API: Pod API 20.18.0"), "{stdout}");
    assert!(
        stdout.contains("+        \"20.18.0\""),
        "api_version() changes too: {stdout}"
    );
    assert!(
        !stdout.contains("generated/login.rs ---"),
        "login is unchanged"
    );
    assert_eq!(outputs(root.path()), before, "--check writes nothing");
}

#[test]
fn missing_openapi_dir_is_refused() {
    let root = support::copy_of_workspace();
    std::fs::remove_dir_all(root.path().join("openapi")).unwrap();
    assert_refused(root.path(), &["openapi does not exist"]);
}

#[test]
fn invalid_json_reports_file_line_and_column() {
    let root = support::copy_of_workspace();
    std::fs::write(
        root.path().join("openapi/pod/set-presence.json"),
        "{\n  \"openapi\": \"3.1.1\",\n  oops\n}",
    )
    .unwrap();
    assert_refused(
        root.path(),
        &["openapi/pod/set-presence.json:3:3: invalid JSON"],
    );
}

#[test]
fn swagger_2_document_is_refused() {
    let root = support::copy_of_workspace();
    std::fs::write(
        root.path().join("openapi/login/old.json"),
        r#"{"swagger": "2.0", "info": {}}"#,
    )
    .unwrap();
    assert_refused(
        root.path(),
        &["openapi/login/old.json: not an OpenAPI 3.x document (`openapi` is absent)"],
    );
}

#[test]
fn duplicate_operation_is_refused_naming_both_files() {
    let root = support::copy_of_workspace();
    let pod = root.path().join("openapi/pod");
    std::fs::copy(pod.join("get-presence.json"), pod.join("zz-copy.json")).unwrap();
    assert_refused(
        root.path(),
        &[
            "duplicate operation GET /v2/user/presence",
            "openapi/pod/get-presence.json",
            "openapi/pod/zz-copy.json",
        ],
    );
}

#[test]
fn component_conflict_is_refused_naming_both_files() {
    let root = support::copy_of_workspace();
    edit_json(&root.path().join("openapi/pod/set-presence.json"), |v| {
        v["components"]["schemas"]["Error"]["properties"]["code"]["format"] = "int64".into();
    });
    assert_refused(
        root.path(),
        &[
            "components/schemas/Error differs between",
            "openapi/pod/create-presence-feed.json",
            "openapi/pod/set-presence.json",
        ],
    );
}

#[test]
fn unsupported_construct_is_refused_with_file_and_pointer() {
    let root = support::copy_of_workspace();
    edit_json(
        &root.path().join("openapi/pod/register-interest.json"),
        |v| {
            v["components"]["schemas"]["UserIdList"]["prefixItems"] =
                serde_json::json!([{"type": "integer"}]);
        },
    );
    assert_refused(
        root.path(),
        &[
            "openapi/pod/register-interest.json: unsupported construct at /components/schemas/UserIdList/prefixItems",
        ],
    );
}

#[test]
fn info_mismatch_within_one_api_is_refused() {
    let root = support::copy_of_workspace();
    edit_json(
        &root.path().join("openapi/login/app-authenticate.json"),
        |v| v["info"]["version"] = "1.0".into(),
    );
    assert_refused(
        root.path(),
        &[
            "`info.version` differs",
            "openapi/login/app-authenticate.json",
        ],
    );
}
