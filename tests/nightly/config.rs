//! `privacy-inventory.toml`: init, portfolio, `--site`, config errors.

use crate::harness::{assert_schema_valid, dead_port, site, Scan};
use crate::{read_json, site_block, write, SHOP};
use serde_json::Value;

#[test]
fn init_writes_a_starter_that_scan_accepts() {
    let shop = site("nightly-v1");
    let dir = tempfile::tempdir().unwrap();
    let r = Scan::raw(&["init"]).in_dir(dir.path()).run_plain();
    r.expect_code(0);
    let path = dir.path().join("privacy-inventory.toml");
    let starter = std::fs::read_to_string(&path).expect("init wrote privacy-inventory.toml");
    assert!(
        starter.contains("[[site]]") && starter.contains("# [[accept]]"),
        "{starter}"
    );

    // A second init refuses to overwrite (exit 2, one line); --force does.
    let again = Scan::raw(&["init"]).in_dir(dir.path()).run_plain();
    again.expect_code(2);
    assert!(again.stderr.contains("--force"), "{}", again.context());
    assert_eq!(
        again.stderr.trim().lines().count(),
        1,
        "{}",
        again.context()
    );
    Scan::raw(&["init", "--force"])
        .in_dir(dir.path())
        .run_plain()
        .expect_code(0);

    // The user edits only the url (and, here, where its hosts resolve): `scan` with no arguments
    // finds the file in the working directory and scans it into privacy-reports/.
    let edited = starter.replace(
        "url = \"https://www.example.com/\"",
        &format!(
            "url = \"{SHOP}\"\nresolve = [\"*:{}:127.0.0.1\"]",
            shop.port()
        ),
    );
    assert_ne!(edited, starter, "the starter's url line moved");
    std::fs::write(&path, edited).unwrap();
    let r = Scan::raw(&["scan", "--quiet"])
        .in_dir(dir.path())
        .run_plain();
    r.expect_code(1); // Hotjar is high and the starter fails on high
    let report = read_json(&dir.path().join("privacy-reports/www.json"));
    assert_schema_valid(&report, &r.context());
    assert_eq!(report["target"], SHOP);
    assert!(
        shop.was_requested("www.shop.test", "/teas/"),
        "{}",
        shop.request_log()
    );
    let index = read_json(&dir.path().join("privacy-reports/index.json"));
    assert_eq!(index["sites"][0]["name"], "www");
    assert_eq!(index["sites"][0]["report"], "www.json");
    assert_eq!(index["sites"][0]["exit_code"], 1);
}

