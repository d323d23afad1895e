//! Third-party scripts, iframes and stylesheets fetched once per URL, and what the crawl hands
//! the collector.

use super::support::*;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use privacy_inventory::observe::ResourceType;

#[tokio::test]
async fn third_party_scripts_iframes_and_stylesheets_fetched_once() {
    let site = |host: &str, path: &str| -> Response {
        match (host, path) {
            (_, "/robots.txt") => not_found(),
            ("www.site.test", "/" | "/two") => html(
                "<a href=\"/two\">2</a>\
                 <script src=\"http://cdn.tracker.test/t.js\"></script>\
                 <script type=\"text/plain\" data-cookieconsent=\"marketing\" src=\"http://gated.test/g.js\"></script>\
                 <iframe src=\"http://video.test/embed/1\"></iframe>\
                 <link rel=\"stylesheet\" href=\"http://fonts.api.test/css?family=Roboto\">\
                 <link rel=\"stylesheet\" href=\"/site.css\">",
            ),
            ("cdn.tracker.test", "/t.js") => (
                [(header::SET_COOKIE, "tid=1; Max-Age=31536000"), (header::CONTENT_TYPE, "text/javascript")],
                "var x;",
            )
                .into_response(),
            ("video.test", "/embed/1") => ([(header::SET_COOKIE, "vid=2")], "<html></html>").into_response(),
            ("fonts.api.test", "/css?family=Roboto") => (
                [(header::CONTENT_TYPE, "text/css")],
                "@font-face{font-family:R;src:url(http://fonts.static.test/r.woff2) format('woff2')}",
            )
                .into_response(),
            ("www.site.test", "/site.css") => ([(header::CONTENT_TYPE, "text/css")], "body{color:red}").into_response(),
            _ => not_found(),
        }
    };
    let s = serve(site).await;
    let r = crawl(&config(s.port, &format!("{W}/"))).await;
    assert_eq!(r.pages.len(), 2);
    assert_eq!(s.count("cdn.tracker.test/t.js"), 1);
    assert_eq!(s.count("video.test/embed/1"), 1);
    assert_eq!(s.count("fonts.api.test/css?family=Roboto"), 1);
    assert_eq!(s.count("www.site.test/site.css"), 1);
    assert!(
        !s.was_asked("gated.test/g.js"),
        "consent-gated scripts do not load before consent"
    );
    assert!(
        !s.was_asked("fonts.static.test/r.woff2"),
        "fonts are recorded, not fetched"
    );
    let mut got: Vec<(String, String)> = r
        .response_cookies
        .iter()
        .flat_map(|(p, h)| h.iter().map(move |c| (p.to_string(), c.raw.clone())))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            (format!("{W}/"), "tid=1; Max-Age=31536000".to_string()),
            (format!("{W}/"), "vid=2".to_string())
        ]
    );

    for p in &r.pages {
        let refs = &p.extract.as_ref().unwrap().references;
        assert!(
            refs.iter()
                .any(|x| x.url.as_str() == "http://fonts.static.test/r.woff2"
                    && x.resource_type == ResourceType::Font),
            "the font a stylesheet loads is a reference of every page linking it: {refs:?}"
        );
    }

    let s = serve(site).await;
    let mut c = config(s.port, &format!("{W}/"));
    c.subresources = false;
    crawl(&c).await;
    assert!(
        !s.was_asked("cdn.tracker.test/t.js") && !s.was_asked("fonts.api.test/css?family=Roboto")
    );
}

#[tokio::test]
async fn crawl_static_feeds_the_collector() {
    let site = |host: &str, path: &str| -> Response {
        match (host, path) {
            (_, "/robots.txt") => not_found(),
            ("www.site.test", "/") => {
                let mut r = html(
                    "<a href=\"/gone\">x</a><script src=\"http://cdn.tracker.test/t.js\"></script>",
                );
                r.headers_mut().append(
                    header::SET_COOKIE,
                    HeaderValue::from_static("sess=1; HttpOnly"),
                );
                r
            }
            ("cdn.tracker.test", "/t.js") => {
                ([(header::SET_COOKIE, "tid=1; Max-Age=60")], "").into_response()
            }
            _ => not_found(),
        }
    };
    let s = serve(site).await;
    let obs = privacy_inventory::crawl::crawl_static(
        &config(s.port, &format!("{W}/")),
        &privacy_inventory::crawl::NoProgress,
    )
    .await;
    assert!(!obs.start_failed);
    assert_eq!(obs.pages.len(), 2);
    let mut names: Vec<&str> = obs.cookies.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["sess", "tid"]);
    assert!(obs
        .errors
        .iter()
        .any(|e| e.kind == "http_status" && e.url.ends_with("/gone")));
    assert_eq!(obs.first_party_domains, ["site.test"]);
}
