//! One line per public item. Each item is listed at every public path that names it; its
//! fields, variants, methods and impls only at its canonical path. Paths inside types that
//! name an item of this crate are written as that item's canonical path, so moving an item or
//! changing an import does not change the lines; other paths are written as in the source,
//! without a leading `::`.

use std::collections::BTreeSet;

use quote::ToTokens;
use syn::visit_mut::{self, VisitMut};
use syn::{
    Fields, FnArg, GenericParam, Generics, ImplItem, Item, Pat, ReturnType, Signature, TraitItem,
    Type, Visibility,
};

use super::Entry;
use super::attrs;
use super::modules::ModId;
use super::resolve::{Exports, Resolver, Target};
use super::tokens;

pub fn entries(resolver: &Resolver<'_>, exports: &Exports, crate_name: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    for paths in exports.modules.values() {
        for p in paths {
            let p = p.join("::");
            out.push(Entry::new(format!("mod {p}"), format!("pub mod {p}")));
        }
    }
    for (at, source) in &exports.externals {
        let at = at.join("::");
        out.push(Entry::new(
            format!("use {at}"),
            format!("pub use {at} = {}", source.join("::")),
        ));
    }
    for (id, paths) in &exports.items {
        let item = &resolver.tree.modules[id.module].items[id.index];
        let printer = Printer::new(
            resolver,
            exports,
            id.module,
            generic_names(item_generics(item)),
        );
        for p in paths {
            out.extend(printer.item(item, &p.join("::")));
        }
        if let Some(canonical) = exports.canonical(*id) {
            printer.members(item, &canonical.join("::"), &mut out);
        }
    }
    for (module, m) in resolver.tree.modules.iter().enumerate() {
        for item in &m.items {
            if let Item::Impl(imp) = item
                && !attrs::is_doc_hidden(&imp.attrs)
            {
                impl_entries(resolver, exports, crate_name, module, imp, &mut out);
            }
        }
    }
    out
}

/// Prints the parts of items written in one module, resolving the paths in them there.
struct Printer<'a> {
    resolver: &'a Resolver<'a>,
    exports: &'a Exports,
    module: ModId,
    /// Generic parameters in scope, which are not paths to resolve.
    generics: BTreeSet<String>,
}

impl<'a> Printer<'a> {
    fn new(
        resolver: &'a Resolver<'a>,
        exports: &'a Exports,
        module: ModId,
        generics: BTreeSet<String>,
    ) -> Self {
        Printer {
            resolver,
            exports,
            module,
            generics,
        }
    }

