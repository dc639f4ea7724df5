//! The report in its three forms: Markdown (for people), short (printed by codegen), JSON (for
//! tools and CI; every `kind` is listed in docs/codegen.md).

use std::fmt::Write;

use serde_json::{Value, json};

use super::compare::{ApiChanges, SpecChange};
use super::crates::{CrateChanges, CrateStatus, Reach};
use crate::public_api::Verdict;

pub struct Report {
    /// The base revision as given (`HEAD`).
    pub base: String,
    /// The commit it named.
    pub base_commit: Option<String>,
    /// What it is compared with: `working tree`.
    pub head: String,
    pub apis: Vec<ApiChanges>,
    pub crates: Vec<CrateChanges>,
}

const VERDICTS: &str = "`major`: an item was removed or changed, or an addition breaks \
existing code (a field of a struct whose fields were all public, a variant of an exhaustive \
enum, a trait item without a default); `minor`: items were only added; `patch`: the public \
API did not change. Cargo treats the left-most non-zero component of a version as the \
compatibility boundary, so for a 0.y.z crate `major` means bump y (0.1.3 → 0.2.0) and `minor` \
or `patch` bump z (0.1.3 → 0.1.4).";

impl Report {
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(md, "# API changes: {} → {}\n", self.base, self.head);
        md.push_str("## Spec changes\n\n");
        if self.apis.is_empty() {
            md.push_str("No API documents under `openapi/` on either side.\n\n");
        }
        for api in &self.apis {
            let _ = writeln!(md, "### {}\n", api_heading(api));
            if api.changes.is_empty() {
                md.push_str("No changes.\n\n");
                continue;
            }
            let _ = writeln!(md, "{}.\n", count_phrase(api));
            md.push_str("| breaking | kind | where | change |\n|---|---|---|---|\n");
            for c in &api.changes {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} |",
                    if c.breaking { "**yes**" } else { "no" },
                    c.kind,
                    cell(&place(c)),
                    cell(&c.detail)
                );
            }
            md.push('\n');
        }

        md.push_str("## Public API\n\n");
        if self.crates.is_empty() {
            md.push_str("No publishable library crates on either side.\n\n");
        } else {
            md.push_str("| crate | verdict | added | removed | changed | release |\n");
            md.push_str("|---|---|---|---|---|---|\n");
            for c in &self.crates {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} |",
                    c.name,
                    match c.verdict {
                        Verdict::Major => "**major**".to_owned(),
                        v => v.to_string(),
                    },
                    c.diff.added.len(),
                    c.diff.removed.len(),
                    c.diff.changed.len(),
                    release(c)
                );
            }
            md.push('\n');
            let reach = reach_lines(&self.crates);
            for line in &reach {
                let _ = writeln!(md, "- {line}");
            }
            if !reach.is_empty() {
                md.push('\n');
            }
            let _ = writeln!(md, "Verdicts: {VERDICTS}\n");
        }
        for c in self.crates.iter().filter(|c| !c.diff.is_empty()) {
            let _ = writeln!(md, "### {}: {}\n", c.name, c.verdict);
            section(
                &mut md,
                "Removed",
                c.diff.removed.iter().map(|e| format!("- {}", e.line)),
            );
            section(
                &mut md,
                "Changed",
                c.diff
                    .changed
                    .iter()
                    .flat_map(|(old, new)| [format!("- {}", old.line), format!("+ {}", new.line)]),
            );
            section(
                &mut md,
                "Added",
                c.diff.added.iter().map(|e| format!("+ {}", e.line)),
            );
            if !c.diff.breaking_additions.is_empty() {
                md.push_str("Additions that break existing code:\n\n");
                for (entry, parent) in &c.diff.breaking_additions {
                    let _ = writeln!(md, "- `{}` (added to `{parent}`)", entry.line);
                }
                md.push('\n');
            }
        }
        md
    }

    /// A few lines: per API the version and the count of changes, per crate the verdict, and
    /// whether a break reaches the crates above it.
    pub fn short(&self) -> String {
        let mut s = format!("api-diff {} → {}:\n", self.base, self.head);
        for api in &self.apis {
            let what = if api.changes.is_empty() {
                "no changes".to_owned()
            } else {
                count_phrase(api)
            };
            let _ = writeln!(s, "  {}: {what}", api_heading(api));
        }
        for c in &self.crates {
            let _ = writeln!(s, "  {}: {} ({})", c.name, c.verdict, release(c));
        }
        for line in reach_lines(&self.crates) {
            let _ = writeln!(s, "  {line}");
        }
        s.push_str("  the full report: cargo xtask api-diff\n");
        s
    }

    pub fn json(&self) -> Value {
        json!({
            "base": self.base,
            "base_commit": self.base_commit,
            "head": self.head,
            "apis": self.apis.iter().map(|api| json!({
                "name": api.name,
                "from": api.from,
                "to": api.to,
                "breaking": api.breaking(),
                "changes": api.changes.iter().map(change_json).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "crates": self.crates.iter().map(|c| json!({
                "name": c.name,
                "status": c.status.as_str(),
                "verdict": c.verdict.as_str(),
                "version": c.version,
                "next_version": c.next_version,
                "changes": crate_changes_json(c),
                "breaking_additions": c.diff.breaking_additions.iter().map(|(e, _)| e.line.clone()).collect::<Vec<_>>(),
                "reaches": c.reaches.iter().map(|r| json!({
                    "name": r.dependent,
                    "listing_changed": r.changed,
                    "verdict": r.verdict.as_str(),
                    "through": r.through,
                    "exposes": r.exposes,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }
}

fn change_json(c: &SpecChange) -> Value {
    let mut v = json!({"kind": c.kind.as_str(), "breaking": c.breaking});
    let map = v.as_object_mut().expect("built as an object");
    if let Some(m) = &c.method {
        map.insert("method".into(), m.clone().into());
    }
    if let Some(p) = &c.path {
        map.insert("path".into(), p.clone().into());
    }
    if let Some(s) = &c.schema {
        map.insert("schema".into(), s.clone().into());
    }
    if let Some(u) = c.used_in {
        map.insert("used_in".into(), u.label().into());
    }
    map.insert("detail".into(), c.detail.clone().into());
    v
}

/// `added: <line>`, `removed: <line>`, `changed: <old> => <new>`.
fn crate_changes_json(c: &CrateChanges) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(
        c.diff
            .removed
            .iter()
            .map(|e| format!("removed: {}", e.line)),
    );
    out.extend(
        c.diff
            .changed
            .iter()
            .map(|(o, n)| format!("changed: {} => {}", o.line, n.line)),
    );
    out.extend(c.diff.added.iter().map(|e| format!("added: {}", e.line)));
    out
}

fn api_heading(api: &ApiChanges) -> String {
    match (&api.from, &api.to) {
        (Some(f), Some(t)) if f == t => format!("{} {f}", api.name),
        (Some(f), Some(t)) => format!("{} {f} → {t}", api.name),
        (None, Some(t)) => format!("{} {t} (new)", api.name),
        (Some(f), None) => format!("{} {f} (removed)", api.name),
        (None, None) => api.name.clone(),
    }
}

fn count_phrase(api: &ApiChanges) -> String {
    let breaking = api.breaking();
    let other = api.changes.len() - breaking;
    format!(
        "{breaking} breaking {}, {other} other {}",
        plural(breaking, "change"),
        plural(other, "change")
    )
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}

fn place(c: &SpecChange) -> String {
    match (&c.method, &c.path, &c.schema) {
        (Some(m), Some(p), _) => format!("`{m} {p}`"),
        (_, _, Some(s)) => format!(
            "schema `{s}` ({})",
            c.used_in.map_or("unused", |u| u.label())
        ),
        _ => "API".into(),
    }
}

fn release(c: &CrateChanges) -> String {
    match (c.status, &c.version, &c.next_version) {
        (CrateStatus::New, Some(v), _) => format!("new crate, {v}"),
        (CrateStatus::New, None, _) => "new crate".into(),
        (CrateStatus::Removed, _, _) => "removed".into(),
        // Nothing public changed: a release is only needed for other reasons.
        (_, Some(v), Some(next)) if c.verdict == Verdict::Patch => {
            format!("{v} → {next} if released")
        }
        (_, Some(v), Some(next)) => format!("{v} → {next}"),
        (_, Some(v), None) => v.clone(),
        (_, None, _) => "version unknown".into(),
    }
}

/// For each major verdict: whether the break reaches each crate that depends on the broken one.
fn reach_lines(crates: &[CrateChanges]) -> Vec<String> {
    let mut lines = Vec::new();
    for c in crates {
        for r in &c.reaches {
            lines.push(reach_line(&c.name, r));
        }
    }
    lines
}

fn reach_line(broken: &str, r: &Reach) -> String {
    let d = &r.dependent;
    let list = |paths: &[String]| {
        paths
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !r.through.is_empty() {
        return format!(
            "The break in {broken} reaches {d}'s users: {d}'s public API names {}, which broke, so {d} needs a major release too (its own listing says {}).",
            list(&r.through),
            r.verdict
        );
    }
    if r.changed {
        return format!(
            "{d}'s public API changed too ({}), but it names none of {broken}'s broken items: the break in {broken} does not reach it.",
            r.verdict
        );
    }
    if r.exposes.is_empty() {
        format!(
            "The break in {broken} does not reach {d}'s public API: its listing is unchanged and names no item of {broken}."
        )
    } else {
        format!(
            "The break in {broken} does not reach {d}'s public API: its listing is unchanged, and the items of {broken} it names ({}) did not break.",
            list(&r.exposes)
        )
    }
}

fn section(md: &mut String, title: &str, lines: impl Iterator<Item = String>) {
    let lines: Vec<String> = lines.collect();
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(md, "{title}:\n\n```diff");
    for line in lines {
        let _ = writeln!(md, "{line}");
    }
    md.push_str("```\n\n");
}

/// Keeps a table cell in its cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
