//! Printing types, bounds and signatures on one line with one spacing, whatever the source's
//! layout: `& 'a :: std :: vec :: Vec < T >` becomes `&'a ::std::vec::Vec<T>`.
//!
//! prettyplease only prints whole items, and wraps long ones with trailing commas, so the same
//! signature could be printed two ways; this printer has a single rule set instead.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

pub fn print(tokens: TokenStream) -> String {
    let mut out = String::new();
    write(&mut out, tokens);
    out
}

/// What was written last, which decides whether a space goes before the next token.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Last<'a> {
    Start,
    Word(&'a str),
    Op(&'a str),
    Close,
}

/// Operators written without a space after them (`&T`, `::x`, `?Sized`, `*const T`).
const TIGHT_AFTER: &[&str] = &["::", "&", "&&", "?", "*", "!", "#", "-", ".", "..", "<"];
/// Operators that a space goes before when the previous token allows it.
const SPACED_BEFORE: &[&str] = &[
    "->", "=", "+", "=>", "|", "&", "&&", "?", "*", "!", "#", "-",
];
/// Operators after which `::`, `<` and `(` start a new term rather than continue a path.
const TERM_START: &[&str] = &["->", ":", ",", "=", "+", "=>", "|", ";"];
/// Keywords after which `(`, `[`, `<` and `::` start a new term: `for (A, B)`, `as ::std::X`.
const KEYWORDS: &[&str] = &[
    "as", "dyn", "impl", "for", "in", "where", "mut", "const", "unsafe", "move", "return",
];
/// Multi-character operators, joined from punctuation marked `Joint`.
const JOINED: &[&str] = &["::", "->", "=>", "..=", "...", "..", "&&", "||"];

fn write(out: &mut String, tokens: TokenStream) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    // Owned copies of what was written last; `Last` borrows from them.
    let mut last_text = String::new();
    let mut last_kind = 0u8; // 0 start, 1 word, 2 op, 3 close
    let mut i = 0;
    while i < tokens.len() {
        let last = match last_kind {
            1 => Last::Word(&last_text),
            2 => Last::Op(&last_text),
            3 => Last::Close,
            _ => Last::Start,
        };
        match &tokens[i] {
            TokenTree::Ident(ident) => {
                let word = ident.to_string();
                if space_after(last) {
                    out.push(' ');
                }
                out.push_str(&word);
                last_text = word;
                last_kind = 1;
            }
            TokenTree::Literal(lit) => {
                if space_after(last) {
                    out.push(' ');
                }
                let text = lit.to_string();
                out.push_str(&text);
                last_text = text;
                last_kind = 1;
            }
            TokenTree::Punct(p) if p.as_char() == '\'' => {
                // A lifetime: `'` joined to the identifier after it, written as one word.
                if space_after(last) {
                    out.push(' ');
                }
                let mut word = String::from("'");
                if let Some(TokenTree::Ident(ident)) = tokens.get(i + 1) {
                    word.push_str(&ident.to_string());
                    i += 1;
                }
                out.push_str(&word);
                last_text = word;
                last_kind = 1;
            }
            TokenTree::Punct(p) => {
                let mut op = p.as_char().to_string();
                let mut spacing = p.spacing();
                while spacing == Spacing::Joint {
                    let Some(TokenTree::Punct(next)) = tokens.get(i + 1) else {
                        break;
                    };
                    let joined = format!("{op}{}", next.as_char());
                    if !JOINED.iter().any(|j| j.starts_with(&joined)) {
                        break;
                    }
                    op = joined;
                    spacing = next.spacing();
                    i += 1;
                }
                if op == ">" && out.ends_with(',') {
                    out.pop();
                }
                if space_before_op(last, &op) {
                    out.push(' ');
                }
                out.push_str(&op);
                last_text = op;
                last_kind = 2;
            }
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::None => ("", ""),
                };
                let continues = matches!(last, Last::Word(w) if !KEYWORDS.contains(&w) && !w.starts_with('\''))
                    || last == Last::Op(">");
                let space = match group.delimiter() {
                    Delimiter::Brace => last != Last::Start,
                    _ => space_after(last) && !continues,
                };
                if space {
                    out.push(' ');
                }
                out.push_str(open);
                let mut inner = String::new();
                write(&mut inner, group.stream());
                // `Fn(A,)` is written without its trailing comma; a tuple `(A,)` keeps it.
                if continues && let Some(stripped) = inner.strip_suffix(',') {
                    inner = stripped.to_owned();
                }
                if group.delimiter() == Delimiter::Brace && !inner.is_empty() {
                    out.push(' ');
                    out.push_str(&inner);
                    out.push(' ');
                } else {
                    out.push_str(&inner);
                }
                out.push_str(close);
                last_text.clear();
                last_kind = 3;
            }
        }
        i += 1;
    }
}

