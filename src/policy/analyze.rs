//! From policy text to declarations: catalog names, hostnames and provider entities, each with
//! its section, sentence and negation; minus the site's own company and boilerplate.

use crate::catalog::Catalog;
use crate::model::Declaration;
use crate::policy::fold::{fold, fold_str};
use crate::policy::lexicon::{word_spans, Lexicon};
use crate::policy::matcher::{find_hosts, Hit, NameMatcher};
use crate::policy::mention::is_mention;
use crate::policy::negation::is_negated;
use crate::policy::provider::{find_entities, has_legal_form, Cue};
use crate::policy::text::{sentences, Block, BlockKind, PolicyText};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Longest excerpt kept, in chars; longer sentences are cut around the name.
pub const EXCERPT_CHARS: usize = 300;

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

struct Raw {
    key: String,
    from_heading: bool,
    decl: Declaration,
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
    // Negation cues come from the sentence's language: its own when it says enough, else the
    // document's (a policy may mix languages).
    let doc_lang = crate::policy::language::detect(&text.plain());
    let mut raws: Vec<Raw> = Vec::new();
    for (bi, block) in text.blocks.iter().enumerate() {
        let from_heading = matches!(block.kind, BlockKind::Heading(_));
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
            let in_host =
                |a: usize, b: usize| hosts.iter().any(|h| a < h.span_end && h.span_start < b);
            let names: Vec<_> = matcher
                .find(sentence, &folded)
                .into_iter()
                .filter(|n| !in_host(n.start, n.end))
                .collect();
            let mut push = |name: &str,
                            key: String,
                            service: Option<String>,
                            company: Option<String>,
                            matched_as: &str,
                            negated: bool,
                            at: (usize, usize)| {
                if is_own(&own_names, name) {
                    return;
                }
                raws.push(Raw {
                    key: format!("{key}\u{0}{}\u{0}{negated}", block.section_path()),
                    from_heading,
                    decl: Declaration {
                        name: name.to_string(),
                        service,
                        company,
                        matched_as: matched_as.to_string(),
                        section: block.section_path(),
                        excerpt: excerpt(sentence, at.0, at.1),
                        negated,
                        source: block.source.clone(),
                    },
                });
            };
            let spans: Vec<(usize, usize)> = names.iter().map(|n| (n.start, n.end)).collect();
            for n in &names {
                // An advertising channel, a profile on a network, a cookie-help example.
                if !matches!(n.hit, Hit::Stop) && is_mention(sentence, n.start, &spans) {
                    continue;
                }
                let written = &sentence[n.start..n.end];
                let negated = is_negated(sentence, n.start, n.end, lang());
                match &n.hit {
                    Hit::Stop => {}
                    Hit::Service(id) => {
                        let company = catalog
                            .service(id)
                            .and_then(|s| catalog.company(&s.company))
                            .map(|c| c.name.clone());
                        push(
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
                let negated = is_negated(sentence, h.span_start, h.span_end, lang());
                let (hs, he) = host_range(sentence, h.span_start, &h.host);
                let (key, service) = if names_company_only(&h.host, &sentence[he..h.span_end]) {
                    (format!("c:{}", svc.company), None)
                } else {
                    (format!("s:{}", svc.id), Some(svc.id.clone()))
                };
                push(
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
            for ent in find_entities(sentence) {
                if ent.cue == Cue::Operator {
                    continue;
                }
                let known = names.iter().any(|n| n.start < ent.end && ent.start < n.end)
                    || hosts
                        .iter()
                        .any(|h| h.span_start < ent.end && ent.start < h.span_end);
                if known {
                    continue;
                }
                let written = &sentence[ent.start..ent.end];
                let negated = is_negated(sentence, ent.start, ent.end, lang());
                push(
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
    dedup(raws)
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
                    section: block.section_path(),
                    excerpt: excerpt(sentence, ws, we),
                    negated: is_negated(sentence, ws, we, lang.as_deref()),
                    source: block.source.clone(),
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

fn dedup(raws: Vec<Raw>) -> Vec<Declaration> {
    // key -> (first index, chosen index)
    let mut groups: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (i, r) in raws.iter().enumerate() {
        groups
            .entry(r.key.as_str())
            .and_modify(|(_, chosen)| {
                if raws[*chosen].from_heading && !r.from_heading {
                    *chosen = i;
                }
            })
            .or_insert((i, i));
    }
    let mut picked: Vec<(usize, usize)> = groups.into_values().collect();
    picked.sort();
    picked
        .into_iter()
        .map(|(_, c)| raws[c].decl.clone())
        .collect()
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

/// The byte range of `host` inside the URL span starting at `span_start`.
fn host_range(sentence: &str, span_start: usize, host: &str) -> (usize, usize) {
    let lower = sentence[span_start..].to_ascii_lowercase();
    match lower.find(host) {
        Some(i) => (span_start + i, span_start + i + host.len()),
        None => (
            span_start,
            span_start + host.len().min(sentence.len() - span_start),
        ),
    }
}

/// `sentence`, or a window of it around `start..end` when longer than [`EXCERPT_CHARS`].
pub fn excerpt(sentence: &str, start: usize, end: usize) -> String {
    let chars: Vec<usize> = sentence.char_indices().map(|(i, _)| i).collect();
    if chars.len() <= EXCERPT_CHARS {
        return sentence.to_string();
    }
    let first = chars.partition_point(|&i| i < start);
    let last = chars.partition_point(|&i| i < end);
    let room = EXCERPT_CHARS.saturating_sub(last - first) / 2;
    let to = (first.saturating_sub(room) + EXCERPT_CHARS).min(chars.len());
    let from = to.saturating_sub(EXCERPT_CHARS);
    let (bs, be) = (
        chars[from],
        chars.get(to).copied().unwrap_or(sentence.len()),
    );
    let mut out = String::new();
    if from > 0 {
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
fn own_company(text: &PolicyText) -> (Vec<String>, Vec<(usize, usize)>) {
    let mut own = Vec::new();
    let mut address = Vec::new();
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
                address.push((bi, start));
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
    block.section.last().is_some_and(|h| {
        let f = fold_str(h);
        RESPONSIBLE_HEADINGS.iter().any(|r| f.contains(r))
    })
}
