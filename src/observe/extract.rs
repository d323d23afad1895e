//! Streaming discovery of links, scripts, frames, images, styles and hints in one HTML page.
//!
//! lol_html tokenises in linear time and bounded memory whatever the nesting depth, so this runs
//! on every crawled page (html5ever is quadratic in depth and is kept out of here). lol_html
//! streams: a URL seen before `<base href>` resolves against the page URL, which is close to what
//! browsers do (they resolve lazily, but `<base>` is nearly always the first thing in `<head>`).
//!
//! What does not count: comments (lol_html never shows elements inside them), `<template>`
//! content (tracked by depth), and strings inside scripts (raw text to the tokenizer). lol_html
//! parses as a browser with scripting on, so `<noscript>` content arrives as raw text; it is
//! parsed again in a second, smaller pass whose findings are marked `noscript`.
//!
//! Huge pages: the crawler already cuts bodies at `--max-body`, and this pass is linear with
//! every per-page list capped (see the `MAX_*` constants), so a 10 MB page costs tens of
//! milliseconds and bounded memory; nothing further is cut here.

mod elements;
mod state;
#[cfg(test)]
mod tests;

pub use elements::{refresh_target, srcset_urls};
pub use state::{MAX_LINKS, MAX_POLICY_LINKS, MAX_REFERENCES, MAX_SCRIPTS, MAX_STYLESHEETS};

use super::PageExtract;
use elements::{Attrs, InlineBody};
use lol_html::html_content::{Element, TextChunk};
use lol_html::{
    ElementContentHandlers, HandlerResult, HtmlRewriter, MemorySettings, Selector, Settings,
};
use state::State;
use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;
use url::Url;

/// Memory lol_html may use for buffering one document (a tag split over chunks, a huge tag):
/// far above any real page, a hard stop for hostile input.
const REWRITER_MEMORY: usize = 64 * 1024 * 1024;

/// Extract everything a page references. `html` is already decoded to UTF-8; `base` is the page URL
/// (`<base href>` is honoured inside).
pub fn extract_html(html: &str, base: &Url) -> PageExtract {
    pass(html, base, false)
}

