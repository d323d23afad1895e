//! Turning what the browser saw into the shared observation model ([`PageRecord`]), so browser
//! and static scans are reconciled and reported by the same code.

use super::visit::{Dom, Visit};
use crate::domain::{is_web_url, FirstParty};
use crate::model::{Cookie, Page, ScanError, StorageEntry};
use crate::model::{ErrorKind, Party, SetBy};
use crate::observe::cookies::parse_set_cookie;
use crate::observe::policy_link::looks_like_policy;
use crate::observe::{
    PageExtract, PageRecord, PolicyLink, Reference, ResourceType, ScriptRef, SetCookieHeader,
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use url::Url;

/// Map a CDP resource type to ours.
pub fn resource_type(cdp_type: &str, in_subframe: bool) -> ResourceType {
    match cdp_type {
        "Script" => ResourceType::Script,
        "Image" => ResourceType::Image,
        "Stylesheet" => ResourceType::Stylesheet,
        "Font" => ResourceType::Font,
        "Media" => ResourceType::Media,
        "XHR" | "Fetch" | "EventSource" => ResourceType::Xhr,
        "Ping" | "CSPViolationReport" => ResourceType::Beacon,
        "WebSocket" => ResourceType::WebSocket,
        "Document" if in_subframe => ResourceType::Iframe,
        "Document" => ResourceType::Document,
        "Manifest" => ResourceType::Icon,
        _ => ResourceType::Other,
    }
}

fn page(url: &Url, depth: usize) -> Page {
    Page {
        url: url.to_string(),
        depth,
        ..Default::default()
    }
}

/// A page that could not be visited at all.
pub fn failed_record(url: &Url, depth: usize, error: ScanError) -> PageRecord {
    let mut p = page(url, depth);
    p.error = Some(error.kind);
    PageRecord {
        page: p,
        errors: vec![error],
        ..Default::default()
    }
}

/// Convert one visit.
pub fn to_page_record(url: &Url, depth: usize, v: Visit, fp: &FirstParty) -> PageRecord {
    let mut rec = PageRecord {
        page: page(url, depth),
        ..Default::default()
    };
    rec.page.status = v.status;
    rec.page.content_type = v.mime.clone();
    rec.page.interruptions = v.interruptions.clone();
    rec.page.interruptions.sort();
    rec.page.interruptions.dedup();
    rec.page.redirects = v.redirects.clone();
    rec.headers = v.headers.clone();
    let final_url = v
        .final_url
        .as_deref()
        .and_then(|u| Url::parse(u).ok())
        .unwrap_or_else(|| url.clone());
    for (refused, address) in &v.refused {
        rec.errors.push(ScanError {
            url: refused.clone(),
            kind: ErrorKind::PrivateAddressRefused,
            message: format!(
                "not fetched: it leads to the internal address {address}, which this scan was not told to reach (only the start URL's host and port, --resolve targets and the --proxy are; use --allow-private to scan an intranet site)"
            ),
        });
    }
    if let Some(e) = &v.error {
        let top_refused = v.refused.iter().any(|(u, _)| u.as_str() == url.as_str());
        let kind = if e.contains("ADDRESS_UNREACHABLE") && (top_refused || !v.refused.is_empty()) {
            ErrorKind::PrivateAddressRefused
        } else if e.contains("UNSAFE_REDIRECT") {
            ErrorKind::UnsafeRedirect
        } else if e.contains("NAME_NOT_RESOLVED") {
            ErrorKind::Dns
        } else if e.contains("TIMED_OUT") {
            ErrorKind::Timeout
        } else if e.contains("CERT") || e.contains("SSL") {
            ErrorKind::Tls
        } else {
            ErrorKind::Connect
        };
        rec.page.error = Some(kind);
        rec.errors.push(ScanError {
            url: url.to_string(),
            kind,
            message: format!("the browser could not load the page: {e}"),
        });
    }
    if let Some(s) = v.status.filter(|s| *s >= 400) {
        rec.page.error = Some(ErrorKind::HttpStatus);
        rec.errors.push(ScanError {
            url: url.to_string(),
            kind: ErrorKind::HttpStatus,
            message: format!("HTTP {s}"),
        });
    }
    if v.timed_out {
        rec.errors.push(ScanError {
            url: url.to_string(),
            kind: ErrorKind::PageTimeout,
            message: "the page did not settle (network idle) within --page-timeout; captured what loaded until then".into(),
        });
    }
    for (kind, message) in &v.problems {
        // A page that could not be read at all failed; a probe or a click that failed did not.
        if matches!(
            kind,
            ErrorKind::DomRead | ErrorKind::PageUnresponsive | ErrorKind::Internal
        ) {
            rec.page.error.get_or_insert(*kind);
        }
        rec.errors.push(ScanError {
            url: url.to_string(),
            kind: *kind,
            message: message.clone(),
        });
    }
    if v.requests_dropped > 0 {
        rec.errors.push(ScanError {
            url: url.to_string(),
            kind: ErrorKind::RequestsCapped,
            message: format!(
                "the page made more requests than are recorded per page (at most {} hosts, {} URLs per host): {} were not recorded",
                super::visit::MAX_PAGE_HOSTS,
                super::visit::MAX_URLS_PER_HOST,
                v.requests_dropped
            ),
        });
    }
    for r in &v.requests {
        // Browser-internal requests (the PDF viewer's chrome-extension:, chrome://resources) are
        // no data flow: only http(s) and ws(s) count.
        if let Some(u) = Url::parse(&r.url).ok().filter(is_web_url) {
            rec.requests.push(Reference {
                url: u,
                resource_type: resource_type(&r.resource_type, r.in_subframe),
                loaded: true,
                consent_gated: false,
                noscript: false,
            });
        }
    }
    for c in &v.cookies {
        let Some(response_url) = Url::parse(&c.response_url).ok().filter(is_web_url) else {
            continue;
        };
        let header = SetCookieHeader {
            raw: c.line.clone(),
            response_url,
            date: Some(std::time::SystemTime::now()),
        };
        let mut cookie = parse_set_cookie(&header, fp);
        cookie.pages = vec![url.to_string()];
        cookie.stored = Some(c.blocked_reason.is_none());
        cookie.blocked_reason = c.blocked_reason.clone();
        rec.cookies.push(cookie);
    }
    if let Some(dom) = &v.dom {
        let mut ex = PageExtract {
            title: (!dom.title.is_empty()).then(|| dom.title.clone()),
            ..Default::default()
        };
        for (href, text) in &dom.anchors {
            let Ok(mut u) = final_url.join(href) else {
                continue;
            };
            if !matches!(u.scheme(), "http" | "https") {
                continue;
            }
            u.set_fragment(None);
            if looks_like_policy(text, &u) {
                ex.policy_links.push(PolicyLink {
                    url: u.clone(),
                    text: text.clone(),
                });
            }
            ex.links.push(u);
        }
        ex.links.sort();
        ex.links.dedup();
        ex.policy_links.sort();
        ex.policy_links.dedup();
        for (src, text) in &dom.scripts {
            if src.is_empty() {
                let hash = hex::encode(Sha256::digest(text.as_bytes()));
                ex.scripts.push(ScriptRef {
                    src: None,
                    inline_sha256: Some(hash),
                    inline_text: Some(text.clone()),
                    consent_gated: false,
                    noscript: false,
                });
            } else if let Some(u) = Url::parse(src).ok().filter(is_web_url) {
                ex.scripts.push(ScriptRef {
                    src: Some(u),
                    inline_sha256: None,
                    inline_text: None,
                    consent_gated: false,
                    noscript: false,
                });
            }
        }
        rec.page.title = ex.title.clone();
        rec.extract = Some(ex);
        rec.storage = storage_entries(&final_url, dom);
    }
    rec
}

/// The top document's Web Storage keys (with value sizes) and IndexedDB database names.
pub fn storage_entries(final_url: &Url, dom: &Dom) -> Vec<StorageEntry> {
    let origin = final_url.origin().ascii_serialization();
    let entry = |kind: &str, name: &str, size: Option<usize>| StorageEntry {
        origin: origin.clone(),
        kind: kind.into(),
        name: name.into(),
        size,
        ..Default::default()
    };
    let mut out: Vec<StorageEntry> = dom
        .local_storage
        .iter()
        .map(|(k, n)| entry("local_storage", k, Some(*n)))
        .chain(
            dom.session_storage
                .iter()
                .map(|(k, n)| entry("session_storage", k, Some(*n))),
        )
        .chain(dom.indexed_db.iter().map(|d| entry("indexed_db", d, None)))
        .collect();
    out.sort_by(|a, b| (&a.kind, &a.name).cmp(&(&b.kind, &b.name)));
    out.dedup_by(|a, b| a.kind == b.kind && a.name == b.name);
    out
}

/// Cookies in the browser's jar (`Storage.getCookies`) not seen before: set by script unless a
/// header already showed them. Each is attributed to `page`, the page after which it appeared.
pub fn script_cookies(
    page: &Url,
    jar: &Value,
    seen: &mut BTreeSet<(String, String, String)>,
    fp: &FirstParty,
) -> Vec<Cookie> {
    let mut out = Vec::new();
    for c in jar["cookies"].as_array().into_iter().flatten() {
        let name = c["name"].as_str().unwrap_or_default().to_string();
        let domain = c["domain"].as_str().unwrap_or_default().to_string();
        let path = c["path"].as_str().unwrap_or("/").to_string();
        if !seen.insert((name.clone(), domain.clone(), path.clone())) {
            continue;
        }
        let session = c["session"].as_bool().unwrap_or(true);
        let expires = c["expires"].as_f64().filter(|e| *e > 0.0 && !session);
        let now = time::OffsetDateTime::now_utc().unix_timestamp() as f64;
        let host = domain.trim_start_matches('.');
        out.push(Cookie {
            name,
            domain: domain.clone(),
            path,
            expires: expires.and_then(|e| {
                time::OffsetDateTime::from_unix_timestamp(e as i64)
                    .ok()
                    .and_then(|t| {
                        t.format(&time::format_description::well_known::Rfc3339)
                            .ok()
                    })
            }),
            lifetime_seconds: expires.map(|e| (e - now).round() as i64),
            session,
            secure: c["secure"].as_bool().unwrap_or(false),
            http_only: c["httpOnly"].as_bool().unwrap_or(false),
            same_site: c["sameSite"].as_str().map(|s| s.to_ascii_lowercase()),
            party: if fp.contains(host) {
                Party::First
            } else {
                Party::Third
            },
            set_by: SetBy::Script,
            pages: vec![page.to_string()],
            before_consent: true,
            stored: Some(true),
            ..Default::default()
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crawl::browser::visit::{HeaderCookie, Request};

    fn request(url: &str, ty: &str) -> Request {
        Request {
            url: url.into(),
            resource_type: ty.into(),
            in_subframe: true,
        }
    }

    /// What Chromium's PDF viewer and a page's own blobs request: none of it is a third party.
    #[test]
    fn browser_internal_requests_are_dropped() {
        let mut v = Visit::default();
        for (url, ty) in [
            (
                "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/index.html",
                "Document",
            ),
            ("chrome://resources/css/text_defaults.css", "Stylesheet"),
            ("devtools://devtools/bundled/inspector.html", "Document"),
            ("data:image/gif;base64,R0lGOD", "Image"),
            ("blob:http://www.example.test/0b1c", "Fetch"),
            ("about:blank", "Document"),
            (
                "https://fonts.googleapis.com/css2?family=Inter",
                "Stylesheet",
            ),
            ("wss://chat.example.net/socket", "WebSocket"),
        ] {
            v.requests.insert(request(url, ty));
        }
        v.cookies.push(HeaderCookie {
            line: "x=1".into(),
            response_url: "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/x".into(),
            blocked_reason: None,
        });
        let url = Url::parse("https://www.example.test/").unwrap();
        let fp = FirstParty::new(["example.test".to_string()]);
        let rec = to_page_record(&url, 0, v, &fp);
        let kept: Vec<&str> = rec.requests.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(
            kept,
            [
                "https://fonts.googleapis.com/css2?family=Inter",
                "wss://chat.example.net/socket"
            ]
        );
        assert!(rec.cookies.is_empty());
    }
}
