//! The JSON report, schema version 1: the public contract users attach to compliance tickets.
//!
//! Rules (see README "Report format"): additive changes only within a `schema_version`; every list
//! is sorted; nothing but `started_at`, `finished_at` and `duration_ms` may differ between two scans
//! of an unchanged site. Hostnames are lowercase ASCII (punycode), URLs absolute and normalised.

use super::consent::Consent;
use super::vocab::{ErrorKind, EvidenceStrength, FindingKind, Mode, Party, Phase, SetBy, Severity};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Current major version of the report contract.
pub const SCHEMA_VERSION: &str = "1";

/// The whole report for one scanned site.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Report {
    /// Major version of this contract ("1").
    pub schema_version: String,
    /// Which tool wrote the report.
    pub tool: Tool,
    /// Start URL, normalised.
    pub target: String,
    /// How pages were fetched.
    pub mode: Mode,
    /// RFC 3339 UTC timestamp.
    pub started_at: String,
    /// RFC 3339 UTC timestamp.
    pub finished_at: String,
    /// Wall-clock duration of the scan.
    pub duration_ms: u64,
    /// Registrable domains treated as first party.
    pub first_party_domains: Vec<String>,
    /// Options that change what the scan could see (insecure TLS, robots ignored, caps).
    pub settings: Settings,
    /// Every page fetched (HTML or not), sorted by URL.
    pub pages: Vec<Page>,
    /// Every cookie seen, sorted by (name, domain, path).
    pub cookies: Vec<Cookie>,
    /// One entry per third-party hostname, sorted by host.
    pub third_parties: Vec<ThirdParty>,
    /// External and inline scripts, sorted by (src, inline_sha256).
    pub scripts: Vec<Script>,
    /// Everything observed, attributed to catalog services, sorted by id.
    pub services: Vec<ServiceUse>,
    /// The privacy policy as read.
    pub policy: Policy,
    /// What the diff found, sorted by (severity, kind, service, hosts).
    pub findings: Vec<Finding>,
    /// Services that the policy names, with the sentence that names them.
    pub disclosed: Vec<Disclosed>,
    /// The declared ledger: every recipient the policy names, once, with what the scan found of
    /// it. Sorted by (name, service, company).
    #[serde(default)]
    pub declared: Vec<DeclaredRecipient>,
    /// Who hosts, fronts and mails for the site (response headers and DNS), sorted by (role,
    /// service, company).
    #[serde(default)]
    pub infrastructure: Vec<InfrastructureProvider>,
    /// Consent manager and phases.
    pub consent: Consent,
    /// Browser mode: Web Storage keys and IndexedDB databases pages used, sorted by
    /// (origin, kind, name). Empty in static mode, which cannot see them.
    #[serde(default)]
    pub storage: Vec<StorageEntry>,
    /// Totals.
    pub summary: Summary,
    /// Problems met during the scan; the scan went on. Sorted by (url, kind, message).
    pub errors: Vec<ScanError>,
    /// With `--baseline`: what changed since the baseline report (null otherwise).
    #[serde(default)]
    pub changes: Option<Changes>,
    /// The scan was stopped (Ctrl-C, SIGTERM) before it finished: pages, cookies and findings
    /// cover only what was seen until then (an error of kind `interrupted` says when). Absent
    /// when the scan ran to its end.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
}

/// What changed between a baseline report and this one. Every list sorted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Changes {
    /// Target of the baseline report.
    pub baseline_target: String,
    /// `started_at` of the baseline report.
    pub baseline_started_at: String,
    /// Service ids observed now, not in the baseline.
    pub new_services: Vec<String>,
    /// Service ids in the baseline, not observed now.
    pub removed_services: Vec<String>,
    /// Third-party hosts contacted now, not in the baseline.
    pub new_hosts: Vec<String>,
    /// Third-party hosts in the baseline, not contacted now.
    pub removed_hosts: Vec<String>,
    /// Cookies (`name@domain`) seen now, not in the baseline.
    pub new_cookies: Vec<String>,
    /// Cookies in the baseline, not seen now.
    pub removed_cookies: Vec<String>,
    /// Findings present now, not in the baseline (by kind, service and hosts).
    pub new_findings: Vec<Finding>,
    /// Findings in the baseline that are gone now.
    pub resolved_findings: Vec<Finding>,
}

/// Tool identity.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Tool {
    /// Always "privacy-inventory".
    pub name: String,
    /// Crate version.
    pub version: String,
}

