//! `merge`: shard directories → one index.json, index.md, index.html and the reports in OUT.

use crate::harness::{assert_schema_valid, dead_port, site, Scan};
use crate::{index_sites, read_json, site_block, write, SHOP};
use std::path::Path;

/// Scan `config` into `out` (a shard directory), returning the exit code.
fn scan_into(config: &str, out: &Path) -> i32 {
    let r = Scan::raw(&[
        "scan",
        "--config",
        config,
        "--output-dir",
        &out.display().to_string(),
        "--quiet",
    ])
    .run_plain();
    r.code.unwrap_or(-1)
}

fn merge(dirs: &[&Path], out: &Path, extra: &[&str]) -> crate::harness::ScanResult {
    let mut args = vec!["merge".to_string()];
    args.extend(dirs.iter().map(|d| d.display().to_string()));
    args.push("--output-dir".into());
    args.push(out.display().to_string());
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    Scan::raw(&refs).run_plain()
}

#[test]
fn shards_merge_into_one_sorted_index_with_reports_and_overviews() {
    let v1 = site("nightly-v1");
    let v2 = site("nightly-v2");
    let down = dead_port();
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.toml",
        &format!(
            "{}{}",
            site_block("shop-v2", SHOP, v2.port()),
            site_block("down", "http://www.down.test/", down)
        ),
    );
    let b = write(dir.path(), "b.toml", &site_block("shop", SHOP, v1.port()));
    let (shard_a, shard_b) = (dir.path().join("shard-a"), dir.path().join("shard-b"));
    assert_eq!(scan_into(&a, &shard_a), 3);
    assert_eq!(scan_into(&b, &shard_b), 1);
    let missing = dir.path().join("shard-c");
    let out = dir.path().join("out");

    let r = merge(&[&shard_a, &shard_b, &missing], &out, &[]);
    // down is unreachable (3) and outweighs the high findings (1); the missing shard is named
    // but does not make the merge fail as a whole.
    r.expect_code(3);
    assert!(r.stderr.contains("shard-c"), "{}", r.context());
    let index = read_json(&out.join("index.json"));
    assert_eq!(
        index_sites(&index),
        [
            ("down".to_string(), 3, "down.json".to_string()),
            ("shop".to_string(), 1, "shop.json".to_string()),
            ("shop-v2".to_string(), 1, "shop-v2.json".to_string()),
        ]
    );
    assert!(index["problems"][0].as_str().unwrap().contains("shard-c"));
    // Report paths resolve from OUT, and what they point at is a valid report.
    for name in ["down", "shop", "shop-v2"] {
        let report = read_json(&out.join(format!("{name}.json")));
        assert_schema_valid(&report, &r.context());
    }
    assert_eq!(
        index["sites"][1]["summary"]["findings_by_severity"]["high"],
        read_json(&out.join("shop.json"))["summary"]["findings_by_severity"]["high"]
    );
    let md = std::fs::read_to_string(out.join("index.md")).unwrap();
    assert!(md.contains("[shop.json](shop.json)"), "{md}");
    assert!(
        md.contains("| down | http://www.down.test/ | unreachable |"),
        "{md}"
    );
    assert!(md.contains("shard-c"), "{md}");
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("<a href=\"shop-v2.json\">"), "{html}");
    assert!(html.contains("Content-Security-Policy"));

    // The merge's own --fail-on decides, as in a single run: without down, `never` gives 0.
    let out2 = dir.path().join("out2");
    merge(&[&shard_b], &out2, &["--fail-on", "never"]).expect_code(0);
    merge(&[&shard_b], &out2, &[]).expect_code(1);

    // An index that names a file outside its directory is refused, not followed.
    let evil = dir.path().join("evil");
    std::fs::create_dir_all(&evil).unwrap();
    std::fs::write(
        evil.join("index.json"),
        r#"{"schema_version":"1","sites":[{"name":"../escape","target":"http://x.test/","report":"../shard-b/shop.json","exit_code":0,"error":null,"summary":null}]}"#,
    )
    .unwrap();
    let out3 = dir.path().join("out3");
    let r = merge(&[&evil, &shard_b], &out3, &[]);
    r.expect_code(1);
    assert!(r.stderr.contains("../escape"), "{}", r.context());
    assert!(!dir.path().join("escape.json").exists());
    assert_eq!(index_sites(&read_json(&out3.join("index.json"))).len(), 1);

    // Nothing mergeable at all: exit 2, each broken directory named.
    std::fs::create_dir_all(dir.path().join("broken")).unwrap();
    std::fs::write(dir.path().join("broken/index.json"), "{ not json").unwrap();
    let r = merge(&[&missing, &dir.path().join("broken")], &out2, &[]);
    r.expect_code(2);
    assert!(
        r.stderr.contains("shard-c") && r.stderr.contains("broken"),
        "{}",
        r.context()
    );
}

#[test]
fn baseline_marks_new_findings_and_fail_on_new_counts_only_them() {
    let v1 = site("nightly-v1");
    let v2 = site("nightly-v2");
    let dir = tempfile::tempdir().unwrap();
    let last_night = write(dir.path(), "v1.toml", &site_block("shop", SHOP, v1.port()));
    let tonight = write(dir.path(), "v2.toml", &site_block("shop", SHOP, v2.port()));
    let (s1, s2) = (dir.path().join("s1"), dir.path().join("s2"));
    scan_into(&last_night, &s1);
    scan_into(&tonight, &s2);
    let base = dir.path().join("base");
    merge(&[&s1], &base, &["--quiet"]).expect_code(1);

    // Same findings as the baseline: nothing new, so --fail-on-new passes.
    let same = dir.path().join("same");
    merge(
        &[&s1],
        &same,
        &["--baseline", &base.display().to_string(), "--fail-on-new"],
    )
    .expect_code(0);
    let index = read_json(&same.join("index.json"));
    assert_eq!(index["sites"][0]["new_findings_by_severity"]["high"], 0);

    // Tonight the Meta Pixel appeared: a new high finding fails the merge.
    let next = dir.path().join("next");
    let r = merge(
        &[&s2],
        &next,
        &["--baseline", &base.display().to_string(), "--fail-on-new"],
    );
    r.expect_code(1);
    let index = read_json(&next.join("index.json"));
    assert!(
        index["sites"][0]["new_findings_by_severity"]["high"]
            .as_u64()
            .unwrap()
            >= 1,
        "{index}"
    );
    let report = read_json(&next.join("shop.json"));
    assert_schema_valid(&report, &r.context());
    let new: Vec<&str> = report["changes"]["new_findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["service"].as_str())
        .collect();
    assert!(new.contains(&"meta-pixel"), "{new:?}");
    let md = std::fs::read_to_string(next.join("index.md")).unwrap();
    assert!(md.contains("high) |"), "{md}");
}
