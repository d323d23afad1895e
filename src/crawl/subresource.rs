//! Subresources fetched once per scan: third-party scripts and iframes (for the cookies their
//! responses set) and stylesheets (for the fonts and images their `@import`/`url()` load, which is
//! how Google Fonts reaches most pages).

use super::charset;
use super::fetch::Fetcher;
use super::host_budget::{HostBudget, Share, STYLESHEETS_PER_HOST};
use super::rate::HostRate;
use crate::model::ErrorKind;
use crate::model::ScanError;
use crate::observe::css::css_references;
use crate::observe::{Reference, ResourceType, SetCookieHeader};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;
use url::Url;

/// Bytes of a stylesheet read (Google Fonts CSS is ~30 KB; framework bundles reach 1 MB).
pub const MAX_STYLESHEET_BYTES: u64 = 2 * 1024 * 1024;
/// Stylesheets of one page fetched at once.
pub const SHEETS_AT_ONCE: usize = 8;
/// Stylesheets remembered per scan (each cached result is a short list of references).
pub const MAX_STYLESHEETS: usize = 5_000;

/// One stylesheet's references, filled by whichever worker asks first.
type SheetCell = Arc<OnceCell<Arc<[Reference]>>>;

/// References found in each stylesheet, fetched once per URL.
#[derive(Default)]
pub struct StylesheetCache {
    cells: Mutex<HashMap<Url, SheetCell>>,
}

impl StylesheetCache {
    /// The references `url`'s CSS makes (its own `@import`s included, not what those import).
    /// `None` when the cache is full, the host already failed, or (for a third-party sheet) the
    /// host's share of [`STYLESHEETS_PER_HOST`] is used. Fetch problems go to `errors` once.
    pub async fn references(
        &self,
        net: &SubNet<'_>,
        url: &Url,
        third_party: bool,
        errors: &mut Vec<ScanError>,
    ) -> Option<Arc<[Reference]>> {
        let cell = {
            let mut map = self.cells.lock().unwrap_or_else(|p| p.into_inner());
            match map.get(url) {
                Some(c) => c.clone(),
                None if map.len() >= MAX_STYLESHEETS => return None,
                None => {
                    let cap = third_party.then_some(STYLESHEETS_PER_HOST);
                    if net.budget.admit(url, Share::Stylesheet, cap).is_err() {
                        return None;
                    }
                    map.entry(url.clone()).or_default().clone()
                }
            }
        };
        let (fetcher, rate, budget) = (net.fetcher, net.rate, net.budget);
        let refs = cell
            .get_or_init(|| async {
                if budget.failed(url).is_some() {
                    return Arc::from(Vec::new());
                }
                rate.wait(url.host_str().unwrap_or_default()).await;
                let max = fetcher.max_body().min(MAX_STYLESHEET_BYTES);
                match fetcher.fetch(url, None, max).await {
                    Ok(f) if (200..300).contains(&f.status) => {
                        let css = charset::decode(&f.body, f.charset.as_deref(), false);
                        Arc::from(css_references(&css, &f.final_url))
                    }
                    Ok(f) => {
                        errors.push(sub_error(
                            url,
                            ErrorKind::HttpStatus,
                            format!("stylesheet answered HTTP {}", f.status),
                        ));
                        Arc::from(Vec::new())
                    }
                    Err(e) => {
                        budget.record(url, &e.error);
                        errors.push(sub_error(
                            url,
                            e.error.kind(),
                            format!("stylesheet could not be fetched: {}", e.error),
                        ));
                        Arc::from(Vec::new())
                    }
                }
            })
            .await;
        Some(refs.clone())
    }

