//! Streaming discovery of links, scripts, frames, images, styles and hints in one HTML page.
//!
//! lol_html tokenises in linear time and bounded memory whatever the nesting depth, so this runs
//! on every crawled page (html5ever is quadratic in depth and is kept out of here). lol_html
//! streams: a URL seen before `<base href>` resolves against the page URL, which is close to what
//! browsers do (they resolve lazily, but `<base>` is nearly always the first thing in `<head>`).

use super::entities::{decode, Context};
use super::PageExtract;
use lol_html::{element, text, HtmlRewriter, Settings};
use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;
use url::Url;

/// Most links kept per page: a trap page with millions of links must not fill memory.
pub const MAX_LINKS: usize = 10_000;
/// Longest `<title>` kept, in bytes.
const TITLE_KEEP: usize = 1024;

/// Extract everything a page references. `html` is already decoded to UTF-8; `base` is the page URL
/// (`<base href>` is honoured inside).
pub fn extract_html(html: &str, base: &Url) -> PageExtract {
    let state = Rc::new(RefCell::new(State::new(base.clone())));
    run(html, &state);
    // The rewriter (and its handler clones of `state`) is gone by now; take the state out.
    let done = std::mem::replace(&mut *state.borrow_mut(), State::new(base.clone()));
    done.finish()
}

#[derive(Debug)]
struct State {
    base: Url,
    base_seen: bool,
    out: PageExtract,
    seen_links: HashSet<Url>,
    title: Option<String>,
    in_title: bool,
}

impl State {
    fn new(base: Url) -> Self {
        State {
            base,
            base_seen: false,
            out: PageExtract::default(),
            seen_links: HashSet::new(),
            title: None,
            in_title: false,
        }
    }

    /// Resolve a raw attribute value (entities decoded, ASCII whitespace trimmed).
    fn resolve(&self, raw: &str) -> Option<Url> {
        let value = decode(raw, Context::Attribute);
        let value = value.trim_matches(|c: char| c.is_ascii_whitespace());
        if value.is_empty() {
            return None;
        }
        let url = self.base.join(value).ok()?;
        matches!(url.scheme(), "http" | "https").then_some(url)
    }

    fn add_link(&mut self, mut url: Url) {
        url.set_fragment(None);
        if self.out.links.len() >= MAX_LINKS {
            return;
        }
        if self.seen_links.insert(url.clone()) {
            self.out.links.push(url);
        }
    }

    fn finish(mut self) -> PageExtract {
        self.out.title = self
            .title
            .map(|t| normalize_space(&decode(&t, Context::Text)))
            .filter(|t| !t.is_empty());
        self.out
    }
}

/// Collapse runs of whitespace to one space and trim.
pub fn normalize_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn run(html: &str, state: &Rc<RefCell<State>>) {
    let s_base = Rc::clone(state);
    let s_a = Rc::clone(state);
    let s_title = Rc::clone(state);
    let mut rewriter = HtmlRewriter::new(
        Settings {
            element_content_handlers: vec![
                element!("base[href]", move |el| {
                    let mut st = s_base.borrow_mut();
                    if !st.base_seen {
                        st.base_seen = true;
                        if let Some(url) = el.get_attribute("href").and_then(|h| st.resolve(&h)) {
                            st.base = url;
                        }
                    }
                    Ok(())
                }),
                element!("a[href], area[href]", move |el| {
                    let mut st = s_a.borrow_mut();
                    if let Some(url) = el.get_attribute("href").and_then(|h| st.resolve(&h)) {
                        st.add_link(url);
                    }
                    Ok(())
                }),
                text!("title", move |t| {
                    let mut st = s_title.borrow_mut();
                    if st.title.is_none() || st.in_title {
                        st.in_title = !t.last_in_text_node();
                        let title = st.title.get_or_insert_with(String::new);
                        if title.len() < TITLE_KEEP {
                            title.push_str(t.as_str());
                        }
                    }
                    Ok(())
                }),
            ],
            strict: false,
            ..Settings::new()
        },
        |_: &[u8]| {},
    );
    let result = rewriter
        .write(html.as_bytes())
        .and_then(|()| rewriter.end());
    if let Err(e) = result {
        state
            .borrow_mut()
            .out
            .warnings
            .push(format!("HTML extraction stopped early: {e}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("https://www.example.com/dir/page.html").unwrap()
    }

    #[test]
    fn links_are_absolute_without_fragment_and_http_only() {
        let html = r##"<a href="/about#team">About</a><a href="b.html">B</a>
            <a href="mailto:x@example.com">m</a><a href="javascript:void(0)">j</a>
            <map><area href="https://other.example/x?a=1&amp;b=2#f"></map>
            <a href="#top">top</a>"##;
        let ex = extract_html(html, &page());
        let links: Vec<&str> = ex.links.iter().map(Url::as_str).collect();
        assert_eq!(
            links,
            [
                "https://www.example.com/about",
                "https://www.example.com/dir/b.html",
                "https://other.example/x?a=1&b=2",
                "https://www.example.com/dir/page.html",
            ]
        );
    }

    #[test]
    fn base_href_is_honoured_and_title_normalised() {
        let html = "<head><base href='https://cdn.example.net/root/'><base href='/ignored/'>\
            <title>  Caf&eacute;\n  home </title></head><a href='x'>x</a>";
        let ex = extract_html(html, &page());
        assert_eq!(ex.links[0].as_str(), "https://cdn.example.net/root/x");
        assert_eq!(ex.title.as_deref(), Some("Café home"));
    }
}
