//! `--resolve HOST:PORT:ADDR` as a reqwest DNS resolver.
//!
//! reqwest's own `ClientBuilder::resolve` only maps one exact host, but tests and staging scans need
//! `*` (every host, third parties included) on one loopback server. hyper-util (0.1.21) keeps a
//! non-zero port returned by the resolver unless the URL names a port itself, which is exactly the
//! documented semantics (PORT when the URL has none, an explicit URL port wins), so one client does.

use crate::config::ResolveRule;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::SocketAddr;
use std::sync::Arc;

/// A host that neither a rule nor the system resolver knows.
#[derive(Debug, thiserror::Error)]
#[error("dns error: could not resolve {0}")]
pub struct DnsFailure(pub String);

/// Resolver that applies `--resolve` rules and asks the system for every other host.
#[derive(Debug, Clone)]
pub struct RuleResolver {
    rules: Arc<Vec<ResolveRule>>,
}

impl RuleResolver {
    /// A resolver for these rules (exact hosts win over `*`).
    pub fn new(rules: Vec<ResolveRule>) -> Self {
        RuleResolver {
            rules: Arc::new(rules),
        }
    }

    /// The socket address a rule gives `host`, if any.
    pub fn lookup(&self, host: &str) -> Option<SocketAddr> {
        ResolveRule::find(&self.rules, host).map(|r| SocketAddr::new(r.addr, r.port))
    }
}

impl Resolve for RuleResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        if let Some(addr) = self.lookup(&host) {
            let addrs: Addrs = Box::new(std::iter::once(addr));
            return Box::pin(async move { Ok(addrs) });
        }
        Box::pin(async move {
            // Port 0 tells hyper-util to use the URL's (or the scheme's default) port.
            let found = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map(|it| it.collect::<Vec<SocketAddr>>());
            match found {
                Ok(v) => {
                    if v.is_empty() {
                        Err(Box::new(DnsFailure(host)) as Box<dyn std::error::Error + Send + Sync>)
                    } else {
                        Ok(Box::new(v.into_iter()) as Addrs)
                    }
                }
                Err(_) => {
                    Err(Box::new(DnsFailure(host)) as Box<dyn std::error::Error + Send + Sync>)
                }
            }
        })
    }
}
