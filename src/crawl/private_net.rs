//! Internal addresses are off limits unless the user named them (SSRF guard).
//!
//! A scanned site controls the URLs the scanner fetches: its scripts, frames, stylesheets, policy
//! links and redirects. Run on a cloud runner or inside a company network, an unguarded scanner
//! would fetch `http://169.254.169.254/` (cloud metadata), an admin panel on `10.0.0.1` or a
//! database console on `localhost:8080` for the site, and copy what it reads into the report.
//!
//! So before every connection (each redirect hop included) the address the connection will use is
//! judged, *after* `--resolve` rules and DNS: a public name that resolves to 127.0.0.1 is caught.
//! The resolver keeps one answer per host per scan, and the connection uses that same answer, so
//! a rebinding DNS server cannot swap the address between the check and the connect.
//!
//! Allowed all the same, because the user named them: the start URL's own host and port (and
//! `--policy` URLs), each `--resolve` target exactly as `ADDR:PORT`, the `--proxy`; or everything
//! with `--allow-private` (intranet sites).

use super::resolve::RuleResolver;
use crate::config::{ResolveRule, ScanConfig};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use url::{Host, Url};

/// Whether `ip` is an internal address: loopback, unspecified (`0.0.0.0`, `::`), link-local
/// (169.254/16 with the cloud metadata service, fe80::/10), private (10/8, 172.16/12,
/// 192.168/16, fc00::/7), shared carrier-grade NAT (100.64/10, where some clouds put metadata),
/// and IPv4 addresses wrapped in IPv6.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_private_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private_v4(v4);
            }
            let seg0 = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (seg0 & 0xfe00) == 0xfc00
                || (seg0 & 0xffc0) == 0xfe80
                // IPv4-compatible ::a.b.c.d (deprecated, still routed by some stacks)
                || (v6.segments()[..6].iter().all(|s| *s == 0)
                    && is_private_v4(Ipv4Addr::from(u128::from(v6) as u32)))
        }
    }
}

fn is_private_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64)
}

/// The guard for one scan.
#[derive(Debug, Clone)]
pub struct AddressGuard {
    allow_all: bool,
    /// `(host, port)` pairs the user typed: the start URL, `--policy` URLs.
    named_hosts: Vec<(String, u16)>,
    /// Socket addresses the user typed: `--resolve` targets.
    named_addrs: Vec<SocketAddr>,
    /// Requests go through `--proxy`: the proxy resolves names, so only literal addresses (and
    /// `localhost`) can be judged here.
    proxied: bool,
    rules: Vec<ResolveRule>,
}

/// Why a URL was not fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The address the connection would have used (or the host, behind a proxy).
    pub address: String,
}

impl AddressGuard {
    /// The guard for `config`'s scan.
    pub fn new(config: &ScanConfig) -> Self {
        let mut named_hosts = Vec::new();
        let policy_urls = config.policy.iter().filter_map(|p| Url::parse(p).ok());
        for u in std::iter::once(config.start.clone()).chain(policy_urls) {
            if let (Some(h), Some(p)) = (u.host_str(), u.port_or_known_default()) {
                named_hosts.push((h.to_ascii_lowercase(), p));
            }
        }
        let mut named_addrs: Vec<SocketAddr> = config
            .resolve
            .iter()
            .map(|r| SocketAddr::new(r.addr, r.port))
            .collect();
        if let Some(p) = config.proxy.as_deref().and_then(|p| Url::parse(p).ok()) {
            if let (Some(h), Some(port)) = (p.host_str(), p.port_or_known_default()) {
                named_hosts.push((h.to_ascii_lowercase(), port));
                if let Ok(ip) = h.trim_matches(['[', ']']).parse::<IpAddr>() {
                    named_addrs.push(SocketAddr::new(ip, port));
                }
            }
        }
        AddressGuard {
            allow_all: config.allow_private,
            named_hosts,
            named_addrs,
            proxied: config.proxy.is_some(),
            rules: config.resolve.clone(),
        }
    }

