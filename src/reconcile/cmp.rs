//! The consent manager's own service list as a third source: per service, is it in the policy,
//! in the CMP, observed? A service the banner asks consent for but the policy never names is a
//! gap a DPO must close even when this scan did not see it load.

use super::disclosure::{Basis, Declared};
use super::Seen;
use crate::catalog::{name_key, Catalog};
use crate::model::{CmpService, Finding, FindingKind, ServiceUse, Severity};

/// What the cross-check decided for one `consent.cmp_services` entry.
pub struct Mark {
    service: Option<String>,
    in_policy: bool,
    observed: bool,
}

/// Decide each CMP service and produce `cmp_service_not_in_policy` findings (medium): the banner
/// declares a service the policy does not disclose. Observed services already get their own
/// `undisclosed_service` finding, so only unobserved ones are reported here.
pub fn cross_check(
    report: &Seen<'_>,
    catalog: &Catalog,
    declared: &Declared,
) -> (Vec<Finding>, Vec<Mark>) {
    let mut findings = Vec::new();
    let mut marks = Vec::new();
    for cs in &report.consent.cmp_services {
        let known = catalog.service_named(&cs.name);
        let service = known.map(|s| s.id.clone());
        let company = known
            .and_then(|s| catalog.company_of(s))
            .map(|c| c.name.clone());
        let observed = service
            .as_deref()
            .is_some_and(|id| report.services.iter().any(|s| s.id == id));
        let in_policy = match known {
            Some(svc) => {
                let probe = ServiceUse {
                    id: svc.id.clone(),
                    name: svc.name.clone(),
                    company: company.clone().unwrap_or_default(),
                    categories: svc.categories.clone(),
                    hosts: svc.hosts.clone(),
                    ..Default::default()
                };
                matches!(
                    declared.for_service(&probe, catalog),
                    Some(
                        Basis::Service(_)
                            | Basis::Family(_)
                            | Basis::Host(_)
                            | Basis::Purpose(_)
                            | Basis::Cookie(_)
                    )
                )
            }
            None => {
                let want = name_key(&cs.name);
                declared.all().iter().any(|d| name_key(&d.name) == want)
            }
        };
        if !in_policy && !observed {
            let cmp = report
                .consent
                .cmp
                .as_deref()
                .unwrap_or("the consent manager");
            findings.push(Finding {
                kind: FindingKind::CmpServiceNotInPolicy,
                severity: Severity::Medium,
                service: service.clone(),
                company,
                evidence: format!(
                    "The consent banner ({cmp}) asks consent for \"{}\", but the privacy policy does not name it (not observed in this scan).",
                    cs.name
                ),
                message: format!(
                    "Name \"{}\" in the privacy policy, or remove it from the consent manager if the site no longer uses it.",
                    cs.name
                ),
                ..Default::default()
            });
        }
        marks.push(Mark {
            service,
            in_policy,
            observed,
        });
    }
    (findings, marks)
}

/// `consent.cmp_services` with the decisions filled in.
pub fn apply(cmp_services: &[CmpService], marks: Vec<Mark>) -> Vec<CmpService> {
    cmp_services
        .iter()
        .zip(marks)
        .map(|(cs, m)| CmpService {
            service: m.service,
            in_policy: m.in_policy,
            observed: m.observed,
            ..cs.clone()
        })
        .collect()
}
