//! The crawl flags shared by `scan`, `demo` and the config file's `[[site]]` entries, and their
//! validation into a [`ScanConfig`]: one place, so a flag and its config field cannot disagree.

use crate::config::{ConsentMode, Mode, ResolveRule, ScanConfig, ScopeKind};
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// Crawl flags.
#[derive(Debug, Clone, clap::Args)]
pub struct CrawlArgs {
    /// Which hosts are the site: only the start host, or every host under its registrable domain.
    #[arg(long, value_enum, default_value_t = ScopeKind::Domain)]
    pub scope: ScopeKind,
    /// Only crawl URLs matching this regex (repeatable).
    #[arg(long, value_name = "REGEX")]
    pub include: Vec<String>,
    /// Never crawl URLs matching this regex (repeatable).
    #[arg(long, value_name = "REGEX")]
    pub exclude: Vec<String>,
    /// Treat this registrable domain as first party too (repeatable).
    #[arg(long, value_name = "DOMAIN")]
    pub first_party: Vec<String>,
    /// Stop after this many pages.
    #[arg(long, default_value_t = 100)]
    pub max_pages: usize,
    /// Do not follow links deeper than this from the start URL.
    #[arg(long)]
    pub max_depth: Option<usize>,
    /// Simultaneous requests (static) or browser tabs (browser).
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Requests per second per host (politeness); 0 = unlimited.
    #[arg(long, default_value_t = 0.0)]
    pub rate: f64,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 20.0)]
    pub timeout: f64,
    /// Body size cap in bytes (accepts K/M suffix); larger bodies are cut and recorded as an error.
    #[arg(long, default_value = "10M")]
    pub max_body: String,
    /// User-Agent header.
    #[arg(long)]
    pub user_agent: Option<String>,
    /// Do not fetch or honour robots.txt.
    #[arg(long)]
    pub ignore_robots: bool,
    /// HOST:PORT:ADDR — connect to ADDR whenever a URL's host is HOST ('*' = every host); PORT is
    /// used when the URL names none (repeatable).
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    pub resolve: Vec<String>,
    /// Send every request through this proxy (http://, https://, socks5://).
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Accept invalid TLS certificates (staging, loopback tests). Recorded in the report.
    #[arg(long, short = 'k')]
    pub insecure: bool,
    /// Let pages lead the scan to internal addresses (127.0.0.0/8, 10/8, 172.16/12, 192.168/16,
    /// 169.254/16, ::1, fc00::/7), for intranet sites. Without it only the start URL's host and
    /// port, --resolve targets and the --proxy are reached there; other links are refused and
    /// recorded as errors of kind private_address_refused.
    #[arg(long)]
    pub allow_private: bool,
    /// Do not fetch third-party scripts/iframes once to record the cookies they set.
    #[arg(long)]
    pub no_subresources: bool,
    /// Privacy policy URL or file (repeatable); without it the policy is discovered.
    #[arg(long, value_name = "URL|FILE")]
    pub policy: Vec<String>,
    /// Extra catalog file merged over the built-in one (repeatable).
    #[arg(long, value_name = "FILE")]
    pub catalog: Vec<PathBuf>,
    /// Use a real headless browser (same as --mode browser).
    #[arg(long)]
    pub browser: bool,
    /// static or browser.
    #[arg(long, value_enum, default_value_t = Mode::Static)]
    pub mode: Mode,
    /// Browser executable (else chromium, chromium-browser, google-chrome on PATH).
    #[arg(long, value_name = "PATH")]
    pub chrome: Option<PathBuf>,
    /// Browser mode: seconds to wait for a page to settle.
    #[arg(long, default_value_t = 10.0)]
    pub page_timeout: f64,
    /// Send the infrastructure DNS look-ups (CNAME, A/AAAA, PTR, MX, SPF) to this server
    /// (ADDR[:PORT], UDP with TCP when truncated) instead of the system's resolver configuration.
    #[arg(long, value_name = "ADDR[:PORT]", conflicts_with = "no_dns")]
    pub dns_server: Option<String>,
    /// Skip the infrastructure DNS look-ups (hoster and mail providers are then not checked).
    #[arg(long)]
    pub no_dns: bool,
    /// Browser mode: consent phases to run.
    #[arg(long, value_enum, default_value_t = ConsentMode::Auto)]
    pub consent: ConsentMode,
}

impl Default for CrawlArgs {
    fn default() -> Self {
        use clap::Parser;
        #[derive(Parser)]
        struct W {
            #[command(flatten)]
            c: CrawlArgs,
        }
        W::parse_from(["x"]).c
    }
}

/// Parse "10M", "512K", "1000".
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, mul) = match t.chars().last() {
        Some('k' | 'K') => (&t[..t.len() - 1], 1024),
        Some('m' | 'M') => (&t[..t.len() - 1], 1024 * 1024),
        Some('g' | 'G') => (&t[..t.len() - 1], 1024 * 1024 * 1024),
        _ => (t, 1),
    };
    num.trim()
        .parse::<u64>()
        .map(|n| n * mul)
        .map_err(|_| format!("--max-body {s:?}: expected a size like 10M, 512K or 1000000"))
}

