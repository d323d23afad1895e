//! One page in one tab: navigate, capture what the page does ([`capture`](super::capture)), wait
//! until the network settles, scroll for lazy embeds, then read the rendered DOM in an isolated
//! world ([`world`]). The whole visit ends within [`visit_budget`], however the page behaves.

use super::capture::{pump_until, State};
use super::cdp::{Cdp, Event};
use super::world;
use crate::model::ErrorKind;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedReceiver;

/// No request for this long after the load event counts as "settled".
pub const IDLE: Duration = Duration::from_millis(500);

/// Time past `--page-timeout` for reading the DOM and closing the tab. A page whose scripts never
/// yield answers no command at all: its whole visit still ends within `--page-timeout` + this.
pub const GRACE: Duration = Duration::from_secs(5);

/// Distinct hosts recorded per page: a page that contacts more (one hostile page reached 25,800)
/// is recorded up to here, and the cut is an error of the page, so the report stays small.
pub const MAX_PAGE_HOSTS: usize = 300;

/// Distinct URLs recorded per host per page (a host's samples and types need only a few).
pub const MAX_URLS_PER_HOST: usize = 50;

/// Interruptions (dialogs, popups) recorded per page: an `alert` loop repeats without end.
pub const MAX_INTERRUPTIONS: usize = 20;

/// Characters of rendered HTML read for a policy page.
pub const MAX_HTML_CHARS: usize = 4 * 1024 * 1024;

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
    /// What went wrong on the page besides loading it, as (error kind, message): a DOM or
    /// probe read that failed, a page that stopped answering. Recorded as the page's errors.
    pub problems: Vec<(ErrorKind, String)>,
    /// Requests not recorded because the page passed [`MAX_PAGE_HOSTS`] or
    /// [`MAX_URLS_PER_HOST`].
    pub requests_dropped: usize,
    /// The rendered document's HTML, when the plan asked for it (cut at [`MAX_HTML_CHARS`]).
    pub html: Option<String>,
    /// Requests failed because they led to an internal address: (URL, address).
    pub refused: Vec<(String, String)>,
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
    /// Named JS expressions evaluated (awaited, by value) in the page's world after it settled.
    pub probes: Vec<(String, String)>,
    /// Read the rendered document's HTML (a policy page rendered by script).
    pub capture_html: bool,
    /// Ask the IAB TCF API after the page settled (and after the click), from an isolated
    /// world; the answer lands in the probe `tcf`.
    pub tcf: bool,
    /// Requests to internal addresses the user did not name are failed before they leave the
    /// browser (see `crawl::private_net`); None with `--allow-private`.
    pub egress: Option<std::sync::Arc<super::egress::Egress>>,
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
  };
})()"#;

/// Installed before any page script runs: notes the name of every cookie written through
/// `document.cookie` (the value is never kept), then writes it as usual. The names are read
/// back through a function that serialises them with the built-ins captured here, so a page that
/// replaces `JSON.stringify` or `Array.prototype.push` later cannot hide them.
pub const COOKIE_HOOK_JS: &str = r#"(() => { try {
  const d = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  if (!d || !d.set || window.__piCookieNames) return;
  const names = [], stringify = JSON.stringify;
  const split = String.prototype.split, trim = String.prototype.trim, setter = d.set;
  Object.defineProperty(window, '__piCookieNames', { value: () => stringify(names) });
  Object.defineProperty(Document.prototype, 'cookie', {
    configurable: true, enumerable: d.enumerable, get: d.get,
    set(v) {
      try { if (names.length < 2000) names[names.length] = trim.apply(split.apply(split.apply(String(v), [';'])[0], ['='])[0]); } catch (e) {}
      setter.apply(this, [v]);
    },
  });
} catch (e) {} })()"#;

/// Read back the cookie names [`COOKIE_HOOK_JS`] noted (a JSON string, or null without the hook).
const COOKIE_NAMES_JS: &str =
    "typeof window.__piCookieNames === 'function' ? window.__piCookieNames() : null";

/// The rendered document's HTML (the policy as a visitor sees it), cut.
const HTML_JS: &str =
    "document.documentElement ? document.documentElement.outerHTML.slice(0, 4194304) : ''";

/// Scroll to the bottom (lazy iframes and images, scroll-triggered embeds) and remember how tall
/// the page was.
pub const SCROLL_JS: &str = "(() => { const h = document.body ? document.body.scrollHeight : 0; \
    window.__piScrolledTo = h; window.scrollTo(0, h); })()";

/// After the page settled: scroll again when it grew since [`SCROLL_JS`]; true when it did.
const RESCROLL_JS: &str = "(() => { const h = document.body ? document.body.scrollHeight : 0; \
    const grew = h !== window.__piScrolledTo; window.__piScrolledTo = h; window.scrollTo(0, h); \
    return grew; })()";

