//! Hostile sites against the network side of a scan (issue 11): internal addresses (SSRF),
//! SIGTERM, serial waits, third-party hosts that hang or fail, header floods. Each scenario must
//! end within its limit with a valid report, and never reach an address the user did not allow.

mod harness;

use harness::{serve_dir, site};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A second loopback server that plays the internal service a hostile page points at; the test
/// asserts it was never asked for anything.
fn victim() -> harness::Site {
    site("hostile")
}

/// A site whose home page leads to `internal` (an `http://HOST:PORT` origin) in every way a page
/// can: script, iframe, stylesheet, `@import`, a policy link, a page link.
fn ssrf_site(dir: &Path, internal: &str) {
    let host = dir.join("www.ssrf.test");
    std::fs::create_dir_all(&host).unwrap();
    std::fs::write(
        host.join("index.html"),
        format!(
            r#"<!doctype html><html><head><title>Home</title>
<script src="{internal}/secret.js"></script>
<link rel="stylesheet" href="{internal}/admin.css">
<link rel="stylesheet" href="/site.css">
</head><body><h1>Home</h1>
<iframe src="{internal}/console"></iframe>
<a href="{internal}/privacy">Privacy Policy</a>
<a href="/about.html">About</a>
</body></html>
"#
        ),
    )
    .unwrap();
    std::fs::write(
        host.join("site.css"),
        format!("@import url(\"{internal}/import.css\");\nbody {{ background: url({internal}/bg.png) }}\n"),
    )
    .unwrap();
    std::fs::write(
        host.join("about.html"),
        "<!doctype html><title>About</title><h1>About</h1>",
    )
    .unwrap();
}

#[test]
fn links_to_internal_addresses_are_refused_and_recorded() {
    let victim = victim();
    let tmp = tempfile::tempdir().unwrap();
    let internal = format!("http://127.0.0.1:{}", victim.port());
    ssrf_site(tmp.path(), &internal);
    let site = serve_dir("ssrf", tmp.path().to_path_buf());
    let r = site.scan("http://www.ssrf.test/").run();
    r.expect_code_in(&[0, 1]);
    assert!(
        victim.requests().is_empty(),
        "the internal server was contacted:\n{}{}",
        victim.request_log(),
        r.context()
    );
    for path in ["/secret.js", "/admin.css", "/console", "/import.css"] {
        r.expect_error("private_address_refused", &format!("{internal}{path}"));
    }
    // The page itself and its own stylesheet were read as usual.
    assert!(site.was_requested("www.ssrf.test", "/site.css"));
    assert!(site.was_requested("www.ssrf.test", "/about.html"));
    let e = r
        .report()
        .errors
        .iter()
        .find(|e| e.kind == "private_address_refused")
        .unwrap();
    assert!(e.message.contains("--allow-private"), "{}", e.message);
}

#[test]
fn a_public_name_on_another_loopback_port_is_refused_too() {
    // Every host resolves to the fixture server's port; a URL naming another port reaches
    // 127.0.0.1 on that port: after resolution it is an internal address nobody named.
    let victim = victim();
    let tmp = tempfile::tempdir().unwrap();
    let internal = format!("http://cdn.public-name.test:{}", victim.port());
    ssrf_site(tmp.path(), &internal);
    let site = serve_dir("ssrf-name", tmp.path().to_path_buf());
    let r = site.scan("http://www.ssrf.test/").run();
    r.expect_code_in(&[0, 1]);
    assert!(
        victim.requests().is_empty(),
        "contacted:\n{}{}",
        victim.request_log(),
        r.context()
    );
    r.expect_error("private_address_refused", "cdn.public-name.test");
}

