//! Infrastructure providers (CDN, WAF, hoster, mail) against the policy: one the policy names is
//! disclosed — by service, product family, a name of its own (e.g. "Google Workspace") or its
//! company, since a hosting section names the company — and one it does not name is an
//! `undisclosed_service` (medium) whose evidence says how it was seen.
//!
//! A provider that is also an observed service (Cloudflare cookies, say) is left to the service
//! rules, so one recipient never yields two findings.

use super::disclosure::{same_entity, Declared};
use super::evidence::{list, policy_silence};
use super::Seen;
use crate::catalog::infrastructure::names_for;
use crate::catalog::Catalog;
use crate::model::{
    Declaration, Disclosed, Finding, FindingKind, InfrastructureProvider, ServiceUse, Severity,
};
use std::collections::{BTreeMap, BTreeSet};

/// Findings for undisclosed providers and disclosures for named ones.
pub fn reconcile(
    report: &Seen<'_>,
    catalog: &Catalog,
    declared: &Declared<'_>,
) -> (Vec<Finding>, Vec<Disclosed>) {
    let mut findings = Vec::new();
    let mut disclosed = Vec::new();
    let observed: BTreeSet<&str> = report.services.iter().map(|s| s.id.as_str()).collect();
    for p in merged_by_provider(report.infrastructure) {
        if p.service.as_deref().is_some_and(|id| observed.contains(id)) {
            continue;
        }
        let p = &p;
        let hosts = evidence_hosts(report, p);
        match declaration_for(p, catalog, declared) {
            Some(d) => disclosed.push(Disclosed {
                service: p.service.clone().unwrap_or_else(|| p.name.clone()),
                hosts,
                declaration: super::declaration_ref(d),
            }),
            None => findings.push(undisclosed(report, catalog, p, hosts)),
        }
    }
    (findings, disclosed)
}

/// One entry per provider (service, else name) with the evidence of all its roles, the roles
/// joined as "email+email_sending": a mail provider that also sends is one recipient, one finding.
fn merged_by_provider(infra: &[InfrastructureProvider]) -> Vec<InfrastructureProvider> {
    let mut merged: BTreeMap<(String, Option<String>), InfrastructureProvider> = BTreeMap::new();
    for p in infra {
        let key = (
            p.service.clone().unwrap_or_else(|| p.name.clone()),
            p.company.clone(),
        );
        match merged.get_mut(&key) {
            Some(m) => {
                m.role = format!("{}+{}", m.role, p.role);
                m.evidence.extend(p.evidence.iter().cloned());
                m.evidence.sort();
                m.evidence.dedup();
            }
            None => {
                merged.insert(key, p.clone());
            }
        }
    }
    merged.into_values().collect()
}

/// The declaration that names `p`, if any (first in document order).
pub fn declaration_for<'a>(
    p: &InfrastructureProvider,
    catalog: &Catalog,
    declared: &Declared<'a>,
) -> Option<&'a Declaration> {
    let company = p.company.clone().unwrap_or_default();
    let svc = ServiceUse {
        id: p.service.clone().unwrap_or_default(),
        name: p.name.clone(),
        company,
        ..Default::default()
    };
    if let Some(basis) = declared.for_service(&svc, catalog) {
        use super::disclosure::Basis;
        let (Basis::Service(d)
        | Basis::Family(d)
        | Basis::Host(d)
        | Basis::Cookie(d)
        | Basis::Purpose(d)
        | Basis::CompanyOnly(d)) = basis;
        return Some(d);
    }
    let names = names_for(p);
    declared
        .all()
        .iter()
        .copied()
        .find(|d| names.iter().any(|n| same_entity(n, &d.name)))
}

