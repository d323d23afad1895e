//! Infrastructure signatures (`data/infrastructure/signatures.toml`): which response headers and
//! DNS names reveal the CDN, WAF, hoster and mail providers of a site, and which policy roles no
//! crawl can see. Data, not code: a new provider is a new entry, embedded at compile time.

use crate::model::{InfrastructureEvidence, InfrastructureProvider};
use crate::observe::DnsFacts;
use std::collections::BTreeMap;

/// The embedded signature file.
pub const SIGNATURES_TOML: &str = include_str!("../../data/infrastructure/signatures.toml");

/// Who a signature points to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// Catalog service id, when the catalog has one.
    #[serde(default)]
    pub service: Option<String>,
    /// Catalog company id.
    pub company: String,
    /// What sentences call it ("Cloudflare", "Google Workspace").
    pub label: String,
    /// Further names a policy may use for it.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// cdn | hosting | waf | email | email_sending | dns.
    pub role: String,
}

/// A response-header signature.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderSignature {
    /// Lowercase header name.
    pub name: String,
    /// Lowercase substring of the value; empty = any value.
    pub value: String,
    /// Who it means.
    #[serde(flatten)]
    pub provider: Provider,
}

/// A DNS-name signature.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsSignature {
    /// cname | ptr | mx | spf.
    pub source: String,
    /// Name suffix (label boundary), lowercase.
    pub suffix: String,
    /// Who it means.
    #[serde(flatten)]
    pub provider: Provider,
}

/// A recipient role no crawl can observe, and how a policy shows it.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HiddenRole {
    /// Why such a recipient is `not_observable`.
    pub reason: String,
    /// Catalog categories of services in this role.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Lowercase words in a section heading or sentence that show the role.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The hosting role: a CDN in front of the site hides it (a more specific reason).
    #[serde(default)]
    pub hosting: bool,
}

/// The whole signature file.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signatures {
    /// Header signatures, in file order.
    #[serde(default)]
    pub header: Vec<HeaderSignature>,
    /// DNS signatures, in file order.
    #[serde(default)]
    pub dns: Vec<DnsSignature>,
    /// Hidden roles, in file order.
    #[serde(default)]
    pub role: Vec<HiddenRole>,
}

/// The embedded signatures, parsed once.
///
/// Panics only if the embedded file is malformed, which the tests rule out.
pub fn signatures() -> &'static Signatures {
    static SIGS: std::sync::OnceLock<Signatures> = std::sync::OnceLock::new();
    SIGS.get_or_init(|| {
        toml::from_str(SIGNATURES_TOML)
            .expect("data/infrastructure/signatures.toml is valid (checked by tests)")
    })
}

/// Whether a response header of this (lowercase) name can be a signature: the crawl keeps only
/// these, so memory does not grow with the pages' other headers.
pub fn is_signature_header(name: &str) -> bool {
    signatures().header.iter().any(|h| h.name == name)
}

/// The first header signature matching `name: value`.
pub fn header_match(name: &str, value: &str) -> Option<&'static HeaderSignature> {
    let name = name.to_ascii_lowercase();
    let value = value.to_ascii_lowercase();
    signatures()
        .header
        .iter()
        .find(|h| h.name == name && value.contains(&h.value))
}

/// The first DNS signature of `source` whose suffix covers `name`.
pub fn dns_match(source: &str, name: &str) -> Option<&'static DnsSignature> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    signatures().dns.iter().find(|d| {
        d.source == source
            && (name == d.suffix
                || name
                    .strip_suffix(&d.suffix)
                    .is_some_and(|rest| rest.ends_with('.')))
    })
}

