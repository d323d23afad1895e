//! Folding for matching, one set of rules for the whole pipeline (policy-link discovery while
//! crawling, name matching in the policy): lowercase, diacritics removed, ß → ss, ł → l, ı → i,
//! typographic quotes unified, runs of whitespace, hyphens, dashes and underscores collapsed to one
//! space. The folded copy keeps a map
//! from each of its bytes back to the original, so a match in the folded text is quoted exactly as
//! written ("Google-Fonts", "GOOGLE ANALYTICS", "Müller" found as "muller").

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// A folded copy of a text with an offset map back to the original.
#[derive(Debug, Clone, Default)]
pub struct Folded {
    /// The folded text.
    pub text: String,
    /// For each folded byte, the (start, end) byte range of the original char it came from.
    spans: Vec<(u32, u32)>,
}

impl Folded {
    /// The original byte range covering folded bytes `start..end` (`end > start`).
    pub fn original_range(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.spans[start].0 as usize;
        let e = self.spans[end - 1].1 as usize;
        (s, e)
    }
}

fn push_folded(c: char, out: &mut String) {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '`' | '\u{00B4}' => out.push('\''),
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}' => {
            out.push('"')
        }
        'ß' | 'ẞ' => out.push_str("ss"),
        'æ' | 'Æ' => out.push_str("ae"),
        'œ' | 'Œ' => out.push_str("oe"),
        'ø' | 'Ø' => out.push('o'),
        'ł' | 'Ł' => out.push('l'),
        'đ' | 'Đ' => out.push('d'),
        'ı' => out.push('i'),
        _ if c.is_ascii() => out.push(c.to_ascii_lowercase()),
        _ => decompose_canonical(c, |d| {
            if !is_combining_mark(d) {
                out.extend(d.to_lowercase());
            }
        }),
    }
}

fn is_space_like(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '_' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{00AD}'
        )
}

/// Fold `s`, keeping the offset map.
pub fn fold(s: &str) -> Folded {
    let mut text = String::with_capacity(s.len());
    let mut spans: Vec<(u32, u32)> = Vec::with_capacity(s.len());
    let mut buf = String::new();
    for (i, c) in s.char_indices() {
        let span = (i as u32, (i + c.len_utf8()) as u32);
        if is_space_like(c) {
            if text.ends_with(' ') {
                // Extend the previous space to cover this char too.
                if let Some(last) = spans.last_mut() {
                    last.1 = span.1;
                }
            } else {
                text.push(' ');
                spans.push(span);
            }
            continue;
        }
        buf.clear();
        push_folded(c, &mut buf);
        text.push_str(&buf);
        spans.extend(std::iter::repeat_n(span, buf.len()));
    }
    Folded { text, spans }
}

/// Fold `s` without the offset map (patterns, word lists); trimmed.
pub fn fold_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_space_like(c) {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            push_folded(c, &mut out);
        }
    }
    out.trim().to_string()
}

/// Whether a folded char counts as part of a word for boundary checks.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_diacritics_sharp_s_and_dashes() {
        assert_eq!(fold_str("Müller-Straße  GOOGLE"), "muller strasse google");
        assert_eq!(fold_str("Société Générale"), "societe generale");
        assert_eq!(fold_str("Google’s „Fonts“"), "google's \"fonts\"");
    }

    #[test]
    fn offsets_map_back_to_the_original() {
        let orig = "Die Straße von Müller – Google-Fonts.";
        let f = fold(orig);
        let at = f.text.find("google fonts").unwrap();
        let (s, e) = f.original_range(at, at + "google fonts".len());
        assert_eq!(&orig[s..e], "Google-Fonts");
        let at = f.text.find("muller").unwrap();
        let (s, e) = f.original_range(at, at + 6);
        assert_eq!(&orig[s..e], "Müller");
        let at = f.text.find("strasse").unwrap();
        let (s, e) = f.original_range(at, at + 7);
        assert_eq!(&orig[s..e], "Straße");
    }
}
