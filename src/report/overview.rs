//! The portfolio overview: `index.json` (one line per site, what a scan of a config file and
//! `merge` write), and its Markdown and HTML renderings for people.
//!
//! Site names, targets and error messages come from config files and scanned sites, so every
//! string goes through [`escape`](super::escape) exactly as in the site report. The HTML page
//! is self-contained like the site report: no `src`/`href` to anything but the reports next to
//! it, a Content-Security-Policy that allows only its own inline style and the one inline
//! script (by hash) that sorts the table.

use super::describe::SEVERITIES;
use super::escape::{html as esc, markdown as md};
use super::model::Summary;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// `index.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PortfolioIndex {
    /// Report schema version the site reports follow.
    pub schema_version: String,
    /// One entry per site, sorted by name after a merge.
    pub sites: Vec<SiteEntry>,
    /// Merge only: shard directories or reports that could not be read, one sentence each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// One site of `index.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SiteEntry {
    /// Site name (file-name-safe; the report is `<name>.json`).
    pub name: String,
    /// Start URL.
    pub target: String,
    /// Report path relative to the directory of this index; none when no report was written.
    pub report: Option<String>,
    /// The exit status this site alone would have given.
    pub exit_code: u8,
    /// Why the site failed, when it did.
    pub error: Option<String>,
    /// The report's summary.
    pub summary: Option<Summary>,
    /// Findings new since the baseline, per severity, when the report was compared with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_findings_by_severity: Option<BTreeMap<String, usize>>,
}

impl SiteEntry {
    /// Findings of `severity` in the summary (0 without a report).
    pub fn count(&self, severity: &str) -> usize {
        self.summary
            .as_ref()
            .and_then(|s| s.findings_by_severity.get(severity).copied())
            .unwrap_or(0)
    }

    /// New findings of all severities, when a baseline was there.
    pub fn new_total(&self) -> Option<usize> {
        self.new_findings_by_severity
            .as_ref()
            .map(|m| m.values().sum())
    }

    fn status(&self) -> &'static str {
        match self.exit_code {
            0 => "ok",
            1 => "findings",
            3 => "unreachable",
            _ => "not scanned",
        }
    }
}

/// The "new since baseline" cell: `3 (1 high)` style, `-` without a baseline.
fn new_cell(e: &SiteEntry) -> String {
    match &e.new_findings_by_severity {
        None => "-".into(),
        Some(m) => {
            let total: usize = m.values().sum();
            let parts: Vec<String> = SEVERITIES
                .iter()
                .filter_map(|s| {
                    m.get(s.as_str())
                        .filter(|n| **n > 0)
                        .map(|n| format!("{n} {s}"))
                })
                .collect();
            if parts.is_empty() {
                total.to_string()
            } else {
                format!("{total} ({})", parts.join(", "))
            }
        }
    }
}

fn totals(index: &PortfolioIndex) -> BTreeMap<&'static str, usize> {
    SEVERITIES
        .iter()
        .map(|s| {
            let s = s.as_str();
            (s, index.sites.iter().map(|e| e.count(s)).sum())
        })
        .collect()
}

/// `index.md`: one table row per site (findings by severity, new since baseline, report link),
/// then the problems met while merging.
pub fn render_markdown(index: &PortfolioIndex) -> String {
    let mut out = String::new();
    let t = totals(index);
    let _ = writeln!(out, "# Privacy inventory: {} sites\n", index.sites.len());
    let _ = writeln!(
        out,
        "Findings: {} high, {} medium, {} low, {} info. Sites with findings at or above --fail-on: {}; unreachable or not scanned: {}.\n",
        t["high"],
        t["medium"],
        t["low"],
        t["info"],
        index.sites.iter().filter(|e| e.exit_code == 1).count(),
        index.sites.iter().filter(|e| e.exit_code >= 2).count(),
    );
    out.push_str(
        "| site | target | status | high | medium | low | info | new since baseline | errors | report |\n",
    );
    out.push_str("|---|---|---|---:|---:|---:|---:|---|---:|---|\n");
    for e in &index.sites {
        let report = match &e.report {
            // Report names are file-name-safe ([A-Za-z0-9._-]), so the link target needs no
            // escaping beyond what the text gets.
            Some(r) => format!("[{}]({})", md(r), r.replace(' ', "%20")),
            None => md(e.error.as_deref().unwrap_or("no report")),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            md(&e.name),
            md(&e.target),
            e.status(),
            e.count("high"),
            e.count("medium"),
            e.count("low"),
            e.count("info"),
            new_cell(e),
            e.summary.as_ref().map_or(0, |s| s.errors),
            report
        );
    }
    if !index.problems.is_empty() {
        out.push_str("\n## Problems while merging\n\n");
        for p in &index.problems {
            let _ = writeln!(out, "- {}", md(p));
        }
    }
    out
}

