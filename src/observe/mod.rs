//! Observations: what the crawl saw, before anything is attributed to a service.
//!
//! Both crawlers (static fetcher, browser) emit [`PageRecord`]s; the [`Collector`] merges them into
//! [`Observations`]. Page bodies never get here: extraction runs in the crawler's worker and only
//! the compact [`PageExtract`] travels on, so memory stays bounded by what is distinct, not by pages.

pub mod collector;
pub mod consent;
pub mod cookie_date;
pub mod cookies;
pub mod css;
pub mod entities;
pub mod extract;
pub mod google_consent;
pub mod policy_link;

pub use collector::Collector;

use crate::model::{Cookie, Page, ScanError, Script, ThirdParty};
use std::collections::{BTreeMap, BTreeSet};
use std::time::SystemTime;
use url::Url;

pub use crate::model::Phase;

/// What kind of resource a reference or request is. Serialised lowercase in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceType {
    /// `<script src>`.
    Script,
    /// `<iframe>`, `<frame>`.
    Iframe,
    /// `<img>`, `srcset`, `<picture><source>`, `<input type=image>`, pixels.
    Image,
    /// `<link rel=stylesheet>`, CSS `@import`.
    Stylesheet,
    /// Font files (CSS `url()` in `@font-face`, `<link rel=preload as=font>`).
    Font,
    /// `<video>`, `<audio>`, `<source>`, `<track>`.
    Media,
    /// `<object>`, `<embed>`.
    Object,
    /// `<form action>`: data goes there on submit.
    Form,
    /// `<link rel=preconnect>` (not loaded).
    Preconnect,
    /// `<link rel=dns-prefetch>` (not loaded).
    DnsPrefetch,
    /// `<link rel=preload|prefetch|modulepreload>`.
    Preload,
    /// `<link rel=icon|apple-touch-icon|manifest>`.
    Icon,
    /// A navigation, not a data flow at page load: `<meta http-equiv=refresh>` (recorded as not
    /// loaded, so it makes no finding; the crawl still follows it).
    Navigation,
    /// Other CSS `url()` (background images…).
    CssUrl,
    /// Browser: fetch/XHR.
    Xhr,
    /// Browser: navigator.sendBeacon / ping.
    Beacon,
    /// Browser: WebSocket.
    WebSocket,
    /// Browser: a document (navigation, frame document).
    Document,
    /// Anything else.
    Other,
}

impl ResourceType {
    /// Name used in the report.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceType::Script => "script",
            ResourceType::Iframe => "iframe",
            ResourceType::Image => "image",
            ResourceType::Stylesheet => "stylesheet",
            ResourceType::Font => "font",
            ResourceType::Media => "media",
            ResourceType::Object => "object",
            ResourceType::Form => "form",
            ResourceType::Preconnect => "preconnect",
            ResourceType::DnsPrefetch => "dns-prefetch",
            ResourceType::Preload => "preload",
            ResourceType::Icon => "icon",
            ResourceType::Navigation => "navigation",
            ResourceType::CssUrl => "css-url",
            ResourceType::Xhr => "xhr",
            ResourceType::Beacon => "beacon",
            ResourceType::WebSocket => "websocket",
            ResourceType::Document => "document",
            ResourceType::Other => "other",
        }
    }
}

/// A URL a page references or requests.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reference {
    /// Absolute URL.
    pub url: Url,
    /// What kind of resource.
    pub resource_type: ResourceType,
    /// false for hints that cause no request by themselves (preconnect, dns-prefetch, form action).
    pub loaded: bool,
    /// Gated behind consent-manager markup (e.g. `type="text/plain" data-cookieconsent=…`).
    pub consent_gated: bool,
    /// Only inside `<noscript>`: what loads without JavaScript.
    pub noscript: bool,
}

/// A script element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptRef {
    /// External script URL.
    pub src: Option<Url>,
    /// sha256 hex of the inline body.
    pub inline_sha256: Option<String>,
    /// Inline body, cut to [`INLINE_SCRIPT_KEEP`] bytes: enough for signature attribution.
    pub inline_text: Option<String>,
    /// Gated behind consent-manager markup.
    pub consent_gated: bool,
    /// Only inside `<noscript>`.
    pub noscript: bool,
}

/// Bytes of an inline script kept for signature matching.
pub const INLINE_SCRIPT_KEEP: usize = 16 * 1024;

/// A link that looks like it leads to the privacy policy (text or URL says privacy/Datenschutz/…).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PolicyLink {
    /// Absolute URL.
    pub url: Url,
    /// Anchor text, whitespace-normalised.
    pub text: String,
}

