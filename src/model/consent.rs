//! The consent part of the report: the consent manager, the phases that ran, and the consent
//! signals (Google Consent Mode, IAB TCF) each phase showed. Kept apart from `report.rs` because
//! it is the part the consent work grows.

use super::vocab::{ConsentState, Phase, SignalSource};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Consent manager and phases.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Consent {
    /// Consent manager detected (catalog/CMP id).
    pub cmp: Option<String>,
    /// How it was detected.
    pub detected_by: Option<String>,
    /// Phases actually run, in order.
    pub phases: Vec<Phase>,
    /// Browser mode: whether "accept all" was clicked.
    pub accept_clicked: Option<bool>,
    /// Browser mode: whether "reject all" was clicked.
    pub reject_clicked: Option<bool>,
    /// Services the CMP itself declares.
    pub cmp_services: Vec<CmpService>,
    /// Consent signals per phase that ran: what Google Consent Mode and the IAB TCF API said in
    /// that phase. Omitted when empty (static mode without a `gtag('consent','default',…)` call),
    /// so reports of sites without such signals keep their shape.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub signals: BTreeMap<Phase, PhaseSignals>,
}

/// The consent signals of one phase.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct PhaseSignals {
    /// Google Consent Mode as Google's tags reported it (null: no Google tag request in the
    /// phase, and no consent call in the markup).
    pub google_consent_mode: Option<GoogleConsentMode>,
    /// IAB TCF API as it answered in the phase (null when not asked: static mode).
    pub tcf: Option<Tcf>,
    /// What this mode cannot see (static mode: updates after a click).
    #[serde(default)]
    pub note: Option<String>,
}

/// Google Consent Mode state: each value granted, denied or unset. Over several requests
/// in a phase the most permissive state wins (granted over denied over unset), because one
/// granted request is enough to let the tag use storage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct GoogleConsentMode {
    /// Advertising storage (cookies such as `_gcl_au`).
    pub ad_storage: ConsentState,
    /// Analytics storage (cookies such as `_ga`).
    pub analytics_storage: ConsentState,
    /// Consent Mode v2: sending user data to Google for advertising.
    pub ad_user_data: ConsentState,
    /// Consent Mode v2: personalised advertising (remarketing).
    pub ad_personalization: ConsentState,
    /// A request URL (or, from markup, the page URL) that shows the reported state.
    pub evidence: String,
    /// Where the state was read: Google tag requests or the markup's default call.
    #[serde(default)]
    pub source: SignalSource,
    /// Cookies of the Google services behind these requests that were set in this phase,
    /// sorted: a tag that honours denied storage sets none.
    #[serde(default)]
    pub cookies: Vec<String>,
    /// Per Google host: what its requests carried, sorted by host.
    #[serde(default)]
    pub hosts: Vec<GoogleTagHost>,
}

/// What the requests to one Google host carried in one phase.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct GoogleTagHost {
    /// Lowercase hostname.
    pub host: String,
    /// Measurement pings whose storage signals were all denied and none granted.
    pub denied_pings: usize,
    /// Measurement pings with at least one signal granted.
    pub granted_pings: usize,
    /// Measurement pings with no `gcs`/`gcd` state, or with a storage signal unset.
    pub pings_without_signal: usize,
    /// Tag script loads (`gtag/js`, `gtm.js`): they carry no consent state of their own.
    pub tag_loads: usize,
    /// Other requests to the host (neither a ping nor a tag load).
    pub other_requests: usize,
    /// This host's request that shows its most permissive state (a ping before a tag load).
    #[serde(default)]
    pub evidence: Option<String>,
}

/// The IAB TCF v2 API (`__tcfapi`) as it answered `getTCData`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Tcf {
    /// The page exposes the API (a `__tcfapiLocator` frame or an answer to a `__tcfapiCall`).
    pub present: bool,
    /// CMP id registered with IAB Europe.
    pub cmp_id: Option<u32>,
    /// Whether the CMP says GDPR applies to this visitor.
    #[serde(default)]
    pub gdpr_applies: Option<bool>,
    /// A TC string was returned (the visitor's choices are encoded).
    #[serde(default)]
    pub tc_string_present: bool,
    /// TCF purposes with consent, sorted (1 = store and access information on a device).
    pub purposes_consented: Vec<u32>,
    /// Number of vendors with consent.
    pub vendors_consented: usize,
    /// The API is there but did not answer within the time limit.
    #[serde(default)]
    pub timed_out: bool,
}

/// A service listed by the consent manager's own configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct CmpService {
    /// Name as the CMP lists it.
    pub name: String,
    /// Catalog id when recognised.
    pub service: Option<String>,
    /// The privacy policy names it (service, family or host; not negated).
    #[serde(default)]
    pub in_policy: bool,
    /// This scan observed it.
    #[serde(default)]
    pub observed: bool,
}
