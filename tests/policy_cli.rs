//! The policy flags and outputs of `scan` through the real binary: `--policy FILE` overriding
//! discovery, a missing `--policy` file, a policy URL that 404s, Markdown/HTML/terminal outputs.

mod harness;

use harness::{site, ScanResult};
use privacy_inventory::report::model::Finding;
use std::collections::BTreeMap;

const UNDISCLOSED_HOME: &str = "https://www.copperline-coffee.test/";

/// Findings of `kind`, by service id.
fn by_service<'a>(r: &'a ScanResult, kind: &str) -> BTreeMap<String, &'a Finding> {
    r.report()
        .findings
        .iter()
        .filter(|f| f.kind == kind)
        .map(|f| (f.service.clone().unwrap_or_default(), f))
        .collect()
}

/// `(kind, severity, service)` of every finding, for assertion messages.
fn finding_summary(r: &ScanResult) -> Vec<(String, String, Option<String>)> {
    r.report()
        .findings
        .iter()
        .map(|f| {
            (
                f.kind.to_string(),
                f.severity.to_string(),
                f.service.clone(),
            )
        })
        .collect()
}

fn disclosed_ids(r: &ScanResult) -> Vec<String> {
    r.report()
        .disclosed
        .iter()
        .map(|d| d.service.clone())
        .collect()
}

#[test]
fn a_policy_file_overrides_discovery() {
    let s = site("policy-undisclosed");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("privacy-draft.txt");
    std::fs::write(
        &file,
        "Privacy Policy (draft)\n\
         Fonts\n\
         We load our typeface from Google Fonts, so Google learns your IP address.\n\
         Analytics\n\
         We measure visits with Google Analytics.\n\
         Advertising\n\
         We measure our advertising with the Meta Pixel.\n",
    )
    .unwrap();
    let path = file.display().to_string();
    let r = s.scan(UNDISCLOSED_HOME).args(&["--policy", &path]).run();
    let rep = r.report();
    assert_eq!(rep.policy.discovered_by.as_deref(), Some("argument"));
    assert_eq!(rep.policy.urls, vec![path.clone()]);
    assert!(
        rep.policy.declarations.iter().all(|d| d.source == path),
        "every declaration comes from the file: {:#?}",
        rep.policy.declarations
    );
    // YouTube is named only by the site's own policy page, which the file replaces.
    assert_eq!(
        by_service(&r, "undisclosed_service")
            .keys()
            .collect::<Vec<_>>(),
        vec!["youtube"],
        "{:#?}{}",
        finding_summary(&r),
        r.context()
    );
    assert_eq!(
        disclosed_ids(&r),
        vec!["google-analytics", "google-fonts", "meta-pixel"]
    );
    let fonts = rep
        .disclosed
        .iter()
        .find(|d| d.service == "google-fonts")
        .unwrap();
    assert_eq!(fonts.declaration.section, "Privacy Policy (draft) > Fonts");
    // Disclosed, but still ungated: tracking before consent remains (high).
    r.expect_code(1);
    assert_eq!(
        by_service(&r, "tracking_before_consent")
            .keys()
            .collect::<Vec<_>>(),
        vec!["google-analytics", "meta-pixel"]
    );
}

#[test]
fn a_missing_policy_file_is_a_usage_error() {
    let s = site("policy-undisclosed");
    let r = s
        .scan(UNDISCLOSED_HOME)
        .args(&["--policy", "/nonexistent/datenschutz.txt"])
        .run();
    r.expect_code(2);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.context());
    assert!(
        r.stderr.contains("/nonexistent/datenschutz.txt"),
        "{}",
        r.context()
    );
    assert!(!r.report_path.exists(), "nothing is scanned");
    assert!(s.requests().is_empty(), "{}", s.request_log());
}

#[test]
fn a_policy_url_that_404s_is_reported_and_the_scan_goes_on() {
    let s = site("policy-undisclosed");
    let gone = format!("{UNDISCLOSED_HOME}legal/privacy-2019/");
    let r = s.scan(UNDISCLOSED_HOME).args(&["--policy", &gone]).run();
    r.expect_code(1);
    let rep = r.report();
    let error = rep.policy.error.as_deref().unwrap_or_else(|| {
        panic!("policy.error must be set{}", r.context());
    });
    assert!(error.contains(&gone) && error.contains("404"), "{error}");
    assert!(rep.policy.declarations.is_empty());
    assert_eq!(rep.pages.len(), 4, "the crawl is complete");
    let ga = by_service(&r, "undisclosed_service")["google-analytics"];
    assert!(
        ga.evidence
            .contains("no privacy policy could be read (policy ")
            && ga.evidence.contains("answered HTTP 404"),
        "the evidence says the policy could not be read, not that it is silent: {}",
        ga.evidence
    );
}

