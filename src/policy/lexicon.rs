//! Word lists the policy reader leans on, kept as data under `data/policy/` (embedded at compile
//! time) so that adding a browser, a law or a cue word is a data change, not a code change.

use crate::policy::fold::fold_str;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Names and hosts that never declare a processor (`data/policy/not_processors.toml`).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NotProcessors {
    /// Browser names (cookie-deletion help).
    pub browsers: Vec<String>,
    /// Supervisory authorities and EU bodies.
    pub authorities: Vec<String>,
    /// Laws and legal frameworks.
    pub laws: Vec<String>,
    /// Generic words that are not entities.
    pub generic: Vec<String>,
    /// Hosts linked for reference only (suffix match).
    pub hosts: Vec<String>,
}

/// Negation cue lists (`data/policy/negation.toml`); see that file for the rules.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NegationWords {
    /// Negation cues by language code ("en", "de", …).
    pub cues: BTreeMap<String, Vec<String>>,
    /// Words after a cue that cancel it ("not only").
    pub not_negating_after: Vec<String>,
    /// Enumeration markers ("such as", "wie").
    pub enumeration: Vec<String>,
    /// Verbs of using a service.
    pub use_verbs: Vec<String>,
    /// Words that turn a following use verb into a noun ("its use").
    pub noun_markers: Vec<String>,
    /// Verbs of doing without ("verzichten").
    pub waivers: Vec<String>,
    /// Words that end a clause.
    pub clause_breaks: Vec<String>,
    /// Words that start a new clause after a comma.
    pub clause_starters: Vec<String>,
}

/// Terms that mark a link as the privacy policy (`data/policy/link_terms.toml`).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct LinkTerms {
    /// Terms naming the policy itself.
    pub strong: Vec<String>,
    /// Terms that often do.
    pub weak: Vec<String>,
    /// Terms of settings dialogs and other documents.
    pub penalty: Vec<String>,
}

/// All word lists, folded where they are matched against folded text.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// Exclusions.
    pub not_processors: NotProcessors,
    /// Folded generic words, for provider entities.
    pub generic_folded: Vec<String>,
    /// Negation cues, each a folded word sequence.
    pub negation: NegationWords,
    /// Stop words per language code, folded.
    pub stopwords: BTreeMap<String, Vec<String>>,
    /// Well-known policy paths, in the order they are tried.
    pub well_known_paths: Vec<String>,
    /// Link terms, folded.
    pub link_terms: LinkTerms,
    /// Folded single-word brand names that are also ordinary words.
    pub common_words: Vec<String>,
    /// Folded names one letter away from an ordinary word: no misspelling variants for them.
    pub no_misspelling: Vec<String>,
    /// id/class substrings of cookie banners.
    pub noise_markers: Vec<String>,
    /// Purpose words by catalog category (`data/policy/purposes.toml`), as folded word sequences.
    pub purposes: BTreeMap<String, Vec<Vec<String>>>,
    /// Mentions that are not processors (`data/policy/mentions.toml`), as folded word sequences.
    pub mentions: Mentions,
}

/// Markers of names that are not processors (`data/policy/mentions.toml`, see that file), as
/// folded word sequences.
#[derive(Debug, Clone, Default)]
pub struct Mentions {
    /// "adverts on", "Werbung auf" (advertising channel) and "profile on", "folgen Sie uns auf"
    /// (a network the company has a profile on): what follows is not a processor.
    pub before_name: Vec<Vec<String>>,
    /// Cookie-deletion help: names in the sentence are examples.
    pub help: Vec<Vec<String>>,
    /// Phrases that bind a name as a processor after all.
    pub processing: Vec<Vec<String>>,
}

#[derive(serde::Deserialize)]
struct RawMentions {
    channel: Vec<String>,
    profile: Vec<String>,
    help: Vec<String>,
    processing: Vec<String>,
}

