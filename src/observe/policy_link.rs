//! Which links look like they lead to the privacy policy.
//!
//! A footer link says "Privacy", "Datenschutzerklärung", "Politique de confidentialité", … or
//! its URL does (`/datenschutz`, `/privacy-policy`). Both the anchor text and the URL path are
//! folded ([`crate::fold`]: lowercase, diacritics stripped, `ß` → `ss`, `ł` → `l`, hyphens and
//! underscores as spaces) before matching, so
//! `PRYWATNOŚCI`, `Confidentialite` and `Datenschutzerkl&auml;rung` all match.

use crate::fold::fold_str as fold;
use aho_corasick::AhoCorasick;
use std::sync::LazyLock;
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

/// Folded keywords that mark a policy URL path (folding turns `-` and `_` into spaces).
const PATH_KEYWORDS: &[&str] = &[
    "privacy",
    "datenschutz",
    "data protection",
    "dataprotection",
    "confidentialite",
    "donnees personnelles",
    "privacidad",
    "privacidade",
    "proteccion de datos",
    "riservatezza",
    "prywatnosc",
    "prywatnosci",
    "ochrana osobnich udaju",
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
        assert_eq!(fold("/Data_Protection-Notice"), "/data protection notice");
        assert_eq!(percent_decode("/a%zz%C3%A4%"), "/a%zzä%");
    }
}
