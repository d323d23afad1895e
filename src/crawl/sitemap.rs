//! sitemap.xml (and `Sitemap:` lines of robots.txt): extra start points at depth 1.
//!
//! Bounded on purpose: each sitemap is read up to [`MAX_SITEMAP_BYTES`] (compressed or not),
//! an index is followed one level and to at most [`MAX_CHILD_SITEMAPS`] children, and at most
//! `limit` URLs are kept. Entries outside the site are ignored and counted in one error each.

use super::fetch::Fetcher;
use super::scope::Scope;
use crate::model::ErrorKind;
use crate::model::ScanError;
use quick_xml::events::Event;
use std::io::Read;
use std::time::Duration;
use url::Url;

/// Bytes read per sitemap (the protocol allows 50 MB; 10 MB holds ~100,000 entries).
pub const MAX_SITEMAP_BYTES: u64 = 10 * 1024 * 1024;
/// Child sitemaps of an index that are read.
pub const MAX_CHILD_SITEMAPS: usize = 20;

/// What one sitemap document holds.
#[derive(Debug, Default, PartialEq)]
pub struct SitemapDoc {
    /// `<sitemapindex>` rather than `<urlset>`.
    pub is_index: bool,
    /// `<loc>` values in document order.
    pub locs: Vec<String>,
    /// Parse problem, if the XML broke off.
    pub error: Option<String>,
}

/// Parse sitemap XML, keeping at most `limit` locations.
pub fn parse_sitemap(xml: &[u8], limit: usize) -> SitemapDoc {
    let mut doc = SitemapDoc::default();
    let mut reader = quick_xml::Reader::from_reader(xml);
    reader.config_mut().trim_text(true);
    let mut in_loc = false;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                b"sitemapindex" => doc.is_index = true,
                b"loc" => in_loc = true,
                _ => {}
            },
            Ok(Event::End(e)) if e.local_name().as_ref() == b"loc" => in_loc = false,
            Ok(Event::Text(t)) if in_loc => {
                if let Ok(s) = t.unescape() {
                    doc.locs.push(s.trim().to_string());
                }
            }
            Ok(Event::CData(t)) if in_loc => {
                doc.locs
                    .push(String::from_utf8_lossy(&t).trim().to_string());
            }
            Ok(Event::Eof) => break,
            Err(e) => {
                doc.error = Some(format!(
                    "invalid XML at byte {}: {e}",
                    reader.buffer_position()
                ));
                break;
            }
            _ => {}
        }
        if doc.locs.len() >= limit {
            break;
        }
        buf.clear();
    }
    doc
}

/// Sitemaps read at once (each is bounded by `--timeout` and [`MAX_SITEMAP_BYTES`]).
pub const SITEMAP_CONCURRENCY: usize = 8;
/// `Sitemap:` lines of robots.txt that are read (a robots.txt may list hundreds).
pub const MAX_LISTED_SITEMAPS: usize = 20;

/// Sitemap URLs for the site: `Sitemap:` lines of robots.txt, else `/sitemap.xml` of the start
/// origin. Returns page URLs in sitemap order (unfiltered by include/exclude; the crawler filters).
///
/// Sitemaps are fetched [`SITEMAP_CONCURRENCY`] at a time, but used in the order robots.txt
/// lists them (the result does not depend on which answered first). The whole phase ends at
/// `deadline`: sitemaps not read by then are skipped, and one error says how many.
pub async fn discover(
    fetcher: &Fetcher,
    start: &Url,
    robots_sitemaps: &[String],
    scope: &Scope,
    limit: usize,
    deadline: Duration,
    errors: &mut Vec<ScanError>,
) -> Vec<Url> {
    let deadline = tokio::time::Instant::now() + deadline;
    let mut roots: Vec<(Url, bool)> = Vec::new();
    for s in robots_sitemaps {
        if let Ok(u) = Url::parse(s) {
            if !roots.iter().any(|(r, _)| *r == u) {
                roots.push((u, true));
            }
        }
    }
    if roots.len() > MAX_LISTED_SITEMAPS {
        errors.push(ScanError {
            url: start.to_string(),
            kind: ErrorKind::Sitemap,
            message: format!(
                "robots.txt lists {} sitemaps: only the first {MAX_LISTED_SITEMAPS} were read",
                roots.len()
            ),
        });
        roots.truncate(MAX_LISTED_SITEMAPS);
    }
    if roots.is_empty() {
        if let Ok(u) = start.join("/sitemap.xml") {
            roots.push((u, false));
        }
    }
    let mut pages = Vec::new();
    let mut children = Vec::new();
    for doc in read_all(fetcher, roots, scope, limit, deadline, start, errors).await {
        let (url, doc) = doc;
        if doc.is_index {
            children.extend(doc.locs);
        } else {
            keep(&url, doc.locs, scope, limit, &mut pages, errors);
        }
    }
    if children.len() > MAX_CHILD_SITEMAPS {
        errors.push(ScanError {
            url: start.to_string(),
            kind: ErrorKind::Sitemap,
            message: format!(
                "the sitemap index lists {} sitemaps: only the first {MAX_CHILD_SITEMAPS} were read",
                children.len()
            ),
        });
        children.truncate(MAX_CHILD_SITEMAPS);
    }
    if pages.len() >= limit {
        return pages;
    }
    let children: Vec<(Url, bool)> = children
        .iter()
        .filter_map(|c| Url::parse(c).ok())
        .map(|u| (u, true))
        .collect();
    for (url, doc) in read_all(fetcher, children, scope, limit, deadline, start, errors).await {
        if pages.len() >= limit {
            break;
        }
        // One level only: an index inside an index is ignored.
        if !doc.is_index {
            keep(&url, doc.locs, scope, limit, &mut pages, errors);
        }
    }
    pages
}

