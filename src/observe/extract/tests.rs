use super::*;
use crate::observe::{Reference, ResourceType};

fn page() -> Url {
    Url::parse("https://www.example.com/dir/page.html").unwrap()
}

/// (url, type, loaded, gated, noscript) of every reference.
fn refs(ex: &PageExtract) -> Vec<(String, &'static str, bool, bool, bool)> {
    let mut v: Vec<_> = ex
        .references
        .iter()
        .map(|r: &Reference| {
            (
                r.url.to_string(),
                r.resource_type.as_str(),
                r.loaded,
                r.consent_gated,
                r.noscript,
            )
        })
        .collect();
    v.sort();
    v
}

fn has(ex: &PageExtract, url: &str, kind: ResourceType) -> Option<Reference> {
    ex.references
        .iter()
        .find(|r| r.url.as_str() == url && r.resource_type == kind)
        .cloned()
}

#[test]
fn links_are_absolute_without_fragment_and_http_only() {
    let html = r##"<a href="/about#team">About</a><a href="b.html">B</a>
        <a href="mailto:x@example.com">m</a><a href="javascript:void(0)">j</a>
        <map><area href="https://other.example/x?a=1&amp;b=2#f"></map>
        <a href="#top">top</a><a href=" /about ">dup</a>"##;
    let ex = extract_html(html, &page());
    let links: Vec<&str> = ex.links.iter().map(Url::as_str).collect();
    assert_eq!(
        links,
        [
            "https://www.example.com/about",
            "https://www.example.com/dir/b.html",
            "https://other.example/x?a=1&b=2",
            "https://www.example.com/dir/page.html",
        ]
    );
}

#[test]
fn base_href_is_honoured_and_title_normalised() {
    let html = "<head><base href='https://cdn.example.net/root/'><base href='/ignored/'>\
        <title>  Caf&eacute;\n  home </title></head><a href='x'>x</a><svg><title>no</title></svg>";
    let ex = extract_html(html, &page());
    assert_eq!(ex.links[0].as_str(), "https://cdn.example.net/root/x");
    assert_eq!(ex.title.as_deref(), Some("Café home"));
}

#[test]
fn urls_before_base_resolve_against_the_page() {
    let html = "<link rel=icon href=early.ico><base href=https://cdn.example/b/><img src=late.png>";
    let ex = extract_html(html, &page());
    assert!(has(
        &ex,
        "https://www.example.com/dir/early.ico",
        ResourceType::Icon
    )
    .is_some());
    assert!(has(&ex, "https://cdn.example/b/late.png", ResourceType::Image).is_some());
}

#[test]
fn scripts_external_inline_and_data_blocks() {
    let html = r#"<script src="https://www.googletagmanager.com/gtm.js?id=GTM-1"></script>
        <script>window.dataLayer = [];</script>
        <script type="module" src="/app.mjs"></script>
        <script type="application/ld+json">{"@type":"Organization"}</script>
        <script>   </script>"#;
    let ex = extract_html(html, &page());
    assert_eq!(ex.scripts.len(), 3, "{:?}", ex.scripts);
    let inline = ex.scripts.iter().find(|s| s.src.is_none()).unwrap();
    let expected = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
        b"window.dataLayer = [];",
    ));
    assert_eq!(inline.inline_sha256.as_deref(), Some(expected.as_str()));
    assert_eq!(
        inline.inline_text.as_deref(),
        Some("window.dataLayer = [];")
    );
    let gtm = has(
        &ex,
        "https://www.googletagmanager.com/gtm.js?id=GTM-1",
        ResourceType::Script,
    )
    .unwrap();
    assert!(gtm.loaded && !gtm.consent_gated);
    assert!(has(&ex, "https://www.example.com/app.mjs", ResourceType::Script).is_some());
    assert!(!ex.scripts.iter().any(|s| s
        .inline_text
        .as_deref()
        .is_some_and(|t| t.contains("Organization"))));
}

