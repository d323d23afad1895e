//! Infrastructure DNS look-ups: the start host's CNAME chain and addresses, the PTR names of those
//! addresses, and the MX and SPF records of its registrable domain. They show the hoster and the
//! mail providers, which no page load does.
//!
//! Only these look-ups use this resolver (HTTP connects as `--resolve` and the system say). They
//! run while the crawl runs and under one overall deadline, so a slow or unreachable resolver
//! costs at most [`DEADLINE`], never a hang.

use crate::config::DnsMode;
use crate::domain::registrable_domain;
use crate::model::ScanError;
use crate::observe::DnsFacts;
use hickory_resolver::config::{NameServerConfigGroup, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::{Name, TokioResolver};
use std::net::IpAddr;
use std::time::Duration;

/// All look-ups of one scan together take at most this long.
pub const DEADLINE: Duration = Duration::from_secs(5);

/// Per-query timeout (one attempt each: the overall deadline bounds the rest).
const QUERY_TIMEOUT: Duration = Duration::from_secs(2);

/// CNAME hops followed before giving up (a loop or an absurd chain).
const MAX_CNAME_HOPS: usize = 8;

/// Special-use top-level names (RFC 6761/6762) that public DNS never answers: the system resolver
/// is not asked about them (fixture and staging names end in `.test`). A `--dns-server` is asked
/// about every name, since it may serve exactly such a zone.
const SPECIAL_USE: &[&str] = &[
    "test",
    "localhost",
    "invalid",
    "example",
    "local",
    "internal",
];

/// The outcome of the look-ups: facts found and problems met (as report errors, kind `dns`).
#[derive(Debug, Default)]
pub struct DnsOutcome {
    /// What was found.
    pub facts: DnsFacts,
    /// Resolver failures other than "no such record" (timeouts, server failures).
    pub errors: Vec<ScanError>,
}

/// Look up the infrastructure records of `host` as `mode` says; no records when the mode is off,
/// the host is an IP address, or a special-use name would go to the system resolver. The facts
/// always name the host and whether look-ups were off.
pub async fn look_up(host: String, mode: DnsMode) -> DnsOutcome {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let mut out = look_up_records(&host, mode).await;
    out.facts.host = host;
    out.facts.off = mode == DnsMode::Off;
    out
}

async fn look_up_records(host: &str, mode: DnsMode) -> DnsOutcome {
    if host.parse::<IpAddr>().is_ok() || host.starts_with('[') {
        return DnsOutcome::default();
    }
    let resolver = match mode {
        DnsMode::Off => return DnsOutcome::default(),
        DnsMode::System if is_special_use(host) => return DnsOutcome::default(),
        DnsMode::System => {
            TokioResolver::builder_tokio().map(|b| b.with_options(options()).build())
        }
        DnsMode::Server(addr) => {
            let group = NameServerConfigGroup::from_ips_clear(&[addr.ip()], addr.port(), true);
            let config = ResolverConfig::from_parts(None, Vec::new(), group);
            Ok(
                TokioResolver::builder_with_config(config, TokioConnectionProvider::default())
                    .with_options(options())
                    .build(),
            )
        }
    };
    let resolver = match resolver {
        Ok(r) => r,
        Err(e) => {
            return DnsOutcome {
                errors: vec![dns_error(
                    host,
                    format!("cannot read the system resolver configuration ({e}); pass --dns-server ADDR or --no-dns"),
                )],
                ..Default::default()
            }
        }
    };
    let mut out = DnsOutcome::default();
    let run = collect(&resolver, host, &mut out);
    if tokio::time::timeout(DEADLINE, run).await.is_err() {
        out.errors.push(dns_error(
            host,
            format!(
                "infrastructure DNS look-ups did not finish within {}s; results may be incomplete (check --dns-server, or pass --no-dns)",
                DEADLINE.as_secs()
            ),
        ));
    }
    out.facts.ptr.sort();
    out.facts.ptr.dedup();
    out.facts.mx.sort();
    out.facts.mx.dedup();
    out.facts.spf.sort();
    out.facts.spf.dedup();
    out.errors.sort();
    out.errors.dedup();
    out
}

fn options() -> ResolverOpts {
    let mut o = ResolverOpts::default();
    o.timeout = QUERY_TIMEOUT;
    o.attempts = 1;
    o.ndots = 0;
    o.cache_size = 64;
    o
}

/// Whether `host` ends in a special-use top-level name.
pub fn is_special_use(host: &str) -> bool {
    let tld = host.trim_end_matches('.').rsplit('.').next().unwrap_or("");
    SPECIAL_USE.contains(&tld)
}

async fn collect(resolver: &TokioResolver, host: &str, out: &mut DnsOutcome) {
    // The CNAME chain first: the addresses (and so the PTR names) belong to its end.
    let mut name = host.to_string();
    for _ in 0..MAX_CNAME_HOPS {
        match query(resolver, &name, RecordType::CNAME, &mut out.errors).await {
            Some(next) if !out.facts.cname.contains(&next) && next != host => {
                out.facts.cname.push(next.clone());
                name = next;
            }
            _ => break,
        }
    }
    let domain = registrable_domain(host);
    let (a, aaaa, mx, txt) = tokio::join!(
        records(resolver, &name, RecordType::A),
        records(resolver, &name, RecordType::AAAA),
        records(resolver, &domain, RecordType::MX),
        records(resolver, &domain, RecordType::TXT),
    );
    let mut addresses: Vec<IpAddr> = Vec::new();
    for r in [a, aaaa, mx, txt] {
        match r {
            Ok(data) => {
                for d in data {
                    match d {
                        RData::A(a) => addresses.push(IpAddr::V4(a.0)),
                        RData::AAAA(a) => addresses.push(IpAddr::V6(a.0)),
                        RData::MX(mx) => out.facts.mx.push(fqdn(&mx.exchange().to_string())),
                        RData::TXT(txt) => {
                            let text: String = txt
                                .txt_data()
                                .iter()
                                .map(|p| String::from_utf8_lossy(p).into_owned())
                                .collect();
                            out.facts.spf.extend(spf_domains(&text));
                        }
                        _ => {}
                    }
                }
            }
            Err((n, e)) => out.errors.push(dns_error(&n, e)),
        }
    }
    addresses.sort();
    addresses.dedup();
    for ip in addresses {
        match resolver.reverse_lookup(ip).await {
            Ok(names) => {
                for n in names.iter() {
                    out.facts.ptr.push((ip.to_string(), fqdn(&n.0.to_string())));
                }
            }
            Err(e) if e.is_no_records_found() => {}
            Err(e) => out
                .errors
                .push(dns_error(&ip.to_string(), format!("PTR: {e}"))),
        }
    }
}

/// The first record of `rtype` for `name` as a name (CNAME target), recording real failures.
async fn query(
    resolver: &TokioResolver,
    name: &str,
    rtype: RecordType,
    errors: &mut Vec<ScanError>,
) -> Option<String> {
    match records(resolver, name, rtype).await {
        Ok(data) => data.into_iter().find_map(|d| match d {
            RData::CNAME(c) => Some(fqdn(&c.0.to_string())),
            _ => None,
        }),
        Err((n, e)) => {
            errors.push(dns_error(&n, e));
            None
        }
    }
}

/// The records of `rtype` for `name`; "no such record/name" is an empty answer, not an error.
async fn records(
    resolver: &TokioResolver,
    name: &str,
    rtype: RecordType,
) -> Result<Vec<RData>, (String, String)> {
    let fq = match Name::from_ascii(format!("{name}.")) {
        Ok(n) => n,
        Err(e) => return Err((name.to_string(), format!("{rtype}: not a DNS name ({e})"))),
    };
    match resolver.lookup(fq, rtype).await {
        Ok(l) => Ok(l
            .record_iter()
            .filter(|r| r.record_type() == rtype)
            .map(|r| r.data().clone())
            .collect()),
        Err(e) if e.is_no_records_found() => Ok(Vec::new()),
        Err(e) => Err((name.to_string(), format!("{rtype}: {e}"))),
    }
}

/// The `include:` and `redirect=` domains of an SPF record; anything else (verification
/// tokens, other TXT records) yields nothing.
pub fn spf_domains(txt: &str) -> Vec<String> {
    let t = txt.trim();
    if !t.to_ascii_lowercase().starts_with("v=spf1") {
        return Vec::new();
    }
    t.split_whitespace()
        .filter_map(|term| {
            let term = term.trim_start_matches(['+', '-', '~', '?']);
            let lower = term.to_ascii_lowercase();
            lower
                .strip_prefix("include:")
                .or_else(|| lower.strip_prefix("redirect="))
                .map(fqdn)
        })
        .filter(|d| !d.is_empty())
        .collect()
}

fn fqdn(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn dns_error(name: &str, message: String) -> ScanError {
    ScanError {
        url: name.to_string(),
        kind: crate::model::ErrorKind::Dns,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spf_includes_are_read_and_tokens_ignored() {
        assert_eq!(
            spf_domains("v=spf1 include:servers.mcsv.net include:spf.protection.outlook.com ~all"),
            vec!["servers.mcsv.net", "spf.protection.outlook.com"]
        );
        assert_eq!(
            spf_domains("v=spf1 redirect=_spf.example.org"),
            vec!["_spf.example.org"]
        );
        assert!(spf_domains("google-site-verification=abc123").is_empty());
        assert!(spf_domains("MS=ms12345678").is_empty());
    }

    #[test]
    fn special_use_names_never_reach_the_system_resolver() {
        assert!(is_special_use("www.shop.test"));
        assert!(is_special_use("localhost"));
        assert!(!is_special_use("www.example.com"));
    }

    #[tokio::test]
    async fn off_and_special_use_names_look_nothing_up() {
        let out = look_up("www.shop.test".into(), DnsMode::System).await;
        let nothing = |host: &str, off: bool| DnsFacts {
            host: host.into(),
            off,
            ..Default::default()
        };
        assert_eq!(out.facts, nothing("www.shop.test", false));
        assert!(out.errors.is_empty());
        let out = look_up("www.example.com".into(), DnsMode::Off).await;
        assert_eq!(out.facts, nothing("www.example.com", true));
    }
}
