//! Reconcile rules on hand-built reports: each rule, severities, evidence and ordering.

mod report_fixture;

use privacy_inventory::model::{EvidenceStrength, Mode, Phase, Severity};

use privacy_inventory::report::model::{Declaration, Finding, Report};
use report_fixture::{catalog, decl, observed, page, reconcile, third_party};

fn run(decls: Vec<Declaration>) -> Report {
    let mut r = observed();
    r.policy.declarations = decls;
    reconcile(&mut r, &catalog());
    r
}

fn findings_for<'a>(r: &'a Report, service: &str) -> Vec<&'a Finding> {
    r.findings
        .iter()
        .filter(|f| f.service.as_deref() == Some(service))
        .collect()
}

fn kind_of(r: &Report, service: &str, kind: &str) -> Option<Finding> {
    r.findings
        .iter()
        .find(|f| f.service.as_deref() == Some(service) && f.kind == kind)
        .cloned()
}

#[test]
fn declared_service_is_disclosed_with_its_sentence() {
    let r = run(vec![decl(
        "Vimeo",
        Some("vimeo"),
        Some("Vimeo.com, Inc."),
        "service",
    )]);
    let d = r
        .disclosed
        .iter()
        .find(|d| d.service == "vimeo")
        .expect("vimeo disclosed");
    assert_eq!(d.hosts, vec!["player.vimeo.com"]);
    assert_eq!(d.declaration.name, "Vimeo");
    assert_eq!(d.declaration.section, "Analyse-Tools und Werbung");
    assert!(d.declaration.excerpt.contains("nutzt Vimeo"));
    assert!(
        findings_for(&r, "vimeo").is_empty(),
        "{:#?}",
        findings_for(&r, "vimeo")
    );
}

#[test]
fn a_declared_family_member_discloses_the_family() {
    // The policy names Google Analytics only; Google Tag Manager is in the same product family.
    let r = run(vec![decl(
        "Google Analytics",
        Some("google-analytics"),
        None,
        "service",
    )]);
    let gtm = r
        .disclosed
        .iter()
        .find(|d| d.service == "google-tag-manager")
        .expect("GTM disclosed through its family");
    assert_eq!(gtm.declaration.name, "Google Analytics");
    assert!(kind_of(&r, "google-tag-manager", "undisclosed_service").is_none());
    // Google Fonts is no member of that family: still undisclosed.
    assert!(kind_of(&r, "google-fonts", "undisclosed_service").is_some());
}

#[test]
fn naming_the_family_itself_discloses_its_members() {
    let r = run(vec![decl(
        "Google Marketing Platform",
        None,
        None,
        "provider",
    )]);
    assert!(r.disclosed.iter().any(|d| d.service == "google-analytics"));
    assert!(r
        .disclosed
        .iter()
        .any(|d| d.service == "google-tag-manager"));
}

#[test]
fn company_only_is_low() {
    let r = run(vec![decl(
        "Google Ireland Limited",
        None,
        Some("Google Ireland Limited"),
        "company",
    )]);
    let f = kind_of(&r, "google-fonts", "disclosed_by_company_only").expect("company only");
    assert_eq!(f.severity, "low");
    assert_eq!(f.hosts, vec!["fonts.googleapis.com", "fonts.gstatic.com"]);
    assert!(
        f.evidence
            .contains("names only the company \"Google Ireland Limited\""),
        "{}",
        f.evidence
    );
    assert!(f.message.contains("Google Fonts"));
    assert!(kind_of(&r, "google-fonts", "undisclosed_service").is_none());
    assert!(!r.disclosed.iter().any(|d| d.service == "google-fonts"));
    // Other companies' services are not covered by Google's name.
    assert_eq!(
        kind_of(&r, "hotjar", "undisclosed_service")
            .unwrap()
            .severity,
        "high"
    );
}

#[test]
fn provider_sentence_naming_the_company_is_company_only() {
    let r = run(vec![decl("Hotjar Limited", None, None, "provider")]);
    let f = kind_of(&r, "hotjar", "disclosed_by_company_only").expect("provider matches company");
    assert_eq!(f.severity, "low");
    assert_eq!(f.cookies, vec!["_hjSessionUser_1"]);
}

