//! Plain-text descriptions shared by the Markdown, HTML and terminal writers (unescaped: each
//! writer escapes the result for its format).

use super::model::{
    Cookie, DeclarationRef, Finding, FindingKind, Phase, Report, ScanError, Severity, ThirdParty,
};

/// Severities in display order, worst first.
pub const SEVERITIES: [Severity; 4] = Severity::WORST_FIRST;

/// What the Markdown and HTML reports say when there is nothing to fix.
pub const NO_FINDINGS: &str = "No findings: every observed service is named in the privacy policy.";

/// One line per phase of `consent.signals`: "after_reject: Google Consent Mode ad_storage
/// denied, … (no cookies); TCF CMP 300, purposes 1, 2, 12 vendors consented".
pub fn signal_lines(report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    for (phase, s) in &report.consent.signals {
        let mut parts = Vec::new();
        if let Some(g) = &s.google_consent_mode {
            let cookies = if g.cookies.is_empty() {
                "no cookies".to_string()
            } else {
                format!("cookies {}", short_list(&g.cookies, 5))
            };
            parts.push(format!(
                "Google Consent Mode ad_storage {}, analytics_storage {}, ad_user_data {}, ad_personalization {} ({cookies}; from {})",
                g.ad_storage, g.analytics_storage, g.ad_user_data, g.ad_personalization, g.source
            ));
        }
        if let Some(t) = &s.tcf {
            parts.push(if !t.present {
                "no TCF API".to_string()
            } else if t.timed_out {
                "TCF API did not answer".to_string()
            } else {
                let purposes: Vec<String> =
                    t.purposes_consented.iter().map(u32::to_string).collect();
                format!(
                    "TCF CMP {}, purposes consented: {}, {} vendors consented",
                    t.cmp_id
                        .map(|i| i.to_string())
                        .unwrap_or_else(|| "?".into()),
                    if purposes.is_empty() {
                        "none".into()
                    } else {
                        purposes.join(", ")
                    },
                    t.vendors_consented
                )
            });
        }
        if let Some(n) = &s.note {
            parts.push(format!("note: {n}"));
        }
        if !parts.is_empty() {
            out.push(format!("{phase}: {}", parts.join("; ")));
        }
    }
    out
}

/// Findings of `severity`, in report order.
pub fn findings_of(report: &Report, severity: Severity) -> impl Iterator<Item = &Finding> {
    report
        .findings
        .iter()
        .filter(move |f| f.severity == severity)
}

/// Count of findings of `severity` that still count (not covered by an unexpired acceptance).
pub fn open_count(report: &Report, severity: Severity) -> usize {
    findings_of(report, severity)
        .filter(|f| !is_accepted(f))
        .count()
}

/// Covered by an acceptance that has not expired.
pub fn is_accepted(f: &Finding) -> bool {
    f.accepted.as_ref().is_some_and(|a| !a.expired)
}

/// "Accepted: reason (approved by X, until D)" / "Acceptance expired …" / "".
pub fn acceptance(f: &Finding) -> String {
    match &f.accepted {
        None => String::new(),
        Some(a) => {
            let until = a
                .expires
                .as_deref()
                .map(|d| format!(", until {d}"))
                .unwrap_or_default();
            let head = if a.expired {
                "Acceptance expired"
            } else {
                "Accepted"
            };
            format!(
                "{head}: {} (approved by {}{until})",
                a.reason, a.approved_by
            )
        }
    }
}

/// What a finding is about: the service's display name (when observed), its id, else the hosts.
pub fn subject(report: &Report, f: &Finding) -> String {
    match &f.service {
        Some(id) => service_name(report, id),
        None => f.hosts.first().cloned().unwrap_or_else(|| "—".into()),
    }
}

/// Display name of a service id: as observed, else as the policy names it (a declared service
/// that was not observed), else the id itself.
pub fn service_name(report: &Report, id: &str) -> String {
    report
        .services
        .iter()
        .find(|s| s.id == id)
        .map(|s| s.name.clone())
        .or_else(|| {
            report
                .policy
                .declarations
                .iter()
                .find(|d| d.service.as_deref() == Some(id) && d.matched_as == "service")
                .map(|d| d.name.clone())
        })
        .unwrap_or_else(|| id.to_string())
}

/// Consent phases as the report names them, comma-separated.
pub fn phase_list(phases: &[Phase]) -> String {
    let names: Vec<&str> = phases.iter().map(|p| p.as_str()).collect();
    names.join(", ")
}

/// Kind as a reader would say it: "undisclosed service".
pub fn kind_label(kind: FindingKind) -> String {
    kind.as_str().replace('_', " ")
}

/// "session", "2 years", "30 days", "3 hours", "deleted".
pub fn lifetime(c: &Cookie) -> String {
    if c.deletion {
        return "deleted".into();
    }
    match c.lifetime_seconds {
        None if c.session => "session".into(),
        None => "unknown".into(),
        Some(s) if s <= 0 => "deleted".into(),
        Some(s) => {
            const UNITS: [(i64, &str); 5] = [
                (365 * 86_400, "year"),
                (30 * 86_400, "month"),
                (86_400, "day"),
                (3_600, "hour"),
                (60, "minute"),
            ];
            for (secs, unit) in UNITS {
                if s >= secs {
                    let n = s / secs;
                    return format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
                }
            }
            format!("{s} seconds")
        }
    }
}

/// "yes" / "no".
pub fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// "yes" / "no" / "—" (unknown).
pub fn yes_no_unknown(b: Option<bool>) -> &'static str {
    match b {
        Some(b) => yes_no(b),
        None => "—",
    }
}

