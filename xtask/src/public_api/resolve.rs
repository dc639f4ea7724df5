//! Names: what a path written in a module refers to, and under which public paths each item
//! of the crate can be named from outside it.
//!
//! This is a model of rustc's resolution that is good enough for listing an API: items, named
//! and glob imports (with explicit names shadowing glob ones), renames, `crate`/`self`/`super`,
//! and anything else treated as a path into another crate. It ignores namespaces (a type and a
//! function of one name both match) and macros.

use std::collections::{BTreeMap, BTreeSet};

use syn::{Item, UseTree, Visibility};

use super::attrs;
use super::modules::{ModId, ModuleTree};

/// Deep enough for any real chain of re-exports; it stops import cycles.
const MAX_DEPTH: usize = 32;
/// Public paths longer than this are not followed (a module that re-exports its parent).
const MAX_PATH_LEN: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ItemId {
    pub module: ModId,
    pub index: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    Module(ModId),
    Item(ItemId),
    /// A path into another crate (or the prelude), as written.
    External(Vec<String>),
}

struct Import {
    public: bool,
    /// Not private: a glob import from another module can see it.
    visible: bool,
    hidden: bool,
    leading_colon: bool,
    source: Vec<String>,
    /// The name it binds, or `None` for a glob.
    binding: Option<String>,
}

pub struct Resolver<'a> {
    pub tree: &'a ModuleTree,
    imports: Vec<Vec<Import>>,
}

/// Everything public: each item, module and foreign re-export with every path that names it.
#[derive(Default)]
pub struct Exports {
    pub items: BTreeMap<ItemId, BTreeSet<Vec<String>>>,
    pub modules: BTreeMap<ModId, BTreeSet<Vec<String>>>,
    /// `(public path, source path)` of re-exports of other crates' items.
    pub externals: BTreeSet<(Vec<String>, Vec<String>)>,
}

impl Exports {
    /// The path an item is listed under with its fields, methods and impls: the shortest,
    /// then the first in order, so one item's details are listed once however often it is
    /// re-exported.
    pub fn canonical(&self, id: ItemId) -> Option<&Vec<String>> {
        self.items
            .get(&id)?
            .iter()
            .min_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)))
    }
}

impl<'a> Resolver<'a> {
    pub fn new(tree: &'a ModuleTree) -> Self {
        let imports = tree
            .modules
            .iter()
            .map(|m| {
                let mut out = Vec::new();
                for item in &m.items {
                    if let Item::Use(u) = item {
                        let base = Import {
                            public: matches!(u.vis, Visibility::Public(_)),
                            visible: !matches!(u.vis, Visibility::Inherited),
                            hidden: attrs::is_doc_hidden(&u.attrs),
                            leading_colon: u.leading_colon.is_some(),
                            source: Vec::new(),
                            binding: None,
                        };
                        flatten(&u.tree, &base, &mut out);
                    }
                }
                out
            })
            .collect();
        Resolver { tree, imports }
    }

    /// What `path`, written in `module`, refers to; several targets when a name is both a
    /// type and a value. A first segment that is not found in the module is another crate.
    pub fn resolve(&self, module: ModId, path: &[String], leading_colon: bool) -> Vec<Target> {
        self.resolve_at(module, path, leading_colon, 0)
    }

    fn resolve_at(
        &self,
        module: ModId,
        path: &[String],
        leading_colon: bool,
        depth: usize,
    ) -> Vec<Target> {
        let Some((first, rest)) = path.split_first() else {
            return Vec::new();
        };
        if leading_colon {
            return vec![Target::External(path.to_vec())];
        }
        let mut current = match first.as_str() {
            "crate" => vec![Target::Module(ModuleTree::ROOT)],
            "self" => vec![Target::Module(module)],
            "super" => self
                .tree
                .parent(module)
                .map(Target::Module)
                .into_iter()
                .collect(),
            name => {
                let found = self.lookup(module, name, depth, false);
                if found.is_empty() {
                    return vec![Target::External(path.to_vec())];
                }
                found
            }
        };
        for segment in rest {
            let mut next = Vec::new();
            for target in current {
                match target {
                    Target::Module(m) if segment == "super" => {
                        next.extend(self.tree.parent(m).map(Target::Module));
                    }
                    Target::Module(m) if segment == "self" => next.push(Target::Module(m)),
                    Target::Module(m) => next.extend(self.lookup(m, segment, depth + 1, false)),
                    Target::External(mut p) => {
                        p.push(segment.clone());
                        next.push(Target::External(p));
                    }
                    // An associated item (`Type::CONST`): not something a listing names.
                    Target::Item(_) => {}
                }
            }
            next.dedup();
            current = next;
        }
        current
    }