#[test]
fn allow_private_reaches_intranet_addresses() {
    let victim = victim();
    let tmp = tempfile::tempdir().unwrap();
    let internal = format!("http://127.0.0.1:{}", victim.port());
    ssrf_site(tmp.path(), &internal);
    let site = serve_dir("ssrf-allowed", tmp.path().to_path_buf());
    let r = site
        .scan("http://www.ssrf.test/")
        .args(&["--allow-private"])
        .run();
    r.expect_code_in(&[0, 1]);
    assert!(
        victim.requests().iter().any(|q| q.path == "/secret.js"),
        "with --allow-private the internal script is fetched:\n{}{}",
        victim.request_log(),
        r.context()
    );
    assert!(!r
        .error_kinds()
        .iter()
        .any(|(k, _)| k == "private_address_refused"));
}

#[test]
fn a_start_url_redirecting_to_the_metadata_service_does_not_become_the_site() {
    let victim = victim();
    let tmp = tempfile::tempdir().unwrap();
    let internal = format!("http://127.0.0.1:{}/latest/meta-data/", victim.port());
    std::fs::create_dir_all(tmp.path().join("www.ssrf.test")).unwrap();
    std::fs::write(
        tmp.path().join("_routes.toml"),
        format!("[[route]]\npath = \"/\"\nlocation = \"{internal}\"\n"),
    )
    .unwrap();
    let site = serve_dir("ssrf-redirect", tmp.path().to_path_buf());
    let r = site.scan("http://www.ssrf.test/").run();
    // Nothing of the site could be read: the start URL failed (exit 3), with a report.
    r.expect_code(3);
    assert!(
        victim.requests().is_empty(),
        "contacted:\n{}{}",
        victim.request_log(),
        r.context()
    );
    r.expect_error("private_address_refused", "http://www.ssrf.test/");
    let report = r.report();
    assert!(
        !report
            .first_party_domains
            .iter()
            .any(|d| d.contains("127.0.0.1")),
        "{:?}",
        report.first_party_domains
    );
    assert!(report.policy.urls.is_empty(), "{:?}", report.policy.urls);
}

#[test]
fn sitemaps_named_in_robots_txt_are_read_concurrently_within_a_cap() {
    // 30 sitemaps × 1.5 s each: one after another that was 45 s.
    let site = site("slow-sitemaps");
    let r = site
        .scan("http://www.site.test/")
        .args(&["--max-pages", "5"])
        .run();
    r.expect_code_in(&[0, 1]);
    assert!(
        r.elapsed < Duration::from_secs(20),
        "{:?}{}",
        r.elapsed,
        r.context()
    );
    let read = site
        .paths_for("www.site.test")
        .iter()
        .filter(|p| p.starts_with("/sitemap-"))
        .count();
    assert_eq!(read, 20, "only the first 20 listed sitemaps are read");
    assert!(
        r.report()
            .errors
            .iter()
            .any(|e| e.kind == "sitemap" && e.message.contains("lists 30 sitemaps")),
        "{:#?}",
        r.report().errors
    );
}

#[test]
fn well_known_policy_paths_are_tried_concurrently() {
    // No policy link; 22 well-known paths × 1.5 s each: one after another that was 33 s.
    let site = site("slow-policy-paths");
    let r = site.scan("http://www.site.test/").run();
    r.expect_code_in(&[0, 1]);
    assert!(
        r.elapsed < Duration::from_secs(20),
        "{:?}{}",
        r.elapsed,
        r.context()
    );
    let error = r.report().policy.error.clone().unwrap_or_default();
    assert!(error.contains("no privacy policy found"), "{error}");
    assert!(site.was_requested("www.site.test", "/privacy"));
}

#[test]
fn hanging_third_party_scripts_do_not_queue() {
    // 80 third-party script hosts that never answer within --timeout 3: in batches of
    // --concurrency that was 80 / 8 × 3 s = 30 s; and 20 stylesheets on hosts as slow, read one
    // after another by the page: 60 s more.
    let site = site("stall-subresources");
    let r = site
        .scan("http://www.site.test/")
        .args(&["--timeout", "3"])
        .run();
    r.expect_code_in(&[0, 1]);
    assert!(
        r.elapsed < Duration::from_secs(15),
        "{:?}{}",
        r.elapsed,
        r.context()
    );
    assert!(
        r.error_kinds().iter().any(|(k, _)| k == "timeout"),
        "{:#?}",
        r.report().errors
    );
    assert!(r.page("http://www.site.test/").is_some());
}

