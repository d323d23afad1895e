//! Browser mode: real headless Chromium over a small CDP client ([`cdp`]). Sees what a visitor's
//! browser loads, sets and sends (scripts loading scripts, `document.cookie`, beacons, frames,
//! workers) and emits the same [`PageRecord`]s as the static crawler, so every later stage is shared.

pub mod cdp;
pub mod launch;
pub mod record;
pub mod visit;

use crate::config::{ScanConfig, ScopeKind};
use crate::crawl::Progress;
use crate::domain::{registrable_domain, FirstParty};
use crate::observe::{Collector, Observations};
use crate::report::model::ScanError;
use serde_json::json;
use std::collections::{BTreeSet, HashSet, VecDeque};
use url::Url;

/// Why browser mode cannot start (no browser found, launch failed): a usage-level error (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BrowserError(pub String);

/// A live browser with its DevTools connection.
struct Session {
    _browser: launch::Browser,
    cdp: cdp::Cdp,
}

async fn start(config: &ScanConfig) -> Result<Session, String> {
    let browser = launch::launch(config).await?;
    let cdp = cdp::Cdp::connect(&browser.ws_url).await?;
    // Popups are noticed (and closed) through target discovery; downloads are never saved.
    cdp.call(
        "Target.setDiscoverTargets",
        json!({ "discover": true }),
        None,
    )
    .await?;
    let _ = cdp
        .call(
            "Browser.setDownloadBehavior",
            json!({ "behavior": "deny" }),
            None,
        )
        .await;
    Ok(Session {
        _browser: browser,
        cdp,
    })
}

fn in_scope(config: &ScanConfig, url: &Url) -> bool {
    if !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    let Some(host) = url.host_str() else {
        return false;
    };
    let start_host = config.start.host_str().unwrap_or_default();
    let ok = match config.scope {
        ScopeKind::Host => host.eq_ignore_ascii_case(start_host),
        ScopeKind::Domain => registrable_domain(host) == registrable_domain(start_host),
    };
    let s = url.as_str();
    ok && (config.include.is_empty() || config.include.iter().any(|r| r.is_match(s)))
        && !config.exclude.iter().any(|r| r.is_match(s))
}

/// The first-party domains of a scan: the start URL's registrable domain plus `--first-party`.
pub fn first_party(config: &ScanConfig) -> FirstParty {
    let start = registrable_domain(config.start.host_str().unwrap_or_default());
    FirstParty::new(std::iter::once(start).chain(config.first_party.iter().cloned()))
}

/// Crawl the site in headless Chromium: breadth-first over links from the rendered DOM, a pool of
/// `--concurrency` tabs in one browser (one visitor session: cookies persist across pages).
/// A crashed browser is restarted and the page retried once.
pub async fn crawl_browser(
    config: &ScanConfig,
    progress: &dyn Progress,
) -> Result<Observations, BrowserError> {
    let fp = first_party(config);
    let mut session = start(config).await.map_err(BrowserError)?;
    let mut collector = Collector::new(fp.clone());
    let mut queue: VecDeque<(Url, usize)> = VecDeque::from([(config.start.clone(), 0)]);
    let mut seen: HashSet<String> = HashSet::from([config.start.to_string()]);
    let mut jar_seen: BTreeSet<(String, String, String)> = BTreeSet::new();
    let (mut done, mut errors) = (0usize, 0usize);
    let mut start_failed = false;

    while !queue.is_empty() && done < config.max_pages {
        let take = config
            .concurrency
            .min(config.max_pages - done)
            .min(queue.len());
        let batch: Vec<(Url, usize)> = queue.drain(..take).collect();
        let visits = futures_util::future::join_all(
            batch
                .iter()
                .map(|(u, _)| visit::visit(&session.cdp, u.as_str(), config.page_timeout)),
        )
        .await;
        let mut restart = false;
        for ((url, depth), result) in batch.into_iter().zip(visits) {
            let result = match result {
                Ok(v) => Ok(v),
                Err(e) => {
                    // The browser died or hung: restart it and retry this page once.
                    restart = true;
                    match start(config).await {
                        Ok(s) => {
                            session = s;
                            visit::visit(&session.cdp, url.as_str(), config.page_timeout)
                                .await
                                .map_err(|e2| format!("{e}; retry: {e2}"))
                        }
                        Err(e2) => Err(format!("{e}; restart failed: {e2}")),
                    }
                }
            };
            done += 1;
            let rec = match result {
                Ok(v) => record::to_page_record(&url, depth, v, &fp),
                Err(e) => record::failed_record(
                    &url,
                    depth,
                    ScanError {
                        url: url.to_string(),
                        kind: "browser".into(),
                        message: e,
                    },
                ),
            };
            if depth == 0 && rec.page.status.is_none() {
                start_failed = true;
            }
            errors += rec.errors.len();
            if let Some(ex) = &rec.extract {
                if config.max_depth.is_none_or(|m| depth < m) {
                    for link in &ex.links {
                        if in_scope(config, link)
                            && seen.len() < config.max_pages * 20
                            && seen.insert(link.to_string())
                        {
                            queue.push_back((link.clone(), depth + 1));
                        }
                    }
                }
            }
            let page_url = url.clone();
            for c in &rec.cookies {
                jar_seen.insert((c.name.clone(), c.domain.clone(), c.path.clone()));
            }
            collector.add_page(rec);
            progress.page_done(page_url.as_str(), done, queue.len(), errors);
            // Cookies in the jar that no header set were set by script: attribute them to the
            // first page after which they appeared.
            if !restart {
                if let Ok(jar) = session
                    .cdp
                    .call("Storage.getCookies", json!({}), None)
                    .await
                {
                    let cookies = record::script_cookies(&page_url, &jar, &mut jar_seen, &fp);
                    collector.add_cookies(cookies);
                }
            }
        }
    }
    let mut obs = collector.finish();
    obs.start_failed = start_failed;
    Ok(obs)
}
