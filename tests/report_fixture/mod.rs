//! A small hand-built catalog and an observed report, shared by the reconcile and writer tests.
#![allow(dead_code)]

use privacy_inventory::catalog::{Catalog, Company, Service};
#[allow(unused_imports)]
use privacy_inventory::model::{
    ErrorKind, EvidenceStrength, FindingKind, Mode, Party, Phase, SetBy, Severity,
};
use privacy_inventory::report::model::{
    Cookie, Declaration, Page, Policy, Report, Script, ServiceUse, ThirdParty,
};

pub const SITE: &str = "https://www.shop.example/";

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn company(id: &str, name: &str, aliases: &[&str]) -> Company {
    Company {
        id: id.into(),
        name: name.into(),
        parent: None,
        country: None,
        aliases: strings(aliases),
        formerly: vec![],
        source: None,
    }
}

fn service(id: &str, name: &str, company: &str, cats: &[&str], hosts: &[&str]) -> Service {
    Service {
        id: id.into(),
        name: name.into(),
        company: company.into(),
        categories: strings(cats),
        hosts: strings(hosts),
        cookies: vec![],
        signatures: vec![],
        paths: vec![],
        urls: vec![],
        aliases: vec![],
        family: None,
        shared_hosts: false,
        source: None,
    }
}

/// Google (three products, two in one family), Meta, Hotjar, Vimeo, Matomo, a status widget.
pub fn catalog() -> Catalog {
    let mut ga = service(
        "google-analytics",
        "Google Analytics",
        "google",
        &["analytics"],
        &["google-analytics.com"],
    );
    ga.family = Some("google-marketing-platform".into());
    let mut gtm = service(
        "google-tag-manager",
        "Google Tag Manager",
        "google",
        &["tag-manager"],
        &["googletagmanager.com"],
    );
    gtm.family = Some("google-marketing-platform".into());
    Catalog::from_parts(
        vec![
            ga,
            gtm,
            service(
                "google-fonts",
                "Google Fonts",
                "google",
                &["fonts"],
                &["fonts.googleapis.com", "fonts.gstatic.com"],
            ),
            service("youtube", "YouTube", "google", &["video"], &["youtube.com"]),
            service(
                "meta-pixel",
                "Meta Pixel",
                "meta",
                &["advertising", "social"],
                &["connect.facebook.net"],
            ),
            service(
                "hotjar",
                "Hotjar",
                "hotjar",
                &["session-recording"],
                &["hotjar.com"],
            ),
            service("vimeo", "Vimeo", "vimeo", &["video"], &["player.vimeo.com"]),
            service("matomo", "Matomo", "innocraft", &["analytics"], &[]),
            service(
                "statuspal",
                "Statuspal",
                "statuspal",
                &["uptime"],
                &["statuspal.io"],
            ),
        ],
        vec![
            company(
                "google",
                "Google Ireland Limited",
                &["Google", "Google LLC"],
            ),
            company(
                "meta",
                "Meta Platforms Ireland Limited",
                &["Meta", "Facebook"],
            ),
            company("hotjar", "Hotjar Ltd.", &["Hotjar"]),
            company("vimeo", "Vimeo.com, Inc.", &["Vimeo"]),
            company("innocraft", "InnoCraft Ltd.", &[]),
            company("statuspal", "Statuspal GmbH", &[]),
        ],
    )
}

pub fn page(path: &str) -> String {
    format!("{SITE}{}", path.trim_start_matches('/'))
}

fn use_of(
    id: &str,
    name: &str,
    company: &str,
    cats: &[&str],
    hosts: &[&str],
    cookies: &[&str],
    pages: &[&str],
) -> ServiceUse {
    ServiceUse {
        id: id.into(),
        name: name.into(),
        company: company.into(),
        categories: strings(cats),
        hosts: strings(hosts),
        cookies: strings(cookies),
        pages: pages.iter().map(|p| page(p)).collect(),
        first_party: false,
        matched_by: strings(&["host"]),
        evidence_strength: Some(EvidenceStrength::Request),
    }
}

pub fn third_party(
    host: &str,
    service: Option<&str>,
    types: &[&str],
    pages: &[&str],
) -> ThirdParty {
    ThirdParty {
        host: host.into(),
        registrable_domain: privacy_inventory::domain::registrable_domain(host),
        service: service.map(str::to_string),
        company: None,
        resource_types: strings(types),
        pages: pages.iter().map(|p| page(p)).collect(),
        request_count: 1,
        consent_gated: false,
        before_consent: true,
        phases: vec![Phase::BeforeConsent],
        loaded: true,
        sample_urls: vec![],
    }
}

fn script(src: &str, service: &str, gated: bool, noscript: bool, pages: &[&str]) -> Script {
    let host = url::Url::parse(src)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string));
    Script {
        src: Some(src.into()),
        inline_sha256: None,
        host,
        party: Party::Third,
        service: Some(service.into()),
        consent_gated: gated,
        noscript,
        pages: pages.iter().map(|p| page(p)).collect(),
    }
}

/// A declaration as the policy reader would produce it.
pub fn decl(
    name: &str,
    service: Option<&str>,
    company: Option<&str>,
    matched_as: &str,
) -> Declaration {
    Declaration {
        name: name.into(),
        service: service.map(str::to_string),
        company: company.map(str::to_string),
        matched_as: matched_as.into(),
        section: "Analyse-Tools und Werbung".into(),
        excerpt: format!("Diese Website nutzt {name}. Anbieter ist der jeweilige Dienst."),
        negated: false,
        source: page("datenschutz"),
    }
}

