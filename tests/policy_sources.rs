//! Reading sources end to end: real PDFs (generated here) through the child process, broken PDFs,
//! plain-text and HTML files as several parts of one policy, and the `policy` command.

mod policy_support;

use assert_cmd::Command;
use policy_support::{broken_pdf, make_pdf, summary, test_catalog};
use privacy_inventory::policy::{pdf, read_sources};
use std::path::Path;
use std::time::Duration;

const EXE: &str = env!("CARGO_BIN_EXE_privacy-inventory");

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

#[tokio::test]
async fn pdf_policy_is_read_in_a_child_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "datenschutz.pdf",
        &make_pdf(&[
            "Datenschutzerklärung",
            "Hosting",
            "Anbieter ist die Musterhost Rechenzentrum GmbH, Am Hafen 3, Hamburg.",
            "Google Fonts",
            "Diese Seite nutzt Google Fonts. Die Schriften werden von fonts.googleapis.com geladen.",
            "Analyse",
            "Wir setzen keine Analyse-Tools wie Hotjar ein, und die Daten sind sicher.",
        ]),
    );
    let text = pdf::extract_text(Path::new(EXE), Path::new(&path), Duration::from_secs(20))
        .await
        .expect("a valid PDF is read");
    assert!(text.contains("Musterhost Rechenzentrum GmbH"), "{text}");
    assert!(text.contains("Datenschutzerklärung"), "{text}");

    let policy = read_sources(
        std::slice::from_ref(&path),
        None,
        &test_catalog(),
        Path::new(EXE),
    )
    .await;
    assert_eq!(policy.error, None);
    assert_eq!(policy.urls, vec![path]);
    assert_eq!(policy.discovered_by.as_deref(), Some("argument"));
    assert_eq!(policy.language.as_deref(), Some("de"));
    let got = summary(&policy.declarations);
    let names: Vec<(&str, bool)> = got.iter().map(|d| (d.0.as_str(), d.3)).collect();
    assert_eq!(
        names,
        vec![
            ("Musterhost Rechenzentrum GmbH", false),
            ("Google Fonts", false),
            ("Hotjar", true)
        ]
    );
    assert_eq!(
        policy.declarations[1].section,
        "Datenschutzerklärung > Google Fonts"
    );
}

#[tokio::test]
async fn broken_pdf_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "broken.pdf", &broken_pdf());
    let err = pdf::extract_text(Path::new(EXE), Path::new(&bad), Duration::from_secs(20))
        .await
        .expect_err("a broken PDF is an error");
    assert!(err.contains("PDF"), "{err}");

    // In a multi-part policy the good part is still analysed and the bad one named.
    let good = write(
        dir.path(),
        "part2.txt",
        b"Analytics\nWe use Google Analytics on every page.\n",
    );
    let policy = read_sources(&[bad.clone(), good], None, &test_catalog(), Path::new(EXE)).await;
    let error = policy.error.expect("the broken part is reported");
    assert!(error.contains("broken.pdf"), "{error}");
    assert_eq!(policy.declarations.len(), 1);
    assert_eq!(
        policy.declarations[0].service.as_deref(),
        Some("google-analytics")
    );
}

#[tokio::test]
async fn a_pdf_that_hangs_the_parser_is_stopped_by_the_timeout() {
    // The child is this test binary's sibling; a zero timeout stands in for a parser that hangs.
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "p.pdf", &make_pdf(&["Text"]));
    let err = pdf::extract_text(Path::new(EXE), Path::new(&path), Duration::from_millis(0))
        .await
        .expect_err("timeout");
    assert!(err.contains("longer than"), "{err}");
}

#[tokio::test]
async fn missing_file_and_url_without_client_are_errors() {
    let policy = read_sources(
        &[
            "/nonexistent/policy.txt".to_string(),
            "https://example.invalid/privacy".to_string(),
        ],
        None,
        &test_catalog(),
        Path::new(EXE),
    )
    .await;
    let e = policy.error.unwrap();
    assert!(
        e.contains("/nonexistent/policy.txt") && e.contains("https://example.invalid/privacy"),
        "{e}"
    );
    assert!(policy.declarations.is_empty());
}

#[test]
fn policy_command_missing_file_exits_2_with_one_line() {
    let out = Command::new(EXE)
        .args(["policy", "/nonexistent/datenschutz.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("/nonexistent/datenschutz.txt"));
}

#[test]
fn policy_command_prints_json_text_and_markdown() {
    // The policy command needs the built-in catalog: a catalog that does not load is a failure.
    if let Err(e) = privacy_inventory::catalog::Catalog::builtin() {
        panic!("the built-in catalog does not load:\n{e}");
    }
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/policies/en-shop.txt");
    let out = Command::new(EXE)
        .args(["policy", fixture, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    assert_eq!(v["language"], "en");
    assert_eq!(v["urls"][0], fixture);
    let decls = v["declarations"].as_array().unwrap();
    assert!(decls
        .iter()
        .any(|d| d["name"] == "Google Analytics" && d["negated"] == false));
    assert!(decls
        .iter()
        .any(|d| d["name"] == "Chatterbox Ltd." && d["matched_as"] == "provider"));
    assert!(decls
        .iter()
        .any(|d| d["name"] == "Facebook Pixel" && d["negated"] == true));

    let out = Command::new(EXE)
        .args(["policy", fixture])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Free-text providers") && text.contains("Chatterbox Ltd."),
        "{text}"
    );
    let out = Command::new(EXE)
        .args(["policy", fixture, "--format", "md"])
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.contains("| Google Analytics | google-analytics |"),
        "{md}"
    );
}
