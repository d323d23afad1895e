//! Where a crawl's findings go, whichever crawler made them: the one interface static and browser
//! mode report through, so the collector (and a test's recorder) sees the same calls from both.

use crate::domain::FirstParty;
use crate::model::{Cookie, ScanError};
use crate::observe::{Collector, PageRecord, Phase, SetCookieHeader};
use url::Url;

/// Where the crawl's findings go: the [`Collector`] in a scan, a recorder in tests.
pub trait CrawlSink: Send {
    /// The site's first-party domains, known once the start URL's redirects are followed;
    /// called once, before anything else.
    fn first_party(&mut self, first_party: &FirstParty);
    /// A page, in frontier order.
    fn page(&mut self, record: PageRecord);
    /// Cookies set by a third-party script/iframe response, on the first page that referenced it.
    fn response_cookies(&mut self, page: &Url, headers: Vec<SetCookieHeader>);
    /// Cookies found in the browser's jar (set by script), each carrying the pages it goes to.
    fn cookies(&mut self, cookies: Vec<Cookie>, phase: Phase);
    /// A problem that belongs to no single page.
    fn error(&mut self, error: ScanError);
}

/// Feeds a [`Collector`].
#[derive(Default)]
pub struct CollectorSink {
    collector: Option<Collector>,
}

impl CollectorSink {
    /// The collector; a default one (no first-party domains) only if the crawl reports before
    /// naming the site, which neither crawler does.
    fn get(&mut self) -> &mut Collector {
        self.collector.get_or_insert_with(Collector::default)
    }

    /// Everything collected.
    pub fn into_collector(self) -> Collector {
        self.collector.unwrap_or_default()
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
    fn cookies(&mut self, cookies: Vec<Cookie>, phase: Phase) {
        self.get().add_cookies(cookies, phase);
    }
    fn error(&mut self, error: ScanError) {
        self.get().add_error(error);
    }
}
