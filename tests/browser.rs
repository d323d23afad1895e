//! Browser mode against a fixture site whose truth is known (`fixtures/sites/browser-capture`):
//! real headless Chromium, the real binary, every host resolved to one loopback server.
//!
//! One browser scan and one static scan of the same site are shared by the tests (a scan costs a
//! browser start), so each test asserts one capture in browser mode and, where it matters, that
//! static mode cannot see it.

mod harness;

use harness::{ScanResult, Site};
use privacy_inventory::report::model::Report;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const START: &str = "http://www.shop.test/";
const HOME: &str = "http://www.shop.test/";
const POLL: &str = "http://www.shop.test/poll.html";
const DIALOG: &str = "http://www.shop.test/dialog.html";

fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| harness::site("browser-capture"))
}

fn browser_scan() -> &'static ScanResult {
    static SCAN: OnceLock<ScanResult> = OnceLock::new();
    SCAN.get_or_init(|| {
        let r = site()
            .scan(START)
            .args(&[
                "--browser",
                "--page-timeout",
                "5",
                "--max-pages",
                "3",
                "--concurrency",
                "2",
            ])
            .run();
        // 1: the fixture's Meta Pixel loads before consent (a high finding).
        r.expect_code_in(&[0, 1]);
        r
    })
}

fn static_scan() -> &'static ScanResult {
    static SCAN: OnceLock<ScanResult> = OnceLock::new();
    SCAN.get_or_init(|| {
        let r = site().scan(START).args(&["--max-pages", "3"]).run();
        r.expect_code_in(&[0, 1]);
        r
    })
}

fn report(r: &ScanResult) -> &Report {
    r.report()
}

/// Resource types of a third-party host, or a failure naming what was seen instead.
fn types_of(r: &ScanResult, host: &str) -> Vec<String> {
    r.third_party(host)
        .unwrap_or_else(|| {
            panic!(
                "{host} missing; third parties: {:?}{}",
                r.third_party_hosts(),
                r.context()
            )
        })
        .resource_types
        .clone()
}

#[test]
fn browser_report_is_browser_mode_with_every_page() {
    let r = browser_scan();
    let rep = report(r);
    assert_eq!(rep.mode, "browser");
    assert_eq!(rep.schema_version, "1");
    let urls: Vec<&str> = rep.pages.iter().map(|p| p.url.as_str()).collect();
    assert_eq!(urls, vec![HOME, DIALOG, POLL], "{}", r.context());
    for p in &rep.pages {
        assert_eq!(p.status, Some(200), "{p:?}");
    }
    // The static crawl of the same site is the baseline for the "invisible to static" checks.
    assert_eq!(report(static_scan()).mode, "static");
}

#[test]
fn cookies_set_only_by_inline_script_are_captured_per_page() {
    let r = browser_scan();
    for (name, page, session) in [
        ("js_visitor", HOME, false),
        ("js_session", HOME, true),
        ("poll_seen", POLL, true),
        ("after_dialog", DIALOG, true),
    ] {
        let c = r
            .cookie(name)
            .unwrap_or_else(|| panic!("cookie {name} missing{}", r.context()));
        assert_eq!(c.set_by, "script", "{c:?}");
        assert_eq!(c.party, "first", "{c:?}");
        assert_eq!(c.session, session, "{c:?}");
        // Two tabs share the jar: the cookie goes to the page whose script wrote it.
        assert_eq!(c.pages, vec![page.to_string()], "{c:?}");
        assert!(c.before_consent);
        assert!(
            static_scan().cookie(name).is_none(),
            "static mode cannot run scripts, yet saw {name}"
        );
    }
    let c = r.cookie("js_visitor").unwrap();
    let life = c.lifetime_seconds.expect("max-age gives a lifetime");
    assert!((86_000..=86_400).contains(&life), "{c:?}");
}

#[test]
fn injected_beacon_fetch_and_send_beacon_are_captured() {
    let r = browser_scan();
    assert_eq!(types_of(r, "pixel.beacon-one.test"), vec!["image"]);
    assert_eq!(types_of(r, "collect.fetch-two.test"), vec!["xhr"]);
    assert_eq!(types_of(r, "ping.beacon-three.test"), vec!["beacon"]);
    let pixel = r.third_party("pixel.beacon-one.test").unwrap();
    assert_eq!(
        pixel.sample_urls,
        vec!["https://pixel.beacon-one.test/p.gif?ev=pageview"]
    );
    assert_eq!(pixel.pages, vec![HOME]);
    for host in [
        "pixel.beacon-one.test",
        "collect.fetch-two.test",
        "ping.beacon-three.test",
    ] {
        assert!(
            static_scan().third_party(host).is_none(),
            "static saw {host}"
        );
    }
}