    /// The targets `name` has in `module`: its own items first, then its named imports, then
    /// its glob imports. `from_glob` keeps private names out, which a glob cannot import.
    fn lookup(&self, module: ModId, name: &str, depth: usize, from_glob: bool) -> Vec<Target> {
        if depth > MAX_DEPTH {
            return Vec::new();
        }
        let m = &self.tree.modules[module];
        let mut found = Vec::new();
        for (index, item) in m.items.iter().enumerate() {
            if item_name(item).as_deref() != Some(name) {
                continue;
            }
            if from_glob && matches!(item_vis(item), Some(Visibility::Inherited)) {
                continue;
            }
            found.push(self.item_target(module, index, item));
        }
        if !found.is_empty() {
            return found;
        }
        let imports = &self.imports[module];
        for import in imports {
            if import.binding.as_deref() == Some(name) && (import.visible || !from_glob) {
                found.extend(self.resolve_at(
                    module,
                    &import.source,
                    import.leading_colon,
                    depth + 1,
                ));
            }
        }
        if !found.is_empty() {
            return found;
        }
        for import in imports {
            if import.binding.is_none() && (import.visible || !from_glob) {
                for target in
                    self.resolve_at(module, &import.source, import.leading_colon, depth + 1)
                {
                    if let Target::Module(source) = target {
                        found.extend(self.lookup(source, name, depth + 1, true));
                    }
                }
            }
        }
        found
    }

    fn item_target(&self, module: ModId, index: usize, item: &Item) -> Target {
        match item {
            Item::Mod(m) => self.tree.modules[module]
                .children
                .get(&m.ident.to_string())
                .map_or(Target::Item(ItemId { module, index }), |c| {
                    Target::Module(*c)
                }),
            Item::ExternCrate(e) => Target::External(vec![e.ident.to_string()]),
            _ => Target::Item(ItemId { module, index }),
        }
    }

    /// The names that `module` makes public, with what they refer to. A glob re-export adds
    /// the public names of its source that the module does not define or import by name.
    fn public_names(&self, module: ModId, depth: usize) -> Vec<(String, Target)> {
        if depth > MAX_DEPTH {
            return Vec::new();
        }
        let m = &self.tree.modules[module];
        let mut names: Vec<(String, Target)> = Vec::new();
        let mut explicit = BTreeSet::new();
        for (index, item) in m.items.iter().enumerate() {
            let Some(name) = item_name(item) else {
                continue;
            };
            explicit.insert(name.clone());
            if matches!(item_vis(item), Some(Visibility::Public(_)))
                && !attrs::is_doc_hidden(super::modules::item_attrs(item))
            {
                names.push((name, self.item_target(module, index, item)));
            }
        }
        for import in &self.imports[module] {
            let Some(alias) = &import.binding else {
                continue;
            };
            explicit.insert(alias.clone());
            if import.public && !import.hidden && alias != "_" {
                for target in self.resolve_at(module, &import.source, import.leading_colon, depth) {
                    names.push((alias.clone(), target));
                }
            }
        }
        for import in &self.imports[module] {
            if import.binding.is_some() || !import.public || import.hidden {
                continue;
            }
            for target in self.resolve_at(module, &import.source, import.leading_colon, depth) {
                match target {
                    Target::Module(source) => {
                        for (name, t) in self.public_names(source, depth + 1) {
                            if !explicit.contains(&name) {
                                names.push((name, t));
                            }
                        }
                    }
                    Target::External(mut p) => {
                        p.push("*".into());
                        names.push(("*".into(), Target::External(p)));
                    }
                    Target::Item(_) => {}
                }
            }
        }
        names.sort();
        names.dedup();
        names
    }