    /// Whether `url` may be fetched: `Err` names the internal address it would reach. A host that
    /// does not resolve passes (the fetch then fails with its own DNS error).
    pub async fn check(&self, url: &Url, resolver: &RuleResolver) -> Result<(), Refusal> {
        if self.allow_all {
            return Ok(());
        }
        let (Some(host), Some(port)) = (url.host(), url.port_or_known_default()) else {
            return Ok(());
        };
        let host_str = url.host_str().unwrap_or_default().to_ascii_lowercase();
        if self
            .named_hosts
            .iter()
            .any(|(h, p)| *h == host_str && *p == port)
        {
            return Ok(());
        }
        let addrs: Vec<SocketAddr> = match host {
            Host::Ipv4(ip) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
            Host::Ipv6(ip) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
            Host::Domain(name) => {
                if let Some(rule) = ResolveRule::find(&self.rules, name) {
                    // An explicit URL port wins over the rule's (see `resolve`).
                    vec![SocketAddr::new(rule.addr, url.port().unwrap_or(rule.port))]
                } else if self.proxied {
                    let local = host_str == "localhost" || host_str.ends_with(".localhost");
                    if local {
                        vec![SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port)]
                    } else {
                        return Ok(());
                    }
                } else {
                    match resolver.system_addrs(name).await {
                        Ok(ips) => ips.iter().map(|ip| SocketAddr::new(*ip, port)).collect(),
                        Err(_) => return Ok(()),
                    }
                }
            }
        };
        match addrs
            .into_iter()
            .find(|a| is_private(a.ip()) && !self.named_addrs.contains(a))
        {
            Some(a) => Err(Refusal {
                address: a.to_string(),
            }),
            None => Ok(()),
        }
    }
}

/// The guard with the scan's resolver, for a client that does its own connecting (Chromium):
/// judges each request before the browser sends it.
#[derive(Debug, Clone)]
pub struct RequestGuard {
    guard: AddressGuard,
    resolver: RuleResolver,
}

impl RequestGuard {
    /// The guard for `config`'s scan; `None` with `--allow-private` (nothing to judge).
    pub fn for_scan(config: &ScanConfig) -> Option<Self> {
        (!config.allow_private).then(|| RequestGuard {
            guard: AddressGuard::new(config),
            resolver: RuleResolver::new(config.resolve.clone()),
        })
    }

    /// Whether the browser may send a request to `url` (http, https, ws, wss; anything else,
    /// such as `data:` or `chrome:`, never leaves the browser and passes).
    pub async fn check(&self, url: &str) -> Result<(), Refusal> {
        match Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https" | "ws" | "wss") => {
                self.guard.check(&u, &self.resolver).await
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_ranges_are_private() {
        for a in [
            "127.0.0.1",
            "127.9.9.9",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.100.100.200",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(is_private(a.parse().unwrap()), "{a}");
        }
        for a in ["8.8.8.8", "172.32.0.1", "93.184.216.34", "2606:4700::1111"] {
            assert!(!is_private(a.parse().unwrap()), "{a}");
        }
    }

    fn guard(start: &str, resolve: &[&str]) -> (AddressGuard, RuleResolver) {
        let mut c = ScanConfig::new(Url::parse(start).unwrap());
        c.resolve = resolve
            .iter()
            .map(|r| ResolveRule::parse(r).unwrap())
            .collect();
        (AddressGuard::new(&c), RuleResolver::new(c.resolve.clone()))
    }

    #[tokio::test]
    async fn only_named_addresses_pass() {
        let (g, r) = guard("http://www.site.test/", &["*:8080:127.0.0.1"]);
        let ok = |u: &str| Url::parse(u).unwrap();
        // The --resolve target exactly: every host on the rule's port.
        assert!(g.check(&ok("http://cdn.other.test/x.js"), &r).await.is_ok());
        assert!(g.check(&ok("http://127.0.0.1:8080/"), &r).await.is_ok());
        // Another loopback port, the metadata service, a literal private address: refused.
        let e = g.check(&ok("http://cdn.other.test:9999/"), &r).await;
        assert_eq!(e.unwrap_err().address, "127.0.0.1:9999");
        assert!(g
            .check(&ok("http://169.254.169.254/latest/"), &r)
            .await
            .is_err());
        assert!(g.check(&ok("http://[::1]:8080/"), &r).await.is_err());
        assert!(g.check(&ok("http://10.0.0.1/"), &r).await.is_err());
        // Public literal addresses are none of the guard's business.
        assert!(g.check(&ok("http://93.184.216.34/"), &r).await.is_ok());
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_caught_after_dns() {
        let (g, r) = guard("http://www.site.test/", &[]);
        let e = g
            .check(&Url::parse("http://localhost:1/").unwrap(), &r)
            .await
            .unwrap_err();
        assert!(e.address.ends_with(":1"), "{e:?}");
        // The start URL's own host and port are the user's choice.
        let (g, r) = guard("http://localhost:8081/", &[]);
        let named = Url::parse("http://localhost:8081/about").unwrap();
        assert!(g.check(&named, &r).await.is_ok());
        let other_port = Url::parse("http://localhost:8082/").unwrap();
        assert!(g.check(&other_port, &r).await.is_err());
    }

    #[tokio::test]
    async fn allow_private_opens_everything() {
        let mut c = ScanConfig::new(Url::parse("http://intranet.test/").unwrap());
        c.allow_private = true;
        let g = AddressGuard::new(&c);
        let u = Url::parse("http://10.0.0.1/").unwrap();
        assert!(g.check(&u, &RuleResolver::default()).await.is_ok());
    }
}
