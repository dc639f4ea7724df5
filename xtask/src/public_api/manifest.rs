//! Finding the workspace's publishable library crates and the few manifest keys the listing
//! and the report need.
//!
//! A small line reader rather than a TOML parser: it needs `[package] name/version/publish`,
//! `[lib] name/path`, the dependency names and `[workspace.package] version`, all of which our
//! manifests write as one `key = value` line, and a TOML crate would add to every xtask build.

use std::path::{Path, PathBuf};

use super::PublicApiError;
use crate::tree::Tree;

/// A crate under `crates/` that has a library target.
#[derive(Debug, Clone)]
pub struct Package {
    /// The package name, `symphony-presence`.
    pub name: String,
    /// The name paths in its listing start with, `symphony_presence`.
    pub lib_name: String,
    /// Its folder, relative to the workspace root: `crates/symphony-presence`.
    pub dir: PathBuf,
    /// Its library root, relative to the workspace root.
    pub lib_root: PathBuf,
    /// `version`, or the workspace's when it is inherited; `None` when neither is readable.
    pub version: Option<String>,
    /// The names of its `[dependencies]` (not dev- or build-dependencies).
    pub dependencies: Vec<String>,
}

impl Package {
    /// Where its checked-in listing lives.
    pub fn listing_path(&self) -> PathBuf {
        self.dir.join("api.txt")
    }
}

/// The publishable library crates under `crates/`, by folder name. A crate with
/// `publish = false`, or without a library target (a bin-only crate), has no listing.
pub fn discover(tree: &dyn Tree) -> Result<Vec<Package>, PublicApiError> {
    let workspace_version = match tree.read(Path::new("Cargo.toml"))? {
        Some(bytes) => Manifest::parse(&String::from_utf8_lossy(&bytes)).workspace_version,
        None => None,
    };
    let mut packages = Vec::new();
    for entry in tree.entries(Path::new("crates"))? {
        if !entry.is_dir {
            continue;
        }
        let dir = Path::new("crates").join(&entry.name);
        let Some(bytes) = tree.read(&dir.join("Cargo.toml"))? else {
            continue;
        };
        let manifest = Manifest::parse(&String::from_utf8_lossy(&bytes));
        let Some(name) = manifest.name else {
            return Err(PublicApiError::Manifest {
                path: tree.shown(&dir.join("Cargo.toml")),
                message: "no `name` in [package]".into(),
            });
        };
        if !manifest.publish {
            continue;
        }
        let lib_root = dir.join(manifest.lib_path.as_deref().unwrap_or("src/lib.rs"));
        if tree.read(&lib_root)?.is_none() {
            continue;
        }
        packages.push(Package {
            lib_name: manifest.lib_name.unwrap_or_else(|| name.replace('-', "_")),
            name,
            dir,
            lib_root,
            version: if manifest.version_from_workspace {
                workspace_version.clone()
            } else {
                manifest.version
            },
            dependencies: manifest.dependencies,
        });
    }
    Ok(packages)
}

#[derive(Default)]
struct Manifest {
    name: Option<String>,
    version: Option<String>,
    version_from_workspace: bool,
    publish: bool,
    lib_name: Option<String>,
    lib_path: Option<String>,
    dependencies: Vec<String>,
    workspace_version: Option<String>,
}

impl Manifest {
    fn parse(text: &str) -> Manifest {
        let mut m = Manifest {
            publish: true,
            ..Manifest::default()
        };
        let mut table = String::new();
        for line in text.lines() {
            let line = strip_comment(line).trim();
            if let Some(header) = line.strip_prefix('[') {
                table = header.trim_end_matches(']').trim().to_owned();
                // `[dependencies.serde]` names a dependency in its header.
                if let Some(dep) = table.strip_prefix("dependencies.") {
                    m.dependencies.push(unquote(dep));
                }
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let (key, value) = (key.trim(), value.trim());
            match (table.as_str(), key) {
                ("package", "name") => m.name = Some(unquote(value)),
                ("package", "version") => m.version = Some(unquote(value)),
                ("package", "version.workspace") => m.version_from_workspace = value == "true",
                ("package", "publish") => m.publish = value != "false" && value != "[]",
                ("lib", "name") => m.lib_name = Some(unquote(value)),
                ("lib", "path") => m.lib_path = Some(unquote(value)),
                ("workspace.package", "version") => m.workspace_version = Some(unquote(value)),
                ("dependencies", key) => {
                    let name = key.split('.').next().unwrap_or(key);
                    m.dependencies.push(unquote(name));
                }
                _ => {}
            }
        }
        m
    }
}

/// Cuts a `#` comment that is not inside a string.
fn strip_comment(line: &str) -> &str {
    let mut in_string = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_string = !in_string,
            '#' if !in_string => return &line[..i],
            _ => {}
        }
    }
    line
}

fn unquote(value: &str) -> String {
    value.trim().trim_matches('"').trim_matches('\'').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::MemoryTree;

    #[test]
    fn finds_publishable_libraries_and_skips_bins_and_private_crates() {
        let tree = MemoryTree::new()
            .with_file("Cargo.toml", "[workspace.package]\nversion = \"0.3.1\"\n")
            .with_file(
                "crates/a-lib/Cargo.toml",
                "[package]\nname = \"a-lib\" # the SDK\nversion.workspace = true\n\n[dependencies]\nserde = { workspace = true }\nb-gen.workspace = true\n[dependencies.http]\nversion = \"1\"\n[dev-dependencies]\ntokio = \"1\"\n",
            )
            .with_file("crates/a-lib/src/lib.rs", "")
            .with_file("crates/cli/Cargo.toml", "[package]\nname = \"cli\"\n")
            .with_file("crates/cli/src/main.rs", "fn main() {}")
            .with_file(
                "crates/tool/Cargo.toml",
                "[package]\nname = \"tool\"\npublish = false\n",
            )
            .with_file("crates/tool/src/lib.rs", "")
            .with_file(
                "crates/renamed/Cargo.toml",
                "[package]\nname = \"renamed\"\nversion = \"1.2.0\"\n[lib]\nname = \"other\"\npath = \"lib.rs\"\n",
            )
            .with_file("crates/renamed/lib.rs", "");
        let found = discover(&tree).unwrap();
        let names: Vec<_> = found.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["a-lib", "renamed"]);
        assert_eq!(found[0].lib_name, "a_lib");
        assert_eq!(found[0].version.as_deref(), Some("0.3.1"));
        assert_eq!(found[0].dependencies, ["serde", "b-gen", "http"]);
        assert_eq!(found[1].lib_name, "other");
        assert_eq!(found[1].lib_root, Path::new("crates/renamed/lib.rs"));
        assert_eq!(found[1].version.as_deref(), Some("1.2.0"));
    }
}
