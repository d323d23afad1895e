//! Lookup tables built once per run from the catalog: host suffixes, cookie patterns, inline-script
//! signatures, path markers, and the registrable-domain → company fallback.
//!
//! Hosts: a hash map from host suffix to services, probed from the full host down to its last label,
//! so the longest suffix wins (`maps.googleapis.com` before `googleapis.com`) with one hash per label
//! and no allocation for already-lowercase hosts.

use super::model::{Company, Service};
use aho_corasick::AhoCorasick;
use std::collections::HashMap;

/// Lookup tables over a catalog's services (indices into its sorted service list).
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    pub(crate) service_by_id: HashMap<String, u32>,
    /// [`name_key`] of every service name and alias → the first service (by id) with it.
    pub(crate) service_by_name: HashMap<String, u32>,
    pub(crate) company_by_id: HashMap<String, u32>,
    /// Host suffix → services claiming it (several only for `shared_hosts`), in id order.
    pub(crate) hosts: HashMap<Box<str>, Vec<u32>>,
    /// Every parent domain of a catalog host (two labels or more, not an ICANN public suffix) → its
    /// company, or `None` when hosts of several companies share it.
    pub(crate) company_domains: HashMap<Box<str>, Option<u32>>,
    /// Exact cookie name → services.
    pub(crate) cookie_exact: HashMap<Box<str>, Vec<u32>>,
    /// Cookie prefixes (pattern without the trailing `*`), longest first.
    pub(crate) cookie_prefixes: Vec<(Box<str>, u32)>,
    /// One automaton over every distinct signature; `signature_owners[pattern id]` are its services.
    pub(crate) signatures: Option<AhoCorasick>,
    pub(crate) signature_texts: Vec<String>,
    pub(crate) signature_owners: Vec<Vec<u32>>,
    /// Path markers and their service, longest first.
    pub(crate) paths: Vec<(String, u32)>,
}

impl Index {
    /// Build the tables. `services` and `companies` are sorted by id.
    pub(crate) fn build(services: &[Service], companies: &[Company]) -> Index {
        let mut ix = Index::default();
        for (i, c) in companies.iter().enumerate() {
            ix.company_by_id.insert(c.id.clone(), i as u32);
        }
        let mut signature_ids: HashMap<&str, usize> = HashMap::new();
        for (i, s) in services.iter().enumerate() {
            let i = i as u32;
            ix.service_by_id.insert(s.id.clone(), i);
            for n in std::iter::once(&s.name).chain(&s.aliases) {
                ix.service_by_name.entry(name_key(n)).or_insert(i);
            }
            let company = ix.company_by_id.get(&s.company).copied();
            for h in &s.hosts {
                let owners = ix.hosts.entry(h.as_str().into()).or_default();
                if !owners.contains(&i) {
                    owners.push(i);
                }
                for d in company_keys(h) {
                    ix.company_domains
                        .entry(d.into())
                        .and_modify(|c| {
                            if *c != company {
                                *c = None;
                            }
                        })
                        .or_insert(company);
                }
            }
            for c in &s.cookies {
                match c.strip_suffix('*') {
                    Some(prefix) => ix.cookie_prefixes.push((prefix.into(), i)),
                    None => ix
                        .cookie_exact
                        .entry(c.as_str().into())
                        .or_default()
                        .push(i),
                }
            }
            for sig in &s.signatures {
                let next = signature_ids.len();
                let id = *signature_ids.entry(sig.as_str()).or_insert(next);
                if id == ix.signature_owners.len() {
                    ix.signature_texts.push(sig.clone());
                    ix.signature_owners.push(Vec::new());
                }
                if !ix.signature_owners[id].contains(&i) {
                    ix.signature_owners[id].push(i);
                }
            }
            for p in &s.paths {
                ix.paths.push((p.clone(), i));
            }
        }
        // Longest first; ties by service order so the result never depends on insertion order.
        ix.cookie_prefixes.sort_by(|a, b| {
            b.0.len()
                .cmp(&a.0.len())
                .then(a.0.cmp(&b.0))
                .then(a.1.cmp(&b.1))
        });
        ix.paths.sort_by(|a, b| {
            b.0.len()
                .cmp(&a.0.len())
                .then(a.0.cmp(&b.0))
                .then(a.1.cmp(&b.1))
        });
        if !ix.signature_texts.is_empty() {
            // Standard semantics: overlapping iteration reports every signature that occurs.
            ix.signatures = AhoCorasick::new(&ix.signature_texts).ok();
        }
        ix
    }

    /// Services claiming the longest matching suffix of `host` (already lowercase), and that suffix
    /// (borrowed from the index, so no allocation).
    pub(crate) fn host(&self, host: &str) -> Option<(&str, &[u32])> {
        let mut s = host;
        loop {
            if let Some((k, v)) = self.hosts.get_key_value(s) {
                return Some((k, v));
            }
            match s.find('.') {
                Some(i) => s = &s[i + 1..],
                None => return None,
            }
        }
    }

