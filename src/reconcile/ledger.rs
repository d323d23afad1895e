//! The declared ledger: every recipient the policy names — a catalog service, a company, or a
//! free-text provider from a provider sentence — once, with what the scan found of it. It is what
//! a DPO walks through, and the `declared_not_observed` findings come from it, so a company-level
//! declaration nothing explains ("Hosting: netcup GmbH") is listed too.
//!
//! Status, in this order: `observed` (a service, a host or a cookie of it was seen),
//! `infrastructure` (a header or DNS record shows it), `not_observable` (a role no crawl can see:
//! newsletter sending, payment back end, help desk, hosting behind a CDN — the reason says which),
//! else `not_observed`.

use super::disclosure::{name_matches_domain, same_entity, Declared};
use super::evidence::{plural, quote};
use super::infrastructure::evidence_hosts;
use super::Seen;
use crate::catalog::infrastructure::{names_for, role_of_categories, role_of_text, HiddenRole};
use crate::catalog::Catalog;
use crate::model::{Declaration, DeclaredRecipient, Finding, FindingKind, Severity};
use std::collections::BTreeSet;

/// Why a hoster the policy names is not seen when a CDN answers for the site.
pub const BEHIND_CDN: &str = "hosting behind a CDN: the origin is not visible";
/// Why a hoster is not checked when DNS look-ups are off.
pub const DNS_OFF: &str = "hosting: not checked, DNS look-ups were off (--no-dns)";

/// One ledger row and the declaration it stands on (its first mention).
pub struct Row<'a> {
    /// The row as it goes in the report.
    pub entry: DeclaredRecipient,
    /// First mention.
    pub declaration: &'a Declaration,
}

/// Build the ledger, sorted by (name, service, company).
pub fn build<'a>(report: &Seen<'_>, catalog: &Catalog, declared: &Declared<'a>) -> Vec<Row<'a>> {
    let decls: Vec<&Declaration> = declared
        .all()
        .iter()
        .copied()
        .filter(|d| d.matched_as != "host" || d.service.is_some())
        // A cookie name the policy lists ("_ga") is what was stored, not who receives data.
        .filter(|d| d.matched_as != "cookie")
        .collect();
    let mut rows: Vec<Row<'a>> = Vec::new();
    for d in decls.iter().copied() {
        if d.service.is_none() && provider_of_named_service(d, &decls, catalog) {
            continue;
        }
        if rows.iter().any(|r| same_recipient(r.declaration, d)) {
            continue;
        }
        let company = d.company.clone().or_else(|| {
            d.service
                .as_deref()
                .and_then(|id| catalog.service(id))
                .and_then(|s| catalog.company(&s.company))
                .map(|c| c.name.clone())
        });
        let mut entry = DeclaredRecipient {
            name: d.name.clone(),
            service: d.service.clone(),
            company,
            section: d.section.clone(),
            excerpt: d.excerpt.clone(),
            ..Default::default()
        };
        status(report, catalog, d, &mut entry);
        rows.push(Row {
            entry,
            declaration: d,
        });
    }
    rows.sort_by(|a, b| {
        (&a.entry.name, &a.entry.service, &a.entry.company).cmp(&(
            &b.entry.name,
            &b.entry.service,
            &b.entry.company,
        ))
    });
    rows
}

/// A company or provider sentence that names the provider of a service declared in the same
/// section ("Google Analytics … Anbieter ist die Google Ireland Limited") is part of that
/// service's row, not a recipient of its own.
fn provider_of_named_service(d: &Declaration, decls: &[&Declaration], catalog: &Catalog) -> bool {
    decls.iter().any(|o| {
        let Some(id) = o.service.as_deref() else {
            return false;
        };
        if o.section != d.section || (o.section.is_empty() && o.excerpt != d.excerpt) {
            return false;
        }
        let Some(svc) = catalog.service(id) else {
            return false;
        };
        let company = catalog.company(&svc.company);
        let mut names: Vec<&str> = vec![svc.name.as_str()];
        names.extend(svc.aliases.iter().map(String::as_str));
        if let Some(c) = company {
            names.push(c.name.as_str());
            names.extend(c.aliases.iter().map(String::as_str));
        }
        d.company.as_deref() == company.map(|c| c.name.as_str())
            || names.iter().any(|n| same_entity(n, &d.name))
            || company.is_some_and(|c| name_matches_first_word(&c.name, &d.name))
    })
}

/// "Hetzner Online GmbH" and "Hetzner Online" (or "Google Ireland Limited" and "Google LLC") share
/// their first distinguishing word: the same group, named in the same section.
fn name_matches_first_word(a: &str, b: &str) -> bool {
    let first = |s: &str| {
        s.split(|c: char| !c.is_alphanumeric())
            .find(|w| w.len() >= 3)
            .map(str::to_lowercase)
    };
    first(a).is_some() && first(a) == first(b)
}

