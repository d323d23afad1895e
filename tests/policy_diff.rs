//! The policy diff end to end through the real binary: fixture sites (`fixtures/sites/policy-*`)
//! that load real third parties under their real hostnames and carry a privacy policy (HTML in
//! German or English, a PDF, a policy linked only from deep pages), scanned with
//! `--resolve '*:PORT:127.0.0.1' --insecure`; the report's findings, evidence, disclosures and
//! policy section, and the `--fail-on` exit codes. `--policy` and the output formats: policy_cli.rs.

mod harness;

use harness::{site, ScanResult};
use privacy_inventory::model::{Declaration, Finding};
use std::collections::BTreeMap;

const DISCLOSED_HOME: &str = "https://www.holzwerkstatt-linde.test/";
const UNDISCLOSED_HOME: &str = "https://www.copperline-coffee.test/";
const COMPANY_HOME: &str = "https://www.fernhill-guesthouse.test/";
const NEGATED_HOME: &str = "https://www.baeckerei-korn.test/";
const PDF_HOME: &str = "https://www.kanzlei-weber.test/";
const DEEP_HOME: &str = "https://www.radwerk-nord.test/";

/// Findings of `kind`, by service id (or first host for findings without a service).
fn by_service<'a>(r: &'a ScanResult, kind: &str) -> BTreeMap<String, &'a Finding> {
    r.report()
        .findings
        .iter()
        .filter(|f| f.kind == kind)
        .map(|f| {
            let key = f
                .service
                .clone()
                .unwrap_or_else(|| f.hosts.first().cloned().unwrap_or_default());
            (key, f)
        })
        .collect()
}

/// `(kind, severity, service)` of every finding, for assertion messages.
fn finding_summary(r: &ScanResult) -> Vec<(String, String, Option<String>)> {
    r.report()
        .findings
        .iter()
        .map(|f| {
            (
                f.kind.to_string(),
                f.severity.to_string(),
                f.service.clone(),
            )
        })
        .collect()
}

fn declarations<'a>(r: &'a ScanResult, name: &str) -> Vec<&'a Declaration> {
    r.report()
        .policy
        .declarations
        .iter()
        .filter(|d| d.name == name)
        .collect()
}

fn disclosed_ids(r: &ScanResult) -> Vec<String> {
    r.report()
        .disclosed
        .iter()
        .map(|d| d.service.clone())
        .collect()
}

