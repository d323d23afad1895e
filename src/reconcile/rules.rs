//! One function per finding kind: each builds a complete [`Finding`] (hosts, cookies, pages,
//! evidence sentence, what to do) from the report.

use super::evidence::{activity, cap_pages, list, plural, policy_silence, quote, where_seen, who};
use super::severity;
use super::Seen;
use crate::catalog::Catalog;
use crate::domain::registrable_domain;
use crate::model::{
    Cookie, Declaration, EvidenceStrength, Finding, FindingKind, Mode, Party, Phase, ServiceUse,
    Severity, ThirdParty,
};
use std::collections::{BTreeMap, BTreeSet};

/// A short name for a company as a policy would write it ("Google" for "Google Ireland
/// Limited"): the catalog company's first alias, else its legal name.
/// The name a reader knows the company by: its shortest alias ("Google", "Facebook", "Microsoft"),
/// else the legal name. The first alias is often just another legal form.
fn company_short(catalog: &Catalog, svc_id: &str, legal: &str) -> String {
    catalog
        .service(svc_id)
        .and_then(|s| catalog.company(&s.company))
        .and_then(|c| c.aliases.iter().min_by_key(|a| a.chars().count()).cloned())
        .unwrap_or_else(|| legal.to_string())
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// A finding of `kind` about one observed service, without hosts, cookies, pages, evidence or
/// message (each rule fills those in from what it saw).
fn about(kind: FindingKind, severity: Severity, svc: &ServiceUse) -> Finding {
    Finding {
        kind,
        severity,
        service: Some(svc.id.clone()),
        company: opt(&svc.company),
        ..Default::default()
    }
}

/// What the browser recorded of one service in one consent phase: the hosts it loaded from, the
/// cookies it set (sorted, deduplicated) and the pages those hosts were loaded on.
struct PhaseActivity {
    hosts: Vec<String>,
    cookies: Vec<String>,
    pages: Vec<String>,
}

impl PhaseActivity {
    /// `svc`'s loaded hosts for which `host_in_phase` holds and its cookies for which
    /// `cookie_in_phase` holds; `None` when there are neither.
    fn of(
        report: &Seen<'_>,
        svc: &ServiceUse,
        host_in_phase: impl Fn(&ThirdParty) -> bool,
        cookie_in_phase: impl Fn(&Cookie) -> bool,
    ) -> Option<PhaseActivity> {
        let hosts: Vec<String> = report
            .third_parties
            .iter()
            .filter(|t| t.loaded && host_in_phase(t) && svc.hosts.contains(&t.host))
            .map(|t| t.host.clone())
            .collect();
        let cookies: Vec<String> = report
            .cookies
            .iter()
            .filter(|c| cookie_in_phase(c) && c.service.as_deref() == Some(svc.id.as_str()))
            .map(|c| c.name.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if hosts.is_empty() && cookies.is_empty() {
            return None;
        }
        let pages = cap_pages(
            report
                .third_parties
                .iter()
                .filter(|t| hosts.contains(&t.host))
                .flat_map(|t| t.pages.iter().cloned()),
        );
        Some(PhaseActivity {
            hosts,
            cookies,
            pages,
        })
    }

    /// "contacted a, b and set cookies x, y".
    fn summary(&self) -> String {
        let mut what = Vec::new();
        if !self.hosts.is_empty() {
            what.push(format!("contacted {}", list(&self.hosts, 3)));
        }
        if !self.cookies.is_empty() {
            what.push(format!(
                "set cookie{} {}",
                plural(self.cookies.len()),
                list(&self.cookies, 3)
            ));
        }
        what.join(" and ")
    }
}

/// Whether anything was actually loaded from the service (not only a form action or a
/// preconnect hint), or it showed itself through cookies or scripts.
fn is_loaded(report: &Seen<'_>, svc: &ServiceUse) -> bool {
    svc.hosts.is_empty()
        || !svc.cookies.is_empty()
        || report
            .scripts
            .iter()
            .any(|s| s.service.as_deref() == Some(svc.id.as_str()))
        || report
            .third_parties
            .iter()
            .any(|t| t.loaded && svc.hosts.contains(&t.host))
}

/// Whether all that points to `svc` is a cookie name (no request, no script).
pub(crate) fn cookie_name_only(svc: &ServiceUse) -> bool {
    svc.evidence_strength == Some(EvidenceStrength::CookieNameOnly)
}

/// Give a finding about `svc` its evidence strength. A cookie name alone is weak evidence (a
/// site's own script may write `_ga` for its own measurement): such findings are at most low.
pub fn weigh_evidence(f: &mut Finding, svc: &ServiceUse) {
    f.evidence_strength = svc.evidence_strength;
    if cookie_name_only(svc) {
        f.severity = f.severity.min(Severity::Low);
    }
}

/// `undisclosed_service`: observed, not named by the policy at all. When only a cookie name
/// points to the service, a low "possible" finding that says why.
pub fn undisclosed(report: &Seen<'_>, catalog: &Catalog, svc: &ServiceUse) -> Finding {
    if cookie_name_only(svc) {
        return possibly_undisclosed(report, svc);
    }
    let short = company_short(catalog, &svc.id, &svc.company);
    let denial = report
        .policy
        .declarations
        .iter()
        .find(|d| d.negated && d.service.as_deref() == Some(svc.id.as_str()));
    let silence = match denial {
        Some(d) => format!(
            "the privacy policy says it does not use {}: {}",
            svc.name,
            quote(d)
        ),
        None => {
            // The company may be named for another of its services; then only the service is
            // missing, and saying the company is missing too would be false.
            let company_named = report.policy.declarations.iter().any(|d| {
                !d.negated
                    && matches!(d.matched_as.as_str(), "company" | "provider" | "variant")
                    && d.company.as_deref() == Some(svc.company.as_str())
            });
            if company_named {
                policy_silence(report, &[svc.name.as_str()])
            } else {
                policy_silence(report, &[svc.name.as_str(), short.as_str()])
            }
        }
    };
    // A name ending in a period ("Meta Platforms Ireland Ltd.") must not end the sentence twice.
    let silence = silence.trim_end_matches('.');
    let loaded = is_loaded(report, svc);
    let severity = if loaded {
        severity::for_categories(&svc.categories)
    } else if has_type(report, &svc.hosts, "form") {
        Severity::Medium
    } else {
        Severity::Low
    };
    let mut doing = activity(report, &svc.hosts, &svc.cookies);
    // Seen only by its script (an inline snippet, a path marker): say so, it is the evidence.
    if doing == "is used" && svc.evidence_strength == Some(EvidenceStrength::Script) {
        doing = "runs its script".into();
    }
    let mut evidence = format!("{} {doing}{}; {silence}.", who(svc), where_seen(&svc.pages));
    if !loaded {
        evidence = format!(
            "{} Nothing was loaded from it, it is only referenced.",
            evidence
        );
    }
    Finding {
        hosts: svc.hosts.clone(),
        cookies: svc.cookies.clone(),
        pages: cap_pages(svc.pages.iter().cloned()),
        evidence,
        message: format!(
            "Name {} ({}) in the privacy policy with its purpose, legal basis and recipient, or remove it from the site.",
            svc.name,
            if svc.company.is_empty() { "its provider" } else { svc.company.as_str() }
        ),
        ..about(FindingKind::UndisclosedService, severity, svc)
    }
}

/// A low `undisclosed_service` for a service seen only through cookie names.
fn possibly_undisclosed(report: &Seen<'_>, svc: &ServiceUse) -> Finding {
    let silence = policy_silence(report, &[svc.name.as_str()]);
    let silence = silence.trim_end_matches('.');
    Finding {
        hosts: svc.hosts.clone(),
        cookies: svc.cookies.clone(),
        pages: cap_pages(svc.pages.iter().cloned()),
        evidence: format!(
            "Possibly {} ({}): only cookie{} named {} {} seen{}, and no request to or script from {} was; a cookie name alone is weak evidence, since any script (the site's own included) can write it; {silence}.",
            svc.name,
            if svc.company.is_empty() { "unknown company" } else { svc.company.as_str() },
            plural(svc.cookies.len()),
            list(&svc.cookies, 3),
            if svc.cookies.len() == 1 { "was" } else { "were" },
            where_seen(&svc.pages),
            svc.name,
        ),
        message: format!(
            "Check which script sets {}: if it is {}, name the service in the privacy policy; if it is the site's own, nothing to do.",
            list(&svc.cookies, 3),
            svc.name
        ),
        evidence_strength: Some(EvidenceStrength::CookieNameOnly),
        ..about(FindingKind::UndisclosedService, Severity::Low, svc)
    }
}

/// `disclosed_by_company_only`: the policy names the company, not the service.
pub fn company_only(report: &Seen<'_>, svc: &ServiceUse, d: &Declaration) -> Finding {
    Finding {
        hosts: svc.hosts.clone(),
        cookies: svc.cookies.clone(),
        pages: cap_pages(svc.pages.iter().cloned()),
        evidence: format!(
            "{} {}{}; the privacy policy names only the company \"{}\": {}.",
            who(svc),
            activity(report, &svc.hosts, &svc.cookies),
            where_seen(&svc.pages),
            d.name,
            quote(d)
        ),
        message: format!(
            "Name the service {} itself (not only {}) in the privacy policy, with its purpose and legal basis.",
            svc.name, d.name
        ),
        ..about(FindingKind::DisclosedByCompanyOnly, Severity::Low, svc)
    }
}

/// `tracking_before_consent`, or nothing when the service is no tracker or is gated.
///
/// Static mode infers from markup: a script of the service that is neither gated by
/// consent-manager markup nor only inside `<noscript>`. Browser mode with a before-consent phase
/// uses what the browser actually contacted before any click, because a consent manager can
/// block scripts at run time that look ungated in the markup.
pub fn tracking_before_consent(report: &Seen<'_>, svc: &ServiceUse) -> Option<Finding> {
    if !severity::is_tracker(&svc.categories) {
        return None;
    }
    let observed_phase =
        report.mode == Mode::Browser && report.consent.phases.contains(&Phase::BeforeConsent);
    let cmp_note = match &report.consent.cmp {
        Some(cmp) => format!("consent manager {cmp} detected"),
        None => "no consent manager detected".into(),
    };
    let (hosts, cookies, pages, evidence) = if observed_phase {
        let seen = PhaseActivity::of(report, svc, |t| t.before_consent, |c| c.before_consent)?;
        let evidence = format!(
            "{} ({}) {} before any consent was given{} (observed in the browser before any consent click; {cmp_note}).",
            svc.name,
            svc.company,
            seen.summary(),
            where_seen(&seen.pages)
        );
        (seen.hosts, seen.cookies, seen.pages, evidence)
    } else {
        let ungated: Vec<_> = report
            .scripts
            .iter()
            .filter(|s| {
                s.service.as_deref() == Some(svc.id.as_str()) && !s.consent_gated && !s.noscript
            })
            .collect();
        if ungated.is_empty() {
            return None;
        }
        let script_hosts: BTreeSet<String> =
            ungated.iter().filter_map(|s| s.host.clone()).collect();
        let hosts: Vec<String> = if script_hosts.is_empty() {
            svc.hosts.clone()
        } else {
            script_hosts.into_iter().collect()
        };
        let pages = cap_pages(ungated.iter().flat_map(|s| s.pages.iter().cloned()));
        let all_pages: BTreeSet<&String> = ungated.iter().flat_map(|s| &s.pages).collect();
        let tag = match ungated.iter().find_map(|s| s.src.as_deref()) {
            Some(src) => format!("the script tag for {src}"),
            None => format!("the inline {} snippet", svc.name),
        };
        let page = pages
            .first()
            .map(String::as_str)
            .unwrap_or("the scanned pages");
        let evidence = format!(
            "{} ({}): {tag} on {page} is not gated by consent-manager markup, so it runs before the visitor can consent ({} page{} affected; inferred from markup, {cmp_note}).",
            svc.name,
            svc.company,
            all_pages.len(),
            plural(all_pages.len())
        );
        (hosts, svc.cookies.clone(), pages, evidence)
    };
    Some(Finding {
        hosts,
        cookies,
        pages,
        evidence,
        message: format!(
            "Load {} only after consent: let the consent manager gate it (e.g. type=\"text/plain\" with the CMP's data attribute) and scan again.",
            svc.name
        ),
        ..about(FindingKind::TrackingBeforeConsent, Severity::High, svc)
    })
}

/// `tracking_after_reject` (browser mode with an after-reject phase): a tracker that the browser
/// still contacted, or that still set cookies, after the visitor clicked "reject all".
pub fn tracking_after_reject(report: &Seen<'_>, svc: &ServiceUse) -> Option<Finding> {
    const PHASE: Phase = Phase::AfterReject;
    if !severity::is_tracker(&svc.categories) || !report.consent.phases.contains(&PHASE) {
        return None;
    }
    let in_phase = |phases: &[Phase]| phases.contains(&PHASE);
    let seen = PhaseActivity::of(
        report,
        svc,
        |t| in_phase(&t.phases),
        // Deleting a cookie on reject is what a consent manager should do, not a finding.
        |c| in_phase(&c.phases) && !c.deletion,
    )?;
    let how = match report.consent.reject_clicked {
        Some(true) => "after \"reject all\" was clicked",
        _ => "in the reject phase (no reject button could be clicked)",
    };
    Some(Finding {
        evidence: format!(
            "{} ({}) {} {how} (observed in the browser).",
            svc.name,
            svc.company,
            seen.summary()
        ),
        message: format!(
            "{} must not run when the visitor rejects: fix the consent manager's configuration for it and scan again.",
            svc.name
        ),
        hosts: seen.hosts,
        cookies: seen.cookies,
        pages: seen.pages,
        ..about(FindingKind::TrackingAfterReject, Severity::High, svc)
    })
}

/// Third-party hosts without a catalog service, grouped by registrable domain.
pub struct HostGroup {
    /// Registrable domain.
    pub domain: String,
    /// Hosts, sorted.
    pub hosts: Vec<String>,
    /// Something was loaded (or a form submits there), not only a preconnect hint.
    pub loaded: bool,
}

/// Unattributed third-party hosts, one group per registrable domain, sorted. Hosts only
/// navigated to (a link, a meta refresh) are left out: nothing flows to them at page load.
pub fn unattributed_groups(report: &Seen<'_>) -> Vec<HostGroup> {
    let mut groups: BTreeMap<String, HostGroup> = BTreeMap::new();
    for tp in report
        .third_parties
        .iter()
        .filter(|t| t.service.is_none() && !t.navigation_only())
    {
        let domain = if tp.registrable_domain.is_empty() {
            registrable_domain(&tp.host)
        } else {
            tp.registrable_domain.clone()
        };
        let g = groups.entry(domain.clone()).or_insert_with(|| HostGroup {
            domain,
            hosts: Vec::new(),
            loaded: false,
        });
        g.hosts.push(tp.host.clone());
        g.loaded |= tp.loaded || tp.resource_types.iter().any(|r| r == "form");
    }
    groups
        .into_values()
        .map(|mut g| {
            g.hosts.sort();
            g.hosts.dedup();
            g
        })
        .collect()
}

/// `unattributed_third_party`: a third-party domain nothing explains — needs review.
pub fn unattributed(report: &Seen<'_>, group: &HostGroup) -> Finding {
    let tps: Vec<_> = report
        .third_parties
        .iter()
        .filter(|t| group.hosts.contains(&t.host))
        .collect();
    let all_pages: BTreeSet<String> = tps.iter().flat_map(|t| t.pages.iter().cloned()).collect();
    let all_pages: Vec<String> = all_pages.into_iter().collect();
    let cookies: Vec<String> = report
        .cookies
        .iter()
        .filter(|c| {
            c.service.is_none()
                && c.party == Party::Third
                && registrable_domain(c.domain.trim_start_matches('.')) == group.domain
        })
        .map(|c| c.name.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let hosts_text = match group.hosts.as_slice() {
        [h] => h.clone(),
        hs => format!("{} ({} hosts)", list(hs, 3), hs.len()),
    };
    let silence = policy_silence(report, &[]);
    let policy_part = if silence.starts_with("the privacy policy") {
        format!(
            "no service catalog entry, host or provider in the privacy policy matches {}",
            group.domain
        )
    } else {
        silence
    };
    Finding {
        kind: FindingKind::UnattributedThirdParty,
        severity: if group.loaded {
            Severity::Medium
        } else {
            Severity::Low
        },
        service: None,
        company: None,
        hosts: group.hosts.clone(),
        cookies: cookies.clone(),
        pages: cap_pages(all_pages.iter().cloned()),
        evidence: format!(
            "{hosts_text} {}{}; {policy_part}.",
            activity(report, &group.hosts, &cookies),
            where_seen(&all_pages)
        ),
        message: format!(
            "Needs review: find out who operates {} and name that provider in the privacy policy, or add it to a catalog file (--catalog) so scans attribute it.",
            group.domain
        ),
        accepted: None,
        evidence_strength: Some(EvidenceStrength::Request),
    }
}

/// `declared_not_observed`: the policy names a service this scan did not see.
pub fn declared_not_observed(
    report: &Seen<'_>,
    catalog: &Catalog,
    id: &str,
    d: &Declaration,
) -> Finding {
    let cs = catalog.service(id);
    let name = cs.map(|s| s.name.clone()).unwrap_or_else(|| d.name.clone());
    let company = d.company.clone().or_else(|| {
        cs.and_then(|s| catalog.company(&s.company))
            .map(|c| c.name.clone())
    });
    let pages = report.pages.len();
    Finding {
        kind: FindingKind::DeclaredNotObserved,
        severity: Severity::Info,
        service: Some(id.to_string()),
        company,
        hosts: Vec::new(),
        cookies: Vec::new(),
        pages: Vec::new(),
        evidence: format!(
            "The privacy policy names {name}: {}; no request, cookie or script of {name} was seen on the {pages} page{} scanned.",
            quote(d),
            plural(pages)
        ),
        message: format!(
            "May be used off-site or on pages not crawled; if the site no longer uses {name}, remove it from the privacy policy."
        ),
        accepted: None,
        evidence_strength: None,
    }
}

fn has_type(report: &Seen<'_>, hosts: &[String], kind: &str) -> bool {
    report
        .third_parties
        .iter()
        .any(|t| hosts.contains(&t.host) && t.resource_types.iter().any(|r| r == kind))
}
