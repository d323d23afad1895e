//! The static crawl's coordinator: a breadth-first frontier, bounded workers, in-order release.
//!
//! Pages are fetched concurrently, but their results are *released* (merged, links enqueued,
//! subresources scheduled) strictly in discovery order. So the set of pages crawled under
//! `--max-pages`, their depths and "the first page that referenced" a script do not depend on
//! network timing: two scans of an unchanged site give the same report. Workers run ahead of the
//! release point as far as the already-released frontier allows, so a slow page only delays the
//! discovery of its successors' links, not the fetching of pages already known.

use super::frontier::{normalize, Frontier};
use super::host_budget::{HostBudget, Share, SUBRESOURCES_PER_HOST};
use super::page::{crawl_page, CrawlContext, PageOutcome, PageResult};
use super::rate::HostRate;
use super::robots::RobotsCache;
use super::scope::Scope;
pub use super::sink::{CollectorSink, CrawlSink};
use super::sitemap;
use super::subresource::{response_cookies, StylesheetCache};
use super::{Fetcher, Progress};
use crate::config::ScanConfig;
use crate::domain::FirstParty;
use crate::model::ErrorKind;
use crate::model::ScanError;
use crate::observe::{Observations, SetCookieHeader};
use futures_util::FutureExt;
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::Arc;
use tokio::task::JoinSet;
use url::Url;

pub use super::frontier::MAX_FRONTIER;
/// Distinct third-party script/iframe URLs fetched per scan.
pub const MAX_SUBRESOURCES: usize = 5_000;
/// Subresource fetches in flight per page slot of `--concurrency`: they read headers only and
/// mostly wait on other hosts, so a few slow third parties must not hold up the rest.
pub const SUBRESOURCES_PER_SLOT: usize = 4;
/// Subresource fetches in flight at most, whatever `--concurrency` says.
pub const MAX_SUBRESOURCES_IN_FLIGHT: usize = 64;

enum Done {
    Page(usize, usize, PageOutcome),
    Sub(Url, Vec<SetCookieHeader>, Option<ScanError>),
}

/// Crawl the site over plain HTTP, extracting everything from every page.
pub async fn crawl_static(config: &ScanConfig, progress: &dyn Progress) -> Observations {
    let mut sink = CollectorSink::default();
    // Ctrl-C / SIGTERM drop the crawl where it stands; the pages released so far stay in the sink.
    let start_failed = tokio::select! {
        failed = crawl_static_into(config, progress, &mut sink) => failed,
        _ = super::interrupt::wait() => false,
    };
    let mut obs = sink.into_collector().finish();
    obs.start_failed = start_failed;
    obs
}

/// The crawl itself, reporting to `sink`. Returns whether the start URL failed at network level
/// (no HTTP response at all: exit code 3).
pub async fn crawl_static_into(
    config: &ScanConfig,
    progress: &dyn Progress,
    sink: &mut dyn CrawlSink,
) -> bool {
    let mut scope = Scope::new(config);
    let fetcher = match Fetcher::new(config) {
        Ok(f) => f,
        Err(e) => {
            sink.first_party(&scope.first_party());
            sink.error(ScanError {
                url: config.start.to_string(),
                kind: ErrorKind::Config,
                message: e,
            });
            return true;
        }
    };
    let ctx = Arc::new(CrawlContext {
        fetcher,
        robots: RobotsCache::new(&config.user_agent, config.ignore_robots),
        rate: HostRate::new(config.rate),
        stylesheets: StylesheetCache::default(),
        subresources: config.subresources,
        budget: HostBudget::default(),
    });
    let mut start = config.start.clone();
    normalize(&mut start);

    // The start page alone first: its redirects may move the site to another host.
    let first = {
        let fp = scope.first_party();
        crawl_page(&ctx, &scope, &fp, start.clone(), 0, true).await
    };
    // Where the site really starts (after the start URL's redirects): sitemap and robots there.
    let mut home = start.clone();
    if let PageOutcome::Page(p) = &first {
        if let Some(f) = &p.final_url {
            if let Some(h) = f.host_str() {
                scope.add_site_host(h);
            }
            home = f.clone();
        }
    }
    let scope = Arc::new(scope);
    let first_party = Arc::new(scope.first_party());
    let mut crawl = Crawl {
        config,
        ctx: ctx.clone(),
        scope: scope.clone(),
        first_party: first_party.clone(),
        sink,
        progress,
        frontier: Frontier::new(scope.clone(), config.max_depth, &start),
        results: BTreeMap::new(),
        next_release: 0,
        committed: 1,
        in_flight_pages: 0,
        in_flight_subs: 0,
        subs_seen: HashSet::new(),
        sub_queue: VecDeque::new(),
        done_pages: 0,
        errors: 0,
        start_failed: false,
        sitemap_urls: Vec::new(),
    };
    crawl.sink.first_party(&first_party);

    // Sitemap URLs join the links of the start page at depth 1.
    let mut site_errors = Vec::new();
    let robots = ctx
        .robots
        .rules_for(&ctx.fetcher, &home, &mut site_errors)
        .await;
    let limit = config.max_pages.saturating_mul(4).clamp(100, 50_000);
    crawl.sitemap_urls = sitemap::discover(
        &ctx.fetcher,
        &home,
        robots.sitemaps(),
        &scope,
        limit,
        // Each sitemap is bounded by --timeout; index and children together by two.
        config.timeout.saturating_mul(2),
        &mut site_errors,
    )
    .await;
    for e in site_errors {
        crawl.sink.error(e);
    }
    if matches!(first, PageOutcome::Disallowed { .. }) {
        crawl.committed = 0;
    }
    crawl.results.insert(0, (0, first));
    crawl.run().await;
    crawl.finish()
}

