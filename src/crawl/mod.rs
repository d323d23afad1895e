//! Crawl: fetch the site's pages (static HTTP or a real browser) and emit [`PageRecord`]s.
//!
//! The crawler knows scope, limits and politeness; it knows nothing of services, policies or reports.
//!
//! [`PageRecord`]: crate::observe::PageRecord

pub mod browser;
pub mod charset;
pub mod dns;
pub mod fetch;
pub mod frontier;
pub mod host_budget;
pub mod interrupt;
pub mod page;
pub mod private_net;
pub mod progress;
pub mod rate;
pub mod resolve;
pub mod robots;
pub mod scope;
pub mod sink;
pub mod sitemap;
pub mod static_crawl;
pub mod subresource;

pub use fetch::{FetchError, FetchFailure, Fetched, Fetcher};
pub use progress::ScanProgress;
pub use static_crawl::crawl_static;

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