#[test]
fn a_policy_that_discloses_everything_gives_no_findings() {
    let s = site("policy-disclosed");
    let r = s.scan(DISCLOSED_HOME).args(&["--fail-on", "low"]).run();
    r.expect_code(0);
    let rep = r.report();
    // The only line is the hoster the policy names, which no crawl sees (DNS look-ups are off in
    // this test): an info `declared_not_observed` from the ledger, never a problem.
    let kinds: Vec<(&str, &str, Option<&str>)> = rep
        .findings
        .iter()
        .map(|f| (f.kind.as_str(), f.severity.as_str(), f.company.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        vec![("declared_not_observed", "info", None)],
        "every service is named and every tracker is consent-gated: {:#?}{}",
        rep.findings,
        r.context()
    );
    let hoster = rep
        .declared
        .iter()
        .find(|d| d.name == "Nordhessen Rechenzentrum GmbH")
        .expect("the hoster is a ledger row");
    assert_eq!(hoster.status, "not_observable");
    assert_eq!(rep.policy.discovered_by.as_deref(), Some("link"));
    assert_eq!(
        rep.policy.urls,
        vec![format!("{DISCLOSED_HOME}datenschutz/")]
    );
    assert_eq!(rep.policy.language.as_deref(), Some("de"));
    assert_eq!(rep.policy.error, None);

    assert_eq!(
        disclosed_ids(&r),
        vec![
            "cookiebot",
            "google-fonts",
            "google-tag-manager",
            "hotjar",
            "meta-pixel",
            "youtube"
        ],
        "{:#?}{}",
        rep.disclosed,
        r.context()
    );
    let fonts = rep
        .disclosed
        .iter()
        .find(|d| d.service == "google-fonts")
        .unwrap();
    assert_eq!(
        fonts.declaration.section,
        "Datenschutzerklärung > 6. Plugins und Tools > Google Fonts"
    );
    assert!(
        fonts
            .declaration
            .excerpt
            .contains("lädt diese Website Google Fonts"),
        "{:?}",
        fonts.declaration
    );
    assert_eq!(
        fonts.hosts,
        vec!["fonts.googleapis.com", "fonts.gstatic.com"]
    );
    let yt = rep
        .disclosed
        .iter()
        .find(|d| d.service == "youtube")
        .unwrap();
    assert_eq!(yt.hosts, vec!["www.youtube-nocookie.com"]);

    // The gated trackers were seen, and seen as gated.
    for host in ["www.googletagmanager.com", "static.hotjar.com"] {
        let tp = r
            .third_party(host)
            .unwrap_or_else(|| panic!("{host} not recorded{}", r.context()));
        assert!(tp.consent_gated, "{tp:?}");
    }

    // Boilerplate is not a processor: the site itself, the authority, browsers in cookie help.
    let names: Vec<&str> = rep
        .policy
        .declarations
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    for not_a_processor in [
        "Holzwerkstatt Linde GmbH",
        "Firefox",
        "Chrome",
        "Safari",
        "Google Chrome",
    ] {
        assert!(
            !names.contains(&not_a_processor),
            "{not_a_processor} is not a processor: {names:?}"
        );
    }
    let hoster = declarations(&r, "Nordhessen Rechenzentrum GmbH");
    assert_eq!(
        hoster.len(),
        1,
        "the hosting provider sentence is a free-text declaration: {names:?}"
    );
    assert_eq!(hoster[0].matched_as, "provider");
    assert_eq!(hoster[0].service, None);
}

#[test]
fn undisclosed_fonts_analytics_and_pixel_are_findings_with_evidence() {
    let s = site("policy-undisclosed");
    let r = s.scan(UNDISCLOSED_HOME).run();
    r.expect_code(1);
    let rep = r.report();
    let undisclosed = by_service(&r, "undisclosed_service");
    assert_eq!(
        undisclosed.keys().collect::<Vec<_>>(),
        vec!["google-analytics", "google-fonts", "meta-pixel"],
        "{:#?}{}",
        finding_summary(&r),
        r.context()
    );
    let all_pages: Vec<String> = ["", "about/", "privacy-policy/", "shop/"]
        .iter()
        .map(|p| format!("{UNDISCLOSED_HOME}{p}"))
        .collect();

    let fonts = undisclosed["google-fonts"];
    assert_eq!(fonts.severity, "medium");
    assert_eq!(
        fonts.hosts,
        vec!["fonts.googleapis.com", "fonts.gstatic.com"]
    );
    assert_eq!(fonts.pages, all_pages);
    assert_eq!(fonts.company.as_deref(), Some("Google Ireland Limited"));
    assert_eq!(
        fonts.evidence,
        format!(
            "Google Fonts (fonts.googleapis.com and 1 other host, Google Ireland Limited) loads fonts \
             and a stylesheet on 4 pages, e.g. {UNDISCLOSED_HOME}; the privacy policy does not name \
             Google Fonts or Google."
        )
    );

    let ga = undisclosed["google-analytics"];
    assert_eq!(ga.severity, "high");
    assert_eq!(ga.hosts, vec!["www.google-analytics.com"]);
    assert_eq!(ga.pages, all_pages);
    assert!(
        ga.evidence.starts_with("www.google-analytics.com (Google Analytics, Google Ireland Limited) loads a script on 4 pages")
            && ga.evidence.ends_with("the privacy policy does not name Google Analytics or Google."),
        "{}",
        ga.evidence
    );

    let pixel = undisclosed["meta-pixel"];
    assert_eq!(pixel.severity, "high");
    // The fbevents.js tag is injected by the inline snippet (invisible to a static scan); the
    // `<noscript>` pixel image is the concrete request.
    assert_eq!(pixel.hosts, vec!["www.facebook.com"]);
    assert_eq!(pixel.pages, all_pages);
    assert!(
        pixel
            .evidence
            .contains("loads an image or pixel on 4 pages")
            && pixel.evidence.contains("does not name Meta Pixel"),
        "{}",
        pixel.evidence
    );
    assert!(
        !pixel.evidence.contains(".."),
        "a company alias ending in a period must not end the sentence twice: {}",
        pixel.evidence
    );
    assert!(pixel.message.contains("Meta Pixel"), "{}", pixel.message);

    // The ungated analytics and pixel run before consent.
    let before = by_service(&r, "tracking_before_consent");
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        vec!["google-analytics", "meta-pixel"]
    );
    // What the policy does name: YouTube (seen, disclosed) and Stripe/Mailchimp (not seen).
    assert_eq!(disclosed_ids(&r), vec!["youtube"]);
    assert!(rep.disclosed[0]
        .declaration
        .excerpt
        .contains("privacy-enhanced mode"));
    let not_seen = by_service(&r, "declared_not_observed");
    assert_eq!(
        not_seen.keys().collect::<Vec<_>>(),
        vec!["mailchimp", "stripe"]
    );
    assert!(not_seen.values().all(|f| f.severity == "info"));
    assert_eq!(rep.policy.language.as_deref(), Some("en"));
    assert_eq!(rep.summary.undisclosed, 3, "{:?}", rep.summary);

    // --fail-on: high findings exist, so every threshold but `never` fails.
    for (fail_on, code) in [("never", 0), ("high", 1), ("medium", 1), ("low", 1)] {
        s.scan(UNDISCLOSED_HOME)
            .args(&["--fail-on", fail_on])
            .run()
            .expect_code(code);
    }
}

