//! The public API of each publishable library crate, as a sorted listing of one item per line
//! (`crates/<crate>/api.txt`), read from the source with syn because rustdoc's JSON output
//! needs a nightly toolchain.
//!
//! The walk starts at the library root, follows `mod` declarations (`modules.rs`), resolves
//! `pub use` re-exports including globs and renames (`resolve.rs`), and writes each public item
//! on one line (`describe.rs`) with its path, signature and markers. `#[doc(hidden)]` and
//! `#[cfg(test)]` items are left out.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::tree::Tree;

mod attrs;
mod describe;
mod diff;
mod error;
mod manifest;
mod modules;
mod resolve;
mod tokens;

pub use diff::{ListingDiff, Verdict};
pub use error::PublicApiError;
pub use manifest::{Package, discover};

/// One line of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The item's kind and path (`fn symphony_presence::PresenceClient::get_presence`): two
    /// lines with one key are the same item, changed. An impl's key is its line.
    pub key: String,
    pub line: String,
    /// For a field, variant or required trait item: the key of the struct, enum or trait
    /// whose existing users break when this is added to it.
    pub added_breaks: Option<String>,
}

impl Entry {
    fn new(key: String, line: String) -> Entry {
        Entry {
            key,
            line,
            added_breaks: None,
        }
    }

    fn breaking_when_added_to(mut self, parent: Option<String>) -> Entry {
        self.added_breaks = parent;
        self
    }
}

/// A crate's public API.
#[derive(Debug, Default)]
pub struct Listing {
    /// Sorted by line, each line once.
    pub entries: Vec<Entry>,
}

impl Listing {
    /// The checked-in form: the lines, sorted, each ending in a newline.
    pub fn text(&self) -> String {
        self.entries
            .iter()
            .map(|e| format!("{}\n", e.line))
            .collect()
    }

    /// Those of `paths` that some line names as a whole path, not as the start of a longer one.
    pub fn names(&self, paths: &BTreeSet<String>) -> Vec<String> {
        paths
            .iter()
            .filter(|p| self.entries.iter().any(|e| names_path(&e.line, p)))
            .cloned()
            .collect()
    }
}

impl Listing {
    /// The paths of `crate_name`'s items that the lines name (types of a dependency used in
    /// signatures or impls, re-exports), each once.
    pub fn paths_of(&self, crate_name: &str) -> BTreeSet<String> {
        let prefix = format!("{crate_name}::");
        let continues = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
        let mut paths = BTreeSet::new();
        for entry in &self.entries {
            let line = entry.line.as_str();
            for (at, _) in line.match_indices(&prefix) {
                if line[..at].chars().next_back().is_some_and(continues) {
                    continue;
                }
                let rest = &line[at..];
                let end = rest.find(|c: char| !continues(c)).unwrap_or(rest.len());
                paths.insert(rest[..end].trim_end_matches(':').to_owned());
            }
        }
        paths
    }
}

fn names_path(line: &str, path: &str) -> bool {
    let continues = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    line.match_indices(path).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + path.len()..].chars().next();
        !before.is_some_and(continues) && !after.is_some_and(continues)
    })
}

/// Lists the public API of the library whose root is `lib_root`; its paths start with
/// `crate_name`.
pub fn listing(
    tree: &dyn Tree,
    lib_root: &std::path::Path,
    crate_name: &str,
) -> Result<Listing, PublicApiError> {
    let modules = modules::ModuleTree::load(tree, lib_root)?;
    let resolver = resolve::Resolver::new(&modules);
    let exports = resolver.exports(crate_name);
    let mut entries = describe::entries(&resolver, &exports, crate_name);
    entries.sort_by(|a, b| a.line.cmp(&b.line));
    entries.dedup_by(|a, b| a.line == b.line);
    Ok(Listing { entries })
}

/// The listing of one package.
pub fn package_listing(tree: &dyn Tree, package: &Package) -> Result<Listing, PublicApiError> {
    listing(tree, &package.lib_root, &package.lib_name)
}

/// The listing file of every publishable library crate and what it should contain.
pub fn expected_listings(tree: &dyn Tree) -> Result<Vec<(PathBuf, String)>, PublicApiError> {
    discover(tree)?
        .iter()
        .map(|p| Ok((p.listing_path(), package_listing(tree, p)?.text())))
        .collect()
}

#[cfg(test)]
mod tests;
