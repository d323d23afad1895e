//! What a tab's DevTools events say about its page: every request of the page, its frames and
//! workers (auto-attached child targets), the top document's status and redirects, `Set-Cookie`
//! headers with the browser's verdict, dialogs and popups; and when the page has settled.
//!
//! Why auto-attach with `waitForDebuggerOnStart`: a cross-site iframe or worker runs in its own
//! target, and its first requests are lost unless Network is enabled before it runs.

use super::cdp::{Cdp, Event};
use super::visit::{
    HeaderCookie, Request, Visit, IDLE, MAX_INTERRUPTIONS, MAX_PAGE_HOSTS, MAX_URLS_PER_HOST,
    SCROLL_JS,
};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedReceiver;

/// The capture of one visit in progress.
pub(super) struct State<'a> {
    pub(super) cdp: &'a Cdp,
    pub(super) target_id: String,
    pub(super) sessions: BTreeSet<String>,
    pub(super) frame_sessions: Vec<String>,
    pub(super) main_session: String,
    pub(super) urls: HashMap<String, String>,
    /// Distinct URLs recorded per host, for the per-page caps.
    pub(super) hosts: HashMap<String, usize>,
    pub(super) extra: Vec<(String, Value)>,
    pub(super) inflight: BTreeSet<(String, String)>,
    pub(super) loaded: bool,
    pub(super) last_activity: Instant,
    pub(super) visit: Visit,
    /// Requests are paused for the internal-address check (`Fetch.enable` on every session).
    pub(super) guarded: bool,
}

