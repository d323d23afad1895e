//! URL normalisation and trap defence for the crawl frontier.
//!
//! The `url` crate already lowercases scheme and host, drops default ports and resolves `..`;
//! here fragments and session ids go, and URLs that look like traps (endless calendars,
//! ever-growing paths or query strings) are refused with a reason that is recorded once.

use super::scope::Scope;
use crate::model::{ErrorKind, ScanError};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use url::Url;

/// Longer URLs are almost always generated (query strings that grow with every click).
pub const MAX_URL_LEN: usize = 2048;
/// Deeper paths are almost always relative-link loops (`a/b/a/b/…`).
pub const MAX_PATH_SEGMENTS: usize = 32;
/// A path segment seen this many times in one path marks a loop.
pub const MAX_SEGMENT_REPEATS: usize = 3;
/// Distinct query strings crawled per path: calendars and faceted search are endless.
pub const MAX_QUERY_VARIANTS: usize = 50;

/// Query parameters that carry a session id: they make every visit's URLs new.
const SESSION_PARAMS: &[&str] = &[
    "sid",
    "jsessionid",
    "phpsessid",
    "sessionid",
    "session_id",
    "sessid",
    "cfid",
    "cftoken",
    "zenid",
    "oscsid",
];

/// Why a URL was refused as a probable trap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trap {
    /// Longer than [`MAX_URL_LEN`].
    TooLong,
    /// More than [`MAX_PATH_SEGMENTS`] path segments.
    TooDeep,
    /// A path segment repeats more than [`MAX_SEGMENT_REPEATS`] times.
    RepeatedSegments,
    /// More than [`MAX_QUERY_VARIANTS`] query strings for one path.
    QueryVariants,
}

impl Trap {
    /// Human description for the report.
    pub fn describe(&self) -> String {
        match self {
            Trap::TooLong => format!("URL longer than {MAX_URL_LEN} characters: not crawled (probable trap)"),
            Trap::TooDeep => format!("path deeper than {MAX_PATH_SEGMENTS} segments: not crawled (probable trap)"),
            Trap::RepeatedSegments => "path repeats a segment: not crawled (probable relative-link loop)".into(),
            Trap::QueryVariants => format!(
                "more than {MAX_QUERY_VARIANTS} query variants of this path (calendar or faceted search?): the rest are not crawled"
            ),
        }
    }
}

fn is_session_param(name: &str) -> bool {
    SESSION_PARAMS.iter().any(|p| name.eq_ignore_ascii_case(p))
        // ASP.NET appends the application id: `ASPSESSIONIDQQTDRSAS`. Bytes, so a name that is
        // not ASCII at byte 12 cannot panic the slice.
        || name.len() > 12 && name.as_bytes()[..12].eq_ignore_ascii_case(b"aspsessionid")
}

/// Normalise `url` in place (fragment, session ids, `;jsessionid=` path parameters, empty query).
pub fn normalize(url: &mut Url) {
    url.set_fragment(None);
    if let Some(q) = url.query() {
        if q.is_empty() {
            url.set_query(None);
        } else if q
            .split('&')
            .any(|kv| is_session_param(kv.split('=').next().unwrap_or("")))
        {
            let kept: Vec<&str> = q
                .split('&')
                .filter(|kv| {
                    !kv.is_empty() && !is_session_param(kv.split('=').next().unwrap_or(""))
                })
                .collect();
            let kept = kept.join("&");
            url.set_query(if kept.is_empty() { None } else { Some(&kept) });
        }
    }
    let path = url.path();
    if !path.contains(';') {
        return;
    }
    if let Some(pos) = path.to_ascii_lowercase().find(";jsessionid=") {
        let rest = &path[pos + 1..];
        let end = rest.find('/').map(|e| pos + 1 + e);
        let new_path = match end {
            Some(e) => format!("{}{}", &path[..pos], &path[e..]),
            None => path[..pos].to_string(),
        };
        url.set_path(&new_path);
    }
}

/// A trap that shows in the URL itself (length, depth, repeated segments).
pub fn url_trap(url: &Url) -> Option<Trap> {
    if url.as_str().len() > MAX_URL_LEN {
        return Some(Trap::TooLong);
    }
    let segs: Vec<&str> = url.path().split('/').filter(|s| !s.is_empty()).collect();
    if segs.len() > MAX_PATH_SEGMENTS {
        return Some(Trap::TooDeep);
    }
    if segs.len() > MAX_SEGMENT_REPEATS {
        for (i, s) in segs.iter().enumerate() {
            if segs[i..].iter().filter(|t| *t == s).count() > MAX_SEGMENT_REPEATS {
                return Some(Trap::RepeatedSegments);
            }
        }
    }
    None
}

/// Counts distinct query strings per path (scheme, host, port and path), and distinct dates per
/// date-shaped path template (`/calendar/2026-11-29` → `/calendar/<date>`), to cap calendars:
/// an endless "next day" link is the classic crawler trap, in the query or in the path.
#[derive(Debug, Default)]
pub struct QueryVariants {
    per_path: HashMap<String, usize>,
}

