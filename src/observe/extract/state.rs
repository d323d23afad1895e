//! What one extraction pass has found so far: deduplicated, capped, ready to become a
//! [`PageExtract`].

use crate::observe::css::css_references;
use crate::observe::entities::{decode, Context};
use crate::observe::policy_link::looks_like_policy;
use crate::observe::{
    PageExtract, PolicyLink, Reference, ResourceType, ScriptRef, INLINE_SCRIPT_KEEP,
};
use sha2::{Digest, Sha256};
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use url::Url;

/// Most links kept per page: a trap page with millions of links must not fill memory.
pub const MAX_LINKS: usize = 10_000;
/// Most references kept per page.
pub const MAX_REFERENCES: usize = 10_000;
/// Most script elements kept per page.
pub const MAX_SCRIPTS: usize = 2_000;
/// Most external stylesheets kept per page.
pub const MAX_STYLESHEETS: usize = 500;
/// Most policy-link candidates kept per page.
pub const MAX_POLICY_LINKS: usize = 100;
/// Longest `<style>` body scanned, in bytes (CSS beyond it is ignored with a warning).
pub const STYLE_KEEP: usize = 2 * 1024 * 1024;
/// Longest `<noscript>` body re-parsed, in bytes.
pub const NOSCRIPT_KEEP: usize = 1024 * 1024;
/// Longest `<title>` kept, in bytes.
const TITLE_KEEP: usize = 1024;
/// Longest anchor text kept for policy-link matching, in bytes.
const ANCHOR_TEXT_KEEP: usize = 300;

/// Keys already seen, as 64-bit SipHash fingerprints: deduplication without cloning every URL
/// into a set (a collision, at 2^-64, would merely drop a duplicate-looking reference).
type Seen = HashSet<u64, BuildHasherDefault<PassThrough>>;

fn fingerprint<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// Hasher for keys that are already uniformly distributed fingerprints.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// An inline script whose body is still arriving in chunks.
#[derive(Debug)]
pub struct InlineScript {
    hasher: Sha256,
    kept: String,
    blank: bool,
    gated: bool,
}

/// An `<a href>` whose text is still arriving.
#[derive(Debug)]
pub struct Anchor {
    url: Url,
    text: String,
    /// `aria-label` or `title`, used when the anchor has no text (icon links).
    label: Option<String>,
}

/// The accumulator of one pass (the page, or the content of one `<noscript>`).
#[derive(Debug)]
pub struct State {
    /// URL relative references resolve against (the page URL until `<base href>`).
    pub base: Url,
    base_seen: bool,
    /// This pass reads `<noscript>` content: everything found is marked `noscript`.
    pub noscript: bool,
    out: PageExtract,
    seen_links: Seen,
    seen_refs: Seen,
    seen_scripts: Seen,
    seen_stylesheets: Seen,
    seen_policy: Seen,
    markers: BTreeSet<String>,
    warned: BTreeSet<&'static str>,
    /// Open `<template>` elements: their content is inert.
    pub template_depth: usize,
    title: Option<String>,
    title_done: bool,
    /// Inline script being read.
    pub script: Option<InlineScript>,
    /// `<style>` body being read.
    pub style: Option<String>,
    /// `<noscript>` body being read (raw text, re-parsed when complete).
    pub noscript_body: Option<String>,
    anchor: Option<Anchor>,
}

impl State {
    /// A fresh pass over a document at `base`.
    pub fn new(base: Url, noscript: bool) -> Self {
        State {
            base,
            base_seen: false,
            noscript,
            out: PageExtract::default(),
            seen_links: Seen::default(),
            seen_refs: Seen::default(),
            seen_scripts: Seen::default(),
            seen_stylesheets: Seen::default(),
            seen_policy: Seen::default(),
            markers: BTreeSet::new(),
            warned: BTreeSet::new(),
            template_depth: 0,
            title: None,
            title_done: false,
            script: None,
            style: None,
            noscript_body: None,
            anchor: None,
        }
    }

    /// Resolve a raw attribute value (entities decoded, ASCII whitespace trimmed); http(s) only.
    pub fn resolve(&self, raw: &str) -> Option<Url> {
        let value = decode(raw, Context::Attribute);
        let value = value.trim_matches(|c: char| c.is_ascii_whitespace());
        if value.is_empty() {
            return None;
        }
        let url = self.base.join(value).ok()?;
        matches!(url.scheme(), "http" | "https").then_some(url)
    }

