//! Hostile privacy policies (issue 11): each class that killed or stalled the scan, generated
//! here (no megabyte fixtures), read by the real binary's `policy` subcommand as a child process
//! under a time limit, with its peak memory taken from the kernel (`wait4` rusage).
//!
//! The limits are for the debug build the tests run; the speed of the release build is measured
//! by `cargo bench --bench policy`.

mod harness;

use privacy_inventory::report::model::Policy;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const EXE: &str = env!("CARGO_BIN_EXE_privacy-inventory");
/// Peak resident memory allowed for any policy read here (≤ 2 MB, or cut at a limit).
const MAX_RSS_BYTES: u64 = 1024 * 1024 * 1024;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
    /// CPU time of the child (user + system): unlike `elapsed`, barely moved by other processes
    /// sharing the machine.
    cpu: Duration,
    max_rss: u64,
}

/// Run the binary with `args`, killing it after `limit`; peak RSS from `wait4`.
// The child is reaped by `wait4` (which also gives its rusage), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn run_limited(args: &[&str], limit: Duration) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("stdout");
    let err_path = dir.path().join("stderr");
    let started = Instant::now();
    let child = Command::new(EXE)
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("the binary starts");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut killed = false;
    loop {
        // SAFETY: waiting for our own child, with valid pointers.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        assert!(r == 0, "wait4 failed");
        if started.elapsed() > limit && !killed {
            // SAFETY: our own child, not yet reaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let elapsed = started.elapsed();
    let code = if killed || !libc::WIFEXITED(status) {
        None
    } else {
        Some(libc::WEXITSTATUS(status))
    };
    Run {
        code,
        stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
        elapsed,
        cpu: [usage.ru_utime, usage.ru_stime]
            .iter()
            .map(|t| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000))
            .sum(),
        max_rss: usage.ru_maxrss as u64 * 1024,
    }
}

/// `policy FILE --format json` on `content`: must end in time with exit 0, a `Policy` JSON and
/// peak memory under [`MAX_RSS_BYTES`].
fn read_policy(name: &str, content: &[u8], limit: Duration) -> (Policy, Run) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, content).unwrap();
    let run = run_limited(
        &["policy", &file.display().to_string(), "--format", "json"],
        limit,
    );
    let what = format!(
        "{name} ({} bytes): exit {:?} after {:?}, peak RSS {} MB, stderr: {}",
        content.len(),
        run.code,
        run.elapsed,
        run.max_rss / 1024 / 1024,
        run.stderr.chars().take(500).collect::<String>()
    );
    eprintln!("{what}");
    assert_eq!(run.code, Some(0), "{what}");
    assert!(run.max_rss < MAX_RSS_BYTES, "{what}");
    let policy: Policy = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{what}: not a policy JSON ({e})"));
    (policy, run)
}

fn names(p: &Policy) -> Vec<&str> {
    p.declarations.iter().map(|d| d.name.as_str()).collect()
}

#[test]
fn misnested_bold_tags_do_not_grow_memory_quadratically() {
    // Distinct ids defeat html5ever's Noah's-ark limit, the stray </i> fooled the old depth
    // count: 180 KB took 5.4 GB before.
    let mut html = String::from("<html><body><h1>Datenschutz</h1>");
    for i in 0..12_000 {
        html.push_str(&format!("<p><b id=b{i}></i></p>"));
    }
    html.push_str("<p>Wir nutzen Google Analytics.</p></body></html>");
    let (p, _) = read_policy("bold.html", html.as_bytes(), Duration::from_secs(30));
    assert!(names(&p).contains(&"Google Analytics"), "{:?}", names(&p));
}

#[test]
fn deep_nesting_with_stray_end_tags_does_not_overflow_the_stack() {
    // `<div></x>` × 60,000 read as depth ≤ 2 and the recursive walker overflowed (exit 134).
    let mut html = String::from("<html><body><h2>Analyse</h2>");
    html.push_str(&"<div></x>".repeat(60_000));
    html.push_str("<p>Wir nutzen Matomo.</p></body></html>");
    let (p, _) = read_policy("deep.html", html.as_bytes(), Duration::from_secs(30));
    let d = p
        .declarations
        .iter()
        .find(|d| d.name == "Matomo")
        .unwrap_or_else(|| panic!("{:?}", names(&p)));
    assert_eq!(d.section, "Analyse");
}

