//! The static crawl's coordinator: a breadth-first frontier, bounded workers, in-order release.
//!
//! Pages are fetched concurrently, but their results are *released* (merged, links enqueued,
//! subresources scheduled) strictly in discovery order. So the set of pages crawled under
//! `--max-pages`, their depths and "the first page that referenced" a script do not depend on
//! network timing: two scans of an unchanged site give the same report. Workers run ahead of the
//! release point as far as the already-released frontier allows, so a slow page only delays the
//! discovery of its successors' links, not the fetching of pages already known.

use super::frontier::{normalize, QueryVariants, Trap};
use super::page::{crawl_page, CrawlContext, PageOutcome, PageResult};
use super::rate::HostRate;
use super::robots::RobotsCache;
use super::scope::Scope;
use super::sitemap;
use super::subresource::{response_cookies, StylesheetCache};
use super::{Fetcher, Progress};
use crate::config::ScanConfig;
use crate::domain::FirstParty;
use crate::model::ErrorKind;
use crate::model::ScanError;
use crate::observe::{Collector, Observations, PageRecord, Phase, SetCookieHeader};
use futures_util::FutureExt;
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::Arc;
use tokio::task::JoinSet;
use url::Url;

/// URLs waiting in the frontier at most; links beyond are dropped (and that is recorded once).
pub const MAX_FRONTIER: usize = 100_000;
/// Distinct third-party script/iframe URLs fetched per scan.
pub const MAX_SUBRESOURCES: usize = 5_000;

enum Done {
    Page(usize, usize, PageOutcome),
    Sub(Url, Vec<SetCookieHeader>, Option<ScanError>),
}

struct Queued {
    idx: usize,
    url: Url,
    depth: usize,
}

/// Where the crawl's findings go: the [`Collector`] in a scan, a recorder in tests.
pub trait CrawlSink: Send {
    /// The site's first-party domains, known once the start URL's redirects are followed;
    /// called once, before anything else.
    fn first_party(&mut self, first_party: &FirstParty);
    /// A page, in frontier order.
    fn page(&mut self, record: PageRecord);
    /// Cookies set by a third-party script/iframe response, on the first page that referenced it.
    fn response_cookies(&mut self, page: &Url, headers: Vec<SetCookieHeader>);
    /// A problem that belongs to no single page.
    fn error(&mut self, error: ScanError);
}

/// Feeds a [`Collector`].
#[derive(Default)]
struct CollectorSink {
    collector: Option<Collector>,
}

impl CollectorSink {
    /// The collector; a default one (no first-party domains) only if the crawl reports before
    /// naming the site, which `crawl_static_into` never does.
    fn get(&mut self) -> &mut Collector {
        self.collector.get_or_insert_with(Collector::default)
    }
}

impl CrawlSink for CollectorSink {
    fn first_party(&mut self, first_party: &FirstParty) {
        self.collector = Some(Collector::new(first_party.clone()));
    }
    fn page(&mut self, record: PageRecord) {
        self.get().add_page(record);
    }
    fn response_cookies(&mut self, page: &Url, headers: Vec<SetCookieHeader>) {
        self.get()
            .add_response_cookies(page, headers, Phase::BeforeConsent);
    }
    fn error(&mut self, error: ScanError) {
        self.get().add_error(error);
    }
}

/// Crawl the site over plain HTTP, extracting everything from every page.
pub async fn crawl_static(config: &ScanConfig, progress: &dyn Progress) -> Observations {
    let mut sink = CollectorSink::default();
    let start_failed = crawl_static_into(config, progress, &mut sink).await;
    let mut obs = sink.collector.unwrap_or_default().finish();
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
        seen: HashSet::new(),
        variants: QueryVariants::default(),
        trap_paths: HashSet::new(),
        queue: VecDeque::new(),
        next_idx: 1,
        results: BTreeMap::new(),
        next_release: 0,
        committed: 1,
        in_flight_pages: 0,
        in_flight_subs: 0,
        subs_seen: HashSet::new(),
        sub_queue: VecDeque::new(),
        done_pages: 0,
        errors: 0,
        disallowed: BTreeMap::new(),
        frontier_full: false,
        start_failed: false,
        sitemap_urls: Vec::new(),
    };
    crawl.sink.first_party(&first_party);
    crawl.seen.insert(start.to_string());

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
    seen: HashSet<String>,
    variants: QueryVariants,
    trap_paths: HashSet<String>,
    queue: VecDeque<Queued>,
    next_idx: usize,
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
    disallowed: BTreeMap<String, usize>,
    frontier_full: bool,
    start_failed: bool,
    sitemap_urls: Vec<Url>,
}