    /// The first `<base href>` wins; later ones are ignored, as in browsers.
    pub fn set_base(&mut self, raw: &str) {
        if self.base_seen {
            return;
        }
        self.base_seen = true;
        if let Some(url) = self.resolve(raw) {
            self.base = url;
        }
    }

    fn warn_once(&mut self, key: &'static str, message: String) {
        if self.warned.insert(key) {
            self.out.warnings.push(message);
        }
    }

    /// A crawlable link (fragment removed).
    pub fn add_link(&mut self, mut url: Url) {
        url.set_fragment(None);
        let key = fingerprint(&url);
        if self.seen_links.contains(&key) {
            return;
        }
        if self.out.links.len() >= MAX_LINKS {
            let msg =
                format!("more than {MAX_LINKS} links on the page; the rest were not followed");
            return self.warn_once("links", msg);
        }
        self.seen_links.insert(key);
        self.out.links.push(url);
    }

    /// A referenced resource; `noscript` comes from the pass.
    pub fn add_reference(&mut self, url: Url, kind: ResourceType, loaded: bool, gated: bool) {
        let r = Reference {
            url,
            resource_type: kind,
            loaded,
            consent_gated: gated,
            noscript: self.noscript,
        };
        self.insert_reference(r);
    }

    fn insert_reference(&mut self, r: Reference) {
        let key = fingerprint(&r);
        if self.seen_refs.contains(&key) {
            return;
        }
        if self.out.references.len() >= MAX_REFERENCES {
            let msg =
                format!("more than {MAX_REFERENCES} resources on the page; the rest were ignored");
            return self.warn_once("references", msg);
        }
        self.seen_refs.insert(key);
        self.out.references.push(r);
    }

    /// A script element (external, or inline once its body is complete).
    pub fn add_script(&mut self, mut s: ScriptRef) {
        s.noscript = self.noscript;
        let key = fingerprint(&(&s.src, &s.inline_sha256, s.consent_gated));
        if self.seen_scripts.contains(&key) {
            return;
        }
        if self.out.scripts.len() >= MAX_SCRIPTS {
            let msg = format!("more than {MAX_SCRIPTS} scripts on the page; the rest were ignored");
            return self.warn_once("scripts", msg);
        }
        self.seen_scripts.insert(key);
        self.out.scripts.push(s);
    }

    /// An external stylesheet the crawler may fetch for `@import`/`url()`.
    pub fn add_stylesheet(&mut self, url: Url) {
        if self.out.stylesheets.len() < MAX_STYLESHEETS
            && self.seen_stylesheets.insert(fingerprint(&url))
        {
            self.out.stylesheets.push(url);
        }
    }

    /// CMP markers seen on an element.
    pub fn add_markers(&mut self, markers: impl IntoIterator<Item = String>) {
        self.markers.extend(markers);
    }

    /// References in CSS text (`<style>` body or `style=` attribute).
    pub fn add_css(&mut self, css: &str) {
        for r in css_references(css, &self.base) {
            if r.resource_type == ResourceType::Stylesheet {
                self.add_stylesheet(r.url.clone());
            }
            self.add_reference(r.url, r.resource_type, true, false);
        }
    }

    /// A chunk of `<title>` text; only the first title counts.
    pub fn title_text(&mut self, chunk: &str, last: bool) {
        if self.title_done {
            return;
        }
        let title = self.title.get_or_insert_with(String::new);
        if title.len() < TITLE_KEEP {
            title.push_str(chunk);
        }
        self.title_done = last;
    }

    /// Start an inline script body.
    pub fn start_script(&mut self, gated: bool) {
        self.script = Some(InlineScript {
            hasher: Sha256::new(),
            kept: String::new(),
            blank: true,
            gated,
        });
    }

    /// A chunk of the inline script body; the last one records the script.
    pub fn script_text(&mut self, chunk: &str, last: bool) {
        if let Some(s) = self.script.as_mut() {
            s.hasher.update(chunk.as_bytes());
            s.blank &= chunk.trim().is_empty();
            let room = INLINE_SCRIPT_KEEP.saturating_sub(s.kept.len());
            if room > 0 {
                s.kept.push_str(cut(chunk, room));
            }
        }
        if last {
            self.finish_script();
        }
    }

    fn finish_script(&mut self) {
        let Some(s) = self.script.take() else { return };
        if s.blank {
            return;
        }
        self.add_script(ScriptRef {
            src: None,
            inline_sha256: Some(hex::encode(s.hasher.finalize())),
            inline_text: Some(s.kept),
            consent_gated: s.gated,
            noscript: false,
        });
    }

