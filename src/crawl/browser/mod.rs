//! Browser mode: real headless Chromium over a small CDP client ([`cdp`]). Sees what a visitor's
//! browser loads, sets and sends (scripts loading scripts, `document.cookie`, beacons, frames,
//! workers) and emits the same [`PageRecord`]s as the static crawler, so every later stage is shared.

pub mod cdp;
pub mod consent;
pub mod launch;
pub mod record;
pub mod signals;
pub mod visit;

use crate::config::{ConsentMode, ScanConfig};
use crate::crawl::frontier::{normalize, url_trap};
use crate::crawl::scope::Scope;
use crate::crawl::Progress;
use crate::domain::FirstParty;
use crate::model::ErrorKind;
use crate::model::{CmpService, Consent, ScanError};
use crate::observe::{Collector, Observations, PageRecord, Phase};
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

/// Pages revisited in each consent phase after the first: enough to see what a click unleashes
/// across templates, without tripling the scan time.
pub const CONSENT_PHASE_PAGES: usize = 10;

/// The browser plus what a scan keeps across pages.
struct Tabs<'a> {
    session: Session,
    config: &'a ScanConfig,
    fp: FirstParty,
}

impl Tabs<'_> {
    /// Visit a batch concurrently; a page whose visit failed at browser level is retried once after
    /// restarting the browser.
    async fn visit_batch(
        &mut self,
        urls: &[Url],
        plan: &visit::VisitPlan,
    ) -> Vec<Result<visit::Visit, String>> {
        let timeout = self.config.page_timeout;
        let cdp = self.session.cdp.clone();
        let mut results = futures_util::future::join_all(
            urls.iter()
                .map(|u| visit::visit(&cdp, u.as_str(), timeout, plan)),
        )
        .await;
        for (i, r) in results.iter_mut().enumerate() {
            if let Err(e) = r {
                let first = e.clone();
                *r = match start(self.config).await {
                    Ok(s) => {
                        self.session = s;
                        // A restarted browser has lost the phase's context: retry in the default one.
                        let retry_plan = visit::VisitPlan {
                            context: None,
                            ..plan.clone()
                        };
                        visit::visit(&self.session.cdp, urls[i].as_str(), timeout, &retry_plan)
                            .await
                            .map_err(|e2| {
                                format!("{first}; retried after restarting the browser: {e2}")
                            })
                    }
                    Err(e2) => Err(format!("{first}; the browser could not be restarted: {e2}")),
                };
            }
        }
        results
    }

    /// Cookies that appeared in the jar (of `context`) during a batch and that no header set. Each
    /// goes to the batch pages whose scripts wrote it through `document.cookie`; a cookie no page
    /// wrote (set from a frame or the CookieStore API) goes to every page of the batch, since the
    /// tabs share one jar. With `--concurrency 1` a batch is one page, so this is exact.
    async fn jar_cookies(
        &self,
        batch: &[(Url, Vec<String>)],
        context: Option<&str>,
        seen: &mut BTreeSet<(String, String, String)>,
    ) -> Vec<crate::model::Cookie> {
        let Some((first, _)) = batch.first() else {
            return Vec::new();
        };
        let params = match context {
            Some(c) => json!({ "browserContextId": c }),
            None => json!({}),
        };
        let Ok(jar) = self
            .session
            .cdp
            .call("Storage.getCookies", params, None)
            .await
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for mut cookie in record::script_cookies(first, &jar, seen, &self.fp) {
            let setters: Vec<&Url> = batch
                .iter()
                .filter(|(_, names)| names.contains(&cookie.name))
                .map(|(u, _)| u)
                .collect();
            let pages: Vec<&Url> = if setters.is_empty() {
                batch.iter().map(|(u, _)| u).collect()
            } else {
                setters
            };
            cookie.pages = pages.iter().map(|u| u.to_string()).collect();
            out.push(cookie);
        }
        out
    }
}

/// Cookie names the visit's top document wrote through `document.cookie`.
fn written_cookie_names(result: &Result<visit::Visit, String>) -> Vec<String> {
    result
        .as_ref()
        .ok()
        .and_then(|v| v.dom.as_ref())
        .map(|d| d.cookie_names.clone())
        .unwrap_or_default()
}

fn record_of(
    url: &Url,
    depth: usize,
    result: Result<visit::Visit, String>,
    fp: &FirstParty,
    phase: Phase,
) -> PageRecord {
    let mut rec = match result {
        Ok(v) => record::to_page_record(url, depth, v, fp),
        Err(e) => record::failed_record(
            url,
            depth,
            ScanError {
                url: url.to_string(),
                kind: ErrorKind::Browser,
                message: e,
            },
        ),
    };
    rec.phase = phase;
    rec
}