/// Closes the tab when the visit ends however it ends (returned, failed, or dropped because it
/// overran its deadline): a tab whose page never yields must not keep its renderer busy.
struct TabGuard<'a> {
    cdp: &'a Cdp,
    target_id: String,
}

impl Drop for TabGuard<'_> {
    fn drop(&mut self) {
        self.cdp.fire(
            "Target.closeTarget",
            json!({ "targetId": self.target_id }),
            None,
        );
    }
}

/// The longest a visit with `plan` may take: `--page-timeout`, the wait after a consent click,
/// the wait for a CMP's TCF answer, and [`GRACE`] for reading the page and closing the tab.
pub fn visit_budget(page_timeout: Duration, plan: &VisitPlan) -> Duration {
    let click = if plan.click_js.is_some() {
        page_timeout.min(Duration::from_secs(5))
    } else {
        Duration::ZERO
    };
    let tcf = if plan.tcf {
        super::signals::ASK_BUDGET
    } else {
        Duration::ZERO
    };
    page_timeout + click + tcf + GRACE
}

/// Visit `url` in a new tab (of the plan's browser context; cookies persist across pages).
/// Errors are browser-level failures (the tab could not be opened: the connection died); what
/// goes wrong on the page is in the `Visit` (`error`, `timed_out`, `problems`). The visit ends
/// within [`visit_budget`] even when the page's scripts never yield.
pub async fn visit(
    cdp: &Cdp,
    url: &str,
    page_timeout: Duration,
    plan: &VisitPlan,
) -> Result<Visit, String> {
    let started = Instant::now();
    let hard = started + visit_budget(page_timeout, plan);
    let mut rx = cdp.subscribe();
    let mut create = json!({ "url": "about:blank" });
    if let Some(ctx) = &plan.context {
        create["browserContextId"] = json!(ctx);
    }
    let created = cdp
        .call_until("Target.createTarget", create, None, hard)
        .await?;
    let target_id = created["targetId"]
        .as_str()
        .ok_or("no targetId")?
        .to_string();
    let _guard = TabGuard {
        cdp,
        target_id: target_id.clone(),
    };
    let attached = cdp
        .call_until(
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
            None,
            hard,
        )
        .await?;
    let session = attached["sessionId"]
        .as_str()
        .ok_or("no sessionId")?
        .to_string();
    let s = Some(session.as_str());
    cdp.call_until("Network.enable", json!({}), s, hard).await?;
    // Every request of the tab is paused and judged by the internal-address rule before it
    // leaves the browser (frames and workers: see `capture`).
    if plan.egress.is_some() {
        cdp.call_until("Fetch.enable", super::egress::enable_params(), s, hard)
            .await?;
    }
    cdp.call_until("Page.enable", json!({}), s, hard).await?;
    cdp.call_until(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": COOKIE_HOOK_JS }),
        s,
        hard,
    )
    .await?;
    cdp.call_until(
        "Target.setAutoAttach",
        json!({ "autoAttach": true, "waitForDebuggerOnStart": true, "flatten": true }),
        s,
        hard,
    )
    .await?;
    let mut state = State {
        cdp,
        target_id: target_id.clone(),
        sessions: BTreeSet::from([session.clone()]),
        frame_sessions: Vec::new(),
        main_session: session.clone(),
        urls: HashMap::new(),
        hosts: HashMap::new(),
        extra: Vec::new(),
        inflight: BTreeSet::new(),
        loaded: false,
        last_activity: Instant::now(),
        visit: Visit::default(),
        guarded: plan.egress.is_some(),
    };
    let deadline = started + page_timeout;
    // Until `hard`: a server that sends its headers late still gets its page read.
    match cdp
        .call_until("Page.navigate", json!({ "url": url }), s, hard)
        .await
    {
        Ok(r) => {
            if let Some(e) = r["errorText"].as_str() {
                state.visit.error = Some(e.to_string());
            }
        }
        Err(e) => state.visit.error = Some(e),
    }
    if state.visit.error.is_none() {
        read_page(&mut state, &mut rx, &session, plan, deadline, hard).await;
    }
    // Drain what already arrived; the guard closes the tab.
    while let Ok(ev) = rx.try_recv() {
        state.on_event(ev);
    }
    state.collect_cookies();
    if let Some(e) = &plan.egress {
        state.visit.refused = e.take(&state.sessions);
    }
    Ok(state.visit)
}

