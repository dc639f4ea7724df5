//! Comparing two listings of one crate and the semver verdict that follows.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::{Entry, Listing};

/// What a release must signal, in cargo's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// No public item was added, removed or changed.
    Patch,
    /// Items were only added, none of them in a way that breaks existing code.
    Minor,
    /// An item was removed or changed, or an addition breaks existing code (a field of a
    /// struct whose fields were all public, a variant of an exhaustive enum, a trait item
    /// without a default).
    Major,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Patch => "patch",
            Verdict::Minor => "minor",
            Verdict::Major => "major",
        }
    }

    /// The version to release next under cargo's rules, where the left-most non-zero
    /// component is the compatibility boundary: for 0.y.z a major change bumps y, anything
    /// else z; for 0.0.z every change bumps z. `None` when `current` is not `x.y.z`.
    pub fn next_version(self, current: &str) -> Option<String> {
        let core = current.split(['-', '+']).next()?;
        let parts: Vec<u64> = core
            .split('.')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        let [x, y, z] = parts[..] else {
            return None;
        };
        let breaking = self == Verdict::Major;
        let additive = self == Verdict::Minor;
        Some(match (x, y) {
            (0, 0) => format!("0.0.{}", z + 1),
            (0, _) if breaking => format!("0.{}.0", y + 1),
            (0, _) => format!("0.{y}.{}", z + 1),
            _ if breaking => format!("{}.0.0", x + 1),
            _ if additive => format!("{x}.{}.0", y + 1),
            _ => format!("{x}.{y}.{}", z + 1),
        })
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The items that differ between two listings, and why they make the verdict.
#[derive(Debug, Default)]
pub struct ListingDiff {
    pub added: Vec<Entry>,
    pub removed: Vec<Entry>,
    /// `(old, new)`: the same item (same kind and path) with a different line.
    pub changed: Vec<(Entry, Entry)>,
    /// The added items that break existing code on their own, each with the key of the item
    /// it was added to.
    pub breaking_additions: Vec<(Entry, String)>,
}

impl ListingDiff {
    pub fn between(base: &Listing, head: &Listing) -> ListingDiff {
        let base_lines: BTreeSet<&str> = base.entries.iter().map(|e| e.line.as_str()).collect();
        let head_lines: BTreeSet<&str> = head.entries.iter().map(|e| e.line.as_str()).collect();
        let base_keys: BTreeSet<&str> = base.entries.iter().map(|e| e.key.as_str()).collect();

        // An item is changed when exactly one line with its key went and one came.
        let mut by_key: BTreeMap<&str, (Vec<&Entry>, Vec<&Entry>)> = BTreeMap::new();
        for e in base
            .entries
            .iter()
            .filter(|e| !head_lines.contains(e.line.as_str()))
        {
            by_key.entry(&e.key).or_default().0.push(e);
        }
        for e in head
            .entries
            .iter()
            .filter(|e| !base_lines.contains(e.line.as_str()))
        {
            by_key.entry(&e.key).or_default().1.push(e);
        }
        let mut diff = ListingDiff::default();
        for (old, new) in by_key.into_values() {
            if let ([old], [new]) = (&old[..], &new[..]) {
                diff.changed.push(((*old).clone(), (*new).clone()));
                continue;
            }
            diff.removed.extend(old.into_iter().cloned());
            for e in new {
                // Breaking only when the parent existed before: a new struct's fields are not.
                if let Some(parent) = e
                    .added_breaks
                    .as_ref()
                    .filter(|p| base_keys.contains(p.as_str()))
                {
                    diff.breaking_additions.push((e.clone(), parent.clone()));
                }
                diff.added.push(e.clone());
            }
        }
        diff.added.sort_by(|a, b| a.line.cmp(&b.line));
        diff.removed.sort_by(|a, b| a.line.cmp(&b.line));
        diff.changed.sort_by(|a, b| a.0.line.cmp(&b.0.line));
        diff.breaking_additions
            .sort_by(|a, b| a.0.line.cmp(&b.0.line));
        diff
    }

    pub fn verdict(&self) -> Verdict {
        if !self.removed.is_empty()
            || !self.changed.is_empty()
            || !self.breaking_additions.is_empty()
        {
            Verdict::Major
        } else if !self.added.is_empty() {
            Verdict::Minor
        } else {
            Verdict::Patch
        }
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// The paths of the items whose users break: each removed or changed item and the item
    /// it belongs to (a method's type, a field's struct), and each item that got a breaking
    /// addition. A crate whose listing names one of these exposes the break.
    pub fn broken_paths(&self) -> BTreeSet<String> {
        let mut paths = BTreeSet::new();
        let keys = self
            .removed
            .iter()
            .chain(self.changed.iter().map(|(old, _)| old))
            .map(|e| e.key.as_str());
        for key in keys {
            // `impl ..` keys are lines, not paths: the impl's type is listed on its own.
            let Some(path) = key
                .split_once(' ')
                .map(|(_, p)| p)
                .filter(|_| !key.starts_with("impl "))
            else {
                continue;
            };
            paths.insert(path.to_owned());
            let segments: Vec<&str> = path.split("::").collect();
            if segments.len() > 2 {
                paths.insert(segments[..segments.len() - 1].join("::"));
            }
        }
        for (_, parent) in &self.breaking_additions {
            if let Some((_, path)) = parent.split_once(' ') {
                paths.insert(path.to_owned());
            }
        }
        paths
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_treats_the_left_most_non_zero_component_as_the_boundary() {
        assert_eq!(Verdict::Major.next_version("0.1.3").unwrap(), "0.2.0");
        assert_eq!(Verdict::Minor.next_version("0.1.3").unwrap(), "0.1.4");
        assert_eq!(Verdict::Patch.next_version("0.1.3").unwrap(), "0.1.4");
        assert_eq!(Verdict::Major.next_version("0.0.3").unwrap(), "0.0.4");
        assert_eq!(Verdict::Major.next_version("1.4.2").unwrap(), "2.0.0");
        assert_eq!(Verdict::Minor.next_version("1.4.2").unwrap(), "1.5.0");
        assert_eq!(Verdict::Patch.next_version("1.4.2").unwrap(), "1.4.3");
        assert_eq!(Verdict::Patch.next_version("1.4"), None);
    }
}