#[test]
fn tag_manager_loader_and_the_two_scripts_it_loads_are_captured() {
    let r = browser_scan();
    for host in [
        "tags.tagmgr.test",
        "lib-a.tagged-one.test",
        "lib-b.tagged-two.test",
    ] {
        assert_eq!(types_of(r, host), vec!["script"], "{host}");
    }
    // Scripts inserted by the loader are listed as executed scripts too.
    let srcs: Vec<&str> = report(r)
        .scripts
        .iter()
        .filter_map(|s| s.src.as_deref())
        .collect();
    assert!(
        srcs.contains(&"https://lib-b.tagged-two.test/b.js"),
        "{srcs:?}"
    );
    // The script the loader pulled in set a cookie from the page's own document.
    assert_eq!(
        r.cookie("_libb_id").map(|c| c.set_by.as_str()),
        Some("script")
    );
    let s = static_scan();
    assert!(
        s.third_party("tags.tagmgr.test").is_some(),
        "the loader is in the markup"
    );
    assert!(s.third_party("lib-a.tagged-one.test").is_none());
    assert!(s.third_party("lib-b.tagged-two.test").is_none());
}

#[test]
fn cross_site_iframe_and_the_tracker_inside_it_are_captured() {
    let r = browser_scan();
    assert_eq!(types_of(r, "widget.frame.test"), vec!["iframe"]);
    // Requested from the iframe's own (auto-attached) target, not from the page.
    assert_eq!(types_of(r, "tracker.inframe.test"), vec!["script"]);
    assert_eq!(
        r.third_party("tracker.inframe.test").unwrap().pages,
        vec![HOME]
    );
    let s = static_scan();
    assert!(s.third_party("widget.frame.test").is_some());
    assert!(s.third_party("tracker.inframe.test").is_none());
}

#[test]
fn lazy_iframe_and_iframe_inserted_on_scroll_are_captured() {
    let r = browser_scan();
    assert_eq!(types_of(r, "lazy.embed.test"), vec!["iframe"]);
    assert_eq!(types_of(r, "scroll.embed.test"), vec!["iframe"]);
    let s = static_scan();
    assert!(
        s.third_party("lazy.embed.test").is_some(),
        "lazy iframe is in the markup"
    );
    assert!(s.third_party("scroll.embed.test").is_none());
}

#[test]
fn page_that_never_goes_idle_is_captured_and_capped() {
    let r = browser_scan();
    let p = r.page(POLL).expect("poll page");
    assert_eq!(p.title.as_deref(), Some("Live prices"));
    r.expect_error("page_timeout", "/poll.html");
    // Only the never-idle page hit the cap.
    let kinds = r.error_kinds();
    assert_eq!(
        kinds,
        vec![("page_timeout".to_string(), POLL.to_string())],
        "{}",
        r.context()
    );
    // Capped at --page-timeout 5, not hanging: three pages, two tabs.
    assert!(r.elapsed < Duration::from_secs(25), "{:?}", r.elapsed);
}

#[test]
fn alert_is_dismissed_and_popup_closed() {
    let r = browser_scan();
    let p = r.page(DIALOG).expect("dialog page");
    // The DOM was read after the alert: the dialog was dismissed, the script went on.
    assert_eq!(p.title.as_deref(), Some("Offers"));
    assert!(r.cookie("after_dialog").is_some());
    // The popup is another window, not something this page loads.
    assert!(r.third_party("popup.elsewhere.test").is_none());
    // Both are recorded on the page, so a DPO knows the visit was interrupted.
    assert!(
        p.interruptions
            .iter()
            .any(|i| i.starts_with("alert dismissed")),
        "{:?}",
        p.interruptions
    );
    assert!(
        p.interruptions.iter().any(|i| i.contains("popup")),
        "{:?}",
        p.interruptions
    );
}

