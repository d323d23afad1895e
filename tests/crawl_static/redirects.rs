//! Where a request ends up: redirect chains, loops, off-scope hops, a start URL that moves or
//! refuses, and the URL's own port over a `--resolve` rule's.

use super::support::*;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use privacy_inventory::config::{ResolveRule, ScopeKind};

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
