//! Attribution of observations against a small hand-written catalog (fixtures/catalog/test-catalog.toml).

use privacy_inventory::catalog::{attribute, Catalog, HostAttribution};
use privacy_inventory::model::{EvidenceStrength, Party};
use privacy_inventory::observe::Observations;
use privacy_inventory::report::model::{Cookie, Script, ThirdParty};
use std::path::PathBuf;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/catalog/test-catalog.toml")
}

fn catalog() -> Catalog {
    Catalog::from_files(&[fixture()]).expect("fixture catalog is valid")
}

fn tp(host: &str, page: &str, samples: &[&str]) -> ThirdParty {
    ThirdParty {
        host: host.into(),
        registrable_domain: privacy_inventory::domain::registrable_domain(host),
        pages: vec![page.into()],
        sample_urls: samples.iter().map(|s| s.to_string()).collect(),
        loaded: true,
        ..Default::default()
    }
}

fn cookie(name: &str, domain: &str, party: &str) -> Cookie {
    Cookie {
        name: name.into(),
        domain: domain.into(),
        path: "/".into(),
        party: party.parse().expect("first or third"),
        pages: vec!["https://shop.example.com/".into()],
        ..Default::default()
    }
}

fn script_src(src: &str, party: &str) -> Script {
    Script {
        src: Some(src.into()),
        host: url::Url::parse(src)
            .ok()
            .and_then(|u| u.host_str().map(String::from)),
        party: party.parse().expect("first or third"),
        pages: vec!["https://shop.example.com/".into()],
        ..Default::default()
    }
}

fn inline(obs: &mut Observations, sha: &str, text: &str) {
    obs.inline_scripts.insert(sha.into(), text.into());
    obs.scripts.push(Script {
        inline_sha256: Some(sha.into()),
        party: Party::First,
        pages: vec!["https://shop.example.com/about".into()],
        ..Default::default()
    });
}

#[test]
fn longest_suffix_wins_then_company_then_unattributed() {
    let c = catalog();
    assert_eq!(
        c.lookup_host("maps.googleapis.com").unwrap().id,
        "google-maps"
    );
    assert_eq!(
        c.lookup_host("fonts.googleapis.com").unwrap().id,
        "google-fonts"
    );
    assert_eq!(
        c.lookup_host("REGION1.Google-Analytics.com.").unwrap().id,
        "google-analytics"
    );
    assert!(c.lookup_host("notgoogle-analytics.com").is_none());
    match c.attribute_host("www.googleapis.com") {
        HostAttribution::Company {
            company,
            domain,
            registrable_domain,
        } => {
            assert_eq!(company.id, "google");
            assert_eq!(domain, "googleapis.com");
            // The PSL's private section makes googleapis.com a suffix: the registrable domain alone
            // would never have found the company.
            assert_eq!(registrable_domain, "www.googleapis.com");
        }
        other => panic!("expected company-level fallback, got {other:?}"),
    }
    match c.attribute_host("cdn.unknown-tracker.example") {
        HostAttribution::Unattributed { registrable_domain } => {
            assert_eq!(registrable_domain, "unknown-tracker.example")
        }
        other => panic!("expected unattributed, got {other:?}"),
    }
}

#[test]
fn shared_host_is_decided_by_path_marker() {
    let c = catalog();
    let u = url::Url::parse("https://www.google.com/recaptcha/api.js").unwrap();
    assert_eq!(c.lookup_url(&u).unwrap().id, "google-recaptcha");
    let u = url::Url::parse("https://www.google.com/pagead/1p-conversion/123/").unwrap();
    assert_eq!(c.lookup_url(&u).unwrap().id, "google-ads");
    assert_eq!(c.lookup_host_all("www.google.com").len(), 2);
}

#[test]
fn cookies_exact_before_prefix_and_scoped() {
    let c = catalog();
    assert_eq!(c.lookup_cookie("_ga", true).unwrap().id, "google-analytics");
    assert_eq!(
        c.lookup_cookie("_ga_ABC123", true).unwrap().id,
        "google-analytics"
    );
    assert_eq!(c.lookup_cookie("_gcl_au", true).unwrap().id, "google-ads");
    assert!(c.lookup_cookie("_gax", true).is_none());
    // Self-hosted vs hosted variant of a tool that share a pattern.
    assert_eq!(c.lookup_cookie("_pk_id.1.1fff", true).unwrap().id, "matomo");
    assert_eq!(
        c.lookup_cookie("_pk_id.1.1fff", false).unwrap().id,
        "matomo-cloud"
    );
    let m = c.cookie_matches("_ga_ABC123", true);
    assert_eq!(m[0].pattern, "_ga_*");
}

