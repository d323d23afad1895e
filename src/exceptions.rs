//! Accepted exceptions: a finding the DPO has reviewed and accepted, with a reason, an approver and
//! an expiry date. Accepted findings stay in the report (marked, never hidden) and stop counting
//! for the exit code until they expire; an expired acceptance counts again and says so.

use crate::model::{Acceptance, Finding, FindingKind};
use serde::Deserialize;

/// One `[[accept]]` entry of `privacy-inventory.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptRule {
    /// Catalog service id the acceptance covers.
    #[serde(default)]
    pub service: Option<String>,
    /// Hostname the acceptance covers (exact, or a subdomain of it).
    #[serde(default)]
    pub host: Option<String>,
    /// Finding kind it is limited to (default: every kind); an unknown kind is a config error.
    #[serde(default)]
    pub kind: Option<FindingKind>,
    /// Why it is accepted.
    pub reason: String,
    /// Who approved it.
    pub approved_by: String,
    /// Last day (YYYY-MM-DD) the acceptance holds.
    #[serde(default)]
    pub expires: Option<String>,
}

impl AcceptRule {
    /// Check the entry is usable; the message names the field to fix.
    pub fn validate(&self) -> Result<(), String> {
        if self.service.is_none() && self.host.is_none() {
            return Err("an [[accept]] entry needs `service` or `host`".into());
        }
        if let Some(d) = &self.expires {
            parse_date(d)
                .ok_or_else(|| format!("[[accept]] expires {d:?}: expected YYYY-MM-DD"))?;
        }
        Ok(())
    }

    fn covers(&self, f: &Finding) -> bool {
        if self.kind.is_some_and(|k| k != f.kind) {
            return false;
        }
        let by_service = self
            .service
            .as_deref()
            .is_some_and(|s| f.service.as_deref() == Some(s));
        let by_host = self.host.as_deref().is_some_and(|h| {
            let h = crate::domain::normalize_host(h);
            !f.hosts.is_empty() && f.hosts.iter().all(|fh| crate::domain::host_within(fh, &h))
        });
        by_service || by_host
    }
}

fn parse_date(s: &str) -> Option<time::Date> {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// Mark findings covered by `rules` as accepted, as of `today`.
pub fn apply(findings: &mut [Finding], rules: &[AcceptRule], today: time::Date) {
    for f in findings.iter_mut() {
        if let Some(rule) = rules.iter().find(|r| r.covers(f)) {
            let expired = rule
                .expires
                .as_deref()
                .and_then(parse_date)
                .is_some_and(|d| today > d);
            f.accepted = Some(Acceptance {
                reason: rule.reason.clone(),
                approved_by: rule.approved_by.clone(),
                expires: rule.expires.clone(),
                expired,
            });
            if expired {
                f.message = format!(
                    "{} (The accepted exception by {} expired on {}: this finding counts again.)",
                    f.message,
                    rule.approved_by,
                    rule.expires.as_deref().unwrap_or("")
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(service: &str, host: &str) -> Finding {
        Finding {
            kind: FindingKind::UndisclosedService,
            severity: crate::model::Severity::Medium,
            service: Some(service.into()),
            hosts: vec![host.into()],
            message: "Name it in the policy.".into(),
            ..Default::default()
        }
    }

    fn rule(service: Option<&str>, host: Option<&str>, expires: &str) -> AcceptRule {
        AcceptRule {
            service: service.map(Into::into),
            host: host.map(Into::into),
            kind: None,
            reason: "self-hosted soon".into(),
            approved_by: "dpo@example.com".into(),
            expires: Some(expires.into()),
        }
    }

    #[test]
    fn accepted_until_expiry_then_counts_again() {
        let today = parse_date("2026-11-29").unwrap();
        let mut fs = vec![
            finding("google-fonts", "fonts.googleapis.com"),
            finding("hotjar", "static.hotjar.com"),
        ];
        apply(
            &mut fs,
            &[
                rule(Some("google-fonts"), None, "2026-12-31"),
                rule(None, Some("hotjar.com"), "2026-11-01"),
            ],
            today,
        );
        let a = fs[0].accepted.as_ref().unwrap();
        assert!(!a.expired);
        let b = fs[1].accepted.as_ref().unwrap();
        assert!(b.expired);
        assert!(fs[1].message.contains("expired on 2026-11-01"));
    }

    #[test]
    fn host_rule_needs_every_host_covered_and_validation_names_fields() {
        let mut f = finding("x", "a.example.com");
        f.hosts.push("other.net".into());
        let mut fs = vec![f];
        apply(
            &mut fs,
            &[rule(None, Some("example.com"), "2030-01-01")],
            parse_date("2026-01-01").unwrap(),
        );
        assert!(fs[0].accepted.is_none());
        assert!(rule(None, None, "2030-01-01")
            .validate()
            .unwrap_err()
            .contains("service"));
        assert!(rule(Some("x"), None, "31.12.2026")
            .validate()
            .unwrap_err()
            .contains("YYYY-MM-DD"));
    }
}