/// Attribute headers and DNS facts to infrastructure providers: one entry per (service or
/// company, role), evidence sorted and deduplicated, entries sorted by (role, service, company).
/// `company_name` turns a catalog company id into its legal name.
pub fn attribute(
    start_host: &str,
    headers: &BTreeMap<String, String>,
    dns: &DnsFacts,
    company_name: impl Fn(&str) -> String,
) -> Vec<InfrastructureProvider> {
    let mut found: BTreeMap<(String, String, String), InfrastructureProvider> = BTreeMap::new();
    let mut add = |p: &Provider, source: &str, value: String| {
        let key = (
            p.role.clone(),
            p.service.clone().unwrap_or_default(),
            p.company.clone(),
        );
        let entry = found.entry(key).or_insert_with(|| InfrastructureProvider {
            service: p.service.clone(),
            company: Some(company_name(&p.company)),
            name: p.label.clone(),
            role: p.role.clone(),
            evidence: Vec::new(),
        });
        entry.evidence.push(InfrastructureEvidence {
            source: source.to_string(),
            value,
        });
    };
    for (name, value) in headers {
        if let Some(sig) = header_match(name, value) {
            add(&sig.provider, "header", format!("{name}: {value}"));
        }
    }
    let mut previous = start_host.to_string();
    for target in &dns.cname {
        if let Some(sig) = dns_match("cname", target) {
            add(&sig.provider, "cname", format!("{previous} CNAME {target}"));
        }
        previous = target.clone();
    }
    for (addr, name) in &dns.ptr {
        if let Some(sig) = dns_match("ptr", name) {
            add(&sig.provider, "ptr", format!("{addr} PTR {name}"));
        }
    }
    for mx in &dns.mx {
        if let Some(sig) = dns_match("mx", mx) {
            add(&sig.provider, "mx", mx.clone());
        }
    }
    for include in &dns.spf {
        if let Some(sig) = dns_match("spf", include) {
            add(&sig.provider, "spf", format!("include:{include}"));
        }
    }
    found
        .into_values()
        .map(|mut p| {
            p.evidence.sort();
            p.evidence.dedup();
            p
        })
        .collect()
}

/// Every way `query` reads as an infrastructure signature, one line each (for `catalog lookup`):
/// a header name or `name: value`, or a DNS name under a CNAME/PTR/MX/SPF suffix.
pub fn explain(query: &str) -> Vec<String> {
    let q = query.trim();
    let mut lines = Vec::new();
    let (name, value) = match q.split_once(':') {
        Some((n, v)) if !n.contains('/') => (n.trim(), v.trim()),
        _ => (q, ""),
    };
    let lower = name.to_ascii_lowercase();
    for h in signatures().header.iter().filter(|h| h.name == lower) {
        if value.is_empty() || value.to_ascii_lowercase().contains(&h.value) {
            let what = if h.value.is_empty() {
                format!("header \"{}\" (any value)", h.name)
            } else {
                format!("header \"{}\" containing \"{}\"", h.name, h.value)
            };
            lines.push(format!(
                "{what}: {} as {} ({})",
                h.provider.label,
                h.provider.role,
                provider_ids(&h.provider)
            ));
        }
    }
    for source in ["cname", "ptr", "mx", "spf"] {
        if let Some(d) = dns_match(source, q) {
            lines.push(format!(
                "{} name under \"{}\": {} as {} ({})",
                source.to_uppercase(),
                d.suffix,
                d.provider.label,
                d.provider.role,
                provider_ids(&d.provider)
            ));
        }
    }
    lines
}

fn provider_ids(p: &Provider) -> String {
    match &p.service {
        Some(s) => format!("service {s}, company {}", p.company),
        None => format!("company {}", p.company),
    }
}

/// The hidden role of a catalog service by its categories, if any.
pub fn role_of_categories(categories: &[String]) -> Option<&'static HiddenRole> {
    signatures()
        .role
        .iter()
        .find(|r| r.categories.iter().any(|c| categories.contains(c)))
}

/// The hidden role a policy section or sentence shows by its words, if any.
pub fn role_of_text(text: &str) -> Option<&'static HiddenRole> {
    let lower = text.to_lowercase();
    signatures()
        .role
        .iter()
        .find(|r| r.keywords.iter().any(|k| lower.contains(k.as_str())))
}