    /// The company owning the longest parent domain of `host` that catalog hosts share, and that domain.
    /// `None` when no catalog host shares a parent domain with it, or several companies do.
    pub(crate) fn company<'h>(&self, host: &'h str) -> Option<(&'h str, u32)> {
        let mut s = host;
        loop {
            if let Some(c) = self.company_domains.get(s) {
                return c.map(|c| (s, c));
            }
            match s.find('.') {
                Some(i) => s = &s[i + 1..],
                None => return None,
            }
        }
    }

    /// Cookie patterns matching `name`: exact names first, then prefixes from longest to shortest.
    pub(crate) fn cookie(&self, name: &str) -> Vec<(String, u32)> {
        let mut out = Vec::new();
        if let Some(v) = self.cookie_exact.get(name) {
            out.extend(v.iter().map(|&i| (name.to_string(), i)));
        }
        for (prefix, i) in &self.cookie_prefixes {
            if name.starts_with(&**prefix) {
                out.push((format!("{prefix}*"), *i));
            }
        }
        out
    }

    /// Every (signature, service) occurring in `text`, sorted by service then signature.
    pub(crate) fn script(&self, text: &str) -> Vec<(u32, &str)> {
        let Some(ac) = &self.signatures else {
            return Vec::new();
        };
        let mut seen = vec![false; self.signature_texts.len()];
        for m in ac.find_overlapping_iter(text) {
            seen[m.pattern().as_usize()] = true;
        }
        let mut out: Vec<(u32, &str)> = Vec::new();
        for (pid, hit) in seen.iter().enumerate() {
            if *hit {
                for &svc in &self.signature_owners[pid] {
                    out.push((svc, self.signature_texts[pid].as_str()));
                }
            }
        }
        out.sort();
        out
    }

    /// Path markers found in a URL path, longest marker first.
    pub(crate) fn path(&self, path: &str) -> Vec<(&str, u32)> {
        self.paths
            .iter()
            .filter(|(marker, _)| path_has_marker(path, marker))
            .map(|(m, i)| (m.as_str(), *i))
            .collect()
    }
}

/// A name as labels write it, compared loosely: lowercase, runs of whitespace as one space
/// ("Google  analytics" is "google analytics"). Deliberately simpler than the policy matcher's
/// folding: consent-manager labels are names, not prose.
pub(crate) fn name_key(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// `host` and its parent domains that may stand for one company: two labels or more, and not an
/// ICANN public suffix (`co.uk`). Private-section suffixes stay: the PSL lists `googleapis.com` and
/// `cloudfront.net` as suffixes, yet everything under them is run by one company.
fn company_keys(host: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut s = host;
    while s.contains('.') {
        let icann_suffix = psl::suffix(s.as_bytes())
            .is_some_and(|x| x.as_bytes() == s.as_bytes() && x.typ() == Some(psl::Type::Icann));
        if icann_suffix {
            break;
        }
        out.push(s);
        match s.find('.') {
            Some(i) => s = &s[i + 1..],
            None => break,
        }
    }
    out
}

/// A marker ending in `/` names a directory and may occur anywhere in the path; any other marker names
/// a file or endpoint and must end the path or a path segment (`/matomo.js` but not `/matomo.json`).
pub(crate) fn path_has_marker(path: &str, marker: &str) -> bool {
    if marker.ends_with('/') {
        return path.contains(marker);
    }
    path.match_indices(marker).any(|(at, m)| {
        let rest = &path[at + m.len()..];
        rest.is_empty() || rest.starts_with('/')
    })
}

#[cfg(test)]
mod tests {
    use super::path_has_marker;

    #[test]
    fn company_keys_stop_at_icann_suffixes_only() {
        assert_eq!(
            super::company_keys("maps.googleapis.com"),
            ["maps.googleapis.com", "googleapis.com"]
        );
        assert_eq!(
            super::company_keys("www.bbc.co.uk"),
            ["www.bbc.co.uk", "bbc.co.uk"]
        );
        assert_eq!(super::company_keys("cloudfront.net"), ["cloudfront.net"]);
    }

    #[test]
    fn service_names_ignore_case_and_spacing_but_not_companies() {
        let c = crate::catalog::Catalog::builtin().unwrap();
        let id = |n: &str| c.service_named(n).map(|s| s.id.as_str());
        assert_eq!(id("google  ANALYTICS"), Some("google-analytics"));
        assert_eq!(id("ga4"), Some("google-analytics"));
        assert_eq!(id("Google Ireland Limited"), None);
        assert_eq!(id("No Such Widget"), None);
    }

    #[test]
    fn path_markers_respect_segment_ends() {
        assert!(path_has_marker("/stats/matomo.js", "/matomo.js"));
        assert!(!path_has_marker("/stats/matomo.json", "/matomo.js"));
        assert!(path_has_marker(
            "/wp-content/plugins/borlabs-cookie/js/x.js",
            "/wp-content/plugins/borlabs-cookie/"
        ));
        assert!(!path_has_marker(
            "/wp-content/plugins/other/",
            "/wp-content/plugins/borlabs-cookie/"
        ));
    }
}
