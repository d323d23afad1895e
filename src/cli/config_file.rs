//! `privacy-inventory.toml`: one or many sites, catalog extensions, the fail-on threshold and
//! accepted exceptions, for the nightly compliance run. `privacy-inventory init` writes a
//! commented starter.
//!
//! Site settings go through the same validation as the flags (they become [`CrawlArgs`]), so a
//! config file can never express something the command line would refuse.

use super::crawl_args::{build_config, CrawlArgs};
use super::output::FailOn;
use super::precedence::{overlay, Given};
use crate::config::ScanConfig;
use crate::exceptions::AcceptRule;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// File name looked for in the working directory.
pub const DEFAULT_CONFIG: &str = "privacy-inventory.toml";

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Default `--fail-on` for every site.
    #[serde(default)]
    pub fail_on: Option<FailOn>,
    /// Catalog extension files (relative to the config file).
    #[serde(default)]
    pub catalogs: Vec<PathBuf>,
    /// Sites scanned at the same time (default 1).
    #[serde(default)]
    pub parallel: Option<usize>,
    /// Sites.
    #[serde(default, rename = "site")]
    pub sites: Vec<SiteConfig>,
    /// Accepted exceptions.
    #[serde(default, rename = "accept")]
    pub accept: Vec<AcceptRule>,
    /// Where the file was read from, for error messages (set by [`load`]).
    #[serde(skip)]
    pub source: PathBuf,
    /// 1-based line of each `[[site]]` header, in order, so that a value only [`plan`] can
    /// check (a URL, a regex) is still reported with the line to fix.
    #[serde(skip)]
    pub site_lines: Vec<usize>,
}

/// One `[[site]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Name used for report files (default: the start URL's host).
    #[serde(default)]
    pub name: Option<String>,
    /// Start URL.
    pub url: String,
    /// Policy URL(s) or files; empty = discover.
    #[serde(default)]
    pub policy: Vec<String>,
    /// "host" or "domain".
    #[serde(default)]
    pub scope: Option<String>,
    /// Extra first-party registrable domains.
    #[serde(default)]
    pub first_party: Vec<String>,
    /// "static" or "browser".
    #[serde(default)]
    pub mode: Option<String>,
    /// Browser consent phases.
    #[serde(default)]
    pub consent: Option<String>,
    /// Page cap.
    #[serde(default)]
    pub max_pages: Option<usize>,
    /// Depth cap.
    #[serde(default)]
    pub max_depth: Option<usize>,
    /// Concurrency.
    #[serde(default)]
    pub concurrency: Option<usize>,
    /// Requests per second per host.
    #[serde(default)]
    pub rate: Option<f64>,
    /// Request timeout, seconds.
    #[serde(default)]
    pub timeout: Option<f64>,
    /// Body cap ("10M").
    #[serde(default)]
    pub max_body: Option<String>,
    /// URL regexes to include.
    #[serde(default)]
    pub include: Vec<String>,
    /// URL regexes to exclude.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// `HOST:PORT:ADDR` overrides.
    #[serde(default)]
    pub resolve: Vec<String>,
    /// Proxy URL.
    #[serde(default)]
    pub proxy: Option<String>,
    /// Accept invalid certificates.
    #[serde(default)]
    pub insecure: bool,
    /// Let pages lead to internal addresses (intranet sites), like `--allow-private`.
    #[serde(default)]
    pub allow_private: bool,
    /// Infrastructure DNS look-ups to this server (`ADDR[:PORT]`), like `--dns-server`.
    #[serde(default)]
    pub dns_server: Option<String>,
    /// Skip the infrastructure DNS look-ups, like `--no-dns`.
    #[serde(default)]
    pub no_dns: bool,
    /// Ignore robots.txt.
    #[serde(default)]
    pub ignore_robots: bool,
    /// User-Agent.
    #[serde(default)]
    pub user_agent: Option<String>,
}

/// A site ready to scan.
#[derive(Debug, Clone)]
pub struct PlannedSite {
    /// File-name-safe name.
    pub name: String,
    /// Validated settings.
    pub config: ScanConfig,
}

/// Largest config file read: a real one is a few KB; `/dev/zero` or a log file given by mistake
/// must fail fast instead of being read until memory runs out.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

fn read_capped(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read config {}: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(format!(
            "config {} is larger than {} KB: is it the right file?",
            path.display(),
            MAX_CONFIG_BYTES / 1024
        ));
    }
    String::from_utf8(bytes).map_err(|_| format!("config {} is not UTF-8 text", path.display()))
}

