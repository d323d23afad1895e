//! Consent phases in real headless Chromium against banners whose truth is known
//! (`fixtures/sites/consent-cmps`): five CMP shapes that each gate one tracker correctly, a site
//! whose tracker loads before consent, one that keeps tracking after "reject all", and a CMP that
//! declares a service the privacy policy does not name.
//!
//! Every site's banner is the same tiny script (`shared/consent.js`) wearing each CMP's ids and
//! classes: it sets a consent cookie on a click and turns the gated `type="text/plain"` tags into
//! scripts only after "accept".

mod harness;

use harness::{ScanResult, Site};
use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| harness::site("consent-cmps"))
}

/// The scan of `host`, run once per test binary (several tests look at the same site).
fn scan(host: &str) -> &'static ScanResult {
    static SCANS: Mutex<BTreeMap<String, &'static OnceLock<ScanResult>>> =
        Mutex::new(BTreeMap::new());
    let cell: &'static OnceLock<ScanResult> = SCANS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(host.to_string())
        .or_insert_with(|| Box::leak(Box::new(OnceLock::new())));
    cell.get_or_init(|| run_scan(host))
}

/// A browser scan of the front page of `host`, both phases; exit 0 or 1 (findings) are fine.
fn run_scan(host: &str) -> ScanResult {
    let r = site()
        .scan(&format!("http://{host}/"))
        .args(&[
            "--browser",
            "--consent",
            "both",
            "--page-timeout",
            "5",
            "--max-pages",
            "1",
        ])
        .run();
    r.expect_code_in(&[0, 1]);
    r
}

const ALL_PHASES: [&str; 3] = ["before_consent", "after_accept", "after_reject"];

/// What a correctly gating banner must produce: the CMP detected, both buttons clicked, three
/// phases, and the gated tracker's host and cookie only after "accept".
fn assert_gates(host: &str, cmp: &str, tracker: &str, cookie: &str, consent_cookie: &str) {
    let r = scan(host);
    let rep = r.report();
    let ctx = r.context();
    assert_eq!(rep.consent.cmp.as_deref(), Some(cmp), "{ctx}");
    assert!(
        rep.consent
            .detected_by
            .as_deref()
            .is_some_and(|d| d.starts_with("element ") || d.starts_with("global ")),
        "{:?}",
        rep.consent
    );
    assert_eq!(rep.consent.phases, ALL_PHASES, "{ctx}");
    assert_eq!(rep.consent.accept_clicked, Some(true), "{ctx}");
    assert_eq!(rep.consent.reject_clicked, Some(true), "{ctx}");

    let t = r
        .third_party(tracker)
        .unwrap_or_else(|| panic!("gated tracker {tracker} never loaded after accept{ctx}"));
    assert!(!t.before_consent, "{tracker} loaded before consent{ctx}");
    assert_eq!(t.phases, vec!["after_accept"], "{tracker}{ctx}");
    assert!(t.loaded);

    let c = r
        .cookie(cookie)
        .unwrap_or_else(|| panic!("tracker cookie {cookie} missing{ctx}"));
    assert!(!c.before_consent, "{c:?}");
    assert_eq!(c.phases, vec!["after_accept"], "{c:?}");
    assert_eq!(c.set_by, "script");

    // The banner's own cookie records both choices, and only after a click.
    let cc = r
        .cookie(consent_cookie)
        .unwrap_or_else(|| panic!("consent cookie {consent_cookie} missing{ctx}"));
    assert!(!cc.before_consent, "{cc:?}");
    assert_eq!(cc.phases, vec!["after_accept", "after_reject"], "{cc:?}");

    // Nothing tracked before consent, so no such finding.
    assert!(
        !rep.findings
            .iter()
            .any(|f| f.kind == "tracking_before_consent" && f.hosts.iter().any(|h| h == tracker)),
        "{:#?}",
        rep.findings
    );
}

#[test]
fn usercentrics_in_shadow_dom_gates_its_tracker() {
    assert_gates(
        "www.uc-shop.test",
        "usercentrics",
        "static.uc-tracker.test",
        "_uc_trk",
        "uc_consent",
    );
}

#[test]
fn cookiebot_gates_its_tracker() {
    assert_gates(
        "www.cb-shop.test",
        "cookiebot",
        "px.cb-tracker.test",
        "_cb_trk",
        "CookieConsent",
    );
}

#[test]
fn onetrust_gates_its_tracker() {
    assert_gates(
        "www.ot-shop.test",
        "onetrust",
        "ads.ot-tracker.test",
        "_ot_trk",
        "OptanonAlertBoxClosed",
    );
}

#[test]
fn klaro_gates_its_tracker() {
    assert_gates(
        "www.klaro-shop.test",
        "klaro",
        "stats.klaro-tracker.test",
        "_kl_trk",
        "klaro",
    );
}

#[test]
fn complianz_gates_its_tracker() {
    assert_gates(
        "www.cmplz-shop.test",
        "complianz",
        "an.cmplz-tracker.test",
        "_cz_trk",
        "cmplz_marketing",
    );
}

/// Findings of `kind` as (service, hosts, cookies).
fn findings(r: &ScanResult, kind: &str) -> Vec<(Option<String>, Vec<String>, Vec<String>)> {
    r.report()
        .findings
        .iter()
        .filter(|f| f.kind == kind)
        .map(|f| (f.service.clone(), f.hosts.clone(), f.cookies.clone()))
        .collect()
}

