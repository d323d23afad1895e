//! One page in one tab: navigate, capture every request of the page and of its frames and workers
//! (auto-attached child targets), wait until the network settles, scroll for lazy embeds, then
//! read the rendered DOM.
//!
//! Why auto-attach with `waitForDebuggerOnStart`: a cross-site iframe or worker runs in its own
//! target, and its first requests are lost unless Network is enabled before it runs.

use super::cdp::{Cdp, Event};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedReceiver;

/// No request for this long after the load event counts as "settled".
const IDLE: Duration = Duration::from_millis(500);

/// A request the page (or one of its frames/workers) made.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Request {
    /// URL requested.
    pub url: String,
    /// CDP resource type ("Script", "Image", "Document", "XHR", "Fetch", "Ping", "WebSocket", …).
    pub resource_type: String,
    /// Made by a frame other than the top document (its document request is an iframe).
    pub in_subframe: bool,
}

/// A `Set-Cookie` header seen on a response, with the browser's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderCookie {
    /// One cookie line.
    pub line: String,
    /// URL of the response.
    pub response_url: String,
    /// Why the browser refused to store it (None = stored).
    pub blocked_reason: Option<String>,
}

/// What the rendered DOM says.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Dom {
    /// `document.title`.
    #[serde(default)]
    pub title: String,
    /// Anchors: [href, text].
    #[serde(default)]
    pub anchors: Vec<(String, String)>,
    /// Script elements: [src, inline text (cut)].
    #[serde(default)]
    pub scripts: Vec<(String, String)>,
    /// localStorage keys and value sizes.
    #[serde(default)]
    pub local_storage: Vec<(String, usize)>,
    /// sessionStorage keys and value sizes.
    #[serde(default)]
    pub session_storage: Vec<(String, usize)>,
    /// IndexedDB database names.
    #[serde(default)]
    pub indexed_db: Vec<String>,
    /// Names of cookies the top document's scripts wrote through `document.cookie` (see
    /// [`COOKIE_HOOK_JS`]): attributes a script cookie to the page that set it, even when
    /// several tabs share one cookie jar.
    #[serde(default)]
    pub cookie_names: Vec<String>,
}

/// Everything one visit captured.
#[derive(Debug, Default)]
pub struct Visit {
    /// Final URL of the top document.
    pub final_url: Option<String>,
    /// Redirect hops of the top document.
    pub redirects: Vec<String>,
    /// HTTP status of the top document.
    pub status: Option<u16>,
    /// MIME type of the top document.
    pub mime: Option<String>,
    /// Requests other than the top document, deduplicated.
    pub requests: BTreeSet<Request>,
    /// Set-Cookie lines of every response.
    pub cookies: Vec<HeaderCookie>,
    /// The rendered DOM (None when the page never produced one).
    pub dom: Option<Dom>,
    /// The page never settled within the cap (recorded, not fatal).
    pub timed_out: bool,
    /// Navigation error text (DNS failure, refused…), when the top document failed.
    pub error: Option<String>,
    /// Dialogs dismissed and popups closed.
    pub interruptions: Vec<String>,
    /// Result of the consent click, when the plan asked for one: (clicked, how).
    pub click: Option<(bool, String)>,
    /// Results of the plan's probes, by name.
    pub probes: BTreeMap<String, Value>,
    /// Headers of the top document's response, (lowercase name, value), Set-Cookie excluded:
    /// CDN and hosting signatures live there.
    pub headers: Vec<(String, String)>,
}

/// What to do on a visit besides capturing.
#[derive(Debug, Clone, Default)]
pub struct VisitPlan {
    /// Browser context (a separate cookie jar) to open the tab in; None = the default context.
    pub context: Option<String>,
    /// JS to run once the page settled (e.g. click "accept all"); must return `{clicked, how}`.
    /// Tried in the page, then in each cross-site frame, until one reports `clicked`.
    pub click_js: Option<String>,
    /// Named JS expressions evaluated (awaited, by value) after the page settled.
    pub probes: Vec<(String, String)>,
    /// Ask the IAB TCF API after the page settled (and after the click), from an isolated
    /// world; the answer lands in the probe `tcf`.
    pub tcf: bool,
}