#[test]
fn a_policy_naming_only_legal_entities_is_company_only() {
    let s = site("policy-company-only");
    let r = s.scan(COMPANY_HOME).run();
    r.expect_code(0);
    let rep = r.report();
    let company_only = by_service(&r, "disclosed_by_company_only");
    assert_eq!(
        finding_summary(&r).len(),
        2,
        "only the two company-only findings: {:#?}{}",
        finding_summary(&r),
        r.context()
    );
    assert_eq!(
        company_only.keys().collect::<Vec<_>>(),
        vec!["google-fonts", "meta-pixel"]
    );
    assert!(company_only.values().all(|f| f.severity == "low"));
    let fonts = company_only["google-fonts"];
    assert!(
        fonts
            .evidence
            .contains("names only the company \"Google Ireland Limited\": \"To present this website we work with Google Ireland Limited"),
        "{}",
        fonts.evidence
    );
    let pixel = company_only["meta-pixel"];
    assert_eq!(pixel.hosts, vec!["connect.facebook.net"]);
    assert!(
        pixel
            .evidence
            .contains("names only the company \"Meta Platforms Ireland Limited\""),
        "{}",
        pixel.evidence
    );
    assert!(rep.disclosed.is_empty(), "{:#?}", rep.disclosed);
    let kinds: Vec<&str> = rep
        .policy
        .declarations
        .iter()
        .map(|d| d.matched_as.as_str())
        .collect();
    assert_eq!(kinds, vec!["company", "company"]);
    // Low findings fail only from --fail-on low down.
    for (fail_on, code) in [("high", 0), ("medium", 0), ("low", 1), ("never", 0)] {
        s.scan(COMPANY_HOME)
            .args(&["--fail-on", fail_on])
            .run()
            .expect_code(code);
    }
}

#[test]
fn negated_mentions_disclose_nothing() {
    let s = site("policy-negated");
    let r = s.scan(NEGATED_HOME).run();
    r.expect_code(1);
    let rep = r.report();
    for (name, section) in [
        ("Google Analytics", "Datenschutzerklärung > Analyse-Tools"),
        ("Hotjar", "Datenschutzerklärung > Information in English"),
    ] {
        let decls = declarations(&r, name);
        assert_eq!(decls.len(), 1, "{name}: {decls:#?}");
        assert!(decls[0].negated, "{name} is negated: {:?}", decls[0]);
        assert_eq!(decls[0].section, section);
    }
    let undisclosed = by_service(&r, "undisclosed_service");
    assert_eq!(
        undisclosed.keys().collect::<Vec<_>>(),
        vec!["google-analytics", "hotjar"],
        "a negated name is no disclosure, and \"Google\" named as the fonts provider does not \
         disclose Google Analytics: {:#?}{}",
        finding_summary(&r),
        r.context()
    );
    assert!(undisclosed.values().all(|f| f.severity == "high"));
    assert!(
        undisclosed["google-analytics"].evidence.contains(
            "the privacy policy says it does not use Google Analytics: \"Wir setzen keine Analyse-Tools wie Google Analytics ein.\""
        ),
        "{}",
        undisclosed["google-analytics"].evidence
    );
    assert!(
        undisclosed["hotjar"]
            .evidence
            .contains("says it does not use Hotjar: \"We do not use Hotjar"),
        "{}",
        undisclosed["hotjar"].evidence
    );
    assert!(
        by_service(&r, "disclosed_by_company_only").is_empty(),
        "{:#?}",
        finding_summary(&r)
    );
    // The one positive statement still discloses.
    assert_eq!(disclosed_ids(&r), vec!["google-fonts"]);
    assert_eq!(rep.policy.language.as_deref(), Some("de"));
}