/// The labels and aliases a policy may use for an infrastructure provider entry of the report.
pub fn names_for(p: &InfrastructureProvider) -> Vec<String> {
    let mut names = vec![p.name.clone()];
    for d in &signatures().dns {
        if d.provider.label == p.name {
            names.extend(d.provider.aliases.iter().cloned());
        }
    }
    for h in &signatures().header {
        if h.provider.label == p.name {
            names.extend(h.provider.aliases.iter().cloned());
        }
    }
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn every_signature_names_a_catalog_company_and_service() {
        let catalog = Catalog::builtin().expect("built-in catalog loads");
        let sigs = signatures();
        let providers = sigs
            .header
            .iter()
            .map(|h| &h.provider)
            .chain(sigs.dns.iter().map(|d| &d.provider));
        for p in providers {
            assert!(
                catalog.company(&p.company).is_some(),
                "unknown company {}",
                p.company
            );
            if let Some(s) = &p.service {
                assert!(catalog.service(s).is_some(), "unknown service {s}");
            }
            assert!(
                ["cdn", "hosting", "waf", "email", "email_sending", "dns"]
                    .contains(&p.role.as_str()),
                "role {}",
                p.role
            );
        }
        for d in &sigs.dns {
            assert!(["cname", "ptr", "mx", "spf"].contains(&d.source.as_str()));
            assert_eq!(d.suffix, d.suffix.to_ascii_lowercase());
        }
        for r in &sigs.role {
            for c in &r.categories {
                assert!(crate::catalog::is_category(c), "unknown category {c}");
            }
        }
    }

    #[test]
    fn suffixes_match_on_label_boundaries() {
        let m = dns_match("ptr", "static.88.198.0.1.clients.your-server.de.").unwrap();
        assert_eq!(m.provider.service.as_deref(), Some("hetzner-hosting"));
        assert!(dns_match("ptr", "notyour-server.de").is_none());
        assert!(dns_match("mx", "your-server.de").is_some());
        let m = dns_match("mx", "example-de.mail.protection.outlook.com").unwrap();
        assert_eq!(m.provider.role, "email");
        assert!(dns_match("spf", "google-site-verification=abc").is_none());
    }

    #[test]
    fn headers_match_name_and_value() {
        assert_eq!(
            header_match("Server", "cloudflare")
                .and_then(|h| h.provider.service.clone())
                .as_deref(),
            Some("cloudflare-cdn")
        );
        assert!(header_match("server", "nginx").is_none());
        assert!(header_match("cf-ray", "8e2f0c1d2e3f4a5b-FRA").is_some());
        assert!(is_signature_header("cf-ray"));
        assert!(!is_signature_header("content-type"));
    }

    #[test]
    fn attribution_groups_evidence_per_provider_and_role() {
        let mut headers = BTreeMap::new();
        headers.insert("cf-ray".to_string(), "8e2f-FRA".to_string());
        headers.insert("server".to_string(), "cloudflare".to_string());
        let dns = DnsFacts {
            cname: vec!["www.shop.test.cdn.cloudflare.net".into()],
            mx: vec!["shop-test.mail.protection.outlook.com".into()],
            spf: vec!["servers.mcsv.net".into(), "example.org".into()],
            ..Default::default()
        };
        let infra = attribute("www.shop.test", &headers, &dns, |c| c.to_uppercase());
        let roles: Vec<(&str, Option<&str>, usize)> = infra
            .iter()
            .map(|p| (p.role.as_str(), p.service.as_deref(), p.evidence.len()))
            .collect();
        assert_eq!(
            roles,
            vec![
                ("cdn", Some("cloudflare-cdn"), 3),
                ("email", Some("microsoft-365"), 1),
                ("email_sending", Some("mailchimp"), 1),
            ]
        );
        assert_eq!(infra[0].company.as_deref(), Some("CLOUDFLARE"));
        assert!(infra[0]
            .evidence
            .iter()
            .any(|e| e.source == "cname" && e.value.contains("www.shop.test CNAME")));
    }

    #[test]
    fn lookup_explains_headers_and_dns_names() {
        assert!(explain("cf-ray")[0].contains("Cloudflare"));
        assert!(explain("server: AkamaiGHost")[0].contains("Akamai"));
        assert!(explain("servers.mcsv.net")
            .iter()
            .any(|l| l.starts_with("SPF") && l.contains("Mailchimp")));
        assert!(explain("nothing.example").is_empty());
    }
}
