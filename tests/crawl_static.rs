//! The static crawler against a real loopback server that plays every host through `--resolve`
//! rules (made-up hostnames mapped to 127.0.0.1:PORT). Asserts on what the crawler recorded and on
//! what the server was asked for.

#[path = "crawl_static/support.rs"]
mod support;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use privacy_inventory::config::{ResolveRule, ScopeKind};
use privacy_inventory::observe::ResourceType;
use std::time::Duration;
use support::*;

fn tree(host: &str, path: &str) -> Response {
    if host != "www.site.test" {
        return not_found();
    }
    match path {
        "/" => links(&[
            "/a",
            "/b",
            "/a#frag",
            "mailto:x@y.test",
            "javascript:void(0)",
        ]),
        "/a" => links(&["/a1", "/a2", "/"]),
        "/b" => links(&["/b1", "/A/../a1"]),
        "/a1" => links(&["/a1x"]),
        "/a2" | "/b1" | "/a1x" => links(&[]),
        _ => not_found(),
    }
}

#[tokio::test]
async fn breadth_first_depths_and_limits() {
    let s = serve(tree).await;
    let c = config(s.port, &format!("{W}/"));
    let r = crawl(&c).await;
    let depth = |u: &str| r.page(&format!("{W}{u}")).page.depth;
    assert_eq!(r.urls().len(), 7, "{:?}", r.urls());
    assert_eq!((depth("/"), depth("/a"), depth("/b")), (0, 1, 1));
    assert_eq!(
        (depth("/a1"), depth("/a2"), depth("/b1"), depth("/a1x")),
        (2, 2, 2, 3)
    );
    // Released in frontier order: breadth first.
    let order: Vec<usize> = r.pages.iter().map(|p| p.page.depth).collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "{order:?}");
    assert_eq!(
        s.count("www.site.test/a1"),
        1,
        "deduplicated after normalisation"
    );
    assert_eq!(r.page(&format!("{W}/a")).page.title.as_deref(), Some("t"));

    let s = serve(tree).await;
    let mut c = config(s.port, &format!("{W}/"));
    c.max_depth = Some(1);
    let r = crawl(&c).await;
    assert_eq!(r.urls().len(), 3);
    assert!(!s.was_asked("www.site.test/a1"));

    let s = serve(tree).await;
    let mut c = config(s.port, &format!("{W}/"));
    c.max_pages = 4;
    let r = crawl(&c).await;
    // Deterministic under concurrency: the first four in breadth-first order.
    assert_eq!(
        r.urls(),
        [
            format!("{W}/"),
            format!("{W}/a"),
            format!("{W}/b"),
            format!("{W}/a1")
        ]
    );
    assert!(!s.was_asked("www.site.test/b1") && !s.was_asked("www.site.test/a1x"));
}

#[tokio::test]
async fn same_pages_at_any_concurrency() {
    let site = |_: &str, p: &str| -> Response {
        let n: usize = p.trim_start_matches('/').parse().unwrap_or(0);
        if n > 300 {
            return not_found();
        }
        let l: Vec<String> = (1..=5).map(|k| format!("/{}", n * 5 + k)).collect();
        let refs: Vec<&str> = l.iter().map(String::as_str).collect();
        links(&refs)
    };
    let s = serve(site).await;
    let mut c = config(s.port, &format!("{W}/0"));
    c.max_pages = 60;
    c.concurrency = 1;
    let one = crawl(&c).await;
    c.concurrency = 16;
    let many = crawl(&c).await;
    let key = |r: &Rec| {
        r.pages
            .iter()
            .map(|p| (p.page.url.clone(), p.page.depth))
            .collect::<Vec<_>>()
    };
    assert_eq!(one.pages.len(), 60);
    assert_eq!(key(&one), key(&many));
}

