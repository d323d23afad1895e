//! Is a name inside a negated statement ("We do not use Facebook Pixel", "Wir setzen keine
//! Analyse-Tools wie Google Analytics ein")? Negated declarations disclose nothing.
//!
//! Rules (word lists in `data/policy/negation.toml`), applied to the clause holding the name:
//! (a) a cue before the name and an enumeration marker between them ("keine … wie X");
//! (b) a cue anywhere in the clause plus a use verb that is not a noun ("its use by X" is not);
//! (c) a waiver verb before the name ("Wir verzichten auf X").
//! "Cookies are not stored by X" has a cue but no use verb: X is still declared.

use crate::policy::fold::fold_str;
use crate::policy::lexicon::Lexicon;
use std::collections::HashSet;
use std::sync::OnceLock;

#[derive(Debug)]
struct Token {
    word: String,
    start: usize,
    /// Written with a capital first letter.
    capital: bool,
    /// Written in capitals only, at least two letters ("NE", "NO"): an abbreviation.
    all_caps: bool,
    /// `;`, `:`, `!` or `?` precedes this token: always a clause boundary.
    break_before: bool,
    /// A comma precedes this token: a boundary when a clause starter follows.
    comma_before: bool,
}

fn tokenize(sentence: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let (mut brk, mut comma) = (false, false);
    let mut cur = String::new();
    let mut cur_start = 0;
    let mut flush = |cur: &mut String, start: usize, brk: &mut bool, comma: &mut bool| {
        if !cur.is_empty() {
            let letters = || cur.chars().filter(|c| c.is_alphabetic());
            tokens.push(Token {
                word: fold_str(cur),
                start,
                capital: cur.chars().next().is_some_and(char::is_uppercase),
                all_caps: letters().count() >= 2 && letters().all(char::is_uppercase),
                break_before: *brk,
                comma_before: *comma,
            });
            (*brk, *comma) = (false, false);
            cur.clear();
        }
    };
    for (i, c) in sentence.char_indices() {
        if c.is_alphanumeric() || c == '\'' || c == '’' {
            if cur.is_empty() {
                cur_start = i;
            }
            cur.push(if c == '’' { '\'' } else { c });
        } else {
            flush(&mut cur, cur_start, &mut brk, &mut comma);
            match c {
                ';' | ':' | '!' | '?' => brk = true,
                ',' => comma = true,
                _ => {}
            }
        }
    }
    flush(&mut cur, cur_start, &mut brk, &mut comma);
    tokens
}

/// A word list split once into single words (hash lookup) and multi-word phrases.
#[derive(Debug, Default)]
struct PhraseSet {
    single: HashSet<String>,
    multi: Vec<Vec<String>>,
}

impl PhraseSet {
    fn new(list: &[String]) -> PhraseSet {
        let mut set = PhraseSet::default();
        for p in list {
            let parts: Vec<String> = p.split(' ').map(str::to_string).collect();
            if parts.len() == 1 {
                set.single.insert(p.clone());
            } else {
                set.multi.push(parts);
            }
        }
        set
    }

    /// Length in words of the longest phrase starting at `words[i]`.
    fn at(&self, words: &[&str], i: usize) -> Option<usize> {
        let mut best = self.single.contains(words[i]).then_some(1);
        for m in &self.multi {
            if m.len() <= words.len() - i && m.iter().zip(&words[i..]).all(|(p, w)| p == w) {
                best = Some(best.map_or(m.len(), |b: usize| b.max(m.len())));
            }
        }
        best
    }
}

struct Lists {
    /// Cues by language code.
    cues: std::collections::BTreeMap<String, PhraseSet>,
    /// Every language's cues, for text in no known language.
    all_cues: PhraseSet,
    not_negating_after: PhraseSet,
    enumeration: PhraseSet,
    use_verbs: PhraseSet,
    noun_markers: PhraseSet,
    waivers: PhraseSet,
    clause_breaks: PhraseSet,
    clause_starters: PhraseSet,
}

