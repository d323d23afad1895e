//! One page of the static crawl: robots check, pacing, fetch, decode, extract, stylesheets; the
//! body is dropped before the result leaves the worker.

use super::fetch::{FetchError, Fetcher};
use super::frontier::normalize;
use super::host_budget::HostBudget;
use super::rate::HostRate;
use super::robots::RobotsCache;
use super::scope::Scope;
use super::subresource::{StylesheetCache, SubNet};
use crate::domain::FirstParty;
use crate::model::ErrorKind;
use crate::model::{Page, ScanError};
use crate::observe::extract::extract_html;
use crate::observe::{PageRecord, ResourceType};
use url::Url;

/// What every page worker shares.
pub struct CrawlContext {
    /// The HTTP client.
    pub fetcher: Fetcher,
    /// robots.txt per origin.
    pub robots: RobotsCache,
    /// `--rate` pacing.
    pub rate: HostRate,
    /// Stylesheet references, fetched once per URL.
    pub stylesheets: StylesheetCache,
    /// Fetch subresources (not `--no-subresources`).
    pub subresources: bool,
    /// Per-host subresource shares and failures.
    pub budget: HostBudget,
}

impl CrawlContext {
    /// What subresource fetches need.
    pub fn sub_net(&self) -> SubNet<'_> {
        SubNet {
            fetcher: &self.fetcher,
            rate: &self.rate,
            budget: &self.budget,
        }
    }
}

/// The result of one page worker.
pub enum PageOutcome {
    /// robots.txt disallows the URL: not fetched, not a page.
    Disallowed {
        /// The URL not fetched.
        url: Url,
        /// Problems met on the way (robots.txt itself).
        site_errors: Vec<ScanError>,
    },
    /// Fetched (or failed to fetch): a page of the report.
    Page(Box<PageResult>),
}

/// A page and what it leads to.
#[derive(Default)]
pub struct PageResult {
    /// The page record for the collector.
    pub record: PageRecord,
    /// Final URL after redirects (normalised), when it differs from the requested one.
    pub final_url: Option<Url>,
    /// Links, frames and meta refreshes, for the [`Frontier`](super::frontier::Frontier) to judge.
    pub links: Vec<Url>,
    /// Third-party scripts and iframes to fetch once for their cookies.
    pub subresources: Vec<Url>,
    /// Problems that belong to no page (robots.txt, stylesheets).
    pub site_errors: Vec<ScanError>,
    /// No HTTP response at all (DNS, connect, TLS, timeout).
    pub network_failure: bool,
}

impl PageResult {
    /// A page that produced nothing but an error.
    pub fn failed(url: &Url, depth: usize, kind: ErrorKind, message: &str) -> Self {
        let record = PageRecord {
            page: Page {
                url: url.to_string(),
                depth,
                error: Some(kind),
                ..Default::default()
            },
            errors: vec![ScanError {
                url: url.to_string(),
                kind,
                message: message.to_string(),
            }],
            ..Default::default()
        };
        PageResult {
            record,
            ..Default::default()
        }
    }
}

/// Fetch and extract one page. `start` pages follow redirects anywhere (the site's front door may
/// be on another host); other pages stop at redirects that leave the scope.
pub async fn crawl_page(
    ctx: &CrawlContext,
    scope: &Scope,
    first_party: &FirstParty,
    url: Url,
    depth: usize,
    start: bool,
) -> PageOutcome {
    let mut site_errors = Vec::new();
    let rules = ctx
        .robots
        .rules_for(&ctx.fetcher, &url, &mut site_errors)
        .await;
    if !rules.allowed(&url) {
        return PageOutcome::Disallowed { url, site_errors };
    }
    drop(rules);
    ctx.rate.wait(url.host_str().unwrap_or_default()).await;
    let any = |_: &Url| true;
    let within = |u: &Url| scope.allows_redirect(u);
    let redirect_scope: &(dyn Fn(&Url) -> bool + Sync) = if start { &any } else { &within };
    let fetched = ctx.fetcher.get_within(&url, redirect_scope).await;

    let mut page = Page {
        url: url.to_string(),
        depth,
        ..Default::default()
    };
    let mut record = PageRecord::default();
    let mut result = PageResult::default();
    let mut fetched = match fetched {
        Ok(f) => f,
        Err(fail) => {
            page.error = Some(fail.error.kind());
            page.status = fail.status;
            page.redirects = fail.redirects.iter().map(Url::to_string).collect();
            record.set_cookies = fail.set_cookies;
            record.errors.push(page_error(&url, &fail.error));
            result.network_failure = fail.error.is_network();
            record.page = page;
            result.record = record;
            result.site_errors = site_errors;
            return PageOutcome::Page(Box::new(result));
        }
    };
    page.status = Some(fetched.status);
    page.content_type = fetched.content_type.clone();
    page.redirects = fetched.redirects.iter().map(Url::to_string).collect();
    if let Some(problem) = fetched.problem(ctx.fetcher.max_body()) {
        page.error = Some(problem.kind());
        record.errors.push(page_error(&url, &problem));
    }
    record.set_cookies = std::mem::take(&mut fetched.set_cookies);
    record.headers = std::mem::take(&mut fetched.headers);
    let final_url = fetched.final_url.clone();
    if final_url != url {
        let mut f = final_url.clone();
        normalize(&mut f);
        result.final_url = Some(f);
    }

    if fetched.is_html() && !fetched.body.is_empty() && fetched.off_scope_redirect.is_none() {
        let text = fetched.take_text();
        let mut extract = extract_html(&text, &final_url);
        drop(text);
        page.title = extract.title.clone();

        let frames = extract
            .references
            .iter()
            .filter(|r| {
                matches!(
                    r.resource_type,
                    ResourceType::Iframe | ResourceType::Navigation
                )
            })
            .map(|r| &r.url);
        result.links = extract.links.iter().chain(frames).cloned().collect();

        if ctx.subresources {
            for r in &extract.references {
                if matches!(r.resource_type, ResourceType::Script | ResourceType::Iframe)
                    && r.loaded
                    && !r.consent_gated
                    && matches!(r.url.scheme(), "http" | "https")
                    && !r.url.host_str().is_some_and(|h| first_party.contains(h))
                    && !result.subresources.contains(&r.url)
                {
                    result.subresources.push(r.url.clone());
                }
            }
            if !extract.stylesheets.is_empty() {
                let mut sheets = std::mem::take(&mut extract.stylesheets);
                sheets.retain(|s| matches!(s.scheme(), "http" | "https"));
                sheets.dedup();
                let third_party = |u: &Url| !u.host_str().is_some_and(|h| first_party.contains(h));
                let refs = ctx
                    .stylesheets
                    .expand(&ctx.sub_net(), &sheets, &third_party, &mut site_errors)
                    .await;
                extract.stylesheets = sheets;
                extract.references.extend(refs);
            }
        }
        record.extract = Some(extract);
    }
    drop(fetched);
    record.page = page;
    result.record = record;
    result.site_errors = site_errors;
    PageOutcome::Page(Box::new(result))
}

/// A page's fetch problem as a report error.
pub fn page_error(url: &Url, e: &FetchError) -> ScanError {
    ScanError {
        url: url.to_string(),
        kind: e.kind(),
        message: e.to_string(),
    }
}
