use super::*;
use crate::model::ErrorKind;
use crate::observe::extract::extract_html;
use std::time::{Duration, UNIX_EPOCH};

fn fp() -> FirstParty {
    FirstParty::new(["example.com".to_string()])
}

fn u(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn header(raw: &str, url: &str) -> SetCookieHeader {
    SetCookieHeader {
        raw: raw.into(),
        response_url: u(url),
        date: Some(UNIX_EPOCH + Duration::from_secs(1_767_225_600)),
    }
}

fn record(url: &str, html: &str, cookies: &[&str]) -> PageRecord {
    PageRecord {
        page: Page {
            url: url.into(),
            status: Some(200),
            content_type: Some("text/html".into()),
            ..Default::default()
        },
        phase: Phase::BeforeConsent,
        set_cookies: cookies.iter().map(|c| header(c, url)).collect(),
        extract: Some(extract_html(html, &u(url))),
        ..Default::default()
    }
}

const HOME: &str = r#"<title>Home</title>
    <script src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>
    <script>gtag('js', new Date());</script>
    <script type="text/plain" data-cookieconsent="marketing" src="https://connect.facebook.net/fbevents.js"></script>
    <link rel="preconnect" href="https://fonts.gstatic.com">
    <img src="https://www.googletagmanager.com/p.gif"><img src="/logo.png">
    <a href="/datenschutz">Datenschutz</a>"#;
const ABOUT: &str = r#"<script src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>
    <script>gtag('js', new Date());</script>
    <noscript><img src="https://px.ads.example/p.gif"></noscript>
    <form action="https://forms.example.net/f"></form>
    <a href="/datenschutz">Datenschutz</a>"#;

fn collect(order: &[usize]) -> Observations {
    let records = [
        record(
            "https://www.example.com/",
            HOME,
            &[
                "sid=1; Path=/; HttpOnly",
                "_ga=GA1; Domain=example.com; Max-Age=100",
            ],
        ),
        record(
            "https://www.example.com/about",
            ABOUT,
            &["_ga=GA2; Domain=example.com; Max-Age=200", "bad"],
        ),
    ];
    let mut c = Collector::new(fp());
    for &i in order {
        c.add_page(records[i].clone());
    }
    c.add_response_cookies(
        &u("https://www.example.com/"),
        vec![header(
            "_gid=x; Domain=googletagmanager.com; SameSite=None; Secure",
            "https://www.googletagmanager.com/gtag/js?id=G-1",
        )],
        Phase::BeforeConsent,
    );
    c.finish()
}

#[test]
fn output_does_not_depend_on_crawl_order() {
    let a = collect(&[0, 1]);
    let b = collect(&[1, 0]);
    assert_eq!(a.pages, b.pages);
    assert_eq!(a.cookies, b.cookies);
    assert_eq!(a.third_parties, b.third_parties);
    assert_eq!(a.scripts, b.scripts);
    assert_eq!(a.errors, b.errors);
    assert_eq!(a.policy_links, b.policy_links);
}

#[test]
fn pages_sorted_with_titles() {
    let o = collect(&[1, 0]);
    let urls: Vec<&str> = o.pages.iter().map(|p| p.url.as_str()).collect();
    assert_eq!(
        urls,
        ["https://www.example.com/", "https://www.example.com/about"]
    );
    assert_eq!(o.pages[0].title.as_deref(), Some("Home"));
}

#[test]
fn cookies_merged_by_name_domain_path() {
    let o = collect(&[1, 0]);
    let names: Vec<(&str, &str)> = o
        .cookies
        .iter()
        .map(|c| (c.name.as_str(), c.domain.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("", "www.example.com"),
            ("_ga", ".example.com"),
            ("_gid", ".googletagmanager.com"),
            ("sid", "www.example.com")
        ]
    );
    let ga = &o.cookies[1];
    assert_eq!(
        ga.pages,
        ["https://www.example.com/", "https://www.example.com/about"]
    );
    // Attributes of the first setter in sort order: the home page's response.
    assert_eq!(ga.setter_url.as_deref(), Some("https://www.example.com/"));
    assert_eq!(ga.lifetime_seconds, Some(100));
    assert!(ga.before_consent);
    assert_eq!(ga.party, "first");
    let gid = &o.cookies[2];
    assert_eq!(gid.party, "third");
    assert_eq!(gid.pages, ["https://www.example.com/"]);
    let bad = &o.cookies[0];
    assert_eq!(bad.raw.as_deref(), Some("bad"));
    assert!(o
        .errors
        .iter()
        .any(|e| e.kind == "cookie" && e.url == "https://www.example.com/about"));
}

#[test]
fn third_parties_per_host() {
    let o = collect(&[0, 1]);
    let hosts: Vec<&str> = o.third_parties.iter().map(|t| t.host.as_str()).collect();
    assert_eq!(
        hosts,
        [
            "connect.facebook.net",
            "fonts.gstatic.com",
            "forms.example.net",
            "px.ads.example",
            "www.googletagmanager.com"
        ]
    );
    let by = |h: &str| o.third_parties.iter().find(|t| t.host == h).unwrap();
    let gtm = by("www.googletagmanager.com");
    assert_eq!(gtm.registrable_domain, "googletagmanager.com");
    assert_eq!(gtm.resource_types, ["image", "script"]);
    assert_eq!(gtm.request_count, 2);
    assert_eq!(gtm.pages.len(), 2);
    assert!(gtm.loaded && gtm.before_consent && !gtm.consent_gated);
    assert_eq!(
        gtm.sample_urls,
        [
            "https://www.googletagmanager.com/gtag/js?id=G-1",
            "https://www.googletagmanager.com/p.gif"
        ]
    );
    let fb = by("connect.facebook.net");
    assert!(fb.consent_gated && !fb.loaded && !fb.before_consent);
    let fonts = by("fonts.gstatic.com");
    assert_eq!(fonts.resource_types, ["preconnect"]);
    assert!(!fonts.loaded && !fonts.consent_gated);
    let px = by("px.ads.example");
    assert!(
        !px.loaded,
        "noscript content does not load with JavaScript on"
    );
    assert!(!by("forms.example.net").loaded);
}

#[test]
fn scripts_inline_policy_links_markers_and_first_party_resources() {
    let o = collect(&[1, 0]);
    assert_eq!(o.scripts.len(), 3);
    let inline = &o.scripts[0];
    assert!(inline.src.is_none());
    assert_eq!(inline.party, "first");
    assert_eq!(inline.pages.len(), 2);
    let hash = inline.inline_sha256.clone().unwrap();
    assert_eq!(
        o.inline_scripts.get(&hash).map(String::as_str),
        Some("gtag('js', new Date());")
    );
    let fb = &o.scripts[1];
    assert_eq!(
        fb.src.as_deref(),
        Some("https://connect.facebook.net/fbevents.js")
    );
    assert!(fb.consent_gated);
    assert_eq!(fb.party, "third");
    assert_eq!(fb.host.as_deref(), Some("connect.facebook.net"));
    let link = PolicyLink {
        url: u("https://www.example.com/datenschutz"),
        text: "Datenschutz".into(),
    };
    assert_eq!(o.policy_links.get(&link), Some(&2));
    assert!(o.cmp_markers.contains("data-cookieconsent"));
    assert_eq!(
        o.first_party_resources.iter().collect::<Vec<_>>(),
        ["https://www.example.com/logo.png"]
    );
}

#[test]
fn repeated_page_counts_once_for_policy_links() {
    let mut c = Collector::new(fp());
    let r = record("https://www.example.com/", HOME, &[]);
    c.add_page(r.clone());
    c.add_page(PageRecord {
        phase: Phase::AfterAccept,
        ..r
    });
    let o = c.finish();
    assert_eq!(o.pages.len(), 1);
    assert_eq!(o.policy_links.values().copied().collect::<Vec<_>>(), [1]);
}

#[test]
fn after_accept_only_is_not_before_consent() {
    let mut c = Collector::new(fp());
    let mut r = record("https://www.example.com/", "", &["_fbp=1; Max-Age=9"]);
    r.phase = Phase::AfterAccept;
    r.requests.push(Reference {
        url: u("https://www.facebook.com/tr?id=1"),
        resource_type: ResourceType::Image,
        loaded: true,
        consent_gated: false,
        noscript: false,
    });
    c.add_page(r);
    c.add_error(ScanError {
        url: "https://www.example.com/robots.txt".into(),
        kind: ErrorKind::Robots,
        message: "garbage".into(),
    });
    let o = c.finish();
    assert!(!o.cookies[0].before_consent);
    assert!(o.third_parties[0].loaded && !o.third_parties[0].before_consent);
    assert_eq!(o.errors.len(), 1);
}
