//! Markdown for a compliance ticket: summary, findings table, disclosed services with the quoted
//! policy sentence, the declared ledger, infrastructure, cookie table, third-party table, errors.
//!
//! Every site-controlled string goes through [`escape::markdown`](super::escape::markdown) and is
//! never placed at the start of a line, so a hostile cookie name or excerpt can neither break a
//! table row nor inject links, images, HTML or mentions into the ticket.

use super::describe::{
    acceptance, cookie_cells, error_cells, kind_label, open_count, phase_list, policy_line,
    section_note, service_name, short_list, signal_lines, subject, third_party_cells,
    yes_no_unknown, COOKIE_COLUMNS, ERROR_COLUMNS, NO_FINDINGS, SEVERITIES, THIRD_PARTY_COLUMNS,
};
use super::escape::markdown as esc;
use super::model::Report;
use super::recipients::{
    infrastructure_cells, ledger_cells, INFRASTRUCTURE_COLUMNS, LEDGER_COLUMNS, NO_DECLARED,
    NO_INFRASTRUCTURE,
};
use std::fmt::Write as _;

/// Table rows beyond this are summarised ("… and N more"); the JSON report has them all.
pub const MAX_ROWS: usize = 200;

fn row(out: &mut String, cells: &[String]) {
    let _ = writeln!(out, "| {} |", cells.join(" | "));
}

fn header(out: &mut String, names: &[&str]) {
    let _ = writeln!(out, "| {} |", names.join(" | "));
    let _ = writeln!(out, "|{}", names.iter().map(|_| "---|").collect::<String>());
}

fn more(out: &mut String, total: usize) {
    if total > MAX_ROWS {
        let _ = writeln!(
            out,
            "\n_… and {} more rows (see the JSON report)._",
            total - MAX_ROWS
        );
    }
}

fn escaped_list(items: &[String], max: usize) -> String {
    esc(&short_list(items, max))
}

/// The whole report as Markdown.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Privacy inventory: {}\n", esc(&report.target));
    let _ = writeln!(
        out,
        "Scanned by {} {} in {} mode, started {} ({} ms), {} pages.  ",
        esc(&report.tool.name),
        esc(&report.tool.version),
        esc(report.mode.as_str()),
        esc(&report.started_at),
        report.duration_ms,
        report.pages.len()
    );
    let _ = writeln!(out, "Privacy policy: {}\n", esc(&policy_line(report)));

    summary(&mut out, report);
    findings(&mut out, report);
    disclosed(&mut out, report);
    ledger(&mut out, report);
    infrastructure(&mut out, report);
    cookies(&mut out, report);
    third_parties(&mut out, report);
    errors(&mut out, report);
    out
}

fn summary(out: &mut String, report: &Report) {
    let _ = writeln!(out, "## Summary\n");
    header(
        out,
        &[
            "High",
            "Medium",
            "Low",
            "Info",
            "Services",
            "Disclosed",
            "Third-party hosts",
            "Cookies",
            "Errors",
        ],
    );
    let mut cells: Vec<String> = SEVERITIES
        .iter()
        .map(|s| open_count(report, *s).to_string())
        .collect();
    cells.extend([
        report.services.len().to_string(),
        report.disclosed.len().to_string(),
        report.third_parties.len().to_string(),
        report.cookies.len().to_string(),
        report.errors.len().to_string(),
    ]);
    row(out, &cells);
    out.push('\n');
}

fn findings(out: &mut String, report: &Report) {
    let _ = writeln!(out, "## Findings\n");
    if report.findings.is_empty() {
        let _ = writeln!(out, "{NO_FINDINGS}\n");
        return;
    }
    header(
        out,
        &[
            "Severity",
            "Kind",
            "Service",
            "Hosts",
            "Cookies",
            "Pages",
            "Evidence",
            "What to do",
        ],
    );
    for f in report.findings.iter().take(MAX_ROWS) {
        let mut todo = esc(&f.message);
        let note = acceptance(f);
        if !note.is_empty() {
            todo = format!("{todo} **{}**", esc(&note));
        }
        row(
            out,
            &[
                format!("**{}**", f.severity),
                esc(&kind_label(f.kind)),
                esc(&subject(report, f)),
                escaped_list(&f.hosts, 5),
                escaped_list(&f.cookies, 5),
                f.pages.len().to_string(),
                esc(&f.evidence),
                todo,
            ],
        );
    }
    more(out, report.findings.len());
    out.push('\n');
}

