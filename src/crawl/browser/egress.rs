//! Browser mode's side of the internal-address rule (`crawl::private_net`): every request of
//! every tab, frame and worker is paused (`Fetch.enable`), judged, then continued or failed
//! before it leaves the browser.
//!
//! One handler per browser, reading the event stream on its own task: a visit's own event loop is
//! not running while it waits for `Page.navigate`, and the navigation's request must not wait for it.

use super::cdp::Cdp;
use crate::crawl::private_net::RequestGuard;
use serde_json::json;
use std::sync::{Arc, Mutex};
use tokio::task::JoinHandle;

/// A refused request: (session, URL, address).
type Refused = (String, String, String);

/// The running handler; dropping it stops it.
pub struct Egress {
    task: JoinHandle<()>,
    refused: Arc<Mutex<Vec<Refused>>>,
}

impl std::fmt::Debug for Egress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Egress").finish_non_exhaustive()
    }
}

impl Drop for Egress {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `Fetch.enable` parameters: pause every request before it is sent.
pub fn enable_params() -> serde_json::Value {
    json!({ "patterns": [{ "urlPattern": "*", "requestStage": "Request" }] })
}

impl Egress {
    /// Start judging the paused requests of `cdp`'s browser.
    pub fn start(cdp: &Cdp, guard: RequestGuard) -> Egress {
        let refused: Arc<Mutex<Vec<Refused>>> = Arc::default();
        let mut rx = cdp.subscribe();
        let (cdp, log, guard) = (cdp.clone(), refused.clone(), Arc::new(guard));
        let task = tokio::spawn(async move {
            while let Some(ev) = rx.recv().await {
                if ev.method != "Fetch.requestPaused" {
                    continue;
                }
                let p = &ev.params;
                let id = p["requestId"].as_str().unwrap_or_default().to_string();
                let url = p["request"]["url"].as_str().unwrap_or_default().to_string();
                let session = ev.session.unwrap_or_default();
                let (cdp, log, guard) = (cdp.clone(), log.clone(), guard.clone());
                // A DNS look-up may take a while: judge each request on its own task.
                tokio::spawn(async move {
                    let s = Some(session.as_str()).filter(|s| !s.is_empty());
                    match guard.check(&url).await {
                        Ok(()) => cdp.fire("Fetch.continueRequest", json!({ "requestId": id }), s),
                        Err(r) => {
                            if let Ok(mut v) = log.lock() {
                                if v.len() < 10_000 {
                                    v.push((session.clone(), url, r.address));
                                }
                            }
                            cdp.fire(
                                "Fetch.failRequest",
                                json!({ "requestId": id, "errorReason": "AddressUnreachable" }),
                                s,
                            );
                        }
                    }
                });
            }
        });
        Egress { task, refused }
    }

    /// The refusals of requests made in `sessions` (one tab and its frames), taken out of the log:
    /// (URL, address).
    pub fn take(&self, sessions: &std::collections::BTreeSet<String>) -> Vec<(String, String)> {
        let Ok(mut v) = self.refused.lock() else {
            return Vec::new();
        };
        let (mine, rest): (Vec<Refused>, Vec<Refused>) =
            v.drain(..).partition(|(s, _, _)| sessions.contains(s));
        *v = rest;
        mine.into_iter().map(|(_, u, a)| (u, a)).collect()
    }
}
