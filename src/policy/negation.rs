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

#[derive(Debug)]
struct Token {
    word: String,
    start: usize,
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
            tokens.push(Token {
                word: fold_str(cur),
                start,
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

/// Whether `words[i..]` starts with the word sequence `phrase` (space separated).
fn starts_with_phrase(words: &[&str], i: usize, phrase: &str) -> bool {
    let parts: Vec<&str> = phrase.split(' ').collect();
    parts.len() <= words.len() - i && parts.iter().zip(&words[i..]).all(|(p, w)| p == w)
}

fn any_phrase_at(words: &[&str], i: usize, list: &[String]) -> Option<usize> {
    list.iter()
        .filter(|p| starts_with_phrase(words, i, p))
        .map(|p| p.split(' ').count())
        .max()
}

/// `name_start..name_end` (byte offsets in `sentence`) is negated.
pub fn is_negated(sentence: &str, name_start: usize, name_end: usize) -> bool {
    let lex = &Lexicon::get().negation;
    let tokens = tokenize(sentence);
    if tokens.is_empty() {
        return false;
    }
    // Clause boundaries: hard breaks, contrast words, and commas followed by a clause starter.
    let raw: Vec<&str> = tokens.iter().map(|t| t.word.as_str()).collect();
    let mut clause_id = Vec::with_capacity(tokens.len());
    let mut id = 0;
    for (i, t) in tokens.iter().enumerate() {
        let comma_break = t.comma_before && any_phrase_at(&raw, i, &lex.clause_starters).is_some();
        let contrast = any_phrase_at(&raw, i, &lex.clause_breaks).is_some();
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
        if let Some(n) = any_phrase_at(&raw, i, &lex.cues) {
            let cancelled = raw
                .get(i + n)
                .is_some_and(|w| lex.not_negating_after.iter().any(|x| x == w));
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
        if any_phrase_at(&raw, i, &lex.use_verbs).is_some() {
            let noun = i > lo && lex.noun_markers.iter().any(|m| m == raw[i - 1]);
            if !noun {
                use_verb = true;
            }
        }
        if i < name_tok && any_phrase_at(&raw, i, &lex.waivers).is_some() {
            waiver_before = true;
        }
    }
    let enumerated = cues_before.iter().any(|&after_cue| {
        (after_cue..name_tok).any(|j| any_phrase_at(&raw, j, &lex.enumeration).is_some())
    });
    enumerated || (cue_anywhere && use_verb) || waiver_before
}

#[cfg(test)]
mod tests {
    use super::*;

    fn neg(sentence: &str, name: &str) -> bool {
        let s = sentence.find(name).expect("name in sentence");
        is_negated(sentence, s, s + name.len())
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