#[tokio::test]
async fn scope_host_domain_include_exclude() {
    let site = |host: &str, path: &str| -> Response {
        match (host, path) {
            ("www.site.test", "/") => links(&[
                "http://shop.site.test/s",
                "http://other.test/o",
                "/blog/1",
                "/private/x",
            ]),
            ("shop.site.test", "/s") => links(&[]),
            ("www.site.test", "/blog/1" | "/private/x") => links(&[]),
            _ => not_found(),
        }
    };
    let s = serve(site).await;
    let r = crawl(&config(s.port, &format!("{W}/"))).await;
    assert!(s.was_asked("shop.site.test/s"));
    assert!(
        !s.was_asked("other.test/o"),
        "third-party pages are never crawled"
    );
    assert_eq!(r.urls().len(), 4);
    let fp = r.first_party.unwrap();
    assert!(fp.contains("cdn.site.test") && !fp.contains("other.test"));

    let s = serve(site).await;
    let mut c = config(s.port, &format!("{W}/"));
    c.scope = ScopeKind::Host;
    c.exclude = vec![regex::Regex::new("/private/").unwrap()];
    c.first_party = vec!["other.test".into()];
    let r = crawl(&c).await;
    assert!(!s.was_asked("shop.site.test/s") && !s.was_asked("www.site.test/private/x"));
    assert!(
        !s.was_asked("other.test/o"),
        "--first-party does not widen the crawl"
    );
    assert!(s.was_asked("www.site.test/blog/1"));
    assert!(r.first_party.unwrap().contains("other.test"));

    let s = serve(site).await;
    let mut c = config(s.port, &format!("{W}/"));
    c.include = vec![regex::Regex::new("/blog/").unwrap()];
    let r = crawl(&c).await;
    assert_eq!(r.urls(), [format!("{W}/"), format!("{W}/blog/1")]);
}

#[tokio::test]
async fn robots_txt_is_honoured_unless_ignored() {
    let site = |_: &str, path: &str| -> Response {
        match path {
            "/robots.txt" => "User-agent: *\nDisallow: /secret\n\nUser-agent: privacy-inventory\nDisallow: /secret\nDisallow: /mine\n"
                .into_response(),
            "/" => links(&["/secret/x", "/open", "/mine"]),
            "/secret/x" | "/open" | "/mine" => links(&[]),
            _ => not_found(),
        }
    };
    let s = serve(site).await;
    let r = crawl(&config(s.port, &format!("{W}/"))).await;
    assert!(s.was_asked("www.site.test/open"));
    assert!(!s.was_asked("www.site.test/secret/x"));
    assert!(
        !s.was_asked("www.site.test/mine"),
        "our own User-agent group applies"
    );
    assert_eq!(s.count("www.site.test/robots.txt"), 1);
    assert_eq!(r.urls().len(), 2);
    assert!(r
        .errors
        .iter()
        .any(|e| e.kind == "robots" && e.message.contains("2 URL")));

    let s = serve(site).await;
    let mut c = config(s.port, &format!("{W}/"));
    c.ignore_robots = true;
    crawl(&c).await;
    assert!(s.was_asked("www.site.test/secret/x"));
    assert!(!s.was_asked("www.site.test/robots.txt"));
}

#[tokio::test]
async fn huge_garbage_robots_and_server_error_robots() {
    let site = |host: &str, path: &str| -> Response {
        match (host, path) {
            ("www.site.test", "/robots.txt") => {
                let mut g = String::new();
                for i in 0..200_000 {
                    g.push_str(&format!("Disallow: /{i}*$%\u{0}garbage\n"));
                }
                g.into_response()
            }
            ("shop.site.test", "/robots.txt") => {
                (StatusCode::SERVICE_UNAVAILABLE, "down").into_response()
            }
            ("www.site.test", "/") => links(&["/ok", "http://shop.site.test/x"]),
            (_, "/ok" | "/x") => links(&[]),
            _ => not_found(),
        }
    };
    let s = serve(site).await;
    let t = std::time::Instant::now();
    let r = crawl(&config(s.port, &format!("{W}/"))).await;
    assert!(t.elapsed() < Duration::from_secs(8), "{:?}", t.elapsed());
    assert!(s.was_asked("www.site.test/ok"));
    assert!(r.has_error("robots", "www.site.test/robots.txt"));
    // 5xx robots.txt: RFC 9309 says assume everything disallowed.
    assert!(!s.was_asked("shop.site.test/x"));
    assert!(r.has_error("robots", "shop.site.test/robots.txt"));
}

