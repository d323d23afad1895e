//! `@import` and `url()` references in CSS (how Google Fonts is usually loaded).
//!
//! A single forward pass over the bytes, no regex: a multi-megabyte stylesheet or a pathological
//! `url(url(url(…` costs linear time. Comments and strings are skipped as tokens (a `url(` inside a
//! comment or a `content: "url(x)"` string is not a reference), CSS escapes are decoded,
//! `@font-face` blocks turn their `url()`s into fonts, and `data:` URLs are ignored.

use super::{Reference, ResourceType};
use url::Url;

/// Most references kept from one stylesheet: enough for any real site, bounded for generated junk.
pub const MAX_CSS_REFERENCES: usize = 5_000;

/// References in a stylesheet body or `<style>`/`style=` text, resolved against `base`.
pub fn css_references(css: &str, base: &Url) -> Vec<Reference> {
    let mut scanner = Scanner {
        s: css.as_bytes(),
        css,
        i: 0,
    };
    let mut out = Vec::new();
    let mut depth = 0usize;
    // Brace depth at which the current @font-face block's declarations live.
    let mut font_face_depth: Option<usize> = None;
    // An @font-face keyword was seen; its block opens at the next `{`.
    let mut font_face_pending = false;
    let push = |raw: String, kind: ResourceType, out: &mut Vec<Reference>| {
        if out.len() >= MAX_CSS_REFERENCES {
            return;
        }
        if let Some(url) = resolve(&raw, base) {
            out.push(Reference {
                url,
                resource_type: kind,
                loaded: true,
                consent_gated: false,
                noscript: false,
            });
        }
    };
    while scanner.i < scanner.s.len() {
        let c = scanner.s[scanner.i];
        match c {
            b'/' if scanner.peek(1) == Some(b'*') => scanner.skip_comment(),
            b'"' | b'\'' => {
                scanner.i += 1;
                scanner.string(c);
            }
            b'\\' => scanner.i += 2,
            b'{' => {
                depth += 1;
                if font_face_pending {
                    font_face_pending = false;
                    font_face_depth = Some(depth);
                }
                scanner.i += 1;
            }
            b'}' => {
                if font_face_depth == Some(depth) {
                    font_face_depth = None;
                }
                depth = depth.saturating_sub(1);
                scanner.i += 1;
            }
            b';' => {
                font_face_pending = false;
                scanner.i += 1;
            }
            b'@' => {
                scanner.i += 1;
                let word = scanner.ident();
                if word.eq_ignore_ascii_case("import") {
                    scanner.skip_ws_and_comments();
                    let target = match scanner.s.get(scanner.i) {
                        Some(&q @ (b'"' | b'\'')) => {
                            scanner.i += 1;
                            Some(scanner.string(q))
                        }
                        _ if scanner.at_url_function() => scanner.url_function(),
                        _ => None,
                    };
                    if let Some(raw) = target {
                        push(raw, ResourceType::Stylesheet, &mut out);
                    }
                } else if word.eq_ignore_ascii_case("font-face") {
                    font_face_pending = true;
                }
            }
            _ if (c == b'u' || c == b'U') && scanner.at_url_function() => {
                let preceded_by_ident = scanner.i > 0 && is_ident_byte(scanner.s[scanner.i - 1]);
                if preceded_by_ident {
                    scanner.i += 1;
                    continue;
                }
                if let Some(raw) = scanner.url_function() {
                    let kind = if font_face_depth.is_some() {
                        ResourceType::Font
                    } else {
                        ResourceType::CssUrl
                    };
                    push(raw, kind, &mut out);
                }
            }
            _ => scanner.i += 1,
        }
    }
    out
}

fn resolve(raw: &str, base: &Url) -> Option<Url> {
    let raw = raw.trim();
    if raw.is_empty() || raw.starts_with('#') {
        return None;
    }
    let url = base.join(raw).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b >= 0x80
}

struct Scanner<'a> {
    s: &'a [u8],
    css: &'a str,
    i: usize,
}

