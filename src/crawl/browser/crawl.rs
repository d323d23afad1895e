//! The browser crawl before any consent click: the same [`Frontier`] as static mode (scope,
//! robots.txt, sitemap seeds, trap rules, depth and page caps) feeding a [`Pool`] of tabs, with
//! results released in discovery order so the pages crawled under `--max-pages` do not depend
//! on which tab finished first.

use super::pool::{Done, Job, Pool};
use super::visit::{Visit, VisitPlan};
use super::{detect_cmp, record, signals};
use crate::config::ScanConfig;
use crate::crawl::frontier::{normalize, Frontier};
use crate::crawl::robots::RobotsCache;
use crate::crawl::scope::Scope;
use crate::crawl::sink::CrawlSink;
use crate::crawl::{sitemap, Fetcher, Progress};
use crate::domain::FirstParty;
use crate::model::{Consent, Cookie, ErrorKind, ScanError};
use crate::observe::{PageRecord, Phase};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use url::Url;

/// What the crawl leaves for the consent phases.
pub struct Crawled {
    /// The start page failed at network level (exit code 3).
    pub start_failed: bool,
    /// Pages visited, in discovery order.
    pub visited: Vec<Url>,
    /// The site's first party.
    pub first_party: FirstParty,
}

/// Cookies that appeared in the jar and that the finished page did not write: they may belong to
/// a page still loading in another tab, so they wait until those tabs finish.
struct Unclaimed {
    cookie: Cookie,
    found_on: Url,
    waiting: BTreeSet<usize>,
}

/// Attributes jar cookies (set by script, not by a header) to the page that wrote them.
///
/// The tabs of a phase share one cookie jar. The jar is read whenever a tab finishes; a new
/// cookie goes to that page if its scripts wrote it through `document.cookie`, else to whichever
/// page then running wrote it, else (set from a frame or the CookieStore API) to the page that
/// finished first after it appeared. With `--concurrency 1` this is exact.
#[derive(Default)]
pub struct JarCookies {
    seen: BTreeSet<(String, String, String)>,
    unclaimed: Vec<Unclaimed>,
}

impl JarCookies {
    /// Cookies a header already set (seen on a page's responses) are not script cookies.
    pub fn saw_header_cookies(&mut self, rec: &PageRecord) {
        for c in &rec.cookies {
            self.seen
                .insert((c.name.clone(), c.domain.clone(), c.path.clone()));
        }
    }

    /// Tab `idx` finished `url` having written `written`; `jar` is the jar just read and
    /// `running` the tabs still loading. Returns the cookies whose page is now known.
    pub fn finished(
        &mut self,
        idx: usize,
        url: &Url,
        written: &[String],
        jar: &serde_json::Value,
        running: &[usize],
        fp: &FirstParty,
    ) -> Vec<Cookie> {
        let mut out = Vec::new();
        let mut still = Vec::new();
        for mut u in std::mem::take(&mut self.unclaimed) {
            let was_waiting = u.waiting.remove(&idx);
            if was_waiting && written.contains(&u.cookie.name) {
                u.cookie.pages = vec![url.to_string()];
                out.push(u.cookie);
            } else if u.waiting.is_empty() {
                u.cookie.pages = vec![u.found_on.to_string()];
                out.push(u.cookie);
            } else {
                still.push(u);
            }
        }
        self.unclaimed = still;
        for cookie in record::script_cookies(url, jar, &mut self.seen, fp) {
            if written.contains(&cookie.name) || running.is_empty() {
                out.push(cookie);
            } else {
                self.unclaimed.push(Unclaimed {
                    cookie,
                    found_on: url.clone(),
                    waiting: running.iter().copied().collect(),
                });
            }
        }
        out
    }

    /// Whatever is still unclaimed when no tab runs any more.
    pub fn flush(&mut self) -> Vec<Cookie> {
        std::mem::take(&mut self.unclaimed)
            .into_iter()
            .map(|mut u| {
                u.cookie.pages = vec![u.found_on.to_string()];
                u.cookie
            })
            .collect()
    }
}

/// Cookie names the visit's top document wrote through `document.cookie`.
pub fn written_cookie_names(result: &Result<Visit, String>) -> Vec<String> {
    result
        .as_ref()
        .ok()
        .and_then(|v| v.dom.as_ref())
        .map(|d| d.cookie_names.clone())
        .unwrap_or_default()
}