#[tokio::test]
async fn sitemaps_from_robots_index_and_gzip() {
    let site = |_: &str, path: &str| -> Response {
        match path {
            "/robots.txt" => "Sitemap: http://www.site.test/index.xml\n".into_response(),
            "/index.xml" => r#"<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
                <sitemap><loc>http://www.site.test/s1.xml.gz</loc></sitemap>
                <sitemap><loc>http://evil.test/s2.xml</loc></sitemap></sitemapindex>"#
                .into_response(),
            "/s1.xml.gz" => (
                [(header::CONTENT_TYPE, "application/gzip")],
                gz(br#"<urlset><url><loc>http://www.site.test/orphan</loc></url>
                <url><loc>http://elsewhere.test/x</loc></url><url><loc>http://www.site.test/</loc></url></urlset>"#),
            )
                .into_response(),
            "/" => links(&["/linked"]),
            "/orphan" | "/linked" | "/x" | "/s2.xml" => links(&[]),
            _ => not_found(),
        }
    };
    let s = serve(site).await;
    let r = crawl(&config(s.port, &format!("{W}/"))).await;
    assert_eq!(r.page(&format!("{W}/orphan")).page.depth, 1);
    assert_eq!(r.urls().len(), 3, "{:?}", r.urls());
    assert!(!s.was_asked("elsewhere.test/x") && !s.was_asked("evil.test/s2.xml"));
    assert!(r.has_error("sitemap", "s1.xml.gz"), "{:?}", r.errors);
    assert!(r.has_error("sitemap", "evil.test"));
    assert!(
        !s.was_asked("www.site.test/sitemap.xml"),
        "robots named the sitemap"
    );
}

#[tokio::test]
async fn redirects_record_every_hop_and_stop_at_loops_and_scope() {
    let site = |host: &str, path: &str| -> Response {
        match (host, path) {
            (_, "/robots.txt") => not_found(),
            ("www.site.test", "/") => links(&["/r1", "/loop1", "/off", "/many0"]),
            ("www.site.test", "/r1") => {
                redirect(302, "http://shop.site.test/r2", Some("hop1=a; Path=/"))
            }
            ("shop.site.test", "/r2") => redirect(
                301,
                "http://www.site.test/final#x",
                Some("hop2=b; Max-Age=60"),
            ),
            ("www.site.test", "/final") => {
                let mut r = links(&[]);
                r.headers_mut()
                    .append(header::SET_COOKIE, HeaderValue::from_static("end=c"));
                r
            }
            ("www.site.test", "/loop1") => redirect(302, "/loop2", None),
            ("www.site.test", "/loop2") => redirect(302, "/loop1", Some("l=1")),
            ("www.site.test", "/off") => redirect(302, "http://tracker.test/land", Some("off=1")),
            ("www.site.test", p) if p.starts_with("/many") => {
                let n: usize = p[5..].parse().unwrap_or(0);
                redirect(302, &format!("/many{}", n + 1), None)
            }
            _ => not_found(),
        }
    };
    let s = serve(site).await;
    let r = crawl(&config(s.port, &format!("{W}/"))).await;
    let p = r.page(&format!("{W}/r1"));
    assert_eq!(p.page.status, Some(200));
    assert_eq!(
        p.page.redirects,
        ["http://shop.site.test/r2", "http://www.site.test/final"]
    );
    let raws: Vec<(&str, &str)> = p
        .set_cookies
        .iter()
        .map(|c| (c.raw.as_str(), c.response_url.as_str()))
        .collect();
    assert_eq!(
        raws,
        [
            ("hop1=a; Path=/", "http://www.site.test/r1"),
            ("hop2=b; Max-Age=60", "http://shop.site.test/r2"),
            ("end=c", "http://www.site.test/final")
        ]
    );
    assert!(!r.urls().contains(&format!("{W}/final")) || s.count("www.site.test/final") == 1);

    let l = r.page(&format!("{W}/loop1"));
    assert_eq!(l.page.error.as_deref(), Some("redirect_loop"));
    assert_eq!(
        l.set_cookies.len(),
        1,
        "cookies of hops before the loop are kept"
    );

    let o = r.page(&format!("{W}/off"));
    assert_eq!(o.page.error.as_deref(), Some("off_scope_redirect"));
    assert_eq!(o.page.status, Some(302));
    assert_eq!(o.set_cookies.len(), 1);
    assert!(!s.was_asked("tracker.test/land"));

    let m = r.page(&format!("{W}/many0"));
    assert_eq!(m.page.error.as_deref(), Some("too_many_redirects"));
    assert!(!s.was_asked("www.site.test/many12"));
}

#[tokio::test]
async fn start_redirect_moves_the_site() {
    let site = |host: &str, path: &str| -> Response {
        match (host, path) {
            ("site.test", "/") => redirect(301, "http://www.site.test/home", None),
            ("www.site.test", "/home") => links(&["/next"]),
            ("www.site.test", "/next") => links(&[]),
            _ => not_found(),
        }
    };
    let s = serve(site).await;
    let mut c = config(s.port, "http://site.test/");
    c.scope = ScopeKind::Host;
    let r = crawl(&c).await;
    assert!(s.was_asked("www.site.test/next"), "{:?}", s.asked());
    assert_eq!(r.pages.len(), 2);
}

#[tokio::test]
async fn timeouts_slow_drip_and_huge_bodies() {
    let site = |_: &str, path: &str| -> Response {
        match path {
            "/robots.txt" => not_found(),
            "/" => links(&["/slow", "/drip", "/big", "/fine"]),
            "/slow" => {
                let stream = futures_util::stream::once(async {
                    tokio::time::sleep(Duration::from_secs(10)).await;
                    Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"late"))
                });
                Response::new(Body::from_stream(stream))
            }
            "/drip" => {
                let stream = futures_util::stream::unfold(0u32, |n| async move {
                    if n > 100 {
                        return None;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    Some((
                        Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"<p>drip</p>")),
                        n + 1,
                    ))
                });
                (
                    [(header::CONTENT_TYPE, "text/html")],
                    Body::from_stream(stream),
                )
                    .into_response()
            }
            "/big" => {
                let head = axum::body::Bytes::from_static(
                    b"<html><title>big</title><a href=\"/after-big\">x</a>",
                );
                let chunk = axum::body::Bytes::from(vec![b'x'; 1024 * 1024]);
                let stream = futures_util::stream::iter(
                    std::iter::once(head)
                        .chain(std::iter::repeat_n(chunk, 30))
                        .map(Ok::<_, std::io::Error>),
                );
                (
                    [(header::CONTENT_TYPE, "text/html")],
                    Body::from_stream(stream),
                )
                    .into_response()
            }
            "/fine" | "/after-big" => links(&[]),
            _ => not_found(),
        }
    };
    let s = serve(site).await;
    let mut c = config(s.port, &format!("{W}/"));
    c.timeout = Duration::from_millis(1500);
    c.max_body = 1024 * 1024;
    let t = std::time::Instant::now();
    let r = crawl(&c).await;
    assert!(t.elapsed() < Duration::from_secs(6), "{:?}", t.elapsed());
    assert_eq!(
        r.page(&format!("{W}/slow")).page.error.as_deref(),
        Some("timeout")
    );
    assert_eq!(
        r.page(&format!("{W}/drip")).page.error.as_deref(),
        Some("timeout")
    );
    let big = r.page(&format!("{W}/big"));
    assert_eq!(big.page.error.as_deref(), Some("too_large"));
    assert_eq!(
        big.page.title.as_deref(),
        Some("big"),
        "the part read is still extracted"
    );
    assert!(s.was_asked("www.site.test/after-big"));
    assert!(r.page(&format!("{W}/fine")).page.error.is_none());
}

