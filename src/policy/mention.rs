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
/// list of them ("adverts on Facebook, Instagram and Messenger").
pub fn is_mention(sentence: &str, start: usize, names: &[(usize, usize)]) -> bool {
    let m = &Lexicon::get().mentions;
    let ws = words(sentence);
    let folded: Vec<String> = ws.iter().map(|w| w.0.clone()).collect();
    let name_word = ws.iter().position(|w| w.1 >= start).unwrap_or(ws.len());
    let in_name = |i: usize| names.iter().any(|&(a, b)| ws[i].1 >= a && ws[i].2 <= b);
    let after_marker = m.before_name.iter().any(|seq| {
        seq_positions(&folded[..name_word], seq).any(|p| {
            (p + seq.len()..name_word)
                .all(|i| in_name(i) || SEPARATORS.contains(&folded[i].as_str()))
        })
    });
    if after_marker {
        return true;
    }
    let has = |seqs: &[Vec<String>]| {
        seqs.iter()
            .any(|seq| seq_positions(&folded, seq).next().is_some())
    };
    has(&m.help) && !has(&m.processing)
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
