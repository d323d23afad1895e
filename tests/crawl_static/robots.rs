//! robots.txt (honoured, garbage, server errors) and the sitemaps it names.

use super::support::*;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::time::Duration;

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
