//! The built-in catalog: it loads, and every entry obeys the data rules.

use privacy_inventory::catalog::{self, host_problem, is_kebab, Catalog, BUILTIN_FILES};
use std::collections::{BTreeMap, BTreeSet};

fn builtin() -> Catalog {
    match Catalog::builtin() {
        Ok(c) => c,
        Err(e) => panic!("built-in catalog has errors:\n{e}"),
    }
}

#[test]
fn category_vocabulary_is_the_documented_one() {
    let ids: Vec<&str> = catalog::categories()
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    let expected = [
        "analytics",
        "advertising",
        "tag-manager",
        "session-recording",
        "consent",
        "cdn",
        "hosting",
        "fonts",
        "video",
        "maps",
        "social",
        "chat",
        "forms",
        "newsletter",
        "payments",
        "reviews",
        "captcha",
        "security",
        "error-monitoring",
        "ab-testing",
        "customer-support",
        "search",
        "e-commerce",
        "scheduling",
        "crm",
        "marketing-automation",
        "personalization",
        "audio",
        "comments",
        "accessibility",
        "performance-monitoring",
        "affiliate",
        "identity",
        "translation",
        "push-notifications",
        "feedback",
        "collaboration",
        "other",
    ];
    assert_eq!(ids, expected);
    assert!(catalog::categories()
        .iter()
        .all(|c| !c.description.trim().is_empty()));
}

#[test]
fn builtin_loads_from_every_data_file() {
    let c = builtin();
    assert!(!BUILTIN_FILES.is_empty());
    assert!(BUILTIN_FILES.iter().all(|(n, _)| *n != "categories.toml"));
    let total: usize = BUILTIN_FILES
        .iter()
        .map(|(_, t)| t.lines().filter(|l| l.trim() == "[[service]]").count())
        .sum();
    assert_eq!(
        c.services().len(),
        total,
        "every [[service]] table is loaded once"
    );
}

#[test]
fn embedded_files_match_the_data_directory() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/catalog");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml") && n != "categories.toml")
        .collect();
    on_disk.sort();
    let embedded: Vec<&str> = BUILTIN_FILES.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        embedded, on_disk,
        "stale build: the embedded catalog differs from data/catalog/"
    );
}

#[test]
fn ids_unique_and_kebab_case() {
    let c = builtin();
    let mut seen = BTreeSet::new();
    for s in c.services() {
        assert!(is_kebab(&s.id), "service id {:?} is not kebab-case", s.id);
        assert!(seen.insert(&s.id), "service id {:?} twice", s.id);
    }
    let mut seen = BTreeSet::new();
    for co in c.companies() {
        assert!(is_kebab(&co.id), "company id {:?} is not kebab-case", co.id);
        assert!(seen.insert(&co.id), "company id {:?} twice", co.id);
        assert!(!co.name.trim().is_empty());
    }
}

#[test]
fn every_service_has_company_category_and_a_way_to_be_recognised() {
    let c = builtin();
    for s in c.services() {
        assert!(
            c.company_of(s).is_some(),
            "{}: company {:?} missing",
            s.id,
            s.company
        );
        assert!(!s.categories.is_empty(), "{}: no category", s.id);
        for cat in &s.categories {
            assert!(
                catalog::is_category(cat),
                "{}: unknown category {cat}",
                s.id
            );
        }
        assert!(
            !(s.hosts.is_empty()
                && s.signatures.is_empty()
                && s.cookies.is_empty()
                && s.paths.is_empty()),
            "{}: no host, signature, cookie or path",
            s.id
        );
    }
}

#[test]
fn hosts_are_lowercase_punycode_and_claimed_once_unless_shared() {
    let c = builtin();
    let mut claims: BTreeMap<&str, Vec<(&str, bool)>> = BTreeMap::new();
    for s in c.services() {
        for h in &s.hosts {
            assert_eq!(host_problem(h), None, "{}: host {h:?}", s.id);
            assert_eq!(h, &h.to_ascii_lowercase());
            claims.entry(h).or_default().push((&s.id, s.shared_hosts));
        }
    }
    for (h, owners) in claims {
        if owners.len() > 1 {
            assert!(
                owners.iter().all(|(_, shared)| *shared),
                "host {h} claimed by {owners:?} without shared_hosts"
            );
        }
        // The index agrees: the host resolves to one of its claimants.
        let got = c.lookup_host(h).map(|s| s.id.as_str());
        assert!(
            owners.iter().any(|(id, _)| Some(*id) == got),
            "{h} → {got:?}, claimed by {owners:?}"
        );
    }
}

#[test]
fn every_cookie_and_signature_resolves_to_a_claimant() {
    let c = builtin();
    for s in c.services() {
        for sig in &s.signatures {
            assert!(
                c.lookup_script(&format!("/* x */ {sig} /* y */"))
                    .iter()
                    .any(|m| m.id == s.id),
                "{}: signature {sig:?} not found by lookup_script",
                s.id
            );
        }
        for ck in &s.cookies {
            let name =
                ck.trim_end_matches('*').to_string() + if ck.ends_with('*') { "x1" } else { "" };
            let ms = c.cookie_matches(&name, true);
            assert!(
                ms.iter().any(|m| m.service.id == s.id),
                "{}: cookie {ck:?} not matched",
                s.id
            );
        }
    }
}

#[test]
fn policy_names_cover_services_and_companies() {
    let c = builtin();
    let names = c.policy_names();
    assert!(names.len() >= c.services().len() + c.companies().len());
}

#[test]
fn catalog_is_broad_and_every_entry_says_where_its_facts_come_from() {
    let c = builtin();
    assert!(
        c.services().len() >= 1200,
        "{} services",
        c.services().len()
    );
    for s in c.services() {
        let src = s.source.as_deref().unwrap_or("");
        assert!(
            !src.trim().is_empty(),
            "service {} has no source note",
            s.id
        );
    }
    for co in c.companies() {
        let src = co.source.as_deref().unwrap_or("");
        assert!(
            !src.trim().is_empty(),
            "company {} has no source note",
            co.id
        );
    }
}

#[test]
fn data_files_stay_short() {
    for (name, text) in BUILTIN_FILES.iter() {
        let lines = text.lines().count();
        assert!(
            lines <= 1050,
            "data/catalog/{name} has {lines} lines; split it by category"
        );
    }
}
