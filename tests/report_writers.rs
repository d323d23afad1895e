//! The Markdown, HTML and terminal writers on hand-built reports: content, layout, and escaping
//! of a hostile site's strings in every format.

mod report_fixture;

use privacy_inventory::cli::output::{render, Format};
use privacy_inventory::model::{ErrorKind, Party, SetBy};

use privacy_inventory::report::model::{Cookie, Declaration, Report, ScanError};
use privacy_inventory::report::{html, markdown, summarize, terminal};
use report_fixture::{catalog, decl, observed, page, reconcile, third_party};
use std::path::PathBuf;

/// The fixture shop with a policy that names Vimeo, Google (company only) and YouTube.
fn finished() -> Report {
    let mut r = observed();
    let mut vimeo = decl("Vimeo", Some("vimeo"), Some("Vimeo.com, Inc."), "service");
    vimeo.section = "Plugins und Tools > Vimeo".into();
    vimeo.excerpt = "Diese Website nutzt Plugins des Videoportals Vimeo. Anbieter ist die Vimeo Inc., 555 West 18th Street, New York.".into();
    r.policy.declarations = vec![
        vimeo,
        decl(
            "Google Ireland Limited",
            None,
            Some("Google Ireland Limited"),
            "company",
        ),
        decl("YouTube", Some("youtube"), None, "service"),
    ];
    r.started_at = "2026-11-29T07:30:00Z".into();
    r.finished_at = "2026-11-29T07:30:02Z".into();
    r.duration_ms = 2000;
    r.tool.name = "privacy-inventory".into();
    r.tool.version = "0.1.0".into();
    r.errors = vec![ScanError {
        url: page("/broken"),
        kind: ErrorKind::HttpStatus,
        message: "HTTP 500 Internal Server Error".into(),
    }];
    reconcile(&mut r, &catalog());
    r.summary = summarize(&r);
    r
}

const SCRIPT: &str = "<script>alert(1)</script>";
const TITLE: &str = "</td><img src=x onerror=alert(1)>";
const BIDI_HOST: &str = "cdn.evil\u{202e}moc.example";
const EXCERPT: &str =
    "We use `Acme | Tracker` [click](https://evil.example/x) <b>now</b>\nnew line";

/// A report whose site-controlled strings are all hostile.
fn hostile() -> Report {
    let mut r = finished();
    r.cookies.push(Cookie {
        name: SCRIPT.into(),
        domain: ".evil.example".into(),
        path: "/".into(),
        party: Party::Third,
        set_by: SetBy::Header,
        session: true,
        ..Default::default()
    });
    r.pages[0].title = Some(TITLE.into());
    let mut tp = third_party(BIDI_HOST, None, &["script"], &["/"]);
    tp.host = format!("{BIDI_HOST}\u{1b}[31m");
    r.third_parties.push(tp);
    let mut d: Declaration = decl("Acme | Tracker", Some("hotjar"), None, "service");
    d.excerpt = EXCERPT.into();
    d.section = format!("Tools > {TITLE}");
    r.policy.declarations.push(d);
    r.target = format!("https://www.shop.example/?q={SCRIPT}");
    r.errors.push(ScanError {
        url: format!("https://evil.example/{TITLE}"),
        kind: ErrorKind::Parse,
        message: SCRIPT.into(),
    });
    reconcile(&mut r, &catalog());
    r.summary = summarize(&r);
    r
}

fn assert_no_raw_payloads(out: &str, format: &str) {
    for raw in [
        SCRIPT,
        TITLE,
        "<script",
        "<img",
        "\u{202e}",
        "\u{1b}",
        "<b>now</b>",
    ] {
        assert!(
            !out.contains(raw),
            "{format}: raw {raw:?} in output:\n{out}"
        );
    }
}