    fn with_generics(&self, more: &Generics) -> Printer<'a> {
        let mut generics = self.generics.clone();
        generics.extend(generic_names(Some(more)));
        Printer::new(self.resolver, self.exports, self.module, generics)
    }

    /// The canonical path of what `path` names, when it is a public item of this crate.
    fn canonical(&self, path: &syn::Path) -> Option<String> {
        self.targets(path).into_iter().find_map(|t| match t {
            Target::Item(id) => self.exports.canonical(id).map(|p| p.join("::")),
            _ => None,
        })
    }

    /// How a listing writes `path`: a public item of this crate by its canonical path, a name
    /// imported from another crate by its full path (`Duration` → `std::time::Duration`).
    fn spelling(&self, path: &syn::Path) -> Option<String> {
        if let Some(canonical) = self.canonical(path) {
            return Some(canonical);
        }
        let written: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.targets(path).into_iter().find_map(|t| match t {
            Target::External(full) if full != written => Some(full.join("::")),
            _ => None,
        })
    }

    fn targets(&self, path: &syn::Path) -> Vec<Target> {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if self.generics.contains(&segments[0]) || segments[0] == "Self" {
            return Vec::new();
        }
        self.resolver
            .resolve(self.module, &segments, path.leading_colon.is_some())
    }

    fn print<T: ToTokens + Clone>(
        &self,
        node: &T,
        visit: impl Fn(&mut Canonicalise<'_>, &mut T),
    ) -> String {
        let mut node = node.clone();
        visit(&mut Canonicalise { printer: self }, &mut node);
        tokens::print(node.to_token_stream())
    }

    fn ty(&self, ty: &Type) -> String {
        self.print(ty, |c, t| c.visit_type_mut(t))
    }

    fn generics(&self, g: &Generics) -> String {
        if g.params.is_empty() {
            return String::new();
        }
        let params: Vec<String> = g
            .params
            .iter()
            .map(|p| {
                let mut p = p.clone();
                match &mut p {
                    GenericParam::Lifetime(l) => l.attrs.clear(),
                    GenericParam::Type(t) => t.attrs.clear(),
                    GenericParam::Const(c) => c.attrs.clear(),
                }
                self.print(&p, |c, p| c.visit_generic_param_mut(p))
            })
            .collect();
        format!("<{}>", params.join(", "))
    }

    fn where_clause(&self, g: &Generics) -> String {
        match &g.where_clause {
            Some(w) if !w.predicates.is_empty() => {
                let predicates: Vec<String> = w
                    .predicates
                    .iter()
                    .map(|p| self.print(p, |c, p| c.visit_where_predicate_mut(p)))
                    .collect();
                format!(" where {}", predicates.join(", "))
            }
            _ => String::new(),
        }
    }

    fn bounds<'b>(&self, bounds: impl IntoIterator<Item = &'b syn::TypeParamBound>) -> String {
        bounds
            .into_iter()
            .map(|b| self.print(b, |c, b| c.visit_type_param_bound_mut(b)))
            .collect::<Vec<_>>()
            .join(" + ")
    }

    /// `async fn path<T>(self, x: T) -> R where ..`, without `pub`.
    fn signature(&self, sig: &Signature, path: &str) -> String {
        let p = self.with_generics(&sig.generics);
        let mut s = String::new();
        if sig.constness.is_some() {
            s.push_str("const ");
        }
        if sig.asyncness.is_some() {
            s.push_str("async ");
        }
        if matches!(sig.safety, syn::Safety::Unsafe(_)) {
            s.push_str("unsafe ");
        }
        if let Some(abi) = &sig.abi {
            s.push_str(&tokens::print(abi.to_token_stream()));
            s.push(' ');
        }
        let inputs: Vec<String> = sig.inputs.iter().map(|arg| p.argument(arg)).collect();
        s.push_str(&format!(
            "fn {path}{}({}",
            p.generics(&sig.generics),
            inputs.join(", ")
        ));
        if sig.variadic.is_some() {
            s.push_str(", ...");
        }
        s.push(')');
        if let ReturnType::Type(_, ty) = &sig.output {
            s.push_str(" -> ");
            s.push_str(&p.ty(ty));
        }
        s.push_str(&p.where_clause(&sig.generics));
        s
    }

    /// An argument without a `mut` binding, which callers cannot see.
    fn argument(&self, arg: &FnArg) -> String {
        match arg {
            FnArg::Receiver(r) => match &r.kind {
                syn::ReceiverKind::Reference(_, lifetime, mutability) => {
                    let lifetime = lifetime
                        .as_ref()
                        .map(|l| format!("{l} "))
                        .unwrap_or_default();
                    let mutability = if mutability.is_some() { "mut " } else { "" };
                    format!("&{lifetime}{mutability}self")
                }
                syn::ReceiverKind::Typed(_, ty) => format!("self: {}", self.ty(ty)),
                _ => "self".into(),
            },
            FnArg::Typed(t) => {
                let name = match &*t.pat {
                    Pat::Ident(i) => i.ident.to_string(),
                    other => tokens::print(other.to_token_stream()),
                };
                format!("{name}: {}", self.ty(&t.ty))
            }
        }
    }

    /// The line(s) of an item at one of its public paths.
    fn item(&self, item: &Item, path: &str) -> Vec<Entry> {
        let mark = |a: &[syn::Attribute]| {
            if attrs::is_non_exhaustive(a) {
                "#[non_exhaustive] "
            } else {
                ""
            }
        };
        let entry = |kind: &str, line: String| vec![Entry::new(format!("{kind} {path}"), line)];
        match item {
            Item::Struct(s) => {
                let body = match &s.fields {
                    Fields::Named(named) if named.named.iter().all(public_field) => String::new(),
                    Fields::Named(_) => " { /* private fields */ }".into(),
                    Fields::Unnamed(unnamed) => {
                        let fields: Vec<String> = unnamed
                            .unnamed
                            .iter()
                            .map(|f| {
                                if public_field(f) {
                                    format!("pub {}", self.ty(&f.ty))
                                } else {
                                    "_".into()
                                }
                            })
                            .collect();
                        format!("({})", fields.join(", "))
                    }
                    Fields::Unit => String::new(),
                };
                entry(
                    "struct",
                    format!(
                        "{}pub struct {path}{}{body}{}",
                        mark(&s.attrs),
                        self.generics(&s.generics),
                        self.where_clause(&s.generics)
                    ),
                )
            }
            Item::Union(u) => {
                let body = if u.fields.named.iter().all(public_field) {
                    ""
                } else {
                    " { /* private fields */ }"
                };
                entry(
                    "union",
                    format!(
                        "pub union {path}{}{body}{}",
                        self.generics(&u.generics),
                        self.where_clause(&u.generics)
                    ),
                )
            }
            Item::Enum(e) => entry(
                "enum",
                format!(
                    "{}pub enum {path}{}{}",
                    mark(&e.attrs),
                    self.generics(&e.generics),
                    self.where_clause(&e.generics)
                ),
            ),
            Item::Trait(t) => {
                let supertraits = if t.supertraits.is_empty() {
                    String::new()
                } else {
                    format!(": {}", self.bounds(&t.supertraits))
                };
                let unsafety = if t.unsafety.is_some() { "unsafe " } else { "" };
                entry(
                    "trait",
                    format!(
                        "pub {unsafety}trait {path}{}{supertraits}{}",
                        self.generics(&t.generics),
                        self.where_clause(&t.generics)
                    ),
                )
            }
            Item::TraitAlias(t) => entry(
                "trait",
                format!(
                    "pub trait {path}{} = {}",
                    self.generics(&t.generics),
                    self.bounds(&t.bounds)
                ),
            ),
            Item::Fn(f) => entry("fn", format!("pub {}", self.signature(&f.sig, path))),
            Item::Const(c) => entry("const", format!("pub const {path}: {}", self.ty(&c.ty))),
            Item::Static(s) => {
                let mutability = match s.mutability {
                    syn::StaticMutability::Mut(_) => "mut ",
                    _ => "",
                };
                entry(
                    "static",
                    format!("pub static {mutability}{path}: {}", self.ty(&s.ty)),
                )
            }
            Item::Type(t) => entry(
                "type",
                format!(
                    "pub type {path}{} = {}{}",
                    self.generics(&t.generics),
                    self.ty(&t.ty),
                    self.where_clause(&t.generics)
                ),
            ),
            _ => Vec::new(),
        }
    }

    /// Fields, variants, trait items and derived impls, listed under the canonical path.
    fn members(&self, item: &Item, path: &str, out: &mut Vec<Entry>) {
        match item {
            Item::Struct(s) => {
                // Adding a field breaks struct literals unless one of the fields was private
                // or the struct is `#[non_exhaustive]`.
                let exhaustive = !attrs::is_non_exhaustive(&s.attrs)
                    && matches!(&s.fields, Fields::Named(n) if n.named.iter().all(public_field));
                if let Fields::Named(named) = &s.fields {
                    for field in named.named.iter().filter(|f| public_field(f)) {
                        let name = field
                            .ident
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default();
                        out.push(
                            Entry::new(
                                format!("field {path}::{name}"),
                                format!("pub {path}::{name}: {}", self.ty(&field.ty)),
                            )
                            .breaking_when_added_to(exhaustive.then(|| format!("struct {path}"))),
                        );
                    }
                }
                self.derives(&s.attrs, path, out);
            }
            Item::Union(u) => {
                for field in u.fields.named.iter().filter(|f| public_field(f)) {
                    let name = field
                        .ident
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default();
                    out.push(Entry::new(
                        format!("field {path}::{name}"),
                        format!("pub {path}::{name}: {}", self.ty(&field.ty)),
                    ));
                }
                self.derives(&u.attrs, path, out);
            }
            Item::Enum(e) => {
                // A new variant breaks every exhaustive `match` unless the enum is
                // `#[non_exhaustive]`.
                let exhaustive = !attrs::is_non_exhaustive(&e.attrs);
                for variant in e
                    .variants
                    .iter()
                    .filter(|v| !attrs::is_doc_hidden(&v.attrs))
                {
                    let fields = match &variant.fields {
                        Fields::Named(named) => {
                            let fields: Vec<String> = named
                                .named
                                .iter()
                                .map(|f| {
                                    let name = f
                                        .ident
                                        .as_ref()
                                        .map(ToString::to_string)
                                        .unwrap_or_default();
                                    format!("{name}: {}", self.ty(&f.ty))
                                })
                                .collect();
                            format!(" {{ {} }}", fields.join(", "))
                        }
                        Fields::Unnamed(unnamed) => {
                            let fields: Vec<String> =
                                unnamed.unnamed.iter().map(|f| self.ty(&f.ty)).collect();
                            format!("({})", fields.join(", "))
                        }
                        Fields::Unit => String::new(),
                    };
                    let marker = if attrs::is_non_exhaustive(&variant.attrs) {
                        "#[non_exhaustive] "
                    } else {
                        ""
                    };
                    out.push(
                        Entry::new(
                            format!("variant {path}::{}", variant.ident),
                            format!("{marker}pub {path}::{}{fields}", variant.ident),
                        )
                        .breaking_when_added_to(exhaustive.then(|| format!("enum {path}"))),
                    );
                }
                self.derives(&e.attrs, path, out);
            }
            Item::Trait(t) => {
                let p = self.with_generics(&t.generics);
                let parent = format!("trait {path}");
                for trait_item in &t.items {
                    // An item without a default must be written by every implementor.
                    let (key, line, required) = match trait_item {
                        TraitItem::Fn(f) if !attrs::is_doc_hidden(&f.attrs) => {
                            let name = format!("{path}::{}", f.sig.ident);
                            let provided = if f.default.is_some() { " { .. }" } else { "" };
                            (
                                format!("fn {name}"),
                                format!("pub {}{provided}", p.signature(&f.sig, &name)),
                                f.default.is_none(),
                            )
                        }
                        TraitItem::Type(ty) if !attrs::is_doc_hidden(&ty.attrs) => {
                            let name = format!("{path}::{}", ty.ident);
                            let bounds = if ty.bounds.is_empty() {
                                String::new()
                            } else {
                                format!(": {}", p.bounds(&ty.bounds))
                            };
                            let default = ty
                                .default
                                .as_ref()
                                .map(|(_, d)| format!(" = {}", p.ty(d)))
                                .unwrap_or_default();
                            (
                                format!("type {name}"),
                                format!(
                                    "pub type {name}{}{bounds}{default}",
                                    p.generics(&ty.generics)
                                ),
                                ty.default.is_none(),
                            )
                        }
                        TraitItem::Const(c) if !attrs::is_doc_hidden(&c.attrs) => {
                            let name = format!("{path}::{}", c.ident);
                            (
                                format!("const {name}"),
                                format!("pub const {name}: {}", p.ty(&c.ty)),
                                c.default.is_none(),
                            )
                        }
                        _ => continue,
                    };
                    out.push(
                        Entry::new(key, line)
                            .breaking_when_added_to(required.then(|| parent.clone())),
                    );
                }
            }
            _ => {}
        }
    }

    fn derives(&self, item_attrs: &[syn::Attribute], path: &str, out: &mut Vec<Entry>) {
        for derive in attrs::derives(item_attrs) {
            let line = format!(
                "impl {} for {path}",
                self.print(&derive, |c, p| c.visit_path_mut(p))
            );
            out.push(Entry::new(line.clone(), line));
        }
    }
}