/// What a static scan of a small shop observed: GTM (ungated script), GA (gated script),
/// Google Fonts, Meta Pixel (noscript only), Hotjar (ungated), Vimeo, a self-hosted Matomo,
/// Statuspal, and an unattributed host cdn.acme-analytics.com.
pub fn observed() -> Report {
    let services = vec![
        use_of(
            "google-analytics",
            "Google Analytics",
            "Google Ireland Limited",
            &["analytics"],
            &["www.google-analytics.com"],
            &["_ga", "_gid"],
            &["/", "/shop"],
        ),
        use_of(
            "google-fonts",
            "Google Fonts",
            "Google Ireland Limited",
            &["fonts"],
            &["fonts.googleapis.com", "fonts.gstatic.com"],
            &[],
            &["/", "/about"],
        ),
        use_of(
            "google-tag-manager",
            "Google Tag Manager",
            "Google Ireland Limited",
            &["tag-manager"],
            &["www.googletagmanager.com"],
            &[],
            &["/", "/about", "/shop"],
        ),
        use_of(
            "hotjar",
            "Hotjar",
            "Hotjar Ltd.",
            &["session-recording"],
            &["static.hotjar.com"],
            &["_hjSessionUser_1"],
            &["/shop"],
        ),
        ServiceUse {
            first_party: true,
            matched_by: strings(&["path"]),
            ..use_of(
                "matomo",
                "Matomo",
                "InnoCraft Ltd.",
                &["analytics"],
                &[],
                &["_pk_id.1.abcd"],
                &["/"],
            )
        },
        use_of(
            "meta-pixel",
            "Meta Pixel",
            "Meta Platforms Ireland Limited",
            &["advertising", "social"],
            &["www.facebook.com"],
            &[],
            &["/"],
        ),
        use_of(
            "statuspal",
            "Statuspal",
            "Statuspal GmbH",
            &["uptime"],
            &["widget.statuspal.io"],
            &[],
            &["/about"],
        ),
        use_of(
            "vimeo",
            "Vimeo",
            "Vimeo.com, Inc.",
            &["video"],
            &["player.vimeo.com"],
            &[],
            &["/about"],
        ),
    ];
    let third_parties = vec![
        third_party("cdn.acme-analytics.com", None, &["script"], &["/shop"]),
        third_party(
            "fonts.googleapis.com",
            Some("google-fonts"),
            &["stylesheet"],
            &["/", "/about"],
        ),
        third_party(
            "fonts.gstatic.com",
            Some("google-fonts"),
            &["font"],
            &["/", "/about"],
        ),
        third_party("player.vimeo.com", Some("vimeo"), &["iframe"], &["/about"]),
        third_party("static.hotjar.com", Some("hotjar"), &["script"], &["/shop"]),
        third_party(
            "widget.statuspal.io",
            Some("statuspal"),
            &["script"],
            &["/about"],
        ),
        third_party("www.facebook.com", Some("meta-pixel"), &["image"], &["/"]),
        third_party(
            "www.google-analytics.com",
            Some("google-analytics"),
            &["script"],
            &["/", "/shop"],
        ),
        third_party(
            "www.googletagmanager.com",
            Some("google-tag-manager"),
            &["script"],
            &["/", "/about", "/shop"],
        ),
    ];
    let scripts = vec![
        script(
            "https://static.hotjar.com/c/hotjar-1.js",
            "hotjar",
            false,
            false,
            &["/shop"],
        ),
        script(
            "https://www.facebook.com/tr?id=1&ev=PageView",
            "meta-pixel",
            false,
            true,
            &["/"],
        ),
        script(
            "https://www.google-analytics.com/analytics.js",
            "google-analytics",
            true,
            false,
            &["/", "/shop"],
        ),
        script(
            "https://www.googletagmanager.com/gtm.js?id=GTM-X",
            "google-tag-manager",
            false,
            false,
            &["/", "/about", "/shop"],
        ),
    ];
    let cookies = vec![Cookie {
        name: "_ga".into(),
        domain: ".shop.example".into(),
        path: "/".into(),
        lifetime_seconds: Some(63_072_000),
        party: Party::First,
        set_by: SetBy::Script,
        pages: vec![page("/")],
        before_consent: true,
        service: Some("google-analytics".into()),
        ..Default::default()
    }];
    Report {
        schema_version: "1".into(),
        target: SITE.into(),
        mode: Mode::Static,
        first_party_domains: strings(&["shop.example"]),
        pages: ["/", "/about", "/shop", "/datenschutz"]
            .iter()
            .map(|p| Page {
                url: page(p),
                status: Some(200),
                content_type: Some("text/html".into()),
                title: Some(format!("Shop {p}")),
                ..Default::default()
            })
            .collect(),
        cookies,
        third_parties,
        scripts,
        services,
        policy: Policy {
            urls: vec![page("datenschutz")],
            discovered_by: Some("link".into()),
            language: Some("de".into()),
            declarations: vec![],
            error: None,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Run the reconcile stage on a hand-built report and store its value in the report, as `scan`
/// assembles it (findings, disclosed, the declared ledger, the cross-checked CMP services).
pub fn reconcile(r: &mut Report, catalog: &Catalog) {
    let inventory = privacy_inventory::catalog::Inventory {
        mode: r.mode,
        first_party_domains: r.first_party_domains.clone(),
        pages: r.pages.clone(),
        cookies: r.cookies.clone(),
        third_parties: r.third_parties.clone(),
        scripts: r.scripts.clone(),
        storage: r.storage.clone(),
        services: r.services.clone(),
        infrastructure: r.infrastructure.clone(),
        site_host: url::Url::parse(&r.target)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default(),
        dns_off: r.settings.dns == "off",
    };
    let out = privacy_inventory::reconcile::reconcile(&inventory, &r.policy, &r.consent, catalog);
    r.findings = out.findings;
    r.disclosed = out.disclosed;
    r.declared = out.declared;
    r.consent.cmp_services = out.cmp_services;
}
