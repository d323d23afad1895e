//! The policy as text: blocks (headings and paragraphs) with their heading path, whatever the
//! source format was. Every reader (HTML, PDF, plain text) produces a [`PolicyText`]; the matcher
//! only ever sees this.

use std::sync::Arc;
use unicode_normalization::UnicodeNormalization;

/// Longest heading kept in a section path, in chars; longer headings are cut there with `…`
/// (the heading block itself keeps its whole text). A site-controlled 1 MB `<h1>` must not be
/// copied into every declaration's section.
pub const MAX_SECTION_HEADING_CHARS: usize = 160;

/// Longest document name kept on blocks and declarations, in chars: a policy URL is
/// site-controlled (a redirect can add a 60 KB query), and every declaration carries it.
pub const MAX_SOURCE_CHARS: usize = 2048;

/// `text` cut at `max` chars, ending with `…` when cut.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", text[..at].trim_end()),
        None => text.to_string(),
    }
}

/// What a block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// A heading of level 1 (top) to 6; plain-text headings use 1 and 2.
    Heading(u8),
    /// Body text (a paragraph, list item, table cell, address lines).
    Body,
}

/// One heading or paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Heading or body.
    pub kind: BlockKind,
    /// NFC text, whitespace collapsed within lines; `\n` separates lines kept apart (`<br>`,
    /// address lines), which the sentence splitter treats as boundaries.
    pub text: String,
    /// Heading path; a heading block's path ends with itself. Shared by every block under the
    /// same headings, so 300,000 lines under one heading cost one path, not 300,000 copies.
    pub section: Arc<Section>,
    /// Document it came from (URL or file path), shared by all its blocks.
    pub source: Arc<str>,
}

/// The open headings above a block, outermost first, each cut at [`MAX_SECTION_HEADING_CHARS`].
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Section {
    /// The headings.
    pub headings: Vec<String>,
    /// The headings joined as "Plugins und Tools > Google Fonts".
    pub path: String,
}

impl Block {
    /// Heading path joined as "Plugins und Tools > Google Fonts".
    pub fn section_path(&self) -> &str {
        &self.section.path
    }
}

/// A whole policy (several documents are concatenated in the order given).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyText {
    /// Blocks in document order.
    pub blocks: Vec<Block>,
    /// Why a document was read only in part ("… was cut at 10485760 bytes (--max-body) …"): a
    /// name after the cut is not seen, which the report must say.
    pub cut: Vec<String>,
}

impl PolicyText {
    /// All text, blocks separated by newlines (language detection, tests).
    pub fn plain(&self) -> String {
        let mut out = String::new();
        for b in &self.blocks {
            out.push_str(&b.text);
            out.push('\n');
        }
        out
    }

    /// Append another document's blocks.
    pub fn extend(&mut self, other: PolicyText) {
        self.blocks.extend(other.blocks);
        self.cut.extend(other.cut);
    }

    /// No text at all.
    pub fn is_empty(&self) -> bool {
        self.blocks.iter().all(|b| b.text.trim().is_empty())
    }
}

/// Builds blocks while tracking the heading stack.
#[derive(Debug)]
pub struct TextBuilder {
    source: Arc<str>,
    stack: Vec<(u8, String)>,
    section: Arc<Section>,
    blocks: Vec<Block>,
}

impl TextBuilder {
    /// Start a document.
    pub fn new(source: &str) -> Self {
        TextBuilder {
            source: Arc::from(cut(source, MAX_SOURCE_CHARS)),
            stack: Vec::new(),
            section: Arc::default(),
            blocks: Vec::new(),
        }
    }

    /// A heading of `level` (1 = top): closes headings of the same or a deeper level.
    pub fn heading(&mut self, level: u8, text: &str) {
        let text = normalize(text).replace('\n', " ");
        if text.is_empty() {
            return;
        }
        while self.stack.last().is_some_and(|(l, _)| *l >= level) {
            self.stack.pop();
        }
        let short = cut(&text, MAX_SECTION_HEADING_CHARS);
        self.stack.push((level, short));
        let headings: Vec<String> = self.stack.iter().map(|(_, t)| t.clone()).collect();
        self.section = Arc::new(Section {
            path: headings.join(" > "),
            headings,
        });
        self.blocks.push(Block {
            kind: BlockKind::Heading(level),
            text,
            section: self.section.clone(),
            source: self.source.clone(),
        });
    }

    /// Body text under the current heading.
    pub fn body(&mut self, text: &str) {
        let text = normalize(text);
        if text.is_empty() {
            return;
        }
        self.blocks.push(Block {
            kind: BlockKind::Body,
            text,
            section: self.section.clone(),
            source: self.source.clone(),
        });
    }

    /// The finished document.
    pub fn finish(self) -> PolicyText {
        PolicyText {
            blocks: self.blocks,
            cut: Vec::new(),
        }
    }
}

