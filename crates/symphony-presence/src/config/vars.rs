//! `${NAME}` substitution in string values, with the Java BDK's syntax.
//!
//! The Java BDK runs every string value through Apache commons-text's `StringSubstitutor`:
//! `${NAME}` is replaced by the variable's value, `${NAME:-default}` falls back to `default`
//! when `NAME` is not set, and `$${NAME}` is an escape for the literal text `${NAME}`. Where the
//! Java BDK leaves an unresolvable placeholder in place, this one refuses it: a literal
//! `${HOME}/key.pem` is never what was meant. Values are not substituted again (no recursion),
//! and a placeholder inside a placeholder (`${A:-${B}}`) is refused rather than half-expanded.

use std::borrow::Cow;

/// Why a value's placeholders could not be substituted.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum SubstError {
    /// `${NAME}` names a variable that is not set, and has no default.
    Unset(String),
    /// An unterminated `${`, an empty name, or a nested placeholder.
    Malformed,
}

/// Replaces every `${NAME}` and `${NAME:-default}` in `text`, looking names up with `vars`.
pub(super) fn substitute<'t>(
    text: &'t str,
    vars: &dyn Fn(&str) -> Option<String>,
) -> Result<Cow<'t, str>, SubstError> {
    if !text.contains('$') {
        return Ok(Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let tail = &rest[dollar..];
        if let Some(escaped) = tail.strip_prefix("$${") {
            out.push_str("${");
            rest = escaped;
        } else if let Some(open) = tail.strip_prefix("${") {
            let close = open.find('}').ok_or(SubstError::Malformed)?;
            let inner = &open[..close];
            if inner.contains("${") {
                return Err(SubstError::Malformed);
            }
            let (name, default) = match inner.split_once(":-") {
                Some((name, default)) => (name, Some(default)),
                None => (inner, None),
            };
            if name.trim().is_empty() {
                return Err(SubstError::Malformed);
            }
            match (vars(name), default) {
                (Some(value), _) => out.push_str(&value),
                (None, Some(default)) => out.push_str(default),
                (None, None) => return Err(SubstError::Unset(name.to_owned())),
            }
            rest = &open[close + 1..];
        } else {
            out.push('$');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Option<String> {
        match name {
            "HOME" => Some("/home/bot".into()),
            "EMPTY" => Some(String::new()),
            "DOLLAR" => Some("${HOME}".into()),
            _ => None,
        }
    }

    fn subst(text: &str) -> Result<String, SubstError> {
        substitute(text, &vars).map(Cow::into_owned)
    }

    #[test]
    fn text_without_placeholders_is_borrowed() {
        assert!(matches!(
            substitute("plain", &vars),
            Ok(Cow::Borrowed("plain"))
        ));
    }

    #[test]
    fn placeholders_are_replaced_anywhere_in_the_value() {
        assert_eq!(subst("${HOME}/rsa.pem").unwrap(), "/home/bot/rsa.pem");
        assert_eq!(subst("a${HOME}b${HOME}").unwrap(), "a/home/botb/home/bot");
    }

    #[test]
    fn a_default_applies_only_when_the_variable_is_unset() {
        assert_eq!(
            subst("${subdomain:-acme}.symphony.com").unwrap(),
            "acme.symphony.com"
        );
        assert_eq!(subst("${EMPTY:-x}").unwrap(), "");
        assert_eq!(subst("${NOPE:-}").unwrap(), "");
    }

    #[test]
    fn a_double_dollar_escapes_the_placeholder() {
        assert_eq!(subst("$${escaped}").unwrap(), "${escaped}");
        assert_eq!(subst("cost: $5 $$").unwrap(), "cost: $5 $$");
    }

    #[test]
    fn substituted_values_are_not_substituted_again() {
        assert_eq!(subst("${DOLLAR}").unwrap(), "${HOME}");
    }

    #[test]
    fn an_unset_variable_is_named() {
        assert_eq!(subst("${NOPE}/x"), Err(SubstError::Unset("NOPE".into())));
    }

    #[test]
    fn malformed_placeholders_are_refused() {
        for text in ["${HOME", "${}", "${:-x}", "${${recursive}}", "${A:-${B}}"] {
            assert_eq!(subst(text), Err(SubstError::Malformed), "{text}");
        }
    }
}
