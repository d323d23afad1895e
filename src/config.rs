//! Validated scan settings: what the CLI (or a config file) produces and every stage reads.
//!
//! `cli` turns typed flags into a `ScanConfig`; nothing past this point re-validates input.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

pub use crate::model::Mode;

/// Which hosts count as the site (crawled, first party).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScopeKind {
    /// Only the start URL's host.
    Host,
    /// Every host under the start URL's registrable domain (default).
    Domain,
}

/// Consent phases to run in browser mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ConsentMode {
    /// Decide: `both` when a consent manager is detected, else `none`.
    Auto,
    /// Only the pre-consent visit.
    None,
    /// Pre-consent, then after clicking "accept all".
    Accept,
    /// Pre-consent, then after clicking "reject all".
    Reject,
    /// Pre-consent, accept, and reject.
    Both,
}

/// `--resolve HOST:PORT:ADDR`: connect to ADDR whenever a URL's host is HOST (`*` = every host).
/// PORT is used when the URL names no port; an explicit URL port wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveRule {
    /// Lowercase host, or "*".
    pub host: String,
    /// Port to connect to when the URL has none.
    pub port: u16,
    /// Address to connect to.
    pub addr: IpAddr,
}

impl ResolveRule {
    /// Parse `HOST:PORT:ADDR` (ADDR may be a bracketed IPv6 literal).
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut parts = s.splitn(3, ':');
        let (host, port, addr) = match (parts.next(), parts.next(), parts.next()) {
            (Some(h), Some(p), Some(a)) if !h.is_empty() => (h, p, a),
            _ => {
                return Err(format!(
                    "--resolve {s:?}: expected HOST:PORT:ADDR, e.g. '*:8080:127.0.0.1'"
                ))
            }
        };
        let port: u16 = port
            .parse()
            .map_err(|_| format!("--resolve {s:?}: PORT {port:?} is not a port number"))?;
        let addr: IpAddr = addr
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .map_err(|_| format!("--resolve {s:?}: ADDR {addr:?} is not an IP address"))?;
        Ok(ResolveRule {
            host: host.to_ascii_lowercase(),
            port,
            addr,
        })
    }

    /// The rule for `host`, exact host rules before `*`.
    pub fn find<'a>(rules: &'a [ResolveRule], host: &str) -> Option<&'a ResolveRule> {
        rules
            .iter()
            .find(|r| r.host.eq_ignore_ascii_case(host))
            .or_else(|| rules.iter().find(|r| r.host == "*"))
    }
}

/// Everything a scan needs to know. Built by `cli`, read by every stage.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// Normalised start URL.
    pub start: Url,
    /// Static or browser.
    pub mode: Mode,
    /// Host or registrable domain.
    pub scope: ScopeKind,
    /// Only crawl URLs matching one of these (empty = all in scope).
    pub include: Vec<regex::Regex>,
    /// Never crawl URLs matching one of these.
    pub exclude: Vec<regex::Regex>,
    /// Extra registrable domains treated as first party (`--first-party`).
    pub first_party: Vec<String>,
    /// `--max-pages` (default 100).
    pub max_pages: usize,
    /// `--max-depth`.
    pub max_depth: Option<usize>,
    /// Simultaneous requests (static) or tabs (browser).
    pub concurrency: usize,
    /// Requests per second per host; None = unlimited.
    pub rate: Option<f64>,
    /// Per-request timeout (whole response, body included).
    pub timeout: Duration,
    /// Body byte cap; a larger body is cut and recorded as `too_large`.
    pub max_body: u64,
    /// User-Agent header.
    pub user_agent: String,
    /// Do not fetch or honour robots.txt.
    pub ignore_robots: bool,
    /// DNS overrides.
    pub resolve: Vec<ResolveRule>,
    /// HTTP(S)/SOCKS proxy for every request.
    pub proxy: Option<String>,
    /// Accept invalid TLS certificates.
    pub insecure: bool,
    /// Connect to internal addresses (loopback, private, link-local) that the user did not name
    /// (`--allow-private`, for intranet sites); see `crawl::private_net`.
    pub allow_private: bool,
    /// Fetch each distinct third-party script/iframe URL once to record its cookies.
    pub subresources: bool,
    /// Policy URLs or files given with `--policy`; empty = discover.
    pub policy: Vec<String>,
    /// User catalog files merged over the built-in catalog.
    pub catalogs: Vec<PathBuf>,
    /// Browser mode: Chromium executable.
    pub chrome: Option<PathBuf>,
    /// Browser mode: cap per page before moving on.
    pub page_timeout: Duration,
    /// Browser mode: consent phases.
    pub consent: ConsentMode,
    /// No progress output on stderr.
    pub quiet: bool,
    /// Accepted exceptions from the config file.
    pub accepted: Vec<crate::exceptions::AcceptRule>,
    /// Where the infrastructure DNS look-ups go (`--dns-server`, `--no-dns`).
    pub dns: DnsMode,
}