/// Folded words of `s` (letters and digits; everything else separates).
pub fn folded_words(s: &str) -> Vec<String> {
    fold_str(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Byte spans of the alphanumeric words of `s`.
pub fn word_spans(s: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut start = None;
    s.char_indices()
        .chain(std::iter::once((s.len(), ' ')))
        .filter_map(move |(i, c)| match (c.is_alphanumeric(), start) {
            (true, None) => {
                start = Some(i);
                None
            }
            (false, Some(b)) => {
                start = None;
                Some((b, i))
            }
            _ => None,
        })
}

/// Every list entry as its folded word sequence.
fn word_seqs(list: &[String]) -> Vec<Vec<String>> {
    list.iter()
        .map(|s| folded_words(s))
        .filter(|w| !w.is_empty())
        .collect()
}

/// Start positions in `words` where the sequence `seq` occurs.
pub fn seq_positions<'a>(
    words: &'a [String],
    seq: &'a [String],
) -> impl Iterator<Item = usize> + 'a {
    (0..words.len().saturating_sub(seq.len().saturating_sub(1)))
        .filter(move |&i| !seq.is_empty() && words[i..].starts_with(seq))
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn fold_all(v: &[String]) -> Vec<String> {
    v.iter().map(|s| fold_str(s)).collect()
}

impl Lexicon {
    fn load() -> Lexicon {
        // The files are part of the binary and covered by tests: a parse error is a build defect.
        let not_processors: NotProcessors =
            toml::from_str(include_str!("../../data/policy/not_processors.toml"))
                .expect("data/policy/not_processors.toml is valid");
        let mut negation: NegationWords =
            toml::from_str(include_str!("../../data/policy/negation.toml"))
                .expect("data/policy/negation.toml is valid");
        for list in negation.cues.values_mut() {
            *list = fold_all(list);
        }
        for list in [
            &mut negation.not_negating_after,
            &mut negation.enumeration,
            &mut negation.use_verbs,
            &mut negation.noun_markers,
            &mut negation.waivers,
            &mut negation.clause_breaks,
            &mut negation.clause_starters,
        ] {
            *list = fold_all(list);
        }
        let stopwords: BTreeMap<String, Vec<String>> =
            toml::from_str(include_str!("../../data/policy/stopwords.toml"))
                .expect("data/policy/stopwords.toml is valid");
        let mut link_terms: LinkTerms =
            toml::from_str(include_str!("../../data/policy/link_terms.toml"))
                .expect("data/policy/link_terms.toml is valid");
        for list in [
            &mut link_terms.strong,
            &mut link_terms.weak,
            &mut link_terms.penalty,
        ] {
            *list = fold_all(list);
        }
        Lexicon {
            generic_folded: fold_all(&not_processors.generic),
            not_processors,
            negation,
            stopwords,
            well_known_paths: lines(include_str!("../../data/policy/well_known_paths.txt")),
            link_terms,
            common_words: fold_all(&lines(include_str!("../../data/policy/common_words.txt"))),
            no_misspelling: fold_all(&lines(include_str!("../../data/policy/no_misspelling.txt"))),
            noise_markers: lines(include_str!("../../data/policy/noise_markers.txt")),
            purposes: toml::from_str::<BTreeMap<String, Vec<String>>>(include_str!(
                "../../data/policy/purposes.toml"
            ))
            .expect("data/policy/purposes.toml is valid")
            .into_iter()
            .map(|(cat, words)| (cat, word_seqs(&words)))
            .collect(),
            mentions: {
                let m: RawMentions =
                    toml::from_str(include_str!("../../data/policy/mentions.toml"))
                        .expect("data/policy/mentions.toml is valid");
                Mentions {
                    before_name: word_seqs(&[m.channel, m.profile].concat()),
                    help: word_seqs(&m.help),
                    processing: word_seqs(&m.processing),
                }
            },
        }
    }

    /// The embedded word lists (parsed once).
    pub fn get() -> &'static Lexicon {
        static LEXICON: OnceLock<Lexicon> = OnceLock::new();
        LEXICON.get_or_init(Lexicon::load)
    }

    /// Every stop pattern for the name matcher: browsers, authorities, laws.
    pub fn stop_names(&self) -> impl Iterator<Item = &String> {
        let n = &self.not_processors;
        n.browsers.iter().chain(&n.authorities).chain(&n.laws)
    }

    /// `host` is (under) a reference-only host.
    pub fn is_reference_host(&self, host: &str) -> bool {
        self.not_processors
            .hosts
            .iter()
            .any(|h| crate::domain::host_within(host, h))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_files_parse_and_are_folded() {
        let l = Lexicon::get();
        assert!(l.not_processors.browsers.iter().any(|b| b == "Firefox"));
        assert!(l.negation.enumeration.contains(&"z b".to_string()));
        assert!(l.negation.use_verbs.contains(&"zuruckgreifen".to_string()));
        assert!(l.stopwords.contains_key("de") && l.stopwords.contains_key("en"));
        assert!(l.well_known_paths.contains(&"/datenschutz".to_string()));
        assert!(l
            .link_terms
            .strong
            .contains(&"datenschutzerklarung".to_string()));
        assert!(l.is_reference_host("www.dataprivacyframework.gov"));
        assert!(!l.is_reference_host("fonts.googleapis.com"));
    }
}
