//! Flags next to `--config`: typed flags reach every site and win over the file; a flag that
//! cannot apply is exit 2 with a one-line message, never silently ignored.

use crate::harness::{site, Scan};
use crate::{index_sites, read_json, write, SHOP};

/// The issue's own case: `scan --config sites.toml --resolve … --insecure` used to scan without
/// them. The file has no `resolve`, so only the flag can bring the sites to the fixture server;
/// the file's `max_pages = 20` loses to a typed `--max-pages 2`.
#[test]
fn typed_crawl_flags_reach_every_site_and_win_over_the_file() {
    let v1 = site("nightly-v1");
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "sites.toml",
        &format!(
            "[[site]]\nname = \"one\"\nurl = \"{SHOP}\"\nmax_pages = 20\n\n[[site]]\nname = \"two\"\nurl = \"{SHOP}\"\nmax_pages = 20\nresolve = [\"*:1:127.0.0.1\"]\n"
        ),
    );
    let out = dir.path().join("out");
    let resolve = format!("*:{}:127.0.0.1", v1.port());
    let r = Scan::raw(&[
        "scan",
        "--config",
        &config,
        "--resolve",
        &resolve,
        "--insecure",
        "--max-pages",
        "2",
        "--output-dir",
        &out.display().to_string(),
        "--quiet",
    ])
    .run_plain();
    // Both sites reached the shop (high findings: 1), not an unreachable host (3).
    r.expect_code(1);
    for name in ["one", "two"] {
        let report = read_json(&out.join(format!("{name}.json")));
        assert_eq!(report["summary"]["pages"], 2, "{name}: {}", r.context());
        assert_eq!(report["settings"]["insecure"], true, "{name}");
    }
}

#[test]
fn flags_that_cannot_apply_are_usage_errors() {
    let v1 = site("nightly-v1");
    let dir = tempfile::tempdir().unwrap();
    let two = write(
        dir.path(),
        "two.toml",
        &format!(
            "[[site]]\nname = \"a\"\nurl = \"{SHOP}\"\n[[site]]\nname = \"b\"\nurl = \"{SHOP}\"\n"
        ),
    );
    let base = write(dir.path(), "base.json", "{}");
    let port = v1.port().to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["scan", "--config", &two, "--baseline", &base],
            "--baseline",
        ),
        (
            vec!["scan", "--config", &two, "--policy", "https://x.example/p"],
            "--policy",
        ),
        (
            vec!["scan", "--config", &two, "--output", "r.json"],
            "--output",
        ),
        (
            vec!["scan", "--config", &two, "--shard", "1/2", "--site", "a"],
            "--site",
        ),
        (vec!["scan", "--config", &two, "--shard", "3/2"], "--shard"),
        (vec!["scan", SHOP, "--shard", "1/2"], "--shard"),
        (
            vec!["scan", SHOP, "--output-dir", "x", "--resolve", &port],
            "--output-dir",
        ),
    ];
    for (args, named) in cases {
        let r = Scan::raw(&args).in_dir(dir.path()).run_plain();
        r.expect_code(2);
        assert!(r.stderr.contains(named), "{args:?}: {}", r.context());
        assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.context());
    }
}

#[test]
fn shards_split_the_file_and_an_empty_shard_writes_an_empty_index() {
    let v1 = site("nightly-v1");
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for name in ["a", "b", "c"] {
        text.push_str(&format!(
            "[[site]]\nname = \"{name}\"\nurl = \"{SHOP}\"\nmax_pages = 2\nresolve = [\"*:{}:127.0.0.1\"]\n\n",
            v1.port()
        ));
    }
    let config = write(dir.path(), "sites.toml", &text);
    // More shards than sites: some shards are empty, and that is not an error.
    let mut seen = Vec::new();
    for k in 1..=5 {
        let out = dir.path().join(format!("s{k}"));
        let r = Scan::raw(&[
            "scan",
            "--config",
            &config,
            "--output-dir",
            &out.display().to_string(),
            "--quiet",
        ])
        .args(&["--shard", &format!("{k}/5")])
        .run_plain();
        let index = read_json(&out.join("index.json"));
        let names: Vec<String> = index_sites(&index).into_iter().map(|s| s.0).collect();
        r.expect_code(if names.is_empty() { 0 } else { 1 });
        seen.extend(names);
    }
    seen.sort();
    assert_eq!(seen, ["a", "b", "c"]);
}
