//! Test harness: play a fixture site on loopback and scan it with the real binary.
//!
//! Modelled on cargo's test support: a test builds a real environment (a [`FixtureServer`] for
//! `fixtures/sites/<case>`), runs the real `privacy-inventory` with
//! `--resolve '*:PORT:127.0.0.1' --output <tmp>/report.json --quiet`, and asserts on the parsed
//! report and on what the server was asked for. When a test fails, the command, exit code,
//! stdout, stderr and the (kept) report path are printed, so the failure can be reproduced by hand.
#![allow(dead_code)] // each test file uses a different part of the harness

use privacy_inventory::demo::dns::{DnsServer, Zone};
use privacy_inventory::demo::server::{FixtureServer, RecordedRequest};
use privacy_inventory::demo::site::SiteSource;
use privacy_inventory::report::model::Report;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A scan that runs longer than this is killed: a hang is a test failure, not a stuck CI job.
pub const SCAN_DEADLINE: Duration = Duration::from_secs(60);

/// Path of `fixtures/<rel>` in this checkout.
pub fn fixture_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// A fixture site served on 127.0.0.1.
pub struct Site {
    /// Case name (`fixtures/sites/<case>`), or a path for other trees.
    pub name: String,
    /// The running server.
    pub server: FixtureServer,
    /// The site's DNS server on loopback, when it has a `_dns.toml` zone.
    pub dns: Option<DnsServer>,
}

/// Serve `fixtures/sites/<case>`.
pub fn site(case: &str) -> Site {
    serve_dir(case, fixture_path(&format!("sites/{case}")))
}

/// Serve any directory laid out like a fixture site.
pub fn serve_dir(name: &str, dir: PathBuf) -> Site {
    assert!(
        dir.is_dir(),
        "fixture site {} does not exist",
        dir.display()
    );
    let zone = Zone::load_dir(&dir).unwrap_or_else(|e| panic!("{name}: {e}"));
    let dns = zone.map(|z| {
        DnsServer::start(z)
            .unwrap_or_else(|e| panic!("cannot start the DNS server for {name}: {e}"))
    });
    let server = FixtureServer::start_background(SiteSource::Dir(dir))
        .unwrap_or_else(|e| panic!("cannot start the fixture server for {name}: {e}"));
    Site {
        name: name.to_string(),
        server,
        dns,
    }
}

impl Site {
    /// Port of the server.
    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// A scan of `start` with every host resolved to this server, and `--insecure` because the
    /// server's https answers carry a self-signed certificate ([`Scan::secure`] drops it).
    /// Infrastructure DNS look-ups go to the site's loopback DNS server when it has a zone, and
    /// are off (`--no-dns`) otherwise: no test ever asks a real resolver.
    pub fn scan(&self, start: &str) -> Scan {
        let dns: Vec<String> = match &self.dns {
            Some(d) => vec!["--dns-server".into(), d.addr().to_string()],
            None => vec!["--no-dns".into()],
        };
        Scan {
            args: ["scan".into(), start.into(), "--insecure".into()]
                .into_iter()
                .chain(dns)
                .collect(),
            resolve: vec![self.server.resolve_all()],
            site: self.name.clone(),
            cwd: None,
        }
    }

    /// Every request the server received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.server.requests()
    }

    /// Whether the server was asked for `host` + `path` (path with query, exact).
    pub fn was_requested(&self, host: &str, path: &str) -> bool {
        self.requests()
            .iter()
            .any(|r| r.host == host && r.path == path)
    }

    /// The requests for `host`, as `path` strings in arrival order.
    pub fn paths_for(&self, host: &str) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|r| r.host == host)
            .map(|r| r.path)
            .collect()
    }

    /// Everything requested, one `scheme://host/path` per line, for assertion messages.
    pub fn request_log(&self) -> String {
        self.requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.url()))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A port on 127.0.0.1 where nothing listens (bound, then released), for "connection refused".
pub fn dead_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

/// The JSON Schema printed by `privacy-inventory schema`, compiled once per test process: every
/// JSON report a harness run reads is validated against it, so a report that drifts from its
/// published schema fails whichever test produced it.
pub fn report_schema() -> &'static (serde_json::Value, jsonschema::Validator) {
    static SCHEMA: OnceLock<(serde_json::Value, jsonschema::Validator)> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let bin = env!("CARGO_BIN_EXE_privacy-inventory");
        let out = Command::new(bin)
            .arg("schema")
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {bin} schema: {e}"));
        assert!(
            out.status.success(),
            "`privacy-inventory schema` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let schema: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("`privacy-inventory schema` is not JSON: {e}"));
        // Compiling checks the schema against its draft's meta-schema too.
        let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| {
            panic!("`privacy-inventory schema` is not a valid JSON Schema: {e}")
        });
        (schema, validator)
    })
}

/// Validate a report against [`report_schema`]: every violation as `path: message`, sorted.
pub fn schema_violations(report: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = report_schema()
        .1
        .iter_errors(report)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect();
    v.sort();
    v
}

