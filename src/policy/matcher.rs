//! Finding catalog names and hostnames in policy text.
//!
//! All catalog service names, service aliases, company names and company aliases (plus the stop
//! names of `data/policy/not_processors.toml`) go into one Aho–Corasick automaton over folded text,
//! so a policy is scanned once whatever the catalog size. Overlapping candidates are collected,
//! those not on word boundaries dropped, and the leftmost-longest kept: "Google Analytics" is not
//! also "Google", and "Google Chrome" (a stop name) hides "Google".
//!
//! Former company names match like aliases; a parent company's name (of two words or more, so
//! "Playlist" stays a word) matches as [`Hit::Parent`]. Where the automaton finds nothing, the
//! [`VariantIndex`] built alongside finds names written with other spacing or one letter off
//! ("Mail Chimp", "Twillio"), flagged as variants so the evidence shows the original spelling.

use crate::catalog::{Catalog, NameTarget};
use crate::policy::fold::{fold_str, is_word_char, Folded};
use crate::policy::lexicon::Lexicon;
use crate::policy::variants::VariantIndex;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// What a matched name refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hit {
    /// A catalog service (by name or alias).
    Service(String),
    /// A catalog company (by name, alias or former name).
    Company(String),
    /// A parent company (the `parent` of catalog companies), by its name as the catalog writes it.
    Parent(String),
    /// A name that never declares a processor (browser, authority, law).
    Stop,
}

/// A name found in a text, as original byte offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameMatch {
    /// Start in the original text.
    pub start: usize,
    /// End in the original text.
    pub end: usize,
    /// What it names.
    pub hit: Hit,
    /// Found as a spacing variant or a one-letter misspelling of the catalog name.
    pub variant: bool,
}

#[derive(Debug, Clone)]
struct Pattern {
    hit: Hit,
    /// Single word that is also an ordinary word: not matched when written all in lowercase.
    needs_capital: bool,
}

/// The compiled name matcher for one catalog. Build once, use for many policies.
#[derive(Debug, Clone)]
pub struct NameMatcher {
    automaton: Option<AhoCorasick>,
    patterns: Vec<Pattern>,
    /// Spacing variants and misspellings; targets index `patterns`.
    variants: VariantIndex,
}

