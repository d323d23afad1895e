//! Browser mode: real headless Chromium over a small CDP client ([`cdp`]). Sees what a visitor's
//! browser loads, sets and sends (scripts loading scripts, `document.cookie`, beacons, frames,
//! workers) and emits the same [`PageRecord`]s as the static crawler, so every later stage is shared.

pub mod capture;
pub mod cdp;
pub mod consent;
pub mod crawl;
pub mod egress;
pub mod launch;
pub mod pool;
pub mod record;
pub mod signals;
pub mod visit;
pub mod world;

use crate::config::{ConsentMode, ScanConfig};
use crate::crawl::sink::{CollectorSink, CrawlSink};
use crate::crawl::Progress;
use crate::model::{CmpService, Consent, ErrorKind, ScanError};
use crate::observe::{Observations, Phase};
use serde_json::json;
use url::Url;

/// Why browser mode cannot start (no browser found, launch failed): a usage-level error (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BrowserError(pub String);

/// A live browser with its DevTools connection.
pub struct Session {
    cdp: cdp::Cdp,
    /// Judges every request (internal addresses); None with `--allow-private`.
    egress: Option<std::sync::Arc<egress::Egress>>,
    // Dropped last: the browser dies after the handlers that talk to it.
    _browser: launch::Browser,
}

/// Start the browser and connect to it.
pub async fn start(config: &ScanConfig) -> Result<Session, String> {
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
    let egress = crate::crawl::private_net::RequestGuard::for_scan(config)
        .map(|g| std::sync::Arc::new(egress::Egress::start(&cdp, g)));
    Ok(Session {
        cdp,
        egress,
        _browser: browser,
    })
}

/// Pages revisited in each consent phase after the first: enough to see what a click unleashes
/// across templates, without tripling the scan time.
pub const CONSENT_PHASE_PAGES: usize = 10;

/// What a browser scan hands on: the observations, and the still-running browser, so the policy
/// is read as a visitor sees it (rendered) before the browser is closed.
pub struct BrowserScan {
    /// Everything observed.
    pub observations: Observations,
    /// Renders policy pages in the scan's browser; None when the scan was interrupted (the
    /// browser is gone, and the policy is not read).
    pub renderer: Option<PolicyRenderer>,
}

/// What a browser crawl collected so far: kept when a signal stops the crawl.
struct Seen {
    sink: CollectorSink,
    consent: Consent,
}

/// Crawl the site in headless Chromium: the same frontier as static mode (scope, robots.txt,
/// sitemap, trap rules, depth and page caps) feeding a pool of `--concurrency` tabs in one
/// browser (one visitor session: cookies persist across pages), then, per `--consent`, the same
/// first pages again in a fresh context after clicking "accept all" and/or "reject all".
pub async fn crawl_browser(
    config: &ScanConfig,
    progress: &dyn Progress,
) -> Result<BrowserScan, BrowserError> {
    // Named before the start URL's redirects are known, so a scan stopped that early still
    // reports the start host as first party (the crawl names the final set).
    let mut sink = CollectorSink::default();
    sink.first_party(&crate::crawl::scope::Scope::new(config).first_party());
    let mut seen = Seen {
        sink,
        consent: Consent {
            phases: vec![Phase::BeforeConsent],
            ..Default::default()
        },
    };
    // Ctrl-C / SIGTERM drop the crawl, and with it the pool: its visits are aborted (each tab's
    // guard closes it) and the browser's Drop kills its process group and removes the profile.
    // The pages released to the sink until then are kept.
    let crawled = tokio::select! {
        r = crawl_browser_into(config, progress, &mut seen.sink, &mut seen.consent) => Some(r?),
        _ = crate::crawl::interrupt::wait() => None,
    };
    let mut obs = seen.sink.into_collector().finish();
    obs.mode = crate::model::Mode::Browser;
    obs.consent = Some(seen.consent);
    let renderer = crawled.map(|(start_failed, pool)| {
        obs.start_failed = start_failed;
        PolicyRenderer {
            session: pool.into_session(),
            page_timeout: config.page_timeout,
        }
    });
    Ok(BrowserScan {
        observations: obs,
        renderer,
    })
}

/// The crawl itself, reporting to `sink` (the same interface static mode reports to) and to
/// `consent`. Returns whether the start URL failed at network level, and the pool.
pub async fn crawl_browser_into<'a>(
    config: &'a ScanConfig,
    progress: &dyn Progress,
    sink: &mut dyn CrawlSink,
    consent: &mut Consent,
) -> Result<(bool, pool::Pool<'a>), BrowserError> {
    let session = start(config).await.map_err(BrowserError)?;
    let mut pool = pool::Pool::new(session, config);
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
    let crawled = crawl::crawl_pages(&mut pool, config, progress, sink, &probe_plan, consent).await;
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
    if !crawled.start_failed && !crawled.visited.is_empty() {
        for (choice, phase) in choices {
            run_phase(&mut pool, sink, &crawled, choice, phase, consent).await;
        }
    }
    Ok((crawled.start_failed, pool))
}