/// "a, b, c +2".
pub fn short_list(items: &[String], max: usize) -> String {
    let mut s = items
        .iter()
        .take(max)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        s.push_str(&format!(" +{}", items.len() - max));
    }
    s
}

/// Columns of the cookie table (Markdown and HTML), in the order of [`cookie_cells`].
pub const COOKIE_COLUMNS: [&str; 11] = [
    "Name",
    "Domain",
    "Party",
    "Lifetime",
    "Service",
    "Before consent",
    "Set by",
    "Secure",
    "HttpOnly",
    "SameSite",
    "Pages",
];

/// One cookie's row under [`COOKIE_COLUMNS`].
pub fn cookie_cells(report: &Report, c: &Cookie) -> [String; 11] {
    [
        c.name.clone(),
        c.domain.clone(),
        c.party.to_string(),
        lifetime(c),
        c.service
            .as_deref()
            .map(|s| service_name(report, s))
            .unwrap_or_default(),
        yes_no(c.before_consent).into(),
        c.set_by.to_string(),
        yes_no(c.secure).into(),
        yes_no(c.http_only).into(),
        c.same_site.as_deref().unwrap_or("—").into(),
        c.pages.len().to_string(),
    ]
}

/// Columns of the third-party table (Markdown and HTML), in the order of [`third_party_cells`].
pub const THIRD_PARTY_COLUMNS: [&str; 8] = [
    "Host",
    "Service",
    "Company",
    "Types",
    "Pages",
    "Consent-gated",
    "Before consent",
    "Loaded",
];

/// One third-party host's row under [`THIRD_PARTY_COLUMNS`]; at most `max_types` resource types
/// are named (a wide HTML table has room for more than a Markdown ticket).
pub fn third_party_cells(report: &Report, t: &ThirdParty, max_types: usize) -> [String; 8] {
    [
        t.host.clone(),
        t.service
            .as_deref()
            .map(|s| service_name(report, s))
            .unwrap_or_else(|| "unattributed".into()),
        t.company.as_deref().unwrap_or("—").into(),
        short_list(&t.resource_types, max_types),
        t.pages.len().to_string(),
        yes_no(t.consent_gated).into(),
        yes_no(t.before_consent).into(),
        yes_no(t.loaded).into(),
    ]
}

/// Columns of the error table, in the order of [`error_cells`].
pub const ERROR_COLUMNS: [&str; 3] = ["URL", "Kind", "Message"];

/// One error's row under [`ERROR_COLUMNS`].
pub fn error_cells(e: &ScanError) -> [String; 3] {
    [e.url.clone(), e.kind.to_string(), e.message.clone()]
}

/// ", section “Analytics > Google”" after a disclosed service, or "" when the declaration has
/// no section heading.
pub fn section_note(d: &DeclarationRef) -> String {
    if d.section.is_empty() {
        String::new()
    } else {
        format!(", section “{}”", d.section)
    }
}

/// One line on how the policy was read: "https://…/datenschutz (de, found via link, 12 declarations)"
/// or why none was read.
pub fn policy_line(report: &Report) -> String {
    let p = &report.policy;
    if p.urls.is_empty() {
        return match &p.error {
            Some(e) => format!("not read: {e}"),
            None => "not found".into(),
        };
    }
    let mut facts = Vec::new();
    if let Some(l) = &p.language {
        facts.push(l.clone());
    }
    if let Some(d) = &p.discovered_by {
        facts.push(format!("found via {}", d.replace('_', " ")));
    }
    let n = p.declarations.iter().filter(|d| !d.negated).count();
    facts.push(format!("{n} declaration{}", if n == 1 { "" } else { "s" }));
    let mut line = format!("{} ({})", p.urls.join(", "), facts.join(", "));
    if let Some(e) = &p.error {
        line.push_str(&format!("; problem: {e}"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_read_naturally() {
        let mut c = Cookie {
            lifetime_seconds: Some(63_072_000),
            ..Default::default()
        };
        assert_eq!(lifetime(&c), "2 years");
        c.lifetime_seconds = Some(86_400);
        assert_eq!(lifetime(&c), "1 day");
        c.lifetime_seconds = None;
        c.session = true;
        assert_eq!(lifetime(&c), "session");
    }

    #[test]
    fn signals_read_as_one_line_per_phase() {
        use crate::model::{ConsentState, GoogleConsentMode, PhaseSignals, SignalSource, Tcf};
        let mut r = Report::default();
        r.consent.signals.insert(
            Phase::AfterReject,
            PhaseSignals {
                google_consent_mode: Some(GoogleConsentMode {
                    ad_storage: ConsentState::Denied,
                    analytics_storage: ConsentState::Denied,
                    ad_user_data: ConsentState::Unset,
                    ad_personalization: ConsentState::Unset,
                    source: SignalSource::Requests,
                    ..Default::default()
                }),
                tcf: Some(Tcf {
                    present: true,
                    cmp_id: Some(7),
                    purposes_consented: vec![1, 2],
                    vendors_consented: 3,
                    ..Default::default()
                }),
                note: None,
            },
        );
        r.consent
            .signals
            .insert(Phase::BeforeConsent, PhaseSignals::default());
        assert_eq!(
            signal_lines(&r),
            ["after_reject: Google Consent Mode ad_storage denied, analytics_storage denied, ad_user_data unset, ad_personalization unset (no cookies; from requests); TCF CMP 7, purposes consented: 1, 2, 3 vendors consented"]
        );
    }
}
