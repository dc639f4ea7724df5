//! Header parameters without per-call parsing and copying.

use std::collections::{HashMap, HashSet};

use syn::visit_mut::{self, VisitMut};

/// progenitor sends a header parameter as
/// `header_map.append("sessionToken", session_token.to_string().try_into()?)`: the name is
/// parsed and copied into a new allocation on every call, and a `String` value is copied once
/// more before it becomes the header value. Here the name is checked once, now, and sent as a
/// `HeaderName::from_static`, and a `String` value is moved into its header value.
#[derive(Default)]
pub(super) struct HeaderParams {
    /// The `String` fields of each builder (`Result<String, String>`, as progenitor stores them).
    strings: HashMap<String, HashSet<String>>,
    /// The builder whose methods are being visited.
    builder: Option<String>,
    /// What was found that this rewrite does not know, to be reported.
    pub unknown: Vec<String>,
}

impl HeaderParams {
    /// Runs the rewrite over `file`.
    pub fn run(file: &mut syn::File) -> Self {
        let mut strings = StringFields::default();
        strings.visit_file_mut(file);
        let mut rewrite = HeaderParams {
            strings: strings.0,
            ..HeaderParams::default()
        };
        rewrite.visit_file_mut(file);
        rewrite
    }
}

impl VisitMut for HeaderParams {
    fn visit_item_impl_mut(&mut self, item: &mut syn::ItemImpl) {
        let outer = self.builder.take();
        if let syn::Type::Path(path) = item.self_ty.as_ref() {
            self.builder = path.path.segments.last().map(|s| s.ident.to_string());
        }
        visit_mut::visit_item_impl_mut(self, item);
        self.builder = outer;
    }

    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        visit_mut::visit_expr_method_call_mut(self, call);
        let receiver = &call.receiver;
        if call.method != "append" || quote::quote!(#receiver).to_string() != "header_map" {
            return;
        }
        let Some(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(name),
            ..
        })) = call.args.first()
        else {
            return;
        };
        let name = match http::HeaderName::from_bytes(name.value().as_bytes()) {
            // `as_str` is the lower-case form `from_static` requires.
            Ok(parsed) => parsed.as_str().to_owned(),
            Err(_) => {
                self.unknown
                    .push(format!("{:?} is not a valid header name", name.value()));
                return;
            }
        };
        call.args[0] = syn::parse_quote!(::reqwest::header::HeaderName::from_static(#name));
        let Some(value) = call.args.get_mut(1) else {
            return;
        };
        match to_string_try_into(value) {
            Some(param) => {
                let is_string = self
                    .builder
                    .as_ref()
                    .and_then(|b| self.strings.get(b))
                    .is_some_and(|fields| fields.contains(&param.to_string()));
                if is_string {
                    *value = syn::parse_quote!(#param.try_into()?);
                }
            }
            None => self.unknown.push(format!(
                "the value of header {name:?} is not `<param>.to_string().try_into()?`"
            )),
        }
    }
}

/// The parameter of `<param>.to_string().try_into()?`.
fn to_string_try_into(value: &syn::Expr) -> Option<syn::Ident> {
    let syn::Expr::Try(tried) = value else {
        return None;
    };
    let syn::Expr::MethodCall(try_into) = tried.expr.as_ref() else {
        return None;
    };
    let syn::Expr::MethodCall(to_string) = try_into.receiver.as_ref() else {
        return None;
    };
    let syn::Expr::Path(param) = to_string.receiver.as_ref() else {
        return None;
    };
    (try_into.method == "try_into" && to_string.method == "to_string")
        .then(|| param.path.get_ident().cloned())
        .flatten()
}

/// Collects the `Result<String, String>` fields of every struct.
#[derive(Default)]
struct StringFields(HashMap<String, HashSet<String>>);

impl VisitMut for StringFields {
    fn visit_item_struct_mut(&mut self, item: &mut syn::ItemStruct) {
        let string = quote::quote!(Result<::std::string::String, String>).to_string();
        let fields = item
            .fields
            .iter()
            .filter(|f| {
                let ty = &f.ty;
                quote::quote!(#ty).to_string() == string
            })
            .filter_map(|f| f.ident.as_ref().map(ToString::to_string));
        self.0
            .entry(item.ident.to_string())
            .or_default()
            .extend(fields);
    }
}