/// Options in effect that change what a scan can see.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Settings {
    /// `--insecure`: invalid TLS certificates were accepted.
    pub insecure: bool,
    /// `--ignore-robots`: robots.txt was not honoured.
    pub ignore_robots: bool,
    /// `--max-pages`.
    pub max_pages: usize,
    /// `--max-depth`, if any.
    pub max_depth: Option<usize>,
    /// `--scope`: "host" or "domain".
    pub scope: String,
    /// Whether third-party scripts/iframes were fetched once to record their cookies.
    pub subresources: bool,
    /// User-Agent sent.
    pub user_agent: String,
    /// Infrastructure DNS look-ups: "system", "server ADDR:PORT" or "off" (`--no-dns`).
    #[serde(default)]
    pub dns: String,
}

/// A fetched page or document.
#[derive(
    Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord,
)]
pub struct Page {
    /// URL as requested (normalised).
    pub url: String,
    /// HTTP status of the final response, if any response arrived.
    pub status: Option<u16>,
    /// Link distance from the start URL (sitemap URLs count as depth 1).
    pub depth: usize,
    /// Media type without parameters, e.g. "text/html".
    pub content_type: Option<String>,
    /// Redirect chain followed (each hop's target URL), empty when none.
    pub redirects: Vec<String>,
    /// Page title, when HTML.
    pub title: Option<String>,
    /// Browser mode: dialogs dismissed and popups closed while visiting it, sorted.
    #[serde(default)]
    pub interruptions: Vec<String>,
    /// Short error kind when the page failed (details in `errors`).
    pub error: Option<ErrorKind>,
}

/// Cookie attributes' SameSite value.
pub type SameSite = Option<String>;

/// One cookie, merged over every page and response where it was seen.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Cookie {
    /// Cookie name ("" for a nameless cookie).
    pub name: String,
    /// Domain attribute with a leading dot, or the setting host for host-only cookies.
    pub domain: String,
    /// Path attribute (default "/").
    pub path: String,
    /// Expires (RFC 3339) when given.
    pub expires: Option<String>,
    /// Lifetime from Max-Age, else Expires minus response date.
    pub lifetime_seconds: Option<i64>,
    /// No Expires/Max-Age.
    pub session: bool,
    /// Secure attribute.
    pub secure: bool,
    /// HttpOnly attribute.
    pub http_only: bool,
    /// "lax" | "strict" | "none" | null.
    pub same_site: SameSite,
    /// Set with Max-Age<=0 or an Expires in the past: a deletion.
    pub deletion: bool,
    /// First or third party, by the registrable domain of the cookie domain.
    pub party: Party,
    /// Set by a response header or by a script.
    pub set_by: SetBy,
    /// Response (or script) that set it; the first in sort order when several.
    pub setter_url: Option<String>,
    /// Pages where it was observed.
    pub pages: Vec<String>,
    /// Observed before any consent was given.
    pub before_consent: bool,
    /// Consent phases in which it was set, in the order they ran.
    #[serde(default)]
    pub phases: Vec<Phase>,
    /// Browser mode: whether the browser stored it (null in static mode).
    pub stored: Option<bool>,
    /// Browser mode: why the browser refused it.
    pub blocked_reason: Option<String>,
    /// Catalog id of the service it belongs to.
    pub service: Option<String>,
    /// Raw header when it could not be parsed cleanly.
    pub raw: Option<String>,
    /// Parse warning, e.g. "invalid Expires".
    pub warning: Option<String>,
}

/// A third-party hostname and what the site loads from it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ThirdParty {
    /// Lowercase ASCII hostname.
    pub host: String,
    /// Registrable domain (public suffix list).
    pub registrable_domain: String,
    /// Catalog service id.
    pub service: Option<String>,
    /// Company legal name.
    pub company: Option<String>,
    /// Resource types referenced/requested, sorted.
    pub resource_types: Vec<String>,
    /// Pages that reference it.
    pub pages: Vec<String>,
    /// Distinct URLs on this host referenced or requested.
    pub request_count: usize,
    /// Every reference is gated by consent-manager markup.
    pub consent_gated: bool,
    /// Contacted before any consent was given.
    pub before_consent: bool,
    /// Consent phases in which something was loaded from it.
    #[serde(default)]
    pub phases: Vec<Phase>,
    /// false: only referenced (form action, preconnect, link), never loaded by itself.
    pub loaded: bool,
    /// A few example URLs (at most 5, sorted).
    pub sample_urls: Vec<String>,
}

