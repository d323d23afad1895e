//! A small HTML tokenizer for policy text: start tags (with the few attributes the policy reader
//! looks at), end tags and text, in one forward pass.
//!
//! Why not html5ever or lol_html: a policy page is site-controlled, and both blew up on hostile
//! markup (issue 11). html5ever's tree builder is quadratic in memory on `<p><b id=bN></i></p>`
//! repeated and its DOM is walked recursively (60,000 nested `<div>` overflow the stack);
//! lol_html never closes elements implicitly and searches its whole element stack on every end
//! tag. Every step here consumes input, so the cost is linear in the document, and the caller
//! keeps its own element stack with per-name indexes.

/// One token. Text is raw (character references not decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// `<name …>`; `name` lowercase.
    Start {
        name: String,
        attrs: Attrs<'a>,
        self_closing: bool,
    },
    /// `</name>`; `name` lowercase.
    End { name: String },
    /// Character data between tags (or the content of a raw-text element that is read as text).
    Text(&'a str),
}

/// The attributes the policy reader uses, raw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Attrs<'a> {
    pub id: Option<&'a str>,
    pub class: Option<&'a str>,
    pub role: Option<&'a str>,
}

/// Elements whose content is not markup: it runs to the matching end tag.
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
];

/// Tokens of `html`, in order.
pub(crate) struct Tokenizer<'a> {
    html: &'a str,
    pos: usize,
    /// After a raw-text start tag: the content up to its end tag comes next.
    raw_end: Option<String>,
}

impl<'a> Tokenizer<'a> {
    pub(crate) fn new(html: &'a str) -> Self {
        Tokenizer {
            html,
            pos: 0,
            raw_end: None,
        }
    }

    /// Skip to just after the next `needle` (or to the end).
    fn skip_past(&mut self, needle: &str) {
        self.pos = match self.html[self.pos..].find(needle) {
            Some(i) => self.pos + i + needle.len(),
            None => self.html.len(),
        };
    }

    /// The content of a raw-text element up to `</name` (case-insensitive), as one text token.
    fn raw_content(&mut self, name: &str) -> Token<'a> {
        let b = self.html.as_bytes();
        let start = self.pos;
        let mut at = start;
        let end = loop {
            match self.html[at..].find("</") {
                None => break self.html.len(),
                Some(i) => {
                    let n = at + i + 2;
                    if b.len() >= n + name.len()
                        && b[n..n + name.len()].eq_ignore_ascii_case(name.as_bytes())
                    {
                        break at + i;
                    }
                    at = n;
                }
            }
        };
        self.pos = end;
        Token::Text(&self.html[start..end])
    }

    fn name_at(&self, i: usize) -> (String, usize) {
        let len = self.html.as_bytes()[i..]
            .iter()
            .take_while(|c| !c.is_ascii_whitespace() && !matches!(c, b'/' | b'>'))
            .count();
        (self.html[i..i + len].to_ascii_lowercase(), i + len)
    }

    /// Attributes from `i` to the closing `>`; returns them, self-closing, and the position after `>`.
    fn attrs_at(&self, mut i: usize) -> (Attrs<'a>, bool, usize) {
        let html = self.html;
        let b = html.as_bytes();
        let mut attrs = Attrs::default();
        let mut self_closing = false;
        while i < b.len() {
            match b[i] {
                b'>' => return (attrs, self_closing, i + 1),
                b'/' => {
                    self_closing = true;
                    i += 1;
                    continue;
                }
                c if c.is_ascii_whitespace() => {
                    i += 1;
                    continue;
                }
                _ => {}
            }
            self_closing = false;
            let name_len = b[i..]
                .iter()
                .skip(1)
                .take_while(|c| !c.is_ascii_whitespace() && !matches!(c, b'/' | b'>' | b'='))
                .count()
                + 1;
            let name = &html[i..i + name_len];
            i += name_len;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let mut value = "";
            if b.get(i) == Some(&b'=') {
                i += 1;
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                match b.get(i) {
                    Some(&q) if q == b'"' || q == b'\'' => {
                        let end = html[i + 1..]
                            .find(q as char)
                            .map_or(html.len(), |e| i + 1 + e);
                        value = &html[i + 1..end];
                        i = (end + 1).min(html.len());
                    }
                    _ => {
                        let len = b[i..]
                            .iter()
                            .take_while(|c| !c.is_ascii_whitespace() && **c != b'>')
                            .count();
                        value = &html[i..i + len];
                        i += len;
                    }
                }
            }
            if name.eq_ignore_ascii_case("id") {
                attrs.id.get_or_insert(value);
            } else if name.eq_ignore_ascii_case("class") {
                attrs.class.get_or_insert(value);
            } else if name.eq_ignore_ascii_case("role") {
                attrs.role.get_or_insert(value);
            }
        }
        (attrs, self_closing, html.len())
    }
}