#[test]
fn scripts_match_all_signatures_in_one_pass() {
    let c = catalog();
    let ids: Vec<&str> = c
        .lookup_script(
            "gtag('config', 'G-XYZ'); fbq('init', '123'); var _paq=[]; _paq.push(['x']);",
        )
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(
        ids,
        ["google-analytics", "matomo", "matomo-cloud", "meta-pixel"]
    );
    assert!(c.lookup_script("console.log('hello')").is_empty());
}

#[test]
fn attribute_fills_every_part_and_lists_services() {
    let c = catalog();
    let mut obs = Observations {
        first_party_domains: vec!["example.com".into()],
        ..Default::default()
    };
    obs.third_parties = vec![
        tp(
            "connect.facebook.net",
            "https://shop.example.com/",
            &["https://connect.facebook.net/en_US/fbevents.js"],
        ),
        tp(
            "fonts.googleapis.com",
            "https://shop.example.com/",
            &["https://fonts.googleapis.com/css2?family=Roboto"],
        ),
        tp(
            "www.googleapis.com",
            "https://shop.example.com/",
            &["https://www.googleapis.com/x.png"],
        ),
        tp(
            "tracker.unknown.example",
            "https://shop.example.com/",
            &["https://tracker.unknown.example/p.gif"],
        ),
        tp(
            "www.google.com",
            "https://shop.example.com/contact",
            &["https://www.google.com/recaptcha/api.js"],
        ),
    ];
    obs.scripts = vec![
        script_src("https://connect.facebook.net/en_US/fbevents.js", "third"),
        script_src("https://shop.example.com/stats/matomo.js", "first"),
        script_src(
            "https://shop.example.com/wp-content/plugins/borlabs-cookie/js/borlabs.min.js",
            "first",
        ),
    ];
    inline(
        &mut obs,
        "aa",
        "var _paq = window._paq = []; _paq.push(['trackPageView']);",
    );
    inline(
        &mut obs,
        "bb",
        "window.dataLayer=[]; function gtag(){} gtag('config', 'G-ABC');",
    );
    obs.first_party_resources
        .insert("https://shop.example.com/matomo.php?idsite=1&rec=1".into());
    obs.cookies = vec![
        cookie("_ga", ".example.com", "first"),
        cookie("_pk_id.1.abcd", "shop.example.com", "first"),
        cookie("IDE", ".doubleclick.net", "third"),
        cookie("fr", ".facebook.com", "third"),
        cookie("_fbp", ".example.com", "first"),
        cookie("sessionid", "shop.example.com", "first"),
        cookie("_ga", ".other-site.example", "third"),
    ];

    let inv = attribute(&obs, &c);
    let services = inv.services.clone();

    let by_host = |h: &str| inv.third_parties.iter().find(|t| t.host == h).unwrap();
    assert_eq!(
        by_host("connect.facebook.net").service.as_deref(),
        Some("meta-pixel")
    );
    assert_eq!(
        by_host("connect.facebook.net").company.as_deref(),
        Some("Meta Platforms Ireland Limited")
    );
    assert_eq!(
        by_host("fonts.googleapis.com").service.as_deref(),
        Some("google-fonts")
    );
    assert_eq!(by_host("www.googleapis.com").service, None);
    assert_eq!(
        by_host("www.googleapis.com").company.as_deref(),
        Some("Google Ireland Limited")
    );
    assert_eq!(by_host("tracker.unknown.example").service, None);
    assert_eq!(by_host("tracker.unknown.example").company, None);
    assert_eq!(
        by_host("www.google.com").service.as_deref(),
        Some("google-recaptcha")
    );

    let script_service: Vec<Option<&str>> =
        inv.scripts.iter().map(|s| s.service.as_deref()).collect();
    assert_eq!(
        script_service,
        [
            Some("meta-pixel"),
            Some("matomo"),
            Some("borlabs-cookie"),
            Some("matomo"),
            Some("google-analytics")
        ]
    );

    let cookie_service: Vec<(&str, Option<&str>)> = inv
        .cookies
        .iter()
        .map(|c| (c.name.as_str(), c.service.as_deref()))
        .collect();
    assert_eq!(
        cookie_service,
        [
            ("_ga", Some("google-analytics")),
            ("_pk_id.1.abcd", Some("matomo")),
            ("IDE", Some("google-ads")),
            ("fr", Some("meta-pixel")),
            ("_fbp", Some("meta-pixel")),
            ("sessionid", None),
            ("_ga", Some("google-analytics")),
        ]
    );

    let ids: Vec<&str> = services.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "borlabs-cookie",
            "google-ads",
            "google-analytics",
            "google-fonts",
            "google-recaptcha",
            "matomo",
            "meta-pixel"
        ]
    );
    let get = |id: &str| services.iter().find(|s| s.id == id).unwrap();
    let matomo = get("matomo");
    assert!(matomo.first_party, "self-hosted Matomo is first party");
    assert_eq!(matomo.matched_by, ["cookie", "path", "signature"]);
    assert_eq!(matomo.company, "InnoCraft Ltd");
    assert!(matomo.hosts.is_empty());
    assert!(get("borlabs-cookie").first_party);
    let ga = get("google-analytics");
    assert!(
        !ga.first_party,
        "GA seen by signature and cookie is still a third party"
    );
    assert_eq!(ga.cookies, ["_ga"]);
    assert_eq!(ga.matched_by, ["cookie", "signature"]);
    let meta = get("meta-pixel");
    assert_eq!(meta.hosts, ["connect.facebook.net", "facebook.com"]);
    assert_eq!(meta.cookies, ["_fbp", "fr"]);
    assert_eq!(meta.categories, ["advertising"]);
    // No self-hosted tool ever shows up as a third party.
    assert!(obs
        .third_parties
        .iter()
        .all(|t| t.service.as_deref() != Some("matomo")));
}