/// Crawl the site in headless Chromium: breadth-first over links from the rendered DOM, a pool of
/// `--concurrency` tabs in one browser (one visitor session: cookies persist across pages), then,
/// per `--consent`, the same first pages again in a fresh context after clicking "accept all" and/or
/// "reject all". A crashed browser is restarted and the page retried once.
pub async fn crawl_browser(
    config: &ScanConfig,
    progress: &dyn Progress,
) -> Result<Observations, BrowserError> {
    let scope = Scope::new(config);
    let fp = scope.first_party();
    let session = start(config).await.map_err(BrowserError)?;
    let mut tabs = Tabs {
        session,
        config,
        fp: fp.clone(),
    };
    let mut collector = Collector::new(fp.clone());
    let mut queue: VecDeque<(Url, usize)> = VecDeque::from([(config.start.clone(), 0)]);
    let mut seen: HashSet<String> = HashSet::from([config.start.to_string()]);
    let mut jar_seen: BTreeSet<(String, String, String)> = BTreeSet::new();
    let mut visited: Vec<Url> = Vec::new();
    let (mut done, mut errors) = (0usize, 0usize);
    let mut start_failed = false;
    let mut consent = Consent {
        phases: vec![Phase::BeforeConsent],
        ..Default::default()
    };

    // The first page also asks which consent manager is on the site and what it declares.
    let mut probe_plan = visit::VisitPlan {
        tcf: true,
        ..Default::default()
    };
    probe_plan.probes.push(("cmp".into(), consent::detect_js()));
    for rule in &consent::rules().cmps {
        if let Some(js) = consent::services_js(&rule.id) {
            probe_plan
                .probes
                .push((format!("services:{}", rule.id), js));
        }
    }
    let plain = visit::VisitPlan::default();

    while !queue.is_empty() && done < config.max_pages {
        let take = if done == 0 {
            1
        } else {
            config
                .concurrency
                .min(config.max_pages - done)
                .min(queue.len())
        };
        let batch: Vec<(Url, usize)> = queue.drain(..take).collect();
        let urls: Vec<Url> = batch.iter().map(|(u, _)| u.clone()).collect();
        let plan = if done == 0 { &probe_plan } else { &plain };
        let results = tabs.visit_batch(&urls, plan).await;
        let mut written = Vec::new();
        for ((url, depth), result) in batch.into_iter().zip(results) {
            if let (Ok(v), true) = (&result, depth == 0) {
                detect_cmp(v, &mut consent);
                signals::record(&mut consent, Phase::BeforeConsent, v.probes.get("tcf"));
            }
            written.push((url.clone(), written_cookie_names(&result)));
            let rec = record_of(&url, depth, result, &fp, Phase::BeforeConsent);
            done += 1;
            if depth == 0 && rec.page.status.is_none() {
                start_failed = true;
            }
            errors += rec.errors.len();
            if let Some(ex) = &rec.extract {
                if config.max_depth.is_none_or(|m| depth < m) {
                    for link in &ex.links {
                        // Same scope, normalisation and URL-trap rules as the static crawler.
                        let mut link = link.clone();
                        normalize(&mut link);
                        if scope.allows(&link)
                            && url_trap(&link).is_none()
                            && seen.len() < config.max_pages * 20
                            && seen.insert(link.to_string())
                        {
                            queue.push_back((link, depth + 1));
                        }
                    }
                }
            }
            for c in &rec.cookies {
                jar_seen.insert((c.name.clone(), c.domain.clone(), c.path.clone()));
            }
            collector.add_page(rec);
            progress.page_done(url.as_str(), done, queue.len(), errors);
            visited.push(url);
        }
        let cookies = tabs.jar_cookies(&written, None, &mut jar_seen).await;
        collector.add_cookies(cookies, Phase::BeforeConsent);
    }

    let choices: Vec<(consent::Choice, Phase)> = match config.consent {
        ConsentMode::None => vec![],
        ConsentMode::Accept => vec![(consent::Choice::Accept, Phase::AfterAccept)],
        ConsentMode::Reject => vec![(consent::Choice::Reject, Phase::AfterReject)],
        ConsentMode::Both => vec![
            (consent::Choice::Accept, Phase::AfterAccept),
            (consent::Choice::Reject, Phase::AfterReject),
        ],
        ConsentMode::Auto if consent.cmp.is_some() => {
            vec![
                (consent::Choice::Accept, Phase::AfterAccept),
                (consent::Choice::Reject, Phase::AfterReject),
            ]
        }
        ConsentMode::Auto => vec![],
    };
    if !start_failed {
        for (choice, phase) in choices {
            run_phase(
                &mut tabs,
                &mut collector,
                &visited,
                choice,
                phase,
                &mut consent,
            )
            .await;
        }
    }
    let mut obs = collector.finish();
    obs.mode = crate::model::Mode::Browser;
    obs.start_failed = start_failed;
    obs.consent = Some(consent);
    Ok(obs)
}

