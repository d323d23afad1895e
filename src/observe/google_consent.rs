//! Google Consent Mode, read from what Google's tags send.
//!
//! Once a site sets `gtag('consent', 'default' | 'update', {...})`, every measurement request of
//! GA4, Google Ads and DoubleClick carries the consent state the tag acted on, in two query
//! parameters. Reading them from the recorded request URLs tells a DPO what the tag did in each
//! consent phase without trusting the site's own code.
//!
//! **`gcs`** ("Google consent status", Consent Mode v1): `G1xy`, where `x` is `ad_storage` and
//! `y` is `analytics_storage`; `1` granted, `0` denied, `-` not set. `G100` is the
//! cookieless ping of a visitor who rejected; `G111` a visitor who agreed.
//!
//! **`gcd`** (Consent Mode v2): digits separating one letter per consent type, in the order
//! `ad_storage`, `analytics_storage`, `ad_user_data`, `ad_personalization` (e.g. `11p1p1p1p5`:
//! all four denied by default). Only the letters carry state; the digits around them are not
//! consent state and are ignored. The letter says where the state came from:
//!
//! | letter | default  | update  | effective |
//! |--------|----------|---------|-----------|
//! | `l`    | —        | —       | unset     |
//! | `p`    | denied   | —       | denied    |
//! | `q`    | denied   | denied  | denied    |
//! | `t`    | granted  | —       | granted   |
//! | `r`    | denied   | granted | granted   |
//! | `m`    | —        | denied  | denied    |
//! | `n`    | —        | granted | granted   |
//! | `u`    | granted  | denied  | denied    |
//! | `v`    | granted  | granted | granted   |
//!
//! An unknown letter counts as unset: a false "denied" would hide tracking.
//!
//! Which requests are Google tag endpoints is data (`data/consent/google-consent-mode.toml`).
//! Static mode sees no requests; it reads the inline `gtag('consent','default',{…})` call in
//! the markup instead ([`from_markup`]) and cannot see what a click updates.

use super::Phase;
use crate::domain::{host_within, normalize_host, registrable_domain};
use crate::model::{Consent, GoogleConsentMode, GoogleTagHost, Script, SignalSource};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use url::Url;

/// One consent type's state (the report's vocabulary; ordered by permissiveness).
pub use crate::model::ConsentState as State;

/// The four Consent Mode v2 types, in `gcd` order.
pub const TYPES: [&str; 4] = [
    "ad_storage",
    "analytics_storage",
    "ad_user_data",
    "ad_personalization",
];

/// The state of the four types ([`TYPES`] order) one request carried.
pub type Signals = [State; 4];

/// What one `gcd` letter says: the default state, the update state (None: not given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GcdLetter {
    /// Set by `gtag('consent', 'default', …)`.
    pub default: Option<State>,
    /// Set by `gtag('consent', 'update', …)`.
    pub update: Option<State>,
}

impl GcdLetter {
    /// The state the tag acts on: the update when there was one, else the default.
    pub fn effective(self) -> State {
        self.update.or(self.default).unwrap_or(State::Unset)
    }
}

/// Decode one `gcd` letter (see the table in the module docs); None for an unknown letter.
pub fn gcd_letter(c: char) -> Option<GcdLetter> {
    use State::{Denied as D, Granted as G};
    let (default, update) = match c {
        'l' => (None, None),
        'p' => (Some(D), None),
        'q' => (Some(D), Some(D)),
        't' => (Some(G), None),
        'r' => (Some(D), Some(G)),
        'm' => (None, Some(D)),
        'n' => (None, Some(G)),
        'u' => (Some(G), Some(D)),
        'v' => (Some(G), Some(G)),
        _ => return None,
    };
    Some(GcdLetter { default, update })
}

/// Decode `gcd`: the effective state of the four types, or None when it does not hold four
/// letters.
pub fn decode_gcd(value: &str) -> Option<Signals> {
    let letters: Vec<char> = value.chars().filter(char::is_ascii_alphabetic).collect();
    if letters.len() < 4 {
        return None;
    }
    let mut out = [State::Unset; 4];
    for (slot, c) in out.iter_mut().zip(letters) {
        *slot = gcd_letter(c)
            .map(GcdLetter::effective)
            .unwrap_or(State::Unset);
    }
    Some(out)
}

/// Decode `gcs` (`G1xy`): (`ad_storage`, `analytics_storage`), or None when malformed.
pub fn decode_gcs(value: &str) -> Option<(State, State)> {
    let bits = value.strip_prefix("G1")?;
    let mut chars = bits.chars();
    let state = |c: Option<char>| match c {
        Some('1') => Some(State::Granted),
        Some('0') => Some(State::Denied),
        Some('-') => Some(State::Unset),
        _ => None,
    };
    let ad = state(chars.next())?;
    let analytics = state(chars.next())?;
    Some((ad, analytics))
}