/// Where infrastructure DNS look-ups (CNAME, A/AAAA, PTR, MX, TXT) are sent. HTTP connections
/// never use this: `--resolve` and the system decide those.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DnsMode {
    /// The system's resolver configuration (/etc/resolv.conf).
    #[default]
    System,
    /// One server, UDP with TCP when truncated (`--dns-server`).
    Server(std::net::SocketAddr),
    /// No look-ups (`--no-dns`).
    Off,
}

impl DnsMode {
    /// How the report's `settings.dns` says it.
    pub fn describe(self) -> String {
        match self {
            DnsMode::System => "system".into(),
            DnsMode::Server(a) => format!("server {a}"),
            DnsMode::Off => "off".into(),
        }
    }

    /// Parse `--dns-server ADDR[:PORT]` (port 53 when none; IPv6 with a port as `[::1]:53`).
    pub fn parse_server(s: &str) -> Result<DnsMode, String> {
        let t = s.trim();
        if let Ok(a) = t.parse::<std::net::SocketAddr>() {
            return Ok(DnsMode::Server(a));
        }
        match t.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>() {
            Ok(ip) => Ok(DnsMode::Server(std::net::SocketAddr::new(ip, 53))),
            Err(_) => Err(format!(
                "--dns-server {s:?}: expected an IP address with an optional port, e.g. 192.0.2.53 or 127.0.0.1:5353"
            )),
        }
    }
}

/// Default User-Agent: honest, names the tool and where to read about it.
pub fn default_user_agent() -> String {
    format!(
        "privacy-inventory/{} (+https://github.com/privacy-inventory/privacy-inventory; privacy audit crawler)",
        env!("CARGO_PKG_VERSION")
    )
}

impl ScanConfig {
    /// Defaults for `start`, as `privacy-inventory scan START` would use.
    pub fn new(start: Url) -> Self {
        ScanConfig {
            start,
            mode: Mode::Static,
            scope: ScopeKind::Domain,
            include: Vec::new(),
            exclude: Vec::new(),
            first_party: Vec::new(),
            max_pages: 100,
            max_depth: None,
            concurrency: 8,
            rate: None,
            timeout: Duration::from_secs(20),
            max_body: 10 * 1024 * 1024,
            user_agent: default_user_agent(),
            ignore_robots: false,
            resolve: Vec::new(),
            proxy: None,
            insecure: false,
            allow_private: false,
            subresources: true,
            policy: Vec::new(),
            catalogs: Vec::new(),
            chrome: None,
            page_timeout: Duration::from_secs(10),
            consent: ConsentMode::Auto,
            quiet: false,
            accepted: Vec::new(),
            dns: DnsMode::System,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_rule_parses_wildcard_and_ipv6() {
        let r = ResolveRule::parse("*:8080:127.0.0.1").unwrap();
        assert_eq!((r.host.as_str(), r.port), ("*", 8080));
        let r = ResolveRule::parse("WWW.Example.com:443:[::1]").unwrap();
        assert_eq!(r.host, "www.example.com");
        assert!(r.addr.is_ipv6());
        assert!(ResolveRule::parse("example.com:80").is_err());
        assert!(ResolveRule::parse("example.com:x:127.0.0.1").is_err());
    }
}
