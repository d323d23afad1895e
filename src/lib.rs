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
pub mod excerpt;
pub mod fold;
pub mod model;
pub mod observe;
pub mod policy;
pub mod reconcile;
pub mod report;

use catalog::Catalog;
use config::ScanConfig;
use crawl::Progress;
use model::{Report, Settings, Tool, SCHEMA_VERSION};
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
///
/// Each stage returns its own value — observations (with the infrastructure DNS facts looked up
/// beside the crawl), inventory (with the infrastructure providers), policy, consent, reconciled
/// findings and declared ledger — and the report is assembled once, here, from those values.
pub async fn scan(
    config: &ScanConfig,
    catalog: &Catalog,
    progress: &dyn Progress,
) -> Result<ScanOutcome, crawl::browser::BrowserError> {
    let started_at = now_rfc3339();
    let clock = Instant::now();

    // Infrastructure DNS look-ups run while the crawl runs (bounded by their own deadline); their
    // facts join the observations, beside the first-party response headers the crawl collected.
    let dns = tokio::spawn(crawl::dns::look_up(
        config.start.host_str().unwrap_or_default().to_string(),
        config.dns,
    ));
    // Browser mode keeps its browser until the policy is read: the policy as a visitor sees it.
    let (mut obs, renderer) = match config.mode {
        config::Mode::Static => (crawl::crawl_static(config, progress).await, None),
        config::Mode::Browser => {
            let b = crawl::browser::crawl_browser(config, progress).await?;
            (b.observations, b.renderer)
        }
    };
    progress.finish();
    let dns = dns.await.unwrap_or_default();
    obs.dns = dns.facts;
    obs.errors.extend(dns.errors);
    let inventory = catalog::attribute(&obs, catalog);
    let rendered = renderer
        .as_ref()
        .map(|r| r as &dyn policy::rendered::Renderer);
    // After Ctrl-C / SIGTERM the policy is not fetched (or its fetch is dropped): the partial
    // report is written without it.
    let stopped = || model::Policy {
        error: Some("not read: the scan was interrupted".into()),
        ..Default::default()
    };
    let policy = match crawl::Fetcher::new(config) {
        _ if crawl::interrupt::requested().is_some() => stopped(),
        Ok(fetcher) => tokio::select! {
            p = policy::read_for_site(config, &obs, &inventory, &fetcher, rendered, catalog) => p,
            _ = crawl::interrupt::wait() => stopped(),
        },
        Err(e) => model::Policy {
            error: Some(e),
            ..Default::default()
        },
    };
    // The policy is read: the browser can go.
    drop(renderer);
    let consent = match obs.consent.take() {
        Some(c) => {
            observe::google_consent::with_signals(c, std::mem::take(&mut obs.google_consent))
        }
        None => observe::google_consent::with_markup(
            observe::consent::from_markup(&obs.cmp_markers, &inventory.services),
            observe::google_consent::from_markup(&obs.scripts, &obs.inline_scripts),
        ),
    };
    let mut reconciled = reconcile::reconcile(&inventory, &policy, &consent, catalog);
    exceptions::apply(
        &mut reconciled.findings,
        &config.accepted,
        time::OffsetDateTime::now_utc().date(),
    );
    let mut errors = obs.errors;
    let interrupted = crawl::interrupt::requested();
    if let Some(signal) = interrupted {
        errors.push(crawl::interrupt::error(config.start.as_str(), signal));
    }
    errors.sort();
    errors.dedup();

    let mut report = Report {
        schema_version: SCHEMA_VERSION.to_string(),
        tool: Tool {
            name: "privacy-inventory".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        target: config.start.to_string(),
        mode: inventory.mode,
        started_at,
        first_party_domains: inventory.first_party_domains,
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
        pages: inventory.pages,
        cookies: inventory.cookies,
        third_parties: inventory.third_parties,
        scripts: inventory.scripts,
        services: inventory.services,
        policy,
        findings: reconciled.findings,
        disclosed: reconciled.disclosed,
        declared: reconciled.declared,
        infrastructure: inventory.infrastructure,
        consent: model::Consent {
            cmp_services: reconciled.cmp_services,
            signals: reconciled.signals,
            ..consent
        },
        storage: inventory.storage,
        errors,
        incomplete: interrupted.is_some(),
        ..Default::default()
    };
    report.summary = report::summarize(&report);
    report.finished_at = now_rfc3339();
    report.duration_ms = clock.elapsed().as_millis() as u64;
    report::redact::credentials(&mut report);
    Ok(ScanOutcome {
        report,
        start_failed: obs.start_failed,
    })
}

/// Current UTC time, RFC 3339, second precision.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
