//! No `api-version` header.

use syn::visit_mut::{self, VisitMut};

/// progenitor puts `api-version: <info.version>` on every request. Symphony has no such header,
/// and building it only for a hook to remove it cost about 1,500 instructions a call (see
/// docs/benchmarks.md), so the insertion is left out.
#[derive(Default)]
pub(super) struct OmitApiVersion {
    /// `api-version` insertions removed.
    pub removed: usize,
    /// Builder `send` methods seen: each must have had exactly one insertion.
    pub sends: usize,
}

impl OmitApiVersion {
    /// Counts the `send` methods without removing anything, for when this rewrite is left out.
    pub fn count_sends(&mut self, file: &mut syn::File) {
        struct Sends(usize);
        impl VisitMut for Sends {
            fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
                self.0 += usize::from(f.sig.ident == "send");
            }
        }
        let mut sends = Sends(0);
        sends.visit_file_mut(file);
        self.sends = sends.0;
    }
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
        block.stmts.retain(|stmt| !sets_api_version(stmt));
        self.removed += before - block.stmts.len();
    }
}

/// Whether `stmt` is `header_map.append(<"api-version">, ..)`.
fn sets_api_version(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Expr(syn::Expr::MethodCall(call), Some(_)) = stmt else {
        return false;
    };
    let receiver = &call.receiver;
    call.method == "append"
        && quote::quote!(#receiver).to_string() == "header_map"
        && quote::quote!(#call).to_string().contains("\"api-version\"")
}
