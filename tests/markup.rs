//! Issue 2, "Observations": markup that decides what counts as loaded — `<base href>`, inert
//! containers (comments, `<template>`, `<noscript>`, strings), consent-gated scripts, srcset and
//! `<picture>`, CSS `@import` and `url()` — each scanned through the real binary.

mod harness;

use harness::{fixture_path, site};
use privacy_inventory::demo::server::FixtureServer;
use privacy_inventory::demo::site::SiteSource;

const HOME: &str = "http://www.site.test/";

#[test]
fn every_fixture_site_has_a_valid_rules_file() {
    let dir = fixture_path("sites");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/sites")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 15, "{cases:?}");
    for case in cases.into_iter().chain([fixture_path("demo-site")]) {
        let source = SiteSource::Dir(case.clone());
        if let Err(e) = source.routes() {
            panic!("{}: {e}", case.display());
        }
        // Starting a server proves the whole site loads.
        drop(FixtureServer::start_background(source).expect("server starts"));
    }
}

#[test]
fn base_href_resolves_relative_urls() {
    let s = site("base-href");
    let r = s.scan(HOME).run();
    r.expect_code(0);
    assert!(
        s.was_requested("www.site.test", "/sub/page.html"),
        "relative link not resolved against <base href>:\n{}{}",
        s.request_log(),
        r.context()
    );
    assert!(
        !s.was_requested("www.site.test", "/page.html"),
        "<base href> ignored:\n{}",
        s.request_log()
    );
    let scripts: Vec<_> = r
        .report()
        .scripts
        .iter()
        .filter_map(|s| s.src.clone())
        .collect();
    assert!(
        scripts.contains(&"http://www.site.test/sub/lib/app.js".to_string()),
        "{scripts:?}{}",
        r.context()
    );
    let third = r
        .third_party("cdn.base-third.test")
        .expect("third-party base host");
    assert!(
        third.resource_types.contains(&"script".to_string()),
        "{third:?}"
    );
    assert!(
        third.resource_types.contains(&"image".to_string()),
        "{third:?}"
    );
}

#[test]
fn comments_templates_textareas_and_strings_load_nothing() {
    let s = site("inert");
    let r = s.scan(HOME).run();
    r.expect_code(0);
    let hosts = r.third_party_hosts();
    for inert in [
        "commented.inert.test",
        "conditional.inert.test",
        "templated.inert.test",
        "templated-img.inert.test",
        "textarea.inert.test",
        "inert-string.inert.test",
        "in-script.inert.test",
        "escaped.inert.test",
    ] {
        assert!(
            !hosts.contains(&inert.to_string()),
            "{inert} counted as loaded: {hosts:?}{}",
            r.context()
        );
    }
    assert!(
        hosts.contains(&"real.live.test".to_string()),
        "{hosts:?}{}",
        r.context()
    );
    assert!(
        hosts.contains(&"noscript-pixel.live.test".to_string()),
        "a <noscript> image is what loads without JavaScript: {hosts:?}{}",
        r.context()
    );
    assert!(
        s.requests().iter().all(|q| !q.host.ends_with("inert.test")),
        "an inert URL was fetched:\n{}",
        s.request_log()
    );
}

#[test]
fn consent_gated_scripts_are_marked() {
    let s = site("consent");
    let r = s.scan(HOME).run();
    r.expect_code(0);
    let script = |host: &str| {
        r.report()
            .scripts
            .iter()
            .find(|s| s.host.as_deref() == Some(host))
            .unwrap_or_else(|| panic!("no script from {host}{}", r.context()))
    };
    for gated in [
        "cookiebot-gated.consent.test",
        "usercentrics-gated.consent.test",
        "category-gated.consent.test",
        "cookiecategory-gated.consent.test",
        "borlabs-gated.consent.test",
        "service-gated.consent.test",
    ] {
        assert!(
            script(gated).consent_gated,
            "{gated} not gated{}",
            r.context()
        );
        let tp = r.third_party(gated).expect("gated host listed");
        assert!(tp.consent_gated, "{tp:?}");
    }
    assert!(!script("ungated.consent.test").consent_gated);
    assert!(!r.third_party("ungated.consent.test").unwrap().consent_gated);
    let inline: Vec<_> = r
        .report()
        .scripts
        .iter()
        .filter(|s| s.inline_sha256.is_some())
        .collect();
    assert_eq!(inline.len(), 2, "{inline:?}");
    assert_eq!(
        inline.iter().filter(|s| s.consent_gated).count(),
        1,
        "{inline:?}"
    );
}

#[test]
fn srcset_picture_and_media_sources_are_images_and_media() {
    let s = site("srcset");
    let r = s.scan(HOME).run();
    r.expect_code(0);
    for host in [
        "img-a.srcset.test",
        "img-b.srcset.test",
        "img-c.srcset.test",
        "img-d.srcset.test",
        "img-e.srcset.test",
        "img-f.srcset.test",
    ] {
        let tp = r
            .third_party(host)
            .unwrap_or_else(|| panic!("{host} missing{}", r.context()));
        assert_eq!(tp.resource_types, vec!["image".to_string()], "{tp:?}");
    }
    let d = r.third_party("img-d.srcset.test").unwrap();
    assert_eq!(d.request_count, 2, "both srcset candidates count: {d:?}");
    let media = r
        .third_party("media.srcset.test")
        .expect("video source/track");
    assert!(
        media.resource_types.contains(&"media".to_string()),
        "{media:?}"
    );
}

#[test]
fn css_imports_and_urls_are_third_party_references() {
    let s = site("css-import");
    let r = s.scan(HOME).run();
    r.expect_code(0);
    let has = |host: &str, ty: &str| {
        r.third_party(host)
            .is_some_and(|t| t.resource_types.iter().any(|x| x == ty))
    };
    assert!(
        has("fonts.googleapis.com", "stylesheet"),
        "@import in a same-site stylesheet{}",
        r.context()
    );
    assert!(has("cdn-import.css.test", "stylesheet"), "{}", r.context());
    assert!(
        has("inline-import.css.test", "stylesheet"),
        "@import in <style>{}",
        r.context()
    );
    for host in ["bg.css.test", "inline-bg.css.test", "style-attr.css.test"] {
        assert!(
            r.third_party(host).is_some(),
            "url() from {host} missing{}",
            r.context()
        );
    }
    assert!(
        s.was_requested("www.site.test", "/style.css"),
        "the same-site stylesheet must be fetched to see its @import:\n{}",
        s.request_log()
    );
}