/// Two declarations name the same recipient.
fn same_recipient(a: &Declaration, b: &Declaration) -> bool {
    match (&a.service, &b.service) {
        (Some(x), Some(y)) => x == y,
        (None, None) => match (&a.company, &b.company) {
            (Some(x), Some(y)) => x == y,
            _ => same_entity(&a.name, &b.name) || a.name.eq_ignore_ascii_case(&b.name),
        },
        _ => false,
    }
}

fn status(report: &Seen<'_>, catalog: &Catalog, d: &Declaration, entry: &mut DeclaredRecipient) {
    let (observed_hosts, infra_hosts) = match d.service.as_deref() {
        Some(id) => (
            report
                .services
                .iter()
                .find(|s| s.id == id)
                .map(|s| s.hosts.clone()),
            report
                .infrastructure
                .iter()
                .filter(|p| p.service.as_deref() == Some(id))
                .map(|p| evidence_hosts(report, p))
                .reduce(|mut a, b| {
                    a.extend(b);
                    a
                }),
        ),
        None => (observed_by_company(report, d), infra_by_company(report, d)),
    };
    if let Some(hosts) = observed_hosts {
        entry.status = "observed".into();
        entry.hosts = sorted(hosts);
        return;
    }
    if let Some(hosts) = infra_hosts {
        entry.status = "infrastructure".into();
        entry.hosts = sorted(hosts);
        return;
    }
    let role: Option<&HiddenRole> = match d.service.as_deref().and_then(|id| catalog.service(id)) {
        Some(svc) => role_of_categories(&svc.categories),
        None => role_of_text(&format!("{} {}", d.section, d.excerpt)),
    };
    let reason = role.and_then(|r| {
        if !r.hosting {
            return Some(r.reason.clone());
        }
        if report.infrastructure.iter().any(|p| p.role == "cdn") {
            Some(BEHIND_CDN.to_string())
        } else if report.dns_off {
            Some(DNS_OFF.to_string())
        } else {
            // DNS was asked and shows another (or no known) hoster: not confirmed.
            None
        }
    });
    match reason {
        Some(r) => {
            entry.status = "not_observable".into();
            entry.reason = Some(r);
        }
        None => entry.status = "not_observed".into(),
    }
}

/// Hosts of observed services of the named company, or third-party hosts whose domain matches a
/// free-text provider name.
fn observed_by_company(report: &Seen<'_>, d: &Declaration) -> Option<Vec<String>> {
    let named = |company: &str| {
        !company.is_empty()
            && (d.company.as_deref() == Some(company) || same_entity(company, &d.name))
    };
    let mut hosts: Vec<String> = report
        .services
        .iter()
        .filter(|s| !s.first_party && named(&s.company))
        .flat_map(|s| s.hosts.iter().cloned())
        .collect();
    let matched_service = report
        .services
        .iter()
        .any(|s| !s.first_party && named(&s.company));
    hosts.extend(
        report
            .third_parties
            .iter()
            .filter(|t| t.service.is_none() && name_matches_domain(&d.name, &t.host))
            .map(|t| t.host.clone()),
    );
    (matched_service || !hosts.is_empty()).then_some(hosts)
}

/// Hosts of infrastructure providers of the named company (or one of their own names).
fn infra_by_company(report: &Seen<'_>, d: &Declaration) -> Option<Vec<String>> {
    let matching: Vec<_> = report
        .infrastructure
        .iter()
        .filter(|p| {
            let company = p.company.as_deref().unwrap_or_default();
            (!company.is_empty()
                && (d.company.as_deref() == Some(company) || same_entity(company, &d.name)))
                || names_for(p).iter().any(|n| same_entity(n, &d.name))
        })
        .collect();
    (!matching.is_empty()).then(|| {
        matching
            .iter()
            .flat_map(|p| evidence_hosts(report, p))
            .collect()
    })
}

fn sorted(hosts: Vec<String>) -> Vec<String> {
    hosts
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// `declared_not_observed` (info) for each row nothing explains; a `not_observable` row says why
/// no crawl could see it.
pub fn findings(report: &Seen<'_>, catalog: &Catalog, rows: &[Row<'_>]) -> Vec<Finding> {
    let pages = report.pages.len();
    rows.iter()
        .filter(|r| matches!(r.entry.status.as_str(), "not_observed" | "not_observable"))
        .map(|r| {
            let mut f = match r.entry.service.as_deref() {
                Some(id) => super::rules::declared_not_observed(report, catalog, id, r.declaration),
                None => Finding {
                    kind: FindingKind::DeclaredNotObserved,
                    severity: Severity::Info,
                    service: None,
                    company: r.entry.company.clone(),
                    evidence: format!(
                        "The privacy policy names {}: {}; no service, host, cookie or infrastructure record of it was seen on the {pages} page{} scanned.",
                        r.entry.name,
                        quote(r.declaration),
                        plural(pages)
                    ),
                    message: format!(
                        "May be a processor no crawl can see; if the site no longer uses {}, remove it from the privacy policy.",
                        r.entry.name
                    ),
                    ..Default::default()
                },
            };
            if let Some(reason) = &r.entry.reason {
                f.evidence = format!("{} Not observable by a crawl: {reason}.", f.evidence);
            }
            f
        })
        .collect()
}
