//! privacy-inventory: does our privacy policy name every service our website actually talks to?
//!
//! One pipeline, one module per stage:
//! crawl (static fetcher | browser) → [`observe`] → attribution ([`catalog`]) → [`policy`] →
//! [`reconcile`] → [`report`]. The CLI ([`cli`]) only wires them.
#![deny(missing_docs)]

pub mod catalog;
pub mod cli;
pub mod config;
pub mod crawl;
pub mod demo;
pub mod domain;
pub mod drift;
pub mod exceptions;
pub mod observe;
pub mod policy;
pub mod reconcile;
pub mod report;

use catalog::Catalog;
use config::ScanConfig;
use crawl::Progress;
use report::model::{Report, Settings, Tool, SCHEMA_VERSION};
use std::time::Instant;

/// The result of one scan: the report, and whether the start URL failed entirely (exit code 3).
pub struct ScanOutcome {
    /// The finished report.
    pub report: Report,
    /// The start URL could not be fetched at all.
    pub start_failed: bool,
}

/// Run the whole pipeline for one site. Only a browser that cannot start is an error (exit 2);
/// every other problem ends up in `report.errors`.
pub async fn scan(
    config: &ScanConfig,
    catalog: &Catalog,
    progress: &dyn Progress,
) -> Result<ScanOutcome, crawl::browser::BrowserError> {
    let started_at = now_rfc3339();
    let clock = Instant::now();

    // Infrastructure DNS look-ups run while the crawl runs (bounded by their own deadline).
    let start_host = config.start.host_str().unwrap_or_default().to_string();
    let dns = tokio::spawn(crawl::dns::look_up(start_host.clone(), config.dns));
    let mut obs = match config.mode {
        config::Mode::Static => crawl::crawl_static(config, progress).await,
        config::Mode::Browser => crawl::browser::crawl_browser(config, progress).await?,
    };
    progress.finish();
    let services = catalog::attribute(&mut obs, catalog);
    let policy = match crawl::Fetcher::new(config) {
        Ok(fetcher) => policy::read_for_site(config, &obs, &fetcher, catalog).await,
        Err(e) => report::model::Policy {
            error: Some(e),
            ..Default::default()
        },
    };
    let dns = dns.await.unwrap_or_default();
    obs.errors.extend(dns.errors);
    let infrastructure =
        catalog::infrastructure::attribute(&start_host, &obs.response_headers, &dns.facts, |id| {
            catalog
                .company(id)
                .map_or_else(|| id.to_string(), |c| c.name.clone())
        });
    let start_failed = obs.start_failed;
    let consent = obs
        .consent
        .take()
        .unwrap_or_else(|| consent_from_markup(&obs.cmp_markers, &services));

    let mut report = Report {
        schema_version: SCHEMA_VERSION.to_string(),
        tool: Tool {
            name: "privacy-inventory".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        target: config.start.to_string(),
        mode: config.mode.as_str().to_string(),
        started_at,
        first_party_domains: obs.first_party_domains,
        settings: Settings {
            insecure: config.insecure,
            ignore_robots: config.ignore_robots,
            max_pages: config.max_pages,
            max_depth: config.max_depth,
            scope: match config.scope {
                config::ScopeKind::Host => "host".into(),
                config::ScopeKind::Domain => "domain".into(),
            },
            subresources: config.subresources,
            user_agent: config.user_agent.clone(),
            dns: config.dns.describe(),
        },
        pages: obs.pages,
        cookies: obs.cookies,
        third_parties: obs.third_parties,
        scripts: obs.scripts,
        services,
        policy,
        errors: obs.errors,
        consent,
        storage: obs.storage,
        infrastructure,
        ..Default::default()
    };
    reconcile::reconcile(&mut report, catalog);
    exceptions::apply(
        &mut report.findings,
        &config.accepted,
        time::OffsetDateTime::now_utc().date(),
    );
    report.errors.sort();
    report.errors.dedup();
    report.summary = report::summarize(&report);
    report.finished_at = now_rfc3339();
    report.duration_ms = clock.elapsed().as_millis() as u64;
    Ok(ScanOutcome {
        report,
        start_failed,
    })
}

/// Static mode cannot click: the consent section says which consent manager the markup and the
/// loaded scripts show (a consent-category service, else a CMP's data attribute), and that only
/// the pre-consent state was seen.
fn consent_from_markup(
    markers: &std::collections::BTreeSet<String>,
    services: &[report::model::ServiceUse],
) -> report::model::Consent {
    const BY_MARKER: &[(&str, &str)] = &[
        ("data-cookieconsent", "cookiebot"),
        ("data-usercentrics", "usercentrics"),
        ("data-borlabs-cookie", "borlabs-cookie"),
        ("data-cmp-ab", "consentmanager"),
        ("cmplz", "complianz"),
        ("optanon-category", "onetrust"),
    ];
    let by_service = services
        .iter()
        .find(|s| s.categories.iter().any(|c| c == "consent"))
        .map(|s| {
            let how = match s.hosts.first() {
                Some(h) => format!("static markup: consent manager script from {h}"),
                None => format!("static markup: {} ({})", s.name, s.matched_by.join(", ")),
            };
            (s.id.clone(), how)
        });
    let by_marker = || {
        markers.iter().find_map(|m| {
            BY_MARKER
                .iter()
                .find(|(k, _)| m.starts_with(k))
                .map(|(_, id)| {
                    (
                        id.to_string(),
                        format!("static markup: gating attribute {m}"),
                    )
                })
        })
    };
    let found = by_service.or_else(by_marker);
    report::model::Consent {
        cmp: found.as_ref().map(|f| f.0.clone()),
        detected_by: found.map(|f| f.1),
        phases: vec![observe::Phase::BeforeConsent.as_str().to_string()],
        ..Default::default()
    }
}

/// Current UTC time, RFC 3339, second precision.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