#[test]
fn long_inline_script_is_hashed_whole_and_kept_cut() {
    let body = "var x = 1;\n".repeat(4000);
    let html = format!("<script>{body}</script>");
    let ex = extract_html(&html, &page());
    let s = &ex.scripts[0];
    let expected = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(body.as_bytes()));
    assert_eq!(s.inline_sha256.as_deref(), Some(expected.as_str()));
    assert_eq!(
        s.inline_text.as_ref().unwrap().len(),
        crate::observe::INLINE_SCRIPT_KEEP
    );
}

#[test]
fn consent_gated_scripts_and_iframes() {
    let html = r#"
        <script type="text/plain" data-cookieconsent="marketing"
                src="https://connect.facebook.net/en_US/fbevents.js"></script>
        <script type="text/plain" data-usercentrics="Google Analytics">gtag('config','G-1');</script>
        <script type="text/plain" class="optanon-category-C0004" data-src="https://ads.example/t.js"></script>
        <script data-cmp-src="https://cmp.example/x.js" data-cmp-vendor="s1"></script>
        <script type="text/plain" src="https://weird.example/x.js"></script>
        <iframe data-src="https://www.youtube.com/embed/abc" data-cookieconsent="marketing"></iframe>
        <iframe class="lazyload" data-src="https://player.vimeo.com/video/1"></iframe>
        <script src="https://consent.cookiebot.com/uc.js" data-cbid="x"></script>
        <div data-category="shoes"></div>"#;
    let ex = extract_html(html, &page());
    let r = refs(&ex);
    for gated in [
        ("https://connect.facebook.net/en_US/fbevents.js", "script"),
        ("https://ads.example/t.js", "script"),
        ("https://cmp.example/x.js", "script"),
        ("https://www.youtube.com/embed/abc", "iframe"),
    ] {
        assert!(
            r.iter()
                .any(|x| x.0 == gated.0 && x.1 == gated.1 && !x.2 && x.3),
            "{gated:?} in {r:?}"
        );
    }
    // text/plain without CMP markup: nothing loads, but no CMP claims it either.
    assert!(r.contains(&(
        "https://weird.example/x.js".into(),
        "script",
        false,
        false,
        false
    )));
    // A lazy loader's data-src loads as soon as its script runs.
    assert!(r.contains(&(
        "https://player.vimeo.com/video/1".into(),
        "iframe",
        true,
        false,
        false
    )));
    let inline = ex.scripts.iter().find(|s| s.src.is_none()).unwrap();
    assert!(inline.consent_gated);
    assert_eq!(inline.inline_text.as_deref(), Some("gtag('config','G-1');"));
    let cookiebot = ex
        .scripts
        .iter()
        .find(|s| {
            s.src
                .as_ref()
                .is_some_and(|u| u.host_str() == Some("consent.cookiebot.com"))
        })
        .unwrap();
    assert!(!cookiebot.consent_gated);
    assert_eq!(
        ex.cmp_markers,
        [
            "class:optanon-category-c0004",
            "data-cmp-src",
            "data-cmp-vendor",
            "data-cookieconsent",
            "data-usercentrics"
        ]
    );
}

#[test]
fn images_media_objects_and_forms() {
    let html = r#"<img src="/logo.png" srcset="/logo-2x.png 2x, https://img.example/w_1,h_2/l.png 3x">
        <img data-src="/lazy.jpg" src="data:image/gif;base64,R0lGOD">
        <picture><source srcset="https://cdn.example/a.webp 1x" type="image/webp"></picture>
        <input type="IMAGE" src="/go.png"><input type="text" src="/no.png">
        <video src="/v.mp4" poster="/poster.jpg"><source src="/v.webm"><track src="/subs.vtt"></video>
        <audio src="https://media.example/a.mp3"></audio>
        <object data="https://obj.example/o.swf"></object><embed src="/e.pdf">
        <form action="https://forms.hubspot.example/submit"><button formaction="/alt">x</button></form>
        <meta http-equiv="Refresh" content="30; url=/next">"#;
    let ex = extract_html(html, &page());
    let r = refs(&ex);
    let want = [
        ("https://www.example.com/logo.png", "image", true),
        ("https://www.example.com/logo-2x.png", "image", true),
        ("https://img.example/w_1,h_2/l.png", "image", true),
        ("https://www.example.com/lazy.jpg", "image", true),
        ("https://cdn.example/a.webp", "image", true),
        ("https://www.example.com/go.png", "image", true),
        ("https://www.example.com/v.mp4", "media", true),
        ("https://www.example.com/poster.jpg", "image", true),
        ("https://www.example.com/v.webm", "media", true),
        ("https://www.example.com/subs.vtt", "media", true),
        ("https://media.example/a.mp3", "media", true),
        ("https://obj.example/o.swf", "object", true),
        ("https://www.example.com/e.pdf", "object", true),
        ("https://forms.hubspot.example/submit", "form", false),
        ("https://www.example.com/alt", "form", false),
        ("https://www.example.com/next", "navigation", false),
    ];
    for (url, kind, loaded) in want {
        assert!(
            r.iter().any(|x| x.0 == url && x.1 == kind && x.2 == loaded),
            "{url} {kind} in {r:?}"
        );
    }
    assert_eq!(r.len(), want.len(), "{r:?}");
    assert!(ex
        .links
        .iter()
        .any(|u| u.as_str() == "https://www.example.com/next"));
}

