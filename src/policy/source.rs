//! Getting the policy: from `--policy` arguments (URLs or files, read as one policy), from the
//! best crawled policy link, or from well-known paths; then reading it by format.

use crate::catalog::{Catalog, Inventory};
use crate::config::ScanConfig;
use crate::crawl::Fetcher;
use crate::model::{Policy, PolicySource};
use crate::observe::Observations;
use crate::policy::rendered::{self, Renderer};
use crate::policy::{analyze, discover, html, language, pdf, plain, PolicyText};
use futures_util::stream::{self, StreamExt};
use std::path::{Path, PathBuf};
use url::Url;

/// How many ranked links are tried before falling back to well-known paths.
const LINKS_TRIED: usize = 3;
/// Well-known policy paths fetched at once (a slow site answers each one slowly).
const WELL_KNOWN_CONCURRENCY: usize = 6;

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

/// One policy document read: its text, where it ended up, how it was read, and what its HTML
/// says about text that lives elsewhere when it is thin.
pub struct Loaded {
    /// The text.
    pub text: PolicyText,
    /// Where it came from.
    pub source: PolicySource,
    /// Thin page: where its text may be instead.
    pub thin: Option<rendered::Thin>,
}

/// Read one policy URL: rendered in the browser when there is one (the text a visitor sees),
/// else (or when it is no HTML page, e.g. a PDF) over HTTP.
pub async fn load_page(
    url: &Url,
    fetcher: &Fetcher,
    renderer: Option<&dyn Renderer>,
    pdf_exe: &Path,
) -> Result<Loaded, String> {
    let generator = rendered::generator_of(url).map(|g| g.id.clone());
    if let Some(r) = renderer {
        if let Ok(page) = r.render(url).await {
            let text = html::parse_html(&page.html, page.final_url.as_str());
            let thin = rendered::thin_page(&text, &page.html, &page.final_url);
            return Ok(Loaded {
                text,
                source: PolicySource {
                    url: url.to_string(),
                    read_with: "browser".into(),
                    generator,
                },
                thin,
            });
        }
    }
    let fetched = fetcher
        .get(url)
        .await
        .map_err(|e| format!("cannot fetch policy {url}: {e} ({})", e.kind()))?;
    if !(200..300).contains(&fetched.status) {
        return Err(format!("policy {url} answered HTTP {}", fetched.status));
    }
    let final_url = fetched.final_url.clone();
    let format = sniff_format(
        fetched.content_type.as_deref(),
        final_url.path(),
        &fetched.body,
    );
    let (text, thin) = if format == Format::Html {
        let body = fetched.text();
        drop(fetched);
        let text = html::parse_html(&body, final_url.as_str());
        let thin = rendered::thin_page(&text, &body, &final_url);
        (text, thin)
    } else {
        let text = (format != Format::Pdf).then(|| fetched.text());
        let parsed =
            parse_document(format, &fetched.body, text, final_url.as_str(), pdf_exe).await?;
        (parsed, None)
    };
    Ok(Loaded {
        text,
        source: PolicySource {
            url: url.to_string(),
            read_with: "http".into(),
            generator,
        },
        thin,
    })
}

/// Read a policy link: the page itself, or, when the page is thin and links to a known policy
/// generator's host, the generator's page. Static mode notes a thin page that looks filled by
/// script. Returns the text, the documents read, and a note for `Policy.error`.
async fn read_link(
    url: &Url,
    fetcher: &Fetcher,
    renderer: Option<&dyn Renderer>,
    pdf_exe: &Path,
) -> Result<(PolicyText, Vec<PolicySource>, Option<String>), String> {
    let page = load_page(url, fetcher, renderer, pdf_exe).await?;
    let Some(thin) = page.thin.clone() else {
        return Ok((page.text, vec![page.source], None));
    };
    if let Some(link) = thin.generator_link.as_ref().filter(|l| *l != url) {
        if let Ok(g) = load_page(link, fetcher, renderer, pdf_exe).await {
            if !g.text.is_empty() {
                let mut text = page.text;
                text.extend(g.text);
                return Ok((text, vec![page.source, g.source], None));
            }
        }
    }
    let note = match renderer {
        None => rendered::script_rendered_hint(url, &thin),
        Some(_) => None,
    };
    Ok((page.text, vec![page.source], note))
}

/// The privacy-inventory executable for PDF child processes.
pub fn current_exe() -> PathBuf {
    std::env::current_exe().unwrap_or_else(|_| PathBuf::from("privacy-inventory"))
}

/// Analyse text read from `urls` into a report [`Policy`].
fn finish(
    text: PolicyText,
    sources: Vec<PolicySource>,
    discovered_by: &str,
    catalog: &Catalog,
    error: Option<String>,
    observed: &analyze::Observed,
) -> Policy {
    let mut declarations = analyze::analyze_text(&text, catalog);
    declarations.extend(analyze::observed_declarations(&text, observed));
    Policy {
        urls: sources.iter().map(|s| s.url.clone()).collect(),
        discovered_by: Some(discovered_by.to_string()),
        language: language::detect(&text.plain()),
        declarations,
        error,
        sources,
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
    read_sources_for(
        sources,
        fetcher,
        catalog,
        pdf_exe,
        &analyze::Observed::default(),
    )
    .await
}

/// [`read_sources`], also looking for what the scan observed (see [`analyze::observed_declarations`]).
async fn read_sources_for(
    sources: &[String],
    fetcher: Option<&Fetcher>,
    catalog: &Catalog,
    pdf_exe: &Path,
    observed: &analyze::Observed,
) -> Policy {
    let mut text = PolicyText::default();
    let mut urls = Vec::new();
    let mut errors = Vec::new();
    let source = |url: String, read_with: &str| PolicySource {
        generator: Url::parse(&url)
            .ok()
            .and_then(|u| rendered::generator_of(&u).map(|g| g.id.clone())),
        url,
        read_with: read_with.into(),
    };
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
        let how = if is_url(s) { "http" } else { "file" };
        match part {
            Ok((t, name)) => {
                if t.is_empty() {
                    errors.push(format!("{name}: no text found"));
                }
                text.extend(t);
                urls.push(source(name, how));
            }
            Err(e) => {
                errors.push(e);
                urls.push(source(s.clone(), how));
            }
        }
    }
    let error = (!errors.is_empty()).then(|| errors.join("; "));
    finish(text, urls, "argument", catalog, error, observed)
}

