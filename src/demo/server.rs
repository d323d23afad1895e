//! A loopback server that plays a whole site and all its third parties, chosen by Host header.
//!
//! One port serves every hostname (the scanner reaches it with `--resolve '*:PORT:127.0.0.1'`) and
//! speaks both plain HTTP and TLS: the first byte of each connection decides (0x16 opens a TLS
//! ClientHello). That is needed because Chromium forces HSTS-preloaded hosts such as
//! `www.googletagmanager.com` to https whatever the page says, while the site under test is often
//! plain `http://www.site.test`. The certificate is self-signed, made at start, and served for any
//! SNI, so clients need `--insecure`.
//!
//! Every request is recorded ([`RecordedRequest`]) so tests can assert what a scan asked for
//! (robots.txt compliance, "each third-party script fetched once"). Odd requests get a 4xx answer,
//! never a panic.

use super::bodies::{generate, Payload, ResponseBody};
use super::routes::{Route, Routes};
use super::site::{content_type, safe_host, safe_segments, Lookup, SiteSource};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, HOST, LOCATION};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

/// The first byte of a TLS record carrying a handshake (ClientHello).
const TLS_HANDSHAKE: u8 = 0x16;

/// One request the server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// "http" or "https" (the connection spoke TLS).
    pub scheme: String,
    /// Method, e.g. "GET".
    pub method: String,
    /// Host asked for, lowercase, port stripped ("" when none was sent).
    pub host: String,
    /// Path and query as sent, e.g. "/search?q=1".
    pub path: String,
    /// Every request header in order (names lowercase; values lossily decoded).
    pub headers: Vec<(String, String)>,
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `scheme://host/path`, handy in assertion messages.
    pub fn url(&self) -> String {
        format!("{}://{}{}", self.scheme, self.host, self.path)
    }
}

/// What every connection task shares.
struct State {
    source: SiteSource,
    routes: Routes,
    log: Mutex<Vec<RecordedRequest>>,
}

/// A running fixture server; dropping it stops the server and closes every connection.
pub struct FixtureServer {
    addr: SocketAddr,
    state: Arc<State>,
    cert_der: Vec<u8>,
    accept_task: Option<JoinHandle<()>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for FixtureServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FixtureServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl FixtureServer {
    /// Bind 127.0.0.1 on a free port and serve `source` on the current tokio runtime.
    /// Fails when the rules file does not parse (the message names the problem) or no port is free.
    pub async fn start(source: SiteSource) -> std::io::Result<FixtureServer> {
        let routes = source.routes().map_err(std::io::Error::other)?;
        let (tls, cert_der) = tls_acceptor()?;
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            source,
            routes,
            log: Mutex::new(Vec::new()),
        });
        let accept_task = tokio::spawn(accept_loop(listener, tls, state.clone()));
        Ok(FixtureServer {
            addr,
            state,
            cert_der,
            accept_task: Some(accept_task),
            runtime: None,
        })
    }

    /// Like [`FixtureServer::start`], on a runtime of its own (two worker threads), for
    /// synchronous callers such as integration tests that run the binary with
    /// `std::process::Command` while the server answers.
    pub fn start_background(source: SiteSource) -> std::io::Result<FixtureServer> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("fixture-server")
            .enable_all()
            .build()?;
        let mut server = runtime.block_on(FixtureServer::start(source))?;
        server.runtime = Some(runtime);
        Ok(server)
    }

    /// Address the server listens on (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Port the server listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The `--resolve` value that sends every host to this server: `*:PORT:127.0.0.1`.
    pub fn resolve_all(&self) -> String {
        format!("*:{}:127.0.0.1", self.port())
    }

    /// The `--resolve` value that sends only `host` to this server.
    pub fn resolve_host(&self, host: &str) -> String {
        format!("{host}:{}:127.0.0.1", self.port())
    }

    /// DER of the self-signed certificate served for every TLS connection.
    pub fn certificate_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state
            .log
            .lock()
            .map(|l| l.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Forget the recorded requests (e.g. between two scans against one server).
    pub fn clear_requests(&self) {
        match self.state.log.lock() {
            Ok(mut l) => l.clear(),
            Err(p) => p.into_inner().clear(),
        }
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        // Aborting the accept loop drops its JoinSet, which aborts every connection task.
        if let Some(t) = self.accept_task.take() {
            t.abort();
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// A TLS acceptor with a fresh self-signed certificate (any SNI gets it), ALPN h2 and http/1.1.
fn tls_acceptor() -> std::io::Result<(TlsAcceptor, Vec<u8>)> {
    let certified = rcgen::generate_simple_self_signed(vec![
        "localhost".to_string(),
        "fixture.test".to_string(),
    ])
    .map_err(|e| std::io::Error::other(format!("cannot make a test certificate: {e}")))?;
    let cert_der = certified.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.key_pair.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| std::io::Error::other(format!("TLS setup: {e}")))?
        .with_no_client_auth()
        .with_single_cert(vec![cert_der.clone()], key)
        .map_err(|e| std::io::Error::other(format!("TLS setup: {e}")))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok((TlsAcceptor::from(Arc::new(config)), cert_der.to_vec()))
}

async fn accept_loop(listener: TcpListener, tls: TlsAcceptor, state: Arc<State>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, tls.clone(), state.clone()));
                }
                // Out of file descriptors and the like: wait a moment rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            // Reap finished connections so the set does not grow without bound.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve_connection(stream: TcpStream, tls: TlsAcceptor, state: Arc<State>) {
    let _ = stream.set_nodelay(true);
    let mut first = [0u8; 1];
    let is_tls = match stream.peek(&mut first).await {
        Ok(0) | Err(_) => return,
        Ok(_) => first[0] == TLS_HANDSHAKE,
    };
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    if is_tls {
        let Ok(tls_stream) = tls.accept(stream).await else {
            return;
        };
        let service = hyper::service::service_fn(move |req| handle(state.clone(), "https", req));
        let _ = builder
            .serve_connection(TokioIo::new(tls_stream), service)
            .await;
    } else {
        let service = hyper::service::service_fn(move |req| handle(state.clone(), "http", req));
        let _ = builder
            .serve_connection(TokioIo::new(stream), service)
            .await;
    }
}