#[test]
fn a_pdf_policy_linked_from_the_footer_is_read() {
    let s = site("policy-pdf");
    let r = s.scan(PDF_HOME).run();
    let rep = r.report();
    let pdf_url = format!("{PDF_HOME}downloads/datenschutzerklaerung-2026.pdf");
    assert_eq!(rep.policy.urls, vec![pdf_url.clone()], "{}", r.context());
    assert_eq!(rep.policy.discovered_by.as_deref(), Some("link"));
    assert_eq!(rep.policy.error, None);
    assert_eq!(rep.policy.language.as_deref(), Some("de"));
    assert!(s.was_requested(
        "www.kanzlei-weber.test",
        "/downloads/datenschutzerklaerung-2026.pdf"
    ));

    let fonts = declarations(&r, "Google Fonts");
    assert_eq!(fonts.len(), 1, "{:#?}", rep.policy.declarations);
    assert_eq!(fonts[0].section, "Plugins und Tools > Google Fonts");
    assert_eq!(
        fonts[0].excerpt,
        "Unsere Website lädt Schriftarten von Google Fonts (fonts.googleapis.com) nach."
    );
    assert!(!fonts[0].negated);
    let hoster = declarations(&r, "Thüringer Serverhaus GmbH");
    assert_eq!(hoster.len(), 1, "the provider sentence in the PDF");
    assert_eq!(hoster[0].matched_as, "provider");
    assert_eq!(disclosed_ids(&r), vec!["google-fonts", "youtube"]);

    // Google is named only as the provider of Google Fonts: Google Maps is undisclosed (medium),
    // not "disclosed by company".
    // The hoster named only by a provider sentence is listed too (info, from the ledger).
    assert_eq!(
        finding_summary(&r),
        vec![
            (
                "undisclosed_service".to_string(),
                "medium".to_string(),
                Some("google-maps".to_string())
            ),
            (
                "declared_not_observed".to_string(),
                "info".to_string(),
                None
            )
        ],
        "{}",
        r.context()
    );
    assert!(rep.findings[1]
        .evidence
        .contains("Thüringer Serverhaus GmbH"));
    let maps = &rep.findings[0];
    assert_eq!(maps.hosts, vec!["maps.googleapis.com"]);
    assert_eq!(maps.pages, vec![format!("{PDF_HOME}kanzlei/")]);
    assert!(
        maps.evidence
            .ends_with("the privacy policy does not name Google Maps."),
        "the policy does name Google, so only the service is missing: {}",
        maps.evidence
    );
    r.expect_code(0);
}

#[test]
fn a_policy_linked_only_from_deep_pages_is_discovered_by_link() {
    let s = site("policy-deep-link");
    let r = s.scan(DEEP_HOME).run();
    r.expect_code(0);
    let rep = r.report();
    let home = std::fs::read_to_string(harness::fixture_path(
        "sites/policy-deep-link/www.radwerk-nord.test/index.html",
    ))
    .unwrap();
    assert!(
        !home.contains("/rechtliches/"),
        "the home page must not link the policy"
    );
    assert_eq!(rep.policy.discovered_by.as_deref(), Some("link"));
    assert_eq!(
        rep.policy.urls,
        vec![format!("{DEEP_HOME}rechtliches/dse-2026.html")],
        "{}",
        r.context()
    );
    assert_eq!(disclosed_ids(&r), vec!["google-fonts"]);
    assert!(rep.findings.is_empty(), "{:#?}", rep.findings);
}
