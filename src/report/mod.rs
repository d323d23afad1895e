//! Report: the schema-v1 model and its writers (JSON, Markdown, HTML, terminal). Writers only read
//! a finished [`model::Report`]; nothing here crawls or decides.

/// The model lives on the ground floor ([`crate::model`]); `report::model` stays its familiar path.
pub use crate::model;

pub mod describe;
pub mod drift;
pub mod escape;
pub mod html;
pub mod json;
pub mod markdown;
pub mod overview;
pub mod policy;
pub mod recipients;
pub mod redact;
pub mod terminal;

use describe::{is_accepted, SEVERITIES};
use model::{FindingKind, Report, Summary};
use std::collections::BTreeMap;

/// Recompute `summary` from the report's lists. Findings covered by an unexpired acceptance are
/// not counted; every known severity is present (as 0) so the JSON shape does not vary.
pub fn summarize(report: &Report) -> Summary {
    let mut by_sev: BTreeMap<String, usize> =
        SEVERITIES.iter().map(|s| (s.to_string(), 0)).collect();
    for f in report.findings.iter().filter(|f| !is_accepted(f)) {
        *by_sev.entry(f.severity.to_string()).or_default() += 1;
    }
    Summary {
        pages: report.pages.len(),
        cookies: report.cookies.len(),
        third_party_hosts: report.third_parties.len(),
        services: report.services.len(),
        undisclosed: report
            .findings
            .iter()
            .filter(|f| f.kind == FindingKind::UndisclosedService)
            .count(),
        findings_by_severity: by_sev,
        errors: report.errors.len(),
    }
}
