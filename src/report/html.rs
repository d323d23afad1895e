//! One self-contained HTML file for a DPO: summary, findings with evidence, disclosed services
//! with the quoted policy sentence, cookie and third-party tables, consent phases, pages, errors.
//!
//! The report must never itself contact a third party or run anything a scanned site wrote:
//! inline CSS only, no JavaScript (collapsing uses `<details>`), no `src`/`href` attributes at
//! all (URLs are shown as text), every site string through [`escape::html`](super::escape::html),
//! and a Content-Security-Policy of `default-src 'none'` as a second line of defence should an
//! escaping bug ever slip through.

use super::describe::{
    acceptance, cookie_cells, error_cells, is_accepted, kind_label, open_count, phase_list,
    policy_line, section_note, service_name, short_list, signal_lines, subject, third_party_cells,
    yes_no_unknown, COOKIE_COLUMNS, ERROR_COLUMNS, NO_FINDINGS, SEVERITIES, THIRD_PARTY_COLUMNS,
};
use super::escape::html as esc;
use super::model::{Report, Severity};
use super::recipients::{
    infrastructure_cells, ledger_cells, INFRASTRUCTURE_COLUMNS, LEDGER_COLUMNS, NO_DECLARED,
    NO_INFRASTRUCTURE,
};
use std::fmt::Write as _;

