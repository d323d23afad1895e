//! Browser mode crawls like static mode: the same frontier (robots.txt, sitemap seeds, trap rules),
//! a real tab pool, failures recorded as page errors, and visits bounded by `--page-timeout`.
//! Real headless Chromium, the real binary, fixture sites on loopback; what was crawled is proved
//! by the fixture server's request log.

mod harness;

use harness::{ScanResult, Site};
use privacy_inventory::model::ErrorKind;
use std::sync::OnceLock;
use std::time::Duration;

const FRONTIER: &str = "http://www.site.test/";

fn frontier_site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| harness::site("browser-frontier"))
}

/// One browser scan of `browser-frontier`, shared by the tests; the server's log is read right
/// after it (before the static scan adds to it).
fn browser_scan() -> &'static (ScanResult, String, Vec<String>) {
    static SCAN: OnceLock<(ScanResult, String, Vec<String>)> = OnceLock::new();
    SCAN.get_or_init(|| {
        let site = frontier_site();
        let before = site.requests().len();
        let r = site
            .scan(FRONTIER)
            .args(&["--browser", "--consent", "none", "--page-timeout", "5"])
            .run();
        r.expect_code(0);
        let requests: Vec<_> = site.requests().into_iter().skip(before).collect();
        let log = requests
            .iter()
            .map(|q| format!("{} {}", q.method, q.url()))
            .collect::<Vec<_>>()
            .join("\n");
        let paths = requests
            .iter()
            .filter(|q| q.host == "www.site.test")
            .map(|q| q.path.clone())
            .collect();
        (r, log, paths)
    })
}

fn static_scan() -> &'static ScanResult {
    static SCAN: OnceLock<ScanResult> = OnceLock::new();
    SCAN.get_or_init(|| {
        // The browser scan first, so its request log holds only its own requests.
        let _ = browser_scan();
        let r = frontier_site().scan(FRONTIER).run();
        r.expect_code(0);
        r
    })
}

fn page_urls(r: &ScanResult) -> Vec<String> {
    r.report().pages.iter().map(|p| p.url.clone()).collect()
}

#[test]
fn robots_disallowed_urls_are_never_visited_in_browser_mode() {
    let (r, log, paths) = browser_scan();
    assert_eq!(r.report().mode, "browser");
    assert!(
        paths.iter().any(|p| p == "/public.html"),
        "the allowed page was not crawled:\n{log}"
    );
    assert!(
        !paths.iter().any(|p| p.starts_with("/private/")),
        "robots.txt disallows /private/ for privacy-inventory, yet the browser asked for it:\n{log}"
    );
    assert!(
        !log.contains("recorder.tracker.test"),
        "the disallowed page's session recorder was loaded:\n{log}"
    );
    // The link and the sitemap entry under /private/ are both counted in one note per origin.
    let robots: Vec<_> = r
        .report()
        .errors
        .iter()
        .filter(|e| e.kind == "robots")
        .collect();
    assert_eq!(robots.len(), 1, "{robots:?}{}", r.context());
    assert!(
        robots[0].message.contains("disallows 2 URL(s)"),
        "{robots:?}"
    );
}

#[test]
fn ignore_robots_lets_the_browser_visit_disallowed_pages() {
    let site = harness::site("browser-frontier");
    let r = site
        .scan(FRONTIER)
        .args(&[
            "--browser",
            "--consent",
            "none",
            "--ignore-robots",
            "--max-depth",
            "1",
        ])
        .run();
    r.expect_code(0);
    assert!(
        site.was_requested("www.site.test", "/private/secret.html"),
        "{}",
        site.request_log()
    );
    assert!(
        r.third_party("recorder.tracker.test").is_some(),
        "{}",
        r.context()
    );
}

#[test]
fn the_sitemap_seeds_browser_mode() {
    let (r, log, _) = browser_scan();
    assert!(
        r.page("http://www.site.test/from-sitemap.html").is_some(),
        "a page listed only in the sitemap was not crawled:{}\n{log}",
        r.context()
    );
    let p = r.page("http://www.site.test/from-sitemap.html").unwrap();
    assert_eq!(p.depth, 1, "sitemap URLs join the start page's links");
}

