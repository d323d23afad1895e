//! Attribution: the observations in, an [`Inventory`] out — the observed lists with their
//! `service`/`company` filled in, and the services observed. The observations are not changed, so
//! the stage can be rerun (with another catalog) on the same input.
//!
//! Order matters and is fixed: hosts (third parties, script URLs), then first-party path markers,
//! then inline-script signatures, then cookies. Later steps use what earlier ones found to choose
//! between services that share a signature or cookie pattern (`_pk_id.*` is Matomo Cloud's when
//! `cdn.matomo.cloud` was seen, the self-hosted Matomo's otherwise).

use super::{Catalog, Service};
use crate::domain::{host_within, normalize_host, FirstParty};
use crate::model::{
    Cookie, EvidenceStrength, InfrastructureProvider, Mode, Page, Party, Script, ServiceUse,
    StorageEntry, ThirdParty,
};
use crate::observe::Observations;
use std::collections::{BTreeMap, BTreeSet};
use url::Url;

/// What the site uses, attributed to catalog services: everything the reconcile stage compares
/// with the policy, and the report's inventory sections.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// How the pages were fetched.
    pub mode: Mode,
    /// Registrable domains treated as first party (the scan's, plus the catalog's).
    pub first_party_domains: Vec<String>,
    /// Every page fetched, sorted by URL.
    pub pages: Vec<Page>,
    /// Every cookie, with `service` (and `party` for catalog first-party domains) filled in.
    pub cookies: Vec<Cookie>,
    /// Third-party hosts, with `service`/`company` filled in; catalog first-party hosts removed.
    pub third_parties: Vec<ThirdParty>,
    /// Every script, with `service` filled in.
    pub scripts: Vec<Script>,
    /// Browser mode: Web Storage and IndexedDB entries.
    pub storage: Vec<StorageEntry>,
    /// The catalog services observed, sorted by id.
    pub services: Vec<ServiceUse>,
    /// Who hosts, fronts and mails for the site, from first-party response headers and DNS
    /// ([`super::infrastructure::attribute`]), sorted by (role, service, company).
    pub infrastructure: Vec<InfrastructureProvider>,
    /// The start host: header and CNAME evidence is about it.
    pub site_host: String,
    /// DNS look-ups were switched off (`--no-dns`): a hoster the policy names cannot be checked.
    pub dns_off: bool,
}

/// What was seen of one service.
#[derive(Default)]
struct Usage {
    /// Sorted and deduplicated at the end: a Vec is much cheaper than a set for many hosts.
    hosts: Vec<String>,
    cookies: BTreeSet<String>,
    pages: BTreeSet<String>,
    matched_by: BTreeSet<&'static str>,
    /// Seen on a third-party host (then it is never "first party").
    third_party: bool,
    /// Seen by a path marker on a first-party host.
    self_hosted: bool,
    /// Strongest evidence so far (see [`EvidenceStrength`]).
    strength: EvidenceStrength,
}

impl Usage {
    fn evidence(&mut self, s: EvidenceStrength) -> &mut Self {
        self.strength = self.strength.max(s);
        self
    }
}

