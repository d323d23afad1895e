//! Plain-text policies (`--policy policy.txt`, and the text a PDF yields): one paragraph per line,
//! headings on lines of their own.
//!
//! A line is a heading candidate when it is short (≤ 90 chars, ≤ 12 words), does not end like a
//! sentence (`.`, `,`, `;`, `:`), is not a list item, and holds no e-mail address or URL. Markdown
//! `#` headings are honoured with their level. Without markup the hierarchy is inferred:
//! a heading followed directly by another heading is a group heading (level 1, "Analytics Tools
//! and Advertising"), other headings are level 2 below the last group heading ("IONOS
//! WebAnalytics"). Two or more short lines right after a line ending in `:` are an address or a list
//! ("The party responsible … is:" / "IIoT-Flow GmbH" / "Goebenstr 14"), not headings.

use crate::policy::text::{PolicyText, TextBuilder};

const MAX_HEADING_CHARS: usize = 90;
const MAX_HEADING_WORDS: usize = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    Markdown(u8),
    Candidate,
    Body,
}

fn classify(line: &str) -> Line {
    let t = line.trim();
    if let Some(rest) = t.strip_prefix('#') {
        let level = 1 + rest.chars().take_while(|&c| c == '#').count();
        if level <= 6 && rest.trim_start_matches('#').starts_with(' ') {
            return Line::Markdown(level as u8);
        }
    }
    let words = t.split_whitespace().count();
    let is_candidate = !t.is_empty()
        && t.chars().count() <= MAX_HEADING_CHARS
        && words <= MAX_HEADING_WORDS
        && !t.ends_with(['.', ',', ';', ':'])
        && !t.starts_with(['-', '•', '*', '–', '·', '(', '"', '“', '„'])
        && !t.contains('@')
        && !t.contains("://")
        && !t.contains("www.")
        && t.chars().any(char::is_alphabetic)
        && t.chars().next().is_some_and(|c| c.is_alphanumeric())
        && !is_label_value(t);
    if is_candidate {
        Line::Candidate
    } else {
        Line::Body
    }
}

/// "Stand: Januar 2026", "Telefon: +49 201 1234": a one- or two-word label, a colon, and a value
/// with a digit is a data line (date, phone, register number), never a heading.
fn is_label_value(t: &str) -> bool {
    match t.split_once(": ") {
        Some((label, value)) => {
            label.split_whitespace().count() <= 2 && value.chars().any(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// Parse plain text into blocks. `source` names the document in declarations.
pub fn parse_plain(text: &str, source: &str) -> PolicyText {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let kinds: Vec<Line> = lines.iter().map(|l| classify(l)).collect();
    let has_markdown = kinds.iter().any(|k| matches!(k, Line::Markdown(_)));

    // Runs of ≥2 candidates right after a line ending in ':' are address or list lines.
    let mut is_body = vec![false; lines.len()];
    for i in 0..lines.len() {
        if lines[i].ends_with(':') {
            let run = kinds[i + 1..]
                .iter()
                .take_while(|k| **k == Line::Candidate)
                .count();
            if run >= 2 {
                is_body[i + 1..i + 1 + run].fill(true);
            }
        }
    }

    let mut b = TextBuilder::new(source);
    let mut body = String::new();
    let flush = |b: &mut TextBuilder, body: &mut String| {
        if !body.is_empty() {
            b.body(body);
            body.clear();
        }
    };
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        match kinds[i] {
            Line::Markdown(level) => {
                flush(&mut b, &mut body);
                b.heading(level, line.trim_start_matches('#').trim());
            }
            Line::Candidate if !is_body[i] && !has_markdown => {
                flush(&mut b, &mut body);
                let next_is_heading = matches!(kinds.get(i + 1), Some(Line::Candidate))
                    && !is_body.get(i + 1).copied().unwrap_or(true);
                let level = if next_is_heading { 1 } else { 2 };
                b.heading(level, line);
            }
            _ => {
                // Address and list lines stay together in one block, one per line; paragraphs
                // are blocks of their own.
                let joins = is_body[i] || line.starts_with(['-', '•', '*', '–', '·']);
                if !joins {
                    flush(&mut b, &mut body);
                }
                if !body.is_empty() {
                    body.push('\n');
                }
                body.push_str(line);
                if !joins && !lines[i].ends_with(':') {
                    flush(&mut b, &mut body);
                }
            }
        }
        i += 1;
    }
    flush(&mut b, &mut body);
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::text::BlockKind;

    #[test]
    fn infers_headings_groups_and_address_blocks() {
        let t = "Analytics Tools and Advertising\nMatomo\nWe use Matomo. It is self-hosted.\n\
                 Notice on the Responsible Party\nThe party responsible is:\nMuster GmbH\nHauptstr. 1\n\
                 12345 Berlin\nThe responsible party decides.\nStorage\nText.";
        let p = parse_plain(t, "x.txt");
        let headings: Vec<(String, String)> = p
            .blocks
            .iter()
            .filter(|b| matches!(b.kind, BlockKind::Heading(_)))
            .map(|b| (b.text.clone(), b.section_path().to_string()))
            .collect();
        assert_eq!(
            headings,
            vec![
                (
                    "Analytics Tools and Advertising".into(),
                    "Analytics Tools and Advertising".into()
                ),
                (
                    "Matomo".into(),
                    "Analytics Tools and Advertising > Matomo".into()
                ),
                (
                    "Notice on the Responsible Party".into(),
                    "Analytics Tools and Advertising > Notice on the Responsible Party".into()
                ),
                (
                    "Storage".into(),
                    "Analytics Tools and Advertising > Storage".into()
                ),
            ]
        );
        let address = p
            .blocks
            .iter()
            .find(|b| b.text.contains("Muster GmbH"))
            .unwrap();
        assert_eq!(
            address.text,
            "The party responsible is:\nMuster GmbH\nHauptstr. 1\n12345 Berlin"
        );
    }

    #[test]
    fn markdown_headings_set_levels() {
        let p = parse_plain(
            "# Datenschutz\n## Hosting\nWir hosten bei X.\n## Google Fonts\nText.",
            "f",
        );
        assert_eq!(p.blocks[2].section_path(), "Datenschutz > Hosting");
        assert_eq!(p.blocks[3].section_path(), "Datenschutz > Google Fonts");
    }

    #[test]
    fn label_value_lines_are_not_headings() {
        assert_eq!(classify("Stand: Januar 2026"), Line::Body);
        assert_eq!(classify("Telefon: +49 201 1234567"), Line::Body);
        assert_eq!(classify("Google Analytics"), Line::Candidate);
        assert_eq!(classify("Hosting: IONOS"), Line::Candidate);
    }

    #[test]
    fn sentences_and_list_items_are_not_headings() {
        let p = parse_plain("Intro line.\n- Your IP address\n- Browser type", "f");
        assert!(p.blocks.iter().all(|b| b.kind == BlockKind::Body));
    }
}