/// JavaScript evaluated after the page settles; returns plain JSON.
const DOM_JS: &str = r#"(async () => {
  const cut = (s, n) => (s || '').slice(0, n);
  const keys = (st) => { try { return Object.keys(st).sort().map(k => [k, (st.getItem(k) || '').length]); } catch (e) { return []; } };
  let dbs = [];
  try { if (indexedDB.databases) dbs = (await indexedDB.databases()).map(d => d.name || '').sort(); } catch (e) {}
  return {
    title: cut(document.title, 500),
    anchors: Array.from(document.querySelectorAll('a[href], area[href]')).slice(0, 5000)
      .map(a => [a.href, cut((a.innerText || a.textContent || '').replace(/\s+/g, ' ').trim(), 200)]),
    scripts: Array.from(document.scripts).slice(0, 2000).map(s => [s.src || '', s.src ? '' : cut(s.text, 16384)]),
    local_storage: keys(window.localStorage),
    session_storage: keys(window.sessionStorage),
    indexed_db: dbs,
    cookie_names: Array.from(new Set(window.__piCookieNames || [])).sort(),
  };
})()"#;

/// Installed before any page script runs: notes the name of every cookie written through
/// `document.cookie` (the value is never kept), then writes it as usual.
pub const COOKIE_HOOK_JS: &str = r#"(() => { try {
  const d = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  if (!d || !d.set || window.__piCookieNames) return;
  const names = [];
  Object.defineProperty(window, '__piCookieNames', { value: names });
  Object.defineProperty(Document.prototype, 'cookie', {
    configurable: true, enumerable: d.enumerable, get: d.get,
    set(v) { try { if (names.length < 2000) names.push(String(v).split(';')[0].split('=')[0].trim()); } catch (e) {} d.set.call(this, v); },
  });
} catch (e) {} })()"#;

/// Scroll to the bottom (lazy iframes and images, scroll-triggered embeds) and remember how tall
/// the page was.
const SCROLL_JS: &str = "(() => { const h = document.body ? document.body.scrollHeight : 0; \
    window.__piScrolledTo = h; window.scrollTo(0, h); })()";

/// After the page settled: scroll again when it grew since [`SCROLL_JS`]; true when it did.
const RESCROLL_JS: &str = "(() => { const h = document.body ? document.body.scrollHeight : 0; \
    const grew = h !== window.__piScrolledTo; window.__piScrolledTo = h; window.scrollTo(0, h); \
    return grew; })()";

struct State<'a> {
    cdp: &'a Cdp,
    target_id: String,
    sessions: BTreeSet<String>,
    frame_sessions: Vec<String>,
    main_session: String,
    urls: HashMap<String, String>,
    extra: Vec<(String, Value)>,
    inflight: BTreeSet<(String, String)>,
    loaded: bool,
    last_activity: Instant,
    visit: Visit,
}

