//! HTML character references (`&amp;`, `&#228;`, `&auml;`) in attribute values and text.
//!
//! lol_html hands attribute values and text out raw, entities and all, so `href="?a=1&amp;b=2"`
//! must be decoded here before it is resolved as a URL. The named-entity table comes from
//! markup5ever (already built for scraper), so every one of the 2,231 HTML names is known.

use markup5ever::data::NAMED_ENTITIES;
use std::borrow::Cow;

/// Where the text came from: attribute values keep legacy references like `&copy=` literal,
/// as the HTML spec demands (query strings such as `?a=1&copy=2` must survive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// An attribute value.
    Attribute,
    /// Text content.
    Text,
}

/// Decode character references; borrows when there is nothing to decode.
pub fn decode(input: &str, context: Context) -> Cow<'_, str> {
    if !input.contains('&') {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        match reference(after, context) {
            Some((decoded, used)) => {
                out.push_str(&decoded);
                rest = &after[used..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The reference at the start of `s` (just after `&`): its text and how many bytes it used.
fn reference(s: &str, context: Context) -> Option<(String, usize)> {
    if let Some(num) = s.strip_prefix('#') {
        return numeric(num).map(|(c, used)| (c.to_string(), used + 1));
    }
    let name_len = s
        .bytes()
        .take(64)
        .take_while(u8::is_ascii_alphanumeric)
        .count();
    if name_len == 0 {
        return None;
    }
    if s.as_bytes().get(name_len) == Some(&b';') {
        if let Some(&(a, b)) = NAMED_ENTITIES.get(&s[..=name_len]) {
            return Some((chars(a, b), name_len + 1));
        }
    }
    // Legacy references without ';' (`&amp`, `&copy`): the longest known prefix.
    for len in (2..=name_len.min(6)).rev() {
        if let Some(&(a, b)) = NAMED_ENTITIES.get(&s[..len]) {
            let next = s.as_bytes().get(len).copied();
            let blocked = context == Context::Attribute
                && matches!(next, Some(c) if c == b'=' || c.is_ascii_alphanumeric());
            if blocked {
                return None;
            }
            return Some((chars(a, b), len));
        }
    }
    None
}

fn chars(a: u32, b: u32) -> String {
    [a, b]
        .into_iter()
        .filter(|&c| c != 0)
        .filter_map(char::from_u32)
        .collect()
}

/// `123;` or `x1F;` (the `;` is optional, as in browsers). Invalid code points become U+FFFD.
fn numeric(s: &str) -> Option<(char, usize)> {
    let (digits, radix, prefix) = match s.as_bytes().first() {
        Some(b'x') | Some(b'X') => (&s[1..], 16, 1),
        _ => (s, 10, 0),
    };
    let len = digits
        .bytes()
        .take_while(|b| (b as &u8).is_ascii_digit() || (radix == 16 && b.is_ascii_hexdigit()))
        .count();
    if len == 0 {
        return None;
    }
    let value = if len > 8 {
        None
    } else {
        u32::from_str_radix(&digits[..len], radix).ok()
    };
    let c = match value {
        Some(0) | None => '\u{FFFD}',
        Some(v) => char::from_u32(v).unwrap_or('\u{FFFD}'),
    };
    let semi = usize::from(digits.as_bytes().get(len) == Some(&b';'));
    Some((c, prefix + len + semi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_named_numeric_and_hex() {
        assert_eq!(
            decode("Datenschutzerkl&auml;rung", Context::Text),
            "Datenschutzerklärung"
        );
        assert_eq!(decode("a&#228;b&#xE4;c", Context::Text), "aäbäc");
        assert_eq!(decode("/p?a=1&amp;b=2", Context::Attribute), "/p?a=1&b=2");
        assert_eq!(decode("no refs", Context::Text), "no refs");
    }

    #[test]
    fn legacy_references_stay_literal_in_query_strings() {
        assert_eq!(decode("?a=1&copy=2", Context::Attribute), "?a=1&copy=2");
        assert_eq!(decode("&copy 2024", Context::Text), "© 2024");
        assert_eq!(decode("&unknown; & &#;", Context::Text), "&unknown; & &#;");
        assert_eq!(decode("&#99999999999;", Context::Text), "\u{FFFD}");
    }
}