/// Parse and normalise a start URL; a missing scheme is an error that says what to type.
pub fn parse_start_url(s: &str) -> Result<Url, String> {
    if !s.contains("://") {
        return Err(format!(
            "start URL {s:?} has no scheme: did you mean https://{s} ?"
        ));
    }
    let url = Url::parse(s).map_err(|e| format!("start URL {s:?} is not a valid URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!(
            "start URL {s:?} must be an http:// or https:// URL with a host"
        ));
    }
    let mut url = url;
    url.set_fragment(None);
    Ok(url)
}

/// Slowest `--rate` accepted (one request per 100 s); slower never finishes a scan.
const MIN_RATE: f64 = 0.01;
/// Fastest `--rate` accepted (requests per second).
const MAX_RATE: f64 = 100_000.0;
/// Longest `--timeout` / `--page-timeout` accepted, in seconds (one hour).
const MAX_TIMEOUT_SECS: f64 = 3600.0;

/// A timeout flag as a Duration: positive, finite and at most [`MAX_TIMEOUT_SECS`].
fn seconds(flag: &str, v: f64) -> Result<Duration, String> {
    if v > 0.0 && v <= MAX_TIMEOUT_SECS {
        Ok(Duration::from_secs_f64(v))
    } else {
        Err(format!(
            "{flag} must be a number of seconds greater than 0 and at most {MAX_TIMEOUT_SECS}"
        ))
    }
}

/// Validate crawl flags into a config.
pub fn build_config(url: &str, c: &CrawlArgs, quiet: bool) -> Result<ScanConfig, String> {
    let mut cfg = ScanConfig::new(parse_start_url(url)?);
    cfg.mode = if c.browser { Mode::Browser } else { c.mode };
    cfg.scope = c.scope;
    let regexes = |flag: &str, v: &[String]| -> Result<Vec<regex::Regex>, String> {
        v.iter()
            .map(|p| regex::Regex::new(p).map_err(|e| format!("{flag} {p:?}: invalid regex: {e}")))
            .collect()
    };
    cfg.include = regexes("--include", &c.include)?;
    cfg.exclude = regexes("--exclude", &c.exclude)?;
    cfg.first_party = c
        .first_party
        .iter()
        .map(|d| crate::domain::normalize_host(d))
        .collect();
    if c.max_pages == 0 {
        return Err("--max-pages must be at least 1".into());
    }
    cfg.max_pages = c.max_pages;
    cfg.max_depth = c.max_depth;
    cfg.concurrency = c.concurrency.unwrap_or(match cfg.mode {
        Mode::Static => 8,
        Mode::Browser => 4,
    });
    if cfg.concurrency == 0 {
        return Err("--concurrency must be at least 1".into());
    }
    // Bounds, not just signs: `--rate 1e-7` would wait 116 days per request and
    // `--timeout 1e300` overflows a Duration (issue 11).
    if !(c.rate == 0.0 || (MIN_RATE..=MAX_RATE).contains(&c.rate)) {
        return Err(format!(
            "--rate must be 0 (unlimited) or between {MIN_RATE} and {MAX_RATE} requests per second"
        ));
    }
    cfg.rate = (c.rate > 0.0).then_some(c.rate);
    cfg.timeout = seconds("--timeout", c.timeout)?;
    cfg.max_body = parse_size(&c.max_body)?;
    if let Some(ua) = &c.user_agent {
        cfg.user_agent = ua.clone();
    }
    cfg.ignore_robots = c.ignore_robots;
    cfg.resolve = c
        .resolve
        .iter()
        .map(|r| ResolveRule::parse(r))
        .collect::<Result<_, _>>()?;
    if let Some(p) = &c.proxy {
        Url::parse(p).map_err(|e| format!("--proxy {p:?} is not a URL: {e}"))?;
        cfg.proxy = Some(p.clone());
    }
    cfg.insecure = c.insecure;
    cfg.allow_private = c.allow_private;
    cfg.subresources = !c.no_subresources;
    // A mistyped policy path must not cost a whole crawl: check files before scanning.
    for p in &c.policy {
        if !crate::policy::source::is_url(p) && !std::path::Path::new(p).is_file() {
            return Err(format!(
                "--policy {p}: no such file (give a policy file or an http(s):// URL)"
            ));
        }
    }
    cfg.policy = c.policy.clone();
    cfg.catalogs = c.catalog.clone();
    cfg.chrome = c.chrome.clone();
    cfg.page_timeout = seconds("--page-timeout", c.page_timeout)?;
    cfg.consent = c.consent;
    cfg.dns = match (&c.dns_server, c.no_dns) {
        (Some(server), _) => crate::config::DnsMode::parse_server(server)?,
        (None, true) => crate::config::DnsMode::Off,
        (None, false) => crate::config::DnsMode::System,
    };
    cfg.quiet = quiet;
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("10M").unwrap(), 10 * 1024 * 1024);
        assert_eq!(parse_size("512k").unwrap(), 512 * 1024);
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert!(parse_size("ten").is_err());
    }

    #[test]
    fn start_url_without_scheme_says_what_to_type() {
        let e = parse_start_url("www.example.com").unwrap_err();
        assert!(e.contains("https://www.example.com"), "{e}");
        assert!(parse_start_url("ftp://x.example").is_err());
    }

    #[test]
    fn defaults_build() {
        let cfg = build_config("https://example.com/", &CrawlArgs::default(), false).unwrap();
        assert_eq!(cfg.max_pages, 100);
        assert_eq!(cfg.max_body, 10 * 1024 * 1024);
        assert_eq!(cfg.scope, ScopeKind::Domain);
    }
}