/// The URL up to its path with date-like parts (`2026-11-29`, `2026/11/29`, `2026-11`) replaced,
/// or None when the path has no date in it.
fn date_template(url: &Url) -> Option<String> {
    static DATE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = DATE.get_or_init(|| {
        regex::Regex::new(r"\b(19|20)\d{2}[-/_.]?(0[1-9]|1[0-2])([-/_.]?(0[1-9]|[12]\d|3[01]))?\b")
            .expect("valid regex")
    });
    let path = url.path();
    if !re.is_match(path) {
        return None;
    }
    let end = url
        .as_str()
        .find(path)
        .map(|i| i + path.len())
        .unwrap_or(url.as_str().len());
    let prefix = &url.as_str()[..end - path.len()];
    Some(format!("{prefix}{}", re.replace_all(path, "<date>")))
}

impl QueryVariants {
    /// Register a URL not seen before. `Err(first)` when the path is over its cap, `first` true
    /// the first time that happens for the path (so the trap is recorded once).
    pub fn admit(&mut self, url: &Url) -> Result<(), bool> {
        if url.query().is_none() {
            let Some(template) = date_template(url) else {
                return Ok(());
            };
            let n = self.per_path.entry(template).or_insert(0);
            *n += 1;
            return if *n > MAX_QUERY_VARIANTS {
                Err(*n == MAX_QUERY_VARIANTS + 1)
            } else {
                Ok(())
            };
        }
        let key = &url.as_str()[..url.as_str().find('?').unwrap_or(url.as_str().len())];
        let n = match self.per_path.get_mut(key) {
            Some(n) => n,
            None => self.per_path.entry(key.to_string()).or_insert(0),
        };
        *n += 1;
        if *n > MAX_QUERY_VARIANTS {
            Err(*n == MAX_QUERY_VARIANTS + 1)
        } else {
            Ok(())
        }
    }
}

/// URLs waiting in the frontier at most; links beyond are dropped (and that is recorded once).
pub const MAX_FRONTIER: usize = 100_000;

/// A URL waiting in the frontier, with its discovery index (the order pages are released in).
#[derive(Debug, Clone)]
pub struct Queued {
    /// Discovery index: 0 is the start page.
    pub idx: usize,
    /// Normalised, in scope, not a trap.
    pub url: Url,
    /// Links from the start page.
    pub depth: usize,
}

/// The crawl frontier both modes take their URLs from: scope and `--include`/`--exclude`,
/// normalisation, trap rules, `--max-depth`, breadth-first discovery order, and the notes the
/// report carries about what was left out (trap paths, robots.txt refusals, a full frontier).
///
/// Why one type for both crawlers: a rule added here holds in static and browser mode alike, and
/// a static and a browser report of the same site list the same pages and the same skips.
pub struct Frontier {
    scope: std::sync::Arc<Scope>,
    max_depth: Option<usize>,
    seen: HashSet<String>,
    variants: QueryVariants,
    trap_paths: HashSet<String>,
    queue: VecDeque<Queued>,
    next_idx: usize,
    disallowed: BTreeMap<String, usize>,
    full: bool,
}

impl Frontier {
    /// A frontier whose page 0 is `start` (already normalised), taken by the caller.
    pub fn new(scope: std::sync::Arc<Scope>, max_depth: Option<usize>, start: &Url) -> Self {
        Frontier {
            scope,
            max_depth,
            seen: HashSet::from([start.to_string()]),
            variants: QueryVariants::default(),
            trap_paths: HashSet::new(),
            queue: VecDeque::new(),
            next_idx: 1,
            disallowed: BTreeMap::new(),
            full: false,
        }
    }

    /// The scope links are judged by.
    pub fn scope(&self) -> &std::sync::Arc<Scope> {
        &self.scope
    }

    /// URLs waiting.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Nothing waits.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// The next URL in discovery order.
    pub fn pop(&mut self) -> Option<Queued> {
        self.queue.pop_front()
    }

    /// A URL already crawled under another name (a redirect target): never queue it.
    pub fn mark_seen(&mut self, url: &Url) {
        let mut u = url.clone();
        normalize(&mut u);
        self.seen.insert(u.to_string());
    }

    /// Links found on a page at `depth` (static extraction or the rendered DOM alike): each is
    /// normalised, judged by scope and trap rules, and queued at `depth + 1` unless that is
    /// beyond `--max-depth`.
    pub fn offer_links<I: IntoIterator<Item = Url>>(
        &mut self,
        links: I,
        depth: usize,
        errors: &mut Vec<ScanError>,
    ) {
        let next = depth + 1;
        if self.max_depth.is_some_and(|m| next > m) {
            return;
        }
        for l in links {
            self.offer(l, next, errors);
        }
    }

    /// URLs from the sitemap: they join the start page's links at depth 1.
    pub fn offer_sitemap(&mut self, urls: Vec<Url>, errors: &mut Vec<ScanError>) {
        for u in urls {
            self.offer(u, 1, errors);
        }
    }