impl ThirdParty {
    /// Only navigated to (a meta refresh, a link): nothing flows to it when the page loads, so it
    /// is recorded but makes no finding.
    pub fn navigation_only(&self) -> bool {
        !self.resource_types.is_empty() && self.resource_types.iter().all(|t| t == "navigation")
    }
}

/// One localStorage / sessionStorage key or IndexedDB database, merged over pages. Names and sizes
/// only: values may hold personal data and never enter the report.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct StorageEntry {
    /// Origin that owns the storage, e.g. "https://www.example.com".
    pub origin: String,
    /// "local_storage", "session_storage" or "indexed_db".
    pub kind: String,
    /// Key (Web Storage) or database name (IndexedDB).
    pub name: String,
    /// Largest value length seen, in UTF-16 code units (None for IndexedDB).
    pub size: Option<usize>,
    /// Pages on which it was present, sorted.
    pub pages: Vec<String>,
    /// Present before any consent was given.
    pub before_consent: bool,
}

/// An external or inline script.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Script {
    /// Absolute URL for external scripts.
    pub src: Option<String>,
    /// sha256 (hex) of an inline script body.
    pub inline_sha256: Option<String>,
    /// Host of `src`.
    pub host: Option<String>,
    /// First or third party (inline scripts are first party).
    pub party: Party,
    /// Catalog service id (by host, path or inline signature).
    pub service: Option<String>,
    /// Gated behind consent-manager markup.
    pub consent_gated: bool,
    /// Only inside `<noscript>`.
    pub noscript: bool,
    /// Pages it appears on.
    pub pages: Vec<String>,
}

/// A catalog service observed on the site.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ServiceUse {
    /// Catalog id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Legal entity a policy would name.
    pub company: String,
    /// Categories from the catalog vocabulary.
    pub categories: Vec<String>,
    /// Hostnames attributed to it.
    pub hosts: Vec<String>,
    /// Cookie names attributed to it.
    pub cookies: Vec<String>,
    /// Pages where it was seen.
    pub pages: Vec<String>,
    /// Self-hosted on a first-party domain (never a third-party finding).
    pub first_party: bool,
    /// Why it was attributed: "host", "cookie", "signature", "path".
    pub matched_by: Vec<String>,
    /// How strong the evidence of its use is: "request" (a request to its hosts, or a cookie its
    /// hosts set), "script" (a script from it, its inline snippet or a path marker) or
    /// "cookie_name_only" (a well-known cookie name on another domain, which anything can write).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_strength: Option<EvidenceStrength>,
}

/// The privacy policy as found and read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Policy {
    /// Documents read (URLs or file paths).
    pub urls: Vec<String>,
    /// How it was found: "argument", "link", "well_known", or null when not found.
    pub discovered_by: Option<String>,
    /// "en", "de", … or null when unknown.
    pub language: Option<String>,
    /// Every service/company name found in the text, in document order.
    pub declarations: Vec<Declaration>,
    /// Why no policy could be read, if so; also names a document that was cut short.
    pub error: Option<String>,
    /// Part of the policy was not read (cut at `--max-body`, the PDF text limit or the file
    /// limit): a service named after the cut may be reported undisclosed. Absent when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// Where the text came from, one entry per document read (same order as `urls`); absent when
    /// no policy was read, so such reports are unchanged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<PolicySource>,
}

/// One document the policy text was read from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct PolicySource {
    /// URL (or file path) read.
    pub url: String,
    /// "http" (the document as served), "browser" (the DOM after the page's scripts ran) or
    /// "file".
    pub read_with: String,
    /// Policy generator whose host served it (`data/policy/generator_hosts.toml` id), if any.
    pub generator: Option<String>,
}

/// A name found in the policy.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct Declaration {
    /// As written in the policy.
    pub name: String,
    /// Catalog service id, when the name is a service or service alias.
    pub service: Option<String>,
    /// Company legal name, when known.
    pub company: Option<String>,
    /// "service", "company", "host", "provider" (free text from a provider sentence), "variant"
    /// (a catalog name written with other spacing or one letter off: "Mail Chimp", "Twillio"),
    /// "brand" (the brand of a third-party host the catalog does not know, written as a word) or
    /// "cookie" (the name of a cookie the scan saw, e.g. `_ga`; not a recipient).
    pub matched_as: String,
    /// Heading path, e.g. "Plugins und Tools > Google Fonts".
    pub section: String,
    /// The sentence (trimmed to ~300 chars).
    pub excerpt: String,
    /// "we do not use X": discloses nothing.
    pub negated: bool,
    /// Document it came from.
    pub source: String,
}