/// Host asked for: the URI authority (HTTP/2, proxy form), else the Host header; port stripped.
fn request_host(req: &Request<Incoming>) -> String {
    let raw = match req.uri().host() {
        Some(h) => h.to_string(),
        None => req
            .headers()
            .get(HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
    };
    strip_port(&raw).to_ascii_lowercase()
}

fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("");
    }
    match host.rsplit_once(':') {
        Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    }
}

async fn handle(
    state: Arc<State>,
    scheme: &'static str,
    req: Request<Incoming>,
) -> Result<Response<ResponseBody>, Infallible> {
    let host = request_host(&req);
    let path = req.uri().path().to_string();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".to_string());
    let recorded = RecordedRequest {
        scheme: scheme.to_string(),
        method: req.method().to_string(),
        host: host.clone(),
        path: path_and_query.clone(),
        headers: req
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
    };
    match state.log.lock() {
        Ok(mut l) => l.push(recorded),
        Err(p) => p.into_inner().push(recorded),
    }
    let head_only = req.method() == Method::HEAD;
    if req.method() != Method::GET && !head_only && req.method() != Method::POST {
        return Ok(plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "method not allowed\n",
        ));
    }
    let route = state.routes.find(&host, &path).cloned();
    if let Some(ms) = route.as_ref().and_then(|r| r.delay_ms) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let reply = match &route {
        Some(r) => routed(&state, r, &host, &path, &path_and_query).await,
        None => static_file(&state.source, &host, &path, &path_and_query).await,
    };
    Ok(reply.into_response(route.as_ref(), head_only))
}

/// A response before the route's extras are applied.
struct Reply {
    status: u16,
    content_type: String,
    payload: Payload,
    location: Option<String>,
}

impl Reply {
    fn text(status: u16, body: String) -> Reply {
        Reply {
            status,
            content_type: "text/html; charset=utf-8".into(),
            payload: Payload::Full(Bytes::from(body)),
            location: None,
        }
    }

