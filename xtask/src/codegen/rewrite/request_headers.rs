//! Header parameters appended to the request's own header map.

use syn::visit_mut::{self, VisitMut};

/// progenitor collects the header parameters in a `HeaderMap` of their own and merges it into
/// the request (`.headers(header_map)`): two allocations, and every name hashed twice, per
/// call. Here the same `append` statements run on the built request's map instead
/// (`let header_map = request.headers_mut();`), just after the request is built.
#[derive(Default)]
pub(super) struct HeadersOnTheRequest {
    /// Header maps moved onto their request.
    pub moved: usize,
    /// What was found that this rewrite does not know, to be reported.
    pub unknown: Vec<String>,
}

impl VisitMut for HeadersOnTheRequest {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        visit_mut::visit_block_mut(self, block);
        let Some(map) = block.stmts.iter().position(|s| binds(s, "header_map")) else {
            return;
        };
        let Some(request) = block.stmts.iter().position(|s| binds(s, "request")) else {
            self.unknown
                .push("a header map without a `let mut request` after it".into());
            return;
        };
        // Between the two, progenitor writes only the header parameters' appends.
        let appends = map + 1..request;
        if request < map || !block.stmts[appends.clone()].iter().all(mentions_header_map) {
            self.unknown
                .push("statements other than header appends before `let mut request`".into());
            return;
        }
        let syn::Stmt::Local(local) = &mut block.stmts[request] else {
            unreachable!("binds() matched a local");
        };
        let Some(init) = &mut local.init else {
            self.unknown
                .push("`let mut request` without a value".into());
            return;
        };
        if !remove_headers_call(&mut init.expr) {
            self.unknown
                .push("a request built without `.headers(header_map)`".into());
            return;
        }
        let appends: Vec<syn::Stmt> = block.stmts.drain(appends).collect();
        block.stmts.remove(map);
        // `request` is now at `map`.
        let mut after: Vec<syn::Stmt> = Vec::with_capacity(appends.len() + 1);
        if !appends.is_empty() {
            after.push(syn::parse_quote!(let header_map = request.headers_mut();));
            after.extend(appends);
        }
        block.stmts.splice(map + 1..map + 1, after);
        self.moved += 1;
    }
}

/// Whether `stmt` is `let [mut] <name> = ..`.
fn binds(stmt: &syn::Stmt, name: &str) -> bool {
    matches!(stmt, syn::Stmt::Local(syn::Local { pat: syn::Pat::Ident(binding), .. })
        if binding.ident == name)
}

fn mentions_header_map(stmt: &syn::Stmt) -> bool {
    quote::quote!(#stmt).to_string().contains("header_map")
}

/// Removes `.headers(header_map)` from the method chain `expr` ends with.
fn remove_headers_call(expr: &mut syn::Expr) -> bool {
    match expr {
        syn::Expr::Try(tried) => remove_headers_call(&mut tried.expr),
        syn::Expr::MethodCall(call) => {
            let args = &call.args;
            if call.method == "headers" && quote::quote!(#args).to_string() == "header_map" {
                *expr = (*call.receiver).clone();
                true
            } else {
                remove_headers_call(&mut call.receiver)
            }
        }
        _ => false,
    }
}