/// Methods and constants of inherent impls on public types, and trait impls that involve a
/// public item of this crate (as the type, the trait, or a type argument of the trait).
fn impl_entries(
    resolver: &Resolver<'_>,
    exports: &Exports,
    crate_name: &str,
    module: ModId,
    imp: &syn::ItemImpl,
    out: &mut Vec<Entry>,
) {
    let printer = Printer::new(
        resolver,
        exports,
        module,
        generic_names(Some(&imp.generics)),
    );
    let self_path = match &*imp.self_ty {
        Type::Path(tp) if tp.qself.is_none() => printer.canonical(&tp.path).map(|canonical| {
            // `impl SessionBuilder<App>` and `impl SessionBuilder<Bot>` each have a `build`:
            // their methods are told apart by the type arguments. `impl<'a> X<'a>` needs none.
            let arguments = tp.path.segments.last().map(|s| &s.arguments);
            match arguments {
                Some(syn::PathArguments::AngleBracketed(args)) => {
                    let printed = printer.print(args, |c, a| {
                        c.visit_angle_bracketed_generic_arguments_mut(a)
                    });
                    if printed == parameter_names(&imp.generics) {
                        canonical
                    } else {
                        format!("{canonical}{printed}")
                    }
                }
                _ => canonical,
            }
        }),
        _ => None,
    };
    match &imp.trait_ {
        None => {
            let Some(self_path) = self_path else {
                return;
            };
            for impl_item in &imp.items {
                match impl_item {
                    ImplItem::Fn(f)
                        if matches!(f.vis, Visibility::Public(_))
                            && !attrs::is_doc_hidden(&f.attrs) =>
                    {
                        let name = format!("{self_path}::{}", f.sig.ident);
                        out.push(Entry::new(
                            format!("fn {name}"),
                            format!("pub {}", printer.signature(&f.sig, &name)),
                        ));
                    }
                    ImplItem::Const(c)
                        if matches!(c.vis, Visibility::Public(_))
                            && !attrs::is_doc_hidden(&c.attrs) =>
                    {
                        let name = format!("{self_path}::{}", c.ident);
                        out.push(Entry::new(
                            format!("const {name}"),
                            format!("pub const {name}: {}", printer.ty(&c.ty)),
                        ));
                    }
                    _ => {}
                }
            }
        }
        Some((trait_path, _)) => {
            let trait_printed = printer.print(trait_path, |c, p| c.visit_path_mut(p));
            let self_printed = self_path.unwrap_or_else(|| printer.ty(&imp.self_ty));
            let crate_prefix = format!("{crate_name}::");
            let involves_crate =
                trait_printed.contains(&crate_prefix) || self_printed.contains(&crate_prefix);
            if !involves_crate {
                return;
            }
            let unsafety = if imp.unsafety.is_some() {
                "unsafe "
            } else {
                ""
            };
            let negative = if imp.modifiers.polarity.is_some() {
                "!"
            } else {
                ""
            };
            let line = format!("{unsafety}impl {negative}{trait_printed} for {self_printed}");
            out.push(Entry::new(line.clone(), line));
        }
    }
}