/// NFC, non-breaking and other spaces collapsed, each line trimmed, empty lines dropped, soft
/// hyphens and zero-width characters removed.
pub fn normalize(text: &str) -> String {
    let nfc: String = text.nfc().collect();
    let mut out = String::with_capacity(nfc.len());
    for line in nfc.split('\n') {
        let mut l = String::with_capacity(line.len());
        for c in line.chars() {
            match c {
                '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' => {}
                c if c.is_whitespace() => {
                    if !l.is_empty() && !l.ends_with(' ') {
                        l.push(' ');
                    }
                }
                c if c.is_control() => {}
                c => l.push(c),
            }
        }
        let l = l.trim_end();
        if !l.is_empty() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(l);
        }
    }
    out
}

/// Abbreviations after which a period does not end a sentence (lowercase, without the period).
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "z.b", "d.h", "u.a", "bzw", "ggf", "ca", "inc", "ltd", "co", "corp", "nr", "no",
    "str", "st", "art", "abs", "dr", "mr", "mrs", "ms", "prof", "usw", "vgl", "etc", "s.a", "b.v",
    "n.v", "s.l", "s.p.a", "e.v", "ag", "gmbh", "mbh", "lit", "ff", "sog", "inkl", "evtl", "bspw",
    "z", "b", "u", "s", "vs", "approx", "dept", "tel", "fax", "lt", "gem", "para", "ref", "eu",
    "us",
];

/// Byte ranges of the sentences of `text`: split at `.!?` followed by a space and an uppercase
/// letter, digit or quote (unless the word before is an abbreviation or a number, as in
/// "Art. 6 Abs. 1" and "Inc., 101 Townsend St."), and at every newline.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let line_end = line_start + line.len();
        let content_end = line_start + line.trim_end_matches('\n').len();
        split_line(text, line_start, content_end, &mut out);
        line_start = line_end;
    }
    out
}

fn split_line(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let line = &text[start..end];
    let bytes = line.as_bytes();
    let mut sent_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if matches!(b, b'.' | b'!' | b'?') && i + 1 < bytes.len() && bytes[i + 1] == b' ' {
            let next = line[i + 2..].chars().next();
            let starts_new = next
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || "\"“„'‚(".contains(c));
            if starts_new && !(b == b'.' && ends_with_abbreviation(&line[sent_start..i])) {
                push_trimmed(text, start + sent_start, start + i + 1, out);
                sent_start = i + 2;
                i += 2;
                continue;
            }
        }
        i += 1;
    }
    push_trimmed(text, start + sent_start, end, out);
}

fn ends_with_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    if word.is_empty() {
        return false;
    }
    if word.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    let lower = word.to_lowercase();
    ABBREVIATIONS.contains(&lower.as_str())
        || (word.chars().count() == 1 && word.chars().all(char::is_alphabetic))
}

fn push_trimmed(text: &str, s: usize, e: usize, out: &mut Vec<(usize, usize)>) {
    let piece = &text[s..e];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if lead + trail < piece.len() {
        out.push((s + lead, e - trail));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(t: &str) -> Vec<&str> {
        sentences(t).into_iter().map(|(s, e)| &t[s..e]).collect()
    }

    #[test]
    fn splits_sentences_but_not_abbreviations() {
        let t = "The provider is Cloudflare Inc., 101 Townsend St., San Francisco. We use it. \
                 Die Nutzung erfolgt auf Grundlage von Art. 6 Abs. 1 lit. f DSGVO. Z. B. Google.";
        assert_eq!(
            split(t),
            vec![
                "The provider is Cloudflare Inc., 101 Townsend St., San Francisco.",
                "We use it.",
                "Die Nutzung erfolgt auf Grundlage von Art. 6 Abs. 1 lit. f DSGVO.",
                "Z. B. Google."
            ]
        );
        assert_eq!(
            split("IIoT-Flow GmbH\nGoebenstr 14"),
            vec!["IIoT-Flow GmbH", "Goebenstr 14"]
        );
    }

    #[test]
    fn builder_keeps_heading_paths() {
        let mut b = TextBuilder::new("p");
        b.heading(2, "Plugins und Tools");
        b.heading(3, "Google  Fonts");
        b.body("Anbieter ist\u{00A0}die Google Ireland Limited.");
        b.heading(3, "Matomo");
        b.heading(2, "Newsletter");
        let t = b.finish();
        assert_eq!(
            t.blocks[2].section_path(),
            "Plugins und Tools > Google Fonts"
        );
        assert_eq!(t.blocks[2].text, "Anbieter ist die Google Ireland Limited.");
        assert_eq!(t.blocks[3].section_path(), "Plugins und Tools > Matomo");
        assert_eq!(t.blocks[4].section_path(), "Newsletter");
    }

    #[test]
    fn normalize_is_nfc_and_collapses_space() {
        assert_eq!(
            normalize("Mu\u{0308}ller \t  GmbH\n\n  x  "),
            "Müller GmbH\nx"
        );
    }
}