#[test]
fn link_relations() {
    let html = r#"<link rel="stylesheet" href="/site.css">
        <link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>
        <link rel="dns-prefetch" href="//www.google-analytics.com">
        <link rel="preload" as="font" href="https://fonts.gstatic.com/s/r.woff2">
        <link rel="preload" as="style" href="https://fonts.googleapis.com/css?family=A">
        <link rel="modulepreload" href="/m.js"><link rel="prefetch" href="/next.html">
        <link rel="shortcut icon" href="/favicon.ico"><link rel="apple-touch-icon" href="/t.png">
        <link rel="manifest" href="/site.webmanifest"><link rel="canonical" href="/c">"#;
    let ex = extract_html(html, &page());
    let r = refs(&ex);
    let want = [
        ("https://www.example.com/site.css", "stylesheet", true),
        ("https://fonts.gstatic.com/", "preconnect", false),
        ("https://www.google-analytics.com/", "dns-prefetch", false),
        ("https://fonts.gstatic.com/s/r.woff2", "font", true),
        ("https://fonts.googleapis.com/css?family=A", "preload", true),
        ("https://www.example.com/m.js", "preload", true),
        ("https://www.example.com/next.html", "preload", true),
        ("https://www.example.com/favicon.ico", "icon", true),
        ("https://www.example.com/t.png", "icon", false),
        ("https://www.example.com/site.webmanifest", "icon", true),
    ];
    for (url, kind, loaded) in want {
        assert!(
            r.iter().any(|x| x.0 == url && x.1 == kind && x.2 == loaded),
            "{url} {kind} in {r:?}"
        );
    }
    assert_eq!(r.len(), want.len(), "{r:?}");
    let sheets: Vec<&str> = ex.stylesheets.iter().map(Url::as_str).collect();
    assert_eq!(
        sheets,
        [
            "https://www.example.com/site.css",
            "https://fonts.googleapis.com/css?family=A"
        ]
    );
}

#[test]
fn css_in_style_elements_and_attributes() {
    let html = r#"<style>@import url('https://fonts.googleapis.com/css2?family=Inter');
          @font-face { src: url(/f.woff2) } .x { background: url("&amp;.png") }</style>
        <div style="background-image: url(&quot;https://bg.example/a.jpg&quot;)"></div>"#;
    let ex = extract_html(html, &page());
    let r = refs(&ex);
    assert!(r
        .iter()
        .any(|x| x.0 == "https://fonts.googleapis.com/css2?family=Inter" && x.1 == "stylesheet"));
    assert!(r
        .iter()
        .any(|x| x.0 == "https://www.example.com/f.woff2" && x.1 == "font"));
    // Entities are not decoded inside <style> (raw text), but are in style= attributes.
    assert!(r
        .iter()
        .any(|x| x.0 == "https://www.example.com/dir/&amp;.png"));
    assert!(r
        .iter()
        .any(|x| x.0 == "https://bg.example/a.jpg" && x.1 == "css-url"));
    assert_eq!(
        ex.stylesheets[0].as_str(),
        "https://fonts.googleapis.com/css2?family=Inter"
    );
}