#[test]
fn a_calendar_trap_is_capped_as_in_static_mode() {
    let (b, _, _) = browser_scan();
    let s = static_scan();
    let calendar = |r: &ScanResult| {
        r.report()
            .pages
            .iter()
            .filter(|p| p.url.contains("/calendar/"))
            .count()
    };
    let n = calendar(b);
    assert!(
        (10..=60).contains(&n),
        "{n} calendar pages in browser mode{}",
        b.context()
    );
    assert_eq!(n, calendar(s), "browser and static mode cap the trap alike");
    b.expect_error("trap", "/calendar/");
    // One frontier: the same pages, the same notes, in both modes.
    assert_eq!(page_urls(b), page_urls(s));
    let notes = |r: &ScanResult| -> Vec<(ErrorKind, String, String)> {
        r.report()
            .errors
            .iter()
            .filter(|e| e.kind == "trap" || e.kind == "robots")
            .map(|e| (e.kind, e.url.clone(), e.message.clone()))
            .collect()
    };
    assert_eq!(notes(b), notes(s));
}

const POOL: &str = "http://www.site.test/";

#[test]
fn a_slow_page_does_not_block_the_pool() {
    let site = harness::site("browser-pool");
    let r = site
        .scan(POOL)
        .args(&[
            "--browser",
            "--consent",
            "none",
            "--concurrency",
            "2",
            "--page-timeout",
            "12",
        ])
        .run();
    r.expect_code(0);
    let paths = site.paths_for("www.site.test");
    let log = site.request_log();
    let at = |p: &str| {
        paths
            .iter()
            .position(|x| x == p)
            .unwrap_or_else(|| panic!("{p} never requested:\n{log}"))
    };
    // Two tabs: /slow.html (its image answers after 8 s) takes one, and the other goes on with
    // the next URLs at once. Batches of two would ask for /p2.html only after /slow.html is done.
    let done = at("/slow-done");
    for p in ["/p2.html", "/p3.html", "/p4.html"] {
        assert!(
            at(p) < done,
            "{p} waited for the slow page (requested after /slow-done):\n{log}"
        );
    }
    assert_eq!(
        r.page("http://www.site.test/slow.html")
            .and_then(|p| p.status),
        Some(200)
    );
    // Results are released in discovery order, so the report lists every page once.
    assert_eq!(r.report().pages.len(), 10, "{}", r.context());
}

#[test]
fn probes_run_in_an_isolated_world_the_page_cannot_tamper_with() {
    let site = harness::site("browser-pool");
    let r = site
        .scan("http://www.site.test/override.html")
        .args(&["--browser", "--consent", "none", "--max-pages", "2"])
        .run();
    r.expect_code(0);
    assert!(
        r.page("http://www.site.test/seen-only-through-an-isolated-world.html")
            .is_some(),
        "a page that replaced Array.from and querySelectorAll hid its links{}",
        r.context()
    );
    assert!(
        r.report()
            .storage
            .iter()
            .any(|s| s.kind == "local_storage" && s.name == "hidden_key"),
        "a page that replaced Object.keys hid its storage: {:?}{}",
        r.report().storage,
        r.context()
    );
}