/// Read and validate a config file; errors name the file, line and field.
pub fn load(path: &Path) -> Result<ConfigFile, String> {
    let text = read_capped(path)?;
    let mut file: ConfigFile = toml::from_str(&text)
        .map_err(|e| format!("config {}: {}", path.display(), one_line(&e.to_string())))?;
    file.source = path.to_path_buf();
    file.site_lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            let l = l.trim_start();
            l.starts_with("[[site]]") || l.starts_with("[[ site ]]")
        })
        .map(|(i, _)| i + 1)
        .collect();
    let base = path.parent().unwrap_or(Path::new("."));
    file.catalogs = file.catalogs.iter().map(|c| base.join(c)).collect();
    for rule in &file.accept {
        rule.validate()
            .map_err(|e| format!("config {}: {e}", path.display()))?;
    }
    if file.sites.is_empty() {
        return Err(format!("config {}: no [[site]] entries", path.display()));
    }
    Ok(file)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Settings whose value is one of a few words: clap checks the flags, this checks the file, so a
/// typo (`scope = "hots"`) is an error instead of silently becoming the default.
/// A config field with the same closed set of values as its command-line flag: the allowed names
/// come from the flag's enum, so the file and the flag cannot drift apart.
fn choice<T: clap::ValueEnum>(field: &str, value: &Option<String>) -> Result<Option<T>, String> {
    let Some(v) = value else {
        return Ok(None);
    };
    T::from_str(v, false).map(Some).map_err(|_| {
        let allowed: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|x| x.to_possible_value())
            .map(|p| p.get_name().to_string())
            .collect();
        format!("{field} {v:?}: expected {}", allowed.join(", "))
    })
}

/// The validation messages of [`build_config`] name command-line flags; in a config file the
/// user has to find the field instead.
fn flags_to_fields(msg: &str) -> String {
    const FLAGS: &[(&str, &str)] = &[
        ("--max-pages", "max_pages"),
        ("--max-depth", "max_depth"),
        ("--max-body", "max_body"),
        ("--concurrency", "concurrency"),
        ("--page-timeout", "page_timeout"),
        ("--timeout", "timeout"),
        ("--rate", "rate"),
        ("--include", "include"),
        ("--exclude", "exclude"),
        ("--resolve", "resolve"),
        ("--proxy", "proxy"),
        ("--dns-server", "dns_server"),
        ("start URL", "url"),
    ];
    FLAGS
        .iter()
        .fold(msg.to_string(), |m, (flag, field)| m.replace(flag, field))
}

/// Turn each `[[site]]` into a validated [`ScanConfig`]; names are unique and file-name-safe.
/// An error names the file, the site (its name, else its position) and the line of its header.
pub fn plan(file: &ConfigFile, quiet: bool) -> Result<Vec<PlannedSite>, String> {
    plan_with(file, quiet, &CrawlArgs::default(), &Given::default())
}

