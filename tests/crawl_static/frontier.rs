//! Which pages the crawler visits and in what order: breadth first, limits, scope, traps.

use super::support::*;
use axum::response::Response;
use privacy_inventory::config::ScopeKind;

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
