//! Response bodies of the fixture server: stored bytes, or generated ones (30 MB pages, endless
//! calendars, deep nesting, garbage) streamed in pieces so the server never holds them whole.

use super::routes::{Drip, Generate};
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Bytes, Frame};
use std::convert::Infallible;
use std::time::Duration;

/// The body type every fixture response uses.
pub type ResponseBody = http_body_util::combinators::BoxBody<Bytes, Infallible>;

/// Piece size when streaming a big body at full speed.
const CHUNK: usize = 64 * 1024;

/// What to send: whole bytes, or a head followed by a pattern repeated up to `len` bytes.
#[derive(Debug, Clone)]
pub enum Payload {
    /// Bytes held in memory.
    Full(Bytes),
    /// `head`, then `pattern` over and over, cut at exactly `len` bytes in total.
    Repeat {
        /// Sent first.
        head: Bytes,
        /// Repeated after the head (must not be empty).
        pattern: Bytes,
        /// Total length in bytes.
        len: u64,
    },
}

impl Payload {
    /// Total length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Payload::Full(b) => b.len() as u64,
            Payload::Repeat { len, .. } => *len,
        }
    }

    /// Whether there is no byte to send.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// At most `max` bytes starting at `offset` (empty at the end).
    fn piece(&self, offset: u64, max: usize) -> Bytes {
        let remaining = self.len().saturating_sub(offset);
        let want = (max as u64).min(remaining) as usize;
        if want == 0 {
            return Bytes::new();
        }
        match self {
            Payload::Full(b) => b.slice(offset as usize..offset as usize + want),
            Payload::Repeat { head, pattern, .. } => {
                let mut out = Vec::with_capacity(want);
                let mut pos = offset;
                while out.len() < want {
                    let need = want - out.len();
                    if pos < head.len() as u64 {
                        let from = pos as usize;
                        let to = (from + need).min(head.len());
                        out.extend_from_slice(&head[from..to]);
                        pos += (to - from) as u64;
                    } else if pattern.is_empty() {
                        break; // nothing to repeat: the body ends early rather than spin
                    } else {
                        let p = ((pos - head.len() as u64) % pattern.len() as u64) as usize;
                        let to = (p + need).min(pattern.len());
                        out.extend_from_slice(&pattern[p..to]);
                        pos += (to - p) as u64;
                    }
                }
                Bytes::from(out)
            }
        }
    }

    /// The HTTP body: one piece when small and not dripped, else a stream of pieces (each after
    /// `drip.interval_ms` when dripping).
    pub fn into_body(self, drip: Option<Drip>) -> ResponseBody {
        if drip.is_none() && self.len() <= CHUNK as u64 {
            return Full::new(self.piece(0, CHUNK)).boxed();
        }
        let (size, pause) = match drip {
            Some(d) => (d.bytes.max(1), Some(Duration::from_millis(d.interval_ms))),
            None => (CHUNK, None),
        };
        let stream =
            futures_util::stream::unfold((self, 0u64), move |(payload, offset)| async move {
                let piece = payload.piece(offset, size);
                if piece.is_empty() {
                    return None;
                }
                if let Some(p) = pause {
                    tokio::time::sleep(p).await;
                }
                let next = offset + piece.len() as u64;
                Some((Ok::<_, Infallible>(Frame::data(piece)), (payload, next)))
            });
        StreamBody::new(stream).boxed()
    }
}

/// Make the body of a `generate` rule for request `path` (with its query, if any); `None` when
/// the request makes no sense for the generator (a calendar date that does not parse), which the
/// server answers with 404.
pub fn generate(g: &Generate, path_and_query: &str) -> Option<(Payload, &'static str)> {
    const HTML: &str = "text/html; charset=utf-8";
    match g {
        Generate::Filler { bytes } => Some((
            Payload::Repeat {
                head: Bytes::from_static(
                    b"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>A very large page</title></head>\n<body><h1>A very large page</h1>\n",
                ),
                pattern: Bytes::from_static(
                    b"<p>Filler paragraph that makes this page far larger than any crawler should read in full.</p>\n",
                ),
                len: *bytes,
            },
            HTML,
        )),
        Generate::Repeat { text, bytes } if !text.is_empty() => Some((
            Payload::Repeat {
                head: Bytes::new(),
                pattern: Bytes::from(text.clone()),
                len: *bytes,
            },
            "text/plain; charset=utf-8",
        )),
        Generate::Repeat { .. } => None,
        Generate::Garbage { bytes } => Some((
            Payload::Repeat {
                head: Bytes::new(),
                pattern: Bytes::from(garbage_pattern()),
                len: *bytes,
            },
            "application/octet-stream",
        )),
        Generate::Nested { bytes, script } => Some((Payload::Full(nested(*bytes, script.as_deref())), HTML)),
        Generate::Calendar => calendar(path_and_query).map(|b| (Payload::Full(b), HTML)),
        Generate::Sitemap { urls, base } => Some((Payload::Full(sitemap(*urls, base)), "application/xml")),
    }
}