impl State<'_> {
    /// Take one event into account.
    pub(super) fn on_event(&mut self, ev: Event) {
        let p = &ev.params;
        let session = ev.session.clone().unwrap_or_default();
        if ev.method == "Target.targetCreated" || ev.method == "Target.targetInfoChanged" {
            let info = &p["targetInfo"];
            if info["type"] == "page" && info["openerId"].as_str() == Some(&self.target_id) {
                let id = info["targetId"].as_str().unwrap_or_default().to_string();
                // Created and info-changed events both arrive for one popup, and its URL is often
                // still empty at that point: record the fact once, without the URL, so reports stay
                // deterministic.
                let note = "popup window opened by the page was closed".to_string();
                if !self.visit.interruptions.contains(&note) {
                    self.visit.interruptions.push(note);
                }
                self.cdp
                    .fire("Target.closeTarget", json!({ "targetId": id }), None);
            }
            return;
        }
        if !self.sessions.contains(&session) {
            return;
        }
        match ev.method.as_str() {
            "Target.attachedToTarget" => {
                let child = p["sessionId"].as_str().unwrap_or_default().to_string();
                self.sessions.insert(child.clone());
                if p["targetInfo"]["type"] == "iframe" {
                    self.frame_sessions.push(child.clone());
                }
                let s = Some(child.as_str());
                self.cdp.fire("Network.enable", json!({}), s);
                if self.guarded {
                    self.cdp
                        .fire("Fetch.enable", super::egress::enable_params(), s);
                }
                self.cdp.fire(
                    "Target.setAutoAttach",
                    json!({ "autoAttach": true, "waitForDebuggerOnStart": true, "flatten": true }),
                    s,
                );
                self.cdp
                    .fire("Runtime.runIfWaitingForDebugger", json!({}), s);
            }
            "Network.requestWillBeSent" => {
                self.last_activity = Instant::now();
                let id = p["requestId"].as_str().unwrap_or_default().to_string();
                let url = p["request"]["url"].as_str().unwrap_or_default().to_string();
                let ty = p["type"].as_str().unwrap_or("Other").to_string();
                let is_top = session == self.main_session
                    && ty == "Document"
                    && p["frameId"].as_str() == Some(&self.target_id);
                if is_top {
                    if p.get("redirectResponse").is_some() {
                        self.visit.redirects.push(url.clone());
                    }
                } else if !url.starts_with("data:") && !url.starts_with("blob:") {
                    let in_subframe = p["frameId"].as_str() != Some(&self.target_id)
                        || session != self.main_session;
                    self.note_request(Request {
                        url: url.clone(),
                        resource_type: ty,
                        in_subframe,
                    });
                }
                self.urls.insert(id.clone(), url);
                self.inflight.insert((session, id));
            }
            "Network.responseReceived" => {
                self.last_activity = Instant::now();
                let is_top = session == self.main_session
                    && p["type"] == "Document"
                    && p["frameId"].as_str() == Some(&self.target_id);
                if is_top {
                    let r = &p["response"];
                    self.visit.status = r["status"].as_u64().map(|s| s as u16);
                    self.visit.mime = r["mimeType"].as_str().map(str::to_string);
                    self.visit.final_url = r["url"].as_str().map(str::to_string);
                    self.visit.headers = r["headers"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .filter(|(n, _)| !n.eq_ignore_ascii_case("set-cookie"))
                        .filter_map(|(n, v)| {
                            let v: String = v.as_str()?.chars().take(200).collect();
                            Some((n.to_ascii_lowercase(), v))
                        })
                        .collect();
                }
            }
            "Network.responseReceivedExtraInfo" => {
                let id = p["requestId"].as_str().unwrap_or_default().to_string();
                self.extra.push((id, p.clone()));
            }
            "Network.loadingFinished" | "Network.loadingFailed" => {
                self.last_activity = Instant::now();
                let id = p["requestId"].as_str().unwrap_or_default().to_string();
                if ev.method == "Network.loadingFailed"
                    && p["type"] == "Document"
                    && session == self.main_session
                    && self.visit.status.is_none()
                    && self.urls.contains_key(&id)
                {
                    let text = p["errorText"].as_str().unwrap_or("failed").to_string();
                    if !p["canceled"].as_bool().unwrap_or(false) {
                        self.visit.error.get_or_insert(text);
                    }
                }
                self.inflight.remove(&(session, id));
            }
            "Network.webSocketCreated" => {
                let url = p["url"].as_str().unwrap_or_default().to_string();
                let in_subframe = session != self.main_session;
                self.note_request(Request {
                    url,
                    resource_type: "WebSocket".into(),
                    in_subframe,
                });
            }
            "Page.loadEventFired" if session == self.main_session => {
                self.loaded = true;
                self.last_activity = Instant::now();
                // Scroll at once, so lazy embeds load inside the same idle window as the
                // page's own late requests instead of in a second wait after it.
                self.cdp.fire(
                    "Runtime.evaluate",
                    json!({ "expression": SCROLL_JS }),
                    Some(&session),
                );
            }
            "Page.windowOpen" if session == self.main_session => {
                self.interruption(format!(
                    "page tried to open a popup window: {}",
                    p["url"].as_str().unwrap_or("")
                ));
            }
            "Page.javascriptDialogOpening" => {
                self.interruption(format!(
                    "{} dismissed: {}",
                    p["type"].as_str().unwrap_or("dialog"),
                    p["message"].as_str().unwrap_or("")
                ));
                self.cdp.fire(
                    "Page.handleJavaScriptDialog",
                    json!({ "accept": false }),
                    Some(&session),
                );
            }
            _ => {}
        }
    }

    /// Record a request, within the per-page caps.
    fn note_request(&mut self, r: Request) {
        if self.visit.requests.contains(&r) {
            return;
        }
        let host = url::Url::parse(&r.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        let known = self.hosts.len();
        let n = self.hosts.get(&host).copied();
        match n {
            None if known >= MAX_PAGE_HOSTS => self.visit.requests_dropped += 1,
            Some(n) if n >= MAX_URLS_PER_HOST => self.visit.requests_dropped += 1,
            _ => {
                *self.hosts.entry(host).or_insert(0) += 1;
                self.visit.requests.insert(r);
            }
        }
    }

    /// Record a dialog or popup once, up to [`MAX_INTERRUPTIONS`].
    fn interruption(&mut self, note: String) {
        if self.visit.interruptions.len() < MAX_INTERRUPTIONS
            && !self.visit.interruptions.contains(&note)
        {
            self.visit.interruptions.push(note);
        }
    }

    /// Loaded, and no request for [`IDLE`].
    pub(super) fn settled(&self) -> bool {
        self.loaded && self.last_activity.elapsed() >= IDLE
    }

    /// Resolve Set-Cookie headers (extra-info events can arrive before their request).
    pub(super) fn collect_cookies(&mut self) {
        for (id, p) in std::mem::take(&mut self.extra) {
            let url = self.urls.get(&id).cloned().unwrap_or_default();
            let mut blocked: BTreeMap<String, String> = BTreeMap::new();
            for b in p["blockedCookies"].as_array().into_iter().flatten() {
                let line = b["cookieLine"].as_str().unwrap_or_default().to_string();
                let reasons: Vec<&str> = b["blockedReasons"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                blocked.insert(line, reasons.join(","));
            }
            let headers = p["headers"].as_object().cloned().unwrap_or_default();
            for (name, value) in headers {
                if !name.eq_ignore_ascii_case("set-cookie") {
                    continue;
                }
                for line in value
                    .as_str()
                    .unwrap_or_default()
                    .split('\n')
                    .filter(|l| !l.trim().is_empty())
                {
                    self.visit.cookies.push(HeaderCookie {
                        line: line.to_string(),
                        response_url: url.clone(),
                        blocked_reason: blocked.get(line).cloned(),
                    });
                }
            }
        }
    }
}

/// Take events until the page settled (true) or `deadline` passed (false).
pub(super) async fn pump_until(
    state: &mut State<'_>,
    rx: &mut UnboundedReceiver<Event>,
    deadline: Instant,
) -> bool {
    loop {
        if state.settled() {
            return true;
        }
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        let wait = (deadline - now).min(Duration::from_millis(100));
        match tokio::time::timeout(wait, rx.recv()).await {
            Ok(Some(ev)) => state.on_event(ev),
            Ok(None) => return false,
            Err(_) => {}
        }
    }
}