/// Panic (with `context`) unless `report` validates against the published schema.
pub fn assert_schema_valid(report: &serde_json::Value, context: &str) {
    let v = schema_violations(report);
    assert!(
        v.is_empty(),
        "the report does not validate against `privacy-inventory schema`:\n  {}{context}",
        v.join("\n  ")
    );
}

/// A `privacy-inventory` invocation being built.
pub struct Scan {
    args: Vec<String>,
    resolve: Vec<String>,
    site: String,
    cwd: Option<PathBuf>,
}

impl Scan {
    /// A bare invocation of the binary with `args` (no resolve rules, no output flag added).
    pub fn raw(args: &[&str]) -> Scan {
        Scan {
            args: args.iter().map(|s| s.to_string()).collect(),
            resolve: Vec::new(),
            site: String::new(),
            cwd: None,
        }
    }

    /// Run in `dir` (e.g. where `init` writes, or where `privacy-inventory.toml` is looked for).
    pub fn in_dir(mut self, dir: &Path) -> Scan {
        self.cwd = Some(dir.to_path_buf());
        self
    }

    /// Add arguments.
    pub fn args(mut self, args: &[&str]) -> Scan {
        self.args.extend(args.iter().map(|s| s.to_string()));
        self
    }

    /// Turn the infrastructure DNS look-ups off (`--no-dns` instead of the site's DNS server).
    pub fn no_dns(mut self) -> Scan {
        if let Some(i) = self.args.iter().position(|a| a == "--dns-server") {
            self.args.drain(i..i + 2);
        }
        if !self.args.iter().any(|a| a == "--no-dns") {
            self.args.push("--no-dns".into());
        }
        self
    }

    /// Drop `--insecure`: certificates are checked (the fixture server's never passes).
    pub fn secure(mut self) -> Scan {
        self.args.retain(|a| a != "--insecure");
        self
    }

    /// Replace the resolve rules (e.g. only some hosts, to provoke a DNS failure for the rest).
    pub fn resolve_only(mut self, rules: &[String]) -> Scan {
        self.resolve = rules.to_vec();
        self
    }

    /// Run with `--output <tmp>/report.json --quiet` and parse the report.
    pub fn run(self) -> ScanResult {
        let tmp = tempfile::Builder::new()
            .prefix("privacy-inventory-test-")
            .tempdir()
            .expect("temp dir");
        let report_path = tmp.path().join("report.json");
        let mut args = self.args.clone();
        for r in &self.resolve {
            args.push("--resolve".into());
            args.push(r.clone());
        }
        args.push("--output".into());
        args.push(report_path.display().to_string());
        args.push("--quiet".into());
        run_binary(&self.site, args, self.cwd.as_deref(), tmp, report_path)
    }

    /// Run exactly the given arguments (nothing added); the report path is where a test's own
    /// `--output` may point (`<tmp>/report.json` is substituted for `{report}`).
    pub fn run_plain(self) -> ScanResult {
        let tmp = tempfile::Builder::new()
            .prefix("privacy-inventory-test-")
            .tempdir()
            .expect("temp dir");
        let report_path = tmp.path().join("report.json");
        let mut args: Vec<String> = self
            .args
            .iter()
            .map(|a| a.replace("{report}", &report_path.display().to_string()))
            .collect();
        for r in &self.resolve {
            args.push("--resolve".into());
            args.push(r.clone());
        }
        run_binary(&self.site, args, self.cwd.as_deref(), tmp, report_path)
    }
}

fn run_binary(
    site: &str,
    args: Vec<String>,
    cwd: Option<&Path>,
    tmp: tempfile::TempDir,
    report_path: PathBuf,
) -> ScanResult {
    let bin = env!("CARGO_BIN_EXE_privacy-inventory");
    let command = std::iter::once(bin.to_string())
        .chain(args.iter().map(|a| shell_quote(a)))
        .collect::<Vec<_>>()
        .join(" ");
    let started = Instant::now();
    let mut cmd = Command::new(bin);
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let mut child = cmd
        .args(&args)
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .env_remove("all_proxy")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {bin}: {e}"));
    let mut out_pipe = child.stdout.take().expect("stdout pipe");
    let mut err_pipe = child.stderr.take().expect("stderr pipe");
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out_pipe.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err_pipe.read_to_end(&mut s);
        s
    });
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() > SCAN_DEADLINE => {
                timed_out = true;
                let _ = child.kill();
                break child.wait().ok();
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(_) => break None,
        }
    };
    let stdout = String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
    let text = std::fs::read_to_string(&report_path).ok();
    let json = text
        .as_deref()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok());
    let report = text
        .as_deref()
        .map(|t| serde_json::from_str::<Report>(t).map_err(|e| e.to_string()));
    let result = ScanResult {
        site: site.to_string(),
        command,
        code: status.and_then(|s| s.code()),
        timed_out,
        elapsed: started.elapsed(),
        stdout,
        stderr,
        report_path,
        json,
        report,
        tmp: Some(tmp),
    };
    // Every JSON report the harness reads must match the published schema (Markdown, HTML and
    // text outputs are not JSON and are left alone).
    if let Some(json) = &result.json {
        assert_schema_valid(json, &result.context());
    }
    result
}

