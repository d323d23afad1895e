//! `privacy-inventory schema`: the published JSON Schema of the report is a valid JSON Schema, the
//! reports the binary writes validate against it (the harness checks every report it reads), and
//! the validation is real: a report with a wrong type fails it.

mod harness;

use harness::{report_schema, schema_violations, Scan};
use serde_json::{json, Value};

#[test]
fn schema_is_a_valid_json_schema_of_the_report() {
    let r = Scan::raw(&["schema"]).run_plain();
    r.expect_code(0);
    let schema: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("`schema` does not print JSON: {e}{}", r.context()));
    // Compiling validates it against the draft's meta-schema (the harness compiled the same text).
    jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("not a valid JSON Schema: {e}{}", r.context()));
    assert_eq!(
        &schema,
        &report_schema().0,
        "two runs print different schemas"
    );
    assert!(
        schema["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("json-schema.org")),
        "no $schema draft URI: {}",
        schema["$schema"]
    );
    assert_eq!(schema["title"], "Report");
    let required: Vec<&str> = schema["required"]
        .as_array()
        .expect("a required list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for field in [
        "schema_version",
        "tool",
        "target",
        "pages",
        "cookies",
        "third_parties",
        "services",
        "policy",
        "findings",
        "disclosed",
        "summary",
        "errors",
    ] {
        assert!(
            required.contains(&field),
            "{field} is not required: {required:?}"
        );
    }
    // `changes` is optional: a report without --baseline has none.
    assert!(!required.contains(&"changes"));
    for def in ["Finding", "Cookie", "ThirdParty", "Changes", "Acceptance"] {
        assert!(
            schema["definitions"][def].is_object(),
            "definition {def} missing"
        );
    }

    // The meta-schema check is not vacuous: a schema with a nonsense type does not compile.
    assert!(jsonschema::validator_for(&json!({"type": "nonsense"})).is_err());
}

/// A real report from the bundled demo (the harness validates it on reading).
fn demo_report() -> Value {
    let r = Scan::raw(&["demo", "--output", "{report}", "--quiet"]).run_plain();
    r.expect_code_in(&[0, 1]);
    let v = r.json.clone().expect("demo wrote a JSON report");
    assert!(schema_violations(&v).is_empty());
    assert!(
        !v["findings"].as_array().unwrap().is_empty()
            && !v["cookies"].as_array().unwrap().is_empty(),
        "the demo report should exercise findings and cookies"
    );
    v
}

#[test]
fn a_report_with_a_wrong_type_fails_validation() {
    let good = demo_report();
    // (what, JSON pointer, replacement; None = remove the field)
    let broken: [(&str, &str, Option<Value>); 6] = [
        (
            "duration_ms as a string",
            "/duration_ms",
            Some(json!("fast")),
        ),
        (
            "severity as a number",
            "/findings/0/severity",
            Some(json!(3)),
        ),
        ("cookies as an object", "/cookies", Some(json!({"_ga": 1}))),
        (
            "third-party host as null",
            "/third_parties/0/host",
            Some(Value::Null),
        ),
        ("no schema_version", "/schema_version", None),
        (
            "changes of the wrong shape",
            "/changes",
            Some(json!({"new_services": "x"})),
        ),
    ];
    for (what, pointer, replacement) in broken {
        let mut v = good.clone();
        match replacement {
            Some(r) => {
                *v.pointer_mut(pointer)
                    .unwrap_or_else(|| panic!("{pointer}")) = r
            }
            None => {
                v.as_object_mut().unwrap().remove(&pointer[1..]);
            }
        }
        assert_ne!(v, good, "{what}: nothing was changed");
        let violations = schema_violations(&v);
        assert!(
            !violations.is_empty(),
            "{what}: validated although it is broken"
        );
    }
}

#[test]
fn a_report_with_changes_validates() {
    // `--baseline` adds the `changes` section; it must match the schema's Changes too.
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.json");
    let r = Scan::raw(&["demo", "--output", base.to_str().unwrap(), "--quiet"]).run_plain();
    r.expect_code_in(&[0, 1]);
    let r = Scan::raw(&[
        "demo",
        "--output",
        "{report}",
        "--quiet",
        "--baseline",
        base.to_str().unwrap(),
    ])
    .run_plain();
    r.expect_code_in(&[0, 1]);
    let v = r.json.as_ref().expect("a report");
    assert!(
        v["changes"].is_object(),
        "no changes section{}",
        r.context()
    );
    // An unchanged site: nothing new, nothing removed.
    for k in [
        "new_services",
        "removed_services",
        "new_hosts",
        "new_findings",
    ] {
        assert_eq!(v["changes"][k], json!([]), "{k}{}", r.context());
    }
}
