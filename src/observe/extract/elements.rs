//! Which element and attribute references which kind of resource, and whether the browser loads it.

use super::state::State;
use crate::observe::consent::{self, DEFERRED_SRC_ATTRIBUTES};
use crate::observe::entities::{decode, Context};
use crate::observe::{ResourceType, ScriptRef};
use url::Url;

/// Tags whose attributes can reference a resource (everything else only matters for `style=`).
pub fn is_referencing_tag(tag: &str) -> bool {
    matches!(
        tag,
        "base"
            | "script"
            | "iframe"
            | "frame"
            | "img"
            | "source"
            | "input"
            | "button"
            | "link"
            | "video"
            | "audio"
            | "track"
            | "object"
            | "embed"
            | "form"
            | "meta"
            | "body"
            | "table"
            | "td"
            | "th"
            | "image"
    )
}

/// An element's attributes, names lowercase, values raw (entities still encoded).
#[derive(Debug, Default)]
pub struct Attrs(pub Vec<(String, String)>);

impl Attrs {
    /// Raw value of attribute `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    fn lower(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(|v| decode(v, Context::Attribute).trim().to_ascii_lowercase())
    }
}

/// What an inline `<script>` body should become, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InlineBody {
    /// Not an inline script (external, or an inert data block).
    Ignore,
    /// A script the browser runs now.
    Runs,
    /// A script the CMP holds back until consent.
    Gated,
}

/// Record what an element references. Returns what to do with a `<script>`'s inline body.
pub fn element(st: &mut State, tag: &str, a: &Attrs) -> InlineBody {
    let mut body = InlineBody::Ignore;
    match tag {
        "base" => {
            if let Some(href) = a.get("href") {
                st.set_base(href);
            }
        }
        "script" => body = script(st, a),
        "iframe" | "frame" => media(st, a, "src", ResourceType::Iframe),
        "img" => {
            media(st, a, "src", ResourceType::Image);
            srcset(st, a.get("srcset"));
            srcset(st, a.get("data-srcset"));
            if st.in_anchor() {
                if let Some(alt) = a.get("alt") {
                    st.anchor_text(alt);
                    st.anchor_text(" ");
                }
            }
        }
        "source" => {
            srcset(st, a.get("srcset"));
            media(st, a, "src", ResourceType::Media);
        }
        "input" => {
            if a.lower("type").as_deref() == Some("image") {
                media(st, a, "src", ResourceType::Image);
            }
            form_target(st, a.get("formaction"));
        }
        "button" => form_target(st, a.get("formaction")),
        "form" => form_target(st, a.get("action")),
        "link" => link(st, a),
        "video" => {
            media(st, a, "src", ResourceType::Media);
            plain(st, a.get("poster"), ResourceType::Image);
        }
        "audio" | "track" => media(st, a, "src", ResourceType::Media),
        "object" => media(st, a, "data", ResourceType::Object),
        "embed" => media(st, a, "src", ResourceType::Object),
        "meta" => meta_refresh(st, a),
        "body" | "table" | "td" | "th" => plain(st, a.get("background"), ResourceType::Image),
        "image" => plain(
            st,
            a.get("href").or_else(|| a.get("xlink:href")),
            ResourceType::Image,
        ),
        _ => {}
    }
    if let Some(style) = a.get("style") {
        st.add_css(&decode(style, Context::Attribute));
    }
    body
}

fn plain(st: &mut State, raw: Option<&str>, kind: ResourceType) {
    if let Some(url) = raw.and_then(|r| st.resolve(r)) {
        st.add_reference(url, kind, true, false);
    }
}

/// The first deferred URL (`data-src`, …) on the element.
fn deferred_src(st: &State, a: &Attrs) -> Option<Url> {
    DEFERRED_SRC_ATTRIBUTES
        .iter()
        .find_map(|name| a.get(name).and_then(|v| st.resolve(v)))
}

/// Record the element's CMP markers: all of them when it is blocked, else only those that
/// mean a CMP on their own.
fn record_markers(st: &mut State, markers: &[String], gated: bool) {
    st.add_markers(
        markers
            .iter()
            .filter(|m| gated || consent::is_unambiguous(m))
            .cloned(),
    );
}

/// `src` loads now; a deferred `data-src` with CMP markers waits for consent, and without them
/// is a lazy loader's, which loads as soon as the script runs.
fn media(st: &mut State, a: &Attrs, attr: &str, kind: ResourceType) {
    let src = a.get(attr).and_then(|v| st.resolve(v));
    let deferred = deferred_src(st, a).filter(|d| Some(d) != src.as_ref());
    let markers = consent::markers(a.pairs());
    let gated = deferred.is_some() && !markers.is_empty();
    record_markers(st, &markers, gated);
    if let Some(url) = src {
        st.add_reference(url, kind, true, false);
    }
    if let Some(url) = deferred {
        st.add_reference(url, kind, !gated, gated);
    }
}

fn script(st: &mut State, a: &Attrs) -> InlineBody {
    let markers = consent::markers(a.pairs());
    let runs = consent::is_javascript_type(a.get("type"));
    let src = a.get("src").and_then(|v| st.resolve(v));
    let deferred = deferred_src(st, a);
    // Blocked: an inert type with CMP markup, or a runnable script whose URL the CMP keeps in
    // `data-src` until consent.
    let gated = !markers.is_empty() && (!runs || (src.is_none() && deferred.is_some()));
    record_markers(st, &markers, gated);
    if runs && !gated {
        let Some(url) = src else {
            if let Some(url) = deferred {
                st.add_reference(url, ResourceType::Script, false, false);
            }
            return InlineBody::Runs;
        };
        st.add_reference(url.clone(), ResourceType::Script, true, false);
        st.add_script(external(url, false));
        return InlineBody::Ignore;
    }
    match (src.or(deferred), gated) {
        (Some(url), true) => {
            st.add_reference(url.clone(), ResourceType::Script, false, true);
            st.add_script(external(url, true));
            InlineBody::Ignore
        }
        (None, true) => InlineBody::Gated,
        // An inert data block (`application/ld+json`, a template): nothing runs or loads.
        (Some(url), false) => {
            st.add_reference(url, ResourceType::Script, false, false);
            InlineBody::Ignore
        }
        (None, false) => InlineBody::Ignore,
    }
}