#[test]
fn blocked_third_party_set_cookie_is_reported_as_attempted() {
    let r = browser_scan();
    let c = r
        .cookie("tp_uid")
        .unwrap_or_else(|| panic!("tp_uid missing{}", r.context()));
    assert_eq!(c.set_by, "header");
    assert_eq!(c.party, "third");
    assert_eq!(c.domain, "tracker.inframe.test");
    assert_eq!(
        c.setter_url.as_deref(),
        Some("https://tracker.inframe.test/t.js")
    );
    assert_eq!(
        c.stored,
        Some(false),
        "headless Chromium blocks third-party cookies"
    );
    let reason = c.blocked_reason.as_deref().unwrap_or_default();
    assert!(!reason.is_empty(), "{c:?}");
    assert!(static_scan().cookie("tp_uid").is_none());
}

#[test]
fn hsts_preloaded_host_is_fetched_over_tls_with_insecure() {
    let r = browser_scan();
    let fb = r
        .third_party("connect.facebook.net")
        .expect("connect.facebook.net");
    assert!(
        fb.sample_urls
            .contains(&"https://connect.facebook.net/en_US/fbevents.js".to_string()),
        "{fb:?}"
    );
    // The markup says http://, Chromium upgraded it, and the loopback server answered over TLS.
    let tls = site()
        .requests()
        .iter()
        .any(|q| q.host == "connect.facebook.net" && q.scheme == "https");
    assert!(tls, "{}", site().request_log());
    assert!(report(r).settings.insecure);
}

#[test]
fn local_session_storage_and_indexeddb_are_listed_by_name() {
    let r = browser_scan();
    let got: Vec<(String, String, String, Option<usize>)> = report(r)
        .storage
        .iter()
        .map(|s| (s.origin.clone(), s.kind.clone(), s.name.clone(), s.size))
        .collect();
    let origin = "http://www.shop.test".to_string();
    for want in [
        (
            origin.clone(),
            "indexed_db".into(),
            "idb_analytics".into(),
            None,
        ),
        (
            origin.clone(),
            "local_storage".into(),
            "ls_profile".into(),
            Some(10),
        ),
        (
            origin.clone(),
            "session_storage".into(),
            "ss_cart".into(),
            Some(3),
        ),
    ] {
        assert!(got.contains(&want), "{want:?} not in {got:?}");
    }
    let ls = report(r)
        .storage
        .iter()
        .find(|s| s.name == "ls_profile")
        .unwrap();
    // localStorage persists: every later page of the origin still holds it.
    assert_eq!(ls.pages, vec![HOME, DIALOG, POLL]);
    assert!(ls.before_consent);
    assert!(report(static_scan()).storage.is_empty());
}

#[test]
fn background_browser_traffic_is_not_counted_as_the_sites() {
    let r = browser_scan();
    for h in r.third_party_hosts() {
        assert!(
            !h.ends_with("google.com") && !h.ends_with("googleapis.com"),
            "Chromium's own background request counted as the site's: {h}"
        );
    }
}

#[test]
fn missing_browser_is_one_clear_line_and_exit_2() {
    let r = harness::Scan::raw(&[
        "scan",
        START,
        "--browser",
        "--chrome",
        "/nonexistent/chromium",
    ])
    .run_plain();
    r.expect_code(2);
    let lines: Vec<&str> = r.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{}", r.context());
    assert!(lines[0].contains("/nonexistent/chromium"), "{}", lines[0]);
    assert!(
        lines[0].contains("apt-get install -y chromium"),
        "{}",
        lines[0]
    );
}

/// A scan run with its own TMPDIR, so its browser profile can be told apart from any other.
struct IsolatedRun {
    tmp: tempfile::TempDir,
    child: std::process::Child,
}

