//! Consent-manager markup: how a page keeps a tag from running until the visitor agrees.
//!
//! CMPs (Cookiebot, Usercentrics, OneTrust, Complianz, Borlabs, Klaro, consentmanager, …) ship
//! blocked tags as `<script type="text/plain" data-cookieconsent="marketing" src=…>` or
//! `<iframe data-src=… data-cookieconsent=…>`: the browser neither runs nor loads them, and the
//! CMP rewrites them after consent. Generic names (`data-category`, `data-service`, `data-type`,
//! `data-consent`) only count together with such a blocking shape, never alone.

use crate::model::{Consent, Phase, ServiceUse};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// Attributes that CMPs put on blocked elements. Matched by exact name.
const MARKER_ATTRIBUTES: &[&str] = &[
    "data-cookieconsent",
    "data-usercentrics",
    "data-category",
    "data-cookiecategory",
    "data-borlabs-cookie",
    "data-service",
    "data-consent",
    "data-type",
    "data-cookieyes",
    "data-cookiefirst-category",
    "data-cookieblock-src",
];

/// Attribute-name prefixes CMPs use.
const MARKER_PREFIXES: &[&str] = &[
    "data-cmp-",
    "data-cmplz-",
    "data-borlabs-",
    "data-consent-",
    "data-usercentrics-",
    "data-cookieconsent-",
];

/// Class-name prefixes CMPs use (OneTrust, Complianz, iubenda, Cookiebot).
const MARKER_CLASS_PREFIXES: &[&str] = &[
    "optanon-category-",
    "cmplz-",
    "_iub_cs_activate",
    "cookieconsent-optin",
];

/// Attributes where a blocked element keeps its real URL, in the order they are consulted.
pub const DEFERRED_SRC_ATTRIBUTES: &[&str] = &[
    "data-src",
    "data-lazy-src",
    "data-cmp-src",
    "data-cookieblock-src",
    "data-borlabs-cookie-src",
];

/// The CMP markers on one element: attribute names (e.g. `data-cookieconsent`) and class names
/// as `class:optanon-category-c0002`, lowercased, sorted.
pub fn markers<'a>(attributes: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<String> {
    let mut found = Vec::new();
    for (name, value) in attributes {
        if name == "class" {
            for class in value.split_ascii_whitespace() {
                let class = class.to_ascii_lowercase();
                if MARKER_CLASS_PREFIXES.iter().any(|p| class.starts_with(p)) {
                    found.push(format!("class:{class}"));
                }
            }
        } else if MARKER_ATTRIBUTES.contains(&name)
            || MARKER_PREFIXES.iter().any(|p| name.starts_with(p))
        {
            found.push(name.to_string());
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Markers that mean a CMP on their own, wherever they appear (recorded even on elements that
/// are not blocked, e.g. `<script id="Cookiebot" data-cbid=…>`'s siblings).
pub fn is_unambiguous(marker: &str) -> bool {
    !matches!(
        marker,
        "data-category" | "data-service" | "data-consent" | "data-type"
    )
}

/// Whether a `<script type>` value makes the browser run the script (HTML's list of JavaScript
/// MIME types, `module`, or no type at all). `text/plain`, `text/template`,
/// `application/ld+json` and the like are inert.
pub fn is_javascript_type(type_attr: Option<&str>) -> bool {
    let Some(t) = type_attr else { return true };
    let essence = t
        .split(';')
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| c.is_ascii_whitespace())
        .to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "" | "module"
            | "application/ecmascript"
            | "application/javascript"
            | "application/x-ecmascript"
            | "application/x-javascript"
            | "text/ecmascript"
            | "text/javascript"
            | "text/javascript1.0"
            | "text/javascript1.1"
            | "text/javascript1.2"
            | "text/javascript1.3"
            | "text/javascript1.4"
            | "text/javascript1.5"
            | "text/jscript"
            | "text/livescript"
            | "text/x-ecmascript"
            | "text/x-javascript"
    )
}

// The consent-manager table (`data/consent/cmps.toml`): the browser detects and clicks with it,
// static mode names the CMP from the markers above. It lives here, on the observation floor,
// because both crawlers build on it.

/// One CMP's rules.
#[derive(Debug, Clone, Deserialize)]
pub struct CmpRule {
    /// Stable id reported as `consent.cmp`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Host suffixes whose requests reveal the CMP.
    #[serde(default)]
    pub detect_hosts: Vec<String>,
    /// Selectors whose presence reveals the CMP.
    #[serde(default)]
    pub detect_selectors: Vec<String>,
    /// Window globals the CMP defines.
    #[serde(default)]
    pub detect_globals: Vec<String>,
    /// "Accept all" button selectors.
    #[serde(default)]
    pub accept: Vec<String>,
    /// "Reject all" button selectors.
    #[serde(default)]
    pub reject: Vec<String>,
    /// JS expression returning the CMP's configured service names.
    #[serde(default)]
    pub services_js: Option<String>,
    /// Static mode: consent markers (as [`markers`] records them) that name this CMP, matched
    /// as prefixes, e.g. `class:cmplz-`.
    #[serde(default)]
    pub markup_markers: Vec<String>,
}

/// Button texts for the generic fallback.
#[derive(Debug, Clone, Deserialize)]
pub struct Fallback {
    /// Texts meaning "accept all".
    pub accept: Vec<String>,
    /// Texts meaning "reject all".
    pub reject: Vec<String>,
}

/// The whole rules file.
#[derive(Debug, Clone, Deserialize)]
pub struct CmpRules {
    /// Known CMPs.
    #[serde(rename = "cmp")]
    pub cmps: Vec<CmpRule>,
    /// Text fallback.
    pub fallback: Fallback,
}

/// The embedded rules, parsed once.
pub fn rules() -> &'static CmpRules {
    static RULES: OnceLock<CmpRules> = OnceLock::new();
    RULES.get_or_init(|| {
        toml::from_str(include_str!("../../data/consent/cmps.toml"))
            .expect("data/consent/cmps.toml is valid (tested)")
    })
}