/// Whether a page fetched at a well-known path is a policy and not a soft 404 or the home page:
/// its main text names the policy.
fn looks_like_policy(text: &PolicyText) -> bool {
    let terms = &crate::policy::lexicon::Lexicon::get().link_terms;
    let folded = crate::policy::fold::fold_str(&text.plain());
    terms.strong.iter().any(|t| folded.contains(t.as_str()))
}

/// Shortest brand looked for: shorter labels ("ab", "io") are ordinary words or abbreviations.
const MIN_BRAND_CHARS: usize = 4;

/// What the policy is searched for besides catalog names: brands of unexplained hosts and
/// cookie names (see [`analyze::Observed`]), from the attributed inventory (only it knows which
/// hosts a catalog service explains).
fn observed_unknowns(inventory: &Inventory) -> analyze::Observed {
    let mut cookies: Vec<String> = inventory
        .cookies
        .iter()
        .filter(|c| c.name.chars().count() >= MIN_COOKIE_CHARS)
        .map(|c| c.name.clone())
        .collect();
    cookies.sort();
    cookies.dedup();
    analyze::Observed {
        brands: unexplained_brands(inventory),
        cookies,
    }
}

/// Shortest cookie name looked for ("id" would match ordinary text).
const MIN_COOKIE_CHARS: usize = 3;

/// Brands of third-party hosts no catalog service explains (the label of the registrable domain:
/// "airform" for `api.airform.io`), sorted; hosts only navigated to are left out.
fn unexplained_brands(inventory: &Inventory) -> Vec<String> {
    let mut brands: Vec<String> = inventory
        .third_parties
        .iter()
        .filter(|t| t.service.is_none() && !t.navigation_only())
        .filter_map(|t| {
            let reg = crate::domain::registrable_domain(&t.host);
            let label = reg.split('.').next()?.to_string();
            (label.len() >= MIN_BRAND_CHARS && label.chars().all(|c| c.is_ascii_alphanumeric()))
                .then_some(label)
        })
        .collect();
    brands.sort();
    brands.dedup();
    brands
}

/// Find and read the policy for a scanned site (`--policy` first, then discovery). Policy links
/// are read through `renderer` when the scan has a browser (the text a visitor sees). Never
/// fails: problems end up in `Policy.error`. `obs` gives the crawled policy links; `inventory`
/// what the catalog could not explain, which the policy is searched for too.
pub async fn read_for_site(
    config: &ScanConfig,
    obs: &Observations,
    inventory: &Inventory,
    fetcher: &Fetcher,
    renderer: Option<&dyn Renderer>,
    catalog: &Catalog,
) -> Policy {
    let exe = current_exe();
    let observed = observed_unknowns(inventory);
    if !config.policy.is_empty() {
        return read_sources_for(&config.policy, Some(fetcher), catalog, &exe, &observed).await;
    }
    let mut errors = Vec::new();
    let ranked = discover::rank_links(&obs.policy_links, &config.start, &obs.first_party_domains);
    for cand in ranked.iter().filter(|c| c.score > 0).take(LINKS_TRIED) {
        match read_link(&cand.url, fetcher, renderer, &exe).await {
            Ok((text, sources, note)) if !text.is_empty() => {
                return finish(text, sources, "link", catalog, note, &observed)
            }
            Ok((_, _, note)) => {
                errors.push(note.unwrap_or_else(|| format!("{}: no text found", cand.url)))
            }
            Err(e) => errors.push(e),
        }
    }
    // The well-known paths are tried WELL_KNOWN_CONCURRENCY at a time but judged in list order
    // (the first that is a policy wins, as if tried one by one), within one deadline for all.
    let deadline = tokio::time::Instant::now() + config.timeout.saturating_mul(2);
    let exe_ref = &exe;
    let mut tries = stream::iter(discover::well_known_urls(&config.start))
        .map(|url| async move {
            let loaded = load_url(&url, fetcher, exe_ref).await;
            (url, loaded)
        })
        .buffered(WELL_KNOWN_CONCURRENCY);
    loop {
        match tokio::time::timeout_at(deadline, tries.next()).await {
            Ok(Some((url, Ok((text, final_url))))) => {
                let redirected_home = final_url.path() == "/" && url.path() != "/";
                if !redirected_home && looks_like_policy(&text) {
                    let source = PolicySource {
                        url: url.to_string(),
                        read_with: "http".into(),
                        generator: None,
                    };
                    return finish(text, vec![source], "well_known", catalog, None, &observed);
                }
            }
            Ok(Some((_, Err(_)))) => {}
            Ok(None) => break,
            Err(_) => {
                errors.push(format!(
                    "the well-known policy paths did not all answer within {:?}",
                    config.timeout.saturating_mul(2)
                ));
                break;
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
