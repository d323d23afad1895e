//! From policy text to declarations: catalog names, hostnames and provider entities, each with
//! its section, sentence and negation; minus the site's own company and boilerplate.

use crate::catalog::Catalog;
use crate::model::Declaration;
use crate::policy::fold::{fold, fold_str};
use crate::policy::lexicon::{word_spans, Lexicon};
use crate::policy::matcher::{find_hosts, Hit, NameMatcher};
use crate::policy::mention::Mentions;
use crate::policy::negation::{is_negated, Negation};
use crate::policy::provider::{find_entities, has_legal_form, Cue};
use crate::policy::text::{sentences, Block, BlockKind, PolicyText};
use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// Longest excerpt kept, in chars; longer sentences are cut around the name.
pub const EXCERPT_CHARS: usize = 300;

/// Most sections one name is declared in. A real policy names a service in a handful; a hostile
/// one with 150,000 headings each naming Google Analytics must not make 150,000 declarations.
pub const MAX_SECTIONS_PER_NAME: usize = 50;

/// Heading words (folded) of the section naming the responsible party, whose company is the site
/// itself and never a processor.
const RESPONSIBLE_HEADINGS: &[&str] = &[
    "responsible party",
    "responsible body",
    "controller",
    "verantwortliche",
    "verantwortlichen",
    "verantwortlicher",
    "responsable du traitement",
    "responsable del tratamiento",
    "titolare del trattamento",
    "verwerkingsverantwoordelijke",
    "angaben gemass",
    "impressum",
    "imprint",
    "legal notice",
    "site operator",
    "website operator",
];

/// Analyse `text` against `catalog`. The name matcher (≈ 10 ms to build for the full catalog) is
/// cached for the last catalog seen, keyed by a hash of its names.
pub fn analyze_text(text: &PolicyText, catalog: &Catalog) -> Vec<Declaration> {
    analyze_with(&cached_matcher(catalog), text, catalog)
}

fn fingerprint(catalog: &Catalog) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for s in catalog.services() {
        (&s.id, &s.name, &s.company, &s.aliases, &s.hosts).hash(&mut h);
    }
    for c in catalog.companies() {
        (&c.id, &c.name, &c.aliases, &c.formerly, &c.parent).hash(&mut h);
    }
    h.finish()
}

fn cached_matcher(catalog: &Catalog) -> Arc<NameMatcher> {
    static CACHE: Mutex<Option<(u64, Arc<NameMatcher>)>> = Mutex::new(None);
    let fp = fingerprint(catalog);
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    match cache.as_ref() {
        Some((f, m)) if *f == fp => m.clone(),
        _ => {
            let m = Arc::new(NameMatcher::new(catalog));
            *cache = Some((fp, m.clone()));
            m
        }
    }
}

/// Declarations in document order, one per key (what is named, section, negated): the first
/// body sentence wins, a heading only while no body sentence names it. Deduplicating as they
/// come (instead of collecting every mention) keeps a policy that names one service 100,000 times
/// at one declaration's cost.
#[derive(Default)]
struct Collector {
    out: Vec<(Declaration, bool)>,
    by_key: HashMap<String, usize>,
    /// Sections per (what is named, negated).
    sections: HashMap<String, usize>,
    own: Vec<String>,
    own_cache: HashMap<String, bool>,
}

impl Collector {
    fn is_own(&mut self, name: &str) -> bool {
        if let Some(&b) = self.own_cache.get(name) {
            return b;
        }
        let b = is_own(&self.own, name);
        self.own_cache.insert(name.to_string(), b);
        b
    }

    /// Offer a mention of `what` (key of what is named and negation) in `section`; `decl`
    /// builds the declaration only when it is kept.
    fn offer(
        &mut self,
        name: &str,
        what: String,
        section: &str,
        from_heading: bool,
        decl: impl FnOnce() -> Declaration,
    ) {
        let key = format!("{what}\u{0}{section}");
        let slot = self.by_key.get(&key).copied();
        if slot.is_some_and(|i| !self.out[i].1 || from_heading) {
            return;
        }
        if slot.is_none() && self.sections.get(&what).copied().unwrap_or(0) >= MAX_SECTIONS_PER_NAME
        {
            return;
        }
        if self.is_own(name) {
            return;
        }
        match slot {
            Some(i) => self.out[i] = (decl(), from_heading),
            None => {
                self.by_key.insert(key, self.out.len());
                *self.sections.entry(what).or_default() += 1;
                self.out.push((decl(), from_heading));
            }
        }
    }
}

/// Whether `a..b` overlaps one of `spans` (ascending, not overlapping each other).
fn overlaps(spans: &[(usize, usize)], a: usize, b: usize) -> bool {
    let i = spans.partition_point(|s| s.0 < b);
    i > 0 && spans[i - 1].1 > a
}