impl Scanner<'_> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        self.s.get(self.i + ahead).copied()
    }

    fn skip_comment(&mut self) {
        match self.css[self.i + 2..].find("*/") {
            Some(end) => self.i += 2 + end + 2,
            None => self.i = self.s.len(),
        }
    }

    fn skip_ws_and_comments(&mut self) {
        loop {
            while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
            if self.peek(0) == Some(b'/') && self.peek(1) == Some(b'*') {
                self.skip_comment();
            } else {
                return;
            }
        }
    }

    /// An identifier (letters, digits, `-`, `_`) at the cursor, consumed.
    fn ident(&mut self) -> &str {
        let start = self.i;
        while self.i < self.s.len() && is_ident_byte(self.s[self.i]) && self.s[self.i] < 0x80 {
            self.i += 1;
        }
        &self.css[start..self.i]
    }

    /// `url(` (any case) at the cursor.
    fn at_url_function(&self) -> bool {
        self.s.len() >= self.i + 4
            && self.s[self.i..self.i + 3].eq_ignore_ascii_case(b"url")
            && self.s[self.i + 3] == b'('
    }

    /// Consume `url(…)` at the cursor and return its decoded contents.
    fn url_function(&mut self) -> Option<String> {
        self.i += 4;
        self.skip_ws_and_comments();
        let raw = match self.peek(0) {
            Some(q @ (b'"' | b'\'')) => {
                self.i += 1;
                let v = self.string(q);
                self.skip_ws_and_comments();
                v
            }
            _ => {
                let mut v = String::new();
                while let Some(c) = self.peek(0) {
                    match c {
                        b')' => break,
                        b'\\' => self.escape(&mut v),
                        c if c.is_ascii_whitespace() => {
                            self.skip_ws_and_comments();
                            if self.peek(0) != Some(b')') {
                                return self.bad_url();
                            }
                        }
                        b'"' | b'\'' | b'(' => return self.bad_url(),
                        _ => {
                            let ch = self.char_at();
                            v.push(ch);
                            self.i += ch.len_utf8();
                        }
                    }
                }
                v
            }
        };
        // Anything up to `)` that is not whitespace makes a bad url(); browsers drop it.
        if self.peek(0) == Some(b')') {
            self.i += 1;
            Some(raw)
        } else {
            None
        }
    }

    /// A bad `url(…)`: skip to its closing `)` (or the end) and yield nothing, as browsers do.
    fn bad_url(&mut self) -> Option<String> {
        while let Some(c) = self.peek(0) {
            self.i += 1;
            match c {
                b')' => break,
                b'\\' => self.i += 1,
                _ => {}
            }
        }
        // Never stop inside a multi-byte character.
        while self.i < self.s.len() && !self.css.is_char_boundary(self.i) {
            self.i += 1;
        }
        None
    }

    /// A string whose opening quote `q` was consumed; returns the decoded value.
    fn string(&mut self, q: u8) -> String {
        let mut v = String::new();
        while let Some(c) = self.peek(0) {
            match c {
                _ if c == q => {
                    self.i += 1;
                    break;
                }
                b'\n' => break, // unterminated string: browsers end it at the newline
                b'\\' => self.escape(&mut v),
                _ => {
                    let ch = self.char_at();
                    v.push(ch);
                    self.i += ch.len_utf8();
                }
            }
        }
        v
    }

    fn char_at(&self) -> char {
        self.css[self.i..].chars().next().unwrap_or('\u{FFFD}')
    }

    /// A backslash escape at the cursor: `\` newline (continuation), `\` 1–6 hex digits and one
    /// optional whitespace, or `\` any other character.
    fn escape(&mut self, v: &mut String) {
        self.i += 1;
        let Some(c) = self.peek(0) else { return };
        if c == b'\n' {
            self.i += 1;
            return;
        }
        if c.is_ascii_hexdigit() {
            let start = self.i;
            while self.i < self.s.len() && self.i - start < 6 && self.s[self.i].is_ascii_hexdigit()
            {
                self.i += 1;
            }
            let code = u32::from_str_radix(&self.css[start..self.i], 16).unwrap_or(0xFFFD);
            v.push(match code {
                0 => '\u{FFFD}',
                c => char::from_u32(c).unwrap_or('\u{FFFD}'),
            });
            if self.peek(0).is_some_and(|c| c.is_ascii_whitespace()) {
                self.i += 1;
            }
            return;
        }
        let ch = self.char_at();
        v.push(ch);
        self.i += ch.len_utf8();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://www.example.com/css/site.css").unwrap()
    }

    fn refs(css: &str) -> Vec<(String, &'static str)> {
        css_references(css, &base())
            .into_iter()
            .map(|r| (r.url.to_string(), r.resource_type.as_str()))
            .collect()
    }

    #[test]
    fn imports_in_both_forms_are_stylesheets() {
        let css = r#"@import url("https://fonts.googleapis.com/css2?family=Roboto");
            @IMPORT 'print.css' print;
            @import url(theme.css) layer(base);"#;
        assert_eq!(
            refs(css),
            [
                (
                    "https://fonts.googleapis.com/css2?family=Roboto".into(),
                    "stylesheet"
                ),
                ("https://www.example.com/css/print.css".into(), "stylesheet"),
                ("https://www.example.com/css/theme.css".into(), "stylesheet"),
            ]
        );
    }

    #[test]
    fn font_face_urls_are_fonts_and_others_css_urls() {
        let css = r#"@font-face { font-family: R; src: url(https://fonts.gstatic.com/s/r.woff2) format("woff2"),
              url('/f/r.woff'); }
            @media screen { .hero { background: URL( "img/hero.jpg" ) } }
            .x { background-image: url(data:image/png;base64,AAAA); mask: url(#m) }"#;
        assert_eq!(
            refs(css),
            [
                ("https://fonts.gstatic.com/s/r.woff2".into(), "font"),
                ("https://www.example.com/f/r.woff".into(), "font"),
                ("https://www.example.com/css/img/hero.jpg".into(), "css-url"),
            ]
        );
    }

    #[test]
    fn comments_strings_and_escapes() {
        let css = r#"/* url(commented.png) @import "no.css"; */
            .a::before { content: "url(not-a-ref.png)"; }
            .b { background: url(sp\61 ce\ .png) }
            .c { background: url("q\"uote.png") }
            .d { background: myurl(x.png) }
            .e { background: url(unterminated.png"#;
        assert_eq!(
            refs(css),
            [
                ("https://www.example.com/css/space%20.png".into(), "css-url"),
                ("https://www.example.com/css/q%22uote.png".into(), "css-url"),
            ]
        );
    }

    #[test]
    fn huge_garbage_is_linear_and_capped() {
        let css = "url(".repeat(200_000) + &"url(a.png)".repeat(10_000);
        let found = css_references(&css, &base());
        assert!(found.len() <= MAX_CSS_REFERENCES);
        let open = "/*".repeat(100_000) + "{" + &"\"".repeat(100_001);
        assert!(css_references(&open, &base()).is_empty());
    }
}
