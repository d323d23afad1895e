//! Consent-manager markup: how a page keeps a tag from running until the visitor agrees.
//!
//! CMPs (Cookiebot, Usercentrics, OneTrust, Complianz, Borlabs, Klaro, consentmanager, …) ship
//! blocked tags as `<script type="text/plain" data-cookieconsent="marketing" src=…>` or
//! `<iframe data-src=… data-cookieconsent=…>`: the browser neither runs nor loads them, and the
//! CMP rewrites them after consent. Generic names (`data-category`, `data-service`, `data-type`,
//! `data-consent`) only count together with such a blocking shape, never alone.

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