impl NameMatcher {
    /// Compile every policy name of `catalog`. When the same folded name points to several targets,
    /// a stop name wins, then a service (name before alias), then a company.
    pub fn new(catalog: &Catalog) -> NameMatcher {
        let lex = Lexicon::get();
        // rank: lower wins
        let mut by_folded: BTreeMap<String, (u8, Hit)> = BTreeMap::new();
        let mut add = |name: &str, rank: u8, hit: Hit| {
            let folded = fold_str(name);
            if folded.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
                return;
            }
            match by_folded.get(&folded) {
                Some((r, _)) if *r <= rank => {}
                _ => {
                    by_folded.insert(folded, (rank, hit));
                }
            }
        };
        for name in lex.stop_names() {
            add(name, 0, Hit::Stop);
        }
        for s in catalog.services() {
            add(&s.name, 1, Hit::Service(s.id.clone()));
            for a in &s.aliases {
                add(a, 2, Hit::Service(s.id.clone()));
            }
        }
        for c in catalog.companies() {
            add(&c.name, 3, Hit::Company(c.id.clone()));
            for a in &c.aliases {
                add(a, 4, Hit::Company(c.id.clone()));
            }
            for f in &c.formerly {
                add(f, 5, Hit::Company(c.id.clone()));
            }
        }
        for c in catalog.companies() {
            match &c.parent {
                Some(p) if fold_str(p).contains(' ') => add(p, 6, Hit::Parent(p.clone())),
                _ => {}
            }
        }
        let mut keys = Vec::with_capacity(by_folded.len());
        let mut patterns = Vec::with_capacity(by_folded.len());
        let mut ranked: Vec<(u8, u32)> = Vec::with_capacity(by_folded.len());
        for (folded, (rank, hit)) in by_folded {
            let needs_capital = !folded.contains(' ') && lex.common_words.contains(&folded);
            ranked.push((rank, keys.len() as u32));
            keys.push(folded);
            patterns.push(Pattern { hit, needs_capital });
        }
        // Best rank first, so a squash shared by several names goes where the exact name would.
        ranked.sort();
        let variants = VariantIndex::build(ranked.iter().map(|&(rank, p)| {
            let k = keys[p as usize].as_str();
            let ordinary = lex.common_words.iter().any(|w| w == k)
                || lex.no_misspelling.iter().any(|w| w == k);
            // Stop names and parents get spacing variants only.
            (k, p, rank != 0 && rank < 6 && !ordinary)
        }));
        // A contiguous NFA builds in a fraction of a DFA's time for thousands of names and
        // searches a 35 KB policy fast enough; the matcher is often built per policy.
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&keys)
            .ok();
        NameMatcher {
            automaton,
            patterns,
            variants,
        }
    }

    /// Every name in `original` (whose folded copy is `folded`), leftmost-longest, word-bounded,
    /// in text order. Stop names are returned too (callers skip them).
    pub fn find(&self, original: &str, folded: &Folded) -> Vec<NameMatch> {
        let Some(ac) = &self.automaton else {
            return Vec::new();
        };
        let text = folded.text.as_str();
        let mut candidates: Vec<(usize, usize, usize)> = Vec::new();
        for m in ac.find_overlapping_iter(text) {
            let (s, e) = (m.start(), m.end());
            let before_ok = text[..s]
                .chars()
                .next_back()
                .is_none_or(|c| !is_word_char(c));
            let after_ok = text[e..].chars().next().is_none_or(|c| !is_word_char(c));
            if before_ok && after_ok {
                candidates.push((s, e, m.pattern().as_usize()));
            }
        }
        candidates.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut out = Vec::new();
        let mut covered_to = 0;
        for (s, e, p) in candidates {
            if s < covered_to {
                continue;
            }
            let (os, oe) = folded.original_range(s, e);
            let pattern = &self.patterns[p];
            if pattern.needs_capital && !original[os..oe].chars().any(char::is_uppercase) {
                continue;
            }
            covered_to = e;
            out.push(NameMatch {
                start: os,
                end: oe,
                hit: pattern.hit.clone(),
                variant: false,
            });
        }
        self.find_variants(original, folded, &mut out);
        out
    }

    /// Add variants ("Mail Chimp", "Twillio") between the exact matches in `out`, keeping text
    /// order. A variant must start with a capital letter as written: "face book" in lowercase is
    /// two words, "Face book" a misspelt name.
    fn find_variants(&self, original: &str, folded: &Folded, out: &mut Vec<NameMatch>) {
        if self.variants.is_empty() {
            return;
        }
        let text = folded.text.as_str();
        // Exact matches are sorted and disjoint, so their ends are sorted too: one binary search
        // tells whether a span overlaps any (a long sentence full of names stays linear-ish).
        let exact: Vec<(usize, usize)> = out.iter().map(|m| (m.start, m.end)).collect();
        let free = |os: usize, oe: usize| {
            let i = exact.partition_point(|&(_, e)| e <= os);
            exact.get(i).is_none_or(|&(s, _)| oe <= s)
        };
        let capital = |fs: usize| {
            let (os, _) = folded.original_range(fs, fs + 1);
            original[os..]
                .chars()
                .next()
                .is_some_and(char::is_uppercase)
        };
        let hits = self.variants.find(text, capital, |fs, fe| {
            let (os, oe) = folded.original_range(fs, fe);
            free(os, oe)
        });
        if hits.is_empty() {
            return;
        }
        for h in hits {
            let (os, oe) = folded.original_range(h.start, h.end);
            out.push(NameMatch {
                start: os,
                end: oe,
                hit: self.patterns[h.target as usize].hit.clone(),
                variant: true,
            });
        }
        out.sort_by_key(|m| m.start);
    }
}

/// Convert a catalog [`NameTarget`] (used by callers that hold one) into a [`Hit`].
impl From<NameTarget> for Hit {
    fn from(t: NameTarget) -> Hit {
        match t {
            NameTarget::Service(s) => Hit::Service(s),
            NameTarget::Company(c) => Hit::Company(c),
        }
    }
}

/// A hostname written in the text (bare or inside a URL or e-mail address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostMention {
    /// Start of the whole URL/host/e-mail span in the original text.
    pub span_start: usize,
    /// End of the span.
    pub span_end: usize,
    /// Lowercase hostname, `www.` kept.
    pub host: String,
    /// Part of an e-mail address (never a declaration, but names inside it are not names).
    pub email: bool,
}

