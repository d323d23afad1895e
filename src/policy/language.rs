//! Language detection by counting frequent function words (`data/policy/stopwords.toml`).
//! Policies are long and formulaic, so counting is enough; a tie or too little text gives `None`.

use crate::policy::fold::fold_str;
use crate::policy::lexicon::Lexicon;
use std::collections::BTreeMap;

/// Minimum stop-word hits before a language is named.
const MIN_HITS: usize = 5;

/// ISO 639-1 code of the language `text` is written in ("en", "de", "fr", "es", "it", "nl").
pub fn detect(text: &str) -> Option<String> {
    detect_with(text, MIN_HITS)
}

fn detect_with(text: &str, min_hits: usize) -> Option<String> {
    let lex = Lexicon::get();
    let folded = fold_str(text);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for word in folded.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        for (lang, words) in &lex.stopwords {
            if words.iter().any(|w| w == word) {
                *counts.entry(lang.as_str()).or_default() += 1;
            }
        }
    }
    let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
    // Highest count first; BTreeMap order (by code) breaks ties deterministically.
    ranked.sort_by_key(|r| std::cmp::Reverse(r.1));
    match ranked.as_slice() {
        [(lang, n), rest @ ..] if *n >= min_hits => {
            let second = rest.first().map_or(0, |r| r.1);
            (*n * 2 > second * 3).then(|| lang.to_string())
        }
        _ => None,
    }
}

/// Fewest stop-word hits that name a single sentence's language.
const MIN_SENTENCE_HITS: usize = 2;

/// The language of one sentence ("We do not use Hotjar or any other tool …" inside a German
/// policy is English): [`detect`] with a lower bar, since a sentence has few function words.
pub fn detect_sentence(sentence: &str) -> Option<String> {
    detect_with(sentence, MIN_SENTENCE_HITS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_english_german_french() {
        assert_eq!(
            detect("We use the service of this provider to analyse how you use our website and the data is stored.").as_deref(),
            Some("en")
        );
        assert_eq!(
            detect("Wir nutzen die Dienste von Google. Die Daten werden auf Servern in den USA gespeichert und sind nicht öffentlich für Sie.").as_deref(),
            Some("de")
        );
        assert_eq!(
            detect("Nous utilisons les cookies pour que vous puissiez accéder à vos données et le site est sécurisé par la société.").as_deref(),
            Some("fr")
        );
        assert_eq!(detect("Google Analytics"), None);
        assert_eq!(
            detect_sentence("We do not use Hotjar or any other tool that records your visit.")
                .as_deref(),
            Some("en")
        );
        assert_eq!(
            detect_sentence("Wir nutzen Hotjar der Hotjar Limited (company no C 65490, Malta) zur Analyse des Nutzerverhaltens.")
                .as_deref(),
            Some("de")
        );
    }
}
