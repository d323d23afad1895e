//! Which links look like they lead to the privacy policy.
//!
//! A footer link says "Privacy", "Datenschutzerklärung", "Politique de confidentialité", … or
//! its URL does (`/datenschutz`, `/privacy-policy`). Both the anchor text and the URL path are
//! folded (lowercase, diacritics stripped, `ß` → `ss`, `ł` → `l`) before matching, so
//! `PRYWATNOŚCI`, `Confidentialite` and `Datenschutzerkl&auml;rung` all match.

use aho_corasick::AhoCorasick;
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;
use url::Url;

/// Folded keywords that mark policy anchor text. Substrings, so "privacy" also covers
/// "privacy policy", "privacy-verklaring", "privacybeleid" and "informativa privacy".
const TEXT_KEYWORDS: &[&str] = &[
    "privacy",
    "data protection",
    "datenschutz",
    "confidentialite",
    "donnees personnelles",
    "protection des donnees",
    "privacidad",
    "privacidade",
    "proteccion de datos",
    "protecao de dados",
    "riservatezza",
    "prywatnosc",
    "prywatnosci",
    "ochrana osobnich udaju",
    "ochrana sukromia",
    "adatvedelem",
    "adatkezelesi",
    "integritetspolicy",
    "personuppgifter",
    "personvern",
    "privatlivspolitik",
    "tietosuoja",
    "gizlilik",
    "privatsphare",
];

/// Folded keywords that mark a policy URL path.
const PATH_KEYWORDS: &[&str] = &[
    "privacy",
    "datenschutz",
    "data-protection",
    "data_protection",
    "dataprotection",
    "confidentialite",
    "donnees-personnelles",
    "privacidad",
    "privacidade",
    "proteccion-de-datos",
    "riservatezza",
    "prywatnosc",
    "prywatnosci",
    "ochrana-osobnich-udaju",
    "adatvedelem",
    "integritetspolicy",
    "personvern",
    "privatlivspolitik",
    "tietosuoja",
    "gizlilik",
    "dsgvo",
];

/// Whether an anchor with this (whitespace-normalised) text and target looks like a privacy
/// policy link.
pub fn looks_like_policy(text: &str, url: &Url) -> bool {
    // One automaton per keyword list: every anchor on every page is checked.
    static TEXT: LazyLock<Option<AhoCorasick>> =
        LazyLock::new(|| AhoCorasick::new(TEXT_KEYWORDS).ok());
    static PATH: LazyLock<Option<AhoCorasick>> =
        LazyLock::new(|| AhoCorasick::new(PATH_KEYWORDS).ok());
    let found = |ac: &Option<AhoCorasick>, keywords: &[&str], haystack: &str| match ac {
        Some(ac) => ac.is_match(haystack),
        None => keywords.iter().any(|k| haystack.contains(k)),
    };
    found(&TEXT, TEXT_KEYWORDS, &fold(text))
        || found(&PATH, PATH_KEYWORDS, &fold(&percent_decode(url.path())))
}

/// Lowercase, strip combining marks after NFD, and map the letters NFD does not decompose.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'ß' | 'ẞ' => out.push_str("ss"),
            'ł' | 'Ł' => out.push('l'),
            'ø' | 'Ø' => out.push('o'),
            'đ' | 'Đ' => out.push('d'),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ı' => out.push('i'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Combining diacritical marks (the blocks NFD moves accents into).
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// `%C3%A4` → `ä`; invalid sequences stay as they are.
fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn matches_anchor_text_in_many_languages() {
        let page = u("https://example.com/x");
        for text in [
            "Privacy Policy",
            "Datenschutzerklärung",
            "DATENSCHUTZ",
            "Politique de confidentialité",
            "Política de privacidad",
            "Privacyverklaring",
            "privacybeleid",
            "Informativa Privacy",
            "Polityka prywatności",
            "POLITYKA PRYWATNOŚCI",
            "Data Protection",
            "Tietosuojaseloste",
        ] {
            assert!(looks_like_policy(text, &page), "{text}");
        }
    }

    #[test]
    fn matches_url_paths_including_percent_encoded() {
        assert!(looks_like_policy(
            "Legal",
            &u("https://example.com/datenschutz/")
        ));
        assert!(looks_like_policy(
            "Legal",
            &u("https://example.com/privacy-policy")
        ));
        assert!(looks_like_policy(
            "Mentions",
            &u("https://example.fr/confidentialit%C3%A9")
        ));
        assert!(looks_like_policy(
            "Info",
            &u("https://example.pl/polityka-prywatno%C5%9Bci")
        ));
    }

    #[test]
    fn ignores_unrelated_links() {
        assert!(!looks_like_policy(
            "Imprint",
            &u("https://example.com/impressum")
        ));
        assert!(!looks_like_policy(
            "Cookies",
            &u("https://example.com/cookies")
        ));
        assert!(!looks_like_policy(
            "Products",
            &u("https://example.com/p?q=privacy")
        ));
    }

    #[test]
    fn folding_strips_diacritics_and_special_letters() {
        assert_eq!(fold("Straße ŁÓDŹ Ærø"), "strasse lodz aero");
        assert_eq!(percent_decode("/a%zz%C3%A4%"), "/a%zzä%");
    }
}
