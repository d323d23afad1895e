//! Subresources fetched once per scan: third-party scripts and iframes (for the cookies their
//! responses set) and stylesheets (for the fonts and images their `@import`/`url()` load, which is
//! how Google Fonts reaches most pages).

use super::charset;
use super::fetch::Fetcher;
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
    /// `None` when the cache is full. Fetch problems go to `errors` once.
    pub async fn references(
        &self,
        fetcher: &Fetcher,
        rate: &HostRate,
        url: &Url,
        errors: &mut Vec<ScanError>,
    ) -> Option<Arc<[Reference]>> {
        let cell = {
            let mut map = self.cells.lock().unwrap_or_else(|p| p.into_inner());
            match map.get(url) {
                Some(c) => c.clone(),
                None if map.len() >= MAX_STYLESHEETS => return None,
                None => map.entry(url.clone()).or_default().clone(),
            }
        };
        let refs = cell
            .get_or_init(|| async {
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
    pub async fn expand(
        &self,
        fetcher: &Fetcher,
        rate: &HostRate,
        sheets: &[Url],
        errors: &mut Vec<ScanError>,
    ) -> Vec<Reference> {
        let mut out: Vec<Reference> = Vec::new();
        let mut imports: Vec<Url> = Vec::new();
        for s in sheets {
            if let Some(refs) = self.references(fetcher, rate, s, errors).await {
                for r in refs.iter() {
                    if r.resource_type == ResourceType::Stylesheet && !sheets.contains(&r.url) {
                        imports.push(r.url.clone());
                    }
                    out.push(r.clone());
                }
            }
        }
        imports.sort();
        imports.dedup();
        for s in &imports {
            if let Some(refs) = self.references(fetcher, rate, s, errors).await {
                out.extend(refs.iter().cloned());
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// A third-party script or iframe URL fetched once: the cookies its response chain set.
pub async fn response_cookies(
    fetcher: &Fetcher,
    rate: &HostRate,
    url: &Url,
) -> (Vec<SetCookieHeader>, Option<ScanError>) {
    rate.wait(url.host_str().unwrap_or_default()).await;
    // Only the headers matter: a zero body cap reads none of the body.
    match fetcher.fetch(url, None, 0).await {
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
