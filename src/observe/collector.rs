//! Merges page records into sorted, deduplicated [`Observations`].
//!
//! Memory stays bounded by what is distinct, not by pages: page URLs are interned once and
//! shared by every cookie, host and script that lists them; per-host URL counts keep 64-bit
//! hashes, not URLs; sample URLs are capped at five per host; bodies never arrive here.
//! Everything is kept in B-trees, so the output order never depends on the crawl order or on
//! HashMap iteration.

use super::cookies::parse_set_cookie;
use super::{
    Observations, PageRecord, Phase, PolicyLink, Reference, ResourceType, ScriptRef,
    SetCookieHeader,
};
use crate::domain::{normalize_host, registrable_domain, FirstParty};
use crate::model::{Cookie, Page, ScanError, Script, StorageEntry, ThirdParty};
use crate::model::{ErrorKind, Party};
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use url::Url;

/// Most first-party resource URLs kept (for path signatures such as `/matomo.js`).
pub const MAX_FIRST_PARTY_RESOURCES: usize = 10_000;
/// Most distinct first-party response header names kept.
pub const MAX_RESPONSE_HEADERS: usize = 64;
/// Example URLs kept per third-party host.
pub const SAMPLE_URLS: usize = 5;

/// Accumulates what the crawl reports, page by page.
#[derive(Debug, Default)]
pub struct Collector {
    first_party: FirstParty,
    interned: HashSet<Arc<str>>,
    pages: BTreeMap<String, Page>,
    cookies: BTreeMap<(String, String, String), CookieAcc>,
    hosts: BTreeMap<String, HostAcc>,
    scripts: BTreeMap<(Option<String>, Option<String>), ScriptAcc>,
    inline_scripts: BTreeMap<String, String>,
    policy_links: BTreeMap<PolicyLink, BTreeSet<u64>>,
    cmp_markers: BTreeSet<String>,
    first_party_resources: BTreeSet<String>,
    errors: BTreeSet<ScanError>,
    storage: BTreeMap<(String, String, String), StorageAcc>,
    response_headers: BTreeMap<String, String>,
    google: super::google_consent::GoogleSignals,
}

#[derive(Debug)]
struct StorageAcc {
    size: Option<usize>,
    pages: BTreeSet<Arc<str>>,
    before_consent: bool,
}

#[derive(Debug)]
struct CookieAcc {
    cookie: Cookie,
    pages: BTreeSet<Arc<str>>,
    /// Every phase it was set in (`before_consent` in the report is derived from this).
    phases: BTreeSet<Phase>,
}

#[derive(Debug)]
struct HostAcc {
    registrable_domain: String,
    types: BTreeSet<ResourceType>,
    pages: BTreeSet<Arc<str>>,
    urls: HashSet<u64>,
    samples: BTreeSet<String>,
    all_gated: bool,
    loaded: bool,
    /// Phases in which something was loaded from the host (hints and gated tags do not count).
    phases: BTreeSet<Phase>,
}

#[derive(Debug)]
struct ScriptAcc {
    host: Option<String>,
    party: Party,
    pages: BTreeSet<Arc<str>>,
    all_gated: bool,
    all_noscript: bool,
}

