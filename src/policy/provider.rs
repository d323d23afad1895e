//! Provider sentences: "Anbieter ist die Musterhost GmbH, Hauptstraße 1, …", "The provider is …",
//! "operated by …", "(hereinafter "X")". They name the entity behind a tool even when the catalog
//! does not know it; such entities become free-text declarations (`matched_as: "provider"`).
//!
//! Strong cues ("Anbieter ist", "The provider is") accept any capitalised entity. Weak cues
//! ("operated by", "provided by", "betrieben von", "(hereinafter …)") are common in other senses
//! ("data provided by you"), so their entity must carry a legal form (GmbH, Inc., Ltd …) or look
//! like a brand (inner capital or digit, e.g. "eRecht24"). "Betreiber dieser Website ist …" and
//! "The operator of this website is …" name the site itself: [`Cue::Operator`].

use crate::policy::fold::fold_str;
use crate::policy::lexicon::Lexicon;
use regex::Regex;
use std::sync::OnceLock;

/// How an entity was introduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    /// "Anbieter ist", "The provider is": a processor.
    Strong,
    /// "operated by", "(hereinafter …)": a processor when the entity looks like one.
    Weak,
    /// "Betreiber dieser Website ist": the site's own company.
    Operator,
}

/// An entity named by a provider sentence, as a byte range of the sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    /// Start in the sentence.
    pub start: usize,
    /// End in the sentence (trimmed at the first comma, parenthesis or address).
    pub end: usize,
    /// How it was introduced.
    pub cue: Cue,
}

const LEGAL_FORMS: &[&str] = &[
    "gmbh",
    "ag",
    "se",
    "kg",
    "ohg",
    "ug",
    "gbr",
    "e v",
    "ev",
    "mbh",
    "inc",
    "llc",
    "ltd",
    "limited",
    "plc",
    "corp",
    "corporation",
    "company",
    "co",
    "lp",
    "llp",
    "sa",
    "s a",
    "sas",
    "sarl",
    "sl",
    "s l",
    "bv",
    "b v",
    "nv",
    "n v",
    "spa",
    "s p a",
    "srl",
    "ab",
    "as",
    "oy",
    "aps",
    "pty",
    "gmbh & co kg",
    "unlimited company",
    "holding",
    "group",
];

struct Patterns {
    operator: Regex,
    strong: Regex,
    weak: Regex,
    hereinafter: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let article = r"(?:(?:die|der|das|the|la|le|el|il|de)\s+)?";
        let compile = |re: String| Regex::new(&re).expect("provider regex compiles");
        Patterns {
            operator: compile(format!(
                r"(?i)(?-u:\b)(?:Betreiber(?:in)?|Anbieter(?:in)?|operator|owner|provider)\s+(?:dieser|dieses|der|unserer|this|of\s+this|of\s+these|of\s+the)\s+(?:Website|Webseite|Internetseite|Seiten?|Homepage|Internetpräsenz|Onlineangebots?|website|site|pages?)\s+(?:ist|sind|is|are)\s*:?\s+{article}(?P<e>\S.*)"
            )),
            strong: compile(format!(
                r"(?i)(?-u:\b)(?:Anbieter(?:in)?|Betreiber(?:in)?|provider|operator|vendor)(?:\s+(?:dieses|dieser|des|der|von|dieses|of\s+(?:this|the|these))\s+[\p{{L}}\-]+)?\s+(?:ist|sind|is|are)\s*:?\s+{article}(?P<e>\S.*)"
            )),
            weak: compile(format!(
                r"(?i)(?-u:\b)(?:operated|provided|offered|run|hosted|supplied|developed)\s+by\s+{article}(?P<e>\S.*)|(?-u:\b)(?:betrieben|bereitgestellt|angeboten|gehostet|entwickelt)\s+(?:von|durch)\s+{article}(?P<f>\S.*)"
            )),
            hereinafter: compile(
                r#"(?i)\((?:hereinafter|hereafter|im\s+Folgenden|nachfolgend|nachstehend|ci-après|en\s+adelante)\s*:?\s*(?:(?:referred\s+to\s+as|genannt|bezeichnet\s+als)\s+)?["“„”'‚‘]?(?P<e>[^"“”„)'‘’]{1,60})["“”'’‘]?\)"#.to_string(),
            ),
        }
    })
}

