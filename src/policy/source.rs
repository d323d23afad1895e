//! Getting the policy: from `--policy` arguments (URLs or files, read as one policy), from the
//! best crawled policy link, or from well-known paths; then reading it by format.

use crate::catalog::Catalog;
use crate::config::ScanConfig;
use crate::crawl::Fetcher;
use crate::model::Policy;
use crate::observe::Observations;
use crate::policy::{analyze, discover, html, language, pdf, plain, PolicyText};
use std::path::{Path, PathBuf};
use url::Url;

/// How many ranked links are tried before falling back to well-known paths.
const LINKS_TRIED: usize = 3;

/// Document format, by Content-Type, then file extension, then the first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// HTML or XHTML.
    Html,
    /// PDF.
    Pdf,
    /// Plain text with headings on lines of their own.
    Plain,
}

/// Decide the format of a document.
pub fn sniff_format(content_type: Option<&str>, name: &str, bytes: &[u8]) -> Format {
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    let lower = name.to_ascii_lowercase();
    let path = lower.split(['?', '#']).next().unwrap_or("");
    if bytes.starts_with(b"%PDF-") || ct == "application/pdf" || path.ends_with(".pdf") {
        return Format::Pdf;
    }
    if ct.contains("html") || path.ends_with(".html") || path.ends_with(".htm") {
        return Format::Html;
    }
    if ct == "text/plain" || path.ends_with(".txt") || path.ends_with(".md") {
        return Format::Plain;
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with('<')
        && [
            "<html",
            "<body",
            "<!doctype html",
            "<p",
            "<h1",
            "<h2",
            "<div",
        ]
        .iter()
        .any(|t| head.contains(t))
    {
        Format::Html
    } else {
        Format::Plain
    }
}

/// Bytes of a file to text: UTF-8 (BOM removed), else the encoding chardetng guesses.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let mut det = chardetng::EncodingDetector::new();
            det.feed(bytes, true);
            let enc = det.guess(None, true);
            enc.decode(bytes).0.into_owned()
        }
    }
}

/// Whether a `--policy` argument is a URL (http/https) rather than a file path.
pub fn is_url(source: &str) -> bool {
    let l = source.to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://")
}

/// Parse a document of known format; PDFs go through the child process (`pdf_exe`).
pub async fn parse_document(
    format: Format,
    bytes: &[u8],
    text: Option<String>,
    source: &str,
    pdf_exe: &Path,
) -> Result<PolicyText, String> {
    match format {
        Format::Html => Ok(html::parse_html(
            &text.unwrap_or_else(|| decode(bytes)),
            source,
        )),
        Format::Plain => Ok(plain::parse_plain(
            &text.unwrap_or_else(|| decode(bytes)),
            source,
        )),
        Format::Pdf => {
            let tmp = tempfile::Builder::new()
                .suffix(".pdf")
                .tempfile()
                .map_err(|e| format!("cannot create a temporary file for the PDF: {e}"))?;
            std::fs::write(tmp.path(), bytes)
                .map_err(|e| format!("cannot write a temporary file for the PDF: {e}"))?;
            let text = pdf::extract_text(pdf_exe, tmp.path(), pdf::PDF_TIMEOUT).await?;
            Ok(plain::parse_plain(&text, source))
        }
    }
}

/// Read one file.
pub async fn load_file(path: &Path, pdf_exe: &Path) -> Result<PolicyText, String> {
    let source = path.display().to_string();
    if sniff_format(None, &source, b"") == Format::Pdf
        || std::fs::read(path).is_ok_and(|b| b.starts_with(b"%PDF-"))
    {
        // Hand the file itself to the child: no copy needed.
        let text = pdf::extract_text(pdf_exe, path, pdf::PDF_TIMEOUT).await?;
        return Ok(plain::parse_plain(&text, &source));
    }
    let bytes =
        std::fs::read(path).map_err(|e| format!("cannot read policy file {source}: {e}"))?;
    let format = sniff_format(None, &source, &bytes);
    parse_document(format, &bytes, None, &source, pdf_exe).await
}

/// Fetch and read one URL. Non-2xx answers are errors.
pub async fn load_url(
    url: &Url,
    fetcher: &Fetcher,
    pdf_exe: &Path,
) -> Result<(PolicyText, Url), String> {
    let fetched = fetcher
        .get(url)
        .await
        .map_err(|e| format!("cannot fetch policy {url}: {e} ({})", e.kind()))?;
    if !(200..300).contains(&fetched.status) {
        return Err(format!("policy {url} answered HTTP {}", fetched.status));
    }
    let source = fetched.final_url.to_string();
    let format = sniff_format(
        fetched.content_type.as_deref(),
        fetched.final_url.path(),
        &fetched.body,
    );
    let text = (format != Format::Pdf).then(|| fetched.text());
    let parsed = parse_document(format, &fetched.body, text, &source, pdf_exe).await?;
    Ok((parsed, fetched.final_url))
}

