//! `scan` and `demo`: flags → [`ScanConfig`] → pipeline → outputs → exit code.

use super::drift_cmd::BaselineArgs;
use super::exit::Exit;
use super::output::{effective_fail_on, findings_exit, write_outputs, OutputArgs};
use super::usage_error;
use crate::catalog::Catalog;
use crate::config::{ConsentMode, Mode, ResolveRule, ScanConfig, ScopeKind};
use crate::crawl::ScanProgress;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// Arguments of `scan`.
#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Start URL, e.g. https://www.example.com (without it: the sites of the config file).
    pub url: Option<String>,
    /// Config file with one or many sites (default: ./privacy-inventory.toml when no URL is given).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// With a config file: scan only the site with this name.
    #[arg(long, value_name = "NAME")]
    pub site: Option<String>,
    /// With a config file of several sites: directory for one report per site and index.json.
    #[arg(long, value_name = "DIR", default_value = "privacy-reports")]
    pub output_dir: PathBuf,
    #[command(flatten)]
    /// Crawl settings.
    pub crawl: CrawlArgs,
    #[command(flatten)]
    /// Output settings.
    pub out: OutputArgs,
    #[command(flatten)]
    /// Baseline comparison.
    pub baseline: BaselineArgs,
}

/// Arguments of `demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    #[command(flatten)]
    /// Output settings.
    pub out: OutputArgs,
    /// Scan the demo site with a real browser.
    #[arg(long)]
    pub browser: bool,
    #[command(flatten)]
    /// Baseline comparison.
    pub baseline: BaselineArgs,
}

/// Crawl flags.
#[derive(Debug, Clone, clap::Args)]
pub struct CrawlArgs {
    /// Which hosts are the site: only the start host, or every host under its registrable domain.
    #[arg(long, default_value = "domain", value_parser = ["host", "domain"])]
    pub scope: String,
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
    #[arg(long, default_value = "static", value_parser = ["static", "browser"])]
    pub mode: String,
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
    #[arg(long, default_value = "auto", value_parser = ["auto", "none", "accept", "reject", "both"])]
    pub consent: String,
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

/// Validate crawl flags into a config.
pub fn build_config(url: &str, c: &CrawlArgs, quiet: bool) -> Result<ScanConfig, String> {
    let mut cfg = ScanConfig::new(parse_start_url(url)?);
    cfg.mode = if c.browser || c.mode == "browser" {
        Mode::Browser
    } else {
        Mode::Static
    };
    cfg.scope = if c.scope == "host" {
        ScopeKind::Host
    } else {
        ScopeKind::Domain
    };
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
    if !(c.rate >= 0.0 && c.rate.is_finite()) {
        return Err("--rate must be a number ≥ 0 (0 = unlimited)".into());
    }
    cfg.rate = (c.rate > 0.0).then_some(c.rate);
    if !(c.timeout > 0.0 && c.timeout.is_finite()) {
        return Err("--timeout must be a positive number of seconds".into());
    }
    cfg.timeout = Duration::from_secs_f64(c.timeout);
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
    if !(c.page_timeout > 0.0 && c.page_timeout.is_finite()) {
        return Err("--page-timeout must be a positive number of seconds".into());
    }
    cfg.page_timeout = Duration::from_secs_f64(c.page_timeout);
    cfg.consent = match c.consent.as_str() {
        "none" => ConsentMode::None,
        "accept" => ConsentMode::Accept,
        "reject" => ConsentMode::Reject,
        "both" => ConsentMode::Both,
        _ => ConsentMode::Auto,
    };
    cfg.dns = match (&c.dns_server, c.no_dns) {
        (Some(server), _) => crate::config::DnsMode::parse_server(server)?,
        (None, true) => crate::config::DnsMode::Off,
        (None, false) => crate::config::DnsMode::System,
    };
    cfg.quiet = quiet;
    Ok(cfg)
}

/// Run a configured scan and write its outputs.
pub async fn run_config(cfg: ScanConfig, out: &OutputArgs, baseline: &BaselineArgs) -> Exit {
    let catalog = match Catalog::load(&cfg.catalogs) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    // Read the baseline before crawling: a typo in its path must not cost a whole scan.
    let baseline_report = match &baseline.baseline {
        Some(path) => match crate::drift::load_report(path) {
            Ok(r) => Some(r),
            Err(e) => return usage_error(e),
        },
        None => None,
    };
    let progress = ScanProgress::for_stderr(cfg.quiet);
    let mut outcome = match crate::scan(&cfg, &catalog, &progress).await {
        Ok(o) => o,
        Err(e) => return usage_error(e),
    };
    if let Some(old) = &baseline_report {
        outcome.report.changes = Some(crate::drift::compare(old, &outcome.report));
    }
    if let Err(e) = write_outputs(&outcome.report, out) {
        return usage_error(e);
    }
    if outcome.start_failed {
        if !out.quiet {
            eprintln!("privacy-inventory: the start URL {} could not be fetched (see errors in the report)", cfg.start);
        }
        return Exit::StartFailed;
    }
    match (&outcome.report.changes, baseline.fail_on_new) {
        (Some(changes), true) => {
            let only_new = crate::report::model::Report {
                findings: changes.new_findings.clone(),
                ..Default::default()
            };
            findings_exit(&only_new, &effective_fail_on(&out.fail_on, None))
        }
        _ => findings_exit(&outcome.report, &effective_fail_on(&out.fail_on, None)),
    }
}

/// `scan`: one URL, or the sites of a config file.
pub async fn run_scan(args: ScanArgs) -> Exit {
    let config_path = match (&args.url, &args.config) {
        (Some(url), None) => {
            return match build_config(url, &args.crawl, args.out.quiet) {
                Ok(cfg) => run_config(cfg, &args.out, &args.baseline).await,
                Err(e) => usage_error(e),
            }
        }
        (Some(_), Some(_)) => return usage_error("give either a start URL or --config, not both"),
        (None, Some(p)) => p.clone(),
        (None, None) => {
            let p = PathBuf::from(super::config_file::DEFAULT_CONFIG);
            if !p.exists() {
                return usage_error(
                    "no start URL and no privacy-inventory.toml here: run `privacy-inventory scan https://www.example.com` or `privacy-inventory init`",
                );
            }
            p
        }
    };
    let file = match super::config_file::load(&config_path) {
        Ok(f) => f,
        Err(e) => return usage_error(e),
    };
    let mut sites = match super::config_file::plan(&file, args.out.quiet) {
        Ok(s) => s,
        Err(e) => return usage_error(e),
    };
    if let Some(name) = &args.site {
        sites.retain(|s| &s.name == name);
        if sites.is_empty() {
            return usage_error(format!(
                "no site named {name:?} in {}",
                config_path.display()
            ));
        }
    }
    if sites.len() == 1 && args.out.output.is_some() {
        let site = sites.remove(0);
        let mut out = args.out.clone();
        out.fail_on = Some(effective_fail_on(&out.fail_on, file.fail_on.as_ref()));
        return run_config(site.config, &out, &args.baseline).await;
    }
    super::portfolio::run(&file, sites, args.output_dir.clone(), &args.out).await
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