/// One result of the diff between what was observed and what the policy says.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Finding {
    /// What the finding is about.
    pub kind: FindingKind,
    /// How bad it is.
    pub severity: Severity,
    /// Catalog service id.
    pub service: Option<String>,
    /// Company legal name.
    pub company: Option<String>,
    /// Concrete hostnames involved.
    pub hosts: Vec<String>,
    /// Cookie names involved.
    pub cookies: Vec<String>,
    /// Pages involved (at most 20).
    pub pages: Vec<String>,
    /// One readable sentence a DPO can paste into a ticket.
    pub evidence: String,
    /// What to do about it.
    pub message: String,
    /// Set when an accepted exception covers this finding.
    pub accepted: Option<Acceptance>,
    /// The observed service's evidence strength ("request" | "script" | "cookie_name_only"); absent
    /// for findings about the policy alone (`declared_not_observed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_strength: Option<EvidenceStrength>,
}

/// An accepted exception from the config file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Acceptance {
    /// Why it is accepted.
    pub reason: String,
    /// Who approved it.
    pub approved_by: String,
    /// Date (YYYY-MM-DD) after which it counts again.
    pub expires: Option<String>,
    /// The acceptance has expired and the finding counts again.
    pub expired: bool,
}

/// A service the policy discloses, with evidence.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Disclosed {
    /// Catalog id.
    pub service: String,
    /// Hosts observed for it.
    pub hosts: Vec<String>,
    /// The declaration that discloses it.
    pub declaration: DeclarationRef,
}

/// Where in the policy a service is declared.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct DeclarationRef {
    /// Name as written.
    pub name: String,
    /// Heading path.
    pub section: String,
    /// Sentence.
    pub excerpt: String,
    /// How the declaration names it, when not by the service's own name: "host", "family",
    /// "purpose" (its company with a purpose word), "brand" (an unknown host's brand).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched_as: Option<String>,
}

/// One row of the declared ledger: a recipient the policy names and what the scan found of it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct DeclaredRecipient {
    /// As written in the policy (the first mention).
    pub name: String,
    /// Catalog service id, when the name is a catalog service.
    pub service: Option<String>,
    /// Company legal name, when known.
    pub company: Option<String>,
    /// Heading path of the first mention.
    pub section: String,
    /// The sentence of the first mention.
    pub excerpt: String,
    /// "observed" | "infrastructure" | "not_observable" | "not_observed".
    pub status: String,
    /// Why a `not_observable` recipient cannot be seen by a crawl (null otherwise).
    pub reason: Option<String>,
    /// Hosts (or infrastructure names) that show it, sorted.
    pub hosts: Vec<String>,
}

/// A processor behind the site that no page load shows: CDN, WAF, hoster, mail provider.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct InfrastructureProvider {
    /// Catalog service id, when the catalog has one.
    pub service: Option<String>,
    /// Company legal name.
    pub company: Option<String>,
    /// What to call it ("Cloudflare", "Google Workspace").
    pub name: String,
    /// "cdn" | "hosting" | "waf" | "email" | "email_sending" | "dns".
    pub role: String,
    /// How it was seen, sorted.
    pub evidence: Vec<InfrastructureEvidence>,
}

/// One sighting of an infrastructure provider.
#[derive(
    Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord,
)]
pub struct InfrastructureEvidence {
    /// "header" | "cname" | "mx" | "spf" | "ptr".
    pub source: String,
    /// What was seen: "cf-ray: 8e2f…-FRA", "www.example.com CNAME example.com.cdn.cloudflare.net".
    pub value: String,
}

/// Totals.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Summary {
    /// Pages fetched.
    pub pages: usize,
    /// Distinct cookies.
    pub cookies: usize,
    /// Distinct third-party hosts.
    pub third_party_hosts: usize,
    /// Distinct services.
    pub services: usize,
    /// Findings of kind undisclosed_service.
    pub undisclosed: usize,
    /// Findings per severity (keys: high, medium, low, info; all present).
    pub findings_by_severity: BTreeMap<String, usize>,
    /// Entries in `errors`.
    pub errors: usize,
}

/// A problem met during the scan. The scan went on.
#[derive(
    Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord,
)]
pub struct ScanError {
    /// URL concerned (or file path).
    pub url: String,
    /// What went wrong.
    pub kind: ErrorKind,
    /// Human-readable detail.
    pub message: String,
}
