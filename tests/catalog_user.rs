//! User catalogs: merging over the built-in one, and `catalog check` with line-and-field errors.

use assert_cmd::Command;
use privacy_inventory::catalog::{check_file, Catalog};
use std::path::PathBuf;

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const GOOD: &str = r#"
[[company]]
id = "acme-analytics"
name = "ACME Analytics GmbH"
country = "DE"

[[service]]
id = "acme-stats"
name = "ACME Stats"
company = "acme-analytics"
categories = ["analytics"]
hosts = ["stats.acme-analytics.example", "stats.g.doubleclick.net"]
cookies = ["_acme_*"]

[[service]]
id = "google-analytics"
name = "Google Analytics 4 (our override)"
company = "google"
categories = ["analytics"]
hosts = ["google-analytics.com"]
cookies = ["_ga"]

[[first_party]]
domain = "our-cdn.example"
"#;

#[test]
fn user_entries_override_add_and_take_hosts() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "mine.toml", GOOD);
    let builtin = Catalog::builtin().unwrap();
    let c = Catalog::load(&[p]).unwrap();
    assert_eq!(c.services().len(), builtin.services().len() + 1);
    let ga = c.service("google-analytics").unwrap();
    assert_eq!(ga.name, "Google Analytics 4 (our override)");
    assert_eq!(ga.cookies, ["_ga"]);
    assert_eq!(
        c.lookup_cookie("_ga_XYZ", true).map(|s| s.id.as_str()),
        None
    );
    assert_eq!(
        c.lookup_host("x.stats.acme-analytics.example").unwrap().id,
        "acme-stats"
    );
    // A host a user service claims leaves the built-in service that had it.
    assert_eq!(
        c.lookup_host("stats.g.doubleclick.net").unwrap().id,
        "acme-stats"
    );
    assert_eq!(
        c.lookup_cookie("_acme_session", false).unwrap().id,
        "acme-stats"
    );
    assert!(c.is_marked_first_party("static.our-cdn.example"));
    assert_eq!(
        c.company("acme-analytics").unwrap().name,
        "ACME Analytics GmbH"
    );
}

#[test]
fn check_reports_line_and_field_for_each_problem() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "bad.toml",
        r#"[[service]]
id = "Bad_Id"
name = "Bad"
company = "no-such-company"
categories = ["analytics", "spying"]
hosts = ["https://Tracker.example/x", "dup.example"]

[[service]]
id = "other"
name = "Other"
company = "google"
categories = ["cdn"]
hosts = ["dup.example"]

[[service]]
id = "empty"
name = "Empty"
company = "google"
categories = []
"#,
    );
    let errs = check_file(&p).unwrap_err();
    let lines: Vec<String> = errs
        .0
        .iter()
        .map(|i| format!("{}:{} {}", i.line, i.column, i.field))
        .collect();
    let text = errs.to_string();
    assert!(
        lines.contains(&"2:6 service \"Bad_Id\" id".to_string()),
        "{text}"
    );
    assert!(
        lines.contains(&"4:11 service \"Bad_Id\" company".to_string()),
        "{text}"
    );
    assert!(
        lines.contains(&"5:28 service \"Bad_Id\" categories".to_string()),
        "{text}"
    );
    assert!(
        lines.contains(&"6:10 service \"Bad_Id\" hosts".to_string()),
        "{text}"
    );
    assert!(
        lines.contains(&"13:10 service \"other\" hosts".to_string()),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("19:") && l.ends_with("service \"empty\" categories")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("15:") && l.ends_with("service \"empty\" hosts")),
        "{text}"
    );
    assert!(text.contains("unknown category \"spying\""), "{text}");
    assert!(
        text.contains("already claimed by service \"Bad_Id\""),
        "{text}"
    );
    assert!(text.contains("without a scheme"), "{text}");
    assert!(errs.0.iter().all(|i| i.file == p.display().to_string()));
}

#[test]
fn check_rejects_url_rules_without_host_or_path() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "urls.toml",
        r#"[[service]]
id = "pixel-two"
name = "Pixel Two"
company = "google"
categories = ["advertising"]
hosts = ["pixel-two.example"]
urls = ["pixel-two.example/collect", "https://pixel-two.example/x", "/collect", "pixel-two.example"]
"#,
    );
    let errs = check_file(&p).unwrap_err();
    let text = errs.to_string();
    assert_eq!(
        errs.0.iter().filter(|i| i.field.ends_with("urls")).count(),
        3,
        "the scheme, the missing host and the missing path: {text}"
    );
    assert!(text.contains("a URL rule is a host and a path"), "{text}");
}

