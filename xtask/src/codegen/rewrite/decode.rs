//! Bodies decoded through the crate's hooks.

use syn::visit_mut::{self, VisitMut};

/// progenitor decodes a body with `ResponseValue::from_response`, whose future is 944 bytes and
/// made each operation's future 1.6 KiB: past glibc's thread cache, so that boxing it cost about
/// 2,000 instructions a call (see docs/benchmarks.md). The crate's `hooks::from_response` does
/// the same in a quarter of the size.
#[derive(Default)]
pub(super) struct DecodeThroughHooks {
    pub replaced: usize,
}

impl VisitMut for DecodeThroughHooks {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        visit_mut::visit_expr_call_mut(self, call);
        let func = &call.func;
        if quote::quote!(#func).to_string() == "ResponseValue :: from_response" {
            *call.func = syn::parse_quote!(crate::hooks::from_response);
            self.replaced += 1;
        }
    }
}
