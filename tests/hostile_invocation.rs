//! Issue 11, local robustness: flags that panicked or never ended are usage errors (exit 2), an
//! unwritable output is found before the crawl, outputs go through to devices and symlinks, and
//! site-controlled text from `policy` and `diff` reaches the terminal and Markdown inert.

mod harness;

use harness::{site, Scan};
use std::time::Duration;

const HOME: &str = "http://www.site.test/";

#[test]
fn out_of_range_timeouts_and_rates_are_usage_errors() {
    for (flag, value) in [
        ("--timeout", "1e300"),
        ("--timeout", "NaN"),
        ("--page-timeout", "1e300"),
        ("--rate", "1e-7"),
        ("--rate", "inf"),
    ] {
        let r = Scan::raw(&["scan", HOME, flag, value]).run_plain();
        assert_eq!(r.code, Some(2), "{flag} {value}{}", r.context());
        assert!(
            r.stderr.contains(flag) && r.stderr.lines().count() <= 2,
            "one line naming the flag: {flag} {value}{}",
            r.context()
        );
        assert!(!r.stderr.contains("panicked"), "{}", r.context());
    }
}

#[test]
fn an_endless_config_file_is_refused_quickly() {
    let r = Scan::raw(&["scan", "--config", "/dev/zero"]).run_plain();
    assert_eq!(r.code, Some(2), "{}", r.context());
    assert!(r.stderr.contains("larger than"), "{}", r.context());
    assert!(r.elapsed < Duration::from_secs(10), "{}", r.context());
}

#[test]
fn an_unwritable_output_is_found_before_the_crawl() {
    let s = site("redirects");
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir/report.json");
    let missing = missing.display().to_string();
    for flag in ["--output", "--markdown", "--html"] {
        let r = s.scan(HOME).args(&[flag, &missing]).run_plain();
        assert_eq!(r.code, Some(2), "{flag}{}", r.context());
        assert!(r.stderr.contains("does not exist"), "{}", r.context());
    }
    assert!(
        s.requests().is_empty(),
        "the site was crawled before the output was checked:\n{}",
        s.request_log()
    );
}

#[cfg(unix)]
#[test]
fn outputs_go_through_symlinks_and_devices_and_keep_the_mode() {
    use std::os::unix::fs::PermissionsExt;
    let s = site("redirects");
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.md");
    std::fs::write(&real, "old").unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o604)).unwrap();
    let link = dir.path().join("report.md");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let r = s
        .scan(HOME)
        .args(&[
            "--markdown",
            &link.display().to_string(),
            "--output",
            "/dev/null",
        ])
        .run_plain();
    assert_eq!(r.code, Some(0), "{}", r.context());
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&real)
        .unwrap()
        .contains("www.site.test"));
    assert_eq!(
        std::fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o604
    );
    assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
}

#[test]
fn policy_text_reaches_terminal_and_markdown_inert() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.txt");
    std::fs::write(
        &file,
        "Analyse\nWir nutzen Google Analytics \u{202e}gnikcart\u{202c} und \u{9b}31m rot, \
         siehe [hier](javascript:alert(1)).\n",
    )
    .unwrap();
    let path = file.display().to_string();
    let text = Scan::raw(&["policy", &path]).run_plain();
    assert_eq!(text.code, Some(0), "{}", text.context());
    assert!(
        text.stdout.contains("Google Analytics"),
        "{}",
        text.context()
    );
    for bad in ['\u{202e}', '\u{9b}', '\u{1b}'] {
        assert!(
            !text.stdout.contains(bad),
            "{bad:?} reached the terminal{}",
            text.context()
        );
    }
    assert!(text.stdout.contains("\\u{202e}"), "{}", text.context());
    let md = Scan::raw(&["policy", &path, "--format", "md"]).run_plain();
    assert_eq!(md.code, Some(0), "{}", md.context());
    assert!(
        !md.stdout.contains("[hier](javascript:"),
        "a live javascript: link{}",
        md.context()
    );
    assert!(md.stdout.contains("\\[hier\\]"), "{}", md.context());
}

#[test]
fn diff_text_escapes_site_controlled_names() {
    use privacy_inventory::report::model::{Cookie, Report, SCHEMA_VERSION};
    let dir = tempfile::tempdir().unwrap();
    let mut old = Report {
        schema_version: SCHEMA_VERSION.to_string(),
        target: "https://www.site.test/".into(),
        ..Report::default()
    };
    let old_path = dir.path().join("old.json");
    std::fs::write(&old_path, serde_json::to_string(&old).unwrap()).unwrap();
    // The new report has a cookie whose name carries a CSI (U+009B) and a bidi override.
    old.cookies.push(Cookie {
        name: "sid\u{9b}2J\u{202e}".into(),
        domain: "www.site.test".into(),
        ..Cookie::default()
    });
    let new_path = dir.path().join("new.json");
    std::fs::write(&new_path, serde_json::to_string(&old).unwrap()).unwrap();
    let r = Scan::raw(&[
        "diff",
        &old_path.display().to_string(),
        &new_path.display().to_string(),
    ])
    .run_plain();
    assert_eq!(r.code, Some(1), "{}", r.context());
    assert!(
        r.stdout.contains("sid\\u{009b}2J\\u{202e}"),
        "{}",
        r.context()
    );
    assert!(!r.stdout.contains('\u{9b}') && !r.stdout.contains('\u{202e}'));
}

#[test]
fn start_url_credentials_stay_out_of_report_and_progress() {
    let s = site("redirects");
    let r = s
        .scan("http://ci-user:s3cret-pw@www.site.test/")
        .args(&["--output", "{report}", "--markdown", "-"])
        .run_plain();
    let raw = std::fs::read_to_string(&r.report_path).unwrap_or_default();
    assert!(r.json.is_some(), "a report is written{}", r.context());
    for (what, text) in [
        ("report", raw.as_str()),
        ("stderr", &r.stderr),
        ("stdout", &r.stdout),
    ] {
        assert!(
            !text.contains("s3cret-pw") && !text.contains("ci-user"),
            "credentials in the {what}{}",
            r.context()
        );
    }
    assert!(raw.contains("http://***@www.site.test/"), "{}", r.context());
}
