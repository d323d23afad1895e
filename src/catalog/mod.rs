//! The service catalog: which company runs which host, cookie and script, as data files under
//! `data/catalog/` embedded at compile time, extended by `--catalog FILE`.
//!
//! Data format (TOML), one file per group of services:
//! ```toml
//! [[company]]
//! id = "google"                      # referenced by services
//! name = "Google Ireland Limited"    # the legal entity a policy would name
//! parent = "Alphabet Inc."
//! country = "IE"
//! aliases = ["Google", "Google LLC", "Alphabet"]
//!
//! [[service]]
//! id = "google-analytics"
//! name = "Google Analytics"
//! company = "google"
//! categories = ["analytics"]
//! hosts = ["google-analytics.com", "analytics.google.com"]   # host suffixes
//! cookies = ["_ga", "_ga_*", "_gid"]                          # exact or trailing-* prefix
//! signatures = ["gtag(", "ga('create'"]                        # inline script substrings
//! paths = []                                                  # first-party URL path markers
//! urls = []                     # on shared hosts: host + path prefix, e.g. "facebook.com/tr"
//! aliases = ["GA4", "Universal Analytics"]                    # names a policy may use (any language)
//! family = "google-marketing-platform"                        # optional product family id
//! shared_hosts = false                                        # hosts may be claimed by another service
//! ```
//!
//! User catalogs (`--catalog FILE`) use the same format plus `[[first_party]] domain = "cdn.example.net"`
//! entries. They are merged over the built-in entries by id (a service or company with a known id
//! replaces it, a new id adds one); a host a user service claims is taken away from the built-in
//! service that claimed it, so a user can re-attribute a host without copying the whole entry.
//!
//! Attribution of a host (see [`Catalog::attribute_host`]):
//! 1. longest host-suffix match → service (and its company);
//! 2. else, when the host shares a parent domain with catalog hosts of one company only → that
//!    company, but no service: an unknown subdomain of `googleapis.com` is surely Google's, but
//!    guessing *which* Google product would put a wrong name in a compliance report. Parent domains
//!    stop at ICANN public suffixes but not at private ones: the PSL makes `googleapis.com` a suffix,
//!    so the registrable domain alone would miss exactly these hosts;
//! 3. else unattributed, with the registrable domain kept for the report.

mod attribute;
pub mod import;
mod index;
pub mod infrastructure;
mod load;
mod model;
mod raw;
mod validate;

pub use attribute::{attribute, Inventory};
pub use load::{check_builtin, check_file, unsourced_entries, BUILTIN_FILES};
pub use model::{categories, is_category, Category, Company, Service, CATEGORIES_TOML};
pub use raw::{CatalogErrors, CatalogIssue};
pub use validate::{host_problem, is_kebab};

use crate::domain::{host_within, normalize_host, registrable_domain};
pub(crate) use index::name_key;
use index::Index;
use std::borrow::Cow;

/// What a name found in a policy points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameTarget {
    /// A service id.
    Service(String),
    /// A company id.
    Company(String),
}

/// How a host was attributed, and why.
#[derive(Debug, Clone, PartialEq)]
pub enum HostAttribution<'a> {
    /// A catalog host suffix matched.
    Service {
        /// The service.
        service: &'a Service,
        /// Its company (absent only in a catalog built from parts without it).
        company: Option<&'a Company>,
        /// The catalog host suffix that matched.
        suffix: &'a str,
    },
    /// No suffix matched, but a parent domain belongs to one company in the catalog.
    Company {
        /// The company.
        company: &'a Company,
        /// The parent domain shared with that company's catalog hosts.
        domain: String,
        /// Registrable domain of the host (public suffix list).
        registrable_domain: String,
    },
    /// Nothing known.
    Unattributed {
        /// Registrable domain of the host (public suffix list).
        registrable_domain: String,
    },
}

/// A cookie-name pattern that matched.
#[derive(Debug, Clone, PartialEq)]
pub struct CookieMatch<'a> {
    /// The service.
    pub service: &'a Service,
    /// The catalog pattern (`_ga` or `_ga_*`).
    pub pattern: String,
}

/// The loaded catalog: data plus lookup tables, built once per run.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    services: Vec<Service>,
    companies: Vec<Company>,
    first_party: Vec<String>,
    index: Index,
}

impl Catalog {
    /// The built-in catalog merged with user files (later files override earlier entries by id).
    ///
    /// The error lists every problem with file, line and field, one per line.
    pub fn load(user_files: &[std::path::PathBuf]) -> Result<Catalog, String> {
        load::load(user_files).map_err(|e| e.to_string())
    }

    /// The built-in catalog alone.
    pub fn builtin() -> Result<Catalog, CatalogErrors> {
        load::load(&[])
    }