    /// A chunk of a `<style>` body; the last one scans it.
    pub fn style_text(&mut self, chunk: &str, last: bool) {
        let mut over = false;
        if let Some(buf) = self.style.as_mut() {
            let room = STYLE_KEEP.saturating_sub(buf.len());
            over = chunk.len() > room;
            buf.push_str(cut(chunk, room));
        }
        if over {
            let msg = format!(
                "a <style> element is larger than {STYLE_KEEP} bytes; the rest was not read"
            );
            self.warn_once("style", msg);
        }
        if last {
            if let Some(css) = self.style.take() {
                self.add_css(&css);
            }
        }
    }

    /// Append to the `<noscript>` body; returns the full body when it is complete.
    pub fn noscript_text(&mut self, chunk: &str, last: bool) -> Option<String> {
        let mut over = false;
        if let Some(buf) = self.noscript_body.as_mut() {
            let room = NOSCRIPT_KEEP.saturating_sub(buf.len());
            over = chunk.len() > room;
            buf.push_str(cut(chunk, room));
        }
        if over {
            let msg = format!(
                "a <noscript> element is larger than {NOSCRIPT_KEEP} bytes; the rest was not read"
            );
            self.warn_once("noscript", msg);
        }
        if last {
            self.noscript_body.take()
        } else {
            None
        }
    }

    /// Fold a `<noscript>` pass (already marked `noscript`) into this one.
    pub fn merge(&mut self, inner: PageExtract) {
        for url in inner.links {
            self.add_link(url);
        }
        for r in inner.references {
            self.insert_reference(r);
        }
        for s in inner.scripts {
            let noscript = self.noscript;
            self.noscript = true;
            self.add_script(s);
            self.noscript = noscript;
        }
        for url in inner.stylesheets {
            self.add_stylesheet(url);
        }
        for p in inner.policy_links {
            self.add_policy_link(p);
        }
        self.markers.extend(inner.cmp_markers);
        for w in inner.warnings {
            if !self.out.warnings.contains(&w) {
                self.out.warnings.push(w);
            }
        }
    }

    /// An `<a href>` opens: its text follows until [`State::finish_anchor`].
    pub fn start_anchor(&mut self, url: Url, label: Option<String>) {
        self.finish_anchor();
        self.anchor = Some(Anchor {
            url,
            text: String::new(),
            label,
        });
    }

    /// Text inside the open anchor (also `alt` of images in it).
    pub fn anchor_text(&mut self, chunk: &str) {
        if self.template_depth > 0 {
            return;
        }
        if let Some(a) = self.anchor.as_mut() {
            let room = ANCHOR_TEXT_KEEP.saturating_sub(a.text.len());
            a.text.push_str(cut(chunk, room));
        }
    }

    /// Whether an anchor is open.
    pub fn in_anchor(&self) -> bool {
        self.anchor.is_some()
    }

    /// The open anchor ends: check it against the policy-link rule.
    pub fn finish_anchor(&mut self) {
        let Some(a) = self.anchor.take() else { return };
        let mut text = crate::observe::extract::normalize_space(&decode(&a.text, Context::Text));
        if text.is_empty() {
            if let Some(label) = a.label {
                text = crate::observe::extract::normalize_space(&decode(&label, Context::Text));
            }
        }
        self.policy_candidate(a.url, text);
    }

    /// A link with this text: keep it when it looks like a privacy policy.
    pub fn policy_candidate(&mut self, mut url: Url, text: String) {
        url.set_fragment(None);
        if looks_like_policy(&text, &url) {
            self.add_policy_link(PolicyLink { url, text });
        }
    }

    fn add_policy_link(&mut self, p: PolicyLink) {
        if self.out.policy_links.len() < MAX_POLICY_LINKS
            && self.seen_policy.insert(fingerprint(&p))
        {
            self.out.policy_links.push(p);
        }
    }

    /// Record a problem with the page.
    pub fn warn(&mut self, message: String) {
        self.out.warnings.push(message);
    }

    /// Close whatever is still open (a document cut off mid-way) and hand the result over.
    pub fn finish(mut self) -> PageExtract {
        self.finish_anchor();
        self.finish_script();
        if let Some(css) = self.style.take() {
            self.add_css(&css);
        }
        self.out.title = self
            .title
            .take()
            .map(|t| crate::observe::extract::normalize_space(&decode(&t, Context::Text)))
            .filter(|t| !t.is_empty());
        self.out.cmp_markers = std::mem::take(&mut self.markers).into_iter().collect();
        self.out
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
pub fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
