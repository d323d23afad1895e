//! The HTML report in a real headless Chromium: a report made from a hostile site (HTML in cookie
//! names, page titles, hosts, URLs, Set-Cookie attributes, policy excerpts) runs nothing, and the
//! report file makes no network request at all. A screenshot is kept for people to look at.
//!
//! How "nothing ran" is observed: every payload in `fixtures/sites/hostile` would set
//! `document.title` to PWNED, create an element with id `pwned`, or load an image from
//! `beacon.hostile.test`. Chromium runs with `--host-resolver-rules` sending every hostname to the
//! fixture server, which records every request; so "no request" is an assertion on that log.
//! A control page proves the method can fail: its script and its beacon are seen.

mod harness;

use privacy_inventory::report::model::{Declaration, DeclarationRef, Disclosed, Report};
use scraper::{Html, Selector};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const START: &str = "http://www.hostile.test/";
/// A payload that runs if it ever reaches the DOM as markup.
const SCRIPT_PAYLOAD: &str = "<script>document.title='PWNED'</script>";

/// Elements the report writer uses; anything else in the DOM was injected.
const REPORT_ELEMENTS: &[&str] = &[
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "main",
    "h1",
    "h2",
    "h3",
    "p",
    "div",
    "b",
    "span",
    "small",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "ul",
    "li",
    "code",
    "blockquote",
    "details",
    "summary",
    "em",
    "strong",
];

/// A cookie name of the hostile site (a name cannot contain `=`, so it calls the beacon).
const COOKIE_PAYLOAD: &str = "<script>fetch('http://beacon.hostile.test/cookie')</script>";

/// Give up on a browser run after this long: a hang is a failure, not a stuck CI job.
const BROWSER_DEADLINE: Duration = Duration::from_secs(30);

fn chromium() -> PathBuf {
    privacy_inventory::crawl::browser::launch::find_chrome(None)
        .unwrap_or_else(|e| panic!("this test needs headless Chromium: {e}"))
}