fn detect_cmp(v: &visit::Visit, consent: &mut Consent) {
    let probe = &v.probes.get("cmp").cloned().unwrap_or_default();
    let by_dom = probe["id"].as_str().map(|id| {
        (
            id.to_string(),
            probe["how"].as_str().unwrap_or_default().to_string(),
        )
    });
    let hosts: Vec<String> = v
        .requests
        .iter()
        .filter_map(|r| {
            Url::parse(&r.url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
        })
        .collect();
    let found = by_dom.or_else(|| consent::detect_by_hosts(hosts.iter().map(String::as_str)));
    if let Some((id, how)) = found {
        if let Some(names) = v
            .probes
            .get(&format!("services:{id}"))
            .and_then(|x| x.as_array())
        {
            consent.cmp_services = names
                .iter()
                .filter_map(|n| n.as_str())
                .filter(|n| !n.trim().is_empty())
                .map(|n| CmpService {
                    name: n.trim().to_string(),
                    ..Default::default()
                })
                .collect();
        }
        consent.cmp = Some(id);
        consent.detected_by = Some(how);
    }
}

/// One consent phase: a fresh browser context (empty cookie jar), click on the first page, then
/// revisit the first [`CONSENT_PHASE_PAGES`] pages in that context.
async fn run_phase(
    tabs: &mut Tabs<'_>,
    collector: &mut Collector,
    visited: &[Url],
    choice: consent::Choice,
    phase: Phase,
    consent: &mut Consent,
) {
    let ctx = match tabs
        .session
        .cdp
        .call("Target.createBrowserContext", json!({}), None)
        .await
    {
        Ok(v) => v["browserContextId"].as_str().map(str::to_string),
        Err(e) => {
            collector.add_error(ScanError {
                url: tabs.config.start.to_string(),
                kind: ErrorKind::Consent,
                message: format!(
                    "cannot open a fresh browser context for {}: {e}",
                    phase.as_str()
                ),
            });
            return;
        }
    };
    consent.phases.push(phase);
    let pages: Vec<Url> = visited.iter().take(CONSENT_PHASE_PAGES).cloned().collect();
    let mut jar_seen = BTreeSet::new();
    let click_plan = visit::VisitPlan {
        context: ctx.clone(),
        click_js: Some(consent::click_js(choice, consent.cmp.as_deref())),
        probes: Vec::new(),
        tcf: true,
    };
    let plain = visit::VisitPlan {
        context: ctx.clone(),
        ..Default::default()
    };
    for (i, chunk) in std::iter::once(&pages[..pages.len().min(1)])
        .chain(
            pages
                .get(1..)
                .unwrap_or_default()
                .chunks(tabs.config.concurrency.max(1)),
        )
        .enumerate()
    {
        if chunk.is_empty() {
            continue;
        }
        let plan = if i == 0 { &click_plan } else { &plain };
        let results = tabs.visit_batch(chunk, plan).await;
        let mut written = Vec::new();
        for (url, result) in chunk.iter().zip(results) {
            written.push((url.clone(), written_cookie_names(&result)));
            if let (Ok(v), 0) = (&result, i) {
                signals::record(consent, phase, v.probes.get("tcf"));
                let clicked = v.click.as_ref().map(|c| c.0);
                match choice {
                    consent::Choice::Accept => consent.accept_clicked = clicked,
                    consent::Choice::Reject => consent.reject_clicked = clicked,
                }
                if let Some((false, how)) = &v.click {
                    collector.add_error(ScanError {
                        url: url.to_string(),
                        kind: ErrorKind::Consent,
                        message: format!("{}: {how}", phase.as_str()),
                    });
                }
            }
            let rec = record_of(url, 0, result, &tabs.fp, phase);
            for c in &rec.cookies {
                jar_seen.insert((c.name.clone(), c.domain.clone(), c.path.clone()));
            }
            collector.add_page(rec);
        }
        let cookies = tabs
            .jar_cookies(&written, ctx.as_deref(), &mut jar_seen)
            .await;
        collector.add_cookies(cookies, phase);
    }
    if let Some(c) = ctx {
        let _ = tabs
            .session
            .cdp
            .call(
                "Target.disposeBrowserContext",
                json!({ "browserContextId": c }),
                None,
            )
            .await;
    }
}