fn external(url: Url, gated: bool) -> ScriptRef {
    ScriptRef {
        src: Some(url),
        inline_sha256: None,
        inline_text: None,
        consent_gated: gated,
        noscript: false,
    }
}

/// `<form action>`, `formaction`: data goes there on submit, nothing loads now.
fn form_target(st: &mut State, raw: Option<&str>) {
    if let Some(url) = raw.and_then(|r| st.resolve(r)) {
        st.add_reference(url, ResourceType::Form, false, false);
    }
}

fn link(st: &mut State, a: &Attrs) {
    let Some(url) = a.get("href").and_then(|h| st.resolve(h)) else {
        return;
    };
    let rel = a.lower("rel").unwrap_or_default();
    let as_kind = a.lower("as").unwrap_or_default();
    for token in rel.split_ascii_whitespace() {
        let (kind, loaded) = match token {
            "stylesheet" => {
                st.add_stylesheet(url.clone());
                (ResourceType::Stylesheet, true)
            }
            "preload" | "prefetch" | "modulepreload" => {
                if as_kind == "style" {
                    // loadCSS pattern: preloaded, then switched to rel=stylesheet by onload.
                    st.add_stylesheet(url.clone());
                }
                match as_kind.as_str() {
                    "font" => (ResourceType::Font, true),
                    _ => (ResourceType::Preload, true),
                }
            }
            "preconnect" => (ResourceType::Preconnect, false),
            "dns-prefetch" => (ResourceType::DnsPrefetch, false),
            "icon" | "manifest" | "mask-icon" => (ResourceType::Icon, true),
            // Fetched only when a visitor pins the site to an iOS home screen.
            "apple-touch-icon" | "apple-touch-icon-precomposed" => (ResourceType::Icon, false),
            _ => continue,
        };
        st.add_reference(url.clone(), kind, loaded, false);
    }
}

fn meta_refresh(st: &mut State, a: &Attrs) {
    if a.lower("http-equiv").as_deref() != Some("refresh") {
        return;
    }
    let Some(content) = a.get("content") else {
        return;
    };
    let content = decode(content, Context::Attribute);
    if let Some(url) = refresh_target(&content).and_then(|t| st.resolve(t)) {
        st.add_link(url.clone());
        // The visitor's browser goes there (a navigation), it loads nothing from it into this
        // page: recorded, never a finding.
        st.add_reference(url, ResourceType::Navigation, false, false);
    }
}

/// The URL in a refresh `content` (`5; url='/next'`), per HTML's shared declarative refresh steps.
pub fn refresh_target(content: &str) -> Option<&str> {
    let s = content.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let s = s.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    let s = s.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let s = s.strip_prefix([';', ',']).unwrap_or(s);
    let mut s = s.trim_start_matches(|c: char| c.is_ascii_whitespace());
    if s.len() >= 3 && s[..3].eq_ignore_ascii_case("url") {
        let rest = s[3..].trim_start_matches(|c: char| c.is_ascii_whitespace());
        if let Some(rest) = rest.strip_prefix('=') {
            s = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
        }
    }
    let s = match s.chars().next() {
        Some(q @ ('"' | '\'')) => {
            let inner = &s[1..];
            &inner[..inner.find(q).unwrap_or(inner.len())]
        }
        _ => s,
    };
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

/// Every URL in a `srcset` (URLs may contain commas, as in `w_100,h_50` image CDNs).
pub fn srcset_urls(srcset: &str) -> Vec<&str> {
    let mut urls = Vec::new();
    let b = srcset.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b',') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut url = &srcset[start..i];
        if url.ends_with(',') {
            url = url.trim_end_matches(',');
        } else {
            // Descriptors up to the next comma outside parentheses.
            let mut depth = 0usize;
            while i < b.len() {
                match b[i] {
                    b'(' => depth += 1,
                    b')' => depth = depth.saturating_sub(1),
                    b',' if depth == 0 => break,
                    _ => {}
                }
                i += 1;
            }
        }
        if !url.is_empty() {
            urls.push(url);
        }
    }
    urls
}

fn srcset(st: &mut State, raw: Option<&str>) {
    let Some(raw) = raw else { return };
    let decoded = decode(raw, Context::Attribute);
    for candidate in srcset_urls(&decoded) {
        if let Some(url) = st.resolve(candidate) {
            st.add_reference(url, ResourceType::Image, true, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srcset_candidates_with_commas_in_urls() {
        assert_eq!(
            srcset_urls("a.jpg 1x, https://cdn.example/w_100,h_50/b.jpg 2x,c.jpg,, d.jpg 3w"),
            [
                "a.jpg",
                "https://cdn.example/w_100,h_50/b.jpg",
                "c.jpg",
                "d.jpg"
            ]
        );
        assert!(srcset_urls("  , ").is_empty());
    }

    #[test]
    fn refresh_content_forms() {
        assert_eq!(refresh_target("0; url=/next"), Some("/next"));
        assert_eq!(
            refresh_target("5;URL='https://x.example/a b'"),
            Some("https://x.example/a b")
        );
        assert_eq!(refresh_target("3, \"/q\""), Some("/q"));
        assert_eq!(refresh_target("10"), None);
    }
}