#[test]
fn matomo_cloud_wins_shared_patterns_once_its_host_is_seen() {
    let c = catalog();
    let mut obs = Observations {
        first_party_domains: vec!["example.com".into()],
        ..Default::default()
    };
    obs.third_parties = vec![tp(
        "cdn.matomo.cloud",
        "https://example.com/",
        &["https://cdn.matomo.cloud/example.matomo.cloud/matomo.js"],
    )];
    inline(
        &mut obs,
        "cc",
        "var _paq = window._paq || []; _paq.push(['enableLinkTracking']);",
    );
    obs.cookies = vec![cookie("_pk_ses.1.aa", "example.com", "first")];
    let inv = attribute(&obs, &c);
    let services = inv.services.clone();
    let ids: Vec<&str> = services.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["matomo-cloud"]);
    assert!(!services[0].first_party);
    assert_eq!(inv.cookies[0].service.as_deref(), Some("matomo-cloud"));
    assert_eq!(inv.scripts[0].service.as_deref(), Some("matomo-cloud"));
}

#[test]
fn user_marked_first_party_domains_leave_third_parties() {
    let dir = tempfile::tempdir().unwrap();
    let user = dir.path().join("mine.toml");
    std::fs::write(&user, "[[first_party]]\ndomain = \"example-static.net\"\n").unwrap();
    let c = Catalog::from_files(&[fixture(), user]).unwrap();
    assert_eq!(c.first_party_domains(), ["example-static.net"]);
    let mut obs = Observations {
        first_party_domains: vec!["example.com".into()],
        ..Default::default()
    };
    obs.third_parties = vec![
        tp(
            "cdn.example-static.net",
            "https://example.com/",
            &["https://cdn.example-static.net/app.js"],
        ),
        tp(
            "fonts.gstatic.com",
            "https://example.com/",
            &["https://fonts.gstatic.com/s/roboto.woff2"],
        ),
    ];
    obs.scripts = vec![script_src(
        "https://cdn.example-static.net/piwik.js",
        "third",
    )];
    obs.cookies = vec![cookie("_pk_id.2.ff", ".example-static.net", "third")];
    let inv = attribute(&obs, &c);
    let services = inv.services.clone();
    let hosts: Vec<&str> = inv.third_parties.iter().map(|t| t.host.as_str()).collect();
    assert_eq!(hosts, ["fonts.gstatic.com"]);
    assert_eq!(
        inv.first_party_domains,
        ["example-static.net", "example.com"]
    );
    assert_eq!(inv.scripts[0].party, "first");
    assert_eq!(inv.scripts[0].service.as_deref(), Some("matomo"));
    assert_eq!(inv.cookies[0].party, "first");
    assert_eq!(inv.cookies[0].service.as_deref(), Some("matomo"));
    let ids: Vec<(&str, bool)> = services
        .iter()
        .map(|s| (s.id.as_str(), s.first_party))
        .collect();
    assert_eq!(ids, [("google-fonts", false), ("matomo", true)]);
}