/// Run the binary on `site` without `--output`, stdout piped (not a terminal).
fn terminal_run(s: &harness::Site, home: &str, no_color: Option<&str>) -> (Option<i32>, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_privacy-inventory"));
    cmd.args(["scan", home, "--insecure", "--quiet", "--resolve"])
        .arg(s.server.resolve_all())
        .env("COLUMNS", "200");
    match no_color {
        Some(v) => cmd.env("NO_COLOR", v),
        None => cmd.env_remove("NO_COLOR"),
    };
    let out = cmd.output().expect("run privacy-inventory");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn markdown_html_and_terminal_outputs() {
    let s = site("policy-undisclosed");
    let dir = tempfile::tempdir().unwrap();
    let (md, also_md, html) = (
        dir.path().join("r.md"),
        dir.path().join("also.md"),
        dir.path().join("r.html"),
    );
    let r = s
        .scan(UNDISCLOSED_HOME)
        .args(&[
            "--format",
            "md",
            "--output",
            &md.display().to_string(),
            "--markdown",
            &also_md.display().to_string(),
            "--html",
            &html.display().to_string(),
            "--quiet",
        ])
        .run_plain();
    r.expect_code(1);
    assert!(
        r.stdout.is_empty(),
        "--output takes the report off stdout{}",
        r.context()
    );
    let md_text = std::fs::read_to_string(&md).expect("--output r.md written");
    let also_text = std::fs::read_to_string(&also_md).expect("--markdown written");
    for (name, text) in [
        ("--format md --output", &md_text),
        ("--markdown", &also_text),
    ] {
        assert!(text.contains("## Findings"), "{name}:\n{text}");
        assert!(
            text.contains("| Severity | Kind | Service | Hosts |"),
            "{name}: findings table header:\n{text}"
        );
        let fonts_row = text
            .lines()
            .find(|l| l.starts_with("| **medium** |") && l.contains("fonts.googleapis.com"))
            .unwrap_or_else(|| panic!("{name}: no medium row for Google Fonts:\n{text}"));
        assert!(
            fonts_row.contains("does not name Google Fonts"),
            "{fonts_row}"
        );
        assert!(text.contains("## Disclosed services"), "{name}:\n{text}");
        assert!(
            text.contains("> “Our home page embeds a roasting video from YouTube in privacy-enhanced mode, so YouTube receives your IP address when the player loads.”"),
            "{name}: the disclosing sentence is quoted:\n{text}"
        );
    }
    assert_eq!(md_text, also_text, "one report, one Markdown rendering");
    let html_text = std::fs::read_to_string(&html).expect("--html written");
    assert!(
        html_text
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("<!doctype html"),
        "{}",
        &html_text[..html_text.len().min(200)]
    );
    assert!(html_text.trim_end().ends_with("</html>"));
    assert!(
        html_text.contains("fonts.googleapis.com") && html_text.contains("privacy-enhanced mode")
    );

    // Without --output: the terminal table on stdout, never with ANSI escapes when piped or
    // when NO_COLOR is set.
    for no_color in [Some("1"), None] {
        let (code, out) = terminal_run(&s, UNDISCLOSED_HOME, no_color);
        assert_eq!(code, Some(1), "NO_COLOR={no_color:?}:\n{out}");
        assert!(
            !out.contains('\u{1b}'),
            "NO_COLOR={no_color:?}: escapes in\n{out}"
        );
        assert!(
            out.contains(&format!("Policy: {UNDISCLOSED_HOME}privacy-policy/")),
            "{out}"
        );
        for needle in [
            "fonts.googleapis.com",
            "www.google-analytics.com",
            "www.facebook.com",
        ] {
            assert!(
                out.contains(needle),
                "NO_COLOR={no_color:?}: {needle} missing:\n{out}"
            );
        }
        let high = out
            .lines()
            .filter(|l| l.trim_start().starts_with("high"))
            .count();
        assert_eq!(high, 4, "two undisclosed, two before consent:\n{out}");
    }
}
