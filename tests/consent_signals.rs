//! Consent signals per phase in real headless Chromium (`fixtures/sites/consent-signals`):
//!
//! - `www.cm-shop.test`: Google Consent Mode "advanced" — the (fixture's own) Google tag sends
//!   denied, cookieless pings before consent and after "reject all", granted pings with cookies
//!   after "accept all";
//! - `www.tcf-shop.test`: an IAB TCF CMP whose "reject all" is broken (purposes 1-4 and 12
//!   vendors keep their consent);
//! - `www.nocm-shop.test`: a GA4 tag without Consent Mode next to a consent manager.
//!
//! Static mode reads the same Consent Mode site's inline default call and says it cannot see
//! updates.

mod harness;

use harness::{ScanResult, Site};
use privacy_inventory::model::{Finding, GoogleConsentMode, Phase, Tcf};
use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| harness::site("consent-signals"))
}

/// The browser scan of `host`, both phases, run once per test binary.
fn scan(host: &str) -> &'static ScanResult {
    static SCANS: Mutex<BTreeMap<String, &'static OnceLock<ScanResult>>> =
        Mutex::new(BTreeMap::new());
    let cell: &'static OnceLock<ScanResult> = SCANS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(host.to_string())
        .or_insert_with(|| Box::leak(Box::new(OnceLock::new())));
    cell.get_or_init(|| {
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
    })
}

fn gcm(r: &ScanResult, phase: Phase) -> &GoogleConsentMode {
    r.report()
        .consent
        .signals
        .get(&phase)
        .and_then(|s| s.google_consent_mode.as_ref())
        .unwrap_or_else(|| {
            panic!(
                "no Consent Mode signal in {phase}: {:#?}{}",
                r.report().consent.signals,
                r.context()
            )
        })
}

fn tcf(r: &ScanResult, phase: Phase) -> &Tcf {
    r.report()
        .consent
        .signals
        .get(&phase)
        .and_then(|s| s.tcf.as_ref())
        .unwrap_or_else(|| panic!("no TCF answer in {phase}{}", r.context()))
}

fn states(g: &GoogleConsentMode) -> [&str; 4] {
    [
        g.ad_storage.as_str(),
        g.analytics_storage.as_str(),
        g.ad_user_data.as_str(),
        g.ad_personalization.as_str(),
    ]
}

fn findings<'a>(r: &'a ScanResult, kind: &str) -> Vec<&'a Finding> {
    r.report()
        .findings
        .iter()
        .filter(|f| f.kind == kind)
        .collect()
}

fn services(found: &[&Finding]) -> Vec<String> {
    let mut s: Vec<String> = found.iter().filter_map(|f| f.service.clone()).collect();
    s.sort();
    s
}

#[test]
fn consent_mode_advanced_signals_per_phase() {
    let r = scan("www.cm-shop.test");
    let rep = r.report();
    let ctx = r.context();
    assert_eq!(rep.consent.cmp.as_deref(), Some("cookiebot"), "{ctx}");
    assert_eq!(rep.consent.accept_clicked, Some(true), "{ctx}");
    assert_eq!(rep.consent.reject_clicked, Some(true), "{ctx}");
    // Keyed in the order the phases ran, like every `phases` list.
    let phases: Vec<Phase> = rep.consent.signals.keys().copied().collect();
    assert_eq!(
        phases,
        [Phase::BeforeConsent, Phase::AfterAccept, Phase::AfterReject]
    );

    let before = gcm(r, Phase::BeforeConsent);
    assert_eq!(states(before), ["denied"; 4], "{before:#?}");
    assert!(before.evidence.contains("gcs=G100"), "{}", before.evidence);
    assert!(
        before.evidence.contains("gcd=11p1p1p1p5"),
        "{}",
        before.evidence
    );
    assert!(before.cookies.is_empty(), "{:?}", before.cookies);
    assert_eq!(before.source, "requests");

    let accept = gcm(r, Phase::AfterAccept);
    assert_eq!(states(accept), ["granted"; 4], "{accept:#?}");
    assert!(accept.evidence.contains("gcs=G111"), "{}", accept.evidence);
    assert!(
        accept.evidence.contains("gcd=11r1r1r1r5"),
        "{}",
        accept.evidence
    );
    assert_eq!(accept.cookies, ["_ga", "_gcl_au"], "{accept:#?}");

    let reject = gcm(r, Phase::AfterReject);
    assert_eq!(states(reject), ["denied"; 4], "{reject:#?}");
    assert!(reject.cookies.is_empty(), "{:?}", reject.cookies);
    let ga = reject
        .hosts
        .iter()
        .find(|h| h.host == "region1.google-analytics.com")
        .expect("GA4 pings after reject");
    assert!(ga.denied_pings >= 2, "default and update pings: {ga:?}");
    assert_eq!((ga.granted_pings, ga.pings_without_signal), (0, 0));
    let tag = reject
        .hosts
        .iter()
        .find(|h| h.host == "www.googletagmanager.com")
        .expect("the tag loads after reject");
    assert_eq!(tag.tag_loads, 1, "{tag:?}");

    // No TCF API on this site, and it was asked in every phase.
    for phase in Phase::ALL.iter().copied() {
        assert!(!tcf(r, phase).present, "{phase}");
    }
}