#[test]
fn portfolio_writes_every_report_and_index_and_exits_with_the_worst() {
    let v1 = site("nightly-v1");
    let v2 = site("nightly-v2");
    let down = dead_port();
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "sites.toml",
        &format!(
            "parallel = 2\n\n{}{}{}",
            site_block("shop", SHOP, v1.port()),
            site_block("down", "http://www.down.test/", down),
            site_block("shop-v2", SHOP, v2.port()),
        ),
    );
    let out = dir.path().join("reports");
    let out_s = out.display().to_string();
    let r = Scan::raw(&[
        "scan",
        "--config",
        &config,
        "--output-dir",
        &out_s,
        "--quiet",
    ])
    .run_plain();
    // shop and shop-v2 have high findings (1), down could not be fetched (3): the worst wins.
    r.expect_code(3);

    let shop = read_json(&out.join("shop.json"));
    let shop_v2 = read_json(&out.join("shop-v2.json"));
    let down_report = read_json(&out.join("down.json"));
    for rep in [&shop, &shop_v2, &down_report] {
        assert_schema_valid(rep, &r.context());
    }
    // The failing site did not cost the others anything.
    let services = |rep: &Value| -> Vec<String> {
        rep["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(services(&shop), ["google-fonts", "hotjar"]);
    assert!(
        services(&shop_v2).contains(&"meta-pixel".to_string()),
        "{:?}",
        services(&shop_v2)
    );
    assert_eq!(down_report["pages"][0]["url"], "http://www.down.test/");
    assert_eq!(down_report["pages"][0]["error"], "connect");
    assert_eq!(down_report["pages"].as_array().unwrap().len(), 1);
    assert!(
        down_report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["url"].as_str().unwrap_or("").contains("www.down.test")),
        "the refused start URL is not in errors: {}",
        down_report["errors"]
    );

    let index = read_json(&out.join("index.json"));
    assert_eq!(index["schema_version"], "1");
    let sites: Vec<(String, u64, String)> = index["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["exit_code"].as_u64().unwrap(),
                s["report"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        sites,
        [
            ("shop".to_string(), 1, "shop.json".to_string()),
            ("down".to_string(), 3, "down.json".to_string()),
            ("shop-v2".to_string(), 1, "shop-v2.json".to_string()),
        ],
        "index (in config order): {index:#}"
    );
    assert!(
        index["sites"][1]["error"].is_string(),
        "the index says why down failed: {index:#}"
    );
    assert_eq!(index["sites"][0]["summary"]["services"], 2);

    // --site scans one site of the file, into the directory as well; the others are not touched.
    v1.server.clear_requests();
    v2.server.clear_requests();
    let one = dir.path().join("one");
    let one_s = one.display().to_string();
    let r = Scan::raw(&[
        "scan",
        "--config",
        &config,
        "--site",
        "shop-v2",
        "--output-dir",
        &one_s,
        "--quiet",
    ])
    .run_plain();
    r.expect_code(1);
    assert!(one.join("shop-v2.json").is_file());
    assert!(!one.join("shop.json").exists() && !one.join("down.json").exists());
    assert_eq!(
        read_json(&one.join("index.json"))["sites"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(
        v1.requests().is_empty(),
        "site shop was scanned: {}",
        v1.request_log()
    );
    assert!(!v2.requests().is_empty());

    // An unknown --site name is a usage error that names it.
    let r = Scan::raw(&[
        "scan",
        "--config",
        &config,
        "--site",
        "nope",
        "--output-dir",
        &one_s,
    ])
    .run_plain();
    r.expect_code(2);
    assert!(r.stderr.contains("\"nope\""), "{}", r.context());
}

/// Write `config` and run `scan --config`; the server must not have been asked for anything.
fn expect_config_error(config: &str, needles: &[&str]) {
    let shop = site("nightly-v1");
    let dir = tempfile::tempdir().unwrap();
    let config = config.replace("PORT", &shop.port().to_string());
    let path = write(dir.path(), "privacy-inventory.toml", &config);
    let out = dir.path().join("reports");
    let r = Scan::raw(&[
        "scan",
        "--config",
        &path,
        "--output-dir",
        out.to_str().unwrap(),
    ])
    .in_dir(dir.path())
    .run_plain();
    r.expect_code(2);
    assert_eq!(
        r.stderr.trim().lines().count(),
        1,
        "not one line{}",
        r.context()
    );
    for n in needles {
        assert!(r.stderr.contains(n), "stderr lacks {n:?}{}", r.context());
    }
    assert!(
        shop.requests().is_empty(),
        "a bad config scanned: {}",
        shop.request_log()
    );
    assert!(!out.exists(), "a bad config created the output directory");
}

#[test]
fn config_errors_name_line_and_field_and_exit_2() {
    let good = "[[site]]\nname = \"shop\"\nurl = \"http://www.shop.test/\"\nresolve = [\"*:PORT:127.0.0.1\"]\n";
    // Unknown field, on line 5.
    expect_config_error(&format!("{good}max_pagez = 3\n"), &["line 5", "max_pagez"]);
    // Wrong type: the value's line, and the field in the quoted source line.
    expect_config_error(
        &format!("{good}max_pages = \"ten\"\n"),
        &["line 5", "max_pages"],
    );
    // Unknown fail_on.
    expect_config_error(
        &format!("fail_on = \"critical\"\n{good}"),
        &["fail_on", "critical"],
    );
    // Enumerations are checked like the flags they stand for, not silently defaulted.
    expect_config_error(&format!("{good}scope = \"hots\"\n"), &["scope", "hots"]);
    expect_config_error(&format!("{good}mode = \"chrome\"\n"), &["mode", "chrome"]);
    expect_config_error(&format!("{good}consent = \"yes\"\n"), &["consent", "yes"]);
    // Values the flags would refuse are refused with the config's field name.
    expect_config_error(&format!("{good}max_pages = 0\n"), &["max_pages"]);
    expect_config_error(
        &format!("{good}include = [\"(unclosed\"]\n"),
        &["include", "(unclosed"],
    );
    // A site without a scheme says what to type; the site is named.
    expect_config_error(
        "[[site]]\nname = \"shop\"\nurl = \"www.shop.test\"\n",
        &["shop", "https://www.shop.test"],
    );
    // Accepted exceptions are checked before anything is scanned.
    expect_config_error(
        &format!("{good}\n[[accept]]\nreason = \"r\"\napproved_by = \"dpo\"\n"),
        &["service", "host"],
    );
    expect_config_error(
        &format!("{good}\n[[accept]]\nservice = \"hotjar\"\nreason = \"r\"\napproved_by = \"dpo\"\nexpires = \"31.12.2026\"\n"),
        &["expires", "YYYY-MM-DD"],
    );
    expect_config_error("fail_on = \"high\"\n", &["[[site]]"]);
}

#[test]
fn no_url_and_no_config_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let r = Scan::raw(&["scan"]).in_dir(dir.path()).run_plain();
    r.expect_code(2);
    assert!(
        r.stderr.contains("privacy-inventory init"),
        "{}",
        r.context()
    );
    let r = Scan::raw(&["scan", "--config", "missing.toml"])
        .in_dir(dir.path())
        .run_plain();
    r.expect_code(2);
    assert!(r.stderr.contains("missing.toml"), "{}", r.context());
}