fn space_after(last: Last<'_>) -> bool {
    match last {
        Last::Start => false,
        Last::Word(_) | Last::Close => true,
        Last::Op(op) => !TIGHT_AFTER.contains(&op),
    }
}

fn space_before_op(last: Last<'_>, op: &str) -> bool {
    if !space_after(last) {
        return false;
    }
    let after_op = matches!(last, Last::Op(prev) if TERM_START.contains(&prev) || SPACED_BEFORE.contains(&prev));
    // `as ::std::X`, `&'a ::std::X`; but `impl<T>` and `for<'a>` stay tight.
    let after_keyword =
        matches!(last, Last::Word(w) if KEYWORDS.contains(&w) || w.starts_with('\''));
    match op {
        "::" => after_op || after_keyword,
        "<" => after_op,
        "," | ";" | ":" | ">" | "." | ".." => false,
        _ => SPACED_BEFORE.contains(&op) || after_op || after_keyword,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn p(tokens: TokenStream) -> String {
        print(tokens)
    }

    #[test]
    fn paths_generics_and_references_are_tight() {
        assert_eq!(
            p(quote!(&'a ::std::vec::Vec<Option<T>>)),
            "&'a ::std::vec::Vec<Option<T>>"
        );
        assert_eq!(p(quote!(&mut self)), "&mut self");
        assert_eq!(p(quote!(*const u8)), "*const u8");
        assert_eq!(p(quote!([u8; 4])), "[u8; 4]");
        assert_eq!(p(quote!(&[u8])), "&[u8]");
        assert_eq!(p(quote!(<T as Trait>::Assoc)), "<T as Trait>::Assoc");
    }

    #[test]
    fn bounds_closures_and_tuples_are_spaced() {
        assert_eq!(
            p(quote!(Arc<dyn Fn(&mut reqwest::Request) + Send + Sync>)),
            "Arc<dyn Fn(&mut reqwest::Request) + Send + Sync>"
        );
        assert_eq!(
            p(quote!(Pin<Box<dyn Future<Output = T> + Send + 'a>>)),
            "Pin<Box<dyn Future<Output = T> + Send + 'a>>"
        );
        assert_eq!(p(quote!(fn(A) -> (B, C))), "fn(A) -> (B, C)");
        assert_eq!(p(quote!(T: ?Sized + 'static)), "T: ?Sized + 'static");
        assert_eq!(
            p(quote!(T: ::std::convert::TryInto<i64>)),
            "T: ::std::convert::TryInto<i64>"
        );
        assert_eq!(
            p(quote!(impl Iterator<Item = &'a str>)),
            "impl Iterator<Item = &'a str>"
        );
        assert_eq!(p(quote!(for<'a> Fn(&'a T))), "for<'a> Fn(&'a T)");
        assert_eq!(p(quote!(FnOnce(A,) -> B)), "FnOnce(A) -> B");
        assert_eq!(p(quote!(Map<K, V,>)), "Map<K, V>");
        assert_eq!(p(quote!((A,))), "(A,)");
    }
}
