//! `--resolve HOST:PORT:ADDR` as a reqwest DNS resolver, with one answer per host per scan.
//!
//! reqwest's own `ClientBuilder::resolve` only maps one exact host, but tests and staging scans need
//! `*` (every host, third parties included) on one loopback server. hyper-util (0.1.21) keeps a
//! non-zero port returned by the resolver unless the URL names a port itself, which is exactly the
//! documented semantics (PORT when the URL has none, an explicit URL port wins), so one client does.
//!
//! Every other host is looked up once per scan and the answer (or the failure) is kept: the
//! private-address guard ([`super::private_net`]) judges exactly the addresses the connection then
//! uses (no second look-up that a rebinding DNS server could answer differently), and a third-party
//! host that does not resolve (egress-blocked CI) costs one look-up, not one per page.

use crate::config::ResolveRule;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// Hosts whose answers are kept; beyond this, look-ups are not cached (memory stays bounded on a
/// page that names 100,000 hosts).
pub const MAX_CACHED_HOSTS: usize = 20_000;

/// A host that neither a rule nor the system resolver knows.
#[derive(Debug, Clone, thiserror::Error)]
#[error("dns error: could not resolve {0}")]
pub struct DnsFailure(pub String);

type Answer = Result<Arc<[IpAddr]>, DnsFailure>;

/// Resolver that applies `--resolve` rules and asks the system (once per host) for every other.
#[derive(Debug, Clone, Default)]
pub struct RuleResolver {
    rules: Arc<Vec<ResolveRule>>,
    cache: Arc<Mutex<HashMap<String, Arc<OnceCell<Answer>>>>>,
}

impl RuleResolver {
    /// A resolver for these rules (exact hosts win over `*`).
    pub fn new(rules: Vec<ResolveRule>) -> Self {
        RuleResolver {
            rules: Arc::new(rules),
            cache: Arc::default(),
        }
    }

    /// The socket address a rule gives `host`, if any.
    pub fn lookup(&self, host: &str) -> Option<SocketAddr> {
        ResolveRule::find(&self.rules, host).map(|r| SocketAddr::new(r.addr, r.port))
    }

    /// The system's addresses for `host`, looked up once per scan (failures included).
    pub async fn system_addrs(&self, host: &str) -> Answer {
        let key = host.to_ascii_lowercase();
        let cell = {
            let mut map = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            match map.get(&key) {
                Some(c) => Some(c.clone()),
                None if map.len() >= MAX_CACHED_HOSTS => None,
                None => Some(map.entry(key.clone()).or_default().clone()),
            }
        };
        match cell {
            Some(c) => c.get_or_init(|| system_lookup(key)).await.clone(),
            None => system_lookup(key).await,
        }
    }
}

async fn system_lookup(host: String) -> Answer {
    // Port 0 tells hyper-util to use the URL's (or the scheme's default) port.
    let found = tokio::net::lookup_host((host.as_str(), 0))
        .await
        .map(|it| it.map(|a| a.ip()).collect::<Vec<IpAddr>>());
    match found {
        Ok(mut v) => {
            v.dedup();
            if v.is_empty() {
                Err(DnsFailure(host))
            } else {
                Ok(v.into())
            }
        }
        Err(_) => Err(DnsFailure(host)),
    }
}

impl Resolve for RuleResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        if let Some(addr) = self.lookup(&host) {
            let addrs: Addrs = Box::new(std::iter::once(addr));
            return Box::pin(async move { Ok(addrs) });
        }
        let me = self.clone();
        Box::pin(async move {
            match me.system_addrs(&host).await {
                Ok(ips) => {
                    let v: Vec<SocketAddr> = ips.iter().map(|ip| SocketAddr::new(*ip, 0)).collect();
                    Ok(Box::new(v.into_iter()) as Addrs)
                }
                Err(e) => Err(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
            }
        })
    }
}
