//! The declared ledger and the infrastructure table as rows of plain-text cells, shared by the
//! Markdown and HTML writers (each escapes the cells its own way). The ledger is what a DPO walks
//! through: every recipient the policy names, and what the scan found of it.

use crate::model::{DeclaredRecipient, InfrastructureProvider};

/// Columns of the declared ledger.
pub const LEDGER_COLUMNS: [&str; 5] = [
    "Recipient",
    "Status",
    "Seen as / why not",
    "Section",
    "Policy sentence",
];

/// Columns of the infrastructure table.
pub const INFRASTRUCTURE_COLUMNS: [&str; 4] = ["Provider", "Role", "Company", "Evidence"];

/// What the ledger says when the policy names no recipient.
pub const NO_DECLARED: &str = "The privacy policy names no recipient (or no policy was read).";

/// What the infrastructure table says when nothing was recognised.
pub const NO_INFRASTRUCTURE: &str =
    "No CDN, hoster or mail provider recognised in the response headers or DNS records.";

/// One ledger row under [`LEDGER_COLUMNS`].
pub fn ledger_cells(d: &DeclaredRecipient) -> [String; 5] {
    let who = match (&d.service, &d.company) {
        (Some(s), _) => format!("{} ({s})", d.name),
        (None, Some(c)) if c != &d.name => format!("{} ({c})", d.name),
        _ => d.name.clone(),
    };
    let status = match d.status.as_str() {
        "observed" => "observed",
        "infrastructure" => "infrastructure",
        "not_observable" => "not observable",
        _ => "not observed",
    };
    let detail = match (&d.reason, d.hosts.as_slice()) {
        (Some(r), _) => r.clone(),
        (None, []) => String::new(),
        (None, hosts) => super::describe::short_list(hosts, 4),
    };
    [
        who,
        status.into(),
        detail,
        d.section.clone(),
        d.excerpt.trim().to_string(),
    ]
}

/// One infrastructure row under [`INFRASTRUCTURE_COLUMNS`].
pub fn infrastructure_cells(p: &InfrastructureProvider) -> [String; 4] {
    let evidence: Vec<String> = p
        .evidence
        .iter()
        .map(|e| format!("{}: {}", e.source, e.value))
        .collect();
    [
        match &p.service {
            Some(s) => format!("{} ({s})", p.name),
            None => p.name.clone(),
        },
        p.role.clone(),
        p.company.clone().unwrap_or_default(),
        evidence.join("; "),
    ]
}