/// Analyse `text` with a prepared matcher. Declarations come in document order, one per
/// (what is named, section, negated): the first body sentence is kept as evidence, a heading only
/// when the section has no body sentence naming it.
pub fn analyze_with(
    matcher: &NameMatcher,
    text: &PolicyText,
    catalog: &Catalog,
) -> Vec<Declaration> {
    let (own_names, address_lines) = own_company(text);
    let lex = Lexicon::get();
    let mut c = Collector {
        own: own_names,
        ..Collector::default()
    };
    // Negation cues come from the sentence's language: its own when it says enough, else the
    // document's (a policy may mix languages).
    let doc_lang = crate::policy::language::detect(&text.plain());
    for (bi, block) in text.blocks.iter().enumerate() {
        let from_heading = matches!(block.kind, BlockKind::Heading(_));
        let section = block.section_path();
        for (s, e) in sentences(&block.text) {
            if address_lines.contains(&(bi, s)) {
                continue;
            }
            let sentence = &block.text[s..e];
            let lang = std::cell::OnceCell::new();
            let lang = || {
                lang.get_or_init(|| {
                    crate::policy::language::detect_sentence(sentence).or_else(|| doc_lang.clone())
                })
                .as_deref()
            };
            let folded = fold(sentence);
            let hosts = find_hosts(sentence);
            let host_spans: Vec<(usize, usize)> =
                hosts.iter().map(|h| (h.span_start, h.span_end)).collect();
            let names: Vec<_> = matcher
                .find(sentence, &folded)
                .into_iter()
                .filter(|n| !overlaps(&host_spans, n.start, n.end))
                .collect();
            let negation = OnceCell::new();
            let negated = |a: usize, b: usize| {
                negation
                    .get_or_init(|| Negation::new(sentence, lang()))
                    .is_negated(a, b)
            };
            let push = |c: &mut Collector,
                        name: &str,
                        key: String,
                        service: Option<String>,
                        company: Option<String>,
                        matched_as: &str,
                        negated: bool,
                        at: (usize, usize)| {
                let what = format!("{key}\u{0}{negated}");
                c.offer(name, what, section, from_heading, || Declaration {
                    name: name.to_string(),
                    service,
                    company,
                    matched_as: matched_as.to_string(),
                    section: section.to_string(),
                    excerpt: excerpt(sentence, at.0, at.1),
                    negated,
                    source: block.source.to_string(),
                });
            };
            let spans: Vec<(usize, usize)> = names.iter().map(|n| (n.start, n.end)).collect();
            let mentions = OnceCell::new();
            for n in &names {
                // An advertising channel, a profile on a network, a cookie-help example.
                if !matches!(n.hit, Hit::Stop)
                    && mentions
                        .get_or_init(|| Mentions::new(sentence, &spans))
                        .is_mention(n.start)
                {
                    continue;
                }
                let written = &sentence[n.start..n.end];
                let negated = negated(n.start, n.end);
                match &n.hit {
                    Hit::Stop => {}
                    Hit::Service(id) => {
                        let company = catalog
                            .service(id)
                            .and_then(|s| catalog.company(&s.company))
                            .map(|c| c.name.clone());
                        push(
                            &mut c,
                            written,
                            format!("s:{id}"),
                            Some(id.clone()),
                            company,
                            if n.variant { "variant" } else { "service" },
                            negated,
                            (n.start, n.end),
                        );
                    }
                    Hit::Company(id) => {
                        let company = catalog.company(id).map(|c| c.name.clone());
                        push(
                            &mut c,
                            written,
                            format!("c:{id}"),
                            None,
                            company,
                            if n.variant { "variant" } else { "company" },
                            negated,
                            (n.start, n.end),
                        );
                    }
                    // A parent group named: its subsidiaries' services are disclosed by company.
                    Hit::Parent(parent) => push(
                        &mut c,
                        written,
                        format!("g:{}", fold_str(parent)),
                        None,
                        Some(parent.clone()),
                        if n.variant { "variant" } else { "company" },
                        negated,
                        (n.start, n.end),
                    ),
                }
            }
            for h in hosts.iter().filter(|h| !h.email) {
                if lex.is_reference_host(&h.host) {
                    continue;
                }
                let bare = h.host.strip_prefix("www.").unwrap_or(&h.host);
                let Some(svc) = catalog
                    .lookup_host(&h.host)
                    .or_else(|| catalog.lookup_host(bare))
                else {
                    continue;
                };
                let company = catalog.company(&svc.company).map(|c| c.name.clone());
                let negated = negated(h.span_start, h.span_end);
                let (hs, he) = host_range(sentence, h.span_start, h.span_end, &h.host);
                let (key, service) = if names_company_only(&h.host, &sentence[he..h.span_end]) {
                    (format!("c:{}", svc.company), None)
                } else {
                    (format!("s:{}", svc.id), Some(svc.id.clone()))
                };
                push(
                    &mut c,
                    &sentence[hs..he],
                    key,
                    service,
                    company,
                    "host",
                    negated,
                    (hs, he),
                );
            }
            if from_heading {
                continue;
            }
            let name_spans: Vec<(usize, usize)> = names.iter().map(|n| (n.start, n.end)).collect();
            for ent in find_entities(sentence) {
                if ent.cue == Cue::Operator {
                    continue;
                }
                if overlaps(&name_spans, ent.start, ent.end)
                    || overlaps(&host_spans, ent.start, ent.end)
                {
                    continue;
                }
                let written = &sentence[ent.start..ent.end];
                let negated = negated(ent.start, ent.end);
                push(
                    &mut c,
                    written,
                    format!("p:{}", fold_str(written)),
                    None,
                    None,
                    "provider",
                    negated,
                    (ent.start, ent.end),
                );
            }
        }
    }
    c.out.into_iter().map(|(d, _)| d).collect()
}

