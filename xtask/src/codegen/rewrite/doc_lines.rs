//! One `#[doc]` per line.

use syn::visit_mut::VisitMut;

/// prettyplease prints a multi-line `#[doc]` as an indented `/** */` block, which rustfmt
/// re-indents and rustdoc then reads as code. One `#[doc]` per line prints as `///` lines.
pub(super) struct SplitDocLines;

impl VisitMut for SplitDocLines {
    fn visit_attributes_mut(&mut self, attrs: &mut Vec<syn::Attribute>) {
        let mut out = Vec::with_capacity(attrs.len());
        for attr in attrs.drain(..) {
            match doc_text(&attr) {
                Some(text) if text.contains('\n') => {
                    for line in text.lines() {
                        let line = if line.is_empty() {
                            String::new()
                        } else {
                            format!(" {}", line.trim_end())
                        };
                        out.push(match attr.style {
                            syn::AttrStyle::Outer => syn::parse_quote!(#[doc = #line]),
                            syn::AttrStyle::Inner(_) => syn::parse_quote!(#![doc = #line]),
                        });
                    }
                }
                _ => out.push(attr),
            }
        }
        *attrs = out;
    }
}

fn doc_text(attr: &syn::Attribute) -> Option<String> {
    let syn::Meta::NameValue(nv) = &attr.meta else {
        return None;
    };
    if !nv.path.is_ident("doc") {
        return None;
    }
    match &nv.value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    }
}
