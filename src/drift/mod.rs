//! Drift: what changed between two reports of the same site (a nightly run and last night's).
//!
//! Identity rules are what a DPO would call "the same thing": a service by catalog id, a host by
//! name, a cookie by `name@domain`, a finding by (kind, service, hosts). Pages and counts are
//! deliberately not part of identity, so a finding seen on more pages tonight is not "new".

use crate::model::{Changes, Finding, Report};
use std::collections::BTreeSet;

/// Stable identity of a finding across runs.
pub fn finding_key(f: &Finding) -> String {
    format!(
        "{}|{}|{}",
        f.kind,
        f.service.as_deref().unwrap_or(""),
        f.hosts.join(",")
    )
}

fn split<T: Ord + Clone>(old: &BTreeSet<T>, new: &BTreeSet<T>) -> (Vec<T>, Vec<T>) {
    (
        new.difference(old).cloned().collect(),
        old.difference(new).cloned().collect(),
    )
}

/// Compare `old` (baseline) with `new`.
pub fn compare(old: &Report, new: &Report) -> Changes {
    let services = |r: &Report| {
        r.services
            .iter()
            .map(|s| s.id.clone())
            .collect::<BTreeSet<_>>()
    };
    // A new outbound link is no new data flow: hosts only navigated to are not compared.
    let hosts = |r: &Report| {
        r.third_parties
            .iter()
            .filter(|t| !t.navigation_only())
            .map(|t| t.host.clone())
            .collect::<BTreeSet<_>>()
    };
    let cookies = |r: &Report| {
        r.cookies
            .iter()
            .map(|c| format!("{}@{}", c.name, c.domain))
            .collect::<BTreeSet<_>>()
    };
    let (new_services, removed_services) = split(&services(old), &services(new));
    let (new_hosts, removed_hosts) = split(&hosts(old), &hosts(new));
    let (new_cookies, removed_cookies) = split(&cookies(old), &cookies(new));
    let old_keys: BTreeSet<String> = old.findings.iter().map(finding_key).collect();
    let new_keys: BTreeSet<String> = new.findings.iter().map(finding_key).collect();
    let new_findings = new
        .findings
        .iter()
        .filter(|f| !old_keys.contains(&finding_key(f)))
        .cloned()
        .collect();
    let resolved_findings = old
        .findings
        .iter()
        .filter(|f| !new_keys.contains(&finding_key(f)))
        .cloned()
        .collect();
    Changes {
        baseline_target: old.target.clone(),
        baseline_started_at: old.started_at.clone(),
        new_services,
        removed_services,
        new_hosts,
        removed_hosts,
        new_cookies,
        removed_cookies,
        new_findings,
        resolved_findings,
    }
}

/// True when nothing changed.
pub fn is_empty(c: &Changes) -> bool {
    c.new_services.is_empty()
        && c.removed_services.is_empty()
        && c.new_hosts.is_empty()
        && c.removed_hosts.is_empty()
        && c.new_cookies.is_empty()
        && c.removed_cookies.is_empty()
        && c.new_findings.is_empty()
        && c.resolved_findings.is_empty()
}

/// Load a stored report; the error names the file and what is wrong with it.
pub fn load_report(path: &std::path::Path) -> Result<Report, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read report {}: {e}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    match value.get("schema_version").and_then(|v| v.as_str()) {
        Some(crate::model::SCHEMA_VERSION) => {}
        Some(v) => {
            return Err(format!(
                "{} has schema_version {v:?}; this version reads \"{}\"",
                path.display(),
                crate::model::SCHEMA_VERSION
            ))
        }
        None => {
            return Err(format!(
                "{} is not a privacy-inventory report (no schema_version)",
                path.display()
            ))
        }
    }
    serde_json::from_value(value)
        .map_err(|e| format!("{} is not a valid report: {e}", path.display()))
}

const TEXT_SEVERITY: fn(&str) -> String = |s| format!("[{s}]");
const PLAIN_SEVERITY: fn(&str) -> String = |s| s.to_string();

/// One line per finding: severity (as `severity` shows it), kind, service and hosts.
fn finding_lines(fs: &[Finding], severity: fn(&str) -> String) -> Vec<String> {
    fs.iter()
        .map(|f| {
            format!(
                "{} {} {} ({})",
                severity(f.severity.as_str()),
                f.kind,
                f.service.as_deref().unwrap_or("-"),
                f.hosts.join(", ")
            )
        })
        .collect()
}

