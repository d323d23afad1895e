//! One HTTP client for the whole scan: resolver overrides, proxy, TLS choice, streamed bodies
//! with a byte cap, manual redirects (so every hop's Set-Cookie is seen), charset decoding.

use super::charset;
use super::private_net::AddressGuard;
use super::resolve::{DnsFailure, RuleResolver};
use crate::config::ScanConfig;
use crate::model::ErrorKind;
use crate::observe::SetCookieHeader;
use reqwest::header::{HeaderMap, CONTENT_TYPE, DATE, LOCATION, SET_COOKIE};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use url::Url;

/// Redirect hops followed before giving up (browsers allow 20; 10 is plenty for real sites and
/// stops cookie-check loops early).
pub const MAX_REDIRECTS: usize = 10;

/// Body bytes kept in memory before the first chunk tells us more (avoids huge pre-allocation
/// from a lying Content-Length).
const INITIAL_BODY_CAPACITY: usize = 256 * 1024;

/// A fetched response (after redirects).
#[derive(Debug, Clone)]
pub struct Fetched {
    /// URL requested.
    pub url: Url,
    /// URL of the final response.
    pub final_url: Url,
    /// Redirect targets followed, in order.
    pub redirects: Vec<Url>,
    /// Final HTTP status.
    pub status: u16,
    /// Media type without parameters, lowercased.
    pub content_type: Option<String>,
    /// `charset` parameter of the Content-Type header, lowercased.
    pub charset: Option<String>,
    /// Set-Cookie headers of every hop.
    pub set_cookies: Vec<SetCookieHeader>,
    /// Body bytes (at most `max_body`).
    pub body: Vec<u8>,
    /// The body was cut at `max_body` (the caller records `too_large`).
    pub truncated: bool,
    /// A redirect to this URL was not followed because it leaves the scan's scope
    /// (only from [`Fetcher::get_within`]); `status` is then the redirect's status.
    pub off_scope_redirect: Option<Url>,
    /// The final response's headers as (lowercase name, value), Set-Cookie excluded: CDN and
    /// hosting signatures live there.
    pub headers: Vec<(String, String)>,
}

impl Fetched {
    /// Whether the media type is HTML (or missing, as browsers sniff such pages as HTML).
    pub fn is_html(&self) -> bool {
        match self.content_type.as_deref() {
            Some(ct) => ct == "text/html" || ct == "application/xhtml+xml",
            None => true,
        }
    }

    /// Body decoded to UTF-8 by Content-Type charset, `<meta charset>`, then sniffing.
    pub fn text(&self) -> String {
        charset::decode(&self.body, self.charset.as_deref(), self.is_html()).into_owned()
    }

    /// Like [`Fetched::text`], but takes the body and avoids a copy when it is UTF-8 already.
    pub fn take_text(&mut self) -> String {
        let body = std::mem::take(&mut self.body);
        charset::decode_owned(body, self.charset.as_deref(), self.is_html())
    }

    /// The error this response stands for, if any (cut body, off-scope redirect, HTTP ≥ 400).
    pub fn problem(&self, max_body: u64) -> Option<FetchError> {
        if let Some(to) = &self.off_scope_redirect {
            return Some(FetchError::OffScopeRedirect(to.to_string()));
        }
        if self.truncated {
            return Some(FetchError::TooLarge(max_body));
        }
        if self.status >= 400 {
            return Some(FetchError::HttpStatus(self.status));
        }
        None
    }
}

/// Why a fetch failed; `kind()` is the report's error kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// No complete response within `--timeout` (body included).
    #[error("no complete response within {0:?}; raise --timeout if the server is just slow")]
    Timeout(Duration),
    /// The host name does not resolve.
    #[error("cannot resolve the host name ({0}); check the spelling, or map it with --resolve HOST:PORT:ADDR")]
    Dns(String),
    /// TCP connection failed (refused, unreachable).
    #[error("cannot connect ({0}); is the server up and the port right?")]
    Connect(String),
    /// TLS handshake or certificate problem.
    #[error("TLS failed ({0}); for a staging site with a self-signed certificate use --insecure")]
    Tls(String),
    /// The body exceeded `--max-body`; the part read was kept.
    #[error("body larger than --max-body ({0} bytes); the first {0} bytes were kept")]
    TooLarge(u64),
    /// A redirect led back to a URL of the same chain.
    #[error("redirect loop back to {0}")]
    RedirectLoop(String),
    /// More than [`MAX_REDIRECTS`] hops.
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
    /// A redirect leaves the scan's scope and was not followed.
    #[error("redirects out of the scan's scope to {0} (not followed; use --scope domain or --first-party to widen)")]
    OffScopeRedirect(String),
    /// The server answered with an error status.
    #[error("HTTP status {0}")]
    HttpStatus(u16),
    /// Reading or decompressing the body failed.
    #[error("reading the body failed: {0}")]
    Body(String),
    /// The URL cannot be requested (not http/https, no host).
    #[error("cannot request this URL: {0}")]
    InvalidUrl(String),
    /// A redirect to a scheme that is not http(s) (file:, ftp:, javascript:, data:).
    #[error(
        "redirects to {0}, which is not an http(s) URL: not followed (browsers refuse it too)"
    )]
    UnsafeRedirect(String),
    /// The response head cannot be read: more than 100 header fields (a cookie flood) or more
    /// than ~400 KB of headers, the HTTP/1 parser's limits.
    #[error("the server answered, but its response head is too large to read ({0}): more than 100 header fields or ~400 KB of headers; the page is skipped")]
    HeadersTooLarge(String),
    /// The URL leads to an internal address the user did not name (SSRF guard): not connected.
    #[error("not fetched: it leads to the internal address {0}, which this scan was not told to reach (only the start URL's host and port, --resolve targets and the --proxy are; use --allow-private to scan an intranet site)")]
    PrivateAddress(String),
}