const STYLE: &str = "
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
main{max-width:1300px;margin:0 auto;padding:24px}
h1{font-size:1.5em;margin:0 0 8px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:#fff;border:1px solid #d5d9de;border-radius:8px;padding:10px 16px;min-width:96px}
.card b{display:block;font-size:1.6em}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.92em}
th,td{border:1px solid #d5d9de;padding:5px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#eef0f3;cursor:pointer;user-select:none}th:after{content:' \\2195';color:#8a939c}
td.n{text-align:right}
.high{background:#fde2e1;color:#9b1c1c;font-weight:600}.medium{background:#fff1d6;color:#8a4b00}
.bad{color:#9b1c1c}
";

/// Sorts the table when a header is clicked: numbers descending first (worst sites on top),
/// text ascending; a second click reverses. Reads only `data-sort` values we wrote.
const SCRIPT: &str = "document.querySelectorAll('th').forEach(function(th,col){th.addEventListener('click',function(){var tb=th.closest('table').tBodies[0];var rows=Array.from(tb.rows);var num=th.dataset.type==='n';var dir=th.dataset.dir==='a'?-1:1;th.dataset.dir=dir===1?'a':'d';rows.sort(function(a,b){var x=a.cells[col].dataset.sort,y=b.cells[col].dataset.sort;var c=num?(Number(y)-Number(x)):x.localeCompare(y);return c*dir;});rows.forEach(function(r){tb.appendChild(r);});});});";

/// `index.html`: cards with the portfolio totals, one sortable row per site with a link to its
/// report, and the problems met while merging.
pub fn render_html(index: &PortfolioIndex) -> String {
    let hash = base64_sha256(SCRIPT);
    let mut out = String::with_capacity(8 * 1024 + index.sites.len() * 512);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'\">"
    );
    out.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<title>Privacy inventory: {} sites</title>\n<style>{STYLE}</style>\n</head>\n<body><main>",
        index.sites.len()
    );
    let _ = writeln!(
        out,
        "<h1>Privacy inventory: {} sites</h1>",
        index.sites.len()
    );
    out.push_str("<div class=\"cards\">");
    for (sev, n) in totals(index) {
        let _ = write!(out, "<div class=\"card\"><b>{n}</b>{sev}</div>");
    }
    let failing = index.sites.iter().filter(|e| e.exit_code == 1).count();
    let broken = index.sites.iter().filter(|e| e.exit_code >= 2).count();
    let _ = writeln!(
        out,
        "<div class=\"card\"><b>{failing}</b>sites failing --fail-on</div><div class=\"card\"><b>{broken}</b>unreachable / not scanned</div></div>"
    );
    out.push_str("<p>Click a column to sort (numbers: most first).</p>\n<table><thead><tr>");
    for (name, numeric) in [
        ("site", false),
        ("target", false),
        ("status", false),
        ("high", true),
        ("medium", true),
        ("low", true),
        ("info", true),
        ("new since baseline", true),
        ("errors", true),
        ("report", false),
    ] {
        let ty = if numeric { "n" } else { "t" };
        let _ = write!(out, "<th data-type=\"{ty}\">{name}</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
    for e in &index.sites {
        out.push_str("<tr>");
        let text = |out: &mut String, v: &str, class: &str| {
            let _ = write!(
                out,
                "<td class=\"{class}\" data-sort=\"{}\">{}</td>",
                esc(v),
                esc(v)
            );
        };
        let num = |out: &mut String, n: usize, class: &str| {
            let class = if n > 0 { class } else { "" };
            let _ = write!(out, "<td class=\"n {class}\" data-sort=\"{n}\">{n}</td>");
        };
        text(&mut out, &e.name, "");
        text(&mut out, &e.target, "");
        text(
            &mut out,
            e.status(),
            if e.exit_code >= 2 { "bad" } else { "" },
        );
        num(&mut out, e.count("high"), "high");
        num(&mut out, e.count("medium"), "medium");
        num(&mut out, e.count("low"), "");
        num(&mut out, e.count("info"), "");
        // Without a baseline the cell sorts below a baseline's 0.
        let _ = write!(
            out,
            "<td class=\"n\" data-sort=\"{}\">{}</td>",
            e.new_total().map_or(-1, |n| n as i64),
            esc(&new_cell(e))
        );
        num(&mut out, e.summary.as_ref().map_or(0, |s| s.errors), "");
        match &e.report {
            // A relative link to the copied report: stays inside OUT, and `esc` keeps a
            // crafted name from leaving the attribute.
            Some(r) => {
                let _ = write!(
                    out,
                    "<td data-sort=\"{0}\"><a href=\"{0}\">{0}</a></td>",
                    esc(r)
                );
            }
            None => text(&mut out, e.error.as_deref().unwrap_or("no report"), "bad"),
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    if !index.problems.is_empty() {
        out.push_str("<h2>Problems while merging</h2>\n<ul>");
        for p in &index.problems {
            let _ = write!(out, "<li>{}</li>", esc(p));
        }
        out.push_str("</ul>\n");
    }
    let _ = writeln!(out, "<script>{SCRIPT}</script>\n</main></body></html>");
    out
}

/// Standard base64 of SHA-256, the form a CSP `script-src 'sha256-…'` source takes.
fn base64_sha256(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(44);
    for chunk in digest.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, high: usize, new_high: Option<usize>) -> SiteEntry {
        let mut by = BTreeMap::new();
        for s in SEVERITIES {
            by.insert(s.as_str().to_string(), 0);
        }
        by.insert("high".into(), high);
        SiteEntry {
            name: name.into(),
            target: format!("https://{name}/"),
            report: Some(format!("{name}.json")),
            exit_code: u8::from(high > 0),
            error: None,
            summary: Some(Summary {
                findings_by_severity: by,
                ..Default::default()
            }),
            new_findings_by_severity: new_high.map(|n| BTreeMap::from([("high".to_string(), n)])),
        }
    }

    #[test]
    fn csp_hash_matches_the_script() {
        // sha256("") in base64, the RFC 4648 padding case of a 32-byte digest.
        assert_eq!(
            base64_sha256(""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
        let page = render_html(&PortfolioIndex::default());
        assert!(page.contains(&format!("'sha256-{}'", base64_sha256(SCRIPT))));
        assert!(page.contains(&format!("<script>{SCRIPT}</script>")));
    }

    #[test]
    fn hostile_names_are_escaped_in_both_renderings() {
        let mut e = entry("x", 2, Some(1));
        e.target = "https://<script>alert(1)</script>|/".into();
        e.report = Some("a\"><img src=x onerror=alert(1)>.json".into());
        let index = PortfolioIndex {
            schema_version: "1".into(),
            sites: vec![e],
            problems: vec!["shard <b>dir</b> missing".into()],
        };
        let page = render_html(&index);
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(!page.contains("<img"), "{page}");
        assert!(!page.contains("<b>dir"), "{page}");
        let text = render_markdown(&index);
        assert!(
            text.contains("&lt;script>alert(1)&lt;/script>\\|"),
            "{text}"
        );
        assert!(text.contains("| 1 (1 high) |"), "{text}");
    }

    #[test]
    fn rows_carry_sortable_counts_and_links() {
        let index = PortfolioIndex {
            schema_version: "1".into(),
            sites: vec![entry("a.example", 0, None), entry("b.example", 3, Some(0))],
            problems: vec![],
        };
        let page = render_html(&index);
        assert!(
            page.contains("<td class=\"n high\" data-sort=\"3\">3</td>"),
            "{page}"
        );
        assert!(page.contains("<a href=\"b.example.json\">b.example.json</a>"));
        // No baseline sorts below a baseline with no new findings.
        assert!(
            page.contains("data-sort=\"-1\">-</td>") && page.contains("data-sort=\"0\">0</td>")
        );
        let text = render_markdown(&index);
        assert!(text.contains("| b.example | https://b.example/ | findings | 3 | 0 | 0 | 0 | 0 | 0 | [b.example.json](b.example.json) |"), "{text}");
        assert!(text.starts_with("# Privacy inventory: 2 sites"));
    }
}