/// A stable 64-bit hash (SipHash with fixed keys): counts distinct URLs without keeping them.
fn fingerprint(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

impl Collector {
    /// A collector for a site whose first-party registrable domains are `first_party`.
    pub fn new(first_party: FirstParty) -> Self {
        Collector {
            first_party,
            ..Default::default()
        }
    }

    fn intern(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.interned.get(s) {
            return Arc::clone(a);
        }
        let a: Arc<str> = Arc::from(s);
        self.interned.insert(Arc::clone(&a));
        a
    }

    /// Merge one page.
    pub fn add_page(&mut self, record: PageRecord) {
        let PageRecord {
            mut page,
            phase,
            set_cookies,
            cookies,
            extract,
            requests,
            errors,
            storage,
            headers,
        } = record;
        for (name, value) in headers {
            self.add_response_header(name, value);
        }
        let url = self.intern(&page.url);
        if page.title.is_none() {
            page.title = extract.as_ref().and_then(|e| e.title.clone());
        }
        match self.pages.get_mut(&page.url) {
            // The same page seen twice (another phase, a redirect target): keep one, stably.
            Some(existing) if *existing <= page => {}
            _ => {
                self.pages.insert(page.url.clone(), page);
            }
        }
        for header in &set_cookies {
            self.add_set_cookie(&url, header, phase);
        }
        for cookie in cookies {
            self.add_cookie(&url, cookie, phase);
        }
        if let Some(ex) = extract {
            for r in &ex.references {
                self.add_reference(&url, r, phase);
            }
            // Links are navigations: recorded for third parties (first-party ones return early),
            // never loaded, so they make no finding.
            for link in &ex.links {
                let nav = Reference {
                    url: link.clone(),
                    resource_type: ResourceType::Navigation,
                    loaded: false,
                    consent_gated: false,
                    noscript: false,
                };
                self.add_reference(&url, &nav, phase);
            }
            for s in ex.scripts {
                self.add_script(&url, s);
            }
            for p in ex.policy_links {
                self.policy_links
                    .entry(p)
                    .or_default()
                    .insert(fingerprint(&url));
            }
            self.cmp_markers.extend(ex.cmp_markers);
            for message in ex.warnings {
                self.errors.insert(ScanError {
                    url: url.to_string(),
                    kind: ErrorKind::Parse,
                    message,
                });
            }
        }
        for r in &requests {
            self.add_reference(&url, r, phase);
            // What the browser sent to Google's tags says which consent state they acted on.
            if !r
                .url
                .host_str()
                .is_some_and(|h| self.first_party.contains(h))
            {
                self.google.add(&r.url, phase);
            }
        }
        self.errors.extend(errors);
        for entry in storage {
            let acc = self
                .storage
                .entry((entry.origin, entry.kind, entry.name))
                .or_insert(StorageAcc {
                    size: None,
                    pages: BTreeSet::new(),
                    before_consent: false,
                });
            acc.size = acc.size.max(entry.size);
            acc.pages.insert(Arc::clone(&url));
            acc.before_consent |= phase == Phase::BeforeConsent;
        }
    }

    /// Cookies set by a subresource response (a third-party script fetched once), seen on `page`.
    pub fn add_response_cookies(
        &mut self,
        page: &Url,
        headers: Vec<SetCookieHeader>,
        phase: Phase,
    ) {
        let page = self.intern(page.as_str());
        for header in &headers {
            self.add_set_cookie(&page, header, phase);
        }
    }

    /// Cookies already parsed (browser: set by script, found in the jar), each carrying the pages
    /// it was seen on.
    pub fn add_cookies(&mut self, cookies: Vec<Cookie>, phase: Phase) {
        for mut cookie in cookies {
            let pages = std::mem::take(&mut cookie.pages);
            let Some(first) = pages.first() else { continue };
            let first = self.intern(first);
            cookie.pages = pages;
            self.add_cookie(&first, cookie, phase);
        }
    }

    /// Record a problem that belongs to no single page (robots.txt, sitemap, …).
    pub fn add_error(&mut self, error: ScanError) {
        self.errors.insert(error);
    }

    fn add_set_cookie(&mut self, page: &Arc<str>, header: &SetCookieHeader, phase: Phase) {
        let cookie = parse_set_cookie(header, &self.first_party);
        if let Some(w) = &cookie.warning {
            self.errors.insert(ScanError {
                url: header.response_url.to_string(),
                kind: ErrorKind::Cookie,
                message: format!("Set-Cookie {:?}: {w}", header.raw),
            });
        }
        self.add_cookie(page, cookie, phase);
    }

    fn add_cookie(&mut self, page: &Arc<str>, mut cookie: Cookie, phase: Phase) {
        let mut pages: BTreeSet<Arc<str>> = std::mem::take(&mut cookie.pages)
            .iter()
            .map(|p| self.intern(p))
            .collect();
        pages.insert(Arc::clone(page));
        let key = (
            cookie.name.clone(),
            cookie.domain.clone(),
            cookie.path.clone(),
        );
        match self.cookies.get_mut(&key) {
            None => {
                self.cookies.insert(
                    key,
                    CookieAcc {
                        cookie,
                        pages,
                        phases: BTreeSet::from([phase]),
                    },
                );
            }
            Some(acc) => {
                acc.pages.extend(pages);
                acc.phases.insert(phase);
                // Keep the attributes of the first setter in sort order, whatever the crawl order.
                if representative(&cookie) < representative(&acc.cookie) {
                    acc.cookie = cookie;
                }
            }
        }
    }

    fn add_reference(&mut self, page: &Arc<str>, r: &Reference, phase: Phase) {
        if !crate::domain::is_web_url(&r.url) {
            return;
        }
        let Some(host) = r.url.host_str() else { return };
        let host = normalize_host(host);
        // What a visitor's browser fetches by itself: hints, blocked tags and <noscript>
        // content (which only loads with JavaScript off) do not count.
        let loaded = r.loaded && !r.consent_gated && !r.noscript;
        if self.first_party.contains(&host) {
            let resource = !matches!(
                r.resource_type,
                ResourceType::Navigation | ResourceType::Document | ResourceType::Form
            );
            if loaded && resource && self.first_party_resources.len() < MAX_FIRST_PARTY_RESOURCES {
                self.first_party_resources.insert(r.url.to_string());
            }
            return;
        }
        let acc = self.hosts.entry(host).or_insert_with_key(|h| HostAcc {
            registrable_domain: registrable_domain(h),
            types: BTreeSet::new(),
            pages: BTreeSet::new(),
            urls: HashSet::new(),
            samples: BTreeSet::new(),
            all_gated: true,
            loaded: false,
            phases: BTreeSet::new(),
        });
        acc.types.insert(r.resource_type);
        if !acc.pages.contains(page) {
            acc.pages.insert(Arc::clone(page));
        }
        let url = r.url.as_str();
        acc.urls.insert(fingerprint(url));
        if acc.samples.len() < SAMPLE_URLS || acc.samples.last().is_some_and(|l| url < l.as_str()) {
            acc.samples.insert(url.to_string());
            if acc.samples.len() > SAMPLE_URLS {
                acc.samples.pop_last();
            }
        }
        acc.all_gated &= r.consent_gated;
        acc.loaded |= loaded;
        if loaded {
            acc.phases.insert(phase);
        }
    }

    fn add_script(&mut self, page: &Arc<str>, s: ScriptRef) {
        if s.src
            .as_ref()
            .is_some_and(|u| !crate::domain::is_web_url(u))
        {
            return;
        }
        let host = s
            .src
            .as_ref()
            .and_then(|u| u.host_str())
            .map(normalize_host);
        let party = match &host {
            Some(h) if !self.first_party.contains(h) => Party::Third,
            _ => Party::First,
        };
        if let (Some(hash), Some(text)) = (&s.inline_sha256, s.inline_text) {
            self.inline_scripts.entry(hash.clone()).or_insert(text);
        }
        let key = (s.src.map(|u| u.to_string()), s.inline_sha256);
        let acc = self.scripts.entry(key).or_insert_with(|| ScriptAcc {
            host,
            party,
            pages: BTreeSet::new(),
            all_gated: true,
            all_noscript: true,
        });
        acc.pages.insert(Arc::clone(page));
        acc.all_gated &= s.consent_gated;
        acc.all_noscript &= s.noscript;
    }

    /// Keep the smallest value per header name (deterministic whatever the page order), for a
    /// bounded number of names.
    fn add_response_header(&mut self, name: String, value: String) {
        let full = self.response_headers.len() >= MAX_RESPONSE_HEADERS;
        match self.response_headers.get_mut(&name) {
            Some(v) if *v <= value => {}
            Some(v) => *v = value,
            None if !full => {
                self.response_headers.insert(name, value);
            }
            None => {}
        }
    }

    /// Sort everything and hand over.
    pub fn finish(self) -> Observations {
        let strings = |set: BTreeSet<Arc<str>>| set.iter().map(|p| p.to_string()).collect();
        let before_consent = |phases: &BTreeSet<Phase>| phases.contains(&Phase::BeforeConsent);
        let phase_names = |phases: BTreeSet<Phase>| phases.into_iter().collect();
        let cookies = self
            .cookies
            .into_values()
            .map(|acc| Cookie {
                pages: strings(acc.pages),
                before_consent: before_consent(&acc.phases),
                phases: phase_names(acc.phases),
                ..acc.cookie
            })
            .collect();
        let third_parties = self
            .hosts
            .into_iter()
            .map(|(host, acc)| ThirdParty {
                host,
                registrable_domain: acc.registrable_domain,
                resource_types: acc.types.iter().map(|t| t.as_str().to_string()).collect(),
                pages: strings(acc.pages),
                request_count: acc.urls.len(),
                consent_gated: acc.all_gated,
                before_consent: before_consent(&acc.phases),
                phases: phase_names(acc.phases),
                loaded: acc.loaded,
                sample_urls: acc.samples.into_iter().collect(),
                ..Default::default()
            })
            .map(|mut tp| {
                // as_str order differs from enum order; the report wants names sorted.
                tp.resource_types.sort();
                tp.resource_types.dedup();
                tp
            })
            .collect();
        let scripts = self
            .scripts
            .into_iter()
            .map(|((src, inline_sha256), acc)| Script {
                src,
                inline_sha256,
                host: acc.host,
                party: acc.party,
                service: None,
                consent_gated: acc.all_gated,
                noscript: acc.all_noscript,
                pages: strings(acc.pages),
            })
            .collect();
        Observations {
            mode: crate::model::Mode::Static,
            first_party_domains: self.first_party.domains().to_vec(),
            pages: self.pages.into_values().collect(),
            cookies,
            third_parties,
            scripts,
            inline_scripts: self.inline_scripts,
            policy_links: self
                .policy_links
                .into_iter()
                .map(|(link, pages)| (link, pages.len()))
                .collect(),
            cmp_markers: self.cmp_markers,
            first_party_resources: self.first_party_resources,
            response_headers: self.response_headers,
            // Set by `scan`, whose look-ups run beside the crawl.
            dns: Default::default(),
            errors: self.errors.into_iter().collect(),
            // Set by the crawler, which alone knows whether the start URL answered.
            start_failed: false,
            consent: None,
            google_consent: self.google.finish(),
            storage: self
                .storage
                .into_iter()
                .map(|((origin, kind, name), acc)| StorageEntry {
                    origin,
                    kind,
                    name,
                    size: acc.size,
                    pages: strings(acc.pages),
                    before_consent: acc.before_consent,
                })
                .collect(),
        }
    }
}

/// Sort key choosing which occurrence of a cookie supplies its attributes.
fn representative(c: &Cookie) -> impl Ord + '_ {
    (
        c.setter_url.as_deref(),
        c.raw.as_deref(),
        c.expires.as_deref(),
        c.lifetime_seconds,
        c.set_by.as_str(),
        (c.secure, c.http_only, c.same_site.as_deref()),
    )
}

#[cfg(test)]
mod tests;
