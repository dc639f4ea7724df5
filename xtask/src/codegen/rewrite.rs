//! The changes the xtask makes to progenitor's output before printing it, and why.

use syn::visit_mut::{self, VisitMut};

use super::CodegenError;

/// Applies every rewrite to `file`. Fails when progenitor's output no longer has the shape a
/// rewrite expects, so that a progenitor upgrade cannot silently undo it.
pub fn apply(file: &mut syn::File, api: &str) -> Result<(), CodegenError> {
    SplitDocLines.visit_file_mut(file);
    let mut omit = OmitApiVersion::default();
    omit.visit_file_mut(file);
    if omit.removed != omit.sends {
        return Err(CodegenError::Generate {
            api: api.to_owned(),
            message: "progenitor no longer adds `api-version` the way xtask/src/codegen/\
                      rewrite.rs expects; update OmitApiVersion"
                .into(),
        });
    }
    let mut decode = DecodeThroughHooks::default();
    decode.visit_file_mut(file);
    if decode.replaced == 0 && omit.sends > 0 {
        return Err(CodegenError::Generate {
            api: api.to_owned(),
            message: "progenitor no longer decodes bodies with `ResponseValue::from_response`; \
                      update DecodeThroughHooks in xtask/src/codegen/rewrite.rs"
                .into(),
        });
    }
    Ok(())
}

/// progenitor decodes a body with `ResponseValue::from_response`, whose future is 944 bytes and
/// made each operation's future 1.6 KiB: past glibc's thread cache, so that boxing it cost about
/// 2,000 instructions a call (see docs/benchmarks.md). The crate's `hooks::from_response` does
/// the same in a quarter of the size.
#[derive(Default)]
struct DecodeThroughHooks {
    replaced: usize,
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

/// prettyplease prints a multi-line `#[doc]` as an indented `/** */` block, which rustfmt
/// re-indents and rustdoc then reads as code. One `#[doc]` per line prints as `///` lines.
struct SplitDocLines;

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

/// progenitor puts `api-version: <info.version>` on every request. Symphony has no such header,
/// and building it only for a hook to remove it cost about 1,500 instructions a call (see
/// docs/benchmarks.md), so the insertion is left out and the header map sized to what remains.
#[derive(Default)]
struct OmitApiVersion {
    /// `api-version` insertions removed.
    removed: usize,
    /// Builder `send` methods seen: each must have had exactly one insertion.
    sends: usize,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn send(body: proc_macro2::TokenStream) -> syn::File {
        syn::parse_quote! {
            impl<'a> Builder<'a> {
                pub async fn send(self) -> Result<(), Error> { #body }
            }
        }
    }

    fn text(file: &syn::File) -> String {
        prettyplease::unparse(file)
    }

    #[test]
    fn api_version_is_left_out_and_the_map_sized_to_the_rest() {
        let mut file = send(quote::quote! {
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            header_map.append("sessionToken", session_token.to_string().try_into()?);
            ResponseValue::from_response(response).await
        });
        apply(&mut file, "Test API").unwrap();
        let code = text(&file);
        assert!(!code.contains("api-version"), "{code}");
        assert!(
            code.contains(
                "let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);"
            ),
            "{code}"
        );
        assert!(code.contains("\"sessionToken\""), "{code}");
    }

    #[test]
    fn an_emptied_map_loses_its_mut() {
        let mut file = send(quote::quote! {
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            ResponseValue::from_response(response).await
        });
        apply(&mut file, "Test API").unwrap();
        let code = text(&file);
        assert!(
            code.contains("let header_map = ::reqwest::header::HeaderMap::with_capacity(0usize);"),
            "{code}"
        );
    }

    #[test]
    fn bodies_are_decoded_through_the_hooks() {
        let mut file = send(quote::quote! {
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            match response.status().as_u16() {
                200u16 => ResponseValue::from_response(response).await,
                _ => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
            }
        });
        apply(&mut file, "Test API").unwrap();
        let code = text(&file);
        assert_eq!(
            code.matches("crate::hooks::from_response(response)")
                .count(),
            2,
            "{code}"
        );
        assert!(!code.contains("ResponseValue::from_response"), "{code}");
    }

    #[test]
    fn a_send_that_decodes_otherwise_is_refused() {
        let mut file = send(quote::quote! {
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            ResponseValue::decode(response).await
        });
        let err = apply(&mut file, "Test API").unwrap_err().to_string();
        assert!(err.contains("DecodeThroughHooks"), "{err}");
    }

    #[test]
    fn a_send_without_the_known_insertion_is_refused() {
        let mut file = send(quote::quote! {
            let mut request = client.get(url).header("api-version", VERSION).build()?;
            Ok(())
        });
        let err = apply(&mut file, "Test API").unwrap_err().to_string();
        assert!(err.contains("OmitApiVersion"), "{err}");
    }
}