    fn offer(&mut self, mut url: Url, depth: usize, errors: &mut Vec<ScanError>) {
        if !matches!(url.scheme(), "http" | "https") {
            return;
        }
        normalize(&mut url);
        if !self.scope.allows(&url) {
            return;
        }
        if let Some(t) = url_trap(&url) {
            self.record_trap(&url, &t, errors);
            return;
        }
        if self.seen.contains(url.as_str()) {
            return;
        }
        if self.queue.len() >= MAX_FRONTIER {
            if !self.full {
                self.full = true;
                errors.push(ScanError {
                    url: url.to_string(),
                    kind: ErrorKind::Trap,
                    message: format!("more than {MAX_FRONTIER} URLs wait in the frontier: further links are dropped"),
                });
            }
            return;
        }
        self.seen.insert(url.to_string());
        if let Err(first) = self.variants.admit(&url) {
            if first {
                self.record_trap(&url, &Trap::QueryVariants, errors);
            }
            return;
        }
        self.queue.push_back(Queued {
            idx: self.next_idx,
            url,
            depth,
        });
        self.next_idx += 1;
    }

    /// One `trap` error per path.
    pub fn record_trap(&mut self, url: &Url, trap: &Trap, errors: &mut Vec<ScanError>) {
        let s = url.as_str();
        let path = &s[..s.find('?').unwrap_or(s.len())];
        if self.trap_paths.insert(path.to_string()) {
            errors.push(ScanError {
                url: path.to_string(),
                kind: ErrorKind::Trap,
                message: trap.describe(),
            });
        }
    }

    /// robots.txt refused `url`: not crawled, counted for the per-origin summary.
    pub fn disallowed(&mut self, url: &Url) {
        let origin = url.origin().ascii_serialization();
        *self.disallowed.entry(origin).or_insert(0) += 1;
    }

    /// The per-origin robots.txt summaries (one `robots` error per origin that refused URLs).
    pub fn finish(self) -> Vec<ScanError> {
        self.disallowed
            .into_iter()
            .map(|(origin, n)| ScanError {
                url: format!("{origin}/robots.txt"),
                kind: ErrorKind::Robots,
                message: format!("robots.txt disallows {n} URL(s) that were not fetched (use --ignore-robots to scan them)"),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_calendars_are_capped_by_date_template() {
        let mut qv = QueryVariants::default();
        let day = |d: usize| {
            Url::parse(&format!(
                "https://s.test/calendar/2026-{:02}-{:02}",
                1 + d / 28,
                1 + d % 28
            ))
            .unwrap()
        };
        for d in 0..MAX_QUERY_VARIANTS {
            assert!(qv.admit(&day(d)).is_ok());
        }
        assert_eq!(qv.admit(&day(MAX_QUERY_VARIANTS)), Err(true));
        assert_eq!(qv.admit(&day(MAX_QUERY_VARIANTS + 1)), Err(false));
        // Numbered product pages are not dates and are never capped.
        for i in 0..500 {
            assert!(qv
                .admit(&Url::parse(&format!("https://s.test/p/{i}.html")).unwrap())
                .is_ok());
        }
    }

    fn norm(s: &str) -> String {
        let mut u = Url::parse(s).unwrap();
        normalize(&mut u);
        u.to_string()
    }

    #[test]
    fn normalises() {
        assert_eq!(
            norm("HTTP://WWW.Site.TEST:80/a/../b?#frag"),
            "http://www.site.test/b"
        );
        assert_eq!(
            norm("https://s.test/p?b=2&PHPSESSID=abc&a=1"),
            "https://s.test/p?b=2&a=1"
        );
        assert_eq!(
            norm("https://s.test/p;jsessionid=XYZ?x=1"),
            "https://s.test/p?x=1"
        );
        assert_eq!(norm("https://s.test/p?sid=1"), "https://s.test/p");
    }

    #[test]
    fn traps() {
        let u = Url::parse("https://s.test/a/b/a/b/a/b/a/b/").unwrap();
        assert_eq!(url_trap(&u), Some(Trap::RepeatedSegments));
        let long = Url::parse(&format!("https://s.test/?q={}", "x".repeat(3000))).unwrap();
        assert_eq!(url_trap(&long), Some(Trap::TooLong));
        assert_eq!(url_trap(&Url::parse("https://s.test/a/b/c").unwrap()), None);
        let mut qv = QueryVariants::default();
        for i in 0..MAX_QUERY_VARIANTS {
            let u = Url::parse(&format!("https://s.test/cal?d={i}")).unwrap();
            assert!(qv.admit(&u).is_ok());
        }
        assert_eq!(
            qv.admit(&Url::parse("https://s.test/cal?d=x").unwrap()),
            Err(true)
        );
        assert_eq!(
            qv.admit(&Url::parse("https://s.test/cal?d=y").unwrap()),
            Err(false)
        );
    }
}
