//! Names a policy mentions without declaring a processor: an advertising channel ("the effect of
//! our adverts on Facebook and Instagram"), a network the company has a profile on ("Folgen Sie
//! uns auf Instagram"), an example in cookie-deletion help. Declaring them would report a service
//! as "declared, not observed", or disclose a service the site really embeds but never names.
//! Marker lists: `data/policy/mentions.toml`.

use crate::policy::fold::fold_str;
use crate::policy::lexicon::{seq_positions, word_spans, Lexicon};

/// Words allowed between a marker and the name besides other names: list separators.
const SEPARATORS: &[&str] = &[
    "and", "or", "und", "oder", "sowie", "bzw", "et", "y", "e", "of",
];

/// Folded words of `s` with their byte spans.
fn words(s: &str) -> Vec<(String, usize, usize)> {
    word_spans(s)
        .map(|(a, b)| (fold_str(&s[a..b]), a, b))
        .collect()
}

/// The name at `start` in `sentence` is a mention, not a processor. `names` are the spans of
/// every catalog name found in the sentence (the name itself included): a marker may precede a
/// list of them ("adverts on Facebook, Instagram and Messenger"). For several names in one
/// sentence, build [`Mentions`] once and ask it for each.
pub fn is_mention(sentence: &str, start: usize, names: &[(usize, usize)]) -> bool {
    Mentions::new(sentence, names).is_mention(start)
}

/// The mention facts of one sentence, computed once: where the markers end and how far back from
/// each word only names and separators reach. Each name is then answered by binary search, so a
/// huge paragraph naming a service 10,000 times costs one pass, not 10,000 (issue 11).
#[derive(Debug, Default)]
pub struct Mentions {
    /// Byte offset of each word.
    starts: Vec<usize>,
    /// Word index just after each marker occurrence, ascending.
    marker_ends: Vec<usize>,
    /// For word index `k`: the first word of the run of name-or-separator words ending at `k`.
    run_start: Vec<usize>,
    /// A cookie-help sentence that says nothing about processing: every name is a mention.
    help_only: bool,
}

impl Mentions {
    /// Analyse `sentence`, whose catalog names are at `names`.
    pub fn new(sentence: &str, names: &[(usize, usize)]) -> Mentions {
        let m = &Lexicon::get().mentions;
        let ws = words(sentence);
        let folded: Vec<String> = ws.iter().map(|w| w.0.clone()).collect();
        let starts: Vec<usize> = ws.iter().map(|w| w.1).collect();
        let mut in_name = vec![false; ws.len()];
        for &(a, b) in names {
            let first = starts.partition_point(|&s| s < a);
            for (i, w) in ws.iter().enumerate().skip(first) {
                if w.1 >= b {
                    break;
                }
                if w.2 <= b {
                    in_name[i] = true;
                }
            }
        }
        let mut run_start = Vec::with_capacity(ws.len() + 1);
        run_start.push(0);
        for (k, w) in folded.iter().enumerate() {
            let ok = in_name[k] || SEPARATORS.contains(&w.as_str());
            let r = if ok { run_start[k] } else { k + 1 };
            run_start.push(r);
        }
        let mut marker_ends: Vec<usize> = m
            .before_name
            .iter()
            .flat_map(|seq| seq_positions(&folded, seq).map(move |p| p + seq.len()))
            .collect();
        marker_ends.sort_unstable();
        let has = |seqs: &[Vec<String>]| {
            seqs.iter()
                .any(|seq| seq_positions(&folded, seq).next().is_some())
        };
        let help_only = has(&m.help) && !has(&m.processing);
        Mentions {
            starts,
            marker_ends,
            run_start,
            help_only,
        }
    }

    /// The name at byte `start` is a mention: a marker followed only by names and separators
    /// up to it, or a cookie-help sentence.
    pub fn is_mention(&self, start: usize) -> bool {
        let name_word = self.starts.partition_point(|&s| s < start);
        let from = self.run_start[name_word];
        let i = self.marker_ends.partition_point(|&e| e < from);
        let after_marker = self.marker_ends.get(i).is_some_and(|&e| e <= name_word);
        after_marker || self.help_only
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mention(sentence: &str, name: &str, others: &[&str]) -> bool {
        let span = |n: &str| {
            let s = sentence.find(n).expect("name in sentence");
            (s, s + n.len())
        };
        let mut names: Vec<(usize, usize)> = others.iter().map(|n| span(n)).collect();
        names.push(span(name));
        is_mention(sentence, span(name).0, &names)
    }

    #[test]
    fn channels_profiles_and_help_are_mentions() {
        let s =
            "We use the Meta Pixel to measure the effect of our adverts on Facebook and Instagram.";
        assert!(mention(s, "Instagram", &["Meta Pixel", "Facebook"]));
        assert!(mention(s, "Facebook", &["Meta Pixel", "Instagram"]));
        assert!(!mention(s, "Meta Pixel", &["Facebook", "Instagram"]));
        assert!(mention(
            "Sie finden uns auch mit Profilen auf Instagram, LinkedIn und YouTube.",
            "YouTube",
            &["Instagram", "LinkedIn"]
        ));
        assert!(mention("Folgen Sie uns auf LinkedIn.", "LinkedIn", &[]));
        assert!(mention(
            "You can delete cookies in your browser settings, e.g. Google cookies.",
            "Google",
            &[]
        ));
        assert!(!mention(
            "We use Google Fonts; you can delete cookies in your browser settings.",
            "Google Fonts",
            &[]
        ));
        assert!(!mention(
            "Wir setzen Google Analytics zur Reichweitenmessung ein.",
            "Google Analytics",
            &[]
        ));
    }
}