#[test]
fn a_never_yielding_page_ends_within_page_timeout_and_grace_and_is_a_page_error() {
    let site = harness::site("browser-pool");
    let r = site
        .scan("http://www.site.test/unresponsive.html")
        .args(&[
            "--browser",
            "--consent",
            "none",
            "--concurrency",
            "3",
            "--page-timeout",
            "3",
        ])
        .run();
    r.expect_code(0);
    // Every CDP call to a hung page waits for its answer; each visit is bounded by
    // --page-timeout + 5 s, so this scan cannot take long (each call used to wait up to 30 s).
    assert!(
        r.elapsed < Duration::from_secs(45),
        "the scan took {:?}{}",
        r.elapsed,
        r.context()
    );
    let hang = "http://www.site.test/hang.html";
    let p = r
        .page(hang)
        .unwrap_or_else(|| panic!("{hang} missing{}", r.context()));
    assert_eq!(p.status, Some(200), "{p:?}");
    assert_eq!(p.error.as_deref(), Some("dom_read"), "{p:?}");
    assert!(
        r.report()
            .errors
            .iter()
            .any(|e| e.url == hang && e.kind == "dom_read" && e.message.contains("never")),
        "the failed DOM read is not recorded: {:#?}{}",
        r.report().errors,
        r.context()
    );
    // An alert loop: in a background tab Chromium holds the dialog back and the page waits in
    // it, in the foreground every dialog is dismissed and the next one opens. Either way the
    // visit ends on time and records at most 20 dialogs.
    let alerts = r
        .page("http://www.site.test/alerts.html")
        .unwrap_or_else(|| panic!("alerts.html missing{}", r.context()));
    assert_eq!(alerts.status, Some(200), "{alerts:?}");
    assert!(
        alerts.interruptions.len() <= 20,
        "{:?}",
        alerts.interruptions
    );
    assert_eq!(
        r.page("http://www.site.test/p1.html")
            .and_then(|p| p.status),
        Some(200),
        "the scan went on after the hung pages{}",
        r.context()
    );
}

#[test]
fn hosts_recorded_per_page_are_capped() {
    let site = harness::site("browser-pool");
    let r = site
        .scan("http://www.site.test/flood.html")
        .args(&["--browser", "--consent", "none", "--max-pages", "1"])
        .run();
    r.expect_code_in(&[0, 1]);
    let flood = r
        .report()
        .third_parties
        .iter()
        .filter(|t| t.host.ends_with(".flood.test"))
        .count();
    assert!(
        (100..=300).contains(&flood),
        "{flood} flood hosts recorded (cap 300){}",
        r.context()
    );
    let capped = r
        .report()
        .errors
        .iter()
        .find(|e| e.kind == "requests_capped")
        .unwrap_or_else(|| panic!("no requests_capped error{}", r.context()));
    assert_eq!(capped.url, "http://www.site.test/flood.html");
}

/// SIGTERM stops the tab pool mid-crawl, and the pages released before it stay in the partial
/// report: the home page is in, the slow page (its image answers after 8 s) and the pages queued
/// behind it are not, and the browser is gone.
#[test]
fn a_signal_stops_the_pool_and_keeps_the_pages_seen() {
    use std::process::{Command, Stdio};
    let site = harness::site("browser-pool");
    let tmp = tempfile::tempdir().expect("temp dir");
    let report = tmp.path().join("report.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_privacy-inventory"))
        .args([
            "scan",
            POOL,
            "--browser",
            "--consent",
            "none",
            "--concurrency",
            "2",
            "--page-timeout",
            "12",
            "--quiet",
            "--resolve",
            &site.server.resolve_all(),
            "--output",
        ])
        .arg(&report)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the binary");
    // The home page is done once the pool asks for the pages it links to.
    let t = std::time::Instant::now();
    while !site
        .paths_for("www.site.test")
        .iter()
        .any(|p| p == "/p2.html")
    {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "the pool never reached /p2.html:\n{}",
            site.request_log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let t = std::time::Instant::now();
    let code = loop {
        if let Ok(Some(s)) = child.try_wait() {
            break s.code();
        }
        if t.elapsed() > Duration::from_secs(15) {
            let _ = child.kill();
            panic!("the scan did not stop within 15 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(code, Some(143));
    let text = std::fs::read_to_string(&report).expect("the partial report is written");
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON report");
    harness::assert_schema_valid(&json, &text);
    assert_eq!(json["incomplete"], true, "{text}");
    let pages = json["pages"].as_array().expect("pages");
    assert!(
        pages.iter().any(|p| p["url"] == POOL && p["status"] == 200),
        "the home page seen before the signal is kept: {text}"
    );
    assert!(
        !pages
            .iter()
            .any(|p| p["url"] == "http://www.site.test/slow.html"),
        "the slow page had not finished: {text}"
    );
    assert!(
        json["first_party_domains"]
            .as_array()
            .is_some_and(|d| d.iter().any(|d| d == "site.test")),
        "{text}"
    );
}
