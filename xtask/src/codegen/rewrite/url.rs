//! Request URLs joined without the formatting machinery.

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::visit_mut::{self, VisitMut};

/// progenitor builds each URL with `format!("{}/v3/user/{}/presence", client.baseurl, ..)`,
/// which runs the formatter and grows its `String` as it writes. `[.., "/v3/user/", ..,
/// "/presence"].concat()` sizes the `String` once and copies the pieces into it.
#[derive(Default)]
pub(super) struct UrlWithoutFormat {
    /// URLs rewritten.
    pub replaced: usize,
    /// What was found that this rewrite does not know, to be reported.
    pub unknown: Vec<String>,
}

impl VisitMut for UrlWithoutFormat {
    fn visit_local_mut(&mut self, local: &mut syn::Local) {
        visit_mut::visit_local_mut(self, local);
        let syn::Pat::Ident(binding) = &local.pat else {
            return;
        };
        let Some(init) = &mut local.init else {
            return;
        };
        let syn::Expr::Macro(format) = init.expr.as_ref() else {
            return;
        };
        if binding.ident != "url" || !format.mac.path.is_ident("format") {
            return;
        }
        match concat(&format.mac.tokens) {
            Ok(joined) => {
                *init.expr = joined;
                self.replaced += 1;
            }
            Err(what) => self.unknown.push(what),
        }
    }
}

/// `[piece, ..].concat()` for the arguments of a `format!` whose placeholders are all `{}`.
fn concat(format_args: &TokenStream) -> Result<syn::Expr, String> {
    let args = Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated
        .parse2(format_args.clone())
        .map_err(|e| format!("the URL's format! does not parse: {e}"))?;
    let mut args = args.into_iter();
    let Some(syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(template),
        ..
    })) = args.next()
    else {
        return Err("the URL's format! has no literal template".into());
    };
    let template = template.value();
    let literals: Vec<&str> = template.split("{}").collect();
    let args: Vec<syn::Expr> = args.collect();
    if literals.iter().any(|l| l.contains(['{', '}'])) || args.len() + 1 != literals.len() {
        return Err(format!(
            "the URL template {template:?} is not only `{{}}` placeholders for its {} arguments",
            args.len()
        ));
    }
    let mut pieces: Vec<syn::Expr> = Vec::with_capacity(literals.len() + args.len());
    for (i, literal) in literals.iter().enumerate() {
        if let Some(arg) = i.checked_sub(1).map(|a| &args[a]) {
            pieces.push(syn::parse_quote!(&*#arg));
        }
        if !literal.is_empty() {
            pieces.push(syn::parse_quote!(#literal));
        }
    }
    Ok(syn::parse_quote!([#(#pieces),*].concat()))
}