#[test]
fn comments_templates_and_strings_are_inert() {
    let html = r#"<!-- <script src="https://commented.example/x.js"></script> -->
        <template><img src="https://template.example/t.png"><a href="/tpl">t</a>
          <template><img src="https://nested.example/n.png"></template>
          <iframe src="https://template.example/f"></iframe></template>
        <script>document.write('<img src="https://string.example/s.png">');</script>
        <textarea><img src="https://textarea.example/t.png"></textarea>
        <img src="https://after.example/ok.png">"#;
    let ex = extract_html(html, &page());
    let hosts: Vec<_> = ex
        .references
        .iter()
        .filter_map(|r| r.url.host_str().map(str::to_string))
        .collect();
    assert_eq!(hosts, ["after.example"]);
    assert!(ex.links.is_empty());
}

#[test]
fn noscript_content_is_recorded_separately() {
    let html = r#"<noscript><img height="1" width="1" src="https://www.facebook.com/tr?id=1&amp;ev=PageView"/>
        <iframe src="https://www.googletagmanager.com/ns.html?id=GTM-1"></iframe>
        <a href="/datenschutz">Datenschutz</a></noscript>
        <img src="https://www.facebook.com/real.png">"#;
    let ex = extract_html(html, &page());
    let r = refs(&ex);
    assert!(r.contains(&(
        "https://www.facebook.com/tr?id=1&ev=PageView".into(),
        "image",
        true,
        false,
        true
    )));
    assert!(r.contains(&(
        "https://www.googletagmanager.com/ns.html?id=GTM-1".into(),
        "iframe",
        true,
        false,
        true
    )));
    assert!(r.contains(&(
        "https://www.facebook.com/real.png".into(),
        "image",
        true,
        false,
        false
    )));
    assert_eq!(ex.policy_links.len(), 1);
    assert_eq!(
        ex.policy_links[0].url.as_str(),
        "https://www.example.com/datenschutz"
    );
}

#[test]
fn policy_links_with_nested_markup_and_labels() {
    let html = r#"<footer><a href="/legal/privacy">  Privacy
          <span>Policy</span></a> <a href="/impressum">Impressum</a>
        <a href="/p2" aria-label="Datenschutzerkl&auml;rung"><svg></svg></a>
        <a href="/p3"><img src="/i.png" alt="Politique de confidentialité"></a>
        <a href="https://policies.google.com/privacy?hl=de#x">Google</a></footer>"#;
    let ex = extract_html(html, &page());
    let got: Vec<(&str, &str)> = ex
        .policy_links
        .iter()
        .map(|p| (p.url.as_str(), p.text.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("https://www.example.com/legal/privacy", "Privacy Policy"),
            ("https://www.example.com/p2", "Datenschutzerklärung"),
            ("https://www.example.com/p3", "Politique de confidentialité"),
            ("https://policies.google.com/privacy?hl=de", "Google"),
        ]
    );
}

#[test]
fn deep_nesting_and_garbage_do_not_blow_up() {
    let mut html = "<div>".repeat(50_000);
    html.push_str("<a href='/deep'>deep</a><img src=https://deep.example/x.png>");
    html.push_str(&"</div>".repeat(50_000));
    html.push_str("\u{0}\u{1}<<<>>><a href=\"/u\u{FFFD}\u{7}\">\u{FFFD}</b></i><img src='/z");
    let bytes: Vec<u8> = (0..20_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    html.push_str(&String::from_utf8_lossy(&bytes));
    let ex = extract_html(&html, &page());
    assert!(ex.links.iter().any(|u| u.path() == "/deep"));
    assert!(has(&ex, "https://deep.example/x.png", ResourceType::Image).is_some());
}

#[test]
fn link_cap_is_enforced_with_a_warning() {
    let html: String = (0..MAX_LINKS + 50)
        .map(|i| format!("<a href=/p{i}>x</a>"))
        .collect();
    let ex = extract_html(&html, &page());
    assert_eq!(ex.links.len(), MAX_LINKS);
    assert_eq!(ex.warnings.len(), 1, "{:?}", ex.warnings);
}