/// A site of `pages` pages, each with a per-page tag-manager id and a script from a host that
/// refuses connections.
fn many_ids_site(dir: &Path, pages: usize) {
    let host = dir.join("www.site.test");
    std::fs::create_dir_all(host.join("p")).unwrap();
    let links: String = (0..pages)
        .map(|i| format!("<a href=\"/p/{i}.html\">{i}</a>\n"))
        .collect();
    std::fs::write(
        host.join("index.html"),
        format!("<!doctype html><title>Home</title>{links}"),
    )
    .unwrap();
    for i in 0..pages {
        std::fs::write(
            host.join(format!("p/{i}.html")),
            format!(
                "<!doctype html><title>{i}</title>\
                 <script src=\"https://www.googletagmanager.com/gtag/js?id=G-{i}\"></script>\
                 <script src=\"http://cdn.down.test/lib.js?v={i}\"></script>"
            ),
        )
        .unwrap();
    }
}

#[test]
fn third_party_hosts_get_a_few_fetches_and_failures_are_tried_once() {
    let tmp = tempfile::tempdir().unwrap();
    many_ids_site(tmp.path(), 40);
    let site = serve_dir("many-ids", tmp.path().to_path_buf());
    let dead = harness::dead_port();
    let r = site
        .scan("http://www.site.test/")
        .resolve_only(&[
            format!("cdn.down.test:{dead}:127.0.0.1"),
            site.server.resolve_all(),
        ])
        .run();
    r.expect_code_in(&[0, 1]);
    assert_eq!(r.report().pages.len(), 41, "{}", r.context());
    let gtag = site.paths_for("www.googletagmanager.com");
    assert!(
        !gtag.is_empty() && gtag.len() <= 3,
        "a few fetches per third-party host, not one per id: {gtag:?}"
    );
    // The host whose connections are refused is tried once: one error, not 40.
    let down: Vec<_> = r
        .report()
        .errors
        .iter()
        .filter(|e| e.url.contains("cdn.down.test"))
        .collect();
    assert_eq!(down.len(), 1, "{down:#?}");
    // The host is still a third party of every page that loads it.
    let tp = r
        .third_party("cdn.down.test")
        .expect("cdn.down.test listed");
    assert!(!tp.pages.is_empty());
}

#[test]
fn a_flood_of_response_headers_is_named_as_such() {
    let site = site("cookie-flood");
    let r = site.scan("http://www.site.test/").run();
    // The server answered: the start URL did not fail at network level.
    r.expect_code_in(&[0, 1]);
    r.expect_error("headers_too_large", "http://www.site.test/");
    let e = r
        .report()
        .errors
        .iter()
        .find(|e| e.kind == "headers_too_large")
        .unwrap();
    assert!(!e.message.contains("is the server up"), "{}", e.message);
}