/// The consent state a request URL carries: `gcd` for all four types, `gcs` for the storage
/// types when `gcd` is absent or malformed. None when it carries neither.
pub fn signals_of(url: &Url) -> Option<Signals> {
    let (mut gcs, mut gcd) = (None, None);
    for (k, v) in url.query_pairs() {
        match k.as_ref() {
            "gcs" => gcs = gcs.or_else(|| decode_gcs(&v)),
            "gcd" => gcd = gcd.or_else(|| decode_gcd(&v)),
            _ => {}
        }
    }
    match (gcd, gcs) {
        (Some(s), _) => Some(s),
        (None, Some((ad, analytics))) => Some([ad, analytics, State::Unset, State::Unset]),
        (None, None) => None,
    }
}

/// A request carries a consent signal when some type is granted or denied.
pub fn has_signal(s: &Signals) -> bool {
    s.iter().any(|v| *v != State::Unset)
}

/// A cookieless ping: no type granted, and both storage types denied.
pub fn is_denied(s: &Signals) -> bool {
    !s.contains(&State::Granted) && s[0] == State::Denied && s[1] == State::Denied
}

/// What a request to a Google tag host is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// A measurement ping (GA4 `…/g/collect`, `…/ccm/collect`, Ads conversion and remarketing
    /// `…/pagead/conversion/…`, `viewthroughconversion`).
    Ping,
    /// The tag script itself (`gtag/js`, `gtm.js`, any `.js`).
    TagLoad,
    /// Anything else on the host.
    Other,
}

#[derive(Debug, Deserialize)]
struct Endpoints {
    hosts: Vec<String>,
    ping_paths: Vec<String>,
    ping_parts: Vec<String>,
    tag_paths: Vec<String>,
}

fn endpoints() -> &'static Endpoints {
    static E: OnceLock<Endpoints> = OnceLock::new();
    E.get_or_init(|| {
        toml::from_str(include_str!("../../data/consent/google-consent-mode.toml"))
            .expect("data/consent/google-consent-mode.toml is valid (tested)")
    })
}

/// Whether `host` is one of Google's tag hosts (google.<country> included).
pub fn is_google_tag_host(host: &str) -> bool {
    let host = normalize_host(host);
    endpoints().hosts.iter().any(|h| host_within(&host, h))
        || registrable_domain(&host).split('.').next() == Some("google")
}

/// Classify a request; None when it does not go to a Google tag host.
pub fn classify(url: &Url) -> Option<RequestKind> {
    if !is_google_tag_host(url.host_str()?) {
        return None;
    }
    let e = endpoints();
    let path = url.path();
    Some(
        if path.ends_with(".js") || e.tag_paths.iter().any(|p| path.ends_with(p.as_str())) {
            RequestKind::TagLoad
        } else if e.ping_paths.iter().any(|p| path.ends_with(p.as_str()))
            || e.ping_parts.iter().any(|p| path.contains(p.as_str()))
        {
            RequestKind::Ping
        } else {
            RequestKind::Other
        },
    )
}

/// A candidate evidence request: its signals, whether it is a ping, its URL.
type Candidate = (Signals, bool, String);

/// Evidence is the most permissive request, a ping before a tag load, then the shortest URL,
/// then the first in sort order: the same requests always give the same evidence.
fn keep_better(slot: &mut Option<Candidate>, new: Candidate) {
    let key = |c: &Candidate| {
        (
            c.0,
            c.1,
            std::cmp::Reverse(c.2.len()),
            std::cmp::Reverse(c.2.clone()),
        )
    };
    if slot.as_ref().is_none_or(|old| key(&new) > key(old)) {
        *slot = Some(new);
    }
}

/// The states seen in a phase and its evidence request.
#[derive(Debug, Default)]
struct PhaseAcc {
    states: Signals,
    evidence: Option<Candidate>,
}

/// Accumulates, per phase and Google host, what the browser's requests carried.
#[derive(Debug, Default)]
pub struct GoogleSignals {
    hosts: BTreeMap<(Phase, String), (GoogleTagHost, Option<Candidate>)>,
    phases: BTreeMap<Phase, PhaseAcc>,
}

impl GoogleSignals {
    /// Record one request the browser made in `phase` (ignored unless it went to Google).
    pub fn add(&mut self, url: &Url, phase: Phase) {
        let Some(kind) = classify(url) else { return };
        let host = normalize_host(url.host_str().unwrap_or_default());
        let (acc, host_evidence) = self.hosts.entry((phase, host.clone())).or_insert_with(|| {
            (
                GoogleTagHost {
                    host,
                    ..Default::default()
                },
                None,
            )
        });
        let signals = signals_of(url).filter(has_signal);
        match (kind, signals) {
            (RequestKind::Other, _) => acc.other_requests += 1,
            (RequestKind::TagLoad, _) => acc.tag_loads += 1,
            (RequestKind::Ping, None) => acc.pings_without_signal += 1,
            (RequestKind::Ping, Some(s)) if s.contains(&State::Granted) => acc.granted_pings += 1,
            (RequestKind::Ping, Some(s)) if is_denied(&s) => acc.denied_pings += 1,
            // A storage type left unset: the tag may use storage, so this is no denied ping.
            (RequestKind::Ping, Some(_)) => acc.pings_without_signal += 1,
        }
        if kind == RequestKind::Other {
            return;
        }
        let candidate = (
            signals.unwrap_or_default(),
            kind == RequestKind::Ping,
            url.to_string(),
        );
        keep_better(host_evidence, candidate.clone());
        let p = self.phases.entry(phase).or_default();
        for (acc, v) in p.states.iter_mut().zip(candidate.0) {
            *acc = (*acc).max(v);
        }
        keep_better(&mut p.evidence, candidate);
    }