/// A finished visit as a page record of `phase`.
pub fn record_of(
    url: &Url,
    depth: usize,
    result: Result<Visit, String>,
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

/// A finished visit turned into its record (`inspect` sees the capture first), and the jar
/// cookies its end revealed. A jar that cannot be read is an error of the page.
pub async fn settle(
    pool: &Pool<'_>,
    done: Done,
    context: Option<&str>,
    jar: &mut JarCookies,
    fp: &FirstParty,
    phase: Phase,
    inspect: impl FnOnce(&Visit),
) -> (PageRecord, Vec<Cookie>) {
    let Done { job, result } = done;
    let written = written_cookie_names(&result);
    if let Ok(v) = &result {
        inspect(v);
    }
    let mut rec = record_of(&job.url, job.depth, result, fp, phase);
    jar.saw_header_cookies(&rec);
    let cookies = match pool.jar(context).await {
        Ok(j) => jar.finished(job.idx, &job.url, &written, &j, &pool.running_indexes(), fp),
        Err(e) => {
            rec.errors.push(ScanError {
                url: job.url.to_string(),
                kind: ErrorKind::StorageRead,
                message: format!("the browser's cookie jar could not be read after this page: {e}"),
            });
            Vec::new()
        }
    };
    (rec, cookies)
}

/// A page waiting for its turn to be released.
enum Outcome {
    /// robots.txt refused it: not visited.
    Disallowed(Url),
    /// Visited (or failed): its record.
    Page(Box<PageRecord>),
}

/// Crawl the site before consent: page 0 alone with `first_plan` (its redirects may move the
/// site), then the frontier through the pool.
pub async fn crawl_pages(
    pool: &mut Pool<'_>,
    config: &ScanConfig,
    progress: &dyn Progress,
    sink: &mut dyn CrawlSink,
    first_plan: &VisitPlan,
    consent: &mut Consent,
) -> Crawled {
    let mut scope = Scope::new(config);
    let mut start = config.start.clone();
    normalize(&mut start);
    let fetcher = match Fetcher::new(config) {
        Ok(f) => f,
        Err(e) => {
            let first_party = scope.first_party();
            sink.first_party(&first_party);
            sink.error(ScanError {
                url: config.start.to_string(),
                kind: ErrorKind::Config,
                message: e,
            });
            return Crawled {
                start_failed: true,
                visited: Vec::new(),
                first_party,
            };
        }
    };
    let robots = RobotsCache::new(&config.user_agent, config.ignore_robots);
    let mut errors = Vec::new();
    let allowed = robots
        .rules_for(&fetcher, &start, &mut errors)
        .await
        .allowed(&start);
    let first = if allowed {
        pool.spawn(Job::new(0, start.clone(), 0), first_plan);
        pool.next().await
    } else {
        None
    };
    // Where the site really starts (after the start URL's redirects): its host joins the scope,
    // and sitemap and robots.txt are read there.
    let mut home = start.clone();
    let final_url = first
        .as_ref()
        .and_then(|d| d.result.as_ref().ok())
        .and_then(|v| v.final_url.as_deref())
        .and_then(|u| Url::parse(u).ok());
    if let Some(f) = &final_url {
        if let Some(h) = f.host_str() {
            scope.add_site_host(h);
        }
        home = f.clone();
    }
    let scope = Arc::new(scope);
    let fp = scope.first_party();
    sink.first_party(&fp);
    let mut crawl = BrowserCrawl {
        frontier: Frontier::new(scope.clone(), config.max_depth, &start),
        jar: JarCookies::default(),
        results: BTreeMap::new(),
        next_release: 0,
        committed: usize::from(allowed),
        visited: Vec::new(),
        start_failed: false,
        done: 0,
        errors: 0,
    };
    if let Some(f) = &final_url {
        crawl.frontier.mark_seen(f);
    }
    let rules = robots.rules_for(&fetcher, &home, &mut errors).await;
    let limit = config.max_pages.saturating_mul(4).clamp(100, 50_000);
    let sitemap_urls = sitemap::discover(
        &fetcher,
        &home,
        rules.sitemaps(),
        &scope,
        limit,
        // Each sitemap is bounded by --timeout; index and children together by two.
        config.timeout.saturating_mul(2),
        &mut errors,
    )
    .await;
    drop(rules);
    match first {
        Some(done) => {
            let (rec, cookies) = settle(
                pool,
                done,
                None,
                &mut crawl.jar,
                &fp,
                Phase::BeforeConsent,
                |v| {
                    detect_cmp(v, consent);
                    signals::record(consent, Phase::BeforeConsent, v.probes.get("tcf"));
                },
            )
            .await;
            sink.cookies(cookies, Phase::BeforeConsent);
            crawl.results.insert(0, Outcome::Page(Box::new(rec)));
        }
        None => {
            crawl.results.insert(0, Outcome::Disallowed(start.clone()));
        }
    }
    crawl.release(sink, progress, &mut errors);
    crawl.frontier.offer_sitemap(sitemap_urls, &mut errors);
    let plain = VisitPlan::default();
    loop {
        while pool.in_flight() < config.concurrency.max(1) && crawl.committed < config.max_pages {
            let Some(q) = crawl.frontier.pop() else { break };
            let allowed = robots
                .rules_for(&fetcher, &q.url, &mut errors)
                .await
                .allowed(&q.url);
            if allowed {
                crawl.committed += 1;
                pool.spawn(Job::new(q.idx, q.url, q.depth), &plain);
            } else {
                crawl.results.insert(q.idx, Outcome::Disallowed(q.url));
            }
        }
        crawl.release(sink, progress, &mut errors);
        if pool.in_flight() == 0 {
            if crawl.frontier.is_empty() || crawl.committed >= config.max_pages {
                break;
            }
            continue;
        }
        let Some(done) = pool.next().await else {
            continue;
        };
        let idx = done.job.idx;
        let (rec, cookies) = settle(
            pool,
            done,
            None,
            &mut crawl.jar,
            &fp,
            Phase::BeforeConsent,
            |_| {},
        )
        .await;
        sink.cookies(cookies, Phase::BeforeConsent);
        crawl.results.insert(idx, Outcome::Page(Box::new(rec)));
    }
    sink.cookies(crawl.jar.flush(), Phase::BeforeConsent);
    errors.extend(crawl.frontier.finish());
    for e in errors {
        sink.error(e);
    }
    Crawled {
        start_failed: crawl.start_failed,
        visited: crawl.visited,
        first_party: fp,
    }
}

struct BrowserCrawl {
    frontier: Frontier,
    jar: JarCookies,
    /// Finished pages waiting for their turn, by discovery index.
    results: BTreeMap<usize, Outcome>,
    next_release: usize,
    /// Pages started (robots-refused ones do not count against `--max-pages`).
    committed: usize,
    visited: Vec<Url>,
    start_failed: bool,
    done: usize,
    errors: usize,
}

impl BrowserCrawl {
    /// Hand finished pages to the sink in discovery order, offering their links to the frontier.
    fn release(
        &mut self,
        sink: &mut dyn CrawlSink,
        progress: &dyn Progress,
        errors: &mut Vec<ScanError>,
    ) {
        while let Some(outcome) = self.results.remove(&self.next_release) {
            let idx = self.next_release;
            self.next_release += 1;
            let rec = match outcome {
                Outcome::Disallowed(url) => {
                    self.frontier.disallowed(&url);
                    continue;
                }
                Outcome::Page(rec) => *rec,
            };
            let url = Url::parse(&rec.page.url).ok();
            if idx == 0 && rec.page.status.is_none() {
                self.start_failed = true;
            }
            // The redirect target is this page: do not visit it again as another page.
            if let Some(last) = rec.page.redirects.last().and_then(|r| Url::parse(r).ok()) {
                self.frontier.mark_seen(&last);
            }
            if let Some(ex) = &rec.extract {
                self.frontier
                    .offer_links(ex.links.iter().cloned(), rec.page.depth, errors);
            }
            self.done += 1;
            self.errors += rec.errors.len();
            progress.page_done(&rec.page.url, self.done, self.frontier.len(), self.errors);
            sink.page(rec);
            if let Some(u) = url {
                self.visited.push(u);
            }
        }
    }
}
