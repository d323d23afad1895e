//! Which crawled link is the privacy policy, and which well-known paths to try otherwise.
//!
//! Score of a candidate link (highest wins; ties by URL, so the choice is deterministic):
//! - anchor text: equals a strong term ("Datenschutzerklärung", "Privacy Policy") +50, contains
//!   one +40, contains a weak term ("Privacy", "DSGVO") +25;
//! - URL path: contains a strong term +20, a weak term +12 (text beats URL);
//! - spread: +20 × (pages carrying the link ÷ pages carrying the most common candidate): the footer
//!   link on every page beats a mention in one blog post;
//! - site: same host as the start URL +35, another host of a first-party domain or a policy
//!   generator's host (`data/policy/generator_hosts.toml`: iubenda, Termly, …) +30, another site
//!   −40 (a link to Google's privacy policy is not ours);
//! - settings and cookie dialogs ("Cookie-Einstellungen", "opt out") −30; a PDF −5 (prefer the
//!   HTML version when both exist).
//!
//! Links with neither a text nor a URL term are not candidates.

use crate::domain::{host_within, registrable_domain};
use crate::observe::PolicyLink;
use crate::policy::fold::fold_str;
use crate::policy::lexicon::Lexicon;
use std::collections::BTreeMap;
use url::Url;

/// A ranked candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Link target.
    pub url: Url,
    /// Anchor text.
    pub text: String,
    /// Score (see module docs).
    pub score: i32,
}

fn contains_term(hay: &str, terms: &[String]) -> bool {
    let padded = format!(" {hay} ");
    terms
        .iter()
        .any(|t| padded.contains(&format!(" {t} ")) || (t.len() >= 7 && hay.contains(t.as_str())))
}

/// Rank `links` (link → number of pages carrying it) for a site starting at `start`.
pub fn rank_links(
    links: &BTreeMap<PolicyLink, usize>,
    start: &Url,
    first_party: &[String],
) -> Vec<Candidate> {
    let terms = &Lexicon::get().link_terms;
    let start_host = start.host_str().unwrap_or("").to_ascii_lowercase();
    let start_domain = registrable_domain(&start_host);
    let max_pages = links.values().copied().max().unwrap_or(1).max(1);
    let mut out = Vec::new();
    for (link, &pages) in links {
        if !matches!(link.url.scheme(), "http" | "https") {
            continue;
        }
        let text = fold_str(&link.text);
        let path = fold_str(&link.url.path().replace(['/', '.', '_'], " "));
        let text_score = if terms.strong.contains(&text) {
            50
        } else if contains_term(&text, &terms.strong) {
            40
        } else if contains_term(&text, &terms.weak) {
            25
        } else {
            0
        };
        let url_score = if contains_term(&path, &terms.strong)
            || terms
                .strong
                .iter()
                .any(|t| path.replace(' ', "").contains(&t.replace(' ', "")))
        {
            20
        } else if contains_term(&path, &terms.weak) {
            12
        } else {
            0
        };
        if text_score + url_score == 0 {
            continue;
        }
        let host = link.url.host_str().unwrap_or("").to_ascii_lowercase();
        let site = if host == start_host {
            35
        } else if host_within(&host, &start_domain)
            || first_party.iter().any(|d| host_within(&host, d))
            || crate::policy::rendered::generator_of(&link.url).is_some()
        {
            30
        } else {
            -40
        };
        let penalty =
            if contains_term(&text, &terms.penalty) || contains_term(&path, &terms.penalty) {
                -30
            } else {
                0
            };
        let pdf = if link.url.path().to_ascii_lowercase().ends_with(".pdf") {
            -5
        } else {
            0
        };
        let spread = (20 * pages / max_pages) as i32;
        out.push(Candidate {
            url: link.url.clone(),
            text: link.text.clone(),
            score: text_score + url_score + spread + site + penalty + pdf,
        });
    }
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.url.as_str().cmp(b.url.as_str()))
    });
    // One entry per URL (the same URL under several anchor texts), best first.
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|c| seen.insert(c.url.to_string()));
    out
}

/// Well-known policy URLs on the start host, in the order to try them.
pub fn well_known_urls(start: &Url) -> Vec<Url> {
    Lexicon::get()
        .well_known_paths
        .iter()
        .filter_map(|p| start.join(p).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(url: &str, text: &str) -> PolicyLink {
        PolicyLink {
            url: Url::parse(url).unwrap(),
            text: text.into(),
        }
    }

    #[test]
    fn prefers_same_site_footer_link_by_text() {
        let start = Url::parse("https://www.example.de/").unwrap();
        let mut links = BTreeMap::new();
        links.insert(
            link("https://www.example.de/datenschutz", "Datenschutz"),
            40,
        );
        links.insert(link("https://www.example.de/blog/privacy-tips", "Tips"), 1);
        links.insert(
            link(
                "https://policies.google.com/privacy",
                "Google Privacy Policy",
            ),
            40,
        );
        links.insert(
            link(
                "https://www.example.de/cookie-einstellungen",
                "Datenschutz-Einstellungen",
            ),
            40,
        );
        links.insert(
            link("https://shop.example.de/legal/dse", "Datenschutzerklärung"),
            3,
        );
        let ranked = rank_links(&links, &start, &["example.de".into()]);
        let urls: Vec<&str> = ranked.iter().map(|c| c.url.as_str()).collect();
        assert_eq!(urls[0], "https://www.example.de/datenschutz");
        assert_eq!(urls[1], "https://shop.example.de/legal/dse");
        assert_eq!(*urls.last().unwrap(), "https://policies.google.com/privacy");
        assert_eq!(ranked.len(), 5);
    }

    #[test]
    fn a_policy_generators_host_is_not_another_site() {
        let start = Url::parse("https://www.example.it/").unwrap();
        let mut links = BTreeMap::new();
        links.insert(
            link(
                "https://www.iubenda.com/privacy-policy/123",
                "Privacy Policy",
            ),
            10,
        );
        links.insert(
            link(
                "https://policies.google.com/privacy",
                "Google Privacy Policy",
            ),
            10,
        );
        let ranked = rank_links(&links, &start, &["example.it".into()]);
        assert_eq!(
            ranked[0].url.as_str(),
            "https://www.iubenda.com/privacy-policy/123"
        );
        assert!(ranked[0].score - ranked[1].score >= 60, "{ranked:?}");
    }

    #[test]
    fn well_known_paths_on_start_host() {
        let urls = well_known_urls(&Url::parse("https://example.com/some/page").unwrap());
        assert_eq!(urls[0].as_str(), "https://example.com/privacy");
        assert!(urls
            .iter()
            .any(|u| u.as_str() == "https://example.com/datenschutzerklaerung"));
    }
}
