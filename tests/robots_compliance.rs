//! robots.txt compliance, checked by what the fixture server was asked for.

mod harness;

use harness::site;

const HOME: &str = "http://www.site.test/";

#[test]
fn disallowed_paths_are_never_requested() {
    let s = site("robots");
    let r = s.scan(HOME).run();
    r.expect_code(0);
    let paths = s.paths_for("www.site.test");
    let log = s.request_log();
    assert_eq!(
        paths.first().map(String::as_str),
        Some("/robots.txt"),
        "robots.txt must be read before the first page:\n{log}"
    );
    assert!(paths.iter().any(|p| p == "/public.html"), "{log}");
    assert!(
        paths.iter().any(|p| p == "/private-but-not-really.html"),
        "'Disallow: /private/' must not block /private-but-not-really.html:\n{log}"
    );
    for disallowed in ["/private/", "/no-audit/", "/annual-report.pdf"] {
        assert!(
            !paths.iter().any(|p| p.starts_with(disallowed)),
            "{disallowed} is disallowed for privacy-inventory:\n{log}"
        );
    }
    assert!(
        paths.iter().any(|p| p == "/only-other-crawlers/page.html"),
        "only the group naming our user agent applies (RFC 9309), not '*':\n{log}"
    );
    assert_eq!(
        paths.iter().filter(|p| *p == "/robots.txt").count(),
        1,
        "robots.txt fetched more than once:\n{log}"
    );
    assert!(
        s.paths_for("private.tracker.test").is_empty(),
        "a disallowed page's scripts were fetched:\n{log}"
    );
    let ua = s.requests()[0]
        .header("user-agent")
        .unwrap_or_default()
        .to_string();
    assert!(
        ua.contains("privacy-inventory"),
        "honest user agent expected, got {ua:?}"
    );
    assert!(!r.report().settings.ignore_robots);
}

#[test]
fn ignore_robots_crawls_disallowed_paths_and_says_so() {
    let s = site("robots");
    let r = s.scan(HOME).args(&["--ignore-robots"]).run();
    r.expect_code(0);
    assert!(
        s.was_requested("www.site.test", "/private/secret.html"),
        "{}",
        s.request_log()
    );
    assert!(r.report().settings.ignore_robots);
    assert!(
        !s.was_requested("www.site.test", "/robots.txt"),
        "--ignore-robots means robots.txt is not fetched:\n{}",
        s.request_log()
    );
    assert!(
        r.third_party("private.tracker.test").is_some(),
        "{}",
        r.context()
    );
}
