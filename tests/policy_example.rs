//! THE key test: the real example policy declares exactly its processors.

mod policy_support;

use privacy_inventory::policy::fold::fold_str;
use privacy_inventory::policy::{analyze_text, plain::parse_plain};
use std::collections::BTreeSet;

/// The example policy, next to the crate (`../shared/examples/`). The test fails when it is missing:
/// a key test that skips itself proves nothing.
const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/examples/iiot-flow-privacy-policy.txt"
);

#[test]
fn example_policy_declares_exactly_its_processors() {
    let text = std::fs::read_to_string(EXAMPLE)
        .unwrap_or_else(|e| panic!("cannot read the example policy {EXAMPLE}: {e}"));
    let catalog = policy_support::real_catalog();
    let decls = analyze_text(&parse_plain(&text, EXAMPLE), &catalog);
    for d in &decls {
        eprintln!(
            "{:?} {:?} {:?} {} neg={} [{}]",
            d.name, d.service, d.company, d.matched_as, d.negated, d.section
        );
    }
    let processors: Vec<_> = decls.iter().filter(|d| !d.negated).collect();

    // Every processor the policy names is found, by the name it is written as.
    for expected in [
        "IONOS",
        "IONOS WebAnalytics",
        "Cloudflare",
        "Usercentrics",
        "eRecht24",
        "LinkedIn",
        "Jitsi Meet",
    ] {
        let e = fold_str(expected);
        assert!(
            processors
                .iter()
                .any(|d| fold_str(&d.name) == e || fold_str(&d.name).starts_with(&format!("{e} "))),
            "{expected} not declared"
        );
    }
    // …and nothing else: every declaration maps to one of these companies.
    let company_id = |name: &str| {
        catalog
            .companies()
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.id.clone())
            .unwrap_or_else(|| format!("?{name}"))
    };
    let got: BTreeSet<String> = processors
        .iter()
        .map(|d| d.company.as_deref().map_or("free text".into(), company_id))
        .collect();
    let jitsi = catalog
        .service("jitsi-meet")
        .expect("catalog has Jitsi Meet")
        .company
        .clone();
    let want: BTreeSet<String> = [
        "ionos",
        "cloudflare",
        "usercentrics",
        "erecht24",
        "linkedin",
        jitsi.as_str(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(got, want);
    // No free-text provider (every provider sentence names a catalog entity), nothing negated.
    assert!(decls
        .iter()
        .all(|d| d.matched_as != "provider" && !d.negated));
    // The site's own company, the laws and the DPF are not declarations.
    assert!(decls.iter().all(|d| !d.name.contains("IIoT")
        && !d.name.contains("GDPR")
        && !d.name.contains("Privacy Framework")));
    // Sections come from the plain-text headings.
    let jitsi_decl = decls.iter().find(|d| d.name == "Jitsi Meet").unwrap();
    assert_eq!(
        jitsi_decl.section,
        "Audio and Video Conferences > Jitsi Meet"
    );
    assert_eq!(jitsi_decl.excerpt, "We use Jitsi Meet.");
}