impl<'a> Iterator for Tokenizer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        if let Some(name) = self.raw_end.take() {
            let t = self.raw_content(&name);
            if let Token::Text(s) = &t {
                if !s.is_empty() {
                    return Some(t);
                }
            }
        }
        let html = self.html;
        let b = html.as_bytes();
        loop {
            if self.pos >= b.len() {
                return None;
            }
            let start = self.pos;
            if b[start] != b'<' {
                let end = html[start..].find('<').map_or(html.len(), |i| start + i);
                self.pos = end;
                return Some(Token::Text(&html[start..end]));
            }
            let next = b.get(start + 1).copied();
            match next {
                Some(b'!') if html[start..].starts_with("<!--") => {
                    self.pos = start + 4;
                    self.skip_past("-->");
                }
                Some(b'!') | Some(b'?') => {
                    self.pos = start + 2;
                    self.skip_past(">");
                }
                Some(b'/') if b.get(start + 2).is_some_and(u8::is_ascii_alphabetic) => {
                    let (name, after) = self.name_at(start + 2);
                    self.pos = after;
                    self.skip_past(">");
                    return Some(Token::End { name });
                }
                Some(b'/') => {
                    // `</>` and `</ …>`: a bogus comment.
                    self.pos = start + 2;
                    self.skip_past(">");
                }
                Some(c) if c.is_ascii_alphabetic() => {
                    let (name, after) = self.name_at(start + 1);
                    let (attrs, self_closing, end) = self.attrs_at(after);
                    self.pos = end;
                    if RAW_TEXT.contains(&name.as_str()) && !self_closing {
                        self.raw_end = Some(name.clone());
                    }
                    return Some(Token::Start {
                        name,
                        attrs,
                        self_closing,
                    });
                }
                _ => {
                    // A lone '<' is text.
                    let end = html[start + 1..]
                        .find('<')
                        .map_or(html.len(), |i| start + 1 + i);
                    self.pos = end;
                    return Some(Token::Text(&html[start..end]));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(html: &str) -> Vec<String> {
        Tokenizer::new(html)
            .map(|t| match t {
                Token::Start { name, .. } => format!("<{name}>"),
                Token::End { name } => format!("</{name}>"),
                Token::Text(s) => s.to_string(),
            })
            .collect()
    }

    #[test]
    fn tags_text_comments_and_raw_text() {
        assert_eq!(
            names(
                "<P class='a>b' id=x>Hi <!-- <b> -->there</p><script>if (a<b) '</div>'</SCRIPT>x"
            ),
            vec![
                "<p>",
                "Hi ",
                "there",
                "</p>",
                "<script>",
                "if (a<b) '</div>'",
                "</script>",
                "x"
            ]
        );
        assert_eq!(
            names("a < b <!doctype html><br/>"),
            vec!["a ", "< b ", "<br>"]
        );
        let mut t = Tokenizer::new("<div id=\"main\" class=x role=main>");
        assert_eq!(
            t.next(),
            Some(Token::Start {
                name: "div".into(),
                attrs: Attrs {
                    id: Some("main"),
                    class: Some("x"),
                    role: Some("main")
                },
                self_closing: false
            })
        );
    }

    #[test]
    fn unterminated_constructs_end_the_document() {
        assert_eq!(names("a<!-- never closed <p>x"), vec!["a"]);
        assert_eq!(names("<p title=\"never closed>x"), vec!["<p>"]);
        assert_eq!(names("<style>p{}"), vec!["<style>", "p{}"]);
    }
}