    fn into_response(self, route: Option<&Route>, head_only: bool) -> Response<ResponseBody> {
        let drip = route.and_then(|r| r.drip);
        let len = self.payload.len();
        let mut resp = Response::new(if head_only {
            Full::new(Bytes::new()).boxed()
        } else {
            self.payload.into_body(drip)
        });
        *resp.status_mut() = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        let headers = resp.headers_mut();
        let ctype = route
            .and_then(|r| r.content_type.clone())
            .unwrap_or(self.content_type);
        if let Ok(v) = HeaderValue::from_str(&ctype) {
            headers.insert(CONTENT_TYPE, v);
        }
        if drip.is_none() {
            headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
        }
        if let Some(loc) = self.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            headers.insert(LOCATION, loc);
        }
        for (name, value) in route.map(|r| r.headers.as_slice()).unwrap_or_default() {
            // Values are written as raw bytes so malformed-cookie fixtures stay malformed.
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_bytes(value.as_bytes()),
            ) {
                headers.append(n, v);
            }
        }
        headers.insert(
            "server",
            HeaderValue::from_static("privacy-inventory-fixture"),
        );
        resp
    }
}

async fn routed(state: &State, r: &Route, host: &str, path: &str, pq: &str) -> Reply {
    let status = r.status();
    let mut reply = if let Some(g) = &r.generate {
        match generate(g, pq) {
            Some((payload, ctype)) => Reply {
                status,
                content_type: ctype.into(),
                payload,
                location: None,
            },
            None => not_found(host, path),
        }
    } else if let Some(body) = &r.body {
        Reply {
            status,
            content_type: "text/html; charset=utf-8".into(),
            payload: Payload::Full(Bytes::from(body.clone())),
            location: None,
        }
    } else if let Some(file) = &r.file {
        let rel = safe_segments(file).map(|s| s.join("/"));
        match rel {
            Some(rel) => match state.source.lookup(&rel).await {
                Lookup::File(bytes) => Reply {
                    status,
                    content_type: content_type(&rel).into(),
                    payload: Payload::Full(bytes),
                    location: None,
                },
                _ => Reply::text(
                    500,
                    format!("fixture error: route file {file:?} does not exist\n"),
                ),
            },
            None => Reply::text(
                500,
                format!("fixture error: route file {file:?} is not a safe path\n"),
            ),
        }
    } else if r.location.is_some() {
        Reply::text(status, String::new())
    } else {
        let mut reply = static_file(&state.source, host, path, pq).await;
        if r.status.is_some() {
            reply.status = status;
        }
        reply
    };
    if let Some(loc) = &r.location {
        reply.location = Some(loc.clone());
    }
    reply
}

async fn static_file(source: &SiteSource, host: &str, path: &str, pq: &str) -> Reply {
    let (Some(h), Some(segments)) = (safe_host(host), safe_segments(path)) else {
        return Reply::text(400, "bad request: unusable host or path\n".into());
    };
    let mut rel = std::iter::once(h)
        .chain(segments.iter().cloned())
        .collect::<Vec<_>>()
        .join("/");
    if path.ends_with('/') || segments.is_empty() {
        rel.push_str("/index.html");
    }
    match source.lookup(&rel).await {
        Lookup::File(bytes) => Reply {
            status: 200,
            content_type: content_type(&rel).into(),
            payload: Payload::Full(bytes),
            location: None,
        },
        Lookup::Dir => {
            let (p, q) = pq.split_once('?').map_or((pq, None), |(p, q)| (p, Some(q)));
            let mut reply = Reply::text(301, String::new());
            reply.location = Some(match q {
                Some(q) => format!("{p}/?{q}"),
                None => format!("{p}/"),
            });
            reply
        }
        Lookup::Missing => not_found(host, path),
    }
}

fn not_found(host: &str, path: &str) -> Reply {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
    Reply::text(
        404,
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Not found</title></head>\
             <body><h1>404 Not found</h1><p>{}{} is not part of this fixture.</p></body></html>\n",
            esc(host),
            esc(path)
        ),
    )
}

fn plain(status: StatusCode, body: &'static str) -> Response<ResponseBody> {
    let mut resp = Response::new(Full::new(Bytes::from_static(body.as_bytes())).boxed());
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