#[derive(Default)]
struct Uses<'c>(BTreeMap<&'c str, (&'c Service, Usage)>);

impl<'c> Uses<'c> {
    fn get(&mut self, s: &'c Service, how: &'static str) -> &mut Usage {
        let u = &mut self
            .0
            .entry(s.id.as_str())
            .or_insert_with(|| (s, Usage::default()))
            .1;
        u.matched_by.insert(how);
        u
    }

    fn seen(&self, id: &str) -> bool {
        self.0.contains_key(id)
    }
}

/// The inventory of `obs`: its lists with `service`/`company` filled in, and the services observed,
/// sorted by id.
///
/// Domains a user catalog marks as first party join `first_party_domains`; hosts under them leave
/// `third_parties`, and their cookies and scripts become first party. Self-hosted tools (found by a
/// path marker on a first-party URL, or services with no hosts at all) are listed with
/// `first_party: true` and never appear as third parties.
pub fn attribute(obs: &Observations, catalog: &Catalog) -> Inventory {
    let mut first_party_domains = obs.first_party_domains.clone();
    if !catalog.first_party_domains().is_empty() {
        first_party_domains.extend(catalog.first_party_domains().iter().cloned());
        first_party_domains.sort();
        first_party_domains.dedup();
    }
    let first_party = FirstParty::new(first_party_domains.iter().cloned());
    // Third-party hosts are lowercase already (report contract): skip FirstParty's allocation.
    let mut third_parties: Vec<ThirdParty> = obs
        .third_parties
        .iter()
        .filter(|t| {
            !first_party
                .domains()
                .iter()
                .any(|d| host_within(&t.host, d))
        })
        .cloned()
        .collect();
    let mut scripts = obs.scripts.clone();
    let mut cookies = obs.cookies.clone();

    let mut uses = Uses::default();
    attribute_hosts(&mut third_parties, catalog, &mut uses);
    attribute_scripts(&mut scripts, catalog, &first_party, &mut uses);
    for r in &obs.first_party_resources {
        if let Some(s) = Url::parse(r).ok().and_then(|u| catalog.lookup_path(&u)) {
            uses.get(s, "path")
                .evidence(EvidenceStrength::Script)
                .self_hosted = true;
        }
    }
    inline_scripts(&mut scripts, &obs.inline_scripts, catalog, &mut uses);
    attribute_cookies(&mut cookies, catalog, &first_party, &mut uses);

    Inventory {
        mode: obs.mode,
        first_party_domains,
        pages: obs.pages.clone(),
        cookies,
        third_parties,
        scripts,
        storage: obs.storage.clone(),
        services: services(uses, catalog),
        infrastructure: super::infrastructure::attribute(
            &obs.dns.host,
            &obs.response_headers,
            &obs.dns,
            |id| {
                catalog
                    .company(id)
                    .map_or_else(|| id.to_string(), |c| c.name.clone())
            },
        ),
        site_host: obs.dns.host.clone(),
        dns_off: obs.dns.off,
    }
}

/// The services observed, sorted by id (the map's order).
fn services(uses: Uses<'_>, catalog: &Catalog) -> Vec<ServiceUse> {
    uses.0
        .into_values()
        .map(|(s, u)| ServiceUse {
            id: s.id.clone(),
            name: s.name.clone(),
            company: catalog
                .company_of(s)
                .map_or_else(|| s.company.clone(), |c| c.name.clone()),
            categories: s.categories.clone(),
            hosts: {
                let mut h = u.hosts;
                h.sort_unstable();
                h.dedup();
                h
            },
            cookies: u.cookies.into_iter().collect(),
            pages: u.pages.into_iter().collect(),
            first_party: !u.third_party && (u.self_hosted || s.hosts.is_empty()),
            matched_by: u.matched_by.into_iter().map(String::from).collect(),
            evidence_strength: Some(u.strength),
        })
        .collect()
}

fn attribute_hosts<'c>(
    third_parties: &mut [ThirdParty],
    catalog: &'c Catalog,
    uses: &mut Uses<'c>,
) {
    for t in third_parties {
        t.service = None;
        t.company = None;
        if t.registrable_domain.is_empty() {
            t.registrable_domain = crate::domain::registrable_domain(&t.host);
        }
        let host = normalize_if_needed(&t.host);
        let Some((_, owners)) = catalog.index.host(&host) else {
            // Company-level fallback: a parent domain only one company's hosts share.
            if let Some((_, c)) = catalog.index.company(&host) {
                t.company = Some(catalog.companies[c as usize].name.clone());
            }
            continue;
        };
        let mut service = &catalog.services[owners[0] as usize];
        if owners.len() > 1 {
            // A shared host (www.google.com) is decided by a path marker or signature in a sample URL.
            if let Some(s) = t
                .sample_urls
                .iter()
                .filter_map(|u| Url::parse(u).ok())
                .filter_map(|u| catalog.lookup_url(&u))
                .find(|s| s.id != service.id)
            {
                service = s;
            }
        }
        t.service = Some(service.id.clone());
        t.company = catalog.company_of(service).map(|c| c.name.clone());
        // A link or meta refresh to it: named for the reader, but no use of the service.
        if t.navigation_only() {
            continue;
        }
        let u = uses
            .get(service, "host")
            .evidence(EvidenceStrength::Request);
        u.third_party = true;
        u.hosts.push(t.host.clone());
        add_pages(&mut u.pages, &t.pages);
    }
}

