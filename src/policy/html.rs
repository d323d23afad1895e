//! HTML policies: main-content text with the heading hierarchy, without navigation, header,
//! footer, asides, scripts and cookie banners.
//!
//! html5ever (under scraper) is quadratic in nesting depth (field notes: 512 KB of nested lists took
//! 94 s), so a cheap linear scan checks size and depth first. Within [`MAX_DOM_BYTES`] and
//! [`MAX_DOM_DEPTH`] the DOM path runs (main-content choice, banner size guard, bold-paragraph
//! headings); beyond, a streaming lol_html pass extracts text in linear time, still with h1–h6
//! headings.

use crate::policy::html_stream;
use crate::policy::lexicon::Lexicon;
use crate::policy::text::{PolicyText, TextBuilder};
use ego_tree::NodeRef;
use scraper::{Html, Node};

/// Largest body parsed into a DOM.
pub const MAX_DOM_BYTES: usize = 2 * 1024 * 1024;
/// Deepest element nesting parsed into a DOM.
pub const MAX_DOM_DEPTH: usize = 400;

/// Elements whose content is never policy text.
pub(crate) const SKIP: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "nav", "aside", "iframe", "object", "select",
    "button", "head", "dialog",
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

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];
/// End tags that authors often omit: not counted, so a page of unclosed `<p>` is not "deep".
const OPTIONAL_END: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "tbody", "thead",
];
const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title", "xmp"];

/// Element nesting depth by a linear scan of the tags (comments and raw text skipped; void
/// elements and elements with optional end tags not counted). Overcounts rather than undercounts.
pub fn nesting_depth(html: &str) -> usize {
    let b = html.as_bytes();
    let lower_at = |i: usize, s: &str| {
        b.len() >= i + s.len() && b[i..i + s.len()].eq_ignore_ascii_case(s.as_bytes())
    };
    let (mut i, mut depth, mut max) = (0usize, 0usize, 0usize);
    while let Some(p) = html[i..].find('<') {
        i += p + 1;
        if lower_at(i, "!--") {
            i = html[i..].find("-->").map_or(b.len(), |e| i + e + 3);
            continue;
        }
        let closing = b.get(i) == Some(&b'/');
        let name_start = if closing { i + 1 } else { i };
        let name_len = b[name_start.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        if name_len == 0 || !b[name_start].is_ascii_alphabetic() {
            continue;
        }
        let name = html[name_start..name_start + name_len].to_ascii_lowercase();
        let Some(gt) = html[i..].find('>').map(|g| i + g) else {
            break;
        };
        let self_closing = gt > 0 && b[gt - 1] == b'/';
        i = gt + 1;
        if VOID.contains(&name.as_str()) || OPTIONAL_END.contains(&name.as_str()) {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else if !self_closing {
            if RAW_TEXT.contains(&name.as_str()) {
                let end_tag = format!("</{name}");
                let rest = html[i..].to_ascii_lowercase();
                i = rest.find(&end_tag).map_or(b.len(), |e| i + e);
                continue;
            }
            depth += 1;
            max = max.max(depth);
        }
    }
    max
}

/// Extract the policy text of an HTML document.
pub fn parse_html(html: &str, source: &str) -> PolicyText {
    if html.len() <= MAX_DOM_BYTES && nesting_depth(html) <= MAX_DOM_DEPTH {
        parse_dom(html, source)
    } else {
        html_stream::parse_stream(html, source)
    }
}

fn attr_is_noise(el: &scraper::node::Element) -> bool {
    let markers = &Lexicon::get().noise_markers;
    ["id", "class"].iter().any(|a| {
        el.attr(a).is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            markers.iter().any(|m| v.contains(m.as_str()))
        })
    })
}

fn text_len(node: NodeRef<Node>) -> usize {
    node.descendants()
        .filter_map(|n| n.value().as_text().map(|t| t.trim().len()))
        .sum()
}

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

struct Walker {
    b: TextBuilder,
    buf: String,
    total: usize,
}

impl Walker {
    fn flush(&mut self) {
        if !self.buf.trim().is_empty() {
            self.b.body(&self.buf);
        }
        self.buf.clear();
    }

    fn collect_text(&self, node: NodeRef<Node>, out: &mut String) {
        for child in node.children() {
            match child.value() {
                Node::Text(t) => out.push_str(&t.replace(['\n', '\r', '\t'], " ")),
                Node::Element(el) if el.name() == "br" => out.push(' '),
                Node::Element(el) if !SKIP.contains(&el.name()) => self.collect_text(child, out),
                _ => {}
            }
        }
    }