/// 4 KiB of deterministic noise: NULs, invalid UTF-8, control bytes, no useful line structure.
fn garbage_pattern() -> Vec<u8> {
    let mut x: u32 = 0x2545_f491;
    (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

/// About `bytes` bytes of unclosed `<div>`s, with an optional script and a link at the bottom.
fn nested(bytes: u64, script: Option<&str>) -> Bytes {
    let head = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Deeply nested</title></head><body>\n";
    let mut tail = String::new();
    if let Some(src) = script {
        tail.push_str(&format!("<script src=\"{}\"></script>", escape_attr(src)));
    }
    tail.push_str("<a href=\"/after-the-deep-end\">bottom</a>\n");
    let depth = (bytes as usize).saturating_sub(head.len() + tail.len()) / 5;
    let mut out = String::with_capacity(head.len() + depth * 5 + tail.len());
    out.push_str(head);
    for _ in 0..depth {
        out.push_str("<div>");
    }
    out.push_str(&tail);
    Bytes::from(out)
}

/// The page for `/…/YYYY-MM-DD` or `/…?date=YYYY-MM-DD`: one day of an empty events calendar,
/// linking to the next and previous day the same way, forever.
fn calendar(path_and_query: &str) -> Option<Bytes> {
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_and_query, None),
    };
    let (prefix, day) = match query {
        Some(q) => (
            format!("{path}?date="),
            q.split('&').find_map(|kv| kv.strip_prefix("date="))?,
        ),
        None => {
            let (dir, day) = path.rsplit_once('/')?;
            (format!("{dir}/"), day)
        }
    };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(day, &format).ok()?;
    let next = date.next_day()?.format(&format).ok()?;
    let prev = date.previous_day()?.format(&format).ok()?;
    Some(Bytes::from(format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Events on {day}</title></head>\n\
         <body><h1>Events on {day}</h1><p>No events on this day.</p>\n\
         <nav><a href=\"{prefix}{prev}\">Previous day</a> | <a href=\"{prefix}{next}\">Next day</a></nav>\n\
         </body></html>\n"
    )))
}

/// A `<urlset>` with `urls` entries `<base>0`, `<base>1`, ….
fn sitemap(urls: usize, base: &str) -> Bytes {
    let base = escape_attr(base);
    let mut out = String::with_capacity(100 + urls * (base.len() + 30));
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for n in 0..urls {
        out.push_str(&format!("<url><loc>{base}{n}</loc></url>\n"));
    }
    out.push_str("</urlset>\n");
    Bytes::from(out)
}

/// Escape for an attribute value or XML text.
fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(p: &Payload) -> Vec<u8> {
        let mut out = Vec::new();
        let mut off = 0;
        loop {
            let piece = p.piece(off, 7);
            if piece.is_empty() {
                return out;
            }
            off += piece.len() as u64;
            out.extend_from_slice(&piece);
        }
    }

    #[test]
    fn repeat_payload_is_exactly_len_bytes() {
        let p = Payload::Repeat {
            head: Bytes::from_static(b"HEAD"),
            pattern: Bytes::from_static(b"ab"),
            len: 11,
        };
        assert_eq!(collect(&p), b"HEADabababa");
        let (big, _) = generate(
            &Generate::Filler {
                bytes: 30 * 1024 * 1024,
            },
            "/",
        )
        .unwrap();
        assert_eq!(big.len(), 30 * 1024 * 1024);
        assert!(big.piece(0, 20).starts_with(b"<!doctype html>"));
    }

    #[test]
    fn calendar_links_to_the_next_day_forever() {
        let b = calendar("/calendar/2026-12-31").unwrap();
        let s = std::str::from_utf8(&b).unwrap();
        assert!(s.contains("href=\"/calendar/2027-01-01\""), "{s}");
        assert!(s.contains("href=\"/calendar/2026-12-30\""), "{s}");
        assert!(calendar("/calendar/not-a-date").is_none());
        let b = calendar("/events?view=day&date=2026-11-29").unwrap();
        let s = std::str::from_utf8(&b).unwrap();
        assert!(s.contains("href=\"/events?date=2026-11-30\""), "{s}");
        assert!(calendar("/events?view=day").is_none());
    }

    #[test]
    fn nested_and_sitemap_have_the_requested_shape() {
        let b = nested(1024 * 1024, Some("https://deep.test/x.js"));
        assert!(b.len() > 1_000_000 && b.len() <= 1024 * 1024, "{}", b.len());
        assert!(std::str::from_utf8(&b).unwrap().ends_with("bottom</a>\n"));
        let s = sitemap(3, "http://www.site.test/p/");
        let s = std::str::from_utf8(&s).unwrap();
        assert_eq!(s.matches("<loc>").count(), 3);
        assert!(s.contains("<loc>http://www.site.test/p/2</loc>"));
    }

    #[test]
    fn garbage_is_not_utf8() {
        let (g, ct) = generate(&Generate::Garbage { bytes: 10_000 }, "/").unwrap();
        assert_eq!(ct, "application/octet-stream");
        assert!(std::str::from_utf8(&collect(&g)).is_err());
    }
}