fn lists() -> &'static Lists {
    static L: OnceLock<Lists> = OnceLock::new();
    L.get_or_init(|| {
        let n = &Lexicon::get().negation;
        let every: Vec<String> = n.cues.values().flatten().cloned().collect();
        Lists {
            cues: n
                .cues
                .iter()
                .map(|(lang, list)| (lang.clone(), PhraseSet::new(list)))
                .collect(),
            all_cues: PhraseSet::new(&every),
            not_negating_after: PhraseSet::new(&n.not_negating_after),
            enumeration: PhraseSet::new(&n.enumeration),
            use_verbs: PhraseSet::new(&n.use_verbs),
            noun_markers: PhraseSet::new(&n.noun_markers),
            waivers: PhraseSet::new(&n.waivers),
            clause_breaks: PhraseSet::new(&n.clause_breaks),
            clause_starters: PhraseSet::new(&n.clause_starters),
        }
    })
}

/// `name_start..name_end` (byte offsets in `sentence`) is negated. `lang` is the sentence's
/// language ("en", "de", …): only its cues count; `None` (unknown) uses every language's.
pub fn is_negated(sentence: &str, name_start: usize, name_end: usize, lang: Option<&str>) -> bool {
    let lex = lists();
    let cues = lang.and_then(|l| lex.cues.get(l)).unwrap_or(&lex.all_cues);
    let tokens = tokenize(sentence);
    if tokens.is_empty() {
        return false;
    }
    // Clause boundaries: hard breaks, contrast words, and commas followed by a clause starter.
    let raw: Vec<&str> = tokens.iter().map(|t| t.word.as_str()).collect();
    let mut clause_id = Vec::with_capacity(tokens.len());
    let mut id = 0;
    for (i, t) in tokens.iter().enumerate() {
        let comma_break = t.comma_before && lex.clause_starters.at(&raw, i).is_some();
        let contrast = lex.clause_breaks.at(&raw, i).is_some();
        if i > 0 && (t.break_before || comma_break || contrast) {
            id += 1;
        }
        clause_id.push(id);
    }
    // The clause of the name: the token at or after name_start.
    let Some(name_tok) = tokens.iter().position(|t| t.start >= name_start) else {
        return false;
    };
    let clause = clause_id[name_tok];
    let first_after_name = tokens
        .iter()
        .position(|t| t.start >= name_end)
        .unwrap_or(tokens.len());
    let range: Vec<usize> = (0..tokens.len())
        .filter(|&i| clause_id[i] == clause)
        .collect();
    let (lo, hi) = (range[0], range[range.len() - 1] + 1);

    let mut cues_before = Vec::new();
    let mut cue_anywhere = false;
    let mut use_verb = false;
    let mut waiver_before = false;
    for i in lo..hi {
        if (name_tok..first_after_name).contains(&i) {
            continue;
        }
        if let Some(n) = cues
            .at(&raw, i)
            .filter(|_| !part_of_name(&tokens, i, lang.is_none()))
        {
            let cancelled = raw
                .get(i + n)
                .is_some_and(|_| lex.not_negating_after.at(&raw, i + n).is_some());
            let contraction = raw[i].ends_with("n't");
            if !cancelled || contraction {
                cue_anywhere = true;
                if i < name_tok {
                    cues_before.push(i + n);
                }
            }
        } else if raw[i].ends_with("n't") {
            cue_anywhere = true;
            if i < name_tok {
                cues_before.push(i + 1);
            }
        }
        if lex.use_verbs.at(&raw, i).is_some() {
            let noun = i > lo && lex.noun_markers.at(&raw, i - 1).is_some();
            if !noun {
                use_verb = true;
            }
        }
        if i < name_tok && lex.waivers.at(&raw, i).is_some() {
            waiver_before = true;
        }
    }
    let enumerated = cues_before
        .iter()
        .any(|&after_cue| (after_cue..name_tok).any(|j| lex.enumeration.at(&raw, j).is_some()));
    enumerated || (cue_anywhere && use_verb) || waiver_before
}

