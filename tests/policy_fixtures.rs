//! Our own English and German policies: HTML noise, nested headings, negations, legal entities,
//! free-text providers, browser help, authorities and laws, the site's own company.

mod policy_support;

use policy_support::{summary, test_catalog};
use privacy_inventory::policy::{analyze_text, html::parse_html, language, plain::parse_plain};

fn fixture(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/policies")
        .join(name);
    std::fs::read_to_string(p).expect("fixture exists")
}

fn s(
    name: &str,
    service: Option<&str>,
    matched_as: &str,
    negated: bool,
) -> (String, Option<String>, String, bool) {
    (
        name.into(),
        service.map(str::to_string),
        matched_as.into(),
        negated,
    )
}

#[test]
fn german_html_policy_declarations() {
    let text = parse_html(&fixture("de-werkstatt.html"), "de-werkstatt.html");
    assert_eq!(language::detect(&text.plain()).as_deref(), Some("de"));
    let decls = analyze_text(&text, &test_catalog());
    assert_eq!(
        summary(&decls),
        vec![
            s("Musterhost Rechenzentrum GmbH", None, "provider", false),
            s(
                "Google Analytics",
                Some("google-analytics"),
                "service",
                true
            ),
            s("Hotjar", Some("hotjar"), "service", true),
            s("Google Fonts", Some("google-fonts"), "service", false),
            s("Google", None, "company", false),
            s("Google Maps", Some("google-maps"), "service", false),
            s("Meta Platforms Ireland Limited", None, "company", false),
        ]
    );
    let fonts = &decls[3];
    assert_eq!(
        fonts.section,
        "Datenschutzerklärung > 4. Plugins und Tools > Google Fonts"
    );
    assert_eq!(fonts.company.as_deref(), Some("Google Ireland Limited"));
    assert!(fonts
        .excerpt
        .starts_with("Diese Seite nutzt zur einheitlichen Darstellung"));
    assert_eq!(
        decls[5].section,
        "Datenschutzerklärung > 4. Plugins und Tools > Google Maps"
    );
    assert_eq!(
        decls[6].section,
        "Datenschutzerklärung > 5. Soziale Medien > Facebook"
    );
    assert_eq!(decls[0].excerpt, "Anbieter ist die Musterhost Rechenzentrum GmbH, Am Hafen 3, 20457 Hamburg (im Folgenden „Musterhost“).");
    assert!(decls.iter().all(|d| d.source == "de-werkstatt.html"));
}

#[test]
fn html_noise_is_not_policy_text() {
    let text = parse_html(&fixture("de-werkstatt.html"), "x").plain();
    for noise in [
        "Alle akzeptieren",
        "Leistungen mit YouTube",
        "Instagram",
        "Impressum ·",
        "Matomo erlauben",
        "dataLayer",
        "content:",
    ] {
        assert!(
            !text.contains(noise),
            "{noise:?} leaked into the policy text"
        );
    }
    assert!(text.contains("Beispiel Werkstatt GmbH\nRingstraße 12"));
}

#[test]
fn english_text_policy_declarations() {
    let text = parse_plain(&fixture("en-shop.txt"), "en-shop.txt");
    assert_eq!(language::detect(&text.plain()).as_deref(), Some("en"));
    let decls = analyze_text(&text, &test_catalog());
    assert_eq!(
        summary(&decls),
        vec![
            s("Greenleaf Hosting B.V.", None, "provider", false),
            s(
                "Google Analytics",
                Some("google-analytics"),
                "service",
                false
            ),
            s("Facebook Pixel", Some("meta-pixel"), "service", true),
            s("Stripe", Some("stripe"), "service", false),
            s("Stripe Payments Europe, Limited", None, "company", false),
            s("Chatterbox Ltd.", None, "provider", false),
        ]
    );
    assert_eq!(decls[1].section, "Privacy Policy > Analytics");
    assert_eq!(
        decls[5].excerpt,
        "Our support chat is operated by Chatterbox Ltd. with its registered office in Dublin."
    );
}

#[test]
fn declarations_are_deterministic() {
    let text = parse_html(&fixture("de-werkstatt.html"), "x");
    let a = analyze_text(&text, &test_catalog());
    let b = analyze_text(&text, &test_catalog());
    assert_eq!(a, b);
}
