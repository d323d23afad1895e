//! The IAB TCF API, asked in the browser once per consent phase.
//!
//! Publisher CMPs expose `window.__tcfapi` and, so that frames can reach it, a frame named
//! `__tcfapiLocator` plus a `message` listener answering `{__tcfapiCall: …}` (TCF v2.2, "CMP
//! JS API"). We ask through that message interface from an isolated world
//! (`Page.createIsolatedWorld`): the page's scripts cannot see or patch our code, and the CMP
//! answers exactly as it would answer one of its own vendors' frames. The question is bounded in
//! time: a CMP that never answers costs at most [`ANSWER_MS`]; a page with neither
//! `window.__tcfapi` nor a locator frame is not asked at all (no wait).

use super::cdp::Cdp;
use super::world;
use crate::model::{Consent, Tcf};
use crate::observe::Phase;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// How long a CMP may take to answer `getTCData`.
pub const ANSWER_MS: u64 = 2000;

/// Evaluated in the page's own world: does it define `window.__tcfapi` or the locator frame?
/// (Only reads; the question itself goes through the isolated world.)
const PRESENCE_JS: &str = "({ api: typeof window.__tcfapi === 'function', \
    locator: !!document.querySelector('iframe[name=\"__tcfapiLocator\"]') })";

/// Runs in the isolated world; resolves to plain JSON (see [`tcf_of`]).
fn tcf_js() -> String {
    format!(
        r#"(async () => {{
  const callId = 'privacy-inventory-tcf';
  return await new Promise((resolve) => {{
    let done = false;
    const finish = (v) => {{ if (!done) {{ done = true; window.removeEventListener('message', on); resolve(v); }} }};
    const on = (ev) => {{
      let d = ev.data;
      if (typeof d === 'string') {{ try {{ d = JSON.parse(d); }} catch (e) {{ return; }} }}
      const r = d && d.__tcfapiReturn;
      if (!r || r.callId !== callId) return;
      const tc = r.returnValue || {{}};
      const consents = (tc.purpose && tc.purpose.consents) || {{}};
      const vendors = (tc.vendor && tc.vendor.consents) || {{}};
      finish({{
        present: true, answered: true, success: r.success !== false,
        cmpId: typeof tc.cmpId === 'number' ? tc.cmpId : null,
        gdprApplies: typeof tc.gdprApplies === 'boolean' ? tc.gdprApplies : null,
        tcString: typeof tc.tcString === 'string' && tc.tcString.length > 0,
        purposes: Object.keys(consents).filter((k) => consents[k] === true).map(Number).filter((n) => n > 0),
        vendors: Object.keys(vendors).filter((k) => vendors[k] === true).length,
      }});
    }};
    window.addEventListener('message', on);
    setTimeout(() => finish({{ present: true, answered: false }}), {ANSWER_MS});
    try {{
      window.postMessage({{ __tcfapiCall: {{ command: 'getTCData', parameter: null, version: 2, callId }} }}, '*');
    }} catch (e) {{ finish({{ present: true, answered: false }}); }}
  }});
}})()"#
    )
}

/// The longest [`read_tcf`] waits for a CMP that is present: its answer time and a margin for
/// opening the isolated world (a visit's budget includes it when the plan asks for TCF).
pub const ASK_BUDGET: Duration = Duration::from_millis(ANSWER_MS + 1500);

/// Ask the TCF API of the page in `session` (top frame `frame_id`) from an isolated world,
/// giving up at `deadline` (or [`ASK_BUDGET`] from now). Never fails: a browser error reads as
/// "no answer".
pub async fn read_tcf(cdp: &Cdp, session: &str, frame_id: &str, deadline: Instant) -> Value {
    let presence = world::eval_main(cdp, session, PRESENCE_JS, deadline)
        .await
        .unwrap_or_default();
    if presence["api"] != true && presence["locator"] != true {
        return json!({ "present": false });
    }
    let cap = deadline.min(Instant::now() + ASK_BUDGET);
    match world::eval_isolated(cdp, session, frame_id, &tcf_js(), cap).await {
        Ok(v) => v,
        Err(_) => json!({ "present": true, "answered": false }),
    }
}

/// The report's view of one answer.
pub fn tcf_of(v: &Value) -> Tcf {
    let present = v["present"].as_bool().unwrap_or(false);
    let answered = v["answered"].as_bool().unwrap_or(false);
    let mut purposes: Vec<u32> = v["purposes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_u64().and_then(|n| u32::try_from(n).ok()))
        .collect();
    purposes.sort_unstable();
    purposes.dedup();
    Tcf {
        present,
        cmp_id: v["cmpId"].as_u64().and_then(|n| u32::try_from(n).ok()),
        gdpr_applies: v["gdprApplies"].as_bool(),
        tc_string_present: v["tcString"].as_bool().unwrap_or(false),
        purposes_consented: purposes,
        vendors_consented: v["vendors"].as_u64().unwrap_or(0) as usize,
        timed_out: present && !answered,
    }
}

/// Record the answer a visit got (in its `tcf` probe) as the phase's TCF signal.
pub fn record(consent: &mut Consent, phase: Phase, answer: Option<&Value>) {
    let Some(answer) = answer else { return };
    consent.signals.entry(phase).or_default().tcf = Some(tcf_of(answer));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_become_sorted_report_fields() {
        let t = tcf_of(&json!({
            "present": true, "answered": true, "cmpId": 300, "gdprApplies": true,
            "tcString": true, "purposes": [4, 1, 3, 1], "vendors": 12
        }));
        assert_eq!(t.cmp_id, Some(300));
        assert_eq!(t.purposes_consented, vec![1, 3, 4]);
        assert_eq!(t.vendors_consented, 12);
        assert!(t.present && t.tc_string_present && !t.timed_out);
        let silent = tcf_of(&json!({ "present": true, "answered": false }));
        assert!(silent.timed_out && silent.purposes_consented.is_empty());
        let absent = tcf_of(&Value::Null);
        assert!(!absent.present && !absent.timed_out);
    }

    #[test]
    fn the_probe_is_bounded_and_uses_the_message_interface() {
        let js = tcf_js();
        assert!(js.contains("__tcfapiCall") && js.contains("__tcfapiReturn"));
        assert!(js.contains(&format!("answered: false }}), {ANSWER_MS})")));
        assert!(PRESENCE_JS.contains("__tcfapi") && PRESENCE_JS.contains("__tcfapiLocator"));
    }
}