impl Crawl<'_> {
    async fn run(&mut self) {
        let mut tasks: JoinSet<Done> = JoinSet::new();
        self.release();
        loop {
            self.spawn_work(&mut tasks);
            let Some(joined) = tasks.join_next().await else {
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

    /// Start pages (in frontier order, within `--max-pages`) and subresource fetches up to
    /// `--concurrency` each.
    fn spawn_work(&mut self, tasks: &mut JoinSet<Done>) {
        let limit = self.config.concurrency.max(1);
        while self.in_flight_pages < limit && self.committed < self.config.max_pages {
            let Some(q) = self.queue.pop_front() else {
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
        while self.in_flight_subs < limit {
            let Some((page, url)) = self.sub_queue.pop_front() else {
                break;
            };
            self.in_flight_subs += 1;
            let ctx = self.ctx.clone();
            tasks.spawn(async move {
                let (cookies, err) = response_cookies(&ctx.fetcher, &ctx.rate, &url).await;
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
                    let origin = url.origin().ascii_serialization();
                    *self.disallowed.entry(origin).or_insert(0) += 1;
                }
                PageOutcome::Page(p) => self.release_page(idx, depth, *p),
            }
            if idx == 0 {
                let urls = std::mem::take(&mut self.sitemap_urls);
                for u in urls {
                    self.enqueue(u, 1, true);
                }
            }
        }
    }

    fn release_page(&mut self, idx: usize, depth: usize, p: PageResult) {
        let PageResult {
            record,
            final_url,
            links,
            traps,
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
            self.seen.insert(f.to_string());
        }
        for (url, trap) in traps {
            self.record_trap(&url, &trap);
        }
        let next_depth = depth + 1;
        if self.config.max_depth.is_none_or(|m| next_depth <= m) {
            for l in links {
                self.enqueue(l, next_depth, false);
            }
        }
        let page_url = record.page.url.clone();
        let page = Url::parse(&page_url).ok();
        for s in subresources {
            if self.subs_seen.len() < MAX_SUBRESOURCES && self.subs_seen.insert(s.clone()) {
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
            .page_done(&page_url, self.done_pages, self.queue.len(), self.errors);
    }

    /// Add a URL to the frontier unless seen, trapped, or the frontier is full.
    fn enqueue(&mut self, mut url: Url, depth: usize, from_sitemap: bool) {
        if from_sitemap {
            normalize(&mut url);
            if !self.scope.allows(&url) {
                return;
            }
            if let Some(t) = super::frontier::url_trap(&url) {
                self.record_trap(&url, &t);
                return;
            }
        }
        if self.seen.contains(url.as_str()) {
            return;
        }
        if self.queue.len() >= MAX_FRONTIER {
            if !self.frontier_full {
                self.frontier_full = true;
                self.sink.error(ScanError {
                    url: url.to_string(),
                    kind: ErrorKind::Trap,
                    message: format!("more than {MAX_FRONTIER} URLs wait in the frontier: further links are dropped"),
                });
            }
            return;
        }
        if let Err(first) = self.variants.admit(&url) {
            if first {
                self.record_trap(&url, &Trap::QueryVariants);
            }
            self.seen.insert(url.to_string());
            return;
        }
        self.seen.insert(url.to_string());
        self.queue.push_back(Queued {
            idx: self.next_idx,
            url,
            depth,
        });
        self.next_idx += 1;
    }

    /// One `trap` error per path.
    fn record_trap(&mut self, url: &Url, trap: &Trap) {
        let s = url.as_str();
        let path = &s[..s.find('?').unwrap_or(s.len())];
        if self.trap_paths.insert(path.to_string()) {
            self.sink.error(ScanError {
                url: path.to_string(),
                kind: ErrorKind::Trap,
                message: trap.describe(),
            });
        }
    }

    fn finish(self) -> bool {
        for (origin, n) in self.disallowed {
            self.sink.error(ScanError {
                url: format!("{origin}/robots.txt"),
                kind: ErrorKind::Robots,
                message: format!("robots.txt disallows {n} URL(s) that were not fetched (use --ignore-robots to scan them)"),
            });
        }
        self.start_failed
    }
}