/// After navigation: wait until the page settles (or `deadline`), scroll, click, run the probes
/// and read the DOM, every command bounded by `hard`. A command that gets no answer means the
/// page's scripts stopped yielding: what remains is skipped and the page says so.
async fn read_page(
    state: &mut State<'_>,
    rx: &mut UnboundedReceiver<Event>,
    session: &str,
    plan: &VisitPlan,
    deadline: Instant,
    hard: Instant,
) {
    let cdp = state.cdp;
    let settled = pump_until(state, rx, deadline).await;
    state.visit.timed_out = !settled;
    // The page grew after the scroll at load (content added by script): scroll to the new
    // bottom and wait for what that triggers. Otherwise the lazy embeds already loaded.
    let grew = match world::eval_main(cdp, session, RESCROLL_JS, hard).await {
        Ok(v) => v.as_bool() != Some(false),
        Err(e) if Instant::now() >= hard => return unresponsive(state, "scroll", &e),
        Err(_) => false,
    };
    if grew && settled {
        state.last_activity = Instant::now();
        let after_scroll = Instant::now() + Duration::from_millis(1500);
        pump_until(
            state,
            rx,
            after_scroll.min(deadline.max(Instant::now() + IDLE)),
        )
        .await;
    }
    // What the steps after the click need of the budget: the TCF question, then the DOM read.
    let tcf_wait = if plan.tcf {
        super::signals::ASK_BUDGET
    } else {
        Duration::ZERO
    };
    let reserve = GRACE + tcf_wait;
    if let Some(js) = &plan.click_js {
        let mut sessions = vec![session.to_string()];
        sessions.extend(state.frame_sessions.iter().cloned());
        let mut result = (false, "no accept/reject button found".to_string());
        let mut failures = Vec::new();
        for sess in sessions {
            match world::eval_main(cdp, &sess, js, hard).await {
                Ok(v) if v["clicked"].as_bool() == Some(true) => {
                    result = (true, v["how"].as_str().unwrap_or_default().to_string());
                    break;
                }
                Ok(_) => {}
                Err(e) => failures.push(e),
            }
        }
        if !result.0 {
            if let Some(e) = failures.first() {
                state.visit.problems.push((
                    ErrorKind::ConsentClick,
                    format!("the consent button could not be looked for: {e}"),
                ));
            }
        }
        if result.0 {
            // Whatever the click unleashes (tag managers, pixels) loads now: wait for it.
            state.loaded = true;
            state.last_activity = Instant::now();
            let cap = Instant::now() + (hard - reserve).saturating_duration_since(Instant::now());
            pump_until(state, rx, cap).await;
        }
        state.visit.click = Some(result);
    }
    for (name, js) in &plan.probes {
        match world::eval_main(cdp, session, js, hard).await {
            Ok(v) => {
                state.visit.probes.insert(name.clone(), v);
            }
            Err(e) if Instant::now() >= hard => return unresponsive(state, "probe", &e),
            Err(e) => state
                .visit
                .problems
                .push((ErrorKind::Probe, format!("probe {name} failed: {e}"))),
        }
    }
    let frame = state.target_id.clone();
    if plan.tcf {
        let answer = super::signals::read_tcf(cdp, session, &frame, hard - GRACE).await;
        state.visit.probes.insert("tcf".into(), answer);
    }
    let mut dom = match world::eval_isolated(cdp, session, &frame, DOM_JS, hard).await {
        Ok(v) => match serde_json::from_value::<Dom>(v) {
            Ok(d) => d,
            Err(e) => {
                state.visit.problems.push((
                    ErrorKind::DomRead,
                    format!("the rendered page could not be read (links, scripts, storage): {e}"),
                ));
                return;
            }
        },
        Err(e) if Instant::now() >= hard => return unresponsive(state, "DOM", &e),
        Err(e) => {
            state.visit.problems.push((
                ErrorKind::DomRead,
                format!("the rendered page could not be read (links, scripts, storage): {e}"),
            ));
            return;
        }
    };
    match world::eval_main(cdp, session, COOKIE_NAMES_JS, hard).await {
        Ok(Value::String(json)) => {
            let mut names: Vec<String> = serde_json::from_str(&json).unwrap_or_default();
            names.sort();
            names.dedup();
            dom.cookie_names = names;
        }
        Ok(_) => {}
        Err(e) => state.visit.problems.push((
            ErrorKind::StorageRead,
            format!("the names of cookies written by the page's scripts could not be read: {e}"),
        )),
    }
    state.visit.dom = Some(dom);
    if plan.capture_html {
        match world::eval_isolated(cdp, session, &frame, HTML_JS, hard).await {
            Ok(Value::String(html)) => state.visit.html = Some(html),
            Ok(_) => {}
            Err(e) => state.visit.problems.push((
                ErrorKind::DomRead,
                format!("the rendered HTML could not be read: {e}"),
            )),
        }
    }
}

/// The page stopped answering while we read `what`: record it (kind `dom_read` unless it was a
/// probe or the scroll) and give up on the rest of the page.
fn unresponsive(state: &mut State<'_>, what: &str, error: &str) {
    let kind = if what == "probe" {
        ErrorKind::Probe
    } else {
        ErrorKind::DomRead
    };
    state.visit.problems.push((
        kind,
        format!(
            "the page did not answer while its {what} was read ({error}): its scripts may never \
             yield; the tab was closed and the scan went on"
        ),
    ));
}