fn isolated_scan(start: &str) -> IsolatedRun {
    let tmp = tempfile::tempdir().expect("temp dir");
    let child = Command::new(env!("CARGO_BIN_EXE_privacy-inventory"))
        .args([
            "scan",
            start,
            "--browser",
            "--insecure",
            "--page-timeout",
            "5",
            "--max-pages",
            "1",
            "--consent",
            "none",
            "--quiet",
            "--resolve",
            &site().server.resolve_all(),
            "--output",
        ])
        .arg(tmp.path().join("report.json"))
        .env("TMPDIR", tmp.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the binary");
    IsolatedRun { tmp, child }
}

/// Browser profiles left in `dir`.
fn profiles(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("privacy-inventory-chrome-"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Processes whose command line mentions `dir` (the browser and its helpers carry
/// `--user-data-dir=<dir>/privacy-inventory-chrome-…`).
fn processes_using(dir: &Path) -> Vec<String> {
    let needle = dir.display().to_string();
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        if !e
            .file_name()
            .to_string_lossy()
            .bytes()
            .all(|b| b.is_ascii_digit())
        {
            continue;
        }
        let Ok(cmd) = std::fs::read(e.path().join("cmdline")) else {
            continue;
        };
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        if cmd.contains(&needle) && cmd.contains("privacy-inventory-chrome-") {
            out.push(format!("{}: {cmd}", e.file_name().to_string_lossy()));
        }
    }
    out
}

/// Wait (bounded) until `cond` holds.
fn eventually(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let t = Instant::now();
    while t.elapsed() < limit {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    cond()
}

fn wait_exit(child: &mut std::process::Child, limit: Duration) -> Option<i32> {
    let t = Instant::now();
    loop {
        if let Ok(Some(s)) = child.try_wait() {
            return s.code();
        }
        if t.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn browser_and_profile_are_gone_after_a_scan() {
    let mut run = isolated_scan(START);
    let code = wait_exit(&mut run.child, Duration::from_secs(60));
    assert!(matches!(code, Some(0 | 1)), "{code:?}");
    assert!(run.tmp.path().join("report.json").is_file());
    let dir = run.tmp.path().to_path_buf();
    assert!(
        eventually(Duration::from_secs(3), || processes_using(&dir).is_empty()),
        "browser processes left: {:?}",
        processes_using(&dir)
    );
    assert!(
        profiles(&dir).is_empty(),
        "profile left: {:?}",
        profiles(&dir)
            .iter()
            .flat_map(|p| walk(p))
            .collect::<Vec<_>>()
    );
    // Nor Chromium's shared-memory files (`org.chromium.Chromium.*`): only the report is left.
    let left: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert_eq!(left, vec![dir.join("report.json")]);
}

#[test]
fn ctrl_c_exits_130_and_cleans_up() {
    stop_mid_scan("-INT", 130);
}

#[test]
fn sigterm_exits_143_writes_the_partial_report_and_cleans_up() {
    stop_mid_scan("-TERM", 143);
}

/// Signal a browser scan busy on a never-idle page: it must exit `code` with a partial report
/// marked incomplete, no browser process left, and nothing but the report left in its TMPDIR
/// (no profile, no `org.chromium.Chromium.*` shared-memory files).
fn stop_mid_scan(signal: &str, code: i32) {
    // The never-idle page keeps the scan busy until the signal.
    let mut run = isolated_scan(POLL);
    let dir = run.tmp.path().to_path_buf();
    assert!(
        eventually(Duration::from_secs(20), || !processes_using(&dir)
            .is_empty()
            && !profiles(&dir).is_empty()),
        "the browser never started"
    );
    std::thread::sleep(Duration::from_millis(500));
    let status = Command::new("kill")
        .args([signal, &run.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let got = wait_exit(&mut run.child, Duration::from_secs(15));
    let mut stderr = String::new();
    if let Some(mut e) = run.child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut stderr);
    }
    assert_eq!(got, Some(code), "stderr: {stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(
        eventually(Duration::from_secs(3), || processes_using(&dir).is_empty()),
        "browser processes left after {signal}: {:?}",
        processes_using(&dir)
    );
    let report = dir.join("report.json");
    let text = std::fs::read_to_string(&report).expect("the partial report is written");
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON report");
    harness::assert_schema_valid(&json, &stderr);
    assert_eq!(json["incomplete"], true, "{text}");
    assert!(
        json["errors"]
            .as_array()
            .is_some_and(|e| e.iter().any(|e| e["kind"] == "interrupted")),
        "{text}"
    );
    let left: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert_eq!(
        left,
        vec![report],
        "left in TMPDIR ({stderr}): {:?}",
        left.iter().flat_map(|p| walk(p)).collect::<Vec<_>>()
    );
}

/// Every path under `dir` (for failure messages).
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    if let Ok(d) = std::fs::read_dir(dir) {
        for e in d.flatten() {
            out.extend(walk(&e.path()));
        }
    }
    out
}