/// What streaming extraction found in one HTML page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageExtract {
    /// `<a href>`, `<area href>` targets (absolute, fragment removed) for the crawl frontier.
    pub links: Vec<Url>,
    /// Every resource referenced, all origins.
    pub references: Vec<Reference>,
    /// Every script element.
    pub scripts: Vec<ScriptRef>,
    /// `<title>`.
    pub title: Option<String>,
    /// Links that look like a privacy policy.
    pub policy_links: Vec<PolicyLink>,
    /// External stylesheets (all origins) the crawler may fetch to find `@import`/`url()`.
    pub stylesheets: Vec<Url>,
    /// Consent-manager markers seen (attribute names like `data-cookieconsent`, CMP script hosts are
    /// found via references).
    pub cmp_markers: Vec<String>,
    /// Problems met while extracting (e.g. nesting too deep), recorded in `errors`.
    pub warnings: Vec<String>,
}

/// One raw `Set-Cookie` header and the response that carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookieHeader {
    /// Header value as received.
    pub raw: String,
    /// URL of the response.
    pub response_url: Url,
    /// `Date` header of the response (else the time of receipt), for Expires → lifetime.
    pub date: Option<SystemTime>,
}

/// Everything learned from fetching one page (and its redirects).
#[derive(Debug, Clone, Default)]
pub struct PageRecord {
    /// The page as it goes in the report.
    pub page: Page,
    /// Consent phase.
    pub phase: Phase,
    /// Set-Cookie headers from the page's responses (every redirect hop included).
    pub set_cookies: Vec<SetCookieHeader>,
    /// Cookies already parsed (browser: from `Storage.getCookies`, `set_by: "script"`).
    pub cookies: Vec<Cookie>,
    /// Extraction result when the page was HTML.
    pub extract: Option<PageExtract>,
    /// Requests the page made (browser mode), in addition to `extract.references`.
    pub requests: Vec<Reference>,
    /// Problems with this page.
    pub errors: Vec<ScanError>,
    /// Browser mode: Web Storage keys and IndexedDB databases the page's origin held after it
    /// settled (`pages` and `before_consent` are filled in by the collector).
    pub storage: Vec<crate::model::StorageEntry>,
    /// Static mode: the page's final response headers, (lowercase name, value).
    pub headers: Vec<(String, String)>,
}

/// The merged observations of a scan, sorted and deduplicated, not yet attributed.
#[derive(Debug, Clone, Default)]
pub struct Observations {
    /// How the pages were fetched (the browser crawler sets `Browser`).
    pub mode: crate::model::Mode,
    /// Registrable domains treated as first party.
    pub first_party_domains: Vec<String>,
    /// Every page, sorted by URL.
    pub pages: Vec<Page>,
    /// Every cookie (first and third party), merged by (name, domain, path).
    pub cookies: Vec<Cookie>,
    /// Third-party hosts (service fields empty until attribution).
    pub third_parties: Vec<ThirdParty>,
    /// Every script (first and third party).
    pub scripts: Vec<Script>,
    /// Inline script bodies (cut) by sha256, for signature attribution.
    pub inline_scripts: BTreeMap<String, String>,
    /// Candidate policy links with the number of pages that carry them.
    pub policy_links: BTreeMap<PolicyLink, usize>,
    /// Consent-manager markers seen.
    pub cmp_markers: BTreeSet<String>,
    /// First-party URLs loaded as resources (for path signatures like `/matomo.js`), sorted, capped.
    pub first_party_resources: BTreeSet<String>,
    /// Problems met, sorted.
    pub errors: Vec<ScanError>,
    /// The start URL could not be fetched at all (exit code 3).
    pub start_failed: bool,
    /// Browser mode: consent manager and phases run.
    pub consent: Option<crate::model::Consent>,
    /// Browser mode: storage entries, sorted by (origin, kind, name).
    pub storage: Vec<crate::model::StorageEntry>,
    /// First-party response headers: the smallest value seen per lowercase name, for at most
    /// [`collector::MAX_RESPONSE_HEADERS`] names (CDN/hosting signatures are matched later).
    pub response_headers: BTreeMap<String, String>,
    /// The start host's infrastructure DNS records (the look-ups run beside the crawl; `scan`
    /// puts their result here).
    pub dns: DnsFacts,
    /// Browser mode: Google Consent Mode per phase, decoded from the requests to Google's tags.
    pub google_consent: BTreeMap<Phase, crate::model::GoogleConsentMode>,
}

/// DNS facts about a site, as looked up (names lowercase, without the trailing dot). They show
/// the hoster and the mail providers, which no page load does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DnsFacts {
    /// The name asked about: the start host (whose response headers are matched too).
    pub host: String,
    /// Look-ups were switched off (`--no-dns`): a missing record then proves nothing.
    pub off: bool,
    /// The start host's CNAME chain, in order.
    pub cname: Vec<String>,
    /// PTR names of the start host's addresses, as `(address, name)`.
    pub ptr: Vec<(String, String)>,
    /// Mail exchangers of the registrable domain.
    pub mx: Vec<String>,
    /// SPF `include:` / `redirect=` domains of the registrable domain.
    pub spf: Vec<String>,
}