    /// A catalog from these files alone, without the built-in data (each file its own layer, later
    /// files override earlier ones by id). For tests and for users who want only their own catalog.
    pub fn from_files(files: &[std::path::PathBuf]) -> Result<Catalog, CatalogErrors> {
        load::load_files_only(files)
    }

    /// A catalog from parts (tests, user files); sorts by id.
    pub fn from_parts(mut services: Vec<Service>, mut companies: Vec<Company>) -> Catalog {
        services.sort_by(|a, b| a.id.cmp(&b.id));
        companies.sort_by(|a, b| a.id.cmp(&b.id));
        let index = Index::build(&services, &companies);
        Catalog {
            services,
            companies,
            first_party: Vec::new(),
            index,
        }
    }

    /// The same catalog with extra domains treated as the site's own (lowercased, sorted, deduplicated).
    pub fn with_first_party<I: IntoIterator<Item = String>>(mut self, domains: I) -> Catalog {
        self.first_party
            .extend(domains.into_iter().map(|d| normalize_host(&d)));
        self.first_party.sort();
        self.first_party.dedup();
        self
    }

    /// All services, sorted by id.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// All companies, sorted by id.
    pub fn companies(&self) -> &[Company] {
        &self.companies
    }

    /// Domains a user catalog marked as first party, sorted.
    pub fn first_party_domains(&self) -> &[String] {
        &self.first_party
    }

    /// Whether `host` is within a domain a user catalog marked as first party.
    pub fn is_marked_first_party(&self, host: &str) -> bool {
        let host = normalize_host(host);
        self.first_party.iter().any(|d| host_within(&host, d))
    }

    /// Service by id.
    pub fn service(&self, id: &str) -> Option<&Service> {
        self.index
            .service_by_id
            .get(id)
            .map(|&i| &self.services[i as usize])
    }

    /// Company by id.
    pub fn company(&self, id: &str) -> Option<&Company> {
        self.index
            .company_by_id
            .get(id)
            .map(|&i| &self.companies[i as usize])
    }

    /// The service whose display name or alias is `name`, ignoring case and runs of whitespace
    /// (a consent manager's label); when several share it, the first by id. A hash lookup, so
    /// callers may ask once per label.
    pub fn service_named(&self, name: &str) -> Option<&Service> {
        self.index
            .service_by_name
            .get(&index::name_key(name))
            .map(|&i| &self.services[i as usize])
    }

    /// The company that runs `service`.
    pub fn company_of(&self, service: &Service) -> Option<&Company> {
        self.company(&service.company)
    }

    /// Longest host-suffix match; for a shared host, the first service by id.
    pub fn lookup_host(&self, host: &str) -> Option<&Service> {
        let host = lower(host);
        self.index
            .host(&host)
            .map(|(_, v)| &self.services[v[0] as usize])
    }

    /// Every service claiming the longest matching suffix of `host` (several only for shared hosts).
    pub fn lookup_host_all(&self, host: &str) -> Vec<&Service> {
        let host = lower(host);
        match self.index.host(&host) {
            Some((_, v)) => v.iter().map(|&i| &self.services[i as usize]).collect(),
            None => Vec::new(),
        }
    }

