//! HTML policies: main-content text with the heading hierarchy, without navigation, header,
//! footer, asides, scripts and cookie banners.
//!
//! The page is site-controlled, so reading it must be linear in its size with bounded memory
//! whatever the markup (issue 11: html5ever's DOM took 5 GB on 180 KB of `<p><b id=bN></i></p>`
//! and its recursive walk overflowed the stack on 60,000 nested `<div>`). Two forward passes over
//! [`html_tokens`](crate::policy::html_tokens) with the element stack of
//! [`html_walk`](crate::policy::html_walk) replace the DOM:
//! 1. measure: the text length of each `<main>`/`<article>`/`[role=main]` and each element that
//!    looks like a cookie banner (id/class markers), by a running text counter;
//! 2. extract: walk again with the same stack rules, keep the chosen main content, skip banners
//!    shorter than a third of the page, and build blocks and headings (h1–h6, and a `<p>` whose
//!    only content is one short `<b>`/`<strong>`).
//!
//! Both passes see the same tokens and close elements by the same rules, so the n-th measured
//! element is the n-th element of pass 2. Elements close explicitly, implicitly (a block start
//! closes an open `<p>`, `<li>` closes `<li>`, as browsers do) or at the end of the document.

use crate::observe::entities::{decode, Context};
use crate::policy::html_tokens::Attrs;
use crate::policy::html_walk::{heading_level, walk, Open, Visitor};
use crate::policy::lexicon::Lexicon;
use crate::policy::text::{PolicyText, TextBuilder};

/// Elements whose content is never policy text.
pub(crate) const SKIP: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "nav", "aside", "iframe", "object", "select",
    "button", "head", "dialog", "title", "textarea", "math",
];

/// Elements that start and end a block of text.
pub(crate) const BLOCKS: &[&str] = &[
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "td",
    "th",
    "caption",
    "section",
    "article",
    "main",
    "blockquote",
    "pre",
    "address",
    "figure",
    "figcaption",
    "form",
    "fieldset",
    "details",
    "summary",
    "body",
    "header",
    "footer",
    "hr",
];

/// Longest bold-paragraph heading, in chars.
const MAX_BOLD_HEADING_CHARS: usize = 80;

/// Extract the policy text of an HTML document.
pub fn parse_html(html: &str, source: &str) -> PolicyText {
    let measured = measure(html);
    let mut w = Extract::new(source, &measured);
    walk(html, &mut w);
    w.finish()
}

fn is_noise(attrs: &Attrs) -> bool {
    let markers = &Lexicon::get().noise_markers;
    [attrs.id, attrs.class].iter().flatten().any(|v| {
        let v = v.to_ascii_lowercase();
        markers.iter().any(|m| v.contains(m.as_str()))
    })
}

fn is_main_candidate(name: &str, attrs: &Attrs) -> bool {
    matches!(name, "main" | "article") || attrs.role == Some("main")
}

/// Characters that count as content: not whitespace.
fn text_weight(raw: &str) -> usize {
    raw.bytes().filter(|b| !b.is_ascii_whitespace()).count()
}

/// Pass 1: text lengths of main candidates and banner candidates.
#[derive(Default)]
struct Measured {
    /// Text length per measured element, by index; `main` marks main candidates.
    lens: Vec<(usize, bool)>,
    /// All text outside raw-text elements.
    total: usize,
}

#[derive(Default)]
struct Measure {
    m: Measured,
    raw_depth: usize,
}

impl Visitor for Measure {
    fn open(&mut self, name: &str, attrs: &Attrs) -> Open {
        let raw = matches!(
            name,
            "script" | "style" | "head" | "title" | "template" | "noscript"
        );
        if raw {
            self.raw_depth += 1;
        }
        let main = is_main_candidate(name, attrs);
        let measured = (main || is_noise(attrs)).then(|| {
            self.m.lens.push((self.m.total, main));
            self.m.lens.len() - 1
        });
        Open {
            measured,
            skip: raw,
            ..Open::default()
        }
    }

    fn close(&mut self, _name: &str, open: Open) {
        if open.skip {
            self.raw_depth -= 1;
        }
        if let Some(i) = open.measured {
            let (start, main) = self.m.lens[i];
            self.m.lens[i] = (self.m.total - start, main);
        }
    }

    fn void(&mut self, _name: &str) {}

    fn text(&mut self, raw: &str) {
        if self.raw_depth == 0 {
            self.m.total += text_weight(raw);
        }
    }
}

fn measure(html: &str) -> Measured {
    let mut m = Measure::default();
    walk(html, &mut m);
    m.m
}

/// Whether the paragraph being read can still be a bold-paragraph heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BoldState {
    /// Nothing but whitespace so far.
    Empty,
    /// Inside the `<b>`/`<strong>` at this stack depth.
    InBold(usize),
    /// The bold element closed; only whitespace may follow.
    After,
    /// Something else is in the paragraph.
    No,
}