#[test]
fn markdown_has_summary_findings_table_and_quotes() {
    let md = markdown::render(&finished());
    assert!(
        md.starts_with("# Privacy inventory: https://www.shop.example/\n"),
        "{md}"
    );
    assert!(md.contains(
        "| Severity | Kind | Service | Hosts | Cookies | Pages | Evidence | What to do |"
    ));
    assert!(
        md.contains("| **high** | undisclosed service | Meta Pixel | www.facebook.com |"),
        "{md}"
    );
    assert!(md.contains("| **low** | disclosed by company only | Google Fonts | fonts.googleapis.com, fonts.gstatic.com |"), "{md}");
    assert!(md.contains("- **Vimeo** (player.vimeo.com), named as “Vimeo”, section “Plugins und Tools > Vimeo”:"), "{md}");
    assert!(
        md.contains("  > “Diese Website nutzt Plugins des Videoportals Vimeo."),
        "{md}"
    );
    assert!(md.contains("## Cookies"));
    assert!(
        md.contains(
            "| \\_ga | .shop.example | first | 2 years | Google Analytics | yes | script |"
        ),
        "{md}"
    );
    assert!(
        md.contains("| cdn.acme-analytics.com | unattributed |"),
        "{md}"
    );
    assert!(
        md.contains(
            "| https://www.shop.example/broken | http\\_status | HTTP 500 Internal Server Error |"
        ),
        "{md}"
    );
}

#[test]
fn markdown_snapshot() {
    let md = markdown::render(&finished());
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/report.md");
    let overwrite = std::env::var_os("SNAPSHOTS").is_some_and(|v| v == "overwrite");
    // Under CI a missing snapshot fails: writing it there would make the test pass on nothing.
    assert!(
        overwrite || path.exists() || std::env::var_os("CI").is_none(),
        "{} is missing; run the test locally to write it",
        path.display()
    );
    if overwrite || !path.exists() {
        std::fs::write(&path, &md).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        md, expected,
        "Markdown changed; rerun with SNAPSHOTS=overwrite if intended"
    );
}

#[test]
fn terminal_has_no_ansi_without_color_and_colors_with_it() {
    let r = finished();
    let plain = terminal::render(&r, false);
    assert!(!plain.contains('\u{1b}'), "{plain}");
    assert!(plain.contains("SEVERITY  KIND"), "{plain}");
    assert!(
        plain.contains("Findings: 4 high · 1 medium · 4 low · 1 info"),
        "{plain}"
    );
    assert!(plain.contains("Totals: 4 pages · 1 cookies · 9 third-party hosts · 8 services · 1 disclosed · 1 errors"), "{plain}");
    // Worst first: the first finding row is high, the last is info.
    let rows: Vec<&str> = plain
        .lines()
        .filter(|l| {
            ["high ", "medium ", "low ", "info "]
                .iter()
                .any(|s| l.starts_with(s))
        })
        .collect();
    assert!(rows.first().unwrap().starts_with("high"));
    assert!(rows.last().unwrap().starts_with("info"));
    let colored = terminal::render(&r, true);
    assert!(colored.contains("\u{1b}[1;31mhigh"), "{colored}");
}

#[test]
fn terminal_lines_stay_within_width_on_long_urls() {
    let mut r = finished();
    let long = format!("https://www.shop.example/{}", "x".repeat(3000));
    for f in &mut r.findings {
        f.evidence = format!("seen on {long}");
        f.hosts.push("a".repeat(300));
    }
    for width in [60, 100, 160] {
        let out = terminal::render_width(&r, false, width);
        for line in out.lines() {
            assert!(
                line.chars().count() <= width,
                "width {width}: {} chars: {line}",
                line.chars().count()
            );
        }
    }
}

#[test]
fn empty_report_renders_everywhere() {
    let r = Report::default();
    assert!(terminal::render(&r, false).contains("No findings."));
    assert!(markdown::render(&r).contains("No findings"));
    assert!(html::render(&r).contains("No findings"));
}

#[test]
fn render_dispatches_every_format() {
    let r = finished();
    assert!(render(&r, Format::Json).trim_start().starts_with('{'));
    assert!(render(&r, Format::Md).starts_with("# Privacy inventory"));
    assert!(render(&r, Format::Html).starts_with("<!DOCTYPE html>"));
    assert!(render(&r, Format::Text).starts_with("privacy-inventory 0.1.0"));
    assert!(!render(&r, Format::Text).contains('\u{1b}'));
}

