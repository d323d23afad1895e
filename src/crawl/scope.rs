//! Which URLs the crawl may fetch as pages: the start host or registrable domain, `--include`
//! and `--exclude` patterns. `--first-party` domains are first party (not third parties in the
//! report) but are only crawled when they are in scope too.

use crate::config::{ScanConfig, ScopeKind};
use crate::domain::{host_within, normalize_host, registrable_domain, FirstParty};
use regex::Regex;
use url::Url;

/// The crawl's scope, fixed after the start URL's own redirects.
#[derive(Debug, Clone)]
pub struct Scope {
    kind: ScopeKind,
    /// Hosts (host scope) or registrable domains (domain scope) that are crawled.
    roots: Vec<String>,
    /// Registrable domains of the site plus `--first-party`.
    first_party: Vec<String>,
    include: Vec<Regex>,
    exclude: Vec<Regex>,
}

impl Scope {
    /// Scope for `config.start`.
    pub fn new(config: &ScanConfig) -> Self {
        let mut s = Scope {
            kind: config.scope,
            roots: Vec::new(),
            first_party: config
                .first_party
                .iter()
                .map(|d| normalize_host(d))
                .collect(),
            include: config.include.clone(),
            exclude: config.exclude.clone(),
        };
        s.add_site_host(config.start.host_str().unwrap_or_default());
        s
    }

    /// Count `host` as the site too (the start URL redirected there, e.g. `example.com` →
    /// `www.example.com`): the user asked for this site, wherever its front door leads.
    pub fn add_site_host(&mut self, host: &str) {
        let host = normalize_host(host);
        let root = match self.kind {
            ScopeKind::Host => host.clone(),
            ScopeKind::Domain => registrable_domain(&host),
        };
        if !self.roots.contains(&root) {
            self.roots.push(root);
        }
        let reg = registrable_domain(&host);
        if !self.first_party.contains(&reg) {
            self.first_party.push(reg);
        }
    }

    /// Whether `host` belongs to the crawled site (before include/exclude).
    pub fn host_in_scope(&self, host: &str) -> bool {
        let host = normalize_host(host);
        match self.kind {
            ScopeKind::Host => self.roots.contains(&host),
            ScopeKind::Domain => self.roots.iter().any(|r| host_within(&host, r)),
        }
    }

    /// Whether `url` may be crawled as a page. `--include` does not apply to the start URL.
    pub fn allows(&self, url: &Url) -> bool {
        if !matches!(url.scheme(), "http" | "https") {
            return false;
        }
        let Some(host) = url.host_str() else {
            return false;
        };
        if !self.host_in_scope(host) {
            return false;
        }
        self.patterns_allow(url.as_str())
    }

    /// `--include` (any must match, when given) and `--exclude` (none may match).
    pub fn patterns_allow(&self, url: &str) -> bool {
        (self.include.is_empty() || self.include.iter().any(|r| r.is_match(url)))
            && !self.exclude.iter().any(|r| r.is_match(url))
    }

    /// Redirects of a page may go anywhere in the site's hosts; include/exclude judge pages, not
    /// redirect hops.
    pub fn allows_redirect(&self, url: &Url) -> bool {
        url.host_str().is_some_and(|h| self.host_in_scope(h))
    }

    /// The first-party registrable domains (site, start redirects, `--first-party`).
    pub fn first_party(&self) -> FirstParty {
        FirstParty::new(self.first_party.iter().cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(start: &str, kind: ScopeKind) -> ScanConfig {
        let mut c = ScanConfig::new(Url::parse(start).unwrap());
        c.scope = kind;
        c
    }

    #[test]
    fn host_and_domain_scope() {
        let s = Scope::new(&cfg("https://www.site.test/", ScopeKind::Domain));
        assert!(s.allows(&Url::parse("https://shop.site.test/x").unwrap()));
        assert!(!s.allows(&Url::parse("https://notsite.test/").unwrap()));
        let h = Scope::new(&cfg("https://www.site.test/", ScopeKind::Host));
        assert!(!h.allows(&Url::parse("https://shop.site.test/x").unwrap()));
        assert!(h.allows(&Url::parse("http://WWW.site.test/y").unwrap()));
        assert!(h.first_party().contains("cdn.site.test"));
    }
}