#[test]
fn undisclosed_severity_follows_category() {
    let r = run(vec![]);
    let sev = |id: &str| kind_of(&r, id, "undisclosed_service").map(|f| f.severity);
    assert_eq!(sev("google-analytics").as_deref(), Some("high"));
    assert_eq!(sev("google-tag-manager").as_deref(), Some("high"));
    assert_eq!(sev("hotjar").as_deref(), Some("high"));
    assert_eq!(sev("meta-pixel").as_deref(), Some("high"));
    assert_eq!(sev("google-fonts").as_deref(), Some("medium"));
    assert_eq!(sev("vimeo").as_deref(), Some("medium"));
    assert_eq!(sev("statuspal").as_deref(), Some("low"));
    assert_eq!(r.disclosed, vec![]);
}

#[test]
fn evidence_is_a_ticket_ready_sentence() {
    let r = run(vec![decl("Vimeo", Some("vimeo"), None, "service")]);
    let f = kind_of(&r, "google-tag-manager", "undisclosed_service").unwrap();
    assert_eq!(
        f.evidence,
        format!(
            "www.googletagmanager.com (Google Tag Manager, Google Ireland Limited) loads a script on 3 pages, e.g. {}; the privacy policy does not name Google Tag Manager or Google.",
            page("/")
        )
    );
    assert_eq!(f.hosts, vec!["www.googletagmanager.com"]);
    assert_eq!(f.pages, vec![page("/"), page("/about"), page("/shop")]);
    assert_eq!(f.company.as_deref(), Some("Google Ireland Limited"));
    assert!(f
        .message
        .starts_with("Name Google Tag Manager (Google Ireland Limited)"));
    let ga = kind_of(&r, "google-analytics", "undisclosed_service").unwrap();
    assert_eq!(ga.cookies, vec!["_ga", "_gid"]);
    assert!(
        ga.evidence.contains("sets cookies _ga, _gid"),
        "{}",
        ga.evidence
    );
}

#[test]
fn without_a_policy_the_evidence_says_so() {
    let mut r = observed();
    r.policy.urls.clear();
    r.policy.error = Some("no privacy policy link found on 4 pages".into());
    reconcile(&mut r, &catalog());
    let f = kind_of(&r, "vimeo", "undisclosed_service").unwrap();
    assert!(
        f.evidence.ends_with(
            "no privacy policy could be read (no privacy policy link found on 4 pages)."
        ),
        "{}",
        f.evidence
    );
}

#[test]
fn unattributed_host_needs_review() {
    let r = run(vec![]);
    let f = r
        .findings
        .iter()
        .find(|f| f.kind == "unattributed_third_party")
        .expect("acme finding");
    assert_eq!(f.severity, "medium");
    assert_eq!(f.hosts, vec!["cdn.acme-analytics.com"]);
    assert_eq!(f.service, None);
    assert!(f.message.starts_with("Needs review"), "{}", f.message);
    assert!(
        f.evidence
            .starts_with("cdn.acme-analytics.com loads a script on"),
        "{}",
        f.evidence
    );
}

#[test]
fn hosts_of_one_domain_are_one_finding_and_preconnect_only_is_low() {
    let mut r = observed();
    r.third_parties.push(third_party(
        "api.acme-analytics.com",
        None,
        &["xhr"],
        &["/"],
    ));
    let mut hint = third_party("hints.example-cdn.net", None, &["preconnect"], &["/"]);
    hint.loaded = false;
    r.third_parties.push(hint);
    r.third_parties.sort_by(|a, b| a.host.cmp(&b.host));
    reconcile(&mut r, &catalog());
    let unattributed: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.kind == "unattributed_third_party")
        .collect();
    assert_eq!(unattributed.len(), 2, "{unattributed:#?}");
    let acme = unattributed.iter().find(|f| f.hosts.len() == 2).unwrap();
    assert_eq!(
        acme.hosts,
        vec!["api.acme-analytics.com", "cdn.acme-analytics.com"]
    );
    let hint = unattributed
        .iter()
        .find(|f| f.hosts == vec!["hints.example-cdn.net"])
        .unwrap();
    assert_eq!(hint.severity, "low");
}