    /// Per phase: the Consent Mode state (cookies are filled in after attribution).
    pub fn finish(self) -> BTreeMap<Phase, GoogleConsentMode> {
        let mut out = BTreeMap::new();
        for (phase, acc) in self.phases {
            let Some((_, _, evidence)) = acc.evidence else {
                continue;
            };
            let hosts: Vec<GoogleTagHost> = self
                .hosts
                .iter()
                .filter(|((p, _), (h, _))| {
                    *p == phase
                        && h.denied_pings + h.granted_pings + h.pings_without_signal + h.tag_loads
                            > 0
                })
                .map(|(_, (h, e))| GoogleTagHost {
                    evidence: e.as_ref().map(|c| c.2.clone()),
                    ..h.clone()
                })
                .collect();
            out.insert(
                phase,
                mode_of(acc.states, evidence, SignalSource::Requests, hosts),
            );
        }
        out
    }
}

fn mode_of(
    s: Signals,
    evidence: String,
    source: SignalSource,
    hosts: Vec<GoogleTagHost>,
) -> GoogleConsentMode {
    GoogleConsentMode {
        ad_storage: s[0],
        analytics_storage: s[1],
        ad_user_data: s[2],
        ad_personalization: s[3],
        evidence,
        source,
        cookies: Vec::new(),
        hosts,
    }
}

/// Static mode: the first inline `gtag('consent', 'default', {…})` call without a `region`
/// restriction (else the first call), and the first page it is on.
pub fn from_markup(
    scripts: &[Script],
    inline: &BTreeMap<String, String>,
) -> Option<GoogleConsentMode> {
    let mut found: Option<(bool, Signals, String)> = None;
    for s in scripts {
        let (Some(hash), Some(page)) = (&s.inline_sha256, s.pages.first()) else {
            continue;
        };
        let Some(body) = inline.get(hash) else {
            continue;
        };
        for (regional, signals) in default_calls(body) {
            let better = match &found {
                None => true,
                Some((r, _, p)) => (regional, page.as_str()) < (*r, p.as_str()),
            };
            if better {
                found = Some((regional, signals, page.clone()));
            }
        }
    }
    found.map(|(_, s, page)| mode_of(s, page, SignalSource::Markup, Vec::new()))
}

/// Every `gtag('consent', 'default', {…})` call in a script body: (has a `region` key, states).
pub fn default_calls(body: &str) -> Vec<(bool, Signals)> {
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let compact = compact.replace('"', "'");
    let mut out = Vec::new();
    let needle = "'consent','default',{";
    let mut rest = compact.as_str();
    while let Some(i) = rest.find(needle) {
        rest = &rest[i + needle.len()..];
        let object = &rest[..rest.find('}').unwrap_or(rest.len())];
        let mut s = [State::Unset; 4];
        for (slot, key) in s.iter_mut().zip(TYPES) {
            for form in [format!("{key}:"), format!("'{key}':")] {
                if let Some(j) = object.find(&form) {
                    let value = &object[j + form.len()..];
                    if value.starts_with("'granted'") {
                        *slot = State::Granted;
                    } else if value.starts_with("'denied'") {
                        *slot = State::Denied;
                    }
                }
            }
        }
        out.push((object.contains("region"), s));
    }
    out
}

/// What static mode says it cannot see.
pub const STATIC_NOTE: &str = "static mode reads only the inline gtag('consent','default',…) call in the markup; it cannot see updates after a click or what the tags send";

/// The browser's consent section with the Google Consent Mode state of each phase in
/// `signals` (an entry for every phase that ran; TCF answers the browser recorded stay).
pub fn with_signals(
    mut consent: Consent,
    mut google: BTreeMap<Phase, GoogleConsentMode>,
) -> Consent {
    for phase in Phase::ALL.iter().copied() {
        if !consent.phases.contains(&phase) {
            continue;
        }
        consent
            .signals
            .entry(phase)
            .or_default()
            .google_consent_mode = google.remove(&phase);
    }
    consent
}

/// Static mode's consent section with the markup's default call and the note that updates are
/// invisible (unchanged when the markup has no such call).
pub fn with_markup(mut consent: Consent, markup: Option<GoogleConsentMode>) -> Consent {
    if markup.is_some() {
        let entry = consent.signals.entry(Phase::BeforeConsent).or_default();
        entry.note = Some(STATIC_NOTE.to_string());
        entry.google_consent_mode = markup;
    }
    consent
}

#[cfg(test)]
mod tests;