/// Entries of `dir` other than `keep`.
fn leftovers(dir: &Path, keep: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n != keep)
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn sigterm_writes_the_partial_report_and_exits_143() {
    let site = site("stall");
    let tmp = tempfile::tempdir().unwrap();
    let report = tmp.path().join("report.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_privacy-inventory"))
        .args(["scan", "http://www.site.test/", "--quiet", "--resolve"])
        .arg(site.server.resolve_all())
        .arg("--output")
        .arg(&report)
        .env("TMPDIR", tmp.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the binary");
    // Wait until the crawl is busy with the 30-second pages.
    let t = Instant::now();
    while !site.requests().iter().any(|q| q.path.starts_with("/p/")) {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "the crawl never got going"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let sent = Instant::now();
    // SAFETY: signalling our own child by its pid.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s.code();
        }
        if sent.elapsed() > Duration::from_secs(15) {
            let _ = child.kill();
            panic!("the scan did not stop within 15 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    use std::io::Read;
    let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
    assert_eq!(code, Some(143), "{stderr}");
    let text = std::fs::read_to_string(&report).expect("a partial report is written");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    harness::assert_schema_valid(&json, &stderr);
    assert_eq!(json["incomplete"], true, "{text}");
    let errors = json["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e["kind"] == "interrupted"),
        "{errors:#?}"
    );
    // What was seen before the signal is kept.
    let pages = json["pages"].as_array().unwrap();
    assert!(
        pages.iter().any(|p| p["url"] == "http://www.site.test/"),
        "{pages:#?}"
    );
    assert!(json["cookies"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == "sid"));
    assert_eq!(leftovers(tmp.path(), "report.json"), Vec::<String>::new());
}

/// A site whose start page redirects to `location`, and whose `/moved` page does too.
fn redirecting_site(dir: &Path, location: &str) {
    std::fs::create_dir_all(dir.join("www.site.test")).unwrap();
    std::fs::write(
        dir.join("_routes.toml"),
        format!("[[route]]\npath = \"/\"\nlocation = \"{location}\"\n"),
    )
    .unwrap();
}

#[test]
fn the_same_failure_gives_the_same_exit_code_in_both_modes() {
    // A start URL that redirects to file: (browsers refuse: ERR_UNSAFE_REDIRECT) failed in browser
    // mode (exit 3) but was an empty page in static mode (exit 0); a start page with 150 header
    // fields failed in static mode only.
    let tmp = tempfile::tempdir().unwrap();
    redirecting_site(tmp.path(), "file:///etc/passwd");
    let unsafe_site = serve_dir("unsafe-redirect", tmp.path().to_path_buf());
    let flood = site("cookie-flood");
    for (site, expected) in [(&unsafe_site, 3), (&flood, 0)] {
        let st = site
            .scan("http://www.site.test/")
            .args(&["--fail-on", "never"])
            .run();
        let br = site
            .scan("http://www.site.test/")
            .args(&[
                "--fail-on",
                "never",
                "--browser",
                "--consent",
                "none",
                "--page-timeout",
                "5",
            ])
            .run();
        st.expect_code(expected);
        br.expect_code(expected);
    }
    let st = unsafe_site.scan("http://www.site.test/").run();
    st.expect_error("unsafe_redirect", "http://www.site.test/");
}

#[test]
fn browser_mode_refuses_internal_addresses_too() {
    let victim = victim();
    let tmp = tempfile::tempdir().unwrap();
    let internal = format!("http://127.0.0.1:{}", victim.port());
    ssrf_site(tmp.path(), &internal);
    let site = serve_dir("ssrf-browser", tmp.path().to_path_buf());
    let browser = ["--browser", "--consent", "none", "--page-timeout", "5"];
    let r = site.scan("http://www.ssrf.test/").args(&browser).run();
    r.expect_code_in(&[0, 1]);
    assert!(
        victim.requests().is_empty(),
        "the internal server was contacted:\n{}{}",
        victim.request_log(),
        r.context()
    );
    r.expect_error("private_address_refused", &format!("{internal}/secret.js"));
    assert!(site.was_requested("www.ssrf.test", "/site.css"));
    // A start URL that redirects there fails as in static mode.
    let tmp = tempfile::tempdir().unwrap();
    redirecting_site(tmp.path(), &format!("{internal}/latest/meta-data/"));
    let redirecting = serve_dir("ssrf-browser-redirect", tmp.path().to_path_buf());
    let r = redirecting
        .scan("http://www.site.test/")
        .args(&browser)
        .run();
    r.expect_code(3);
    assert!(victim.requests().is_empty(), "{}", victim.request_log());
    r.expect_error("private_address_refused", "127.0.0.1");
}