impl State<'_> {
    fn on_event(&mut self, ev: Event) {
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
                    self.visit.requests.insert(Request {
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
                self.visit.requests.insert(Request {
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
                let note = format!(
                    "page tried to open a popup window: {}",
                    p["url"].as_str().unwrap_or("")
                );
                if !self.visit.interruptions.contains(&note) {
                    self.visit.interruptions.push(note);
                }
            }
            "Page.javascriptDialogOpening" => {
                self.visit.interruptions.push(format!(
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

    fn settled(&self) -> bool {
        self.loaded && self.last_activity.elapsed() >= IDLE
    }

    /// Resolve Set-Cookie headers (extra-info events can arrive before their request).
    fn collect_cookies(&mut self) {
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

async fn pump_until(
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

/// Visit `url` in a new tab of the browser's default context (cookies persist across pages).
/// Errors are browser-level failures (the connection died); page failures are in the `Visit`.
pub async fn visit(
    cdp: &Cdp,
    url: &str,
    page_timeout: Duration,
    plan: &VisitPlan,
) -> Result<Visit, String> {
    let mut rx = cdp.subscribe();
    let mut create = json!({ "url": "about:blank" });
    if let Some(ctx) = &plan.context {
        create["browserContextId"] = json!(ctx);
    }
    let created = cdp.call("Target.createTarget", create, None).await?;
    let target_id = created["targetId"]
        .as_str()
        .ok_or("no targetId")?
        .to_string();
    let attached = cdp
        .call(
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
            None,
        )
        .await?;
    let session = attached["sessionId"]
        .as_str()
        .ok_or("no sessionId")?
        .to_string();
    let s = Some(session.as_str());
    cdp.call("Network.enable", json!({}), s).await?;
    cdp.call("Page.enable", json!({}), s).await?;
    cdp.call(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": COOKIE_HOOK_JS }),
        s,
    )
    .await?;
    cdp.call(
        "Target.setAutoAttach",
        json!({ "autoAttach": true, "waitForDebuggerOnStart": true, "flatten": true }),
        s,
    )
    .await?;
    let mut state = State {
        cdp,
        target_id: target_id.clone(),
        sessions: BTreeSet::from([session.clone()]),
        frame_sessions: Vec::new(),
        main_session: session.clone(),
        urls: HashMap::new(),
        extra: Vec::new(),
        inflight: BTreeSet::new(),
        loaded: false,
        last_activity: Instant::now(),
        visit: Visit::default(),
    };
    let deadline = Instant::now() + page_timeout;
    match cdp.call("Page.navigate", json!({ "url": url }), s).await {
        Ok(r) => {
            if let Some(e) = r["errorText"].as_str() {
                state.visit.error = Some(e.to_string());
            }
        }
        Err(e) => state.visit.error = Some(e),
    }
    if state.visit.error.is_none() {
        let settled = pump_until(&mut state, &mut rx, deadline).await;
        state.visit.timed_out = !settled;
        // The page grew after the scroll at load (content added by script): scroll to the new
        // bottom and wait for what that triggers. Otherwise the lazy embeds already loaded.
        let grew = cdp
            .call(
                "Runtime.evaluate",
                json!({ "expression": RESCROLL_JS, "returnByValue": true }),
                s,
            )
            .await
            .map(|r| r["result"]["value"].as_bool() != Some(false))
            .unwrap_or(false);
        if grew && settled {
            state.last_activity = Instant::now();
            let after_scroll = Instant::now() + Duration::from_millis(1500);
            pump_until(
                &mut state,
                &mut rx,
                after_scroll.min(deadline.max(Instant::now() + IDLE)),
            )
            .await;
        }
        if let Some(js) = &plan.click_js {
            let mut sessions = vec![session.clone()];
            sessions.extend(state.frame_sessions.iter().cloned());
            let mut result = (false, "no accept/reject button found".to_string());
            for sess in sessions {
                let r = cdp
                    .call(
                        "Runtime.evaluate",
                        json!({ "expression": js, "returnByValue": true }),
                        Some(&sess),
                    )
                    .await
                    .unwrap_or_default();
                let v = &r["result"]["value"];
                if v["clicked"].as_bool() == Some(true) {
                    result = (true, v["how"].as_str().unwrap_or_default().to_string());
                    break;
                }
            }
            if result.0 {
                // Whatever the click unleashes (tag managers, pixels) loads now: wait for it.
                state.loaded = true;
                state.last_activity = Instant::now();
                let cap = Instant::now() + page_timeout.min(Duration::from_secs(5));
                pump_until(&mut state, &mut rx, cap).await;
            }
            state.visit.click = Some(result);
        }
        for (name, js) in &plan.probes {
            let r = cdp
                .call(
                    "Runtime.evaluate",
                    json!({ "expression": js, "awaitPromise": true, "returnByValue": true }),
                    s,
                )
                .await
                .unwrap_or_default();
            state
                .visit
                .probes
                .insert(name.clone(), r["result"]["value"].clone());
        }
        if plan.tcf {
            let answer = super::signals::read_tcf(cdp, &session, &target_id).await;
            state.visit.probes.insert("tcf".into(), answer);
        }
        let dom = cdp
            .call(
                "Runtime.evaluate",
                json!({ "expression": DOM_JS, "awaitPromise": true, "returnByValue": true }),
                s,
            )
            .await
            .ok()
            .and_then(|v| serde_json::from_value::<Dom>(v["result"]["value"].clone()).ok());
        state.visit.dom = dom;
    }
    // Drain what already arrived, then close the tab.
    while let Ok(ev) = rx.try_recv() {
        state.on_event(ev);
    }
    state.collect_cookies();
    let _ = cdp
        .call("Target.closeTarget", json!({ "targetId": target_id }), None)
        .await;
    Ok(state.visit)
}
