//! No `api-version` header.

use syn::visit_mut::{self, VisitMut};

/// progenitor puts `api-version: <info.version>` on every request. Symphony has no such header,
/// and building it only for a hook to remove it cost about 1,500 instructions a call (see
/// docs/benchmarks.md), so the insertion is left out and the header map sized to what remains.
#[derive(Default)]
pub(super) struct OmitApiVersion {
    /// `api-version` insertions removed.
    pub removed: usize,
    /// Builder `send` methods seen: each must have had exactly one insertion.
    pub sends: usize,
}

impl VisitMut for OmitApiVersion {
    fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
        if f.sig.ident == "send" {
            self.sends += 1;
        }
        visit_mut::visit_impl_item_fn_mut(self, f);
    }

    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        visit_mut::visit_block_mut(self, block);
        let before = block.stmts.len();
        block
            .stmts
            .retain(|stmt| !appends(stmt, Some("\"api-version\"")));
        if block.stmts.len() == before {
            return;
        }
        self.removed += before - block.stmts.len();
        let remaining = block.stmts.iter().filter(|s| appends(s, None)).count();
        for stmt in &mut block.stmts {
            if let syn::Stmt::Local(local) = stmt {
                size_header_map(local, remaining);
            }
        }
    }
}

/// Whether `stmt` is `header_map.append(..)`, with `name` among its tokens when given.
fn appends(stmt: &syn::Stmt, name: Option<&str>) -> bool {
    let syn::Stmt::Expr(syn::Expr::MethodCall(call), Some(_)) = stmt else {
        return false;
    };
    let receiver = &call.receiver;
    call.method == "append"
        && quote::quote!(#receiver).to_string() == "header_map"
        && name.is_none_or(|name| quote::quote!(#call).to_string().contains(name))
}

/// Turns `let mut header_map = HeaderMap::with_capacity(n)` into a map of `len`, without `mut`
/// when nothing is appended to it.
fn size_header_map(local: &mut syn::Local, len: usize) {
    let syn::Pat::Ident(binding) = &mut local.pat else {
        return;
    };
    if binding.ident != "header_map" {
        return;
    }
    if len == 0 {
        binding.mutability = None;
    }
    if let Some(init) = &mut local.init
        && let syn::Expr::Call(call) = init.expr.as_mut()
        && let Some(capacity) = call.args.first_mut()
    {
        let len = syn::LitInt::new(&format!("{len}usize"), proc_macro2::Span::call_site());
        *capacity = syn::parse_quote!(#len);
    }
}
