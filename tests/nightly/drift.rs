//! Drift: `--baseline` adds `changes`, `--fail-on-new` fails only on what is new, `diff` prints
//! the same for two stored reports; a baseline that is not a v1 report is a usage error.

use crate::harness::{report_schema, site, Scan, ScanResult, Site};
use crate::{write, SHOP};
use serde_json::{json, Value};
use std::path::Path;

/// Scan `shop` into `out` (JSON), with extra flags.
fn scan_to(shop: &Site, out: &Path, flags: &[&str]) -> ScanResult {
    shop.scan(SHOP)
        .args(flags)
        .args(&["--output", out.to_str().unwrap()])
        .run_plain()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// Validate a `changes` object against the schema's `Changes` definition.
fn assert_changes_valid(changes: &Value) {
    let schema = &report_schema().0;
    let sub = json!({
        "$schema": schema["$schema"],
        "$ref": "#/definitions/Changes",
        "definitions": schema["definitions"],
    });
    let v = jsonschema::validator_for(&sub).expect("the Changes definition compiles");
    let errors: Vec<String> = v.iter_errors(changes).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "changes do not match the schema: {errors:?}\n{changes:#}"
    );
}

#[test]
fn baseline_changes_fail_on_new_and_diff() {
    let v1 = site("nightly-v1");
    let v2 = site("nightly-v2");
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("v1.json");
    let base_s = base.to_str().unwrap();
    scan_to(&v1, &base, &["--quiet"]).expect_code(1);

    // The shop gained the Meta Pixel overnight.
    let r = v2.scan(SHOP).args(&["--baseline", base_s]).run();
    r.expect_code(1);
    let changes = &r.json.as_ref().unwrap()["changes"];
    assert_changes_valid(changes);
    assert_eq!(
        strings(&changes["new_services"]),
        ["meta-pixel"],
        "{}",
        r.context()
    );
    assert_eq!(strings(&changes["new_hosts"]), ["connect.facebook.net"]);
    assert_eq!(strings(&changes["new_cookies"]), ["_fbp@www.shop.test"]);
    for k in [
        "removed_services",
        "removed_hosts",
        "removed_cookies",
        "resolved_findings",
    ] {
        assert_eq!(changes[k], json!([]), "{k}: {changes:#}");
    }
    let new_findings = changes["new_findings"].as_array().unwrap();
    assert!(!new_findings.is_empty(), "{changes:#}");
    assert!(
        new_findings.iter().all(|f| f["service"] == "meta-pixel"),
        "only the pixel's findings are new (Hotjar's are old): {changes:#}"
    );
    assert!(new_findings
        .iter()
        .any(|f| f["kind"] == "undisclosed_service"));
    assert_eq!(changes["baseline_target"], SHOP);

    // --fail-on-new: v2 against v1 fails (the pixel is new and high) …
    v2.scan(SHOP)
        .args(&["--baseline", base_s, "--fail-on-new"])
        .run()
        .expect_code(1);
    // … v1 against itself passes although its (old) Hotjar findings are high …
    let same = v1
        .scan(SHOP)
        .args(&["--baseline", base_s, "--fail-on-new"])
        .run();
    same.expect_code(0);
    assert!(same.report().findings.iter().any(|f| f.severity == "high"));
    assert_eq!(
        same.json.as_ref().unwrap()["changes"]["new_findings"],
        json!([])
    );
    // … and a new finding below --fail-on does not fail either.
    v2.scan(SHOP)
        .args(&["--baseline", base_s, "--fail-on-new", "--fail-on", "never"])
        .run()
        .expect_code(0);

    // The other way round: the pixel was removed, its findings resolved; nothing new.
    let new = dir.path().join("v2.json");
    scan_to(&v2, &new, &["--quiet"]).expect_code(1);
    let back = v1
        .scan(SHOP)
        .args(&["--baseline", new.to_str().unwrap(), "--fail-on-new"])
        .run();
    back.expect_code(0);
    let c = &back.json.as_ref().unwrap()["changes"];
    assert_eq!(strings(&c["removed_services"]), ["meta-pixel"]);
    assert_eq!(strings(&c["removed_hosts"]), ["connect.facebook.net"]);
    assert_eq!(c["new_findings"], json!([]));
    assert!(!c["resolved_findings"].as_array().unwrap().is_empty());

    // `diff` prints the same changes for two stored reports, exit 1 when something changed.
    let new_s = new.to_str().unwrap();
    let text = Scan::raw(&["diff", base_s, new_s]).run_plain();
    text.expect_code(1);
    for needle in [
        "New services:\n  + meta-pixel",
        "New third-party hosts:\n  + connect.facebook.net",
        "New cookies:\n  + _fbp@www.shop.test",
        "New findings:",
    ] {
        assert!(
            text.stdout.contains(needle),
            "text lacks {needle:?}{}",
            text.context()
        );
    }
    assert!(!text.stdout.contains("Removed"), "{}", text.context());
    let js = Scan::raw(&["diff", base_s, new_s, "--format", "json"]).run_plain();
    js.expect_code(1);
    let diff: Value = serde_json::from_str(&js.stdout).expect("diff --format json prints JSON");
    assert_changes_valid(&diff);
    // The same identity rules as --baseline: identical lists.
    for k in [
        "new_services",
        "new_hosts",
        "new_cookies",
        "removed_services",
    ] {
        assert_eq!(diff[k], changes[k], "{k}");
    }
    assert_eq!(
        diff["new_findings"].as_array().unwrap().len(),
        new_findings.len()
    );
    let md = Scan::raw(&["diff", base_s, new_s, "--format", "md"]).run_plain();
    md.expect_code(1);
    assert!(
        md.stdout.starts_with("## Changes since "),
        "{}",
        md.context()
    );
    for needle in [
        "| new service | meta-pixel |",
        "| new host | connect.facebook.net |",
        // Site-controlled text goes through the report's Markdown escape (renders as written).
        "| new cookie | \\_fbp\\@www.shop.test |",
        "| new finding | high undisclosed\\_service meta-pixel",
    ] {
        assert!(
            md.stdout.contains(needle),
            "md lacks {needle:?}{}",
            md.context()
        );
    }
    // Nothing changed: exit 0 and says so.
    let none = Scan::raw(&["diff", base_s, base_s]).run_plain();
    none.expect_code(0);
    assert_eq!(none.stdout, "No changes since the baseline.\n");
}

