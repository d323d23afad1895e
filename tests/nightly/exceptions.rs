//! Accepted exceptions: reported as accepted, not counted until they expire.

use crate::harness::{self, site, Scan, Site};
use crate::{finding_services, site_block, write, SHOP};
use serde_json::Value;

/// Scan nightly-v1 through a one-site config with these `[[accept]]` entries and flags.
fn scan_with_accepts(shop: &Site, accepts: &str, flags: &[&str]) -> harness::ScanResult {
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "privacy-inventory.toml",
        &format!("{}{accepts}", site_block("shop", SHOP, shop.port())),
    );
    let mut args = vec![
        "scan",
        "--config",
        config.as_str(),
        "--output",
        "{report}",
        "--quiet",
    ];
    args.extend_from_slice(flags);
    let r = Scan::raw(&args).run_plain();
    drop(dir);
    r
}

const ACCEPT_HOTJAR: &str = "[[accept]]\nservice = \"hotjar\"\nreason = \"Replaced by self-hosted analytics, PRIV-7\"\napproved_by = \"dpo@shop.test\"\nexpires = \"EXPIRES\"\n";

#[test]
fn accepted_exceptions_stop_counting_until_they_expire() {
    let shop = site("nightly-v1");
    // Without an exception: Hotjar is high → exit 1.
    let plain = scan_with_accepts(&shop, "", &[]);
    plain.expect_code(1);
    let plain_json = plain.json.clone().unwrap();
    let kinds = finding_services(&plain_json);
    assert!(
        kinds.contains(&("undisclosed_service".into(), "hotjar".into(), "high".into())),
        "{kinds:?}"
    );
    assert!(kinds.contains(&(
        "undisclosed_service".into(),
        "google-fonts".into(),
        "medium".into()
    )));
    assert!(plain_json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["accepted"].is_null()));

    // Accepted, not expired: still reported (marked), no longer counted → exit 0.
    let accepted = scan_with_accepts(&shop, &ACCEPT_HOTJAR.replace("EXPIRES", "2099-12-31"), &[]);
    accepted.expect_code(0);
    let acc = accepted.json.clone().unwrap();
    assert_eq!(
        finding_services(&acc),
        kinds,
        "accepted findings must not be hidden"
    );
    for f in acc["findings"].as_array().unwrap() {
        if f["service"] == "hotjar" {
            assert_eq!(f["accepted"]["expired"], false, "{f:#}");
            assert_eq!(f["accepted"]["approved_by"], "dpo@shop.test");
            assert_eq!(
                f["accepted"]["reason"],
                "Replaced by self-hosted analytics, PRIV-7"
            );
            assert_eq!(f["accepted"]["expires"], "2099-12-31");
        } else {
            assert!(f["accepted"].is_null(), "only Hotjar is accepted: {f:#}");
        }
    }
    // --fail-on keeps its meaning for what is not accepted: Google Fonts (medium) still counts.
    scan_with_accepts(
        &shop,
        &ACCEPT_HOTJAR.replace("EXPIRES", "2099-12-31"),
        &["--fail-on", "medium"],
    )
    .expect_code(1);
    // Accepting Google Fonts by host as well leaves nothing at or above medium.
    let both = format!(
        "{}[[accept]]\nhost = \"googleapis.com\"\nreason = \"Self-hosting fonts in Q3\"\napproved_by = \"dpo@shop.test\"\n",
        ACCEPT_HOTJAR.replace("EXPIRES", "2099-12-31")
    );
    let r = scan_with_accepts(&shop, &both, &["--fail-on", "medium"]);
    r.expect_code(0);
    let open: Vec<_> = r.json.as_ref().unwrap()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["accepted"].is_null())
        .map(|f| f["severity"].as_str().unwrap().to_string())
        .collect();
    assert!(
        open.iter().all(|s| s == "low" || s == "info"),
        "{open:?}{}",
        r.context()
    );

    // Expired yesterday or earlier: counts again (exit 1) and the finding says it expired.
    let expired = scan_with_accepts(&shop, &ACCEPT_HOTJAR.replace("EXPIRES", "2020-01-31"), &[]);
    expired.expect_code(1);
    let exp = expired.json.clone().unwrap();
    let hotjar: Vec<&Value> = exp["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["service"] == "hotjar")
        .collect();
    assert!(!hotjar.is_empty());
    for f in hotjar {
        assert_eq!(f["accepted"]["expired"], true, "{f:#}");
        let msg = f["message"].as_str().unwrap();
        assert!(msg.contains("expired on 2020-01-31"), "{msg}");
        assert!(msg.contains("dpo@shop.test"), "{msg}");
    }
    // --fail-on never: nothing fails, expired or not.
    scan_with_accepts(
        &shop,
        &ACCEPT_HOTJAR.replace("EXPIRES", "2020-01-31"),
        &["--fail-on", "never"],
    )
    .expect_code(0);
}

#[test]
fn fail_on_flag_wins_over_the_config_and_the_config_over_the_default() {
    let shop = site("nightly-v1");
    // The config says "never": the findings no longer fail the run…
    scan_with_accepts(&shop, "", &[]).expect_code(1);
    let never = "fail_on = \"never\"\n";
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "privacy-inventory.toml",
        &format!("{never}{}", site_block("shop", SHOP, shop.port())),
    );
    let run = |flags: &[&str]| {
        let mut args = vec![
            "scan",
            "--config",
            config.as_str(),
            "--output",
            "{report}",
            "--quiet",
        ];
        args.extend_from_slice(flags);
        Scan::raw(&args).run_plain()
    };
    run(&[]).expect_code(0);
    // …unless the flag says otherwise, even when the flag names the default value.
    run(&["--fail-on", "high"]).expect_code(1);
}
