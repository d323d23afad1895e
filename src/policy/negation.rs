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
/// language ("en", "de", …): only its cues count; `None` (unknown) uses every language's. For
/// several names in one sentence, build a [`Negation`] once and ask it for each.
pub fn is_negated(sentence: &str, name_start: usize, name_end: usize, lang: Option<&str>) -> bool {
    Negation::new(sentence, lang).is_negated(name_start, name_end)
}

/// The negation facts of one sentence, computed once: its tokens, clauses and where the cues,
/// use verbs, waivers and enumeration markers are. Each name is then answered by binary search,
/// so a 400 KB paragraph naming a service 10,000 times costs one pass, not 10,000 (issue 11).
#[derive(Debug, Default)]
pub struct Negation {
    /// Byte offset of each token.
    starts: Vec<usize>,
    /// Clause of each token.
    clause_id: Vec<usize>,
    /// Token range of each clause.
    clauses: Vec<(usize, usize)>,
    /// Tokens where a (not cancelled) cue starts, ascending, with the token after the cue.
    cues: Vec<(usize, usize)>,
    /// Tokens that are a use verb (not a noun).
    use_verbs: Vec<usize>,
    /// Tokens where a waiver verb starts.
    waivers: Vec<usize>,
    /// Tokens where an enumeration marker starts.
    enumerations: Vec<usize>,
}

/// Some element of ascending `v` lies in `a..b`.
fn any_in(v: &[usize], a: usize, b: usize) -> bool {
    a < b && v.partition_point(|&x| x < a) < v.partition_point(|&x| x < b)
}

impl Negation {
    /// Analyse `sentence`, written in `lang` (`None`: unknown, every language's cues count).
    pub fn new(sentence: &str, lang: Option<&str>) -> Negation {
        let lex = lists();
        let cues = lang.and_then(|l| lex.cues.get(l)).unwrap_or(&lex.all_cues);
        let tokens = tokenize(sentence);
        let raw: Vec<&str> = tokens.iter().map(|t| t.word.as_str()).collect();
        let mut n = Negation::default();
        // Clause boundaries: hard breaks, contrast words, and commas followed by a clause starter.
        let mut id = 0;
        let mut lo = 0;
        for (i, t) in tokens.iter().enumerate() {
            let comma_break = t.comma_before && lex.clause_starters.at(&raw, i).is_some();
            let contrast = lex.clause_breaks.at(&raw, i).is_some();
            if i > 0 && (t.break_before || comma_break || contrast) {
                n.clauses.push((lo, i));
                lo = i;
                id += 1;
            }
            n.clause_id.push(id);
            n.starts.push(t.start);
        }
        if !tokens.is_empty() {
            n.clauses.push((lo, tokens.len()));
        }
        for i in 0..raw.len() {
            if let Some(len) = cues
                .at(&raw, i)
                .filter(|_| !part_of_name(&tokens, i, lang.is_none()))
            {
                let cancelled = raw
                    .get(i + len)
                    .is_some_and(|_| lex.not_negating_after.at(&raw, i + len).is_some());
                if !cancelled || raw[i].ends_with("n't") {
                    n.cues.push((i, i + len));
                }
            } else if raw[i].ends_with("n't") {
                n.cues.push((i, i + 1));
            }
            if lex.use_verbs.at(&raw, i).is_some() {
                let lo = n.clauses[n.clause_id[i]].0;
                let noun = i > lo && lex.noun_markers.at(&raw, i - 1).is_some();
                if !noun {
                    n.use_verbs.push(i);
                }
            }
            if lex.waivers.at(&raw, i).is_some() {
                n.waivers.push(i);
            }
            if lex.enumeration.at(&raw, i).is_some() {
                n.enumerations.push(i);
            }
        }
        n
    }

    /// Rules (a)–(c) of the module docs for the name at `name_start..name_end`.
    pub fn is_negated(&self, name_start: usize, name_end: usize) -> bool {
        // The clause of the name: the token at or after name_start.
        let name_tok = self.starts.partition_point(|&s| s < name_start);
        if name_tok >= self.starts.len() {
            return false;
        }
        let (lo, hi) = self.clauses[self.clause_id[name_tok]];
        let after_name = self.starts.partition_point(|&s| s < name_end).max(name_tok);
        let outside_name = |v: &[usize]| any_in(v, lo, name_tok) || any_in(v, after_name, hi);
        let first_cue = self.cues.partition_point(|c| c.0 < lo);
        let cues_before_end = self.cues.partition_point(|c| c.0 < name_tok);
        let cue_after_name = self.cues.partition_point(|c| c.0 < after_name);
        let cues_hi = self.cues.partition_point(|c| c.0 < hi);
        let cue_anywhere = first_cue < cues_before_end || cue_after_name < cues_hi;
        // The earliest token after a cue before the name: enumeration markers from there on
        // count. A later cue starts later, so only the first few can end earliest.
        let mut earliest: Option<usize> = None;
        for &(start, after) in &self.cues[first_cue..cues_before_end] {
            if earliest.is_some_and(|e| start >= e) {
                break;
            }
            earliest = Some(earliest.map_or(after, |e: usize| e.min(after)));
        }
        let enumerated = earliest.is_some_and(|e| any_in(&self.enumerations, e, name_tok));
        let use_verb = outside_name(&self.use_verbs);
        let waiver_before = any_in(&self.waivers, lo, name_tok);
        enumerated || (cue_anywhere && use_verb) || waiver_before
    }
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
