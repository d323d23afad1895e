//! The demo scan's JSON report, byte for byte, against a committed snapshot.
//!
//! Why: the report is a versioned contract, and refactors of the model (typed enums, stage values)
//! must not change a single byte of it. Only what legitimately differs between two runs is
//! redacted — the timestamps, the duration and the loopback port — and the redaction works on the
//! raw text, so key order, whitespace and number formatting are compared too.
//!
//! `SNAPSHOTS=overwrite` rewrites the snapshot after an intended change. A missing snapshot is
//! written on a developer machine but fails under `CI`, so a deleted file cannot make it pass.

mod harness;

use harness::Scan;
use std::path::PathBuf;

/// Replace the values that differ between runs of an unchanged site with fixed placeholders.
fn redact(json: &str) -> String {
    let stamp = regex::Regex::new(r#""(started_at|finished_at|baseline_started_at)": "[^"]*""#)
        .expect("regex");
    let duration = regex::Regex::new(r#""duration_ms": \d+"#).expect("regex");
    let port =
        regex::Regex::new(r"(127\.0\.0\.1|localhost|\[::1\]|\.test):\d{2,5}").expect("regex");
    let s = stamp.replace_all(json, r#""$1": "<redacted>""#);
    let s = duration.replace_all(&s, r#""duration_ms": 0"#);
    port.replace_all(&s, "$1:<port>").into_owned()
}

#[test]
fn demo_json_matches_the_snapshot_byte_for_byte() {
    let r = Scan::raw(&["demo", "--output", "{report}", "--quiet"]).run_plain();
    r.expect_code_in(&[0, 1]);
    let json = std::fs::read_to_string(&r.report_path).unwrap_or_else(|e| {
        panic!("the demo wrote no report: {e}{}", r.context());
    });
    let got = redact(&json);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/demo.json");
    let overwrite = std::env::var_os("SNAPSHOTS").is_some_and(|v| v == "overwrite");
    if !path.exists() && std::env::var_os("CI").is_some() && !overwrite {
        panic!(
            "{} is missing; under CI a missing snapshot fails (run the test locally to write it)",
            path.display()
        );
    }
    if overwrite || !path.exists() {
        std::fs::write(&path, &got).expect("write the snapshot");
    }
    let expected = std::fs::read_to_string(&path).expect("read the snapshot");
    if got != expected {
        let first = got
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(got.lines().count().min(expected.lines().count()));
        panic!(
            "the demo JSON changed at line {} (got {:?}, snapshot {:?}); rerun with \
             SNAPSHOTS=overwrite only if the change is intended",
            first + 1,
            got.lines().nth(first),
            expected.lines().nth(first)
        );
    }
}

#[test]
fn redaction_touches_only_run_dependent_values() {
    let raw = "{\n  \"started_at\": \"2026-01-01T00:00:00Z\",\n  \"duration_ms\": 1234,\n  \
               \"url\": \"http://127.0.0.1:40123/\",\n  \"max_pages\": 200\n}\n";
    assert_eq!(
        redact(raw),
        "{\n  \"started_at\": \"<redacted>\",\n  \"duration_ms\": 0,\n  \
         \"url\": \"http://127.0.0.1:<port>/\",\n  \"max_pages\": 200\n}\n"
    );
}