#[test]
fn check_reports_toml_syntax_and_unknown_fields_with_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "typo.toml", "[[service]]\nid = \"x\"\nname = \"X\"\ncompany = \"google\"\ncategories = [\"cdn\"]\nhost = [\"x.example\"]\n");
    let errs = check_file(&p).unwrap_err();
    assert_eq!(errs.0.len(), 1, "{errs}");
    assert_eq!(errs.0[0].line, 6, "{errs}");
    assert!(errs.0[0].message.contains("host"), "{errs}");
    let p = write(&dir, "syntax.toml", "[[service]]\nid = \"x\nname = 1\n");
    let errs = check_file(&p).unwrap_err();
    assert_eq!(errs.0[0].line, 2, "{errs}");
}

#[test]
fn cli_check_exits_0_when_fine_and_2_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(&dir, "good.toml", GOOD);
    Command::cargo_bin("privacy-inventory")
        .unwrap()
        .args(["catalog", "check"])
        .arg(&good)
        .assert()
        .code(0)
        .stdout(predicates::str::contains(": ok ("));
    let bad = write(&dir, "bad.toml", "[[service]]\nid = \"x\"\nname = \"X\"\ncompany = \"google\"\ncategories = [\"cdn\"]\nhosts = [\"X.EXAMPLE\"]\n");
    let out = Command::cargo_bin("privacy-inventory")
        .unwrap()
        .args(["catalog", "check"])
        .arg(&bad)
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(err.contains("bad.toml:6:10: service \"x\" hosts: \"X.EXAMPLE\": hosts are lowercase: write \"x.example\""), "{err}");
    Command::cargo_bin("privacy-inventory")
        .unwrap()
        .args(["catalog", "check"])
        .arg(dir.path().join("missing.toml"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot read the catalog file"));
}

#[test]
fn cli_check_without_a_file_checks_the_built_in_catalog() {
    Command::cargo_bin("privacy-inventory")
        .unwrap()
        .args(["catalog", "check"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("built-in catalog: ok ("));
}

#[test]
fn cli_check_lists_user_entries_without_a_source_note() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{GOOD}\n[[service]]\nid = \"acme-cdn\"\nname = \"ACME CDN\"\ncompany = \"acme-analytics\"\ncategories = [\"cdn\"]\nhosts = [\"cdn.acme-analytics.example\"]\nsource = \"our contract with ACME\"\n"
    );
    let p = write(&dir, "mine.toml", &text);
    let out = Command::cargo_bin("privacy-inventory")
        .unwrap()
        .args(["catalog", "check"])
        .arg(&p)
        .assert()
        .code(0)
        .get_output()
        .clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("service \"acme-stats\" source: no source note"),
        "{err}"
    );
    assert!(err.contains("company \"acme-analytics\" source"), "{err}");
    assert!(!err.contains("acme-cdn"), "{err}");
    // An empty note is an error even in a user file.
    let p = write(
        &dir,
        "empty.toml",
        &text.replace("our contract with ACME", " "),
    );
    let errs = check_file(&p).unwrap_err();
    assert!(errs.to_string().contains("source note is empty"), "{errs}");
}

#[test]
fn cli_lookup_explains_why() {
    let out = Command::cargo_bin("privacy-inventory")
        .unwrap()
        .args(["catalog", "lookup", "region1.google-analytics.com"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("matched host suffix \"google-analytics.com\""),
        "{out}"
    );
    assert!(out.contains("google-analytics (Google Analytics)"), "{out}");
    assert!(out.contains("categories: analytics"), "{out}");
    let out = Command::cargo_bin("privacy-inventory")
        .unwrap()
        .args(["catalog", "lookup", "_ga_1234ABC"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("pattern \"_ga_*\""), "{out}");
    let out = Command::cargo_bin("privacy-inventory")
        .unwrap()
        .args(["catalog", "lookup", "https://nothing-known.example/a.js"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(out)
        .unwrap()
        .contains("not in the catalog"));
}

#[test]
fn cli_list_filters_by_category_and_emits_json() {
    let out = Command::cargo_bin("privacy-inventory")
        .unwrap()
        .args(["catalog", "list", "--category", "fonts", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let arr = v.as_array().unwrap();
    assert!(!arr.is_empty());
    assert!(arr.iter().all(|s| s["categories"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "fonts")));
    assert!(arr
        .iter()
        .any(|s| s["id"] == "google-fonts" && s["company_name"] == "Google Ireland Limited"));
    Command::cargo_bin("privacy-inventory")
        .unwrap()
        .args(["catalog", "list", "--category", "nonsense"])
        .assert()
        .code(2);
}
