//! Loading a crate's module tree from its library root, the way rustc finds module files:
//! `mod x;` is `x.rs` or `x/mod.rs` beside a mod-rs file (lib.rs, mod.rs) or in the folder
//! named after a non-mod-rs file, `#[path = ".."]` overrides that, and inline modules nest.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::PublicApiError;
use super::attrs;
use crate::tree::Tree;

pub type ModId = usize;

pub struct Module {
    pub parent: Option<ModId>,
    /// Its items, `#[cfg(test)]` ones left out; `mod` items stay, without inline content.
    pub items: Vec<syn::Item>,
    pub children: BTreeMap<String, ModId>,
}

pub struct ModuleTree {
    /// Index 0 is the crate root.
    pub modules: Vec<Module>,
}

impl ModuleTree {
    pub const ROOT: ModId = 0;

    pub fn load(tree: &dyn Tree, lib_root: &Path) -> Result<ModuleTree, PublicApiError> {
        let mut loader = Loader {
            tree,
            modules: Vec::new(),
            files: BTreeSet::new(),
        };
        let items = loader.parse(lib_root)?;
        let dir = lib_root.parent().unwrap_or(Path::new("")).to_path_buf();
        let places = Places {
            file_dir: dir.clone(),
            child_dir: dir,
            inline: false,
        };
        loader.add(None, lib_root, items, &places)?;
        Ok(ModuleTree {
            modules: loader.modules,
        })
    }

    pub fn parent(&self, id: ModId) -> Option<ModId> {
        self.modules[id].parent
    }
}

struct Loader<'a> {
    tree: &'a dyn Tree,
    modules: Vec<Module>,
    /// Files already loaded: a `#[path]` cycle would otherwise load forever.
    files: BTreeSet<PathBuf>,
}

/// Where the files of a module's `mod x;` declarations are looked for.
struct Places {
    /// The folder of the source file, which a top-level `#[path]` is relative to.
    file_dir: PathBuf,
    /// The folder that `x.rs` and `x/mod.rs` are looked for in.
    child_dir: PathBuf,
    /// Inside an inline `mod x { .. }`, where `#[path]` is relative to `child_dir`.
    inline: bool,
}

impl Loader<'_> {
    fn parse(&mut self, path: &Path) -> Result<Vec<syn::Item>, PublicApiError> {
        let shown = self.tree.shown(path);
        if !self.files.insert(path.to_path_buf()) {
            return Err(PublicApiError::Parse {
                path: shown,
                message: "the file is declared as a module twice (a `#[path]` cycle?)".into(),
            });
        }
        let bytes = self.tree.read(path)?.ok_or_else(|| PublicApiError::Parse {
            path: shown.clone(),
            message: "file not found".into(),
        })?;
        let file = syn::parse_file(&String::from_utf8_lossy(&bytes)).map_err(|e| {
            PublicApiError::Parse {
                path: shown,
                message: e.to_string(),
            }
        })?;
        Ok(file.items)
    }

    fn add(
        &mut self,
        parent: Option<ModId>,
        file: &Path,
        items: Vec<syn::Item>,
        places: &Places,
    ) -> Result<ModId, PublicApiError> {
        let id = self.modules.len();
        self.modules.push(Module {
            parent,
            items: Vec::new(),
            children: BTreeMap::new(),
        });
        let mut kept = Vec::with_capacity(items.len());
        for item in items {
            if attrs::is_cfg_test(item_attrs(&item)) {
                continue;
            }
            let syn::Item::Mod(mut module) = item else {
                kept.push(item);
                continue;
            };
            let name = module.ident.to_string();
            let path_attr = attrs::path(&module.attrs);
            let child = match module.content.take() {
                Some((_, inner)) => {
                    let dir = match &path_attr {
                        Some(p) => places.child_dir.join(p),
                        None => places.child_dir.join(&name),
                    };
                    let inner_places = Places {
                        file_dir: places.file_dir.clone(),
                        child_dir: dir,
                        inline: true,
                    };
                    self.add(Some(id), file, inner, &inner_places)?
                }
                None => {
                    let (child_file, mod_rs) = self.find_file(file, &name, path_attr, places)?;
                    let child_items = self.parse(&child_file)?;
                    let file_dir = child_file.parent().unwrap_or(Path::new("")).to_path_buf();
                    // A mod.rs or `#[path]` file keeps its children beside it; `x.rs` in `x/`.
                    let child_dir = if mod_rs {
                        file_dir.clone()
                    } else {
                        file_dir.join(&name)
                    };
                    let child_places = Places {
                        file_dir,
                        child_dir,
                        inline: false,
                    };
                    self.add(Some(id), &child_file, child_items, &child_places)?
                }
            };
            self.modules[id].children.insert(name, child);
            kept.push(syn::Item::Mod(module));
        }
        self.modules[id].items = kept;
        Ok(id)
    }

    /// The file of `mod name;` and whether it is mod-rs-like (its children sit beside it).
    fn find_file(
        &self,
        declared_in: &Path,
        name: &str,
        path_attr: Option<String>,
        places: &Places,
    ) -> Result<(PathBuf, bool), PublicApiError> {
        if let Some(p) = path_attr {
            let base = if places.inline {
                &places.child_dir
            } else {
                &places.file_dir
            };
            return Ok((normalise(&base.join(p)), true));
        }
        let flat = places.child_dir.join(format!("{name}.rs"));
        let nested = places.child_dir.join(name).join("mod.rs");
        if self.tree.read(&flat)?.is_some() {
            return Ok((flat, false));
        }
        if self.tree.read(&nested)?.is_some() {
            return Ok((nested, true));
        }
        Err(PublicApiError::MissingModule {
            declared_in: self.tree.shown(declared_in),
            module: name.to_owned(),
            candidates: vec![flat.display().to_string(), nested.display().to_string()],
        })
    }
}

/// Resolves `..` and `.` so that a `#[path = "../x.rs"]` names a file the tree knows.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

pub fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    use syn::Item;
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}
