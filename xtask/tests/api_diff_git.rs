//! `cargo xtask api-diff` (and codegen's short report) run as a program in scratch git
//! repositories: real commits as the base, edits in the working tree as the head.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

mod support;

fn git(root: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn commit_all(root: &Path, message: &str) -> String {
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", message]);
    git(root, &["rev-parse", "HEAD"])
}

fn xtask(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write(root: &Path, path: &str, content: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

fn edit_json(path: &Path, edit: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

/// A repository with the real pod and login documents and two small crates: `demo-api`, and
/// `demo-sdk`, which depends on it without exposing its types.
fn scratch_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    for api in ["pod", "login"] {
        let to = root.join("openapi").join(api);
        std::fs::create_dir_all(&to).unwrap();
        for entry in std::fs::read_dir(support::workspace().join("openapi").join(api)).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
    write(
        root,
        "Cargo.toml",
        "[workspace.package]\nversion = \"0.1.0\"\n",
    );
    write(
        root,
        "crates/demo-api/Cargo.toml",
        "[package]\nname = \"demo-api\"\nversion.workspace = true\n",
    );
    write(
        root,
        "crates/demo-api/src/lib.rs",
        "mod generated;\npub use generated::*;\n",
    );
    write(
        root,
        "crates/demo-api/src/generated.rs",
        "pub struct V2Presence { pub category: String }\n",
    );
    write(
        root,
        "crates/demo-sdk/Cargo.toml",
        "[package]\nname = \"demo-sdk\"\nversion.workspace = true\n\n[dependencies]\ndemo-api = { path = \"../demo-api\" }\n",
    );
    write(
        root,
        "crates/demo-sdk/src/lib.rs",
        "#[non_exhaustive]\npub enum Category { Available, Other(String) }\n",
    );
    write(
        root,
        "crates/demo-cli/Cargo.toml",
        "[package]\nname = \"demo-cli\"\n",
    );
    write(root, "crates/demo-cli/src/main.rs", "fn main() {}\n");
    dir
}

/// Makes `local` of `GET /v3/user/{uid}/presence` required and bumps the pod version.
fn bump_pod(root: &Path) {
    for entry in std::fs::read_dir(root.join("openapi/pod")).unwrap() {
        edit_json(&entry.unwrap().path(), |v| {
            v["info"]["version"] = "20.18.0".into()
        });
    }
    edit_json(&root.join("openapi/pod/get-user-presence.json"), |v| {
        for p in v["paths"]["/v3/user/{uid}/presence"]["get"]["parameters"]
            .as_array_mut()
            .unwrap()
        {
            if p["name"] == "local" {
                p["required"] = true.into();
            }
        }
    });
}

fn find<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {list:#}"))
}

#[test]
fn reports_spec_and_public_api_changes_against_a_real_commit() {
    let repo = scratch_repo();
    let root = repo.path();
    let base = commit_all(root, "documents and crates");
    // A later commit, so that the report must use the revision it is given, not HEAD.
    write(root, "notes.txt", "later\n");
    commit_all(root, "a later commit");

    bump_pod(root);
    write(
        root,
        "crates/demo-api/src/generated.rs",
        "pub struct V2Presence { pub category: String, pub status: Option<String> }\n",
    );
    let status_before = git(root, &["status", "--porcelain"]);

    let out = xtask(root, &["api-diff", "--base", &base, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["base"], base.as_str());
    assert_eq!(report["base_commit"], base.as_str());

    let pod = find(&report["apis"], "pod");
    assert_eq!(pod["from"], "20.17.1");
    assert_eq!(pod["to"], "20.18.0");
    let changes = pod["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{changes:#?}");
    assert_eq!(
        changes[0],
        serde_json::json!({"kind": "version", "breaking": false, "detail": "info.version 20.17.1 → 20.18.0"})
    );
    assert_eq!(
        changes[1],
        serde_json::json!({
            "kind": "parameter-required",
            "breaking": true,
            "method": "GET",
            "path": "/v3/user/{uid}/presence",
            "detail": "query parameter local is now required"
        })
    );
    assert_eq!(
        find(&report["apis"], "login")["changes"],
        serde_json::json!([])
    );

    let api = find(&report["crates"], "demo-api");
    assert_eq!(
        api["verdict"], "major",
        "a field added to a struct of public fields"
    );
    assert_eq!(api["version"], "0.1.0");
    assert_eq!(api["next_version"], "0.2.0");
    assert_eq!(
        api["changes"],
        serde_json::json!(["added: pub demo_api::V2Presence::status: Option<String>"])
    );
    let reach = &api["reaches"][0];
    assert_eq!(reach["name"], "demo-sdk");
    assert_eq!(reach["listing_changed"], false);
    assert_eq!(find(&report["crates"], "demo-sdk")["verdict"], "patch");
    assert!(
        report["crates"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["name"] != "demo-cli"),
        "a bin-only crate has no listing"
    );

    let md = xtask(root, &["api-diff", "--base", &base]);
    let md = stdout(&md);
    assert!(md.contains("### pod 20.17.1 → 20.18.0"), "{md}");
    assert!(
        md.contains("| **yes** | parameter-required | `GET /v3/user/{uid}/presence` | query parameter local is now required |"),
        "{md}"
    );
    assert!(
        md.contains("The break in demo-api does not reach demo-sdk's public API"),
        "{md}"
    );
    assert_eq!(
        git(root, &["status", "--porcelain"]),
        status_before,
        "api-diff writes nothing"
    );
}

#[test]
fn bad_input_exits_2_and_names_the_revision_file_and_pointer() {
    let repo = scratch_repo();
    let root = repo.path();
    commit_all(root, "documents and crates");

    std::fs::write(
        root.join("openapi/pod/set-presence.json"),
        "{\n  \"openapi\": \"3.1.1\",\n  oops\n}",
    )
    .unwrap();
    let unparsable = commit_all(root, "a broken document");
    git(root, &["revert", "--no-edit", "HEAD"]);

    edit_json(&root.join("openapi/pod/register-interest.json"), |v| {
        v["components"]["schemas"]["UserIdList"]["prefixItems"] =
            serde_json::json!([{"type": "integer"}]);
    });
    let refused = commit_all(root, "a document normalisation refuses");
    git(root, &["revert", "--no-edit", "HEAD"]);
    let status_before = git(root, &["status", "--porcelain"]);

    for (base, expected) in [
        ("no-such-rev", "unknown revision `no-such-rev`".to_owned()),
        (
            unparsable.as_str(),
            format!("{unparsable}:openapi/pod/set-presence.json:3:3: invalid JSON"),
        ),
        (
            refused.as_str(),
            format!(
                "{refused}:openapi/pod/register-interest.json: unsupported construct at /components/schemas/UserIdList/prefixItems"
            ),
        ),
    ] {
        let out = xtask(root, &["api-diff", "--base", base]);
        assert_eq!(out.status.code(), Some(2), "{base}: {}", stderr(&out));
        assert!(stderr(&out).contains(&expected), "{base}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "no report on bad input");
    }
    assert_eq!(git(root, &["status", "--porcelain"]), status_before);
}

#[test]
fn outside_a_repository_api_diff_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = xtask(dir.path(), &["api-diff"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("rev-parse"), "{}", stderr(&out));
}

/// A scratch repository holding the real documents and generated crates, so that codegen
/// runs on it exactly as on the workspace.
fn codegen_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    support::copy_codegen_inputs(root);
    dir
}

#[test]
fn codegen_ends_with_the_short_report_when_it_wrote_changed_code() {
    let repo = codegen_repo();
    let root = repo.path();
    commit_all(root, "the workspace's documents and generated crates");

    let out = xtask(root, &["codegen"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !stdout(&out).contains("api-diff"),
        "nothing changed, so no report: {}",
        stdout(&out)
    );

    bump_pod(root);
    let out = xtask(root, &["codegen"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text.contains("api-diff HEAD → working tree:"), "{text}");
    assert!(
        text.contains("pod 20.17.1 → 20.18.0: 1 breaking change, 1 other change"),
        "{text}"
    );
    assert!(text.contains("symphony-api: "), "{text}");
}
