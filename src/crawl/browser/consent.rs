//! Consent managers in the browser: recognise which one a site uses, click "accept all" or
//! "reject all", and read the services the CMP itself declares. Rules are data
//! (`data/consent/cmps.toml`), so a new CMP shape is a data change, not a code change.

pub use crate::observe::consent::{rules, CmpRule, CmpRules, Fallback};

/// Which button to press.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// "Accept all".
    Accept,
    /// "Reject all".
    Reject,
}

/// A CMP recognised from the hosts a page contacted.
pub fn detect_by_hosts<'a, I: IntoIterator<Item = &'a str>>(hosts: I) -> Option<(String, String)> {
    let hosts: Vec<&str> = hosts.into_iter().collect();
    for rule in &rules().cmps {
        for suffix in &rule.detect_hosts {
            if let Some(h) = hosts.iter().find(|h| crate::domain::host_within(h, suffix)) {
                return Some((rule.id.clone(), format!("request to {h}")));
            }
        }
    }
    None
}

/// Shared JS: every document root (document, open shadow roots, same-origin frames) and lookup.
const ROOTS_JS: &str = r#"
const __roots = () => {
  const out = [document];
  const walk = (root) => root.querySelectorAll('*').forEach(el => { if (el.shadowRoot) { out.push(el.shadowRoot); walk(el.shadowRoot); } });
  walk(document);
  document.querySelectorAll('iframe').forEach(f => { try { if (f.contentDocument) { out.push(f.contentDocument); walk(f.contentDocument); } } catch (e) {} });
  return out;
};
const __find = (sel) => { for (const r of __roots()) { try { const el = r.querySelector(sel); if (el) return el; } catch (e) {} } return null; };
"#;

fn js_str(s: &str) -> String {
    serde_json::to_string(s).expect("string serialises")
}

/// JS returning `{id, how}` for the first CMP recognised by selector or global, else null.
pub fn detect_js() -> String {
    let mut checks = String::new();
    for r in &rules().cmps {
        for s in &r.detect_selectors {
            checks.push_str(&format!(
                "if (__find({sel})) return {{id: {id}, how: {how}}};\n",
                sel = js_str(s),
                id = js_str(&r.id),
                how = js_str(&format!("element {s}"))
            ));
        }
        for g in &r.detect_globals {
            checks.push_str(&format!(
                "if (typeof window[{g}] !== 'undefined') return {{id: {id}, how: {how}}};\n",
                g = js_str(g),
                id = js_str(&r.id),
                how = js_str(&format!("global window.{g}"))
            ));
        }
    }
    format!("(() => {{ {ROOTS_JS}\n{checks} return null; }})()")
}

/// JS that clicks the button for `choice` (the CMP's own selectors first, then every CMP's, then the
/// text fallback) and returns `{clicked, how}`.
pub fn click_js(choice: Choice, cmp: Option<&str>) -> String {
    let r = rules();
    let mut selectors: Vec<&String> = Vec::new();
    let pick = |rule: &'static CmpRule| match choice {
        Choice::Accept => &rule.accept,
        Choice::Reject => &rule.reject,
    };
    if let Some(id) = cmp {
        for rule in r.cmps.iter().filter(|c| c.id == id) {
            selectors.extend(pick(rule));
        }
    }
    for rule in r.cmps.iter().filter(|c| Some(c.id.as_str()) != cmp) {
        selectors.extend(pick(rule));
    }
    let texts = match choice {
        Choice::Accept => &r.fallback.accept,
        Choice::Reject => &r.fallback.reject,
    };
    let sels = serde_json::to_string(&selectors).expect("selectors serialise");
    let texts = serde_json::to_string(texts).expect("texts serialise");
    format!(
        r#"(() => {{ {ROOTS_JS}
const visible = (el) => {{ const s = getComputedStyle(el); const b = el.getBoundingClientRect(); return s.visibility !== 'hidden' && s.display !== 'none' && b.width > 0 && b.height > 0; }};
for (const sel of {sels}) {{ const el = __find(sel); if (el && visible(el)) {{ el.click(); return {{clicked: true, how: 'selector ' + sel}}; }} }}
const norm = (t) => (t || '').replace(/\s+/g, ' ').trim().toLowerCase();
const cands = [];
for (const r of __roots()) {{ r.querySelectorAll('button, a, [role=button], input[type=button], input[type=submit]').forEach(el => cands.push(el)); }}
for (const want of {texts}) {{
  for (const el of cands) {{
    const t = norm(el.innerText || el.value || el.getAttribute('aria-label'));
    if (t === want && visible(el)) {{ el.click(); return {{clicked: true, how: 'button text "' + t + '"'}}; }}
  }}
}}
return {{clicked: false, how: 'no accept/reject button found'}};
}})()"#
    )
}

/// JS returning the CMP's configured service names (sorted), when the rule knows how.
pub fn services_js(cmp: &str) -> Option<String> {
    let rule = rules().cmps.iter().find(|c| c.id == cmp)?;
    let expr = rule.services_js.as_ref()?;
    Some(format!("(() => {{ try {{ return Array.from(new Set({expr})).map(String).sort(); }} catch (e) {{ return []; }} }})()"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_with_unique_ids_and_buttons() {
        let r = rules();
        assert!(r.cmps.len() >= 14);
        let mut ids: Vec<&str> = r.cmps.iter().map(|c| c.id.as_str()).collect();
        ids.sort();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate CMP ids");
        for c in &r.cmps {
            assert!(
                !c.accept.is_empty() && !c.reject.is_empty(),
                "{} lacks buttons",
                c.id
            );
            assert!(
                !c.detect_selectors.is_empty() || !c.detect_hosts.is_empty(),
                "{} undetectable",
                c.id
            );
        }
        assert!(r.fallback.accept.contains(&"alle akzeptieren".to_string()));
    }

    #[test]
    fn hosts_reveal_cmps() {
        let (id, how) = detect_by_hosts(["www.example.com", "app.usercentrics.eu"]).unwrap();
        assert_eq!(id, "usercentrics");
        assert!(how.contains("app.usercentrics.eu"));
        assert!(detect_by_hosts(["www.example.com"]).is_none());
    }

    #[test]
    fn click_js_tries_the_detected_cmp_first() {
        let js = click_js(Choice::Reject, Some("onetrust"));
        let first = js.find("#onetrust-reject-all-handler").unwrap();
        let other = js.find("#CybotCookiebotDialogBodyButtonDecline").unwrap();
        assert!(first < other);
        assert!(js.contains("alle ablehnen"));
        assert!(services_js("klaro").unwrap().contains("klaroConfig"));
        assert!(services_js("cookiebot").is_none());
    }
}