#[test]
fn denied_pings_after_reject_are_low_not_tracking_after_reject() {
    let r = scan("www.cm-shop.test");
    let ctx = r.context();
    let pings = findings(r, "consent_mode_ping_after_reject");
    assert_eq!(
        services(&pings),
        ["google-ads", "google-analytics", "google-tag-manager"],
        "{pings:#?}{ctx}"
    );
    let ga = pings
        .iter()
        .find(|f| f.service.as_deref() == Some("google-analytics"))
        .unwrap();
    assert_eq!(ga.severity, "low");
    assert_eq!(ga.hosts, ["region1.google-analytics.com"]);
    assert!(ga.cookies.is_empty());
    assert!(
        ga.evidence.contains("IP address")
            && ga
                .evidence
                .contains("region1.google-analytics.com/g/collect?")
            && ga.evidence.contains("gcs=G100"),
        "{}",
        ga.evidence
    );
    let ads = pings
        .iter()
        .find(|f| f.service.as_deref() == Some("google-ads"))
        .unwrap();
    assert!(
        ads.evidence
            .contains("googleads.g.doubleclick.net/pagead/viewthroughconversion/123456/"),
        "{}",
        ads.evidence
    );
    assert!(
        findings(r, "tracking_after_reject").is_empty(),
        "{:#?}",
        findings(r, "tracking_after_reject")
    );
    // The tags carry Consent Mode: nothing is missing.
    assert!(findings(r, "consent_mode_missing").is_empty(), "{ctx}");
    assert!(findings(r, "tcf_consent_after_reject").is_empty(), "{ctx}");
}

#[test]
fn broken_tcf_reject_keeps_consents() {
    let r = scan("www.tcf-shop.test");
    let rep = r.report();
    let ctx = r.context();
    assert_eq!(rep.consent.cmp.as_deref(), Some("didomi"), "{ctx}");
    assert_eq!(rep.consent.reject_clicked, Some(true), "{ctx}");

    let before = tcf(r, Phase::BeforeConsent);
    assert!(before.present && !before.timed_out, "{before:?}");
    assert_eq!(before.cmp_id, Some(999));
    assert_eq!(before.gdpr_applies, Some(true));
    assert!(!before.tc_string_present);
    assert!(before.purposes_consented.is_empty(), "{before:?}");
    assert_eq!(before.vendors_consented, 0);

    let accept = tcf(r, Phase::AfterAccept);
    assert_eq!(accept.purposes_consented, (1..=10).collect::<Vec<u32>>());
    assert_eq!(accept.vendors_consented, 40);
    assert!(accept.tc_string_present);

    let reject = tcf(r, Phase::AfterReject);
    assert_eq!(reject.purposes_consented, [1, 2, 3, 4], "{reject:?}");
    assert_eq!(reject.vendors_consented, 12);

    let f = findings(r, "tcf_consent_after_reject");
    assert_eq!(f.len(), 1, "{f:#?}{ctx}");
    assert_eq!(f[0].severity, "high");
    assert_eq!(f[0].hosts, ["www.tcf-shop.test"]);
    assert!(
        f[0].evidence.contains("CMP id 999")
            && f[0]
                .evidence
                .contains("purposes 1, 2, 3, 4 and for 12 vendors"),
        "{}",
        f[0].evidence
    );
    // No Google tag on this site.
    assert!(rep
        .consent
        .signals
        .values()
        .all(|s| s.google_consent_mode.is_none()));
}