/// The privacy-inventory executable for PDF child processes.
pub fn current_exe() -> PathBuf {
    std::env::current_exe().unwrap_or_else(|_| PathBuf::from("privacy-inventory"))
}

/// Analyse text read from `urls` into a report [`Policy`].
fn finish(
    text: PolicyText,
    urls: Vec<String>,
    discovered_by: &str,
    catalog: &Catalog,
    error: Option<String>,
) -> Policy {
    let declarations = analyze::analyze_text(&text, catalog);
    Policy {
        urls,
        discovered_by: Some(discovered_by.to_string()),
        language: language::detect(&text.plain()),
        declarations,
        error,
    }
}

/// Read `sources` (URLs or files, in order) as one policy. A URL needs `fetcher`. Parts that fail
/// are named in `Policy.error`; the rest is still analysed.
pub async fn read_sources(
    sources: &[String],
    fetcher: Option<&Fetcher>,
    catalog: &Catalog,
    pdf_exe: &Path,
) -> Policy {
    let mut text = PolicyText::default();
    let mut urls = Vec::new();
    let mut errors = Vec::new();
    for s in sources {
        let part = if is_url(s) {
            match (Url::parse(s), fetcher) {
                (Ok(url), Some(f)) => load_url(&url, f, pdf_exe)
                    .await
                    .map(|(t, _)| (t, url.to_string())),
                (Ok(_), None) => Err(format!("cannot fetch {s}: no HTTP client in this context")),
                (Err(e), _) => Err(format!("{s} is not a valid URL: {e}")),
            }
        } else {
            load_file(Path::new(s), pdf_exe)
                .await
                .map(|t| (t, s.clone()))
        };
        match part {
            Ok((t, name)) => {
                if t.is_empty() {
                    errors.push(format!("{name}: no text found"));
                }
                text.extend(t);
                urls.push(name);
            }
            Err(e) => {
                errors.push(e);
                urls.push(s.clone());
            }
        }
    }
    let error = (!errors.is_empty()).then(|| errors.join("; "));
    finish(text, urls, "argument", catalog, error)
}

/// Whether a page fetched at a well-known path is a policy and not a soft 404 or the home page:
/// its main text names the policy.
fn looks_like_policy(text: &PolicyText) -> bool {
    let terms = &crate::policy::lexicon::Lexicon::get().link_terms;
    let folded = crate::policy::fold::fold_str(&text.plain());
    terms.strong.iter().any(|t| folded.contains(t.as_str()))
}

/// Find and read the policy for a scanned site (`--policy` first, then discovery). Never fails:
/// problems end up in `Policy.error`.
pub async fn read_for_site(
    config: &ScanConfig,
    obs: &Observations,
    fetcher: &Fetcher,
    catalog: &Catalog,
) -> Policy {
    let exe = current_exe();
    if !config.policy.is_empty() {
        return read_sources(&config.policy, Some(fetcher), catalog, &exe).await;
    }
    let mut errors = Vec::new();
    let ranked = discover::rank_links(&obs.policy_links, &config.start, &obs.first_party_domains);
    for cand in ranked.iter().filter(|c| c.score > 0).take(LINKS_TRIED) {
        match load_url(&cand.url, fetcher, &exe).await {
            Ok((text, _)) if !text.is_empty() => {
                return finish(text, vec![cand.url.to_string()], "link", catalog, None)
            }
            Ok(_) => errors.push(format!("{}: no text found", cand.url)),
            Err(e) => errors.push(e),
        }
    }
    for url in discover::well_known_urls(&config.start) {
        if let Ok((text, final_url)) = load_url(&url, fetcher, &exe).await {
            let redirected_home = final_url.path() == "/" && url.path() != "/";
            if !redirected_home && looks_like_policy(&text) {
                return finish(text, vec![url.to_string()], "well_known", catalog, None);
            }
        }
    }
    errors.push(
        "no privacy policy found (no policy link on the crawled pages, no well-known path answered); \
         pass it with --policy URL|FILE"
            .to_string(),
    );
    Policy {
        error: Some(errors.join("; ")),
        ..Default::default()
    }
}
