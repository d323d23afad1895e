//! Hostnames and registrable domains: the one place that asks the public suffix list.
//!
//! psl misreads uppercase hosts and IP addresses (`127.0.0.1` → `0.1`), so every caller goes
//! through [`registrable_domain`], which lowercases and passes IPs and single labels through.

use std::net::IpAddr;

/// Lowercase, trailing-dot-free form of a hostname (IPv6 brackets removed).
pub fn normalize_host(host: &str) -> String {
    host.trim_end_matches('.')
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

/// The registrable domain ("eTLD+1") of `host`; IPs, `localhost` and unknown shapes map to themselves.
pub fn registrable_domain(host: &str) -> String {
    let host = normalize_host(host);
    if host.parse::<IpAddr>().is_ok() || !host.contains('.') {
        return host;
    }
    match psl::domain_str(&host) {
        Some(d) => d.to_string(),
        None => host,
    }
}

/// Whether a URL is web traffic that can reach a third party: only `http(s)` and `ws(s)`.
///
/// A browser also loads `chrome:`, `chrome-extension:` (its PDF viewer), `devtools:`, `data:`,
/// `blob:` and `about:` URLs; they leave no machine, so they are never third parties, and their
/// "hosts" (an extension id, `resources`) would be false alarms.
pub fn is_web_url(url: &url::Url) -> bool {
    matches!(url.scheme(), "http" | "https" | "ws" | "wss")
}

/// `host` equals `domain` or is a subdomain of it.
pub fn host_within(host: &str, domain: &str) -> bool {
    host == domain
        || (host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

/// The registrable domains that count as the site itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FirstParty {
    domains: Vec<String>,
}

impl FirstParty {
    /// From registrable domains (lowercased, sorted, deduplicated).
    pub fn new<I: IntoIterator<Item = String>>(domains: I) -> Self {
        let mut domains: Vec<String> = domains.into_iter().map(|d| normalize_host(&d)).collect();
        domains.sort();
        domains.dedup();
        FirstParty { domains }
    }

    /// Whether `host` belongs to the site.
    pub fn contains(&self, host: &str) -> bool {
        let host = normalize_host(host);
        self.domains.iter().any(|d| host_within(&host, d))
    }

    /// The domains, sorted.
    pub fn domains(&self) -> &[String] {
        &self.domains
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrable_domains() {
        assert_eq!(registrable_domain("WWW.Example.CO.UK"), "example.co.uk");
        assert_eq!(registrable_domain("127.0.0.1"), "127.0.0.1");
        assert_eq!(registrable_domain("localhost"), "localhost");
        assert_eq!(registrable_domain("d1.cloudfront.net"), "d1.cloudfront.net");
        assert_eq!(
            registrable_domain("www.googletagmanager.com"),
            "googletagmanager.com"
        );
    }

    #[test]
    fn first_party_matches_subdomains_only_on_label_boundary() {
        let fp = FirstParty::new(["example.com".to_string()]);
        assert!(fp.contains("example.com"));
        assert!(fp.contains("Shop.Example.com."));
        assert!(!fp.contains("notexample.com"));
    }
}
