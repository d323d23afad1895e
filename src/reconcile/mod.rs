//! Reconcile: what was observed vs what the policy declares → findings and disclosures.
//!
//! Rules (see the README "Findings" section):
//! - an observed third-party service is `disclosed` when the policy names it, a service of its
//!   product family, or one of its hosts; `disclosed_by_company_only` (low) when only its company
//!   is named; otherwise `undisclosed_service`, with a severity by category ([`severity`]);
//! - a loaded third-party host no catalog entry explains is `unattributed_third_party` (medium,
//!   "needs review") unless a host or provider sentence in the policy matches its domain;
//! - an infrastructure provider (CDN, hoster, mail, from headers and DNS) the policy does not
//!   name is `undisclosed_service` (medium) ([`infrastructure`]);
//! - every recipient the policy names gets one row in the declared ledger ([`ledger`]); a row
//!   nothing explains is `declared_not_observed` (info);
//! - a tracker script not gated by consent-manager markup is `tracking_before_consent` (high);
//!   in browser mode with a before-consent phase, what the browser contacted decides instead;
//! - consent signals per phase (Google Consent Mode, IAB TCF) give `consent_mode_ping_after_reject`,
//!   `consent_mode_missing` and `tcf_consent_after_reject` ([`consent_signals`]).
//!
//! First-party (self-hosted) services never become findings. Negated declarations disclose
//! nothing. The result is sorted, so two runs on the same report give the same findings.

mod cmp;
mod consent_signals;
mod disclosure;
mod evidence;
mod infrastructure;
mod ledger;
mod rules;
pub mod severity;

use crate::catalog::{Catalog, Inventory};
use crate::model::{
    CmpService, Consent, Cookie, Declaration, DeclarationRef, DeclaredRecipient, Disclosed,
    Finding, InfrastructureProvider, Mode, Page, Phase, PhaseSignals, Policy, Script, ServiceUse,
    ThirdParty,
};
use disclosure::{Basis, Declared};
use std::cmp::Reverse;
use std::collections::BTreeMap;

/// What the diff produced: the report's `findings`, `disclosed` and `declared` (the ledger), the
/// consent manager's service list with `service`, `in_policy` and `observed` decided, and the
/// consent signals with the cookies of each phase's Google services filled in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reconciled {
    /// Sorted in the report contract's order ([`sort_findings`]).
    pub findings: Vec<Finding>,
    /// Sorted by (service, hosts).
    pub disclosed: Vec<Disclosed>,
    /// The declared ledger: every recipient the policy names, once, sorted by (name, service,
    /// company).
    pub declared: Vec<DeclaredRecipient>,
    /// `consent.cmp_services`, in the consent section's order, cross-checked.
    pub cmp_services: Vec<CmpService>,
    /// `consent.signals`, with `google_consent_mode.cookies` decided from the attributed cookies.
    pub signals: BTreeMap<Phase, PhaseSignals>,
}

/// What every rule reads: the attributed inventory, the policy and the consent section, as one
/// borrowed view (field names as in the report, so a rule reads like the report it explains).
pub(crate) struct Seen<'a> {
    pub mode: Mode,
    pub pages: &'a [Page],
    pub cookies: &'a [Cookie],
    pub third_parties: &'a [ThirdParty],
    pub scripts: &'a [Script],
    pub services: &'a [ServiceUse],
    pub policy: &'a Policy,
    pub consent: &'a Consent,
    /// CDN, hoster and mail providers from headers and DNS.
    pub infrastructure: &'a [InfrastructureProvider],
    /// The start host (header and CNAME evidence is about it).
    pub site_host: &'a str,
    /// DNS look-ups were off (`--no-dns`).
    pub dns_off: bool,
}