/// Rewrites paths that name public items of this crate to their canonical paths, and drops the
/// leading `::` of the others.
struct Canonicalise<'p> {
    printer: &'p Printer<'p>,
}

impl VisitMut for Canonicalise<'_> {
    fn visit_type_path_mut(&mut self, tp: &mut syn::TypePath) {
        if let Some(qself) = &mut tp.qself {
            // `<T as Trait>::Assoc`: the path is relative to the qualified self; leave it.
            self.visit_type_mut(&mut qself.ty);
            for segment in &mut tp.path.segments {
                self.visit_path_arguments_mut(&mut segment.arguments);
            }
            return;
        }
        self.visit_path_mut(&mut tp.path);
    }

    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        visit_mut::visit_path_mut(self, path);
        if let Some(canonical) = self.printer.spelling(path) {
            let arguments = path
                .segments
                .last()
                .map(|s| s.arguments.clone())
                .unwrap_or(syn::PathArguments::None);
            if let Ok(mut rewritten) = syn::parse_str::<syn::Path>(&canonical) {
                if let Some(last) = rewritten.segments.last_mut() {
                    last.arguments = arguments;
                }
                *path = rewritten;
            }
        }
        path.leading_colon = None;
    }
}

/// `<'a, T>` for `impl<'a, T: Bound>`: what the self type's arguments are when they add nothing.
fn parameter_names(generics: &Generics) -> String {
    if generics.params.is_empty() {
        return String::new();
    }
    let names: Vec<String> = generics
        .params
        .iter()
        .map(|p| match p {
            GenericParam::Lifetime(l) => l.lifetime.to_string(),
            GenericParam::Type(t) => t.ident.to_string(),
            GenericParam::Const(c) => c.ident.to_string(),
        })
        .collect();
    format!("<{}>", names.join(", "))
}

fn public_field(field: &syn::Field) -> bool {
    matches!(field.vis, Visibility::Public(_)) && !attrs::is_doc_hidden(&field.attrs)
}

fn item_generics(item: &Item) -> Option<&Generics> {
    match item {
        Item::Struct(i) => Some(&i.generics),
        Item::Enum(i) => Some(&i.generics),
        Item::Union(i) => Some(&i.generics),
        Item::Trait(i) => Some(&i.generics),
        Item::TraitAlias(i) => Some(&i.generics),
        Item::Type(i) => Some(&i.generics),
        Item::Fn(i) => Some(&i.sig.generics),
        _ => None,
    }
}

/// Type and const parameter names, which look like paths but are not.
fn generic_names(generics: Option<&Generics>) -> BTreeSet<String> {
    generics
        .into_iter()
        .flat_map(|g| g.params.iter())
        .filter_map(|p| match p {
            GenericParam::Type(t) => Some(t.ident.to_string()),
            GenericParam::Const(c) => Some(c.ident.to_string()),
            GenericParam::Lifetime(_) => None,
        })
        .collect()
}