    /// A `<p>` whose only content is one short `<strong>`/`<b>`: a heading in many generators.
    fn bold_heading(&self, node: NodeRef<Node>) -> Option<String> {
        let mut parts = node.children().filter(|c| match c.value() {
            Node::Text(t) => !t.trim().is_empty(),
            Node::Element(_) => true,
            _ => false,
        });
        let only = parts.next()?;
        if parts.next().is_some() {
            return None;
        }
        let el = only.value().as_element()?;
        if !matches!(el.name(), "strong" | "b") {
            return None;
        }
        let mut t = String::new();
        self.collect_text(only, &mut t);
        let t = t.trim().to_string();
        (!t.is_empty() && t.chars().count() <= 80 && !t.ends_with(['.', ':', ',', ';']))
            .then_some(t)
    }

    fn walk(&mut self, node: NodeRef<Node>, in_main: bool) {
        match node.value() {
            Node::Text(t) => self.buf.push_str(&t.replace(['\n', '\r', '\t'], " ")),
            Node::Element(el) => {
                let name = el.name();
                if SKIP.contains(&name)
                    || (matches!(name, "header" | "footer") && !in_main)
                    || (attr_is_noise(el) && text_len(node) * 3 < self.total)
                {
                    return;
                }
                if name == "br" {
                    self.buf.push('\n');
                    return;
                }
                if let Some(level) = heading_level(name) {
                    self.flush();
                    let mut t = String::new();
                    self.collect_text(node, &mut t);
                    self.b.heading(level, &t);
                    return;
                }
                if name == "p" {
                    if let Some(t) = self.bold_heading(node) {
                        self.flush();
                        self.b.heading(7, &t);
                        return;
                    }
                }
                let block = BLOCKS.contains(&name);
                if block {
                    self.flush();
                }
                let in_main = in_main || matches!(name, "main" | "article");
                for child in node.children() {
                    self.walk(child, in_main);
                }
                if block {
                    self.flush();
                }
            }
            _ => {}
        }
    }
}

fn parse_dom(html: &str, source: &str) -> PolicyText {
    let doc = Html::parse_document(html);
    let root = doc.tree.root();
    let body = root
        .descendants()
        .find(|n| n.value().as_element().is_some_and(|e| e.name() == "body"))
        .unwrap_or(root);
    let total = text_len(body);
    // Main content: the largest <main>, <article> or [role=main] holding ≥ 40 % of the text.
    let main = body
        .descendants()
        .filter(|n| {
            n.value().as_element().is_some_and(|e| {
                matches!(e.name(), "main" | "article") || e.attr("role") == Some("main")
            })
        })
        .map(|n| (text_len(n), n))
        .filter(|(len, _)| *len * 5 >= total * 2)
        .max_by_key(|(len, _)| *len)
        .map(|(_, n)| n);
    let mut w = Walker {
        b: TextBuilder::new(source),
        buf: String::new(),
        total,
    };
    match main {
        Some(m) => w.walk(m, true),
        None => w.walk(body, false),
    }
    w.flush();
    w.b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::text::BlockKind;

    #[test]
    fn depth_scan_counts_real_nesting_only() {
        assert_eq!(nesting_depth("<div><p>a<p>b<br><img src=x></div>"), 1);
        assert_eq!(nesting_depth("<ul><li><ul><li><ul></ul></ul></ul>"), 3);
        assert_eq!(
            nesting_depth("<script>if (a<b) { '<div>' }</script><div></div>"),
            1
        );
        assert_eq!(nesting_depth("<!-- <div><div> --><span/>"), 0);
        let deep = "<div>".repeat(1000);
        assert_eq!(nesting_depth(&deep), 1000);
    }

    #[test]
    fn dom_path_keeps_headings_drops_noise() {
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
    fn deep_documents_take_the_streaming_path() {
        let mut html = String::from("<body><h2>Hosting</h2><p>Wir hosten bei Musterhost.</p>");
        html.push_str(&"<div>".repeat(MAX_DOM_DEPTH + 10));
        html.push_str("<h3>Fonts</h3><p>Text</p>");
        html.push_str(&"</div>".repeat(MAX_DOM_DEPTH + 10));
        let t = parse_html(&html, "deep.html");
        let last = t.blocks.last().unwrap();
        assert_eq!(
            (last.text.as_str(), last.section_path().as_str()),
            ("Text", "Hosting > Fonts")
        );
    }
}