/// Diff the inventory against the policy (and the consent manager's own list). Pure: the same
/// inputs give the same, sorted result.
pub fn reconcile(
    inventory: &Inventory,
    policy: &Policy,
    consent: &Consent,
    catalog: &Catalog,
) -> Reconciled {
    let report = &Seen {
        mode: inventory.mode,
        pages: &inventory.pages,
        cookies: &inventory.cookies,
        third_parties: &inventory.third_parties,
        scripts: &inventory.scripts,
        services: &inventory.services,
        policy,
        consent,
        infrastructure: &inventory.infrastructure,
        site_host: &inventory.site_host,
        dns_off: inventory.dns_off,
    };
    let declared = Declared::new(report.policy);
    let mut findings: Vec<Finding> = Vec::new();
    let mut disclosed: Vec<Disclosed> = Vec::new();

    for svc in report.services {
        let from = findings.len();
        match declared.for_service(svc, catalog) {
            Some(Basis::Service(d) | Basis::Family(d) | Basis::Host(d)) => {
                disclosed.push(Disclosed {
                    service: svc.id.clone(),
                    hosts: svc.hosts.clone(),
                    declaration: declaration_ref(d),
                });
            }
            Some(basis @ (Basis::Purpose(d) | Basis::Cookie(d))) => {
                let mut declaration = declaration_ref(d);
                let how = if matches!(basis, Basis::Purpose(_)) {
                    "purpose"
                } else {
                    "cookie"
                };
                declaration.matched_as = Some(how.into());
                disclosed.push(Disclosed {
                    service: svc.id.clone(),
                    hosts: svc.hosts.clone(),
                    declaration,
                });
            }
            // First-party (self-hosted) tools never become third-party findings.
            _ if svc.first_party => {}
            Some(Basis::CompanyOnly(d)) => findings.push(rules::company_only(report, svc, d)),
            None => findings.push(rules::undisclosed(report, catalog, svc)),
        }
        // A cookie name alone does not show the service ran: no consent finding on it.
        let weak = rules::cookie_name_only(svc);
        if !svc.first_party && !weak {
            findings.extend(rules::tracking_before_consent(report, svc));
            // Denied Consent Mode pings alone are a lesser finding than tracking after reject.
            match consent_signals::ping_after_reject(report, svc) {
                Some(ping) => findings.push(ping),
                None => findings.extend(rules::tracking_after_reject(report, svc)),
            }
        }
        for f in &mut findings[from..] {
            rules::weigh_evidence(f, svc);
        }
    }

    for group in rules::unattributed_groups(report) {
        let explained = group.hosts.iter().find_map(|h| declared.for_host(h));
        match explained {
            Some(d) => disclosed.push(Disclosed {
                // No catalog id exists for an unattributed host: the registrable domain stands in.
                service: group.domain.clone(),
                hosts: group.hosts.clone(),
                declaration: declaration_ref(d),
            }),
            None => findings.push(rules::unattributed(report, &group)),
        }
    }

    let (infra_findings, infra_disclosed) = infrastructure::reconcile(report, catalog, &declared);
    findings.extend(infra_findings);
    disclosed.extend(infra_disclosed);

    let ledger = ledger::build(report, catalog, &declared);
    findings.extend(ledger::findings(report, catalog, &ledger));
    let declared_ledger: Vec<DeclaredRecipient> = ledger.into_iter().map(|r| r.entry).collect();

    findings.extend(consent_signals::consent_mode_missing(report));
    findings.extend(consent_signals::tcf_consent_after_reject(report));

    let (cmp_findings, cmp_marks) = cmp::cross_check(report, catalog, &declared);
    findings.extend(cmp_findings);

    sort_findings(&mut findings);
    disclosed.sort_by(|a, b| (&a.service, &a.hosts).cmp(&(&b.service, &b.hosts)));
    disclosed.dedup();
    Reconciled {
        findings,
        disclosed,
        declared: declared_ledger,
        cmp_services: cmp::apply(&consent.cmp_services, cmp_marks),
        signals: consent_signals::with_cookies(report),
    }
}

/// Sort by (severity rank desc, kind, service, hosts, evidence): the report contract's order.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (
            Reverse(a.severity),
            &a.kind,
            &a.service,
            &a.hosts,
            &a.evidence,
        )
            .cmp(&(
                Reverse(b.severity),
                &b.kind,
                &b.service,
                &b.hosts,
                &b.evidence,
            ))
    });
}

fn declaration_ref(d: &Declaration) -> DeclarationRef {
    DeclarationRef {
        name: d.name.clone(),
        section: d.section.clone(),
        excerpt: d.excerpt.clone(),
        // Said only where the name is not the service's own: a brand of an unknown host.
        matched_as: (d.matched_as == "brand").then(|| d.matched_as.clone()),
    }
}