    /// Host → service (longest suffix), else company (shared parent domain), else unattributed.
    pub fn attribute_host(&self, host: &str) -> HostAttribution<'_> {
        let host = lower(host);
        if let Some((suffix, v)) = self.index.host(&host) {
            let service = &self.services[v[0] as usize];
            return HostAttribution::Service {
                service,
                company: self.company_of(service),
                suffix,
            };
        }
        let registrable_domain = registrable_domain(&host);
        if let Some((domain, c)) = self.index.company(&host) {
            return HostAttribution::Company {
                company: &self.companies[c as usize],
                domain: domain.to_string(),
                registrable_domain,
            };
        }
        HostAttribution::Unattributed { registrable_domain }
    }

    /// A URL: its host's service. On a shared host, the sharing service whose URL rule matches
    /// (`facebook.com/tr`), else whose path marker the URL has (`/recaptcha/`), else whose
    /// signature the URL contains (`google.com/maps/embed`), else the first by id.
    pub fn lookup_url(&self, url: &url::Url) -> Option<&Service> {
        let host = url.host_str()?;
        let candidates = self.lookup_host_all(host);
        if candidates.len() > 1 {
            let host = lower(host);
            if let Some(s) = candidates.iter().find(|c| {
                c.urls
                    .iter()
                    .any(|rule| url_rule_matches(rule, &host, url.path()))
            }) {
                return Some(s);
            }
            let by_path = self.index.path(url.path()).into_iter().map(|(_, i)| i);
            let by_signature = self.index.script(url.as_str()).into_iter().map(|(i, _)| i);
            for i in by_path.chain(by_signature) {
                let s = &self.services[i as usize];
                if candidates.iter().any(|c| c.id == s.id) {
                    return Some(s);
                }
            }
        }
        candidates.into_iter().next()
    }

    /// A self-hosted tool by a path marker in `url` (`/matomo.js`, `/piwik.php`,
    /// `/wp-content/plugins/borlabs-cookie/`): the longest marker wins. The host is not consulted:
    /// call it for URLs on first-party hosts.
    pub fn lookup_path(&self, url: &url::Url) -> Option<&Service> {
        self.path_matches(url.path())
            .into_iter()
            .next()
            .map(|(s, _)| s)
    }

    /// Every (service, path marker) found in a URL path, longest marker first.
    pub fn path_matches(&self, path: &str) -> Vec<(&Service, &str)> {
        self.index
            .path(path)
            .into_iter()
            .map(|(m, i)| (&self.services[i as usize], m))
            .collect()
    }

    /// The service a cookie name belongs to. Exact names win over prefixes, longer prefixes over
    /// shorter. When a self-hosted tool and a hosted one share a pattern (Matomo and Matomo Cloud
    /// both set `_pk_id.*`), a first-party cookie prefers the self-hosted one (no hosts), a
    /// third-party cookie the hosted one; then the first by id.
    pub fn lookup_cookie(
        &self,
        name: &str,
        cookie_domain_is_first_party: bool,
    ) -> Option<&Service> {
        self.cookie_matches(name, cookie_domain_is_first_party)
            .into_iter()
            .next()
            .map(|m| m.service)
    }

    /// Every pattern matching a cookie name, in the preference order of [`Catalog::lookup_cookie`].
    pub fn cookie_matches(&self, name: &str, first_party: bool) -> Vec<CookieMatch<'_>> {
        let mut ms: Vec<(usize, bool, u32, String)> = self
            .index
            .cookie(name)
            .into_iter()
            .map(|(pattern, i)| {
                let rank = if pattern.ends_with('*') {
                    1 + (name.len() - (pattern.len() - 1))
                } else {
                    0
                };
                let hosted = !self.services[i as usize].hosts.is_empty();
                (rank, hosted == first_party, i, pattern)
            })
            .collect();
        ms.sort();
        ms.into_iter()
            .map(|(_, _, i, pattern)| CookieMatch {
                service: &self.services[i as usize],
                pattern,
            })
            .collect()
    }

    /// Services whose inline-script signatures occur in `text`, sorted by id (one pass over the text).
    pub fn lookup_script(&self, text: &str) -> Vec<&Service> {
        let mut out: Vec<&Service> = self
            .index
            .script(text)
            .into_iter()
            .map(|(i, _)| &self.services[i as usize])
            .collect();
        out.dedup_by(|a, b| a.id == b.id);
        out
    }

    /// Every (service, signature) occurring in `text`, sorted by service id then signature.
    pub fn script_matches(&self, text: &str) -> Vec<(&Service, &str)> {
        self.index
            .script(text)
            .into_iter()
            .map(|(i, sig)| (&self.services[i as usize], sig))
            .collect()
    }

    /// Every (name as a policy would write it, what it names): services (name, then aliases) by
    /// id, then companies likewise. Builds a fresh list on each call; for one name use
    /// [`Catalog::service_named`].
    pub fn policy_names(&self) -> Vec<(String, NameTarget)> {
        let mut names = Vec::new();
        for s in &self.services {
            for n in std::iter::once(&s.name).chain(&s.aliases) {
                names.push((n.clone(), NameTarget::Service(s.id.clone())));
            }
        }
        for c in &self.companies {
            for n in std::iter::once(&c.name).chain(&c.aliases) {
                names.push((n.clone(), NameTarget::Company(c.id.clone())));
            }
        }
        names
    }
}

/// A URL rule (`facebook.com/tr`) matches a host within its host part and a path equal to its
/// path or below it (`/tr`, `/tr/`, `/tr/x`, not `/track`).
fn url_rule_matches(rule: &str, host: &str, path: &str) -> bool {
    let Some((rule_host, rule_path)) = rule.split_once('/') else {
        return false;
    };
    let rule_path = rule_path.trim_end_matches('/');
    let Some(rest) = path.trim_start_matches('/').strip_prefix(rule_path) else {
        return false;
    };
    host_within(host, rule_host) && (rest.is_empty() || rest.starts_with('/'))
}

/// Lowercase, trailing-dot-free host; borrows when it already is (the common case).
fn lower(host: &str) -> Cow<'_, str> {
    if host.bytes().any(|b| b.is_ascii_uppercase()) || host.ends_with('.') || host.starts_with('[')
    {
        Cow::Owned(normalize_host(host))
    } else {
        Cow::Borrowed(host)
    }
}