/// Static mode cannot click: the consent section says which consent manager the markup and the
/// loaded scripts show (a consent-category service, else a CMP's marker from the table), and that
/// only the pre-consent state was seen.
pub fn from_markup(markers: &BTreeSet<String>, services: &[ServiceUse]) -> Consent {
    let by_service = services
        .iter()
        .find(|s| s.categories.iter().any(|c| c == "consent"))
        .map(|s| {
            let how = match s.hosts.first() {
                Some(h) => format!("static markup: consent manager script from {h}"),
                None => format!("static markup: {} ({})", s.name, s.matched_by.join(", ")),
            };
            (s.id.clone(), how)
        });
    let by_marker = || {
        markers.iter().find_map(|m| {
            rules()
                .cmps
                .iter()
                .find(|r| r.markup_markers.iter().any(|k| m.starts_with(k.as_str())))
                .map(|r| {
                    let how = match m.strip_prefix("class:") {
                        Some(class) => format!("static markup: gating class {class}"),
                        None => format!("static markup: gating attribute {m}"),
                    };
                    (r.id.clone(), how)
                })
        })
    };
    let found = by_service.or_else(by_marker);
    Consent {
        cmp: found.as_ref().map(|f| f.0.clone()),
        detected_by: found.map(|f| f.1),
        phases: vec![Phase::BeforeConsent],
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_attribute_and_class_markers() {
        let m = markers([
            ("type", "text/plain"),
            ("data-cookieconsent", "marketing"),
            ("class", "foo optanon-category-C0004 cmplz-script"),
            ("data-cmp-vendor", "s26"),
            ("data-foo", "x"),
        ]);
        assert_eq!(
            m,
            [
                "class:cmplz-script",
                "class:optanon-category-c0004",
                "data-cmp-vendor",
                "data-cookieconsent"
            ]
        );
        assert!(markers([("data-foo", "1"), ("class", "btn")]).is_empty());
    }

    #[test]
    fn markup_names_the_cmp_through_the_table() {
        let named = |ms: &[&str]| {
            let set: BTreeSet<String> = ms.iter().map(|m| m.to_string()).collect();
            from_markup(&set, &[]).cmp
        };
        assert_eq!(named(&["class:cmplz-script"]).as_deref(), Some("complianz"));
        assert_eq!(named(&["data-cmplz-src"]).as_deref(), Some("complianz"));
        assert_eq!(
            named(&["class:optanon-category-c0002"]).as_deref(),
            Some("onetrust")
        );
        assert_eq!(
            named(&["data-category", "data-cookieconsent"]).as_deref(),
            Some("cookiebot")
        );
        // Generic names alone say nothing about which CMP it is.
        assert_eq!(named(&["data-category", "data-service"]), None);
    }

    #[test]
    fn generic_markers_are_ambiguous() {
        assert!(!is_unambiguous("data-category"));
        assert!(is_unambiguous("data-usercentrics"));
    }

    #[test]
    fn javascript_types() {
        assert!(is_javascript_type(None));
        assert!(is_javascript_type(Some("")));
        assert!(is_javascript_type(Some(" Text/JavaScript; charset=utf-8")));
        assert!(is_javascript_type(Some("module")));
        assert!(!is_javascript_type(Some("text/plain")));
        assert!(!is_javascript_type(Some("application/ld+json")));
        assert!(!is_javascript_type(Some("text/x-template")));
    }
}