/// Collapse runs of whitespace to one space and trim.
pub fn normalize_space(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

type Shared = Rc<RefCell<State>>;

fn pass(html: &str, base: &Url, noscript: bool) -> PageExtract {
    let state: Shared = Rc::new(RefCell::new(State::new(base.clone(), noscript)));
    run(html, &state);
    // The rewriter and its handlers (holding clones of `state`) are gone; take the result out.
    let done = std::mem::replace(&mut *state.borrow_mut(), State::new(base.clone(), noscript));
    done.finish()
}

/// The selectors every pass uses, parsed once per thread (lol_html selectors are not `Sync`).
const SELECTORS: [&str; 6] = ["*", "title", "script", "style", "noscript", "a"];

thread_local! {
    static PARSED: Vec<Selector> = SELECTORS
        .iter()
        .map(|s| s.parse().expect("constant selector parses"))
        .collect();
}

fn run(html: &str, state: &Shared) {
    PARSED.with(|selectors| run_with(html, state, selectors));
}

fn run_with(html: &str, state: &Shared, sel: &[Selector]) {
    let (s_el, s_title, s_script, s_style, s_noscript, s_a) = (
        Rc::clone(state),
        Rc::clone(state),
        Rc::clone(state),
        Rc::clone(state),
        Rc::clone(state),
        Rc::clone(state),
    );
    let text = |i: usize, h: Box<dyn FnMut(&mut TextChunk) -> HandlerResult>| {
        (
            Cow::Borrowed(&sel[i]),
            ElementContentHandlers::default().text(h),
        )
    };
    let on_el: Box<dyn FnMut(&mut Element) -> HandlerResult> = Box::new(move |el| {
        on_element(&s_el, el);
        Ok(())
    });
    let mut rewriter = HtmlRewriter::new(
        Settings {
            element_content_handlers: vec![
                (
                    Cow::Borrowed(&sel[0]),
                    ElementContentHandlers::default().element(on_el),
                ),
                text(
                    1,
                    Box::new(move |t| {
                        let mut st = s_title.borrow_mut();
                        if st.template_depth == 0 {
                            st.title_text(t.as_str(), t.last_in_text_node());
                        }
                        Ok(())
                    }),
                ),
                text(
                    2,
                    Box::new(move |t| {
                        s_script
                            .borrow_mut()
                            .script_text(t.as_str(), t.last_in_text_node());
                        Ok(())
                    }),
                ),
                text(
                    3,
                    Box::new(move |t| {
                        s_style
                            .borrow_mut()
                            .style_text(t.as_str(), t.last_in_text_node());
                        Ok(())
                    }),
                ),
                text(
                    4,
                    Box::new(move |t| {
                        let mut st = s_noscript.borrow_mut();
                        if let Some(body) = st.noscript_text(t.as_str(), t.last_in_text_node()) {
                            let inner = pass(&body, &st.base.clone(), true);
                            st.merge(inner);
                        }
                        Ok(())
                    }),
                ),
                text(
                    5,
                    Box::new(move |t| {
                        s_a.borrow_mut().anchor_text(t.as_str());
                        Ok(())
                    }),
                ),
            ],
            memory_settings: MemorySettings {
                max_allowed_memory_usage: REWRITER_MEMORY,
                ..MemorySettings::new()
            },
            strict: false,
            ..Settings::new()
        },
        |_: &[u8]| {},
    );
    let result = rewriter
        .write(html.as_bytes())
        .and_then(|()| rewriter.end());
    if let Err(e) = result {
        state.borrow_mut().warn(format!(
            "HTML extraction stopped early ({e}); references after that point are missing"
        ));
    }
}

fn on_element(shared: &Shared, el: &mut Element) {
    let tag = el.tag_name();
    if tag == "template" {
        let s = Rc::clone(shared);
        let closes = el.on_end_tag(Box::new(move |_| {
            let mut st = s.borrow_mut();
            st.template_depth = st.template_depth.saturating_sub(1);
            Ok(())
        }));
        if closes.is_ok() {
            let mut st = shared.borrow_mut();
            st.template_depth += 1;
            st.script = None;
        }
        return;
    }
    let mut st = shared.borrow_mut();
    if st.template_depth > 0 {
        return;
    }
    match tag.as_str() {
        "a" | "area" => 'anchor: {
            let Some(url) = el.get_attribute("href").and_then(|h| st.resolve(&h)) else {
                break 'anchor;
            };
            st.add_link(url.clone());
            if tag == "area" {
                let alt = el.get_attribute("alt").unwrap_or_default();
                let alt = normalize_space(&super::entities::decode(
                    &alt,
                    super::entities::Context::Attribute,
                ));
                st.policy_candidate(url, alt);
                break 'anchor;
            }
            let label = el
                .get_attribute("aria-label")
                .or_else(|| el.get_attribute("title"));
            st.start_anchor(url, label);
            let s = Rc::clone(shared);
            // A missing `</a>` is fine: the next `<a>` or the end of the page closes it.
            let _ = el.on_end_tag(Box::new(move |_| {
                s.borrow_mut().finish_anchor();
                Ok(())
            }));
        }
        "style" => st.style = Some(String::new()),
        "noscript" if !st.noscript => st.noscript_body = Some(String::new()),
        _ => {}
    }
    let referencing = elements::is_referencing_tag(&tag);
    if !referencing && el.get_attribute("style").is_none() {
        return;
    }
    let attrs = Attrs(
        el.attributes()
            .iter()
            .map(|a| (a.name(), a.value()))
            .collect(),
    );
    let body = elements::element(&mut st, &tag, &attrs);
    if tag == "script" {
        match body {
            InlineBody::Runs => st.start_script(false),
            InlineBody::Gated => st.start_script(true),
            InlineBody::Ignore => st.script = None,
        }
    }
}