/// End of the entity name inside `rest`: the first comma, semicolon, parenthesis, opening
/// quote, " with its registered office" / " mit Sitz", or the sentence end.
fn entity_len(rest: &str) -> usize {
    let mut end = rest.len();
    for stop in [",", ";", " (", "(", " „", " “", " \"", " – ", " - ", "\n"] {
        if let Some(i) = rest.find(stop) {
            end = end.min(i);
        }
    }
    let lower = rest.to_lowercase();
    for stop in [
        " mit sitz",
        " with its",
        " with registered",
        " with headquarters",
        " headquartered",
        " located",
        " based in",
        " registered in",
        " whose",
        " deren ",
        " dessen ",
        " which ",
        " who ",
        " that ",
        " for ",
        " für ",
        " to ",
        " and is",
        " und ist",
        " in the us",
    ] {
        if let Some(i) = lower.find(stop) {
            if i < end && rest.is_char_boundary(i) {
                end = i;
            }
        }
    }
    let mut s = rest[..end].trim_end();
    // A final period ends the sentence unless it belongs to an abbreviation ("Inc.", "B.V.").
    if let Some(stripped) = s.strip_suffix('.') {
        let last = stripped.rsplit(' ').next().unwrap_or("");
        let keep = matches!(
            last.to_lowercase().as_str(),
            "inc" | "ltd" | "co" | "corp" | "s.a" | "b.v" | "n.v" | "e.v" | "s.l" | "s.p.a" | "plc"
        );
        if !keep {
            s = stripped;
        }
    }
    s.trim_end().len()
}

/// The entity carries a legal form (GmbH, Inc., Ltd, SE …).
pub fn has_legal_form(entity: &str) -> bool {
    let f = fold_str(entity).replace('.', " ");
    let words: Vec<&str> = f.split_whitespace().collect();
    LEGAL_FORMS.iter().any(|lf| {
        let parts: Vec<&str> = lf.split(' ').collect();
        words.windows(parts.len()).any(|w| w == parts.as_slice())
    })
}

fn looks_like_brand(entity: &str) -> bool {
    let words: Vec<&str> = entity.split_whitespace().collect();
    words.len() <= 4
        && words.iter().any(|w| {
            let mut cs = w.chars();
            cs.next().is_some()
                && cs.any(|c| c.is_uppercase() || c.is_ascii_digit())
                && w.chars().any(char::is_lowercase)
        })
}

/// Is `entity` plausible as a named organisation for `cue`?
pub fn plausible(entity: &str, cue: Cue) -> bool {
    let words = entity.split_whitespace().count();
    let first = entity.chars().next();
    if words == 0 || words > 10 || entity.len() > 100 {
        return false;
    }
    if !first.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()) {
        return false;
    }
    let folded = fold_str(entity);
    if Lexicon::get().generic_folded.contains(&folded) {
        return false;
    }
    match cue {
        Cue::Strong | Cue::Operator => true,
        Cue::Weak => has_legal_form(entity) || looks_like_brand(entity),
    }
}