/// What the scan observed that the catalog cannot name, to look for in the policy.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// Brands of third-party hosts nothing in the catalog explains: the label of the registrable
    /// domain ("airform" for `airform.io`), folded.
    pub brands: Vec<String>,
    /// Cookie names attributed by their name alone (`_ga` written by the site's own script).
    pub cookies: Vec<String>,
}

/// Declarations for what the catalog cannot name, first body sentence only: a brand written as
/// a whole word (`matched_as: "brand"`; one that is also an ordinary word, "slack", only with a
/// capital), a cookie name written exactly (`matched_as: "cookie"`, "stores the cookies _ga and
/// _gid").
pub fn observed_declarations(text: &PolicyText, observed: &Observed) -> Vec<Declaration> {
    let lex = Lexicon::get();
    let doc_lang = crate::policy::language::detect(&text.plain());
    let mut out: Vec<Declaration> = Vec::new();
    let mut found: Vec<&str> = Vec::new();
    let wanted = observed
        .brands
        .iter()
        .map(|b| (b, "brand"))
        .chain(observed.cookies.iter().map(|c| (c, "cookie")));
    let wanted: Vec<(&String, &str)> = wanted.collect();
    for block in text.blocks.iter().filter(|b| b.kind == BlockKind::Body) {
        for (s, e) in sentences(&block.text) {
            let sentence = &block.text[s..e];
            for &(name, kind) in &wanted {
                if found.contains(&name.as_str()) {
                    continue;
                }
                let at = if kind == "brand" {
                    let needs_capital = lex.common_words.contains(name);
                    word_spans(sentence).find(|&(a, b)| {
                        let w = &sentence[a..b];
                        fold_str(w) == *name
                            && (!needs_capital || w.chars().next().is_some_and(char::is_uppercase))
                    })
                } else {
                    token_span(sentence, name)
                };
                let Some((ws, we)) = at else {
                    continue;
                };
                found.push(name);
                let lang =
                    crate::policy::language::detect_sentence(sentence).or_else(|| doc_lang.clone());
                out.push(Declaration {
                    name: sentence[ws..we].to_string(),
                    service: None,
                    company: None,
                    matched_as: kind.into(),
                    section: block.section_path().to_string(),
                    excerpt: excerpt(sentence, ws, we),
                    negated: is_negated(sentence, ws, we, lang.as_deref()),
                    source: block.source.to_string(),
                });
            }
        }
    }
    out
}

/// The first occurrence of `token` in `s` not inside a longer name (`_ga` in "_ga," but not in
/// "_gat" or "my_ga").
fn token_span(s: &str, token: &str) -> Option<(usize, usize)> {
    let part = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-');
    s.match_indices(token)
        .map(|(i, _)| (i, i + token.len()))
        .find(|&(a, b)| !part(s[..a].chars().next_back()) && !part(s[b..].chars().next()))
}

/// Path words of a link to a company's own documents (privacy policy, terms, help pages).
const DOC_PATH_WORDS: &[&str] = &[
    "privacy",
    "datenschutz",
    "policy",
    "policies",
    "legal",
    "terms",
    "help",
    "support",
    "impressum",
    "imprint",
    "gdpr",
    "dsgvo",
    "dpa",
    "cookie",
    "agb",
    "confidentialite",
    "privacidad",
];

/// A host names only the company, not a service, when it is the company's website
/// ("www.linkedin.com", "ionos.de") or the link leads to its documents
/// ("policies.google.com/privacy", "…/terms-gtc/terms-privacy"): such links identify who the
/// provider is, not which product is used.
fn names_company_only(host: &str, url_path: &str) -> bool {
    // Not the public suffix list: it counts private suffixes ("googleapis.com"), which would make
    // "fonts.googleapis.com" a company website.
    let path = url_path.to_ascii_lowercase();
    let first_label = host.split('.').next().unwrap_or("");
    host.starts_with("www.")
        || host.split('.').count() <= 2
        || DOC_PATH_WORDS
            .iter()
            .any(|w| path.contains(w) || first_label == *w)
}