/// [`plan`], with the crawl flags typed next to `--config` applied to every site over the
/// file's values (see [`super::precedence`]); a bad flag value is reported as the flag.
pub fn plan_with(
    file: &ConfigFile,
    quiet: bool,
    cli: &CrawlArgs,
    given: &Given,
) -> Result<Vec<PlannedSite>, String> {
    let mut out: Vec<PlannedSite> = Vec::new();
    for (i, site) in file.sites.iter().enumerate() {
        let where_ = || {
            let who = match &site.name {
                Some(n) => format!("[[site]] {n:?}"),
                None => format!("[[site]] #{}", i + 1),
            };
            match file.site_lines.get(i) {
                Some(line) => format!("config {}: {who} (line {line})", file.source.display()),
                None => format!("config {}: {who}", file.source.display()),
            }
        };
        let scope = choice("scope", &site.scope).map_err(|e| format!("{}: {e}", where_()))?;
        let mode = choice("mode", &site.mode).map_err(|e| format!("{}: {e}", where_()))?;
        let consent = choice("consent", &site.consent).map_err(|e| format!("{}: {e}", where_()))?;
        if site.dns_server.is_some() && site.no_dns {
            return Err(format!(
                "{}: dns_server and no_dns contradict each other: keep one",
                where_()
            ));
        }
        let d = CrawlArgs::default();
        let mut args = CrawlArgs {
            scope: scope.unwrap_or(d.scope),
            include: site.include.clone(),
            exclude: site.exclude.clone(),
            first_party: site.first_party.clone(),
            max_pages: site.max_pages.unwrap_or(d.max_pages),
            max_depth: site.max_depth,
            concurrency: site.concurrency,
            rate: site.rate.unwrap_or(d.rate),
            timeout: site.timeout.unwrap_or(d.timeout),
            max_body: site.max_body.clone().unwrap_or(d.max_body.clone()),
            user_agent: site.user_agent.clone(),
            ignore_robots: site.ignore_robots,
            resolve: site.resolve.clone(),
            proxy: site.proxy.clone(),
            insecure: site.insecure,
            allow_private: site.allow_private,
            dns_server: site.dns_server.clone(),
            no_dns: site.no_dns,
            policy: site.policy.clone(),
            catalog: file.catalogs.clone(),
            mode: mode.unwrap_or(d.mode),
            consent: consent.unwrap_or(d.consent),
            ..d
        };
        overlay(&mut args, cli, given);
        let mut config = build_config(&site.url, &args, quiet)
            .map_err(|e| format!("{}: {}", where_(), one_line(&flags_to_fields(&e))))?;
        config.accepted = file.accept.clone();
        let raw = site
            .name
            .clone()
            .unwrap_or_else(|| config.start.host_str().unwrap_or("site").to_string());
        let mut name: String = raw
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        if out.iter().any(|p| p.name == name) {
            name = format!("{name}-{}", out.len() + 1);
        }
        out.push(PlannedSite { name, config });
    }
    Ok(out)
}

/// The commented starter written by `privacy-inventory init`.
pub const STARTER: &str = r#"# privacy-inventory configuration
# `privacy-inventory scan` with no URL reads this file from the working directory.

# Exit 1 when findings at or above this severity exist: high | medium | low | info | never.
fail_on = "high"

# Sites scanned at the same time.
parallel = 1

# Your own catalog entries (services the built-in catalog lacks, or domains that are yours).
# catalogs = ["catalog/our-services.toml"]

[[site]]
name = "www"
url = "https://www.example.com/"
# policy = ["https://www.example.com/privacy"]   # default: discovered from the site's links
# scope = "domain"                                # or "host"
# first_party = ["example-cdn.com"]               # other domains that are yours
# mode = "static"                                 # or "browser" (needs Chromium)
# consent = "auto"                                # browser: none | accept | reject | both
max_pages = 200
# max_depth = 5
# rate = 5.0                                      # requests per second per host

# Accepted exceptions: reported as accepted, not counted for the exit code until they expire.
# [[accept]]
# service = "google-fonts"          # or: host = "fonts.googleapis.com"
# reason = "Self-hosting scheduled for Q1, see ticket PRIV-123"
# approved_by = "dpo@example.com"
# expires = "2027-03-31"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(DEFAULT_CONFIG);
        std::fs::write(&p, text).unwrap();
        (dir, p)
    }

    #[test]
    fn starter_parses_and_plans() {
        let (_d, p) = write(STARTER);
        let f = load(&p).unwrap();
        let sites = plan(&f, true).unwrap();
        assert_eq!(sites.len(), 1);
        assert_eq!(sites[0].name, "www");
        assert_eq!(sites[0].config.max_pages, 200);
    }

    #[test]
    fn errors_name_line_and_field() {
        let (_d, p) = write("[[site]]\nurl = \"https://a.example/\"\nmax_pagez = 3\n");
        let e = load(&p).unwrap_err();
        assert!(e.contains("max_pagez") && e.contains("line 3"), "{e}");
        let (_d, p) = write("[[site]]\nurl = \"a.example\"\n");
        let e = plan(&load(&p).unwrap(), true).unwrap_err();
        assert!(e.contains("no scheme"), "{e}");
    }

    #[test]
    fn duplicate_names_are_made_unique_and_accepts_validated() {
        let (_d, p) = write(
            "[[site]]\nurl = \"https://a.example/\"\n[[site]]\nurl = \"https://a.example/x\"\n",
        );
        let names: Vec<_> = plan(&load(&p).unwrap(), true)
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, vec!["a.example", "a.example-2"]);
        let (_d, p) = write("[[site]]\nurl = \"https://a.example/\"\n[[accept]]\nreason = \"r\"\napproved_by = \"me\"\n");
        assert!(load(&p).unwrap_err().contains("service"));
    }
}
