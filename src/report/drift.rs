//! The `diff` command's renderings of [`Changes`] (text for the terminal, Markdown for a ticket).
//! Names, hosts and services come from scanned sites, so every one goes through the same
//! [`escape`] functions as the scan report.

use super::escape;
use crate::drift::is_empty;
use crate::model::{Changes, Finding};

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
                // Names, hosts and services come from scanned sites: no control or bidi
                // character reaches the terminal.
                out.push_str(&format!("  {sign} {}\n", escape::terminal(i)));
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
    let esc = escape::markdown;
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