#[test]
fn provider_sentence_explains_an_unattributed_host() {
    let r = run(vec![decl("Acme Analytics GmbH", None, None, "provider")]);
    assert!(
        !r.findings
            .iter()
            .any(|f| f.kind == "unattributed_third_party"),
        "{:#?}",
        r.findings
    );
    let d = r
        .disclosed
        .iter()
        .find(|d| d.hosts == vec!["cdn.acme-analytics.com"])
        .expect("disclosed by provider sentence");
    assert_eq!(d.service, "acme-analytics.com");
    assert_eq!(d.declaration.name, "Acme Analytics GmbH");
}

#[test]
fn an_unrelated_provider_does_not_explain_the_host() {
    let r = run(vec![decl("Analytics Partner AG", None, None, "provider")]);
    assert!(r
        .findings
        .iter()
        .any(|f| f.kind == "unattributed_third_party"));
}

#[test]
fn declared_but_not_seen_is_info() {
    let r = run(vec![decl(
        "YouTube",
        Some("youtube"),
        Some("Google Ireland Limited"),
        "service",
    )]);
    let f = kind_of(&r, "youtube", "declared_not_observed").expect("youtube not observed");
    assert_eq!(f.severity, "info");
    assert!(
        f.message.contains("off-site or on pages not crawled"),
        "{}",
        f.message
    );
    assert!(f.evidence.contains("4 pages scanned"), "{}", f.evidence);
    assert!(
        f.evidence.contains("Diese Website nutzt YouTube"),
        "{}",
        f.evidence
    );
    // One finding per service, however often the policy names it.
    let r = run(vec![
        decl("YouTube", Some("youtube"), None, "service"),
        decl("YouTube", Some("youtube"), None, "service"),
    ]);
    assert_eq!(findings_for(&r, "youtube").len(), 1);
}

#[test]
fn negated_declarations_disclose_nothing() {
    let mut ga = decl(
        "Google Analytics",
        Some("google-analytics"),
        None,
        "service",
    );
    ga.negated = true;
    ga.excerpt = "Wir setzen keine Analyse-Tools wie Google Analytics ein.".into();
    let mut yt = decl("YouTube", Some("youtube"), None, "service");
    yt.negated = true;
    let mut acme = decl("Acme Analytics GmbH", None, None, "provider");
    acme.negated = true;
    let r = run(vec![ga, yt, acme]);
    assert_eq!(
        kind_of(&r, "google-analytics", "undisclosed_service")
            .unwrap()
            .severity,
        "high"
    );
    assert!(kind_of(&r, "google-tag-manager", "undisclosed_service").is_some());
    assert!(findings_for(&r, "youtube").is_empty());
    assert!(r
        .findings
        .iter()
        .any(|f| f.kind == "unattributed_third_party"));
    assert!(r.disclosed.is_empty(), "{:#?}", r.disclosed);
}

#[test]
fn first_party_tools_never_become_findings() {
    let r = run(vec![]);
    assert!(
        findings_for(&r, "matomo").is_empty(),
        "{:#?}",
        findings_for(&r, "matomo")
    );
    // ...but a declared self-hosted tool is listed as disclosed.
    let r = run(vec![decl("Matomo", Some("matomo"), None, "service")]);
    assert!(r.disclosed.iter().any(|d| d.service == "matomo"));
    assert!(findings_for(&r, "matomo").is_empty());
}

#[test]
fn ungated_tracker_scripts_are_tracking_before_consent() {
    let r = run(vec![]);
    let gtm = kind_of(&r, "google-tag-manager", "tracking_before_consent").expect("GTM ungated");
    assert_eq!(gtm.severity, "high");
    assert_eq!(gtm.hosts, vec!["www.googletagmanager.com"]);
    assert!(
        gtm.evidence.contains(&format!(
            "the script tag for https://www.googletagmanager.com/gtm.js?id=GTM-X on {} is not gated by consent-manager markup",
            page("/")
        )),
        "{}",
        gtm.evidence
    );
    assert!(
        gtm.evidence.contains("inferred from markup"),
        "{}",
        gtm.evidence
    );
    assert!(
        gtm.evidence.contains("3 pages affected"),
        "{}",
        gtm.evidence
    );
    assert!(kind_of(&r, "hotjar", "tracking_before_consent").is_some());
    // GA's script is gated by CMP markup; the pixel only loads inside <noscript>.
    assert!(kind_of(&r, "google-analytics", "tracking_before_consent").is_none());
    assert!(kind_of(&r, "meta-pixel", "tracking_before_consent").is_none());
    // Disclosure does not excuse loading before consent.
    let r = run(vec![decl("Hotjar", Some("hotjar"), None, "service")]);
    assert!(kind_of(&r, "hotjar", "tracking_before_consent").is_some());
}