impl FetchError {
    /// Short kind for the report's `errors[].kind`.
    pub fn kind(&self) -> ErrorKind {
        match self {
            FetchError::Timeout(_) => ErrorKind::Timeout,
            FetchError::Dns(_) => ErrorKind::Dns,
            FetchError::Connect(_) => ErrorKind::Connect,
            FetchError::Tls(_) => ErrorKind::Tls,
            FetchError::TooLarge(_) => ErrorKind::TooLarge,
            FetchError::RedirectLoop(_) => ErrorKind::RedirectLoop,
            FetchError::TooManyRedirects(_) => ErrorKind::TooManyRedirects,
            FetchError::OffScopeRedirect(_) => ErrorKind::OffScopeRedirect,
            FetchError::HttpStatus(_) => ErrorKind::HttpStatus,
            FetchError::Body(_) => ErrorKind::Body,
            FetchError::InvalidUrl(_) => ErrorKind::InvalidUrl,
            FetchError::PrivateAddress(_) => ErrorKind::PrivateAddressRefused,
            FetchError::HeadersTooLarge(_) => ErrorKind::HeadersTooLarge,
            FetchError::UnsafeRedirect(_) => ErrorKind::UnsafeRedirect,
        }
    }

    /// No usable HTTP response arrived (the start URL then counts as failed, exit 3, in static and
    /// browser mode alike): the network failed, or the URL (or a redirect of it) leads to an
    /// internal address that was not connected to, or to a non-http(s) URL a browser refuses.
    pub fn is_network(&self) -> bool {
        matches!(
            self,
            FetchError::Timeout(_)
                | FetchError::Dns(_)
                | FetchError::Connect(_)
                | FetchError::Tls(_)
                | FetchError::PrivateAddress(_)
                | FetchError::UnsafeRedirect(_)
        )
    }
}

/// A failed fetch with what was learned before it failed (cookies of earlier hops).
#[derive(Debug, Clone)]
pub struct FetchFailure {
    /// What went wrong.
    pub error: FetchError,
    /// Set-Cookie headers of the hops that did answer.
    pub set_cookies: Vec<SetCookieHeader>,
    /// Redirect targets followed before the failure.
    pub redirects: Vec<Url>,
    /// Status of the last response received, if any.
    pub status: Option<u16>,
}

/// The scan's HTTP client. Cheap to clone (one connection pool).
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    timeout: Duration,
    max_body: u64,
    resolver: RuleResolver,
    guard: Arc<AddressGuard>,
}

#[derive(Default)]
struct Progressed {
    set_cookies: Vec<SetCookieHeader>,
    redirects: Vec<Url>,
    status: Option<u16>,
}