#[test]
fn tracker_loading_before_consent_is_marked_and_reported() {
    let r = scan("www.early-shop.test");
    let rep = r.report();
    let ctx = r.context();
    assert_eq!(rep.consent.cmp.as_deref(), Some("cookiebot"), "{ctx}");
    let ga = r.third_party("www.google-analytics.com").expect("GA");
    assert!(ga.before_consent, "{ga:?}");
    // It loads whatever the visitor chooses.
    assert_eq!(ga.phases, ALL_PHASES, "{ga:?}");
    let c = r.cookie("_ga").expect("_ga set by the ungated tag");
    assert!(c.before_consent, "{c:?}");
    assert_eq!(c.phases, ALL_PHASES, "{c:?}");
    // The properly gated tag on the same page waits for "accept".
    let gated = r.third_party("late.pre-gated.test").expect("gated tracker");
    assert!(!gated.before_consent);
    assert_eq!(gated.phases, vec!["after_accept"]);
    // Reconcile turns the browser's before-consent phase into a finding.
    let before = findings(r, "tracking_before_consent");
    assert!(
        before.iter().any(
            |(svc, hosts, cookies)| svc.as_deref() == Some("google-analytics")
                && hosts.contains(&"www.google-analytics.com".to_string())
                && cookies.contains(&"_ga".to_string())
        ),
        "{before:?}{ctx}"
    );
    // …and because it also loads after "reject all".
    let after = findings(r, "tracking_after_reject");
    assert!(
        after
            .iter()
            .any(|(svc, _, _)| svc.as_deref() == Some("google-analytics")),
        "{after:?}"
    );
}

#[test]
fn tracker_that_keeps_loading_after_reject_is_reported() {
    let r = scan("www.sticky-shop.test");
    let rep = r.report();
    let ctx = r.context();
    assert_eq!(rep.consent.cmp.as_deref(), Some("onetrust"), "{ctx}");
    assert_eq!(rep.consent.reject_clicked, Some(true), "{ctx}");
    let fb = r
        .third_party("connect.facebook.net")
        .expect("pixel after reject");
    assert!(!fb.before_consent);
    assert_eq!(fb.phases, vec!["after_reject"], "{fb:?}");
    let c = r.cookie("_fbp").expect("cookie set after reject");
    assert_eq!(c.phases, vec!["after_reject"], "{c:?}");
    let ok = r.third_party("ok.rej-gated.test").expect("gated tracker");
    assert_eq!(ok.phases, vec!["after_accept"], "{ok:?}");
    let after = findings(r, "tracking_after_reject");
    assert!(
        after.iter().any(
            |(_, hosts, cookies)| hosts.contains(&"connect.facebook.net".to_string())
                && cookies.contains(&"_fbp".to_string())
        ),
        "{after:?}{ctx}"
    );
    assert!(findings(r, "tracking_before_consent").is_empty(), "{ctx}");
}

#[test]
fn cmp_service_lists_are_read() {
    let r = scan("www.uc-shop.test");
    let names: Vec<&str> = r
        .report()
        .consent
        .cmp_services
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(
        names,
        vec![
            "Google Analytics",
            "Hotjar",
            "Usercentrics Consent Management Platform"
        ],
        "{}",
        r.context()
    );
    let k = scan("www.klaro-shop.test");
    let names: Vec<&str> = k
        .report()
        .consent
        .cmp_services
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, vec!["Facebook Pixel", "Matomo"], "{}", k.context());
}

#[test]
fn cmp_declares_a_service_the_policy_does_not_name() {
    let r = scan("www.uc-shop.test");
    let rep = r.report();
    // Declared by the banner, and really loaded once accepted.
    assert!(
        rep.consent.cmp_services.iter().any(|s| s.name == "Hotjar"),
        "{:?}",
        rep.consent.cmp_services
    );
    assert!(r.third_party("static.uc-tracker.test").is_some());
    // The site's policy names Google Analytics only.
    let served = std::fs::read_to_string(harness::fixture_path(
        "sites/consent-cmps/www.uc-shop.test/privacy.html",
    ))
    .expect("fixture policy");
    assert!(served.contains("Google Analytics") && !served.contains("Hotjar"));
    // The CMP's list, cross-checked against the policy that was read.
    assert!(
        !rep.policy.urls.is_empty(),
        "policy not found{}",
        r.context()
    );
    let mark = |name: &str| {
        rep.consent
            .cmp_services
            .iter()
            .find(|s| s.name == name)
            .map(|s| (s.service.clone(), s.in_policy))
    };
    assert_eq!(mark("Hotjar"), Some((Some("hotjar".into()), false)));
    assert_eq!(
        mark("Google Analytics").map(|m| m.1),
        Some(true),
        "{:?}",
        rep.consent.cmp_services
    );
    let gap = findings(r, "cmp_service_not_in_policy");
    assert!(
        gap.iter()
            .any(|(svc, _, _)| svc.as_deref() == Some("hotjar")),
        "{gap:?}{}",
        r.context()
    );
}

/// Static mode cannot click, but it names the consent manager from what the page shows: a
/// consent-category service the catalog recognises, else a gating marker from
/// `data/consent/cmps.toml`'s `markup_markers` (OneTrust's `optanon-category-…` class, which used to
/// come out as `consent.cmp: null`).
#[test]
fn static_mode_names_the_cmp_from_its_markup() {
    for (host, cmp, how) in [
        ("www.cmplz-shop.test", "complianz", "static markup"),
        (
            "www.ot-shop.test",
            "onetrust",
            "static markup: gating class optanon-category-c0004",
        ),
    ] {
        let r = site().scan(&format!("http://{host}/")).run();
        r.expect_code_in(&[0, 1]);
        let consent = &r.report().consent;
        assert_eq!(
            consent.cmp.as_deref(),
            Some(cmp),
            "{consent:?}{}",
            r.context()
        );
        let detected = consent.detected_by.as_deref().unwrap_or_default();
        assert!(detected.starts_with(how), "{host}: {detected}");
        assert_eq!(consent.phases, ["before_consent"]);
    }
}
