//! The changes the xtask makes to progenitor's output before printing it, one module each,
//! saying why.

mod api_version;
mod decode;
mod doc_lines;
mod header_params;

use syn::visit_mut::VisitMut;

use super::CodegenError;
use api_version::OmitApiVersion;
use decode::DecodeThroughHooks;
use doc_lines::SplitDocLines;
use header_params::HeaderParams;

/// Applies every rewrite to `file`. Fails when progenitor's output no longer has the shape a
/// rewrite expects, so that a progenitor upgrade cannot silently undo it.
pub fn apply(file: &mut syn::File, api: &str) -> Result<(), CodegenError> {
    let changed = |rewrite: &str, what: String| CodegenError::Generate {
        api: api.to_owned(),
        message: format!("{what}; update {rewrite} in xtask/src/codegen/rewrite/"),
    };
    SplitDocLines.visit_file_mut(file);
    let mut omit = OmitApiVersion::default();
    omit.visit_file_mut(file);
    if omit.removed != omit.sends {
        let what = "progenitor no longer adds `api-version` the way it did".to_owned();
        return Err(changed("OmitApiVersion", what));
    }
    let mut decode = DecodeThroughHooks::default();
    decode.visit_file_mut(file);
    if decode.replaced == 0 && omit.sends > 0 {
        let what = "progenitor no longer decodes bodies with `ResponseValue::from_response`";
        return Err(changed("DecodeThroughHooks", what.to_owned()));
    }
    let headers = HeaderParams::run(file);
    if let Some(what) = headers.unknown.into_iter().next() {
        return Err(changed("HeaderParams", what));
    }
    Ok(())
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
        assert!(code.contains("from_static(\"sessiontoken\")"), "{code}");
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

    /// A builder with a `String` and an integer header parameter, as progenitor writes it.
    fn with_header_params(token_header: &str) -> syn::File {
        let send = send(quote::quote! {
            let Self { client, session_token, max_age } = self;
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(3usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            header_map.append(#token_header, session_token.to_string().try_into()?);
            header_map.append("maxAge", max_age.to_string().try_into()?);
            ResponseValue::from_response(response).await
        });
        let builder: syn::Item = syn::parse_quote! {
            pub struct Builder<'a> {
                client: &'a super::Client,
                session_token: Result<::std::string::String, String>,
                max_age: Result<i64, String>,
            }
        };
        let mut file = send;
        file.items.insert(0, builder);
        file
    }

    #[test]
    fn header_names_are_static_and_strings_are_moved() {
        let mut file = with_header_params("sessionToken");
        apply(&mut file, "Test API").unwrap();
        let code = text(&file);
        assert!(code.contains("from_static(\"sessiontoken\")"), "{code}");
        assert!(code.contains("session_token.try_into()?"), "{code}");
        assert!(!code.contains("session_token.to_string()"), "{code}");
        // Not a `String`: it still needs its `to_string`.
        assert!(code.contains("max_age.to_string().try_into()?"), "{code}");
        assert!(code.contains("from_static(\"maxage\")"), "{code}");
        assert!(!code.contains("\"sessionToken\""), "{code}");
    }

    #[test]
    fn an_invalid_header_name_is_refused_at_codegen() {
        let mut file = with_header_params("session Token");
        let err = apply(&mut file, "Test API").unwrap_err().to_string();
        assert!(err.contains("not a valid header name"), "{err}");
        assert!(err.contains("HeaderParams"), "{err}");
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