#[test]
fn a_huge_heading_is_not_copied_into_every_block() {
    // A 200 KB Markdown heading then 20,000 short lines: every block cloned the heading (> 5 GB).
    let mut text = format!("# {}\n", "Kopf ".repeat(40_000));
    for i in 0..20_000 {
        text.push_str(&format!("Zeile {i} ohne Namen.\n"));
    }
    text.push_str("Wir nutzen Google Analytics.\n");
    let (p, _) = read_policy("heading.md", text.as_bytes(), Duration::from_secs(30));
    let d = p
        .declarations
        .iter()
        .find(|d| d.name == "Google Analytics")
        .unwrap_or_else(|| panic!("{:?}", names(&p)));
    assert!(
        d.section.starts_with("Kopf Kopf") && d.section.chars().count() <= 200,
        "the section is cut: {} chars",
        d.section.chars().count()
    );
    // A 1 MB <h1>: read, cut in the path.
    let html = format!(
        "<body><h1>{}</h1><p>Wir nutzen Matomo.</p></body>",
        "Titel ".repeat(170_000)
    );
    let (p, _) = read_policy("h1.html", html.as_bytes(), Duration::from_secs(30));
    assert!(names(&p).contains(&"Matomo"), "{:?}", names(&p));
}

#[test]
fn one_long_paragraph_naming_a_service_repeatedly_is_read_in_linear_time() {
    // 400 KB in one paragraph took 90 s: every mention re-tokenised the whole sentence.
    let mut text = String::from("Analyse\n");
    while text.len() < 400_000 {
        text.push_str("wir nutzen Google Analytics und Hotjar, nicht aber andere dienste, ");
    }
    text.push_str("ende.\n");
    let (p, run) = read_policy("paragraph.txt", text.as_bytes(), Duration::from_secs(30));
    assert!(names(&p).contains(&"Google Analytics"), "{:?}", names(&p));
    assert_eq!(
        p.declarations
            .iter()
            .filter(|d| d.service.as_deref() == Some("google-analytics"))
            .count(),
        1,
        "one declaration per service and section"
    );
    let d = &p.declarations[0];
    assert!(d.excerpt.chars().count() <= 302, "excerpt is a window");
    assert!(run.elapsed < Duration::from_secs(30));
}

#[test]
fn full_stops_without_spaces_are_read_in_linear_time() {
    // Like the text of a 10,000-page PDF whose full stops have no space after them: one sentence
    // of megabytes (66 s before).
    let text = "Der Dienst Google Fonts laedt Schriften.Wir nutzen Matomo.".repeat(30_000);
    let (p, _) = read_policy("stops.txt", text.as_bytes(), Duration::from_secs(30));
    let n = names(&p);
    assert!(
        n.contains(&"Google Fonts") && n.contains(&"Matomo"),
        "{n:?}"
    );
}

/// About `bytes` of policy-like Markdown: one paragraph naming services, under a numbered
/// heading every 50 paragraphs.
fn big_policy(bytes: usize) -> String {
    let mut text = String::from("# Datenschutzerklärung\n");
    let para = "Wir setzen auf dieser Website Google Analytics ein. Anbieter ist die Google Ireland \
                Limited, Gordon House, Barrow Street, Dublin 4, Irland (siehe https://policies.google.com/privacy). \
                Die Daten werden nicht an Dritte weitergegeben, außer an Cloudflare zur Auslieferung.\n";
    let mut i = 0;
    while text.len() < bytes {
        if i % 50 == 0 {
            text.push_str(&format!("## Abschnitt {i}\n"));
        }
        text.push_str(para);
        i += 1;
    }
    text
}

#[test]
fn a_large_policy_is_read_in_linear_time_and_memory() {
    // 1 MB and 2 MB in the debug build (CI: 2 cores); the 10 MB figure is the release
    // benchmark `cargo bench --bench policy -- large`. Doubling the input must not quadruple the
    // CPU time (quadratic work) nor add more than a few times the input to peak memory.
    const MB: usize = 1024 * 1024;
    let (p1, one) = read_policy("1mb.md", big_policy(MB).as_bytes(), Duration::from_secs(60));
    let (p2, two) = read_policy(
        "2mb.md",
        big_policy(2 * MB).as_bytes(),
        Duration::from_secs(120),
    );
    for p in [&p1, &p2] {
        assert!(names(p).contains(&"Google Analytics"), "{:?}", names(p));
    }
    let what = format!(
        "1 MB: {:?} CPU, peak RSS {} MB; 2 MB: {:?} CPU, peak RSS {} MB",
        one.cpu,
        one.max_rss / MB as u64,
        two.cpu,
        two.max_rss / MB as u64
    );
    eprintln!("{what}");
    assert!(
        two.cpu < one.cpu * 3 + Duration::from_millis(500),
        "CPU time grows faster than the input: {what}"
    );
    assert!(
        two.max_rss < one.max_rss + 16 * MB as u64,
        "peak memory grows by more than 16x the extra input: {what}"
    );
}