#[test]
fn a_baseline_that_is_not_a_v1_report_is_a_usage_error() {
    let shop = site("nightly-v1");
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    scan_to(&shop, &good, &["--quiet"]).expect_code(1);
    let mut v2: Value = serde_json::from_str(&std::fs::read_to_string(&good).unwrap()).unwrap();
    v2["schema_version"] = json!("2");
    let cases = [
        (
            write(dir.path(), "v2.json", &v2.to_string()),
            "schema_version \"2\"",
        ),
        (
            write(dir.path(), "text.json", "<html>not a report</html>"),
            "is not JSON",
        ),
        (
            write(dir.path(), "other.json", "{\"name\": \"x\"}"),
            "not a privacy-inventory report",
        ),
        (
            write(dir.path(), "typed.json", &{
                let mut t: Value =
                    serde_json::from_str(&std::fs::read_to_string(&good).unwrap()).unwrap();
                t["findings"] = json!("none");
                t.to_string()
            }),
            "is not a valid report",
        ),
        (
            dir.path().join("missing.json").display().to_string(),
            "cannot read report",
        ),
    ];
    for (path, needle) in &cases {
        shop.server.clear_requests();
        let r = shop.scan(SHOP).args(&["--baseline", path]).run();
        r.expect_code(2);
        let lines: Vec<&str> = r.stderr.trim().lines().collect();
        assert_eq!(lines.len(), 1, "not one line{}", r.context());
        assert!(
            lines[0].contains(needle) && lines[0].contains(path.as_str()),
            "{}",
            r.context()
        );
        // The baseline is read before crawling: nothing was scanned, no report written.
        assert!(
            shop.requests().is_empty(),
            "scanned anyway: {}",
            shop.request_log()
        );
        assert!(r.json.is_none(), "{}", r.context());

        let d = Scan::raw(&["diff", good.to_str().unwrap(), path]).run_plain();
        d.expect_code(2);
        assert!(d.stdout.is_empty(), "{}", d.context());
        assert_eq!(d.stderr.trim().lines().count(), 1, "{}", d.context());
        assert!(d.stderr.contains(needle), "{}", d.context());
    }
}