/// Read `sitemaps` concurrently, returning the readable ones in the given order; stop at
/// `deadline` (one error names how many were not read).
async fn read_all(
    fetcher: &Fetcher,
    sitemaps: Vec<(Url, bool)>,
    scope: &Scope,
    limit: usize,
    deadline: tokio::time::Instant,
    start: &Url,
    errors: &mut Vec<ScanError>,
) -> Vec<(Url, SitemapDoc)> {
    use futures_util::stream::{self, StreamExt};
    let total = sitemaps.len();
    let mut docs = stream::iter(sitemaps)
        .map(|(url, listed)| async move {
            let mut errs = Vec::new();
            let doc = read(fetcher, &url, scope, listed, limit, &mut errs).await;
            (url, doc, errs)
        })
        .buffered(SITEMAP_CONCURRENCY);
    let mut out = Vec::new();
    let mut done = 0usize;
    loop {
        match tokio::time::timeout_at(deadline, docs.next()).await {
            Ok(Some((url, doc, errs))) => {
                done += 1;
                errors.extend(errs);
                if let Some(d) = doc {
                    out.push((url, d));
                }
            }
            Ok(None) => break,
            Err(_) => {
                errors.push(ScanError {
                    url: start.to_string(),
                    kind: ErrorKind::Sitemap,
                    message: format!(
                        "{} sitemap(s) not read: reading sitemaps took longer than the phase's deadline (raise --timeout to wait longer)",
                        total - done
                    ),
                });
                break;
            }
        }
    }
    out
}

fn keep(
    sitemap: &Url,
    locs: Vec<String>,
    scope: &Scope,
    limit: usize,
    pages: &mut Vec<Url>,
    errors: &mut Vec<ScanError>,
) {
    let mut off_site = 0usize;
    for loc in locs {
        match sitemap.join(&loc) {
            Ok(u) if u.host_str().is_some_and(|h| scope.host_in_scope(h)) => {
                if pages.len() < limit {
                    pages.push(u);
                }
            }
            _ => off_site += 1,
        }
    }
    if off_site > 0 {
        errors.push(ScanError {
            url: sitemap.to_string(),
            kind: ErrorKind::Sitemap,
            message: format!(
                "{off_site} entries point outside the site (or are not URLs): ignored"
            ),
        });
    }
}

/// Fetch and parse one sitemap; `listed` sitemaps report a missing file, the guessed
/// `/sitemap.xml` does not.
async fn read(
    fetcher: &Fetcher,
    url: &Url,
    scope: &Scope,
    listed: bool,
    limit: usize,
    errors: &mut Vec<ScanError>,
) -> Option<SitemapDoc> {
    let mut err = |message: String| {
        errors.push(ScanError {
            url: url.to_string(),
            kind: ErrorKind::Sitemap,
            message,
        })
    };
    if !url.host_str().is_some_and(|h| scope.host_in_scope(h)) {
        err("sitemap is outside the site: not read".into());
        return None;
    }
    let f = match fetcher.fetch(url, None, MAX_SITEMAP_BYTES).await {
        Ok(f) => f,
        Err(e) => {
            if listed {
                err(format!("sitemap could not be fetched: {}", e.error));
            }
            return None;
        }
    };
    if !(200..300).contains(&f.status) {
        if listed {
            err(format!("sitemap answered HTTP {}", f.status));
        }
        return None;
    }
    if f.truncated {
        err(format!(
            "sitemap larger than {MAX_SITEMAP_BYTES} bytes: only the first part was read"
        ));
    }
    let body = if f.body.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        let dec = flate2::read::GzDecoder::new(&f.body[..]);
        match dec.take(MAX_SITEMAP_BYTES + 1).read_to_end(&mut out) {
            Ok(_) if out.len() as u64 > MAX_SITEMAP_BYTES => {
                out.truncate(MAX_SITEMAP_BYTES as usize);
                err(format!("gzipped sitemap expands beyond {MAX_SITEMAP_BYTES} bytes: only the first part was read"));
            }
            Ok(_) => {}
            Err(e) => err(format!("gzipped sitemap could not be decompressed: {e}")),
        }
        out
    } else {
        f.body
    };
    let doc = parse_sitemap(&body, limit);
    if let Some(e) = &doc.error {
        err(format!(
            "sitemap is not valid XML ({e}); entries before the error were used"
        ));
    }
    Some(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urlset_and_index() {
        let xml = br#"<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <url><loc> https://s.test/a </loc></url><url><loc><![CDATA[https://s.test/b]]></loc></url>
            <url><loc>https://s.test/c?x=1&amp;y=2</loc></url></urlset>"#;
        let d = parse_sitemap(xml, 100);
        assert!(!d.is_index);
        assert_eq!(
            d.locs,
            [
                "https://s.test/a",
                "https://s.test/b",
                "https://s.test/c?x=1&y=2"
            ]
        );
        let idx = parse_sitemap(
            b"<sitemapindex><sitemap><loc>https://s.test/s1.xml</loc></sitemap></sitemapindex>",
            10,
        );
        assert!(idx.is_index);
        assert_eq!(parse_sitemap(xml, 2).locs.len(), 2);
        let bad = parse_sitemap(
            b"<urlset><url><loc>https://s.test/a</loc></url><url><loc>x</lo",
            10,
        );
        assert_eq!(bad.locs, ["https://s.test/a", "x"]);
    }
}
