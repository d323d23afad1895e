//! Names as policies really write them (issue 15), against the real built-in catalog: spacing and
//! hyphenation variants, one-letter misspellings of long names, words that must stay words, and
//! former and parent company names.

use privacy_inventory::catalog::{Catalog, Inventory};
use privacy_inventory::model::{Consent, Declaration, Policy, ServiceUse};
use privacy_inventory::policy::{analyze_text, plain::parse_plain};
use privacy_inventory::reconcile::reconcile;

fn catalog() -> Catalog {
    Catalog::builtin().unwrap_or_else(|e| panic!("built-in catalog has errors:\n{e}"))
}

fn declarations(text: &str) -> Vec<Declaration> {
    analyze_text(&parse_plain(text, "policy.txt"), &catalog())
}

/// (as written, service id, matched_as) of every catalog declaration (providers left out).
fn named(text: &str) -> Vec<(String, Option<String>, String)> {
    declarations(text)
        .into_iter()
        .filter(|d| d.matched_as != "provider")
        .map(|d| (d.name, d.service, d.matched_as))
        .collect()
}

#[test]
fn spacing_and_hyphenation_variants_are_found_with_the_written_spelling() {
    let text = "Datenschutz\n\
        Wir versenden Push-Nachrichten mit One Signal und Newsletter mit Mail Chimp.\n\
        Für Heatmaps nutzen wir Hot Jar.\n\
        Zur Reichweitenmessung setzen wir Google-Analytics ein.\n";
    let got = named(text);
    for (written, id, how) in [
        ("One Signal", "onesignal", "variant"),
        ("Mail Chimp", "mailchimp", "variant"),
        ("Hot Jar", "hotjar", "variant"),
        ("Google-Analytics", "google-analytics", "service"),
    ] {
        assert!(
            got.iter()
                .any(|(w, s, m)| w == written && s.as_deref() == Some(id) && m == how),
            "{written} → {id} ({how}) missing in {got:#?}"
        );
    }
}

#[test]
fn one_letter_misspellings_of_long_names_are_found() {
    let text = "SMS are sent through Twillio. Our CDN is Cloudfare. We use the Face book pixel.\n";
    let got = named(text);
    assert!(
        got.iter()
            .any(|(w, s, m)| w == "Twillio" && s.as_deref() == Some("twilio") && m == "variant"),
        "{got:#?}"
    );
    assert!(
        got.iter()
            .any(|(w, _, m)| w == "Cloudfare" && m == "variant"),
        "{got:#?}"
    );
    assert!(
        got.iter().any(|(w, s, m)| w == "Face book pixel"
            && s.as_deref() == Some("meta-pixel")
            && m == "variant"),
        "{got:#?}"
    );
    // "Face book" alone is Meta the company (its alias "Facebook"), found as a variant.
    let face = declarations("Wir nutzen Face book.\n")
        .into_iter()
        .find(|d| d.name == "Face book")
        .expect("Face book found");
    assert_eq!(face.matched_as, "variant");
    assert_eq!(
        face.company.as_deref(),
        Some("Meta Platforms Ireland Limited")
    );
}

#[test]
fn ordinary_words_and_short_names_are_not_taken_for_names() {
    // Each capitalised word here is one letter or one space away from a catalog name (Notion,
    // Branch, Veriff, Render, Inneractive, Ustream, Meetrics, Pexels, Claude, Adition, Stripe,
    // Zoom) or is a brand that is also a word (Monday, Basis, Zip, Act-On).
    let text = "Notions of privacy differ. Branche und Zweck. Verify your e-mail address. \
        Reader settings. Interactive content. Upstream providers. Metrics and Pixels. \
        Clause 4 applies. Addition of data. Stripes. Zo om. On Monday we act on requests \
        on the Basis of Art. 6. Enter your ZIP code. We secure privacy by design.\n";
    let got = named(text);
    assert!(got.is_empty(), "false names: {got:#?}");
    // Lowercase spacing variants are two ordinary words, not a name.
    assert!(named("a hot jar and a face book on the shelf.\n").is_empty());
}

#[test]
fn former_names_and_parent_groups_match() {
    // Rocket Fuel and Tapad's parent: a policy written before the rename still names Zeta.
    let got = declarations(
        "We work with Rocket Fuel for advertising. Video ads are served by Comcast Corporation.\n",
    );
    let rocket = got
        .iter()
        .find(|d| d.name == "Rocket Fuel")
        .unwrap_or_else(|| panic!("former name not found: {got:#?}"));
    assert_eq!(rocket.matched_as, "company");
    assert_eq!(rocket.company.as_deref(), Some("Zeta Global Corp."));
    let comcast = got
        .iter()
        .find(|d| d.name == "Comcast Corporation")
        .unwrap_or_else(|| panic!("parent not found: {got:#?}"));
    assert_eq!(comcast.matched_as, "company");
    assert_eq!(comcast.company.as_deref(), Some("Comcast Corporation"));
    assert_eq!(comcast.service, None);
}

fn observed(id: &str, host: &str) -> ServiceUse {
    let c = catalog();
    let s = c
        .service(id)
        .unwrap_or_else(|| panic!("{id} not in the catalog"));
    ServiceUse {
        id: s.id.clone(),
        name: s.name.clone(),
        company: c.company_of(s).map(|k| k.name.clone()).unwrap_or_default(),
        categories: s.categories.clone(),
        hosts: vec![host.to_string()],
        pages: vec!["https://www.example.com/".into()],
        matched_by: vec!["host".into()],
        ..Default::default()
    }
}

/// Kinds of the findings about `id` after reconciling `policy` against an observed use.
fn finding_kinds(policy: &str, id: &str, host: &str) -> Vec<String> {
    let inventory = Inventory {
        services: vec![observed(id, host)],
        ..Default::default()
    };
    let policy = Policy {
        urls: vec!["https://www.example.com/privacy".into()],
        declarations: declarations(policy),
        ..Default::default()
    };
    reconcile(&inventory, &policy, &Consent::default(), &catalog())
        .findings
        .iter()
        .filter(|f| f.service.as_deref() == Some(id))
        .map(|f| f.kind.as_str().to_string())
        .collect()
}

#[test]
fn a_parent_or_former_name_discloses_by_company_and_silence_stays_undisclosed() {
    let host = "mssl.fwmrm.net";
    assert_eq!(
        finding_kinds(
            "Our video ads are served by Comcast Corporation.\n",
            "freewheel",
            host
        ),
        vec!["disclosed_by_company_only"]
    );
    assert_eq!(
        finding_kinds("We show video ads.\n", "freewheel", host),
        vec!["undisclosed_service"]
    );
    assert_eq!(
        finding_kinds("We use StickyAds for video ads.\n", "freewheel", host),
        Vec::<String>::new(),
        "a service alias (the old product name) discloses the service itself"
    );
    assert_eq!(
        finding_kinds("Ads by Rocket Fuel Inc.\n", "zeta-global", "p.rfihub.com"),
        vec!["disclosed_by_company_only"]
    );
}