/// Pass 2: blocks and headings.
struct Extract<'m> {
    b: TextBuilder,
    buf: String,
    heading: Option<(u8, String)>,
    measured: &'m Measured,
    chosen_main: Option<usize>,
    next_measured: usize,
    skip: usize,
    main_depth: usize,
    in_chosen: usize,
    depth: usize,
    /// Open paragraphs (innermost last) and whether each can still be a bold heading.
    paragraphs: Vec<BoldState>,
}

impl<'m> Extract<'m> {
    fn new(source: &str, measured: &'m Measured) -> Self {
        let total = measured.total;
        // Main content: the largest main candidate holding ≥ 40 % of the text (the last of equals).
        let mut chosen = None;
        let mut best = 0;
        for (i, &(len, main)) in measured.lens.iter().enumerate() {
            if main && len * 5 >= total * 2 && (chosen.is_none() || len >= best) {
                chosen = Some(i);
                best = len;
            }
        }
        Extract {
            b: TextBuilder::new(source),
            buf: String::new(),
            heading: None,
            measured,
            chosen_main: chosen,
            next_measured: 0,
            skip: 0,
            main_depth: 0,
            in_chosen: 0,
            depth: 0,
            paragraphs: Vec::new(),
        }
    }

    fn active(&self) -> bool {
        self.skip == 0 && (self.chosen_main.is_none() || self.in_chosen > 0)
    }

    fn flush(&mut self) {
        if !self.buf.trim().is_empty() {
            let text = std::mem::take(&mut self.buf);
            self.b.body(&text);
        }
        self.buf.clear();
    }

    /// Something other than the bold element appears in the innermost paragraph.
    fn spoil_paragraph(&mut self) {
        if let Some(p) = self.paragraphs.last_mut() {
            if !matches!(p, BoldState::InBold(_)) {
                *p = BoldState::No;
            }
        }
    }

    /// Closing the chosen main content restores the skipping around it.
    fn leave_chosen(&mut self, open: Open) {
        if open.chosen_main {
            self.in_chosen -= 1;
            self.skip = open.saved_skip;
        }
    }

    fn finish(mut self) -> PolicyText {
        self.flush();
        self.b.finish()
    }
}