/// Every entity named by a provider sentence in `sentence`, in order.
pub fn find_entities(sentence: &str) -> Vec<Entity> {
    let p = patterns();
    let mut out: Vec<Entity> = Vec::new();
    let push = |start: usize, rest: &str, cue: Cue, out: &mut Vec<Entity>| {
        let len = entity_len(rest);
        let entity = &rest[..len];
        if plausible(entity, cue)
            && !out
                .iter()
                .any(|e| e.start <= start && start < e.end.max(e.start + 1))
        {
            out.push(Entity {
                start,
                end: start + len,
                cue,
            });
        }
    };
    let mut operator_spans = Vec::new();
    for c in p.operator.captures_iter(sentence) {
        let e = c.name("e").expect("group e");
        operator_spans.push(c.get(0).expect("whole").range());
        push(e.start(), e.as_str(), Cue::Operator, &mut out);
    }
    for c in p.strong.captures_iter(sentence) {
        let whole = c.get(0).expect("whole");
        if operator_spans.iter().any(|r| r.contains(&whole.start())) {
            continue;
        }
        let e = c.name("e").expect("group e");
        push(e.start(), e.as_str(), Cue::Strong, &mut out);
    }
    for c in p.weak.captures_iter(sentence) {
        if let Some(e) = c.name("e").or_else(|| c.name("f")) {
            push(e.start(), e.as_str(), Cue::Weak, &mut out);
        }
    }
    // Compared against the entities of the cue sentences only: repeated "(hereinafter …)" must
    // not compare each with all before it.
    let cued: Vec<String> = out
        .iter()
        .map(|x| fold_str(&sentence[x.start..x.end]))
        .collect();
    for c in p.hereinafter.captures_iter(sentence) {
        let e = c.name("e").expect("group e");
        let text = e.as_str().trim();
        let lead = e.as_str().len() - e.as_str().trim_start().len();
        let start = e.start() + lead;
        // The short name of an entity already found is not a second provider.
        let folded = fold_str(text);
        let known = cued.iter().any(|x| x.contains(&folded));
        if !known && plausible(text, Cue::Weak) {
            out.push(Entity {
                start,
                end: start + text.len(),
                cue: Cue::Weak,
            });
        }
    }
    out.sort_by_key(|e| e.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ents(s: &str) -> Vec<(&str, Cue)> {
        find_entities(s)
            .into_iter()
            .map(|e| (&s[e.start..e.end], e.cue))
            .collect()
    }

    #[test]
    fn provider_sentences_in_german_and_english() {
        assert_eq!(
            ents("Anbieter ist die Musterhost GmbH (im Folgenden „Musterhost“), Hauptstraße 1, 12345 Berlin."),
            vec![("Musterhost GmbH", Cue::Strong)]
        );
        assert_eq!(
            ents("Anbieter dieses Dienstes ist die Beispiel Analytics AG, Ringstr. 4, Köln."),
            vec![("Beispiel Analytics AG", Cue::Strong)]
        );
        assert_eq!(
            ents(
                "The provider is Cloudflare Inc., 101 Townsend St., San Francisco, CA 94107, USA."
            ),
            vec![("Cloudflare Inc.", Cue::Strong)]
        );
        assert_eq!(
            ents("The chat widget is operated by Chatterbox Ltd. with its registered office in Dublin."),
            vec![("Chatterbox Ltd.", Cue::Weak)]
        );
        assert_eq!(
            ents("We use Chatly (hereinafter: „ChatlyBot“) for support."),
            vec![("ChatlyBot", Cue::Weak)]
        );
        assert_eq!(
            ents("Betreiber dieser Website ist die Muster GmbH."),
            vec![("Muster GmbH", Cue::Operator)]
        );
    }

    #[test]
    fn not_provider_sentences() {
        assert!(ents("Only the data provided by you is stored.").is_empty());
        assert!(ents("Die von Nutzern bereitgestellt von Nutzern Daten.").is_empty());
        assert!(ents("The provider of the tool also processes all technical data.").is_empty());
        assert!(
            ents("Further information is available from the provider at the following link.")
                .is_empty()
        );
        assert!(ents("Anbieter ist ein Dienstleister in der EU.").is_empty());
        assert!(ents("(hereinafter \"we\" or \"us\")").is_empty());
    }
}