/// Run headless Chromium on `url` with every hostname resolved to `port` on loopback, in a fresh
/// profile; returns stdout (the DOM with `--dump-dom`).
fn run_chromium(port: u16, extra: &[String], url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.path().display()))
    // The browser's own traffic (an on-demand component update check, the network-time query;
    // `--disable-component-update` does not stop the former) is sent nowhere, so that anything
    // the fixture server records came from the page.
    .arg(format!(
        "--host-resolver-rules=MAP update.googleapis.com ~NOTFOUND, \
         MAP clients2.google.com ~NOTFOUND, MAP * 127.0.0.1:{port}"
    ))
    .args(extra)
    .arg(url)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start chromium");
    let started = Instant::now();
    let out = loop {
        if child.try_wait().expect("wait for chromium").is_some() {
            break child.wait_with_output().expect("chromium output");
        }
        if started.elapsed() > BROWSER_DEADLINE {
            let _ = child.kill();
            let out = child.wait_with_output().expect("chromium output");
            panic!(
                "chromium hung on {url}; stderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        out.status.success(),
        "chromium failed on {url}: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn file_url(p: &Path) -> String {
    url::Url::from_file_path(p)
        .expect("absolute path")
        .to_string()
}

/// Where this test keeps what a person may want to look at (report, screenshot).
fn artifacts_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html_report");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The DOM Chromium ended with: no element the writer does not emit, no event handler, no
/// `src`/`href`, no `#pwned`, and the title the writer set.
fn assert_inert(dom: &str, what: &str) {
    let doc = Html::parse_document(dom);
    let mut foreign = Vec::new();
    for el in doc.root_element().descendent_elements() {
        let name = el.value().name();
        if !REPORT_ELEMENTS.contains(&name) {
            foreign.push(format!("<{name}>"));
        }
        for (attr, value) in el.value().attrs() {
            if attr.starts_with("on") || matches!(attr, "src" | "href" | "srcset" | "action") {
                foreign.push(format!("<{name} {attr}={value:?}>"));
            }
            if attr == "id" && value.contains("pwned") {
                foreign.push(format!("<{name} id={value:?}>"));
            }
        }
    }
    assert!(
        foreign.is_empty(),
        "{what}: injected markup reached the DOM: {foreign:?}"
    );
    let title: String = doc
        .select(&Selector::parse("title").unwrap())
        .next()
        .map(|t| t.text().collect())
        .unwrap_or_default();
    assert_eq!(
        title,
        format!("Privacy inventory: {START}"),
        "{what}: the title changed"
    );
}

/// The text a person sees contains `needle` verbatim (it was shown, escaped, not dropped).
fn assert_shown(dom: &str, needle: &str, what: &str) {
    let text: String = Html::parse_document(dom)
        .root_element()
        .text()
        .collect::<Vec<_>>()
        .join("");
    assert!(
        text.contains(needle),
        "{what}: {needle:?} is not shown as text"
    );
}

/// The scanned report plus markup in places a scan of this fixture does not reach (the consent
/// manager's name, policy URLs, a declaration's name, a disclosed service id).
fn with_policy_payloads(mut report: Report) -> Report {
    let excerpt = format!(
        "We use Hotjar </blockquote>{SCRIPT_PAYLOAD}<img src=\"http://beacon.hostile.test/excerpt.gif\" id=\"pwned\"> to record sessions."
    );
    let section = "Analytics <svg onload=\"document.title='PWNED'\"> & tools".to_string();
    report.policy.urls = vec![format!(
        "{START}privacy/?<img src=http://beacon.hostile.test/u.gif>"
    )];
    report.policy.declarations.push(Declaration {
        name: "Hotjar<iframe src=http://beacon.hostile.test/name.html>".into(),
        service: Some("hotjar".into()),
        company: Some("Hotjar Ltd".into()),
        matched_as: "service".into(),
        section: section.clone(),
        excerpt: excerpt.clone(),
        negated: false,
        source: report.policy.urls[0].clone(),
    });
    report.disclosed.push(Disclosed {
        service: "hotjar\"><script>document.title='PWNED'</script>".into(),
        hosts: vec!["o'dd&\"host.hostile-cdn.test".into()],
        declaration: DeclarationRef {
            name: "Hotjar<iframe src=http://beacon.hostile.test/name.html>".into(),
            section,
            excerpt,
            matched_as: None,
        },
    });
    report.consent.cmp = Some("<img src=http://beacon.hostile.test/cmp.gif id=pwned>".into());
    report
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(
        bytes.len() > 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR",
        "not a PNG"
    );
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

#[test]
fn hostile_site_report_runs_nothing_and_requests_nothing() {
    let site = harness::site("hostile");
    let out = artifacts_dir();
    let html_path = out.join("hostile-report.html");
    let r = site
        .scan(START)
        .args(&["--html", html_path.to_str().unwrap()])
        .run();
    r.expect_code_in(&[0, 1]);
    // The fixture delivered its payloads into the report (else this test proves nothing).
    assert!(
        r.cookie(COOKIE_PAYLOAD).is_some(),
        "{:#?}{}",
        r.report().cookies,
        r.context()
    );
    assert!(
        r.third_party("o'dd&\"host.hostile-cdn.test").is_some(),
        "{}",
        r.context()
    );
    let disclosed = r.report().disclosed.iter().find(|d| d.service == "hotjar");
    let excerpt = disclosed
        .map(|d| d.declaration.excerpt.as_str())
        .unwrap_or("");
    assert!(
        excerpt.contains("</blockquote><svg onload="),
        "the policy excerpt with markup is not in the report: {:#?}{}",
        r.report().disclosed,
        r.context()
    );
    let title = r
        .page(START)
        .and_then(|p| p.title.clone())
        .unwrap_or_default();
    assert!(
        title.contains("<img src=\"http://beacon.hostile.test/title.gif\""),
        "{title}"
    );

    let html = std::fs::read_to_string(&html_path).expect("--html wrote the report");
    const CSP: &str = "<meta http-equiv=\"Content-Security-Policy\"";
    assert!(html.contains(CSP), "the report has no CSP");
    // Second layer, tested on its own: a report with the policy payloads and WITHOUT its CSP, so
    // escaping alone must hold (a CSP would block an injected script and hide an escaping bug).
    let full = privacy_inventory::report::html::render(&with_policy_payloads(r.report().clone()));
    let no_csp: String = full
        .lines()
        .filter(|l| !l.starts_with(CSP))
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(no_csp.len(), full.len(), "the CSP line was not removed");
    let no_csp_path = out.join("hostile-report-no-csp.html");
    std::fs::write(&no_csp_path, &no_csp).unwrap();

    site.server.clear_requests();
    let port = site.port();
    let shot = out.join("hostile-report.png");
    let _ = std::fs::remove_file(&shot);
    let (dom, dom_no_csp) = std::thread::scope(|s| {
        let a = s.spawn(|| run_chromium(port, &["--dump-dom".into()], &file_url(&html_path)));
        let b = s.spawn(|| run_chromium(port, &["--dump-dom".into()], &file_url(&no_csp_path)));
        let c = s.spawn(|| {
            run_chromium(
                port,
                &[
                    format!("--screenshot={}", shot.display()),
                    "--window-size=1280,2000".into(),
                ],
                &file_url(&html_path),
            )
        });
        c.join().unwrap();
        (a.join().unwrap(), b.join().unwrap())
    });
    // The report itself contacts nobody: not the beacon, not the site, not a font or CDN host.
    assert!(
        site.requests().is_empty(),
        "opening the report made requests:\n{}",
        site.request_log()
    );

    assert_inert(&dom, "report.html");
    assert_inert(&dom_no_csp, "report without CSP");
    for needle in [
        COOKIE_PAYLOAD,                                                   // a cookie name
        "<img src=\"http://beacon.hostile.test/title.gif\" id=\"pwned\"", // a page title
        "o'dd&\"host.hostile-cdn.test",                                   // a third-party host
        "SameSite \"<b>Strict</b>\"", // a Set-Cookie attribute, in errors
        "We use Hotjar </blockquote><svg onload=\"document.title='PWNED'\"> to record", // a policy excerpt
        "Analytics <img src=http://beacon.hostile.test/section.gif id=pwned>", // a policy heading
    ] {
        assert_shown(&dom, needle, "report.html");
    }
    for needle in [
        "</blockquote><script>document.title='PWNED'</script><img src=",
        "Analytics <svg onload=",
    ] {
        assert_shown(&dom_no_csp, needle, "policy excerpt");
    }

    let png = std::fs::read(&shot).expect("chromium wrote the screenshot");
    assert_eq!(png_size(&png), (1280, 2000));
    // A blank page compresses to a few kilobytes; a rendered report with tables does not.
    assert!(
        png.len() > 30_000,
        "the screenshot looks empty: {} bytes",
        png.len()
    );
    println!("screenshot of the HTML report: {}", shot.display());
    println!("the report: {}", html_path.display());

    // Control: the same browser setup does see a script run and a beacon load. Without this,
    // a broken resolver rule or a browser that never ran scripts would pass the checks above.
    let control = out.join("control.html");
    std::fs::write(
        &control,
        "<!doctype html><title>control</title><body><img src=\"http://beacon.hostile.test/control.gif\">\
         <script>document.title='PWNED';document.body.insertAdjacentHTML('beforeend','<p id=pwned>x</p>')</script>",
    )
    .unwrap();
    let dom = run_chromium(port, &["--dump-dom".into()], &file_url(&control));
    assert!(
        dom.contains("<title>PWNED</title>") && dom.contains("id=\"pwned\""),
        "{dom}"
    );
    assert!(
        site.was_requested("beacon.hostile.test", "/control.gif"),
        "the control beacon was not seen:\n{}",
        site.request_log()
    );
}