fn host_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?i)(?:https?://)?(?:[a-z0-9._%+-]+@)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(?-u:\b)(?:[/:?#][^\s<>"“”„)\]]*)?"#,
        )
        .expect("host regex compiles")
    })
}

/// Every hostname with a known public suffix in `text`.
pub fn find_hosts(text: &str) -> Vec<HostMention> {
    let mut out = Vec::new();
    for caps in host_regex().captures_iter(text) {
        let (Some(whole), Some(host)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        // Not the tail of a longer word ("z.B.Google" is not a host; neither is "Art.6").
        if text[..whole.start()]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '.' || c == '@')
        {
            continue;
        }
        let h = host.as_str().to_ascii_lowercase();
        let known = psl::suffix(h.as_bytes()).is_some_and(|s| s.is_known());
        if !known || h.split('.').count() < 2 {
            continue;
        }
        out.push(HostMention {
            span_start: whole.start(),
            span_end: whole.end().min(text.len()),
            host: h,
            email: whole.as_str().contains('@'),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Company, Service};
    use crate::policy::fold::fold;

    pub(crate) fn service(id: &str, name: &str, company: &str, aliases: &[&str]) -> Service {
        Service {
            id: id.into(),
            name: name.into(),
            company: company.into(),
            categories: vec!["analytics".into()],
            hosts: vec![],
            cookies: vec![],
            signatures: vec![],
            paths: vec![],
            urls: vec![],
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            family: None,
            shared_hosts: false,
            source: None,
        }
    }

    fn catalog() -> Catalog {
        Catalog::from_parts(
            vec![
                service("google-analytics", "Google Analytics", "google", &["GA4"]),
                service("meta-pixel", "Meta Pixel", "meta", &["Facebook Pixel"]),
            ],
            vec![
                Company {
                    id: "google".into(),
                    name: "Google Ireland Limited".into(),
                    parent: None,
                    country: None,
                    aliases: vec!["Google".into()],
                    formerly: vec![],
                    source: None,
                },
                Company {
                    id: "meta".into(),
                    name: "Meta Platforms Ireland Limited".into(),
                    parent: None,
                    country: None,
                    aliases: vec!["Meta".into()],
                    formerly: vec![],
                    source: None,
                },
            ],
        )
    }

    fn names(text: &str) -> Vec<(String, Hit)> {
        let m = NameMatcher::new(&catalog());
        m.find(text, &fold(text))
            .into_iter()
            .map(|n| (text[n.start..n.end].to_string(), n.hit))
            .collect()
    }

    #[test]
    fn longest_match_wins_and_words_are_bounded() {
        assert_eq!(
            names("Wir nutzen GOOGLE-Analytics und Google; nicht Googles Metadaten."),
            vec![
                (
                    "GOOGLE-Analytics".into(),
                    Hit::Service("google-analytics".into())
                ),
                ("Google".into(), Hit::Company("google".into())),
            ]
        );
        assert_eq!(
            names("Google Chrome and Mozilla Firefox. Meta Platforms Ireland Limited."),
            vec![
                ("Google Chrome".into(), Hit::Stop),
                ("Mozilla Firefox".into(), Hit::Stop),
                (
                    "Meta Platforms Ireland Limited".into(),
                    Hit::Company("meta".into())
                ),
            ]
        );
    }

    #[test]
    fn common_words_need_a_capital() {
        assert!(names("the meta tags of the page").is_empty());
        assert_eq!(names("Meta receives data").len(), 1);
    }

    #[test]
    fn hosts_are_found_in_urls_but_not_in_abbreviations() {
        let t = "Loaded from fonts.googleapis.com, see https://policies.google.com/privacy?hl=de. \
                 Mail info@example.de. Art. 6 Abs. 1 lit. f DSGVO, z.B. Tracking, file.xyzzy.";
        let hosts: Vec<(String, bool)> = find_hosts(t)
            .into_iter()
            .map(|h| (h.host, h.email))
            .collect();
        assert_eq!(
            hosts,
            vec![
                ("fonts.googleapis.com".into(), false),
                ("policies.google.com".into(), false),
                ("example.de".into(), true),
            ]
        );
    }
}