struct Crawl<'a> {
    config: &'a ScanConfig,
    ctx: Arc<CrawlContext>,
    scope: Arc<Scope>,
    first_party: Arc<FirstParty>,
    sink: &'a mut dyn CrawlSink,
    progress: &'a dyn Progress,
    frontier: Frontier,
    /// Finished pages waiting for their turn: index → (depth, outcome).
    results: BTreeMap<usize, (usize, PageOutcome)>,
    next_release: usize,
    /// Started pages not known to be disallowed: never more than `--max-pages`.
    committed: usize,
    in_flight_pages: usize,
    in_flight_subs: usize,
    subs_seen: HashSet<Url>,
    sub_queue: VecDeque<(Url, Url)>,
    done_pages: usize,
    errors: usize,
    start_failed: bool,
    sitemap_urls: Vec<Url>,
}

impl Crawl<'_> {
    async fn run(&mut self) {
        let mut tasks: JoinSet<Done> = JoinSet::new();
        self.release();
        // Once the last page is in, third-party fetches still queued get one `--timeout` more,
        // all together: a crowd of hanging hosts cannot hold the scan for a timeout each.
        let mut subs_deadline: Option<tokio::time::Instant> = None;
        loop {
            self.spawn_work(&mut tasks);
            let pages_done = self.in_flight_pages == 0
                && (self.frontier.is_empty() || self.committed >= self.config.max_pages);
            if pages_done && subs_deadline.is_none() {
                subs_deadline = Some(tokio::time::Instant::now() + self.config.timeout);
            }
            let joined = match subs_deadline {
                Some(at) => match tokio::time::timeout_at(at, tasks.join_next()).await {
                    Ok(j) => j,
                    Err(_) => {
                        self.give_up_subresources(&mut tasks);
                        break;
                    }
                },
                None => tasks.join_next().await,
            };
            let Some(joined) = joined else {
                break;
            };
            match joined {
                Ok(Done::Page(idx, depth, outcome)) => {
                    self.in_flight_pages -= 1;
                    if matches!(outcome, PageOutcome::Disallowed { .. }) {
                        self.committed -= 1;
                    }
                    self.results.insert(idx, (depth, outcome));
                    self.release();
                }
                Ok(Done::Sub(page, cookies, err)) => {
                    self.in_flight_subs -= 1;
                    if !cookies.is_empty() {
                        self.sink.response_cookies(&page, cookies);
                    }
                    if let Some(e) = err {
                        self.sink.error(e);
                    }
                }
                // Workers catch their own panics, so only cancellation lands here.
                Err(_) => {}
            }
        }
    }

    /// Stop waiting for third-party fetches (pages are all done): one error says how many.
    fn give_up_subresources(&mut self, tasks: &mut JoinSet<Done>) {
        let pending = self.in_flight_subs + self.sub_queue.len();
        tasks.abort_all();
        self.sub_queue.clear();
        self.in_flight_subs = 0;
        if pending > 0 {
            self.sink.error(ScanError {
                url: self.config.start.to_string(),
                kind: ErrorKind::Timeout,
                message: format!(
                    "{pending} third-party resource(s) fetched for their cookies had not answered {:?} after the last page: not waited for (raise --timeout to wait longer)",
                    self.config.timeout
                ),
            });
        }
    }

    /// Start pages (in frontier order, within `--max-pages`) and subresource fetches up to
    /// `--concurrency` each.
    fn spawn_work(&mut self, tasks: &mut JoinSet<Done>) {
        let limit = self.config.concurrency.max(1);
        let sub_limit = (limit * SUBRESOURCES_PER_SLOT).clamp(16, MAX_SUBRESOURCES_IN_FLIGHT);
        while self.in_flight_pages < limit && self.committed < self.config.max_pages {
            let Some(q) = self.frontier.pop() else {
                break;
            };
            self.in_flight_pages += 1;
            self.committed += 1;
            let (ctx, scope, fp) = (
                self.ctx.clone(),
                self.scope.clone(),
                self.first_party.clone(),
            );
            tasks.spawn(async move {
                let url = q.url.clone();
                let fut = crawl_page(&ctx, &scope, &fp, q.url, q.depth, false);
                let outcome = match std::panic::AssertUnwindSafe(fut).catch_unwind().await {
                    Ok(o) => o,
                    Err(_) => PageOutcome::Page(Box::new(PageResult::failed(
                        &url,
                        q.depth,
                        ErrorKind::Internal,
                        "extraction failed on this page (a bug: please report it with the page)",
                    ))),
                };
                Done::Page(q.idx, q.depth, outcome)
            });
        }
        while self.in_flight_subs < sub_limit {
            let Some((page, url)) = self.sub_queue.pop_front() else {
                break;
            };
            // A host that failed already is not tried again (its failure was recorded once).
            if self.ctx.budget.failed(&url).is_some() {
                continue;
            }
            self.in_flight_subs += 1;
            let ctx = self.ctx.clone();
            tasks.spawn(async move {
                let (cookies, err) = response_cookies(ctx.sub_net(), &url).await;
                Done::Sub(page, cookies, err)
            });
        }
    }

    /// Merge finished pages in frontier order, enqueueing their links.
    fn release(&mut self) {
        while let Some((depth, outcome)) = self.results.remove(&self.next_release) {
            let idx = self.next_release;
            self.next_release += 1;
            match outcome {
                PageOutcome::Disallowed { url, site_errors } => {
                    for e in site_errors {
                        self.sink.error(e);
                    }
                    // Recorded as one summary per origin at the end.
                    self.frontier.disallowed(&url);
                }
                PageOutcome::Page(p) => self.release_page(idx, depth, *p),
            }
            if idx == 0 {
                let urls = std::mem::take(&mut self.sitemap_urls);
                let mut errors = Vec::new();
                self.frontier.offer_sitemap(urls, &mut errors);
                self.errors_to_sink(errors);
            }
        }
    }

    fn release_page(&mut self, idx: usize, depth: usize, p: PageResult) {
        let PageResult {
            record,
            final_url,
            links,
            subresources,
            site_errors,
            network_failure,
        } = p;
        if idx == 0 && network_failure {
            self.start_failed = true;
        }
        for e in site_errors {
            self.sink.error(e);
        }
        if let Some(f) = final_url {
            // The redirect target is this page: do not fetch it again as another page.
            self.frontier.mark_seen(&f);
        }
        let mut errors = Vec::new();
        self.frontier.offer_links(links, depth, &mut errors);
        self.errors_to_sink(errors);
        let page_url = record.page.url.clone();
        let page = Url::parse(&page_url).ok();
        for s in subresources {
            if self.subs_seen.len() < MAX_SUBRESOURCES
                && !self.subs_seen.contains(&s)
                && self
                    .ctx
                    .budget
                    .admit(&s, Share::Subresource, Some(SUBRESOURCES_PER_HOST))
                    .is_ok()
                && self.subs_seen.insert(s.clone())
            {
                let referrer = page.clone().unwrap_or_else(|| s.clone());
                self.sub_queue.push_back((referrer, s));
            }
        }
        if record.page.error.is_some() || !record.errors.is_empty() {
            self.errors += 1;
        }
        self.done_pages += 1;
        self.sink.page(record);
        self.progress
            .page_done(&page_url, self.done_pages, self.frontier.len(), self.errors);
    }

    fn errors_to_sink(&mut self, errors: Vec<ScanError>) {
        for e in errors {
            self.sink.error(e);
        }
    }

    fn finish(self) -> bool {
        for e in self.frontier.finish() {
            self.sink.error(e);
        }
        self.start_failed
    }
}
