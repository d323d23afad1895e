//! Escaping of site-controlled strings, one function per output format.
//!
//! Everything a scanned site chooses (cookie names, hosts, URLs, page titles, policy excerpts) is
//! hostile until escaped: a cookie named `<script>…` must not run in the HTML report, a `|` in an
//! excerpt must not break a Markdown table, and a bidi override (U+202E) in a host must not
//! reorder what a DPO reads in a terminal. Like fd's `sanitize`, control and bidi characters are
//! replaced by a visible `\u{…}` form instead of being dropped, so the reader sees that something
//! odd was there.

use std::fmt::Write as _;

/// Characters that change how text is displayed without being visible: C0/C1 controls, DEL,
/// bidi embeddings/overrides/isolates and marks, zero-width characters, line/paragraph
/// separators and the BOM.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// Replace control and bidi characters by a visible escape (`\u{202e}`); tabs and newlines
/// become a single space, because every writer shows these strings on one line.
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            c if is_unsafe_char(c) => {
                let _ = write!(out, "\\u{{{:04x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Terminal output: [`sanitize`] (no escape sequence from the site ever reaches the terminal).
pub fn terminal(s: &str) -> String {
    sanitize(s)
}

/// HTML text or attribute value: [`sanitize`], then entity-escape `& < > " '`.
pub fn html(s: &str) -> String {
    let clean = sanitize(s);
    let mut out = String::with_capacity(clean.len() + 8);
    for c in clean.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Markdown inline text, safe inside a table cell or a block quote line: [`sanitize`] (so no
/// newline can end a table row), then backslash-escape the punctuation that Markdown, GFM and
/// ticket trackers give meaning to inline (pipes, backticks, brackets, emphasis, strikethrough,
/// math, `#123`/`@user` references), and entity-escape `<` and `&` so no HTML tag, autolink or
/// entity survives in renderers that allow raw HTML (`>` alone opens nothing inline). Writers never put an escaped string at the start of
/// a line, so block syntax (`#`, `-`, `1.`) needs no escaping; dots stay readable in hosts.
pub fn markdown(s: &str) -> String {
    let clean = sanitize(s);
    let mut out = String::with_capacity(clean.len() + 8);
    for c in clean.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '$' | '#' | '@' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Cutting to a length is the same everywhere (evidence sentences cut policy quotes too).
pub use crate::excerpt::truncate;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_and_controls_become_visible_escapes() {
        assert_eq!(
            sanitize("evil\u{202e}moc.x\u{1b}[31m"),
            "evil\\u{202e}moc.x\\u{001b}[31m"
        );
        assert_eq!(sanitize("a\nb\tc"), "a b c");
        assert_eq!(sanitize("Datenschutzerklärung"), "Datenschutzerklärung");
    }

    #[test]
    fn html_escapes_tags_and_quotes() {
        assert_eq!(
            html("<img src=x onerror='a'>&\""),
            "&lt;img src=x onerror=&#39;a&#39;&gt;&amp;&quot;"
        );
    }

    #[test]
    fn markdown_escapes_table_and_inline_syntax() {
        assert_eq!(markdown("a|b"), "a\\|b");
        assert_eq!(markdown("`x`"), "\\`x\\`");
        assert_eq!(markdown("![a](b)"), "\\!\\[a\\](b)");
        assert_eq!(markdown("<b>"), "&lt;b>");
        assert_eq!(markdown("l1\nl2"), "l1 l2");
    }

    #[test]
    fn truncate_counts_chars() {
        assert_eq!(truncate("äöüäöü", 4), "äöü…");
        assert_eq!(truncate("abc", 3), "abc");
    }
}