fn shell_quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// What a run produced. Assertion messages carry [`ScanResult::context`] (everything needed to
/// reproduce the run); on a failed assertion the temp directory with the report is kept.
pub struct ScanResult {
    /// Fixture case.
    pub site: String,
    /// The command line, shell-quoted.
    pub command: String,
    /// Exit code (None when killed by a signal).
    pub code: Option<i32>,
    /// Killed after [`SCAN_DEADLINE`].
    pub timed_out: bool,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
    /// Captured stdout.
    pub stdout: String,
    /// Captured stderr.
    pub stderr: String,
    /// Where the report was asked to go.
    pub report_path: PathBuf,
    /// The report as JSON, when one was written and parses.
    pub json: Option<serde_json::Value>,
    /// The report as the typed model: None when no file, Err when it does not match the model.
    pub report: Option<Result<Report, String>>,
    tmp: Option<tempfile::TempDir>,
}

impl ScanResult {
    /// Everything about the run, for assertion messages.
    pub fn context(&self) -> String {
        format!(
            "\n--- site: {}\n--- command: {}\n--- exit code: {:?}{}\n--- elapsed: {:?}\n--- report: {}\n--- stdout:\n{}\n--- stderr:\n{}\n",
            self.site,
            self.command,
            self.code,
            if self.timed_out { " (killed: deadline passed)" } else { "" },
            self.elapsed,
            self.report_path.display(),
            truncate(&self.stdout, 4000),
            truncate(&self.stderr, 4000),
        )
    }

    /// The parsed report; panics with the run's context when there is none or it does not match
    /// the schema-v1 model.
    pub fn report(&self) -> &Report {
        match &self.report {
            Some(Ok(r)) => r,
            Some(Err(e)) => panic!(
                "the report does not match the schema v1 model: {e}{}",
                self.context()
            ),
            None => panic!("no report was written{}", self.context()),
        }
    }

    /// Assert the exit code.
    pub fn expect_code(&self, code: i32) -> &ScanResult {
        assert!(!self.timed_out, "the scan hung{}", self.context());
        assert_eq!(
            self.code,
            Some(code),
            "unexpected exit code{}",
            self.context()
        );
        self
    }

    /// Assert the exit code is one of `codes`.
    pub fn expect_code_in(&self, codes: &[i32]) -> &ScanResult {
        assert!(!self.timed_out, "the scan hung{}", self.context());
        assert!(
            self.code.is_some_and(|c| codes.contains(&c)),
            "exit code {:?} not in {codes:?}{}",
            self.code,
            self.context()
        );
        self
    }

    /// The report's error entries as `(kind, url)` pairs.
    pub fn error_kinds(&self) -> Vec<(String, String)> {
        self.report()
            .errors
            .iter()
            .map(|e| (e.kind.to_string(), e.url.clone()))
            .collect()
    }

    /// Assert an error of `kind` whose URL contains `url_part`.
    pub fn expect_error(&self, kind: &str, url_part: &str) -> &ScanResult {
        let found = self
            .report()
            .errors
            .iter()
            .any(|e| e.kind == kind && e.url.contains(url_part));
        assert!(
            found,
            "expected an error of kind {kind:?} for a URL containing {url_part:?}; errors: {:#?}{}",
            self.report().errors,
            self.context()
        );
        self
    }

    /// The page entry for `url`, if fetched.
    pub fn page(&self, url: &str) -> Option<&privacy_inventory::report::model::Page> {
        self.report().pages.iter().find(|p| p.url == url)
    }

    /// Third-party hostnames in the report.
    pub fn third_party_hosts(&self) -> Vec<String> {
        self.report()
            .third_parties
            .iter()
            .map(|t| t.host.clone())
            .collect()
    }

    /// The third-party entry for `host`.
    pub fn third_party(&self, host: &str) -> Option<&privacy_inventory::report::model::ThirdParty> {
        self.report().third_parties.iter().find(|t| t.host == host)
    }

    /// The cookie named `name` (first match).
    pub fn cookie(&self, name: &str) -> Option<&privacy_inventory::report::model::Cookie> {
        self.report().cookies.iter().find(|c| c.name == name)
    }

    /// The report JSON with everything that may differ between two runs of an unchanged site
    /// removed (`started_at`, `finished_at`, `duration_ms`) and loopback ports redacted.
    pub fn normalized_json(&self, port: u16) -> String {
        let mut v = self
            .json
            .clone()
            .unwrap_or_else(|| panic!("no JSON report{}", self.context()));
        if let Some(o) = v.as_object_mut() {
            for k in ["started_at", "finished_at", "duration_ms"] {
                o.remove(k);
            }
        }
        serde_json::to_string_pretty(&v)
            .unwrap_or_default()
            .replace(&format!(":{port}"), ":[PORT]")
    }
}

impl Drop for ScanResult {
    fn drop(&mut self) {
        if std::thread::panicking() {
            if let Some(tmp) = self.tmp.take() {
                let kept = tmp.keep();
                eprintln!("kept the run's files in {}", kept.display());
            }
        }
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n[… {} more bytes]", &s[..end], s.len() - end)
}