#[test]
fn ga4_without_consent_mode_next_to_a_cmp() {
    let r = scan("www.nocm-shop.test");
    let rep = r.report();
    let ctx = r.context();
    assert_eq!(rep.consent.cmp.as_deref(), Some("onetrust"), "{ctx}");
    // The tag is gated by the banner: it only runs after "accept", and then without a signal.
    assert!(rep.consent.signals[&Phase::BeforeConsent]
        .google_consent_mode
        .is_none());
    let accept = gcm(r, Phase::AfterAccept);
    assert_eq!(states(accept), ["unset"; 4], "{accept:#?}");
    assert_eq!(accept.cookies, ["_ga"]);
    let ga = accept
        .hosts
        .iter()
        .find(|h| h.host == "region1.google-analytics.com")
        .expect("GA4 ping");
    assert_eq!(ga.pings_without_signal, 1, "{ga:?}");
    // The evidence is the ping, not the tag load.
    assert!(
        accept.evidence.contains("/g/collect?") && !accept.evidence.contains("gcs="),
        "{}",
        accept.evidence
    );
    let missing = findings(r, "consent_mode_missing");
    assert_eq!(
        services(&missing),
        ["google-analytics"],
        "{missing:#?}{ctx}"
    );
    assert_eq!(missing[0].severity, "medium");
    assert_eq!(missing[0].hosts, ["region1.google-analytics.com"]);
    assert!(
        missing[0].evidence.contains("onetrust"),
        "{}",
        missing[0].evidence
    );
    // Properly gated otherwise: no tracking finding, no ping finding.
    for kind in [
        "tracking_before_consent",
        "tracking_after_reject",
        "consent_mode_ping_after_reject",
    ] {
        assert!(findings(r, kind).is_empty(), "{kind}{ctx}");
    }
}

#[test]
fn static_mode_reads_the_inline_default_and_says_it_cannot_see_updates() {
    let r = site().scan("http://www.cm-shop.test/").run();
    r.expect_code_in(&[0, 1]);
    let signals = &r.report().consent.signals;
    let before = signals.get(&Phase::BeforeConsent).expect("markup signal");
    let g = before.google_consent_mode.as_ref().expect("default call");
    assert_eq!(states(g), ["denied"; 4]);
    assert_eq!(g.source, "markup");
    assert_eq!(g.evidence, "http://www.cm-shop.test/");
    assert!(before
        .note
        .as_deref()
        .is_some_and(|n| n.contains("cannot see updates")));
    assert!(before.tcf.is_none());
    assert_eq!(signals.len(), 1);
}

#[test]
fn granted_signals_and_cookies_after_reject_stay_tracking_after_reject() {
    let r = scan("www.cm-broken-shop.test");
    let ctx = r.context();
    assert_eq!(r.report().consent.reject_clicked, Some(true), "{ctx}");
    let reject = gcm(r, Phase::AfterReject);
    assert_eq!(states(reject), ["granted"; 4], "{reject:#?}");
    assert!(reject.evidence.contains("gcs=G111"), "{}", reject.evidence);
    assert_eq!(reject.cookies, ["_ga", "_gcl_au"]);
    let after = findings(r, "tracking_after_reject");
    assert_eq!(
        services(&after),
        ["google-ads", "google-analytics", "google-tag-manager"],
        "{after:#?}{ctx}"
    );
    assert!(after.iter().all(|f| f.severity == "high"));
    assert!(
        findings(r, "consent_mode_ping_after_reject").is_empty(),
        "{ctx}"
    );
}
