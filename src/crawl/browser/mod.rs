//! Browser mode: real headless Chromium over a small CDP client. (Skeleton: implemented by the
//! browser work.) Emits the same [`crate::observe::PageRecord`]s as the static crawler.

use crate::config::ScanConfig;
use crate::crawl::Progress;
use crate::observe::Observations;

/// Why browser mode cannot start (no browser found, launch failed): a usage-level error (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BrowserError(pub String);

/// Crawl the site in headless Chromium.
pub async fn crawl_browser(
    config: &ScanConfig,
    progress: &dyn Progress,
) -> Result<Observations, BrowserError> {
    let _ = (config, progress);
    Err(BrowserError("browser mode is not built yet".into()))
}
