//! Loopback server that plays every host, a recording sink, and page builders.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use privacy_inventory::config::{ResolveRule, ScanConfig};
use privacy_inventory::crawl::static_crawl::{crawl_static_into, CrawlSink};
use privacy_inventory::crawl::NoProgress;
use privacy_inventory::domain::FirstParty;
use privacy_inventory::observe::{PageRecord, Phase, SetCookieHeader};
use privacy_inventory::report::model::{Cookie, ScanError};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use url::Url;

type Handler = Arc<dyn Fn(&str, &str) -> Response + Send + Sync>;

pub struct Server {
    pub port: u16,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Requests seen, as "host/path?query" (host without port).
    pub fn asked(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
    pub fn was_asked(&self, s: &str) -> bool {
        self.asked().iter().any(|a| a == s)
    }
    pub fn count(&self, s: &str) -> usize {
        self.asked().iter().filter(|a| *a == s).count()
    }
}

pub async fn serve(h: impl Fn(&str, &str) -> Response + Send + Sync + 'static) -> Server {
    let h: Handler = Arc::new(h);
    let log = Arc::new(Mutex::new(Vec::new()));
    let log2 = log.clone();
    let app = axum::Router::new().fallback(move |req: Request| {
        let h = h.clone();
        let log = log2.clone();
        async move {
            let host = req
                .headers()
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .split(':')
                .next()
                .unwrap_or("")
                .to_string();
            let pq = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default();
            log.lock().unwrap().push(format!("{host}{pq}"));
            h(&host, &pq)
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Server { port, log }
}

pub fn html(body: &str) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!("<!doctype html><html><head><title>t</title></head><body>{body}</body></html>"),
    )
        .into_response()
}

pub fn links(hrefs: &[&str]) -> Response {
    html(
        &hrefs
            .iter()
            .map(|h| format!("<a href=\"{h}\">x</a>"))
            .collect::<String>(),
    )
}

pub fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "nope").into_response()
}

pub fn redirect(status: u16, to: &str, cookie: Option<&str>) -> Response {
    let mut r = Response::builder()
        .status(status)
        .header(header::LOCATION, to);
    if let Some(c) = cookie {
        r = r.header(header::SET_COOKIE, c);
    }
    r.body(Body::empty()).unwrap()
}

pub fn config(port: u16, start: &str) -> ScanConfig {
    let mut c = ScanConfig::new(Url::parse(start).unwrap());
    c.resolve = vec![ResolveRule::parse(&format!("*:{port}:127.0.0.1")).unwrap()];
    c.concurrency = 4;
    c.timeout = Duration::from_secs(5);
    c
}

#[derive(Default)]
pub struct Rec {
    pub first_party: Option<FirstParty>,
    pub pages: Vec<PageRecord>,
    pub response_cookies: Vec<(Url, Vec<SetCookieHeader>)>,
    pub errors: Vec<ScanError>,
    pub cookies: Vec<Cookie>,
    pub start_failed: bool,
}

impl CrawlSink for Rec {
    fn first_party(&mut self, fp: &FirstParty) {
        self.first_party = Some(fp.clone());
    }
    fn page(&mut self, record: PageRecord) {
        self.pages.push(record);
    }
    fn response_cookies(&mut self, page: &Url, headers: Vec<SetCookieHeader>) {
        self.response_cookies.push((page.clone(), headers));
    }
    fn cookies(&mut self, cookies: Vec<Cookie>, _phase: Phase) {
        self.cookies.extend(cookies);
    }
    fn error(&mut self, error: ScanError) {
        self.errors.push(error);
    }
}

impl Rec {
    pub fn urls(&self) -> Vec<String> {
        self.pages.iter().map(|p| p.page.url.clone()).collect()
    }
    pub fn page(&self, url: &str) -> &PageRecord {
        self.pages
            .iter()
            .find(|p| p.page.url == url)
            .unwrap_or_else(|| panic!("no page {url} in {:?}", self.urls()))
    }
    pub fn all_errors(&self) -> Vec<&ScanError> {
        self.errors
            .iter()
            .chain(self.pages.iter().flat_map(|p| p.errors.iter()))
            .collect()
    }
    pub fn has_error(&self, kind: &str, url_part: &str) -> bool {
        self.all_errors()
            .iter()
            .any(|e| e.kind == kind && e.url.contains(url_part))
    }
}

pub async fn crawl(c: &ScanConfig) -> Rec {
    let mut rec = Rec::default();
    rec.start_failed = crawl_static_into(c, &NoProgress, &mut rec).await;
    rec
}

pub const W: &str = "http://www.site.test";

pub fn gz(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A small site on www.site.test: seven pages over three levels, with a fragment, a relative
/// `..` path and non-HTTP links that must not become pages.
pub fn tree(host: &str, path: &str) -> Response {
    if host != "www.site.test" {
        return not_found();
    }
    match path {
        "/" => links(&[
            "/a",
            "/b",
            "/a#frag",
            "mailto:x@y.test",
            "javascript:void(0)",
        ]),
        "/a" => links(&["/a1", "/a2", "/"]),
        "/b" => links(&["/b1", "/A/../a1"]),
        "/a1" => links(&["/a1x"]),
        "/a2" | "/b1" | "/a1x" => links(&[]),
        _ => not_found(),
    }
}