fn normalize_if_needed(host: &str) -> std::borrow::Cow<'_, str> {
    if host.bytes().any(|b| b.is_ascii_uppercase()) || host.ends_with('.') {
        std::borrow::Cow::Owned(normalize_host(host))
    } else {
        std::borrow::Cow::Borrowed(host)
    }
}

fn attribute_scripts<'c>(
    scripts: &mut [Script],
    catalog: &'c Catalog,
    fp: &FirstParty,
    uses: &mut Uses<'c>,
) {
    for s in scripts {
        let Some(url) = s.src.as_deref().and_then(|u| Url::parse(u).ok()) else {
            continue;
        };
        let Some(host) = url.host_str().map(normalize_host) else {
            continue;
        };
        if fp.contains(&host) {
            s.party = Party::First;
            s.service = None;
            if let Some(svc) = catalog.lookup_path(&url) {
                s.service = Some(svc.id.clone());
                let u = uses.get(svc, "path").evidence(EvidenceStrength::Script);
                u.self_hosted = true;
                add_pages(&mut u.pages, &s.pages);
            }
        } else if let Some(svc) = catalog.lookup_url(&url) {
            s.service = Some(svc.id.clone());
            let u = uses.get(svc, "host").evidence(EvidenceStrength::Script);
            u.third_party = true;
            u.hosts.push(host);
            add_pages(&mut u.pages, &s.pages);
        }
    }
}

fn inline_scripts<'c>(
    scripts: &mut [Script],
    bodies: &BTreeMap<String, String>,
    catalog: &'c Catalog,
    uses: &mut Uses<'c>,
) {
    for s in scripts {
        if s.src.is_some() {
            continue;
        }
        let Some(text) = s.inline_sha256.as_ref().and_then(|h| bodies.get(h)) else {
            continue;
        };
        let picked = pick_by_signature(catalog, text, uses);
        s.service = picked.first().map(|p| p.id.clone());
        for svc in picked {
            let u = uses
                .get(svc, "signature")
                .evidence(EvidenceStrength::Script);
            add_pages(&mut u.pages, &s.pages);
        }
    }
}

/// Services a script text names. A signature several services share (`_paq.push`) goes to one of
/// them: one that also matched a signature of its own here, else one already seen, else the first
/// by id. The service already seen (else the first by id) comes first.
fn pick_by_signature<'c>(catalog: &'c Catalog, text: &str, uses: &Uses<'c>) -> Vec<&'c Service> {
    let matches = catalog.script_matches(text);
    let mut owners: BTreeMap<&str, Vec<&'c Service>> = BTreeMap::new();
    for (svc, sig) in &matches {
        owners.entry(sig).or_default().push(svc);
    }
    let mut picked: Vec<&'c Service> = owners
        .values()
        .filter(|o| o.len() == 1)
        .map(|o| o[0])
        .collect();
    for o in owners.values().filter(|o| o.len() > 1) {
        if o.iter().any(|s| picked.iter().any(|p| p.id == s.id)) {
            continue;
        }
        let choice = o.iter().find(|s| uses.seen(&s.id)).unwrap_or(&o[0]);
        picked.push(choice);
    }
    picked.sort_by(|a, b| (!uses.seen(&a.id), &a.id).cmp(&(!uses.seen(&b.id), &b.id)));
    picked.dedup_by(|a, b| a.id == b.id);
    picked
}