/// Plain-text rendering (terminal and `diff --format text`).
pub fn render_text(c: &Changes) -> String {
    let mut out = String::new();
    if is_empty(c) {
        out.push_str("No changes since the baseline.\n");
        return out;
    }
    let mut section = |title: &str, sign: char, items: &[String]| {
        if !items.is_empty() {
            out.push_str(&format!("{title}:\n"));
            for i in items {
                out.push_str(&format!("  {sign} {i}\n"));
            }
        }
    };
    section("New services", '+', &c.new_services);
    section("Removed services", '-', &c.removed_services);
    section("New third-party hosts", '+', &c.new_hosts);
    section("Removed third-party hosts", '-', &c.removed_hosts);
    section("New cookies", '+', &c.new_cookies);
    section("Removed cookies", '-', &c.removed_cookies);
    section(
        "New findings",
        '+',
        &finding_lines(&c.new_findings, TEXT_SEVERITY),
    );
    section(
        "Resolved findings",
        '-',
        &finding_lines(&c.resolved_findings, TEXT_SEVERITY),
    );
    out
}

/// Markdown rendering, for a ticket.
pub fn render_markdown(c: &Changes) -> String {
    let esc = |s: &str| {
        s.replace('|', "\\|")
            .replace('`', "\\`")
            .replace('<', "&lt;")
            .replace('\n', " ")
    };
    let mut out = format!(
        "## Changes since {} ({})\n\n",
        esc(&c.baseline_started_at),
        esc(&c.baseline_target)
    );
    if is_empty(c) {
        out.push_str("No changes.\n");
        return out;
    }
    out.push_str("| change | what |\n|---|---|\n");
    let mut rows = |label: &str, items: &[String]| {
        for i in items {
            out.push_str(&format!("| {label} | {} |\n", esc(i)));
        }
    };
    rows("new service", &c.new_services);
    rows("removed service", &c.removed_services);
    rows("new host", &c.new_hosts);
    rows("removed host", &c.removed_hosts);
    rows("new cookie", &c.new_cookies);
    rows("removed cookie", &c.removed_cookies);
    rows(
        "new finding",
        &finding_lines(&c.new_findings, PLAIN_SEVERITY),
    );
    rows(
        "resolved finding",
        &finding_lines(&c.resolved_findings, PLAIN_SEVERITY),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cookie, ServiceUse, ThirdParty};

    fn report(services: &[&str], hosts: &[&str], findings: &[(&str, &str)]) -> Report {
        Report {
            services: services
                .iter()
                .map(|s| ServiceUse {
                    id: s.to_string(),
                    ..Default::default()
                })
                .collect(),
            third_parties: hosts
                .iter()
                .map(|h| ThirdParty {
                    host: h.to_string(),
                    ..Default::default()
                })
                .collect(),
            cookies: vec![Cookie {
                name: "_ga".into(),
                domain: ".example.com".into(),
                ..Default::default()
            }],
            findings: findings
                .iter()
                .map(|(k, s)| Finding {
                    kind: k.parse().expect("a finding kind"),
                    service: Some(s.to_string()),
                    severity: crate::model::Severity::High,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn new_and_removed_are_split_by_identity() {
        let old = report(
            &["google-analytics", "hotjar"],
            &["www.google-analytics.com", "static.hotjar.com"],
            &[("undisclosed_service", "hotjar")],
        );
        let mut new = report(
            &["google-analytics", "meta-pixel"],
            &["www.google-analytics.com", "connect.facebook.net"],
            &[("undisclosed_service", "meta-pixel")],
        );
        new.findings[0].pages = vec!["https://x/".into()];
        let c = compare(&old, &new);
        assert_eq!(c.new_services, vec!["meta-pixel"]);
        assert_eq!(c.removed_services, vec!["hotjar"]);
        assert_eq!(c.new_hosts, vec!["connect.facebook.net"]);
        assert_eq!(c.removed_hosts, vec!["static.hotjar.com"]);
        assert!(c.new_cookies.is_empty());
        assert_eq!(c.new_findings.len(), 1);
        assert_eq!(c.resolved_findings[0].service.as_deref(), Some("hotjar"));
        assert!(render_text(&c).contains("+ meta-pixel"));
        assert!(render_markdown(&c).contains("| new host | connect.facebook.net |"));
    }

    #[test]
    fn a_new_link_is_no_new_host() {
        let old = report(&["a"], &["h.example"], &[]);
        let mut new = old.clone();
        new.third_parties.push(ThirdParty {
            host: "join.slack.com".into(),
            resource_types: vec!["navigation".into()],
            ..Default::default()
        });
        assert!(is_empty(&compare(&old, &new)));
    }

    #[test]
    fn identical_reports_have_no_changes() {
        let r = report(&["a"], &["h.example"], &[("undisclosed_service", "a")]);
        assert!(is_empty(&compare(&r, &r)));
        assert_eq!(
            render_text(&compare(&r, &r)),
            "No changes since the baseline.\n"
        );
    }
}