impl Fetcher {
    /// Build from the scan settings (resolve rules, proxy, insecure, timeout, user agent).
    pub fn new(config: &ScanConfig) -> Result<Self, String> {
        let mut b = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(config.user_agent.clone())
            .danger_accept_invalid_certs(config.insecure)
            .connect_timeout(config.timeout.min(Duration::from_secs(15)))
            .pool_idle_timeout(Duration::from_secs(30))
            .tcp_nodelay(true);
        // Always our resolver: it applies --resolve rules and keeps one answer per host, which is
        // the answer the private-address guard judged.
        let resolver = RuleResolver::new(config.resolve.clone());
        b = b.dns_resolver(Arc::new(resolver.clone()));
        match &config.proxy {
            Some(p) => {
                let proxy = reqwest::Proxy::all(p).map_err(|e| {
                    format!("--proxy {p:?}: {e}; expected http://, https:// or socks5://HOST:PORT")
                })?;
                b = b.proxy(proxy);
            }
            // --resolve targets exact addresses: an environment proxy would silently bypass them.
            None if !config.resolve.is_empty() => b = b.no_proxy(),
            None => {}
        }
        let client = b
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Fetcher {
            client,
            timeout: config.timeout,
            max_body: config.max_body,
            resolver,
            guard: Arc::new(AddressGuard::new(config)),
        })
    }

    /// The body cap in bytes.
    pub fn max_body(&self) -> u64 {
        self.max_body
    }

    /// GET `url`, following every redirect up to the hop limit, reading at most `max_body` bytes.
    /// A cut body is `Ok` with `truncated: true`; an error status is `Ok` with that status.
    pub async fn get(&self, url: &Url) -> Result<Fetched, FetchError> {
        self.fetch(url, None, self.max_body)
            .await
            .map_err(|f| f.error)
    }

    /// GET `url`, following only redirects whose target `in_scope` accepts; an off-scope target is
    /// returned in [`Fetched::off_scope_redirect`] (with the redirect's own status and cookies).
    pub async fn get_within(
        &self,
        url: &Url,
        in_scope: &(dyn Fn(&Url) -> bool + Sync),
    ) -> Result<Fetched, FetchFailure> {
        self.fetch(url, Some(in_scope), self.max_body).await
    }

    /// The general form: optional scope for redirects, and a body cap (≤ `max_body` makes sense
    /// for robots.txt and sitemaps).
    pub async fn fetch(
        &self,
        url: &Url,
        in_scope: Option<&(dyn Fn(&Url) -> bool + Sync)>,
        max_body: u64,
    ) -> Result<Fetched, FetchFailure> {
        let mut seen = Progressed::default();
        let res = tokio::time::timeout(
            self.timeout,
            self.fetch_inner(url, in_scope, max_body, &mut seen),
        )
        .await;
        let error = match res {
            Ok(Ok(f)) => return Ok(f),
            // reqwest's own timers (connect) carry no duration: report the configured one.
            Ok(Err(FetchError::Timeout(_))) => FetchError::Timeout(self.timeout),
            Ok(Err(e)) => e,
            Err(_) => FetchError::Timeout(self.timeout),
        };
        Err(FetchFailure {
            error,
            set_cookies: seen.set_cookies,
            redirects: seen.redirects,
            status: seen.status,
        })
    }

    async fn fetch_inner(
        &self,
        url: &Url,
        in_scope: Option<&(dyn Fn(&Url) -> bool + Sync)>,
        max_body: u64,
        seen: &mut Progressed,
    ) -> Result<Fetched, FetchError> {
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(FetchError::InvalidUrl(url.to_string()));
        }
        let mut current = url.clone();
        self.admit(&current).await?;
        loop {
            let resp = self
                .client
                .get(current.clone())
                .send()
                .await
                .map_err(|e| classify(&e))?;
            let status = resp.status().as_u16();
            seen.status = Some(status);
            record_cookies(resp.headers(), &current, &mut seen.set_cookies);
            if let Some(next) = redirect_target(status, resp.headers(), &current) {
                // file:, ftp:, javascript:, data: — a browser refuses these too
                // (ERR_UNSAFE_REDIRECT): the page is an error, not an empty page.
                if !matches!(next.scheme(), "http" | "https") {
                    return Err(FetchError::UnsafeRedirect(next.to_string()));
                }
                if next == *url || seen.redirects.contains(&next) {
                    return Err(FetchError::RedirectLoop(next.to_string()));
                }
                if seen.redirects.len() >= MAX_REDIRECTS {
                    return Err(FetchError::TooManyRedirects(MAX_REDIRECTS));
                }
                if in_scope.is_some_and(|f| !f(&next)) {
                    return Ok(Fetched {
                        url: url.clone(),
                        final_url: current,
                        redirects: std::mem::take(&mut seen.redirects),
                        status,
                        content_type: None,
                        charset: None,
                        set_cookies: std::mem::take(&mut seen.set_cookies),
                        body: Vec::new(),
                        truncated: false,
                        off_scope_redirect: Some(next),
                        headers: header_pairs(resp.headers()),
                    });
                }
                self.admit(&next).await?;
                seen.redirects.push(next.clone());
                current = next;
                continue;
            }
            let ct_header = resp
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let headers = header_pairs(resp.headers());
            let (body, truncated) = read_body(resp, max_body).await?;
            let content_type = ct_header.as_deref().map(|ct| {
                ct.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            });
            return Ok(Fetched {
                url: url.clone(),
                final_url: current,
                redirects: std::mem::take(&mut seen.redirects),
                status,
                content_type: content_type.filter(|c| !c.is_empty()),
                charset: ct_header.as_deref().and_then(charset::charset_param),
                set_cookies: std::mem::take(&mut seen.set_cookies),
                body,
                truncated,
                off_scope_redirect: None,
                headers,
            });
        }
    }
}