/// The concrete hostnames behind a provider's evidence: the start host for headers and CNAMEs,
/// the CNAME targets, PTR names, mail exchangers and SPF include domains.
pub fn evidence_hosts(report: &Seen<'_>, p: &InfrastructureProvider) -> Vec<String> {
    let start = report.site_host.to_string();
    let mut hosts: BTreeSet<String> = BTreeSet::new();
    for e in &p.evidence {
        match e.source.as_str() {
            "header" => {
                hosts.insert(start.clone());
            }
            "cname" => {
                hosts.extend(e.value.split(" CNAME ").map(str::to_string));
            }
            "ptr" => {
                hosts.extend(e.value.split(" PTR ").nth(1).map(str::to_string));
            }
            "spf" => {
                hosts.insert(e.value.trim_start_matches("include:").to_string());
            }
            _ => {
                hosts.insert(e.value.clone());
            }
        }
    }
    hosts.remove("");
    hosts.into_iter().collect()
}

/// "the CDN in front of the site", … by role.
pub fn role_phrase(role: &str) -> &'static str {
    match role {
        "cdn" => "the CDN in front of the site",
        "waf" => "the web application firewall in front of the site",
        "hosting" => "the site's hoster",
        "email" => "the mail provider that receives the domain's e-mail",
        "email_sending" => "a service the domain's SPF record authorises to send its e-mail",
        "dns" => "the domain's DNS provider",
        _ => "a provider behind the site",
    }
}

/// How one evidence item reads in a sentence.
fn sighting(source: &str, value: &str) -> String {
    match source {
        "cname" => match value.split_once(" CNAME ") {
            Some((a, b)) => format!("{a} is a CNAME to {b}"),
            None => value.to_string(),
        },
        "ptr" => match value.split_once(" PTR ") {
            Some((ip, name)) => format!("its address {ip} reverse-resolves to {name}"),
            None => value.to_string(),
        },
        "mx" => format!("the domain's MX record is {value}"),
        "spf" => format!("the domain's SPF record has {value}"),
        _ => value.to_string(),
    }
}

fn undisclosed(
    report: &Seen<'_>,
    catalog: &Catalog,
    p: &InfrastructureProvider,
    hosts: Vec<String>,
) -> Finding {
    let company = p.company.clone().unwrap_or_default();
    let headers: Vec<String> = p
        .evidence
        .iter()
        .filter(|e| e.source == "header")
        .map(|e| format!("\"{}\"", e.value))
        .collect();
    let mut how: Vec<String> = Vec::new();
    if !headers.is_empty() {
        how.push(format!(
            "the site's responses carry {}",
            headers.join(" and ")
        ));
    }
    how.extend(
        p.evidence
            .iter()
            .filter(|e| e.source != "header")
            .map(|e| sighting(&e.source, &e.value)),
    );
    let short = company_short(catalog, &company);
    let silence = policy_silence(report, &[p.name.as_str(), short.as_str()]);
    Finding {
        kind: FindingKind::UndisclosedService,
        severity: Severity::Medium,
        service: p.service.clone(),
        company: p.company.clone(),
        hosts,
        cookies: Vec::new(),
        pages: Vec::new(),
        evidence: format!(
            "{} ({company}) is {}: {}; {}.",
            p.name,
            p.role
                .split('+')
                .map(role_phrase)
                .collect::<Vec<_>>()
                .join(" and "),
            list(&how, 4),
            silence.trim_end_matches('.')
        ),
        message: format!(
            "Name {} ({company}) in the privacy policy as a processor (e.g. in its hosting or e-mail section), with the purpose and legal basis, or stop using it.",
            p.name
        ),
        accepted: None,
        // Neither a request nor a script nor a cookie: a header or DNS record (see `evidence`).
        evidence_strength: None,
    }
}

/// The name a reader knows a company by: its shortest catalog alias ("Microsoft" for "Microsoft
/// Ireland Operations Limited"), else the legal name up to its first comma.
fn company_short(catalog: &Catalog, legal: &str) -> String {
    catalog
        .companies()
        .iter()
        .find(|c| c.name == legal)
        .and_then(|c| c.aliases.iter().min_by_key(|a| a.chars().count()).cloned())
        .unwrap_or_else(|| legal.split(',').next().unwrap_or(legal).trim().to_string())
}