#[tokio::test]
async fn link_traps_are_cut_and_recorded_once() {
    let site = |_: &str, pq: &str| -> Response {
        if pq == "/robots.txt" {
            return not_found();
        }
        if let Some(d) = pq.strip_prefix("/cal?day=") {
            let n: i64 = d.parse().unwrap_or(0);
            return links(&[
                &format!("/cal?day={}", n + 1),
                &format!("/cal?day={}", n - 1),
            ]);
        }
        if pq.starts_with("/loop/") {
            return links(&["loop/", "./x;jsessionid=ABC", "?PHPSESSID=1"]);
        }
        match pq {
            "/" => links(&["/cal?day=0", "/loop/"]),
            _ => links(&[]),
        }
    };
    let s = serve(site).await;
    let mut c = config(s.port, &format!("{W}/"));
    c.max_pages = 1000;
    let r = crawl(&c).await;
    let cal = s.asked().iter().filter(|a| a.contains("/cal?")).count();
    assert_eq!(cal, 50, "query variants per path are capped");
    let traps: Vec<_> = r.errors.iter().filter(|e| e.kind == "trap").collect();
    assert_eq!(
        traps.iter().filter(|e| e.url.ends_with("/cal")).count(),
        1,
        "{traps:?}"
    );
    assert!(
        traps.iter().any(|e| e.message.contains("repeats")),
        "{traps:?}"
    );
    assert!(!s
        .asked()
        .iter()
        .any(|a| a.contains("jsessionid") || a.contains("PHPSESSID")));
    assert!(r.pages.len() < 70, "{}", r.pages.len());
}

