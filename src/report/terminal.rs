//! Terminal output: a compact table of findings, worst first, each followed by its evidence on
//! one indented line, then totals.
//!
//! Colour is a parameter, decided at the call site (stdout is a terminal and `NO_COLOR` is
//! unset), so this writer stays testable. Every column has a maximum width and every line is cut
//! to `width` characters: a 2,000-character tracking URL must not wrap the table into noise.

use super::describe::{
    acceptance, findings_of, is_accepted, kind_label, open_count, policy_line, short_list, subject,
    SEVERITIES,
};
use super::escape::{terminal as esc, truncate};
use super::model::{Report, Severity};
use std::fmt::Write as _;

/// Line width used when the caller does not know the terminal's.
pub const DEFAULT_WIDTH: usize = 120;

/// Narrowest layout still rendered as a table.
const MIN_WIDTH: usize = 60;

/// Render with [`DEFAULT_WIDTH`].
pub fn render(report: &Report, color: bool) -> String {
    render_width(report, color, DEFAULT_WIDTH)
}

/// Whether stdout should get colour: a terminal, and `NO_COLOR` unset or empty (no-color.org).
pub fn should_color() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Line width for the terminal: `COLUMNS` when set to a sane number, else [`DEFAULT_WIDTH`].
pub fn width_from_env() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|w| *w >= MIN_WIDTH)
        .unwrap_or(DEFAULT_WIDTH)
}

/// Colour for a severity cell; `None` is bold (headings).
fn paint(text: &str, severity: Option<Severity>, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    let code = match severity {
        Some(Severity::High) => "1;31",
        Some(Severity::Medium) => "33",
        Some(Severity::Low) => "36",
        Some(Severity::Info) => "2",
        None => "1",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// Pad (or cut) to exactly `w` characters.
fn cell(s: &str, w: usize) -> String {
    let t = truncate(s, w);
    let pad = w.saturating_sub(t.chars().count());
    format!("{t}{}", " ".repeat(pad))
}

/// Render the report for a terminal `width` characters wide.
pub fn render_width(report: &Report, color: bool, width: usize) -> String {
    let width = width.max(MIN_WIDTH);
    let mut out = String::new();
    let head = format!(
        "{} {} · {} · {} mode · {} page{}",
        report.tool.name,
        report.tool.version,
        esc(&report.target),
        esc(report.mode.as_str()),
        report.pages.len(),
        if report.pages.len() == 1 { "" } else { "s" }
    );
    let _ = writeln!(out, "{}", paint(&truncate(&head, width), None, color));
    let _ = writeln!(
        out,
        "{}",
        truncate(&format!("Policy: {}", esc(&policy_line(report))), width)
    );
    out.push('\n');

    if report.findings.is_empty() {
        let _ = writeln!(out, "No findings.");
    } else {
        // Column widths: fixed caps, shrunk to content; hosts take what is left.
        let sev_w = 8;
        let kind_w = report
            .findings
            .iter()
            .map(|f| kind_label(f.kind).chars().count())
            .max()
            .unwrap_or(4)
            .clamp(4, 26);
        let subj_w = report
            .findings
            .iter()
            .map(|f| {
                esc(&subject(report, f)).chars().count() + if f.accepted.is_some() { 11 } else { 0 }
            })
            .max()
            .unwrap_or(7)
            .clamp(7, 30);
        let pages_w = 5;
        let fixed = sev_w + kind_w + subj_w + pages_w + 8;
        // Hosts take what is left; on narrow terminals rows are cut at `width` below.
        let hosts_w = width.saturating_sub(fixed).clamp(10, 40);
        let head = format!(
            "{}  {}  {}  {}  PAGES",
            cell("SEVERITY", sev_w),
            cell("KIND", kind_w),
            cell("SERVICE", subj_w),
            cell("HOSTS", hosts_w),
        );
        let _ = writeln!(out, "{}", truncate(&head, width).trim_end());
        for sev in SEVERITIES {
            for f in findings_of(report, sev) {
                let mut subj = esc(&subject(report, f));
                if f.accepted.is_some() {
                    subj = format!(
                        "{subj} {}",
                        if is_accepted(f) {
                            "[accepted]"
                        } else {
                            "[expired]"
                        }
                    );
                }
                let hosts: Vec<String> = f.hosts.iter().map(|h| esc(h)).collect();
                let rest = format!(
                    "  {}  {}  {}  {}",
                    cell(&kind_label(f.kind), kind_w),
                    cell(&subj, subj_w),
                    cell(&short_list(&hosts, 2), hosts_w),
                    f.pages.len()
                );
                // Cut the plain text to the width first, then colour the (ASCII) severity cell,
                // so no escape sequence is ever cut in half.
                let rest = truncate(&rest, width - sev_w);
                let _ = writeln!(
                    out,
                    "{}{}",
                    paint(&cell(sev.as_str(), sev_w), Some(sev), color),
                    rest.trim_end()
                );
                let _ = writeln!(out, "  {}", truncate(&esc(&f.evidence), width - 2));
                let note = acceptance(f);
                if !note.is_empty() {
                    let _ = writeln!(out, "  {}", truncate(&esc(&note), width - 2));
                }
            }
        }
    }

    out.push('\n');
    let totals: Vec<(String, String)> = [
        format!("Totals: {} pages", report.pages.len()),
        format!("{} cookies", report.cookies.len()),
        format!("{} third-party hosts", report.third_parties.len()),
        format!("{} services", report.services.len()),
        format!("{} disclosed", report.disclosed.len()),
        format!("{} errors", report.errors.len()),
    ]
    .into_iter()
    .map(|t| (t.clone(), t))
    .collect();
    wrap_items(&mut out, &totals, width);
    let mut counts: Vec<(String, String)> = SEVERITIES
        .iter()
        .enumerate()
        .map(|(i, sev)| {
            let label = if i == 0 { "Findings: " } else { "" };
            let count = format!("{} {sev}", open_count(report, *sev));
            (
                format!("{label}{count}"),
                format!("{label}{}", paint(&count, Some(*sev), color)),
            )
        })
        .collect();
    let accepted = report.findings.iter().filter(|f| is_accepted(f)).count();
    if accepted > 0 {
        let t = format!("{accepted} accepted (not counted)");
        counts.push((t.clone(), t));
    }
    wrap_items(&mut out, &counts, width);
    out
}

/// Join `(plain, styled)` items with " · ", starting a new line before an item whose plain text
/// would pass `width` (colour codes take no columns).
fn wrap_items(out: &mut String, items: &[(String, String)], width: usize) {
    let mut line_len = 0;
    for (i, (plain, styled)) in items.iter().enumerate() {
        let len = plain.chars().count();
        if i > 0 {
            if line_len + 3 + len > width {
                out.push('\n');
                line_len = 0;
            } else {
                out.push_str(" · ");
                line_len += 3;
            }
        }
        if len > width {
            out.push_str(&truncate(plain, width));
        } else {
            out.push_str(styled);
        }
        line_len += len.min(width);
    }
    out.push('\n');
}
