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
//!   in browser mode with a before-consent phase, what the browser contacted decides instead.
//!
//! First-party (self-hosted) services never become findings. Negated declarations disclose
//! nothing. The result is sorted, so two runs on the same report give the same findings.

mod cmp;
mod disclosure;
mod evidence;
mod infrastructure;
mod ledger;
mod rules;
pub mod severity;

use crate::catalog::Catalog;
use crate::report::model::{
    Declaration, DeclarationRef, DeclaredRecipient, Disclosed, Finding, Report,
};
use disclosure::{Basis, Declared};
use std::cmp::Reverse;

/// Fill `findings` and `disclosed` from the report's observed parts and its policy (replacing
/// what was there, so reconciling twice gives the same report).
pub fn reconcile(report: &mut Report, catalog: &Catalog) {
    let declared = Declared::new(&report.policy);
    let mut findings: Vec<Finding> = Vec::new();
    let mut disclosed: Vec<Disclosed> = Vec::new();

    for svc in &report.services {
        match declared.for_service(svc, catalog) {
            Some(Basis::Service(d) | Basis::Family(d) | Basis::Host(d)) => {
                disclosed.push(Disclosed {
                    service: svc.id.clone(),
                    hosts: svc.hosts.clone(),
                    declaration: declaration_ref(d),
                });
            }
            // First-party (self-hosted) tools never become third-party findings.
            _ if svc.first_party => {}
            Some(Basis::CompanyOnly(d)) => findings.push(rules::company_only(report, svc, d)),
            None => findings.push(rules::undisclosed(report, catalog, svc)),
        }
        if !svc.first_party {
            findings.extend(rules::tracking_before_consent(report, svc));
            findings.extend(rules::tracking_after_reject(report, svc));
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
    let ledger: Vec<DeclaredRecipient> = ledger.into_iter().map(|r| r.entry).collect();

    let (cmp_findings, cmp_marks) = cmp::cross_check(report, catalog, &declared);
    findings.extend(cmp_findings);

    sort_findings(&mut findings);
    disclosed.sort_by(|a, b| (&a.service, &a.hosts).cmp(&(&b.service, &b.hosts)));
    disclosed.dedup();
    report.findings = findings;
    report.disclosed = disclosed;
    report.declared = ledger;
    cmp::apply(report, cmp_marks);
}

/// Sort by (severity rank desc, kind, service, hosts, evidence): the report contract's order.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (
            Reverse(severity::rank(&a.severity)),
            &a.kind,
            &a.service,
            &a.hosts,
            &a.evidence,
        )
            .cmp(&(
                Reverse(severity::rank(&b.severity)),
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
    }
}
