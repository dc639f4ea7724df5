//! The public API side of the report: each publishable crate's listing on both sides, the
//! difference, the semver verdict, and whether a break reaches the crates that depend on it.
//!
//! Both sides are listed by the current walker from their sources (the checked-in `api.txt`
//! of the base is not read), so an improvement of the walker never shows up as an API change
//! and a base from before the listings existed works as well.

use std::collections::{BTreeMap, BTreeSet};

use super::ApiDiffError;
use crate::public_api::{self, Listing, ListingDiff, Package, Verdict};
use crate::tree::Tree;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrateStatus {
    Existing,
    /// Only the working tree has it.
    New,
    /// Only the base has it.
    Removed,
}

impl CrateStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CrateStatus::Existing => "existing",
            CrateStatus::New => "new",
            CrateStatus::Removed => "removed",
        }
    }
}

/// A workspace crate that depends on a crate whose verdict is major.
#[derive(Debug)]
pub struct Reach {
    pub dependent: String,
    /// Whether the dependent's own listing changed at all.
    pub changed: bool,
    pub verdict: Verdict,
    /// The broken items (or their owners) that the dependent's listing names on either
    /// side: through them the break reaches its users even when its listing is unchanged.
    pub through: Vec<String>,
    /// Every item of the broken crate that the dependent's listing names.
    pub exposes: Vec<String>,
}

#[derive(Debug)]
pub struct CrateChanges {
    pub name: String,
    pub status: CrateStatus,
    pub verdict: Verdict,
    /// The version on the base side (the working tree's for a new crate).
    pub version: Option<String>,
    /// What to release next by the verdict; `None` for a new crate or an unreadable version.
    pub next_version: Option<String>,
    pub diff: ListingDiff,
    /// For a major verdict: what it means for the crates that depend on this one.
    pub reaches: Vec<Reach>,
}

struct Side {
    packages: BTreeMap<String, Package>,
    listings: BTreeMap<String, Listing>,
}

fn side(tree: &dyn Tree) -> Result<Side, ApiDiffError> {
    let mut packages = BTreeMap::new();
    let mut listings = BTreeMap::new();
    for package in public_api::discover(tree)? {
        listings.insert(
            package.name.clone(),
            public_api::package_listing(tree, &package)?,
        );
        packages.insert(package.name.clone(), package);
    }
    Ok(Side { packages, listings })
}

pub fn compare(base: &dyn Tree, head: &dyn Tree) -> Result<Vec<CrateChanges>, ApiDiffError> {
    let base = side(base)?;
    let head = side(head)?;
    let empty = Listing::default();
    let names: BTreeSet<&String> = base.packages.keys().chain(head.packages.keys()).collect();

    let mut out: Vec<CrateChanges> = Vec::new();
    for name in &names {
        let (old, new) = (base.listings.get(*name), head.listings.get(*name));
        let diff = ListingDiff::between(old.unwrap_or(&empty), new.unwrap_or(&empty));
        let status = match (old, new) {
            (Some(_), Some(_)) => CrateStatus::Existing,
            (None, _) => CrateStatus::New,
            (_, None) => CrateStatus::Removed,
        };
        let verdict = diff.verdict();
        let package = base
            .packages
            .get(*name)
            .or_else(|| head.packages.get(*name));
        let version = package.and_then(|p| p.version.clone());
        let next_version = match status {
            CrateStatus::New => None,
            _ => version.as_deref().and_then(|v| verdict.next_version(v)),
        };
        out.push(CrateChanges {
            name: (*name).clone(),
            status,
            verdict,
            version,
            next_version,
            diff,
            reaches: Vec::new(),
        });
    }

    // Which crates depend on each broken one, and did the break reach their own API?
    let summary: BTreeMap<String, (bool, Verdict)> = out
        .iter()
        .map(|c| (c.name.clone(), (!c.diff.is_empty(), c.verdict)))
        .collect();
    for changes in &mut out {
        if changes.verdict != Verdict::Major {
            continue;
        }
        let broken = changes.diff.broken_paths();
        for dependent in head.packages.values().chain(base.packages.values()) {
            if !dependent.dependencies.contains(&changes.name)
                || changes
                    .reaches
                    .iter()
                    .any(|r| r.dependent == dependent.name)
            {
                continue;
            }
            let (changed, verdict) = summary[&dependent.name];
            let mut through: Vec<String> = [&base.listings, &head.listings]
                .iter()
                .filter_map(|l| l.get(&dependent.name))
                .flat_map(|l| l.names(&broken))
                .collect();
            through.sort();
            through.dedup();
            let lib_name = head
                .packages
                .get(&changes.name)
                .or_else(|| base.packages.get(&changes.name))
                .map(|p| p.lib_name.clone())
                .unwrap_or_default();
            let exposes: BTreeSet<String> = [&base.listings, &head.listings]
                .iter()
                .filter_map(|l| l.get(&dependent.name))
                .flat_map(|l| l.paths_of(&lib_name))
                .collect();
            changes.reaches.push(Reach {
                dependent: dependent.name.clone(),
                changed,
                verdict,
                through,
                exposes: exposes.into_iter().collect(),
            });
        }
    }
    Ok(out)
}