#[tokio::test]
async fn statuses_content_types_and_charsets() {
    let site = |_: &str, path: &str| -> Response {
        match path {
            "/robots.txt" => not_found(),
            "/" => links(&["/missing", "/broken", "/cp1252", "/sjis", "/doc.pdf"]),
            "/broken" => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
            "/cp1252" => (
                [(header::CONTENT_TYPE, "text/html")],
                b"<html><head><meta charset=windows-1252><title>Caf\xe9 M\xfcller \x80</title></head></html>".to_vec(),
            )
                .into_response(),
            "/sjis" => (
                [(header::CONTENT_TYPE, "text/html; charset=Shift_JIS")],
                b"<html><head><title>\x93\xfa\x96\x7b</title></head></html>".to_vec(),
            )
                .into_response(),
            "/doc.pdf" => ([(header::CONTENT_TYPE, "application/pdf")], b"%PDF-1.4 ...".to_vec()).into_response(),
            _ => not_found(),
        }
    };
    let s = serve(site).await;
    let r = crawl(&config(s.port, &format!("{W}/"))).await;
    let m = r.page(&format!("{W}/missing"));
    assert_eq!(
        (m.page.status, m.page.error.as_deref()),
        (Some(404), Some("http_status"))
    );
    assert_eq!(r.page(&format!("{W}/broken")).page.status, Some(500));
    assert!(r.has_error("http_status", "/broken"));
    assert_eq!(
        r.page(&format!("{W}/cp1252")).page.title.as_deref(),
        Some("Café Müller €")
    );
    assert_eq!(
        r.page(&format!("{W}/sjis")).page.title.as_deref(),
        Some("日本")
    );
    let pdf = r.page(&format!("{W}/doc.pdf"));
    assert_eq!(pdf.page.content_type.as_deref(), Some("application/pdf"));
    assert!(pdf.extract.is_none());
    assert!(!r.start_failed);
}

#[tokio::test]
async fn refused_start_url_fails_the_start() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    let r = crawl(&config(port, &format!("{W}/"))).await;
    assert!(r.start_failed);
    assert_eq!(r.pages.len(), 1);
    assert_eq!(r.pages[0].page.error.as_deref(), Some("connect"));
    assert!(r.pages[0].errors[0].message.contains("connect"));
}

#[tokio::test]
async fn explicit_url_port_wins_over_the_rule_port() {
    let s = serve(tree).await;
    let mut c = config(s.port, &format!("http://www.site.test:{}/", s.port));
    // The rule's port is closed: only the URL's own port can work.
    c.resolve = vec![ResolveRule::parse("*:9:127.0.0.1").unwrap()];
    let r = crawl(&c).await;
    assert!(!r.start_failed);
    assert_eq!(r.pages.len(), 7);
}

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