const STYLE: &str = "
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:1.5em;margin:0 0 4px;overflow-wrap:anywhere}h2{margin-top:32px;border-bottom:1px solid #d5d9de;padding-bottom:4px}
.meta{color:#56606b;margin:2px 0;overflow-wrap:anywhere}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:#fff;border:1px solid #d5d9de;border-radius:8px;padding:10px 16px;min-width:96px}
.card b{display:block;font-size:1.6em}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.92em}
th,td{border:1px solid #d5d9de;padding:5px 8px;text-align:left;vertical-align:top;overflow-wrap:break-word}
.u{overflow-wrap:anywhere}.w{min-width:9em}.kind{min-width:7em}
th{background:#eef0f3}
.sev{font-weight:600;border-radius:4px;padding:1px 6px;white-space:nowrap}
.high{background:#fde2e1;color:#9b1c1c}.medium{background:#fff1d6;color:#8a4b00}
.low{background:#e0f0ff;color:#1e4e8c}.info{background:#eceff3;color:#46505a}
.accepted{opacity:.6}
blockquote{margin:6px 0 14px;padding:6px 12px;border-left:4px solid #6b8afd;background:#fff;overflow-wrap:anywhere}
.disclosed li{margin-bottom:6px}
details{margin:8px 0}summary{cursor:pointer;color:#2a4fd6}
code{font-size:.92em;overflow-wrap:anywhere}
";

fn tag_row(out: &mut String, cells: &[String]) {
    out.push_str("<tr>");
    for c in cells {
        let _ = write!(out, "<td class=\"u\">{c}</td>");
    }
    out.push_str("</tr>\n");
}

fn table_head(out: &mut String, names: &[&str]) {
    out.push_str("<table><thead><tr>");
    for n in names {
        let _ = write!(out, "<th>{n}</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
}

fn list(items: &[String], max: usize) -> String {
    esc(&short_list(items, max))
}

fn sev_badge(sev: Severity) -> String {
    format!("<span class=\"sev {sev}\">{sev}</span>")
}

/// The whole report as one HTML document.
pub fn render(report: &Report) -> String {
    let mut out = String::with_capacity(16 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n");
    out.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<title>Privacy inventory: {}</title>",
        esc(&report.target)
    );
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body><main>");
    let _ = writeln!(out, "<h1>Privacy inventory: {}</h1>", esc(&report.target));
    let started = if report.started_at.is_empty() {
        String::new()
    } else {
        format!(
            " · started {} · {} ms",
            esc(&report.started_at),
            report.duration_ms
        )
    };
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} {} · {} mode{started} · {} pages</p>",
        esc(&report.tool.name),
        esc(&report.tool.version),
        esc(report.mode.as_str()),
        report.pages.len()
    );
    let _ = writeln!(
        out,
        "<p class=\"meta\">Privacy policy: {}</p>",
        esc(&policy_line(report))
    );
    summary(&mut out, report);
    findings(&mut out, report);
    disclosed(&mut out, report);
    ledger(&mut out, report);
    infrastructure(&mut out, report);
    cookies(&mut out, report);
    third_parties(&mut out, report);
    consent(&mut out, report);
    pages(&mut out, report);
    errors(&mut out, report);
    out.push_str("</main></body>\n</html>\n");
    out
}

fn summary(out: &mut String, report: &Report) {
    out.push_str("<h2>Summary</h2>\n<div class=\"cards\">\n");
    for s in SEVERITIES {
        let _ = writeln!(
            out,
            "<div class=\"card\"><b>{}</b>{}</div>",
            open_count(report, s),
            sev_badge(s)
        );
    }
    for (n, label) in [
        (report.services.len(), "services"),
        (report.disclosed.len(), "disclosed"),
        (report.third_parties.len(), "third-party hosts"),
        (report.cookies.len(), "cookies"),
        (report.errors.len(), "errors"),
    ] {
        let _ = writeln!(out, "<div class=\"card\"><b>{n}</b>{label}</div>");
    }
    out.push_str("</div>\n");
}

fn findings(out: &mut String, report: &Report) {
    out.push_str("<h2>Findings</h2>\n");
    if report.findings.is_empty() {
        let _ = writeln!(out, "<p>{NO_FINDINGS}</p>");
        return;
    }
    table_head(
        out,
        &[
            "Severity",
            "Kind",
            "Service",
            "Hosts",
            "Cookies",
            "Evidence",
            "What to do",
        ],
    );
    for f in &report.findings {
        let mut todo = esc(&f.message);
        let note = acceptance(f);
        if !note.is_empty() {
            let _ = write!(todo, "<br><b>{}</b>", esc(&note));
        }
        let company = f
            .company
            .as_deref()
            .map(|c| format!("<br><small>{}</small>", esc(c)))
            .unwrap_or_default();
        let mut evidence = esc(&f.evidence);
        if !f.pages.is_empty() {
            let _ = write!(
                evidence,
                "<details><summary>{} page{}</summary>{}</details>",
                f.pages.len(),
                if f.pages.len() == 1 { "" } else { "s" },
                f.pages
                    .iter()
                    .map(|p| esc(p))
                    .collect::<Vec<_>>()
                    .join("<br>")
            );
        }
        let class = if is_accepted(f) {
            " class=\"accepted\""
        } else {
            ""
        };
        let _ = write!(out, "<tr{class}>");
        // Long site strings (hosts, cookies, URLs in evidence) may break anywhere; short labels
        // keep whole words, so narrow columns do not shred "undisclosed service".
        for (c, cell_class) in [
            (sev_badge(f.severity), ""),
            (esc(&kind_label(f.kind)), "kind"),
            (format!("{}{company}", esc(&subject(report, f))), "w"),
            (list(&f.hosts, 10), "u w"),
            (list(&f.cookies, 10), "u"),
            (evidence, "u"),
            (todo, ""),
        ] {
            if cell_class.is_empty() {
                let _ = write!(out, "<td>{c}</td>");
            } else {
                let _ = write!(out, "<td class=\"{cell_class}\">{c}</td>");
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

fn disclosed(out: &mut String, report: &Report) {
    out.push_str("<h2>Disclosed services</h2>\n");
    if report.disclosed.is_empty() {
        out.push_str("<p>None.</p>\n");
        return;
    }
    out.push_str("<ul class=\"disclosed\">\n");
    for d in &report.disclosed {
        let _ = writeln!(
            out,
            "<li><b>{}</b>{}, named as “{}”{}<blockquote>{}</blockquote></li>",
            esc(&service_name(report, &d.service)),
            if d.hosts.is_empty() {
                String::new()
            } else {
                format!(" ({})", list(&d.hosts, 10))
            },
            esc(&d.declaration.name),
            esc(&section_note(&d.declaration)),
            esc(d.declaration.excerpt.trim())
        );
    }
    out.push_str("</ul>\n");
}

fn ledger(out: &mut String, report: &Report) {
    out.push_str("<h2>Declared recipients</h2>\n");
    if report.declared.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", esc(NO_DECLARED));
        return;
    }
    table_head(out, &LEDGER_COLUMNS);
    for d in &report.declared {
        tag_row(out, &ledger_cells(d).map(|cell| esc(&cell)));
    }
    out.push_str("</tbody></table>\n");
}

fn infrastructure(out: &mut String, report: &Report) {
    out.push_str("<h2>Infrastructure</h2>\n");
    if report.infrastructure.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", esc(NO_INFRASTRUCTURE));
        return;
    }
    table_head(out, &INFRASTRUCTURE_COLUMNS);
    for p in &report.infrastructure {
        tag_row(out, &infrastructure_cells(p).map(|cell| esc(&cell)));
    }
    out.push_str("</tbody></table>\n");
}

fn cookies(out: &mut String, report: &Report) {
    out.push_str("<h2>Cookies</h2>\n");
    if report.cookies.is_empty() {
        out.push_str("<p>None.</p>\n");
        return;
    }
    table_head(out, &COOKIE_COLUMNS);
    for c in &report.cookies {
        let mut cells = cookie_cells(report, c).map(|cell| esc(&cell));
        cells[0] = format!("<code>{}</code>", cells[0]);
        tag_row(out, &cells);
    }
    out.push_str("</tbody></table>\n");
}

fn third_parties(out: &mut String, report: &Report) {
    out.push_str("<h2>Third parties</h2>\n");
    if report.third_parties.is_empty() {
        out.push_str("<p>None.</p>\n");
        return;
    }
    table_head(out, &THIRD_PARTY_COLUMNS);
    for t in &report.third_parties {
        tag_row(out, &third_party_cells(report, t, 8).map(|cell| esc(&cell)));
    }
    out.push_str("</tbody></table>\n");
}

fn consent(out: &mut String, report: &Report) {
    let c = &report.consent;
    out.push_str("<h2>Consent</h2>\n<table><tbody>\n");
    let detected = match (&c.cmp, &c.detected_by) {
        (Some(cmp), Some(by)) => format!("{} (by {})", esc(cmp), esc(by)),
        (Some(cmp), None) => esc(cmp),
        (None, _) => "none detected".into(),
    };
    let phases = if c.phases.is_empty() {
        "none run (static scan: markup only)".to_string()
    } else {
        esc(&phase_list(&c.phases))
    };
    for (k, v) in [
        ("Consent manager", detected),
        ("Phases", phases),
        ("Accept clicked", yes_no_unknown(c.accept_clicked).into()),
        ("Reject clicked", yes_no_unknown(c.reject_clicked).into()),
    ] {
        let _ = writeln!(out, "<tr><th>{k}</th><td>{v}</td></tr>");
    }
    if !c.cmp_services.is_empty() {
        let names: Vec<String> = c
            .cmp_services
            .iter()
            .map(|s| match &s.service {
                Some(id) => format!("{} ({})", s.name, id),
                None => s.name.clone(),
            })
            .collect();
        let _ = writeln!(
            out,
            "<tr><th>Services the consent manager lists</th><td>{}</td></tr>",
            esc(&names.join(", "))
        );
    }
    for line in signal_lines(report) {
        let _ = writeln!(
            out,
            "<tr><th>Consent signals</th><td>{}</td></tr>",
            esc(&line)
        );
    }
    out.push_str("</tbody></table>\n");
}

fn pages(out: &mut String, report: &Report) {
    let _ = writeln!(
        out,
        "<h2>Pages</h2>\n<details><summary>{} pages scanned</summary>",
        report.pages.len()
    );
    table_head(out, &["URL", "Status", "Depth", "Type", "Title", "Error"]);
    for p in &report.pages {
        tag_row(
            out,
            &[
                esc(&p.url),
                p.status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "—".into()),
                p.depth.to_string(),
                esc(p.content_type.as_deref().unwrap_or("—")),
                esc(p.title.as_deref().unwrap_or("")),
                esc(p.error.map_or("", |e| e.as_str())),
            ],
        );
    }
    out.push_str("</tbody></table></details>\n");
}

fn errors(out: &mut String, report: &Report) {
    out.push_str("<h2>Errors</h2>\n");
    if report.errors.is_empty() {
        out.push_str("<p>None.</p>\n");
        return;
    }
    table_head(out, &ERROR_COLUMNS);
    for e in &report.errors {
        tag_row(out, &error_cells(e).map(|cell| esc(&cell)));
    }
    out.push_str("</tbody></table>\n");
}