impl Fetcher {
    /// Refuse a URL that leads to an internal address the user did not name (see
    /// [`super::private_net`]); checked before every connection, each redirect hop included.
    async fn admit(&self, url: &Url) -> Result<(), FetchError> {
        self.guard
            .check(url, &self.resolver)
            .await
            .map_err(|r| FetchError::PrivateAddress(format!("{} ({url})", r.address)))
    }
}

/// Longest header value kept: signatures need the start of it, not a whole CSP.
const MAX_HEADER_VALUE: usize = 200;

/// Header (lowercase name, value) pairs, Set-Cookie excluded (cookies are recorded apart).
fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(n, _)| *n != SET_COOKIE)
        .filter_map(|(n, v)| {
            let v = v.to_str().ok()?.trim();
            let cut = v
                .char_indices()
                .nth(MAX_HEADER_VALUE)
                .map_or(v, |(i, _)| &v[..i]);
            Some((n.as_str().to_string(), cut.to_string()))
        })
        .collect()
}

/// The next URL of a 301/302/303/307/308 with a usable `Location` (fragment dropped).
fn redirect_target(status: u16, headers: &HeaderMap, base: &Url) -> Option<Url> {
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let loc = headers.get(LOCATION)?;
    let loc = String::from_utf8_lossy(loc.as_bytes());
    let mut next = base.join(loc.trim()).ok()?;
    next.set_fragment(None);
    Some(next)
}

fn record_cookies(headers: &HeaderMap, url: &Url, out: &mut Vec<SetCookieHeader>) {
    let mut values = headers.get_all(SET_COOKIE).iter().peekable();
    if values.peek().is_none() {
        return;
    }
    let date = headers
        .get(DATE)
        .and_then(|d| d.to_str().ok())
        .and_then(|d| httpdate::parse_http_date(d).ok())
        .or_else(|| Some(SystemTime::now()));
    for v in values {
        out.push(SetCookieHeader {
            raw: String::from_utf8_lossy(v.as_bytes()).into_owned(),
            response_url: url.clone(),
            date,
        });
    }
}

/// Stream the body, stopping at `max_body` bytes (the rest is never read).
async fn read_body(
    mut resp: reqwest::Response,
    max_body: u64,
) -> Result<(Vec<u8>, bool), FetchError> {
    let cap = usize::try_from(max_body).unwrap_or(usize::MAX);
    if cap == 0 {
        // Headers only (subresources fetched for their cookies): dropping the response closes it.
        return Ok((Vec::new(), false));
    }
    let hint = resp.content_length().unwrap_or(0) as usize;
    let mut body = Vec::with_capacity(hint.min(cap).min(INITIAL_BODY_CAPACITY));
    while let Some(chunk) = resp.chunk().await.map_err(|e| match classify(&e) {
        FetchError::Connect(m) => FetchError::Body(m),
        other => other,
    })? {
        let room = cap - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, false))
}

/// Map a reqwest error to a report kind by walking its source chain.
fn classify(e: &reqwest::Error) -> FetchError {
    let mut chain = Vec::new();
    let mut dns = false;
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if s.downcast_ref::<DnsFailure>().is_some() {
            dns = true;
        }
        chain.push(s.to_string());
        src = s.source();
    }
    // The outermost reqwest message repeats the URL; the innermost says what happened.
    let detail = chain.iter().skip(1).cloned().collect::<Vec<_>>().join(": ");
    let detail = if detail.is_empty() {
        e.to_string()
    } else {
        detail
    };
    let lower = detail.to_ascii_lowercase();
    if e.is_timeout() {
        return FetchError::Timeout(Duration::ZERO);
    }
    if dns || lower.contains("dns error") || lower.contains("failed to lookup address") {
        return FetchError::Dns(detail);
    }
    if lower.contains("message head is too large")
        || lower.contains("header") && lower.contains("too large")
    {
        return FetchError::HeadersTooLarge(detail);
    }
    if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake")
        || lower.contains("invalidcontenttype")
    {
        return FetchError::Tls(detail);
    }
    if e.is_body() || e.is_decode() {
        return FetchError::Body(detail);
    }
    FetchError::Connect(detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ResolveRule;

    #[tokio::test]
    async fn unknown_host_is_a_dns_error() {
        let mut c = ScanConfig::new(Url::parse("http://a.test/").unwrap());
        c.resolve = vec![ResolveRule::parse("only.test:80:127.0.0.1").unwrap()];
        c.timeout = Duration::from_secs(5);
        let f = Fetcher::new(&c).unwrap();
        let e = f
            .get(&Url::parse("http://no-such-host.invalid/").unwrap())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), "dns", "{e}");
        assert!(e.is_network());
        assert!(
            e.to_string().contains("--resolve"),
            "the message says what to do: {e}"
        );
        let e = f
            .get(&Url::parse("ftp://x.test/").unwrap())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), "invalid_url");
    }
}
