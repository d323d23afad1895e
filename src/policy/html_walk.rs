//! The element stack of the policy reader: turns the tokens of
//! [`html_tokens`](crate::policy::html_tokens) into open/close events the way browsers nest
//! elements (a block start closes an open `<p>`, `<li>` closes `<li>`, a heading closes a heading,
//! `</h2>` closes any heading), without building a tree and without recursion.
//!
//! Each open name keeps the stack positions where it is open, so matching an end tag or an
//! implicit close is O(1) and popping is amortised O(1): `<div></x>` × 60,000 costs what its
//! bytes cost, where a search down the stack per end tag is quadratic.

use crate::policy::html_tokens::{Attrs, Token, Tokenizer};
use std::collections::HashMap;

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen",
];

/// Start tags that close an open `<p>` (HTML's "close a p element").
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "dialog",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
];

pub(crate) fn heading_level(name: &str) -> Option<u8> {
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

/// What happens to an element's content; decided when it opens.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Open {
    /// Index among measured elements (main candidates and banner candidates).
    pub(crate) measured: Option<usize>,
    pub(crate) skip: bool,
    pub(crate) main: bool,
    pub(crate) chosen_main: bool,
    /// The skip depth outside the chosen main content, restored when it closes.
    pub(crate) saved_skip: usize,
    pub(crate) block: bool,
    pub(crate) heading: bool,
    pub(crate) p: bool,
}

/// Receives the walk's events.
pub(crate) trait Visitor {
    /// An element opens; returns what to remember until it closes.
    fn open(&mut self, name: &str, attrs: &Attrs) -> Open;
    /// An element closes (explicitly, implicitly or at the end of the document).
    fn close(&mut self, name: &str, open: Open);
    /// A void element (`<br>`, `<img>` …).
    fn void(&mut self, name: &str);
    /// Decoded text.
    fn text(&mut self, raw: &str);
}

/// The element stack, with the positions of each open name so that implicit closes and end-tag
/// matching cost O(1) per element, not O(depth).
#[derive(Default)]
struct Stack {
    items: Vec<(String, Open)>,
    positions: HashMap<String, Vec<usize>>,
}

impl Stack {
    fn last_of(&self, name: &str) -> Option<usize> {
        self.positions.get(name).and_then(|v| v.last().copied())
    }

    fn push(&mut self, name: String, open: Open) {
        self.positions
            .entry(name.clone())
            .or_default()
            .push(self.items.len());
        self.items.push((name, open));
    }

    /// Close every element from the top down to (and including) position `at`.
    fn pop_to(&mut self, at: usize, v: &mut dyn Visitor) {
        while self.items.len() > at {
            let (name, open) = self.items.pop().expect("non-empty");
            if let Some(p) = self.positions.get_mut(&name) {
                p.pop();
                if p.is_empty() {
                    self.positions.remove(&name);
                }
            }
            v.close(&name, open);
        }
    }

    /// Close the last open `name` when it is open above every element of `scope`.
    fn close_within(&mut self, name: &str, scope: &[&str], v: &mut dyn Visitor) {
        let Some(at) = self.last_of(name) else {
            return;
        };
        if scope.iter().all(|s| self.last_of(s).is_none_or(|b| b < at)) {
            self.pop_to(at, v);
        }
    }
}

/// Tokenize `html` and drive `v`, with browser-like implicit closes.
pub(crate) fn walk(html: &str, v: &mut dyn Visitor) {
    let mut stack = Stack::default();
    for token in Tokenizer::new(html) {
        match token {
            Token::Text(t) => v.text(t),
            Token::Start {
                name,
                attrs,
                self_closing,
            } => {
                if CLOSES_P.contains(&name.as_str()) {
                    stack.close_within("p", &["button", "table", "td", "th"], v);
                }
                match name.as_str() {
                    "li" => stack.close_within("li", &["ul", "ol"], v),
                    "dt" | "dd" => {
                        stack.close_within("dt", &["dl"], v);
                        stack.close_within("dd", &["dl"], v);
                    }
                    "tr" => stack.close_within("tr", &["table"], v),
                    "td" | "th" => {
                        stack.close_within("td", &["tr", "table"], v);
                        stack.close_within("th", &["tr", "table"], v);
                    }
                    "option" => stack.close_within("option", &["select"], v),
                    _ => {}
                }
                if heading_level(&name).is_some() {
                    if let Some(at) = (1..=6)
                        .filter_map(|l| stack.last_of(&format!("h{l}")))
                        .max()
                    {
                        stack.pop_to(at, v);
                    }
                }
                if VOID.contains(&name.as_str()) {
                    v.void(&name);
                    continue;
                }
                let in_foreign = stack.last_of("svg").is_some() || stack.last_of("math").is_some();
                let open = v.open(&name, &attrs);
                if self_closing && (in_foreign || matches!(name.as_str(), "svg" | "math")) {
                    v.close(&name, open);
                } else {
                    stack.push(name, open);
                }
            }
            Token::End { name } => {
                if matches!(name.as_str(), "body" | "html") {
                    continue;
                }
                let at = if heading_level(&name).is_some() {
                    (1..=6)
                        .filter_map(|l| stack.last_of(&format!("h{l}")))
                        .max()
                } else {
                    stack.last_of(&name)
                };
                if let Some(at) = at {
                    stack.pop_to(at, v);
                } else if name == "br" {
                    v.void("br");
                }
            }
        }
    }
    stack.pop_to(0, v);
}