fn disclosed(out: &mut String, report: &Report) {
    let _ = writeln!(out, "## Disclosed services\n");
    if report.disclosed.is_empty() {
        let _ = writeln!(out, "None.\n");
        return;
    }
    for d in report.disclosed.iter().take(MAX_ROWS) {
        let _ = writeln!(
            out,
            "- **{}**{}, named as “{}”{}:",
            esc(&service_name(report, &d.service)),
            // A service seen only by script signature or cookie has no host to show.
            if d.hosts.is_empty() {
                String::new()
            } else {
                format!(" ({})", escaped_list(&d.hosts, 5))
            },
            esc(&d.declaration.name),
            esc(&section_note(&d.declaration)),
        );
        let _ = writeln!(out, "  > “{}”", esc(d.declaration.excerpt.trim()));
    }
    more(out, report.disclosed.len());
    out.push('\n');
}

fn ledger(out: &mut String, report: &Report) {
    let _ = writeln!(out, "## Declared recipients\n");
    if report.declared.is_empty() {
        let _ = writeln!(out, "{NO_DECLARED}\n");
        return;
    }
    header(out, &LEDGER_COLUMNS);
    for d in report.declared.iter().take(MAX_ROWS) {
        row(out, &ledger_cells(d).map(|cell| esc(&cell)));
    }
    more(out, report.declared.len());
    out.push('\n');
}

fn infrastructure(out: &mut String, report: &Report) {
    let _ = writeln!(out, "## Infrastructure\n");
    if report.infrastructure.is_empty() {
        let _ = writeln!(out, "{NO_INFRASTRUCTURE}\n");
        return;
    }
    header(out, &INFRASTRUCTURE_COLUMNS);
    for p in report.infrastructure.iter().take(MAX_ROWS) {
        row(out, &infrastructure_cells(p).map(|cell| esc(&cell)));
    }
    more(out, report.infrastructure.len());
    out.push('\n');
}

fn cookies(out: &mut String, report: &Report) {
    let _ = writeln!(out, "## Cookies\n");
    if report.cookies.is_empty() {
        let _ = writeln!(out, "None.\n");
        return;
    }
    header(out, &COOKIE_COLUMNS);
    for c in report.cookies.iter().take(MAX_ROWS) {
        row(out, &cookie_cells(report, c).map(|cell| esc(&cell)));
    }
    more(out, report.cookies.len());
    out.push('\n');
}

fn third_parties(out: &mut String, report: &Report) {
    let _ = writeln!(out, "## Third parties\n");
    if report.third_parties.is_empty() {
        let _ = writeln!(out, "None.\n");
        return;
    }
    header(out, &THIRD_PARTY_COLUMNS);
    for t in report.third_parties.iter().take(MAX_ROWS) {
        row(out, &third_party_cells(report, t, 6).map(|cell| esc(&cell)));
    }
    more(out, report.third_parties.len());
    out.push('\n');
    if report.consent.cmp.is_some() || !report.consent.phases.is_empty() {
        let c = &report.consent;
        let _ = writeln!(
            out,
            "Consent manager: {}; phases: {}; accept clicked: {}; reject clicked: {}.\n",
            esc(c.cmp.as_deref().unwrap_or("none detected")),
            esc(&phase_list(&c.phases)),
            yes_no_unknown(c.accept_clicked),
            yes_no_unknown(c.reject_clicked)
        );
    }
    let signals = signal_lines(report);
    if !signals.is_empty() {
        let _ = writeln!(out, "Consent signals:\n");
        for line in signals {
            let _ = writeln!(out, "- {}", esc(&line));
        }
        out.push('\n');
    }
}

fn errors(out: &mut String, report: &Report) {
    let _ = writeln!(out, "## Errors\n");
    if report.errors.is_empty() {
        let _ = writeln!(out, "None.");
        return;
    }
    header(out, &ERROR_COLUMNS);
    for e in report.errors.iter().take(MAX_ROWS) {
        row(out, &error_cells(e).map(|cell| esc(&cell)));
    }
    more(out, report.errors.len());
}