#[test]
fn a_policy_file_larger_than_the_file_limit_is_cut_and_says_so() {
    // /dev/zero-like input is not read until memory runs out; the cut is reported.
    let zero = Path::new("/dev/zero");
    assert!(zero.exists(), "/dev/zero is needed for this test");
    let run = run_limited(
        &["policy", "/dev/zero", "--format", "json"],
        Duration::from_secs(60),
    );
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert!(run.max_rss < MAX_RSS_BYTES);
    let p: Policy = serde_json::from_str(&run.stdout).unwrap();
    assert!(p.truncated);
    assert!(
        p.error.as_deref().unwrap_or("").contains("was cut at"),
        "{:?}",
        p.error
    );
}

#[test]
fn a_policy_cut_at_max_body_says_so_in_policy_and_findings() {
    // The policy page (2,136 bytes) is longer than --max-body; every other page is shorter.
    let s = harness::site("policy-undisclosed");
    let r = s
        .scan("https://www.copperline-coffee.test/")
        .args(&["--max-body", "1700"])
        .run();
    r.expect_code(1);
    let rep = r.report();
    assert!(rep.policy.truncated, "{:?}{}", rep.policy, r.context());
    let error = rep.policy.error.as_deref().unwrap_or("");
    assert!(
        error.contains("was cut at 1700 bytes") && error.contains("--max-body"),
        "{error}"
    );
    let undisclosed: Vec<&str> = rep
        .findings
        .iter()
        .filter(|f| f.kind == "undisclosed_service")
        .map(|f| f.evidence.as_str())
        .collect();
    assert!(!undisclosed.is_empty(), "{}", r.context());
    for e in undisclosed {
        assert!(e.contains("in the part that was read"), "{e}");
    }
    harness::assert_schema_valid(r.json.as_ref().unwrap(), "cut policy");
}

#[test]
fn a_long_policy_url_over_many_sections_is_not_copied_per_declaration() {
    // A 60 KB query on the policy URL and 150,000 sections each naming Google Analytics: every
    // declaration carried the URL (and one per section was made): > 5 GB before.
    let dir = tempfile::tempdir().unwrap();
    let host = dir.path().join("www.site.test");
    std::fs::create_dir_all(&host).unwrap();
    std::fs::write(
        host.join("index.html"),
        "<html><body><p>Hallo</p></body></html>",
    )
    .unwrap();
    let mut policy = String::new();
    for i in 0..150_000 {
        policy.push_str(&format!("Abschnitt {i}\nWir nutzen Google Analytics.\n"));
    }
    std::fs::write(host.join("policy.txt"), policy).unwrap();
    let s = harness::serve_dir("long-url", dir.path().to_path_buf());
    let url = format!("http://www.site.test/policy.txt?q={}", "a".repeat(60_000));
    let out = dir.path().join("report.json");
    let run = run_limited(
        &[
            "scan",
            "http://www.site.test/",
            "--resolve",
            &s.server.resolve_all(),
            "--policy",
            &url,
            "--max-body",
            "20M",
            "--no-subresources",
            "--quiet",
            "--output",
            &out.display().to_string(),
        ],
        Duration::from_secs(120),
    );
    let what = format!(
        "exit {:?} after {:?}, peak RSS {} MB, stderr: {}",
        run.code,
        run.elapsed,
        run.max_rss / 1024 / 1024,
        run.stderr
    );
    eprintln!("{what}");
    assert_eq!(run.code, Some(0), "{what}");
    assert!(run.max_rss < MAX_RSS_BYTES, "{what}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    harness::assert_schema_valid(&json, "long policy URL");
    let decls = json["policy"]["declarations"].as_array().unwrap();
    assert!(
        !decls.is_empty() && decls.len() <= 50,
        "{} declarations",
        decls.len()
    );
    assert!(decls
        .iter()
        .all(|d| d["source"].as_str().unwrap().chars().count() <= 2049));
}