/// Renders a policy page in the scan's browser: the text a visitor reads, including what
/// scripts (iubenda, Termly, a CMS block) fill in after load.
pub struct PolicyRenderer {
    session: Session,
    page_timeout: std::time::Duration,
}

impl crate::policy::rendered::Renderer for PolicyRenderer {
    fn render<'a>(
        &'a self,
        url: &'a Url,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<crate::policy::rendered::Rendered, String>>
                + Send
                + 'a,
        >,
    > {
        Box::pin(async move {
            let plan = visit::VisitPlan {
                capture_html: true,
                egress: self.session.egress.clone(),
                ..Default::default()
            };
            let v = visit::visit(&self.session.cdp, url.as_str(), self.page_timeout, &plan).await?;
            if let Some(e) = v.error {
                return Err(format!("the browser could not load {url}: {e}"));
            }
            if let Some(s) = v.status.filter(|s| !(200..300).contains(s)) {
                return Err(format!("policy {url} answered HTTP {s}"));
            }
            let html_page = v
                .mime
                .as_deref()
                .is_none_or(|m| m.contains("html") || m.contains("xml"));
            match v.html {
                Some(html) if html_page => Ok(crate::policy::rendered::Rendered {
                    final_url: v
                        .final_url
                        .as_deref()
                        .and_then(|u| Url::parse(u).ok())
                        .unwrap_or_else(|| url.clone()),
                    html,
                }),
                _ => Err(format!(
                    "{url} is not an HTML page ({}): read over HTTP",
                    v.mime.as_deref().unwrap_or("unknown type")
                )),
            }
        })
    }
}

/// The consent manager the start page shows (by its probes, else by the hosts it contacted).
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
/// revisit the first [`CONSENT_PHASE_PAGES`] pages in that context through the pool.
async fn run_phase(
    pool: &mut pool::Pool<'_>,
    sink: &mut dyn CrawlSink,
    crawled: &crawl::Crawled,
    choice: consent::Choice,
    phase: Phase,
    consent: &mut Consent,
) {
    let ctx = match pool
        .cdp()
        .call("Target.createBrowserContext", json!({}), None)
        .await
    {
        Ok(v) => v["browserContextId"].as_str().map(str::to_string),
        Err(e) => {
            sink.error(ScanError {
                url: crawled
                    .visited
                    .first()
                    .map(Url::to_string)
                    .unwrap_or_default(),
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
    let fp = &crawled.first_party;
    let mut jar = crawl::JarCookies::default();
    let click_plan = visit::VisitPlan {
        context: ctx.clone(),
        click_js: Some(consent::click_js(choice, consent.cmp.as_deref())),
        tcf: true,
        ..Default::default()
    };
    let plain = visit::VisitPlan {
        context: ctx.clone(),
        ..Default::default()
    };
    let mut pages = crawled.visited.iter().take(CONSENT_PHASE_PAGES).enumerate();
    // The click page alone: the others must load after the choice was made.
    if let Some((i, url)) = pages.next() {
        pool.spawn(pool::Job::new(i, url.clone(), 0), &click_plan);
    }
    let mut clicked_page = true;
    while let Some(done) = pool.next().await {
        let url = done.job.url.clone();
        let mut click = None;
        let (rec, cookies) = crawl::settle(pool, done, ctx.as_deref(), &mut jar, fp, phase, |v| {
            click = v.click.clone();
            signals::record(consent, phase, v.probes.get("tcf"));
        })
        .await;
        if clicked_page {
            clicked_page = false;
            let clicked = click.as_ref().map(|c| c.0);
            match choice {
                consent::Choice::Accept => consent.accept_clicked = clicked,
                consent::Choice::Reject => consent.reject_clicked = clicked,
            }
            if let Some((false, how)) = &click {
                sink.error(ScanError {
                    url: url.to_string(),
                    kind: ErrorKind::Consent,
                    message: format!("{}: {how}", phase.as_str()),
                });
            }
        }
        sink.page(rec);
        sink.cookies(cookies, phase);
        while pool.in_flight() < pool_width(pool) {
            let Some((i, url)) = pages.next() else { break };
            pool.spawn(pool::Job::new(i, url.clone(), 0), &plain);
        }
    }
    sink.cookies(jar.flush(), phase);
    if let Some(c) = ctx {
        let _ = pool
            .cdp()
            .call(
                "Target.disposeBrowserContext",
                json!({ "browserContextId": c }),
                None,
            )
            .await;
    }
}

fn pool_width(pool: &pool::Pool<'_>) -> usize {
    pool.concurrency()
}