    /// Every public path of the crate whose paths start with `crate_name`.
    pub fn exports(&self, crate_name: &str) -> Exports {
        let mut exports = Exports::default();
        let mut visited = BTreeSet::new();
        self.visit(
            ModuleTree::ROOT,
            vec![crate_name.to_owned()],
            &mut exports,
            &mut visited,
        );
        exports
    }

    fn visit(
        &self,
        module: ModId,
        path: Vec<String>,
        exports: &mut Exports,
        visited: &mut BTreeSet<(ModId, Vec<String>)>,
    ) {
        if path.len() > MAX_PATH_LEN || !visited.insert((module, path.clone())) {
            return;
        }
        exports
            .modules
            .entry(module)
            .or_default()
            .insert(path.clone());
        for (name, target) in self.public_names(module, 0) {
            let mut at = path.clone();
            at.push(name);
            match target {
                Target::Module(m) => self.visit(m, at, exports, visited),
                Target::Item(id) => {
                    let item = &self.tree.modules[id.module].items[id.index];
                    if !attrs::is_doc_hidden(super::modules::item_attrs(item)) {
                        exports.items.entry(id).or_default().insert(at);
                    }
                }
                Target::External(source) => {
                    exports.externals.insert((at, source));
                }
            }
        }
    }
}

/// Turns one `use` tree into one import per name or glob.
fn flatten(tree: &UseTree, base: &Import, out: &mut Vec<Import>) {
    let with = |source: Vec<String>, binding: Option<String>| Import {
        public: base.public,
        visible: base.visible,
        hidden: base.hidden,
        leading_colon: base.leading_colon,
        source,
        binding,
    };
    match tree {
        UseTree::Path(p) => {
            let mut next = with(base.source.clone(), None);
            next.source.push(p.ident.to_string());
            flatten(&p.tree, &next, out);
        }
        UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                // `use a::{self}` imports `a` itself.
                let binding = base.source.last().cloned();
                out.push(with(base.source.clone(), binding));
            } else {
                let mut source = base.source.clone();
                source.push(name.clone());
                out.push(with(source, Some(name)));
            }
        }
        UseTree::Rename(r) => {
            let mut source = base.source.clone();
            let name = r.ident.to_string();
            if name != "self" {
                source.push(name);
            }
            out.push(with(source, Some(r.rename.to_string())));
        }
        UseTree::Glob(_) => out.push(with(base.source.clone(), None)),
        UseTree::Group(g) => {
            for tree in &g.items {
                flatten(tree, base, out);
            }
        }
    }
}

pub fn item_name(item: &Item) -> Option<String> {
    Some(match item {
        Item::Const(i) => i.ident.to_string(),
        Item::Enum(i) => i.ident.to_string(),
        Item::ExternCrate(i) => i
            .rename
            .as_ref()
            .map_or_else(|| i.ident.to_string(), |(_, r)| r.to_string()),
        Item::Fn(i) => i.sig.ident.to_string(),
        Item::Mod(i) => i.ident.to_string(),
        Item::Static(i) => i.ident.to_string(),
        Item::Struct(i) => i.ident.to_string(),
        Item::Trait(i) => i.ident.to_string(),
        Item::TraitAlias(i) => i.ident.to_string(),
        Item::Type(i) => i.ident.to_string(),
        Item::Union(i) => i.ident.to_string(),
        _ => return None,
    })
}

fn item_vis(item: &Item) -> Option<&Visibility> {
    Some(match item {
        Item::Const(i) => &i.vis,
        Item::Enum(i) => &i.vis,
        Item::ExternCrate(i) => &i.vis,
        Item::Fn(i) => &i.vis,
        Item::Mod(i) => &i.vis,
        Item::Static(i) => &i.vis,
        Item::Struct(i) => &i.vis,
        Item::Trait(i) => &i.vis,
        Item::TraitAlias(i) => &i.vis,
        Item::Type(i) => &i.vis,
        Item::Union(i) => &i.vis,
        _ => return None,
    })
}