/// The byte range of `host` inside the URL span `span_start..span_end`.
fn host_range(sentence: &str, span_start: usize, span_end: usize, host: &str) -> (usize, usize) {
    let lower = sentence[span_start..span_end].to_ascii_lowercase();
    match lower.find(host) {
        Some(i) => (span_start + i, span_start + i + host.len()),
        None => (
            span_start,
            span_start + host.len().min(sentence.len() - span_start),
        ),
    }
}

/// `sentence`, or a window of it around `start..end` when longer than [`EXCERPT_CHARS`]. Costs
/// O(window), not O(sentence): it runs for every kept mention of a possibly huge sentence.
pub fn excerpt(sentence: &str, start: usize, end: usize) -> String {
    // More than 4 bytes per allowed char means more chars than allowed; else count them.
    if sentence.len() <= EXCERPT_CHARS
        || (sentence.len() <= 4 * EXCERPT_CHARS && sentence.chars().count() <= EXCERPT_CHARS)
    {
        return sentence.to_string();
    }
    let name_chars = sentence[start..end].chars().take(EXCERPT_CHARS).count();
    let room = EXCERPT_CHARS.saturating_sub(name_chars) / 2;
    let back = |from: usize, n: usize| {
        sentence[..from]
            .char_indices()
            .rev()
            .take(n)
            .last()
            .map_or(from, |(i, _)| i)
    };
    let forward = |from: usize, n: usize| {
        sentence[from..]
            .char_indices()
            .nth(n)
            .map_or(sentence.len(), |(i, _)| from + i)
    };
    let mut bs = back(start, room);
    let mut be = forward(bs, EXCERPT_CHARS);
    if be == sentence.len() {
        bs = back(be, EXCERPT_CHARS);
        be = sentence.len();
    }
    let mut out = String::new();
    if bs > 0 {
        out.push('…');
    }
    out.push_str(sentence[bs..be].trim());
    if be < sentence.len() {
        out.push('…');
    }
    out
}

fn contains_words(hay: &str, needle: &str) -> bool {
    let h: Vec<&str> = hay
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let n: Vec<&str> = needle
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    !n.is_empty() && h.windows(n.len()).any(|w| w == n.as_slice())
}

fn is_own(own: &[String], name: &str) -> bool {
    let f = fold_str(name);
    own.iter()
        .any(|o| contains_words(o, &f) || contains_words(&f, o))
}

/// The site's own company: the first line after "… is:" in the responsible-party section (or a
/// line there with a legal form), and whoever "Betreiber dieser Website ist …" names. Also returns
/// the address lines of that section as (block index, line start), which are skipped.
fn own_company(text: &PolicyText) -> (Vec<String>, HashSet<(usize, usize)>) {
    let mut own = Vec::new();
    let mut address = HashSet::new();
    let mut after_colon = false;
    let mut first_taken = false;
    for (bi, block) in text.blocks.iter().enumerate() {
        for (s, e) in sentences(&block.text) {
            for ent in find_entities(&block.text[s..e]) {
                if ent.cue == Cue::Operator {
                    own.push(fold_str(&block.text[s + ent.start..s + ent.end]));
                }
            }
        }
        if block.kind != BlockKind::Body {
            after_colon = false;
            continue;
        }
        let responsible = is_responsible_section(block);
        let mut start = 0;
        for line in block.text.split('\n') {
            let t = line.trim();
            let short = t.chars().count() <= 80 && !t.ends_with('.');
            if after_colon && short {
                address.insert((bi, start));
                if !first_taken || has_legal_form(t) {
                    own.push(fold_str(t));
                    first_taken = true;
                }
            } else {
                after_colon = false;
            }
            // "… is:" opens the address in the responsible-party section, or anywhere when the
            // line itself names the controller ("The controller responsible … is:").
            if t.ends_with(':') && (responsible || names_responsible(t)) {
                after_colon = true;
            }
            start += line.len() + 1;
        }
    }
    own.retain(|o| !o.is_empty());
    own.sort();
    own.dedup();
    (own, address)
}

fn names_responsible(line: &str) -> bool {
    let f = fold_str(line);
    f.contains("verantwortlich")
        || RESPONSIBLE_HEADINGS.iter().any(|r| f.contains(r))
        || f.contains("responsible")
}

fn is_responsible_section(block: &Block) -> bool {
    block.section.headings.last().is_some_and(|h| {
        let f = fold_str(h);
        RESPONSIBLE_HEADINGS.iter().any(|r| f.contains(r))
    })
}
