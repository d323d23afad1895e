//! How many subresource fetches each third-party host gets, and which hosts already failed.
//!
//! A third-party script or frame is fetched only to see the cookies its response sets; a few URLs
//! per host show them (the tag manager sets the same cookies for `?id=G-1` and `?id=G-2`). Without
//! a cap, 2,000 pages with per-page tag ids make 2,000 requests to one host. And a host that does
//! not resolve, refuses or times out (egress-blocked CI) fails the same way for every URL: it is
//! tried once and its later URLs are skipped, instead of costing a timeout each.

use super::fetch::FetchError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;
use url::Url;

/// Third-party script/iframe URLs fetched per host.
pub const SUBRESOURCES_PER_HOST: usize = 3;
/// Third-party stylesheet URLs read per host (their `@import`/`url()` name further hosts, so a
/// few more than scripts).
pub const STYLESHEETS_PER_HOST: usize = 10;

/// Which share of a host's fetches a URL uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Share {
    /// Scripts and iframes, fetched for their cookies ([`SUBRESOURCES_PER_HOST`]).
    Subresource,
    /// Stylesheets, read for what they load ([`STYLESHEETS_PER_HOST`] when third party).
    Stylesheet,
}

/// Why a fetch is not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// The host already failed at network level with this error.
    Failed(FetchError),
    /// The host's share of fetches is used up.
    Capped,
}

#[derive(Default)]
struct HostState {
    /// Fetches started, by share (scripts/frames, stylesheets).
    started: [usize; 2],
    failed: Option<FetchError>,
    first: Arc<OnceCell<()>>,
}

/// Per-host fetch counts and failures, shared by every worker of a scan.
#[derive(Default)]
pub struct HostBudget {
    hosts: Mutex<HashMap<String, HostState>>,
}

fn key(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or_default().to_ascii_lowercase(),
        url.port_or_known_default().unwrap_or(0)
    )
}

impl HostBudget {
    /// Take one of `cap` slots of `url`'s host in `share` (`None` = no cap, only the failure
    /// check).
    pub fn admit(&self, url: &Url, share: Share, cap: Option<usize>) -> Result<(), Skip> {
        let mut map = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        let st = map.entry(key(url)).or_default();
        if let Some(e) = &st.failed {
            return Err(Skip::Failed(e.clone()));
        }
        let started = &mut st.started[share as usize];
        if cap.is_some_and(|c| *started >= c) {
            return Err(Skip::Capped);
        }
        *started += 1;
        Ok(())
    }

    /// Whether `url`'s host already failed at network level.
    pub fn failed(&self, url: &Url) -> Option<FetchError> {
        let map = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&key(url)).and_then(|s| s.failed.clone())
    }

    /// The gate of `url`'s host: its first fetch runs inside it, the others wait for that one to
    /// end, so a host that fails is met once, not once per URL in flight.
    pub fn first_fetch(&self, url: &Url) -> Arc<OnceCell<()>> {
        let mut map = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(key(url)).or_default().first.clone()
    }

    /// Remember a failure that every URL of the host would meet (no response at all). A refused
    /// internal address is not remembered: refusing costs nothing, and each refusal is recorded.
    pub fn record(&self, url: &Url, error: &FetchError) {
        if !error.is_network()
            || matches!(
                error,
                FetchError::PrivateAddress(_) | FetchError::UnsafeRedirect(_)
            )
        {
            return;
        }
        let mut map = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(key(url))
            .or_default()
            .failed
            .get_or_insert_with(|| error.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_per_host_and_remembers_failures() {
        let b = HostBudget::default();
        let u = |s: &str| Url::parse(s).unwrap();
        for i in 0..SUBRESOURCES_PER_HOST {
            let url = u(&format!("https://t.test/gtag.js?id={i}"));
            assert_eq!(
                b.admit(&url, Share::Subresource, Some(SUBRESOURCES_PER_HOST)),
                Ok(())
            );
        }
        let over = u("https://t.test/gtag.js?id=99");
        let sub = Share::Subresource;
        assert_eq!(
            b.admit(&over, sub, Some(SUBRESOURCES_PER_HOST)),
            Err(Skip::Capped)
        );
        // Stylesheets have a share of their own; another port is another host.
        assert_eq!(b.admit(&over, Share::Stylesheet, Some(1)), Ok(()));
        assert_eq!(b.admit(&u("https://t.test:8443/x"), sub, Some(1)), Ok(()));
        let down = u("https://down.test/a.js");
        b.record(&down, &FetchError::HttpStatus(500));
        assert!(b.failed(&down).is_none(), "an answer is not a host failure");
        b.record(&down, &FetchError::Dns("down.test".into()));
        let again = b.admit(&u("https://down.test/b.js"), Share::Stylesheet, None);
        assert!(matches!(again, Err(Skip::Failed(FetchError::Dns(_)))));
    }
}
