//! Linear-time HTML text extraction with lol_html, for documents too large or too deep for a DOM.
//! Keeps h1–h6 as headings and drops the same elements and banners as the DOM path; without a DOM
//! there is no main-content choice and no banner size guard.

use crate::policy::html::{BLOCKS, SKIP};
use crate::policy::lexicon::Lexicon;
use crate::policy::text::{PolicyText, TextBuilder};
use lol_html::html_content::Element;
use lol_html::{doc_text, element, end_tag, RewriteStrSettings};
use std::cell::RefCell;
use std::rc::Rc;

struct State {
    b: TextBuilder,
    buf: String,
    skip: usize,
    heading: Option<(u8, String)>,
}

impl State {
    fn flush(&mut self) {
        if !self.buf.trim().is_empty() {
            let text = std::mem::take(&mut self.buf);
            self.b.body(&text);
        }
        self.buf.clear();
    }
}

/// Extract text by streaming. Errors of the rewriter end the pass; what was read so far is kept.
pub(crate) fn parse_stream(html: &str, source: &str) -> PolicyText {
    let st = Rc::new(RefCell::new(State {
        b: TextBuilder::new(source),
        buf: String::new(),
        skip: 0,
        heading: None,
    }));
    let mut noise = String::new();
    for m in &Lexicon::get().noise_markers {
        let m = m.replace('"', "");
        if !noise.is_empty() {
            noise.push_str(", ");
        }
        noise.push_str(&format!("[id*=\"{m}\"], [class*=\"{m}\"]"));
    }
    let skip_sel = format!("{}, header, footer, {noise}", SKIP.join(", "));
    let block_sel = BLOCKS.join(", ");

    let (s1, s2, s3, s4) = (st.clone(), st.clone(), st.clone(), st.clone());
    let handlers = vec![
        element!(skip_sel.as_str(), move |el: &mut Element| {
            s1.borrow_mut().skip += 1;
            let s = s1.clone();
            if el
                .on_end_tag(end_tag!(move |_| {
                    let mut st = s.borrow_mut();
                    st.skip = st.skip.saturating_sub(1);
                    Ok(())
                }))
                .is_err()
            {
                // Void element: nothing inside to skip.
                s1.borrow_mut().skip -= 1;
            }
            Ok(())
        }),
        element!("h1, h2, h3, h4, h5, h6", move |el: &mut Element| {
            let level = el.tag_name().as_bytes().get(1).map_or(6, |d| d - b'0');
            {
                let mut st = s2.borrow_mut();
                if st.skip > 0 {
                    return Ok(());
                }
                st.flush();
                st.heading = Some((level, String::new()));
            }
            let s = s2.clone();
            let _ = el.on_end_tag(end_tag!(move |_| {
                let mut st = s.borrow_mut();
                if let Some((level, text)) = st.heading.take() {
                    st.b.heading(level, &text);
                }
                Ok(())
            }));
            Ok(())
        }),
        element!(block_sel.as_str(), move |el: &mut Element| {
            s3.borrow_mut().flush();
            let s = s3.clone();
            let _ = el.on_end_tag(end_tag!(move |_| {
                s.borrow_mut().flush();
                Ok(())
            }));
            Ok(())
        }),
        element!("br", move |_el: &mut Element| {
            let mut st = s4.borrow_mut();
            match st.heading.as_mut() {
                Some((_, t)) => t.push(' '),
                None => st.buf.push('\n'),
            }
            Ok(())
        }),
    ];
    let s5 = st.clone();
    let settings = RewriteStrSettings {
        element_content_handlers: handlers,
        document_content_handlers: vec![doc_text!(move |t| {
            let mut st = s5.borrow_mut();
            if st.skip == 0 {
                let chunk = t.as_str().replace(['\n', '\r', '\t'], " ");
                match st.heading.as_mut() {
                    Some((_, h)) => h.push_str(&chunk),
                    None => st.buf.push_str(&chunk),
                }
            }
            Ok(())
        })],
        ..RewriteStrSettings::new()
    };
    let _ = lol_html::rewrite_str(html, settings);
    let state = Rc::try_unwrap(st).ok().map(RefCell::into_inner);
    match state {
        Some(mut s) => {
            s.flush();
            s.b.finish()
        }
        None => PolicyText::default(),
    }
}