/// Cookies: a third-party cookie belongs to the service of the response that set it (browser
/// mode knows it; a shared domain's URL rules decide, so `fr` set by `facebook.com/tr` is the
/// Meta Pixel's), else to its domain's service — unless that service was not seen otherwise and
/// a service of the same company was, which then explains it (`bcookie` on `.linkedin.com` next
/// to the LinkedIn Insight Tag is the tag's, not "LinkedIn Plugins"). Otherwise, and for
/// first-party cookies, the cookie name decides: weak evidence, anything can write `_ga`.
fn attribute_cookies<'c>(
    cookies: &mut [Cookie],
    catalog: &'c Catalog,
    fp: &FirstParty,
    uses: &mut Uses<'c>,
) {
    for c in cookies {
        let domain = normalize_host(c.domain.trim_start_matches('.'));
        let first = fp.contains(&domain);
        if first {
            c.party = Party::First;
        }
        let by_host = if first {
            None
        } else {
            setter_service(catalog, c.setter_url.as_deref(), &domain, fp)
                .or_else(|| domain_service(catalog, &domain, &c.name, uses))
        };
        let svc = by_host.or_else(|| pick_cookie(catalog, &c.name, first, uses));
        c.service = svc.map(|s| s.id.clone());
        if let Some(svc) = svc {
            let strength = if by_host.is_some() {
                EvidenceStrength::Request
            } else {
                EvidenceStrength::CookieNameOnly
            };
            let u = uses.get(svc, "cookie").evidence(strength);
            u.cookies.insert(c.name.clone());
            add_pages(&mut u.pages, &c.pages);
            if !first {
                u.third_party = true;
                if by_host.is_some() {
                    u.hosts.push(domain);
                }
            }
        }
    }
}

/// The service of the third-party response that set a cookie for `domain`.
fn setter_service<'c>(
    catalog: &'c Catalog,
    setter: Option<&str>,
    domain: &str,
    fp: &FirstParty,
) -> Option<&'c Service> {
    let url = Url::parse(setter?).ok()?;
    let host = normalize_host(url.host_str()?);
    // A response can only set cookies for its own domain or a parent of it.
    if fp.contains(&host) || !host_within(&host, domain) {
        return None;
    }
    catalog.lookup_url(&url)
}

/// The service of a cookie's domain; when that service was not seen by anything else and the
/// domain is shared with another service of the same company that was seen (one with catalog
/// hosts under that domain: `px.ads.linkedin.com` under `.linkedin.com`), that one, preferring
/// one whose cookie patterns name the cookie. A domain only one service uses (`doubleclick.net`)
/// keeps its service.
fn domain_service<'c>(
    catalog: &'c Catalog,
    domain: &str,
    name: &str,
    uses: &Uses<'c>,
) -> Option<&'c Service> {
    let svc = catalog.lookup_host(domain)?;
    if uses.seen(&svc.id) {
        return Some(svc);
    }
    let siblings: Vec<&'c Service> = uses
        .0
        .values()
        .map(|(s, _)| *s)
        .filter(|s| s.company == svc.company && s.hosts.iter().any(|h| host_within(h, domain)))
        .collect();
    let names_cookie = |s: &&&'c Service| {
        catalog
            .cookie_matches(name, false)
            .iter()
            .any(|m| m.service.id == s.id)
    };
    Some(
        siblings
            .iter()
            .find(names_cookie)
            .or_else(|| siblings.first())
            .copied()
            .unwrap_or(svc),
    )
}

/// The best cookie pattern's services, preferring one already seen on the site.
fn pick_cookie<'c>(
    catalog: &'c Catalog,
    name: &str,
    first: bool,
    uses: &Uses<'c>,
) -> Option<&'c Service> {
    let ms = catalog.cookie_matches(name, first);
    let best = ms.first()?;
    ms.iter()
        .filter(|m| m.pattern == best.pattern)
        .find(|m| uses.seen(&m.service.id))
        .unwrap_or(best)
        .service
        .into()
}

/// Add pages without cloning the ones already there (most hosts of a service share pages).
fn add_pages(set: &mut BTreeSet<String>, pages: &[String]) {
    for p in pages {
        if !set.contains(p) {
            set.insert(p.clone());
        }
    }
}