    /// References of `sheets` and of the stylesheets they `@import` (one level), deduplicated,
    /// in a stable order.
    /// `third_party` says which sheets count against their host's share.
    pub async fn expand(
        &self,
        net: &SubNet<'_>,
        sheets: &[Url],
        third_party: &(dyn Fn(&Url) -> bool + Sync),
        errors: &mut Vec<ScanError>,
    ) -> Vec<Reference> {
        let mut out: Vec<Reference> = Vec::new();
        let mut imports: Vec<Url> = Vec::new();
        for refs in self.all(net, sheets, third_party, errors).await {
            for r in refs.iter() {
                if r.resource_type == ResourceType::Stylesheet && !sheets.contains(&r.url) {
                    imports.push(r.url.clone());
                }
                out.push(r.clone());
            }
        }
        imports.sort();
        imports.dedup();
        for refs in self.all(net, &imports, third_party, errors).await {
            out.extend(refs.iter().cloned());
        }
        out.sort();
        out.dedup();
        out
    }
}

impl StylesheetCache {
    /// [`StylesheetCache::references`] of several sheets, [`SHEETS_AT_ONCE`] fetched at a time
    /// (a page linking 80 slow stylesheets waits for the slowest few, not for their sum).
    async fn all(
        &self,
        net: &SubNet<'_>,
        sheets: &[Url],
        third_party: &(dyn Fn(&Url) -> bool + Sync),
        errors: &mut Vec<ScanError>,
    ) -> Vec<Arc<[Reference]>> {
        let mut results = Vec::with_capacity(sheets.len());
        for chunk in sheets.chunks(SHEETS_AT_ONCE) {
            let batch = chunk
                .iter()
                .map(|s| self.one(net, s.clone(), third_party(s)));
            results.extend(futures_util::future::join_all(batch).await);
        }
        let mut out = Vec::new();
        for (refs, errs) in results {
            errors.extend(errs);
            out.extend(refs);
        }
        out
    }
}

impl StylesheetCache {
    async fn one(
        &self,
        net: &SubNet<'_>,
        url: Url,
        third_party: bool,
    ) -> (Option<Arc<[Reference]>>, Vec<ScanError>) {
        let mut errs = Vec::new();
        let refs = self.references(net, &url, third_party, &mut errs).await;
        (refs, errs)
    }
}

/// What subresource fetches share: the client, `--rate` pacing, per-host shares and failures.
#[derive(Clone, Copy)]
pub struct SubNet<'a> {
    /// The HTTP client.
    pub fetcher: &'a Fetcher,
    /// `--rate` pacing.
    pub rate: &'a HostRate,
    /// Per-host caps and failures.
    pub budget: &'a HostBudget,
}

/// A third-party script or iframe URL fetched once: the cookies its response chain set. Skipped
/// (nothing, no error) when its host already failed: that failure was recorded once.
pub async fn response_cookies(
    net: SubNet<'_>,
    url: &Url,
) -> (Vec<SetCookieHeader>, Option<ScanError>) {
    let fetch = || async {
        net.rate.wait(url.host_str().unwrap_or_default()).await;
        // Only the headers matter: a zero body cap reads none of the body.
        let fetched = net.fetcher.fetch(url, None, 0).await;
        if let Err(e) = &fetched {
            net.budget.record(url, &e.error);
        }
        fetched
    };
    let mut first = None;
    net.budget
        .first_fetch(url)
        .get_or_init(|| async {
            first = Some(fetch().await);
        })
        .await;
    let fetched = match first {
        Some(f) => f,
        None if net.budget.failed(url).is_some() => return (Vec::new(), None),
        None => fetch().await,
    };
    match fetched {
        Ok(f) => {
            let err = (f.status >= 400).then(|| {
                sub_error(
                    url,
                    ErrorKind::HttpStatus,
                    format!("third-party resource answered HTTP {}", f.status),
                )
            });
            (f.set_cookies, err)
        }
        Err(e) => (
            e.set_cookies,
            Some(sub_error(
                url,
                e.error.kind(),
                format!(
                    "third-party resource fetched to record its cookies failed: {}",
                    e.error
                ),
            )),
        ),
    }
}

fn sub_error(url: &Url, kind: ErrorKind, message: String) -> ScanError {
    ScanError {
        url: url.to_string(),
        kind,
        message,
    }
}