#[test]
fn html_is_self_contained_and_complete() {
    let out = html::render(&finished());
    let doc = scraper::Html::parse_document(&out);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    assert_eq!(
        doc.select(&sel("script, link, img, iframe, object, embed, base, form"))
            .count(),
        0
    );
    assert_eq!(
        doc.select(&sel("[src], [href], [srcset], [action], [background]"))
            .count(),
        0
    );
    assert_eq!(doc.select(&sel("style")).count(), 1);
    let csp = doc
        .select(&sel("meta[http-equiv=Content-Security-Policy]"))
        .next()
        .expect("CSP meta");
    assert!(csp
        .value()
        .attr("content")
        .unwrap()
        .starts_with("default-src 'none'"));
    let h2: Vec<String> = doc.select(&sel("h2")).map(|e| e.text().collect()).collect();
    assert_eq!(
        h2,
        [
            "Summary",
            "Findings",
            "Disclosed services",
            "Declared recipients",
            "Infrastructure",
            "Cookies",
            "Third parties",
            "Consent",
            "Pages",
            "Errors"
        ]
    );
    assert!(out.contains("<blockquote>Diese Website nutzt Plugins des Videoportals Vimeo."));
    assert!(out.contains("www.googletagmanager.com (Google Tag Manager, Google Ireland Limited) loads a script on 3 pages"));
    // No URL anywhere in an attribute value.
    for el in doc.select(&sel("*")) {
        for (name, value) in el.value().attrs() {
            assert!(
                !value.contains("http"),
                "<{} {name}={value:?}>",
                el.value().name()
            );
        }
    }
}

#[test]
fn hostile_strings_are_escaped_in_html() {
    let out = html::render(&hostile());
    assert_no_raw_payloads(&out, "html");
    let doc = scraper::Html::parse_document(&out);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    assert_eq!(
        doc.select(&sel("script, img, b[onerror], [onerror]"))
            .count(),
        0
    );
    assert_eq!(doc.select(&sel("[src], [href]")).count(), 0);
    for el in doc.select(&sel("*")) {
        for (_, value) in el.value().attrs() {
            assert!(!value.contains("http"), "{value}");
        }
    }
    // The payloads are still there for the reader, as text.
    let text: String = doc.root_element().text().collect();
    assert!(text.contains(SCRIPT), "cookie name shown as text");
    assert!(text.contains(TITLE), "page title shown as text");
    assert!(
        text.contains("cdn.evil\\u{202e}moc.example\\u{001b}[31m"),
        "bidi made visible"
    );
    assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[test]
fn hostile_strings_are_escaped_in_markdown() {
    let md = markdown::render(&hostile());
    assert_no_raw_payloads(&md, "markdown");
    assert!(md.contains("&lt;script>alert(1)&lt;/script>"), "{md}");
    assert!(
        md.contains("\\`Acme \\| Tracker\\` \\[click\\](https://evil.example/x)"),
        "{md}"
    );
    // Every table row keeps its column count: no site string adds an unescaped pipe.
    let mut expected_pipes = 0;
    for line in md.lines() {
        if !line.starts_with('|') {
            expected_pipes = 0;
            continue;
        }
        let pipes = count_unescaped_pipes(line);
        if expected_pipes == 0 {
            expected_pipes = pipes;
        }
        assert_eq!(pipes, expected_pipes, "row broken: {line}");
    }
    // The excerpt's newline did not escape the block quote.
    assert!(md.contains("&lt;b>now&lt;/b> new line”"), "{md}");
}

fn count_unescaped_pipes(line: &str) -> usize {
    let mut n = 0;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => n += 1,
            _ => escaped = false,
        }
    }
    n
}

#[test]
fn hostile_strings_are_escaped_in_the_terminal() {
    let r = hostile();
    let out = terminal::render_width(&r, false, 400);
    assert!(!out.contains('\u{202e}'), "{out}");
    assert!(!out.contains('\u{1b}'), "{out}");
    assert!(out.contains("cdn.evil\\u{202e}moc.example"), "{out}");
    // Colour codes come only from the writer.
    let colored = terminal::render_width(&r, true, 400);
    assert!(
        !colored.contains("\u{1b}[31m"),
        "site's escape sequence leaked"
    );
}