/// A capitalised token next to another capitalised one ("Abernathy Rd NE", "Never Ending Media
/// GmbH") is part of an address or a name, never a negation cue; so is a word in capitals when the
/// language is unknown. Emphasis stays a cue ("We do NOT use Hotjar").
fn part_of_name(tokens: &[Token], i: usize, unknown_language: bool) -> bool {
    let t = &tokens[i];
    let capital_at = |j: usize| tokens.get(j).is_some_and(|t| t.capital);
    let in_name = t.capital && i > 0 && (capital_at(i - 1) || capital_at(i + 1));
    in_name || (t.all_caps && unknown_language)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn neg(sentence: &str, name: &str) -> bool {
        let s = sentence.find(name).expect("name in sentence");
        is_negated(sentence, s, s + name.len(), None)
    }

    fn neg_en(sentence: &str, name: &str) -> bool {
        let s = sentence.find(name).expect("name in sentence");
        is_negated(sentence, s, s + name.len(), Some("en"))
    }

    #[test]
    fn cues_come_from_the_sentences_language_and_never_from_capitals() {
        let s = "We use the OneTrust consent management platform provided by OneTrust LLC, 1200 Abernathy Rd NE, Atlanta.";
        let at = s.find("OneTrust").unwrap();
        assert!(!is_negated(s, at, at + 8, Some("en")));
        // Unknown language: every list, but "NE" is an abbreviation, not the French cue.
        assert!(!is_negated(s, at, at + 8, None));
        // The French cue still works in French.
        let f = "Nous ne utilisons pas Hotjar.";
        let at = f.find("Hotjar").unwrap();
        assert!(is_negated(f, at, at + 6, Some("fr")));
        assert!(neg_en("We do NOT use Hotjar.", "Hotjar"));
        // "nicht" is no English cue.
        let e = "We use Hotjar, see nicht.example for details.";
        let at = e.find("Hotjar").unwrap();
        assert!(!is_negated(e, at, at + 6, Some("en")));
    }

    #[test]
    fn negated_statements() {
        assert!(neg("We do not use Facebook Pixel.", "Facebook Pixel"));
        assert!(neg(
            "We don't use Hotjar or any other session recorder.",
            "Hotjar"
        ));
        assert!(neg(
            "Wir setzen keine Analyse-Tools wie Google Analytics, Matomo oder Hotjar ein.",
            "Matomo"
        ));
        assert!(neg(
            "Wir setzen Google Analytics nicht ein.",
            "Google Analytics"
        ));
        assert!(neg(
            "Diese Website verwendet kein Google Fonts.",
            "Google Fonts"
        ));
        assert!(neg(
            "We use no tracking tools such as Google Analytics.",
            "Google Analytics"
        ));
        assert!(neg(
            "Wir verzichten bewusst auf Google Maps.",
            "Google Maps"
        ));
        assert!(neg(
            "Google Tag Manager is not used on this website.",
            "Google Tag Manager"
        ));
    }

    #[test]
    fn statements_that_are_not_negations() {
        assert!(!neg(
            "Cookies are not stored by IONOS WebAnalytics.",
            "IONOS WebAnalytics"
        ));
        assert!(!neg(
            "We point out that, as the provider of the pages, we have no knowledge of the content of the transmitted data or its use by LinkedIn.",
            "LinkedIn"
        ));
        assert!(!neg(
            "We do not use Facebook Pixel, but we use Google Analytics.",
            "Google Analytics"
        ));
        assert!(!neg("We use not only Matomo but also Plausible.", "Matomo"));
        assert!(!neg(
            "Wir nutzen Google Fonts. Die Schriften werden lokal geladen.",
            "Google Fonts"
        ));
        assert!(!neg(
            "Die Daten werden nicht an Dritte weitergegeben, außer an Cloudflare zur Auslieferung.",
            "Cloudflare"
        ));
    }
}