/// The built-in catalog's URL rules tell a shared host's services apart (issue 10).
#[test]
fn url_rules_split_shared_hosts() {
    let cat = Catalog::builtin().expect("built-in catalog");
    let at = |u: &str| {
        cat.lookup_url(&url::Url::parse(u).unwrap())
            .map(|s| s.id.clone())
    };
    assert_eq!(
        at("https://www.facebook.com/tr").as_deref(),
        Some("meta-pixel")
    );
    assert_eq!(
        at("https://www.facebook.com/tr/").as_deref(),
        Some("meta-pixel")
    );
    assert_eq!(
        at("https://www.facebook.com/plugins/like.php?href=x").as_deref(),
        Some("facebook-social-plugins")
    );
    // A path that merely starts with the rule's letters is not the rule's path.
    assert_ne!(
        at("https://www.facebook.com/track").as_deref(),
        Some("meta-pixel")
    );
}

/// Cookies on a company's shared domain go to the service whose response set them, else to a
/// seen service of the same company, never to a service invented from the cookie (issue 10).
#[test]
fn shared_domain_cookies_follow_their_setter_or_a_seen_sibling() {
    let cat = Catalog::builtin().expect("built-in catalog");
    let set_by = |name: &str, domain: &str, setter: Option<&str>| Cookie {
        setter_url: setter.map(str::to_string),
        ..cookie(name, domain, "third")
    };
    let obs = Observations {
        first_party_domains: vec!["example.com".into()],
        third_parties: vec![
            tp("snap.licdn.com", "https://shop.example.com/", &[]),
            tp(
                "www.facebook.com",
                "https://shop.example.com/",
                &["https://www.facebook.com/tr?id=1"],
            ),
        ],
        cookies: vec![
            set_by(
                "fr",
                ".facebook.com",
                Some("https://www.facebook.com/tr?id=1&ev=PageView"),
            ),
            set_by(
                "MUID",
                ".bing.com",
                Some("https://bat.bing.com/action/0?ti=1"),
            ),
            // From the jar, no setter known: the Insight Tag (same company, seen) explains it.
            set_by("bcookie", ".linkedin.com", None),
            // A first-party cookie with a well-known name: weak evidence.
            cookie("_ga", ".example.com", "first"),
        ],
        ..Default::default()
    };
    let inv = attribute(&obs, &cat);
    let services = &inv.services;
    let of = |name: &str| {
        inv.cookies
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.service.clone())
    };
    assert_eq!(of("fr").as_deref(), Some("meta-pixel"));
    assert_eq!(of("MUID").as_deref(), Some("microsoft-advertising"));
    assert_eq!(of("bcookie").as_deref(), Some("linkedin-insight-tag"));
    let ids: Vec<&str> = services.iter().map(|s| s.id.as_str()).collect();
    for invented in ["facebook-social-plugins", "linkedin-plugins", "bing"] {
        assert!(!ids.contains(&invented), "{invented} in {ids:?}");
    }
    let strength = |id: &str| {
        services
            .iter()
            .find(|s| s.id == id)
            .and_then(|s| s.evidence_strength)
    };
    assert_eq!(strength("meta-pixel"), Some(EvidenceStrength::Request));
    assert_eq!(
        strength("linkedin-insight-tag"),
        Some(EvidenceStrength::Request)
    );
    assert_eq!(
        strength("google-analytics"),
        Some(EvidenceStrength::CookieNameOnly)
    );
}
