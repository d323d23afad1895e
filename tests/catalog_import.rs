//! `catalog import open-cookie-database` on a sample CSV written in the Open Cookie Database format.

use assert_cmd::Command;
use privacy_inventory::catalog::{check_file, import, Catalog};
use std::path::PathBuf;

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/catalog/open-cookie-database-sample.csv")
}

#[test]
fn import_converts_platforms_to_services_and_the_result_checks() {
    let builtin = Catalog::builtin().unwrap();
    let text = std::fs::read_to_string(sample()).unwrap();
    let out = import::open_cookie_database(&text, &builtin).unwrap();
    // _ga is known to the built-in Google Analytics: dropped. The invalid and the nameless rows too.
    assert_eq!(out.known, 1, "{}", out.toml);
    assert_eq!(out.invalid, 2, "{}", out.toml);
    assert_eq!(out.overrides, 1, "{}", out.toml);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ocd.toml");
    std::fs::write(&path, &out.toml).unwrap();
    let merged = check_file(&path)
        .unwrap_or_else(|e| panic!("imported catalog fails check:\n{e}\n{}", out.toml));

    let acme = merged
        .service("ocd-acme-heatmaps")
        .expect("new platform becomes a service");
    assert_eq!(acme.cookies, ["_acmehm_id", "_acmehm_seg_*"]);
    assert_eq!(acme.categories, ["advertising", "analytics"]);
    assert_eq!(acme.hosts, ["acmeheatmaps.example"]);
    assert_eq!(merged.company_of(acme).unwrap().name, "Acme Heatmaps B.V.");
    assert_eq!(
        merged.lookup_cookie("_acmehm_seg_42", true).unwrap().id,
        "ocd-acme-heatmaps"
    );
    assert_eq!(
        merged.lookup_host("cdn.acmeheatmaps.example").unwrap().id,
        "ocd-acme-heatmaps"
    );

    let shop = merged.service("ocd-fictional-shop-engine").unwrap();
    assert_eq!(shop.categories, ["other", "personalization"]);
    assert!(shop.hosts.is_empty());

    // A known platform becomes an override of the built-in entry, keeping its data.
    let ga = merged.service("google-analytics").unwrap();
    let builtin_ga = builtin.service("google-analytics").unwrap();
    assert_eq!(ga.hosts, builtin_ga.hosts);
    assert!(ga.cookies.contains(&"_ga_legacy_probe".to_string()));
    assert!(ga.cookies.contains(&"_gat_UA-*".to_string()));
    assert!(ga.cookies.starts_with(&builtin_ga.cookies));

    // A host the built-in catalog already attributes is not claimed again.
    let fb = merged.service("ocd-facebook-extra-tool").unwrap();
    assert!(fb.hosts.is_empty());
    assert_eq!(
        merged.company_of(fb).unwrap().id,
        builtin.lookup_host("facebook.com").unwrap().company
    );
    assert!(out
        .toml
        .starts_with("# Imported from the Open Cookie Database (Apache-2.0"));
}

#[test]
fn import_rejects_a_csv_without_the_expected_columns() {
    let builtin = Catalog::builtin().unwrap();
    let err = import::open_cookie_database("name,value\n_ga,1\n", &builtin).unwrap_err();
    assert!(err.contains("\"Platform\""), "{err}");
}

#[test]
fn cli_import_writes_the_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ocd.toml");
    Command::cargo_bin("privacy-inventory")
        .unwrap()
        .args(["catalog", "import", "open-cookie-database"])
        .arg(sample())
        .arg("--output")
        .arg(&out)
        .assert()
        .code(0)
        .stderr(predicates::str::contains(
            "skipped 1 rows the built-in catalog already knows",
        ));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("id = \"ocd-acme-heatmaps\""), "{text}");
    Command::cargo_bin("privacy-inventory")
        .unwrap()
        .args(["catalog", "import", "open-cookie-database"])
        .arg(dir.path().join("missing.csv"))
        .arg("--output")
        .arg(&out)
        .assert()
        .code(2);
}