#[test]
fn browser_mode_uses_what_was_contacted_before_consent() {
    let mut r = observed();
    r.mode = Mode::Browser;
    r.consent.phases = vec![Phase::BeforeConsent, Phase::AfterAccept];
    r.consent.cmp = Some("usercentrics".into());
    for tp in &mut r.third_parties {
        // The CMP blocked GTM at run time although its tag looks ungated.
        tp.before_consent = tp.host != "www.googletagmanager.com";
    }
    reconcile(&mut r, &catalog());
    assert!(kind_of(&r, "google-tag-manager", "tracking_before_consent").is_none());
    let hj = kind_of(&r, "hotjar", "tracking_before_consent").expect("hotjar contacted");
    assert_eq!(hj.hosts, vec!["static.hotjar.com"]);
    assert!(
        hj.evidence.contains("observed in the browser"),
        "{}",
        hj.evidence
    );
    assert!(hj.evidence.contains("usercentrics"), "{}", hj.evidence);
    let ga = kind_of(&r, "google-analytics", "tracking_before_consent").expect("GA contacted");
    assert_eq!(ga.cookies, vec!["_ga"]);
}

#[test]
fn findings_are_sorted_and_deterministic() {
    let decls = vec![
        decl("YouTube", Some("youtube"), None, "service"),
        decl(
            "Google Ireland Limited",
            None,
            Some("Google Ireland Limited"),
            "company",
        ),
    ];
    let r = run(decls.clone());
    let keys: Vec<(Severity, String, Option<String>, Vec<String>)> = r
        .findings
        .iter()
        .map(|f| {
            (
                f.severity,
                f.kind.to_string(),
                f.service.clone(),
                f.hosts.clone(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| (&a.1, &a.2, &a.3).cmp(&(&b.1, &b.2, &b.3)))
    });
    assert_eq!(keys, sorted);
    assert_eq!(r.findings.first().unwrap().severity, "high");
    assert_eq!(r.findings.last().unwrap().severity, "info");
    // Every severity shows up in this report, and a second reconcile changes nothing.
    for s in ["high", "medium", "low", "info"] {
        assert!(r.findings.iter().any(|f| f.severity == s), "no {s}");
    }
    let mut again = r.clone();
    reconcile(&mut again, &catalog());
    assert_eq!(again, r);
    assert_eq!(run(decls), r);
}

#[test]
fn pages_are_capped_at_twenty() {
    let mut r = observed();
    let vimeo = r.services.iter_mut().find(|s| s.id == "vimeo").unwrap();
    vimeo.pages = (0..30).map(|i| page(&format!("/p{i:02}"))).collect();
    reconcile(&mut r, &catalog());
    let f = kind_of(&r, "vimeo", "undisclosed_service").unwrap();
    assert_eq!(f.pages.len(), 20);
    assert!(f.evidence.contains("on 30 pages"), "{}", f.evidence);
}

#[test]
fn ungated_scripts_of_non_trackers_are_not_tracking() {
    let mut r = observed();
    let mut widget = r.scripts[0].clone();
    widget.src = Some("https://widget.statuspal.io/embed.js".into());
    widget.host = Some("widget.statuspal.io".into());
    widget.service = Some("statuspal".into());
    widget.consent_gated = false;
    widget.noscript = false;
    r.scripts.push(widget);
    reconcile(&mut r, &catalog());
    assert!(kind_of(&r, "statuspal", "tracking_before_consent").is_none());
    assert!(kind_of(&r, "statuspal", "undisclosed_service").is_some());
}

#[test]
fn trackers_still_active_after_reject_are_findings() {
    let mut r = observed();
    r.mode = Mode::Browser;
    r.consent.phases = vec![Phase::BeforeConsent, Phase::AfterAccept, Phase::AfterReject];
    r.consent.reject_clicked = Some(true);
    for tp in &mut r.third_parties {
        tp.phases = if tp.host == "static.hotjar.com" {
            vec![Phase::AfterAccept, Phase::AfterReject]
        } else {
            vec![Phase::AfterAccept]
        };
    }
    reconcile(&mut r, &catalog());
    let hj =
        kind_of(&r, "hotjar", "tracking_after_reject").expect("hotjar still loads after reject");
    assert_eq!(hj.severity, "high");
    assert_eq!(hj.hosts, vec!["static.hotjar.com"]);
    assert!(hj.evidence.contains("reject all"), "{}", hj.evidence);
    assert!(kind_of(&r, "google-tag-manager", "tracking_after_reject").is_none());

    // Without an after-reject phase nothing can be said.
    r.consent.phases.pop();
    reconcile(&mut r, &catalog());
    assert!(kind_of(&r, "hotjar", "tracking_after_reject").is_none());
}

#[test]
fn cmp_services_are_cross_checked_against_policy_and_observations() {
    use privacy_inventory::report::model::CmpService;
    let mut r = observed();
    r.policy.declarations = vec![decl("Vimeo", Some("vimeo"), None, "service")];
    r.consent.cmp = Some("usercentrics".into());
    r.consent.cmp_services = ["Vimeo", "YouTube", "Hotjar", "Acme Widgets"]
        .iter()
        .map(|n| CmpService {
            name: n.to_string(),
            ..Default::default()
        })
        .collect();
    reconcile(&mut r, &catalog());
    let by_name = |n: &str| {
        r.consent
            .cmp_services
            .iter()
            .find(|c| c.name == n)
            .unwrap()
            .clone()
    };
    let vimeo = by_name("Vimeo");
    assert_eq!(
        (vimeo.service.as_deref(), vimeo.in_policy, vimeo.observed),
        (Some("vimeo"), true, true)
    );
    let hotjar = by_name("Hotjar");
    assert_eq!(
        (hotjar.service.as_deref(), hotjar.in_policy, hotjar.observed),
        (Some("hotjar"), false, true)
    );
    assert!(by_name("Acme Widgets").service.is_none());
    let gaps: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.kind == "cmp_service_not_in_policy")
        .collect();
    // Vimeo is in the policy; Hotjar and YouTube are observed (their own findings cover them).
    let named: Vec<String> = gaps.iter().map(|f| f.evidence.clone()).collect();
    assert!(
        named.iter().any(|e| e.contains("\"Acme Widgets\"")),
        "{named:?}"
    );
    assert!(
        !named
            .iter()
            .any(|e| e.contains("\"Vimeo\"") || e.contains("\"Hotjar\"")),
        "{named:?}"
    );
    assert!(gaps.iter().all(|f| f.severity == "medium"));
}

/// Every finding about an observed service carries its evidence strength, and the evidence
/// sentence says when a script was all there was (issue 10).
#[test]
fn findings_carry_the_evidence_strength() {
    let mut r = observed();
    for s in r.services.iter_mut().filter(|s| s.id == "vimeo") {
        s.hosts.clear();
        s.cookies.clear();
        s.evidence_strength = Some(EvidenceStrength::Script);
    }
    r.policy.declarations = vec![decl("Nobody", None, None, "provider")];
    reconcile(&mut r, &catalog());
    let about_observed = |f: &&Finding| f.service.is_some() && f.kind != "declared_not_observed";
    for f in r.findings.iter().filter(about_observed) {
        assert!(f.evidence_strength.is_some(), "{f:?}");
    }
    let vimeo = kind_of(&r, "vimeo", "undisclosed_service").expect("vimeo undisclosed");
    assert_eq!(vimeo.evidence_strength.as_deref(), Some("script"));
    assert!(
        vimeo.evidence.contains("runs its script"),
        "{}",
        vimeo.evidence
    );
}