impl Visitor for Extract<'_> {
    fn open(&mut self, name: &str, attrs: &Attrs) -> Open {
        self.depth += 1;
        let mut open = Open::default();
        if is_main_candidate(name, attrs) || is_noise(attrs) {
            open.measured = Some(self.next_measured);
            self.next_measured += 1;
        }
        // The chosen main content is read even inside a skipped element (`<header><article>`), as
        // the DOM reader did by walking from it.
        open.chosen_main = open.measured.is_some() && open.measured == self.chosen_main;
        if open.chosen_main {
            open.saved_skip = std::mem::take(&mut self.skip);
            self.in_chosen += 1;
        }
        if self.skip > 0 {
            open.skip = true;
            self.skip += 1;
            return open;
        }
        let in_main = self.main_depth > 0 || self.in_chosen > 0;
        // A banner is skipped unless it holds a third of the page (a wrapper around everything).
        let small_banner = is_noise(attrs)
            && open
                .measured
                .is_some_and(|i| self.measured.lens[i].0 * 3 < self.measured.total);
        if SKIP.contains(&name) || (matches!(name, "header" | "footer") && !in_main) || small_banner
        {
            self.spoil_paragraph();
            open.skip = true;
            self.skip += 1;
            return open;
        }
        if matches!(name, "main" | "article") {
            open.main = true;
            self.main_depth += 1;
        }
        if !self.active() {
            return open;
        }
        if let Some(level) = heading_level(name) {
            self.flush();
            self.heading = Some((level, String::new()));
            open.heading = true;
            return open;
        }
        if self.heading.is_some() {
            return open;
        }
        // Inside a paragraph: one `<b>`/`<strong>` keeps it a heading candidate, anything else
        // does not.
        let depth = self.depth;
        match self.paragraphs.last_mut() {
            Some(p @ BoldState::Empty) if matches!(name, "b" | "strong") => {
                *p = BoldState::InBold(depth)
            }
            Some(BoldState::InBold(_)) => {}
            Some(p) => *p = BoldState::No,
            None => {}
        }
        if BLOCKS.contains(&name) {
            self.flush();
            open.block = true;
        }
        if name == "p" {
            open.p = true;
            self.paragraphs.push(BoldState::Empty);
        }
        open
    }

    fn close(&mut self, _name: &str, open: Open) {
        let depth = self.depth;
        self.depth -= 1;
        if open.skip {
            self.skip -= 1;
            self.leave_chosen(open);
            return;
        }
        if open.heading {
            if let Some((level, text)) = self.heading.take() {
                self.b.heading(level, &text);
            }
        } else if open.p {
            let state = self.paragraphs.pop();
            let text = self.buf.trim();
            let bold = matches!(state, Some(BoldState::After | BoldState::InBold(_)))
                && !text.is_empty()
                && text.chars().count() <= MAX_BOLD_HEADING_CHARS
                && !text.ends_with(['.', ':', ',', ';']);
            if bold {
                let text = text.replace('\n', " ");
                self.buf.clear();
                self.b.heading(7, &text);
            } else {
                self.flush();
            }
        } else if open.block {
            self.flush();
        }
        if let Some(BoldState::InBold(d)) = self.paragraphs.last() {
            if *d == depth {
                *self.paragraphs.last_mut().expect("checked") = BoldState::After;
            }
        }
        if open.main {
            self.main_depth -= 1;
        }
        self.leave_chosen(open);
    }

    fn void(&mut self, name: &str) {
        if !self.active() {
            return;
        }
        if name == "br" {
            match self.heading.as_mut() {
                Some((_, t)) => t.push(' '),
                None => {
                    self.spoil_paragraph();
                    self.buf.push('\n');
                }
            }
        } else if self.heading.is_none() && name != "wbr" {
            self.spoil_paragraph();
            if name == "hr" {
                self.flush();
            }
        }
    }

    fn text(&mut self, raw: &str) {
        if !self.active() {
            return;
        }
        let text = decode(raw, Context::Text).replace(['\n', '\r', '\t'], " ");
        if let Some((_, h)) = self.heading.as_mut() {
            h.push_str(&text);
            return;
        }
        if !text.trim().is_empty() {
            self.spoil_paragraph();
        }
        self.buf.push_str(&text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::text::BlockKind;

    #[test]
    fn keeps_headings_drops_noise() {
        let html = r#"<html><head><title>T</title></head><body>
            <header><nav><a href="/">Home</a></nav></header>
            <div id="usercentrics-root"><p>We use cookies. Accept all</p></div>
            <main><h1>Datenschutz</h1><h2>Plugins und
            Tools</h2><h3>Google Fonts</h3><p>Anbieter ist die Google Ireland Limited.<br>Zweite Zeile</p>
            <p><strong>Matomo</strong></p><p>Wir nutzen Matomo.</p>
            <script>var x = "Hotjar";</script></main>
            <footer>Impressum | Datenschutz</footer></body></html>"#;
        let t = parse_html(html, "p.html");
        let all = t.plain();
        assert!(!all.contains("Accept all") && !all.contains("Home") && !all.contains("Hotjar"));
        assert!(!all.contains("Impressum"));
        let fonts = t
            .blocks
            .iter()
            .find(|b| b.text.starts_with("Anbieter"))
            .unwrap();
        assert_eq!(
            fonts.section_path(),
            "Datenschutz > Plugins und Tools > Google Fonts"
        );
        assert_eq!(
            fonts.text,
            "Anbieter ist die Google Ireland Limited.\nZweite Zeile"
        );
        let matomo = t
            .blocks
            .iter()
            .find(|b| b.text == "Wir nutzen Matomo.")
            .unwrap();
        assert_eq!(
            matomo.section_path(),
            "Datenschutz > Plugins und Tools > Google Fonts > Matomo"
        );
        assert!(t.blocks.iter().any(|b| b.kind == BlockKind::Heading(7)));
    }

    #[test]
    fn implicit_closes_and_entities() {
        let html =
            "<body><p>Erster &amp; Absatz<p>Zweiter<div>Block</div><ul><li>Eins<li>Zwei</ul>\
                    <p><b>Kurz</b> und mehr</p><p> <b>Hosting</b> </p><p>Bei &quot;X&quot;.</p>";
        let t = parse_html(html, "p.html");
        let got: Vec<(&str, bool)> = t
            .blocks
            .iter()
            .map(|b| (b.text.as_str(), b.kind == BlockKind::Heading(7)))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Erster & Absatz", false),
                ("Zweiter", false),
                ("Block", false),
                ("Eins", false),
                ("Zwei", false),
                ("Kurz und mehr", false),
                ("Hosting", true),
                ("Bei \"X\".", false),
            ]
        );
    }

    #[test]
    fn a_large_banner_is_kept_and_main_wins() {
        // A "consent" wrapper holding the whole page is not skipped (size guard).
        let html = "<body><div class=\"cookie-consent-wrapper\"><h2>Hosting</h2><p>Wir hosten bei Musterhost.</p></div></body>";
        let t = parse_html(html, "p.html");
        assert!(t.plain().contains("Musterhost"), "{t:?}");
        let html = "<body><p>Menu text outside</p><article><p>Policy text that is much longer than the menu, \
                    long enough to be the main content.</p></article></body>";
        let t = parse_html(html, "p.html");
        assert!(!t.plain().contains("Menu text"), "{t:?}");
        // Main content inside a skipped element is still read.
        let html = format!(
            "<body><header><article><p>{}</p></article></header></body>",
            "Wir nutzen Matomo. ".repeat(5)
        );
        assert!(parse_html(&html, "p.html").plain().contains("Matomo"));
    }

    #[test]
    fn deep_documents_keep_their_headings() {
        let mut html = String::from("<body><h2>Hosting</h2><p>Wir hosten bei Musterhost.</p>");
        html.push_str(&"<div>".repeat(5000));
        html.push_str("<h3>Fonts</h3><p>Text</p>");
        html.push_str(&"</div>".repeat(5000));
        let t = parse_html(&html, "deep.html");
        let last = t.blocks.last().unwrap();
        assert_eq!(
            (last.text.as_str(), last.section_path()),
            ("Text", "Hosting > Fonts")
        );
    }
}
