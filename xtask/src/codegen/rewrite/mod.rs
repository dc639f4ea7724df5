//! The changes the xtask makes to progenitor's output before printing it, one module each,
//! saying why.

mod api_version;
mod decode;
mod doc_lines;
mod header_params;
mod request_headers;

use syn::visit_mut::VisitMut;

use super::CodegenError;
use api_version::OmitApiVersion;
use decode::DecodeThroughHooks;
use doc_lines::SplitDocLines;
use header_params::HeaderParams;
use request_headers::HeadersOnTheRequest;

/// The rewrites made for speed, each of which a maintainer can leave out
/// (`cargo xtask codegen --without NAME`) to measure what it saves (docs/codegen.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Rewrite {
    /// OmitApiVersion: no `api-version` header.
    ApiVersion,
    /// DecodeThroughHooks: bodies decoded by `hooks::from_response`.
    Decode,
    /// HeaderParams: header names checked at codegen time, `String` values moved.
    HeaderParams,
    /// HeadersOnTheRequest: header parameters appended to the request's own map.
    RequestHeaders,
}

/// Applies every rewrite but those in `without` to `file`. Fails when progenitor's output no
/// longer has the shape a rewrite expects, so that a progenitor upgrade cannot silently undo it.
pub fn apply(file: &mut syn::File, api: &str, without: &[Rewrite]) -> Result<(), CodegenError> {
    let changed = |rewrite: &str, what: String| CodegenError::Generate {
        api: api.to_owned(),
        message: format!("{what}; update {rewrite} in xtask/src/codegen/rewrite/"),
    };
    let each_send = |rewrite: &str, done: usize, sends: usize| {
        let what = format!("{rewrite} applied to {done} of {sends} operations");
        (done != sends).then(|| changed(rewrite, what))
    };
    let wanted = |rewrite| !without.contains(&rewrite);
    SplitDocLines.visit_file_mut(file);
    let mut omit = OmitApiVersion::default();
    if wanted(Rewrite::ApiVersion) {
        omit.visit_file_mut(file);
    } else {
        omit.count_sends(file);
    }
    let sends = omit.sends;
    if wanted(Rewrite::ApiVersion) && omit.removed != sends {
        let what = "progenitor no longer adds `api-version` the way it did".to_owned();
        return Err(changed("OmitApiVersion", what));
    }
    if wanted(Rewrite::Decode) {
        let mut decode = DecodeThroughHooks::default();
        decode.visit_file_mut(file);
        if decode.replaced == 0 && sends > 0 {
            let what = "progenitor no longer decodes bodies with `ResponseValue::from_response`";
            return Err(changed("DecodeThroughHooks", what.to_owned()));
        }
    }
    if wanted(Rewrite::HeaderParams) {
        let params = HeaderParams::run(file);
        if let Some(what) = params.unknown.into_iter().next() {
            return Err(changed("HeaderParams", what));
        }
    }
    if wanted(Rewrite::RequestHeaders) {
        let mut headers = HeadersOnTheRequest::default();
        headers.visit_file_mut(file);
        if let Some(what) = headers.unknown.into_iter().next() {
            return Err(changed("HeadersOnTheRequest", what));
        }
        if let Some(err) = each_send("HeadersOnTheRequest", headers.moved, sends) {
            return Err(err);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::quote;

    use super::*;

    /// A builder with a `String` and an integer header parameter and its `send`, as progenitor
    /// 0.15 writes them, with `headers` for the appends and `decode` for the 200 arm.
    fn builder(headers: TokenStream, decode: TokenStream) -> syn::File {
        syn::parse_quote! {
            pub struct Builder<'a> {
                client: &'a super::Client,
                session_token: Result<::std::string::String, String>,
                max_age: Result<i64, String>,
            }
            impl<'a> Builder<'a> {
                pub async fn send(self) -> Result<ResponseValue<types::V2>, Error<types::Error>> {
                    let Self { client, session_token, max_age } = self;
                    let url = format!(
                        "{}/v3/user/{}/presence",
                        client.baseurl,
                        encode_path(&uid.to_string()),
                    );
                    let mut header_map = ::reqwest::header::HeaderMap::with_capacity(3usize);
                    header_map.append(
                        ::reqwest::header::HeaderName::from_static("api-version"),
                        ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                    );
                    #headers
                    #[allow(unused_mut)]
                    let mut request = client
                        .client
                        .get(url)
                        .header(
                            ::reqwest::header::ACCEPT,
                            ::reqwest::header::HeaderValue::from_static("application/json"),
                        )
                        .headers(header_map)
                        .build()?;
                    let result = client.exec(request, &info).await;
                    let response = result?;
                    match response.status().as_u16() {
                        200u16 => #decode,
                        _ => Err(Error::UnexpectedResponse(response)),
                    }
                }
            }
        }
    }

    fn params(token_header: &str) -> TokenStream {
        quote! {
            header_map.append(#token_header, session_token.to_string().try_into()?);
            header_map.append("maxAge", max_age.to_string().try_into()?);
        }
    }

    fn from_response() -> TokenStream {
        quote!(ResponseValue::from_response(response).await)
    }

    /// The rewritten code, compacted: prettyplease's line breaks removed.
    fn rewritten(mut file: syn::File) -> String {
        apply(&mut file, "Test API", &[]).unwrap();
        prettyplease::unparse(&file)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn refusal(mut file: syn::File) -> String {
        apply(&mut file, "Test API", &[]).unwrap_err().to_string()
    }

    #[test]
    fn api_version_is_left_out() {
        let code = rewritten(builder(params("sessionToken"), from_response()));
        assert!(!code.contains("api-version"), "{code}");
        assert!(!code.contains("api_version"), "{code}");
    }

    #[test]
    fn header_parameters_go_straight_onto_the_request() {
        let code = rewritten(builder(params("sessionToken"), from_response()));
        assert!(!code.contains("HeaderMap::with_capacity"), "{code}");
        assert!(!code.contains(".headers(header_map)"), "{code}");
        let built = code.find(".build()?; let header_map = request.headers_mut();");
        let appended = code.find("from_static(\"sessiontoken\")");
        assert!(built.is_some() && built < appended, "{code}");
    }

    #[test]
    fn without_header_parameters_no_map_is_made() {
        let code = rewritten(builder(TokenStream::new(), from_response()));
        assert!(!code.contains("header_map"), "{code}");
    }

    #[test]
    fn header_names_are_static_and_strings_are_moved() {
        let code = rewritten(builder(params("sessionToken"), from_response()));
        assert!(
            code.contains(
                "header_map .append( ::reqwest::header::HeaderName::from_static(\"sessiontoken\"), \
                 session_token.try_into()?, );"
            ),
            "{code}"
        );
        // Not a `String`: it still needs its `to_string`.
        assert!(
            code.contains("from_static(\"maxage\"), max_age.to_string().try_into()?,"),
            "{code}"
        );
    }

    #[test]
    fn an_invalid_header_name_is_refused() {
        let err = refusal(builder(params("session Token"), from_response()));
        assert!(err.contains("not a valid header name"), "{err}");
        assert!(err.contains("HeaderParams"), "{err}");
    }

    #[test]
    fn other_statements_among_the_header_appends_are_refused() {
        let headers = quote! {
            header_map.append("sessionToken", session_token.to_string().try_into()?);
            let unrelated = 1;
        };
        let err = refusal(builder(headers, from_response()));
        assert!(err.contains("HeadersOnTheRequest"), "{err}");
    }

    #[test]
    fn bodies_are_decoded_through_the_hooks() {
        let code = rewritten(builder(params("sessionToken"), from_response()));
        assert!(
            code.contains("200u16 => crate::hooks::from_response(response).await"),
            "{code}"
        );
        assert!(!code.contains("ResponseValue::from_response"), "{code}");
    }

    #[test]
    fn a_send_that_decodes_otherwise_is_refused() {
        let decode = quote!(ResponseValue::decode(response).await);
        let err = refusal(builder(params("sessionToken"), decode));
        assert!(err.contains("DecodeThroughHooks"), "{err}");
    }

    #[test]
    fn a_send_without_the_known_insertion_is_refused() {
        let mut file: syn::File = syn::parse_quote! {
            impl<'a> Builder<'a> {
                pub async fn send(self) -> Result<(), Error> {
                    let mut request = client.get(url).header("api-version", VERSION).build()?;
                    Ok(())
                }
            }
        };
        let err = apply(&mut file, "Test API", &[]).unwrap_err().to_string();
        assert!(err.contains("OmitApiVersion"), "{err}");
    }
}
