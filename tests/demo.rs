//! `privacy-inventory demo` end to end, determinism of the whole run, and bad invocations.

mod harness;

use harness::{fixture_path, serve_dir, Scan};

const DEMO_HOME: &str = "http://www.brightwater-outdoor.test/";

#[test]
fn demo_scans_the_bundled_site_offline_and_finds_the_gaps() {
    let r = Scan::raw(&["demo", "--output", "{report}", "--quiet"]).run_plain();
    r.expect_code_in(&[0, 1]);
    assert!(
        r.stderr.is_empty(),
        "--quiet must keep stderr empty{}",
        r.context()
    );
    let rep = r.report();
    assert_eq!(rep.target, DEMO_HOME);
    assert_eq!(rep.mode, "static");
    assert!(
        rep.settings.insecure,
        "the demo plays https third parties with a self-signed certificate"
    );
    assert_eq!(
        rep.first_party_domains,
        vec!["brightwater-outdoor.test".to_string()]
    );

    let urls: Vec<&str> = rep.pages.iter().map(|p| p.url.as_str()).collect();
    for u in [
        "",
        "products/",
        "contact/",
        "blog/packing-for-the-lakes/",
        "privacy-policy/",
        "stores/",
    ] {
        let full = format!("{DEMO_HOME}{u}");
        assert!(
            urls.contains(&full.as_str()),
            "{full} not crawled (stores/ is only in the sitemap): {urls:?}"
        );
    }
    assert!(
        !urls.iter().any(|u| u.contains("/internal/")),
        "robots.txt disallows /internal/: {urls:?}"
    );

    let hosts = r.third_party_hosts();
    for h in [
        "consent.cookiebot.com",
        "fonts.googleapis.com",
        "fonts.gstatic.com",
        "formspree.io",
        "www.clarity.ms",
        "www.facebook.com",
        "www.googletagmanager.com",
        "www.youtube.com",
    ] {
        assert!(
            hosts.contains(&h.to_string()),
            "{h} missing: {hosts:?}{}",
            r.context()
        );
    }
    assert!(
        !hosts.iter().any(|h| h == "internal-only.tracker.test"),
        "{hosts:?}"
    );
    assert!(
        !r.third_party("formspree.io").unwrap().loaded,
        "a form action loads nothing by itself"
    );

    let session = r.cookie("bw_session").expect("first-party session cookie");
    assert!(
        session.session && session.http_only && session.party == "first",
        "{session:?}"
    );
    let muid = r
        .cookie("MUID")
        .expect("cookie set by the session-replay script response");
    assert_eq!(
        (muid.domain.as_str(), muid.party.as_str()),
        (".clarity.ms", "third")
    );
    assert!(
        r.cookie("YSC").is_some(),
        "cookie set by the YouTube embed response{}",
        r.context()
    );

    let gated: Vec<_> = rep.scripts.iter().filter(|s| s.consent_gated).collect();
    assert_eq!(
        gated.len(),
        1,
        "the Meta Pixel snippet is consent-gated: {gated:?}"
    );

    assert!(
        rep.policy
            .urls
            .iter()
            .any(|u| u.ends_with("/privacy-policy/")),
        "the footer link leads to the policy: {:?}{}",
        rep.policy,
        r.context()
    );
    let flagged: Vec<&String> = rep.findings.iter().flat_map(|f| f.hosts.iter()).collect();
    assert!(
        flagged.iter().any(|h| *h == "fonts.googleapis.com" || *h == "www.clarity.ms"),
        "the policy never names Google Fonts or Microsoft Clarity, yet no finding names them: {:#?}{}",
        rep.findings,
        r.context()
    );
}

#[test]
fn demo_says_what_it_is_doing_unless_quiet() {
    let r = Scan::raw(&["demo", "--output", "{report}"]).run_plain();
    r.expect_code_in(&[0, 1]);
    assert!(r.stderr.contains("127.0.0.1:"), "{}", r.context());
    assert!(r.stderr.contains(DEMO_HOME), "{}", r.context());
}

#[test]
fn two_scans_of_an_unchanged_site_give_the_same_report() {
    let s = serve_dir("demo-site", fixture_path("demo-site"));
    let first = s.scan(DEMO_HOME).run();
    first.expect_code_in(&[0, 1]);
    let second = s.scan(DEMO_HOME).args(&["--concurrency", "3"]).run();
    second.expect_code(first.code.unwrap_or(-1));
    let (a, b) = (
        first.normalized_json(s.port()),
        second.normalized_json(s.port()),
    );
    if a != b {
        let diff: Vec<String> = a
            .lines()
            .zip(b.lines())
            .enumerate()
            .filter(|(_, (x, y))| x != y)
            .take(20)
            .map(|(i, (x, y))| format!("line {}:\n  - {x}\n  + {y}", i + 1))
            .collect();
        panic!(
            "reports differ ({} vs {} lines):\n{}{}{}",
            a.lines().count(),
            b.lines().count(),
            diff.join("\n"),
            first.context(),
            second.context()
        );
    }
    assert!(first.report().pages.len() >= 10, "{}", first.context());
}

#[test]
fn a_start_url_without_scheme_is_a_usage_error() {
    let r = Scan::raw(&["scan", "www.site.test", "--output", "{report}"]).run_plain();
    r.expect_code(2);
    assert!(
        r.stderr.contains("https://www.site.test"),
        "{}",
        r.context()
    );
    assert_eq!(
        r.stderr.trim().lines().count(),
        1,
        "one line{}",
        r.context()
    );
    assert!(
        !r.report_path.exists(),
        "nothing is scanned on a bad invocation"
    );
    let r = Scan::raw(&["scan", "http://www.site.test/", "--max-pages", "0"]).run_plain();
    r.expect_code(2);
    let r = Scan::raw(&["scan", "http://www.site.test/", "--resolve", "nonsense"]).run_plain();
    r.expect_code(2);
    assert!(r.stderr.contains("HOST:PORT:ADDR"), "{}", r.context());
}
