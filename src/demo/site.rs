//! Where a fixture site's files come from: a directory on disk (tests) or a tree embedded in the
//! binary at compile time (the demo). Layout: `<root>/<hostname>/<path>`, `index.html` for
//! directories, `<root>/_routes.toml` for special responses.

use super::routes::{Routes, ROUTES_FILE};
use hyper::body::Bytes;
use std::path::PathBuf;

/// The files of a fixture site and all its third parties.
#[derive(Debug, Clone)]
pub enum SiteSource {
    /// A directory on disk, read on every request.
    Dir(PathBuf),
    /// A tree compiled into the binary (`include_dir!`).
    Embedded(&'static include_dir::Dir<'static>),
}

/// What a path names inside a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// A file and its bytes.
    File(Bytes),
    /// A directory (the server redirects to the path with a trailing slash).
    Dir,
    /// Nothing there.
    Missing,
}

impl SiteSource {
    /// Read and parse `_routes.toml`; a site without one has no special responses.
    pub fn routes(&self) -> Result<Routes, String> {
        let text = match self {
            SiteSource::Dir(root) => match std::fs::read_to_string(root.join(ROUTES_FILE)) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Routes::default()),
                Err(e) => return Err(format!("{}: {e}", root.join(ROUTES_FILE).display())),
            },
            SiteSource::Embedded(dir) => match dir.get_file(ROUTES_FILE) {
                Some(f) => String::from_utf8_lossy(f.contents()).into_owned(),
                None => return Ok(Routes::default()),
            },
        };
        Routes::parse(&text)
    }

    /// Look up `rel` (segments already validated by [`safe_segments`], joined with `/`).
    pub async fn lookup(&self, rel: &str) -> Lookup {
        match self {
            SiteSource::Dir(root) => {
                let path = root.join(rel);
                match tokio::fs::metadata(&path).await {
                    Ok(m) if m.is_dir() => Lookup::Dir,
                    Ok(_) => match tokio::fs::read(&path).await {
                        Ok(b) => Lookup::File(Bytes::from(b)),
                        Err(_) => Lookup::Missing,
                    },
                    Err(_) => Lookup::Missing,
                }
            }
            SiteSource::Embedded(dir) => {
                if let Some(f) = dir.get_file(rel) {
                    Lookup::File(Bytes::from_static(f.contents()))
                } else if dir.get_dir(rel).is_some() {
                    Lookup::Dir
                } else {
                    Lookup::Missing
                }
            }
        }
    }
}

/// A hostname fit to be a directory name: lowercase letters, digits, `-` and `.`, no empty label.
pub fn safe_host(host: &str) -> Option<String> {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    let ok = !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|l| !l.is_empty())
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    ok.then_some(h)
}

/// Percent-decoded path segments, or `None` for anything that could leave the site directory
/// (`..`, `.`, a `/` or `\` or NUL hidden in an escape) or is not UTF-8. Empty segments
/// (from `//` or a trailing `/`) are dropped.
pub fn safe_segments(path: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for raw in path.split('/') {
        if raw.is_empty() {
            continue;
        }
        let seg = percent_decode(raw)?;
        if seg == "." || seg == ".." || seg.contains(['/', '\\', '\0']) {
            return None;
        }
        out.push(seg);
    }
    Some(out)
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Content-Type by file extension. HTML carries no charset, so pages declare their own with
/// `<meta charset>` (the charset fixtures depend on that).
pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "pdf" => "application/pdf",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "vtt" => "text/vtt",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_and_odd_escapes_are_refused() {
        assert_eq!(
            safe_segments("/a/b%20c/").unwrap(),
            vec!["a".to_string(), "b c".to_string()]
        );
        assert!(safe_segments("/a/../b").is_none());
        assert!(safe_segments("/a/%2e%2e/b").is_none());
        assert!(safe_segments("/a%2fb").is_none());
        assert!(safe_segments("/%zz").is_none());
        assert!(safe_segments("/%ff").is_none());
        assert!(safe_segments("/x%").is_none());
    }

    #[test]
    fn hosts_are_directory_safe() {
        assert_eq!(
            safe_host("WWW.Site.Test.").as_deref(),
            Some("www.site.test")
        );
        assert!(safe_host("_routes.toml").is_none());
        assert!(safe_host("..").is_none());
        assert!(safe_host("a/b").is_none());
        assert!(safe_host("").is_none());
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("/a/b.CSS"), "text/css; charset=utf-8");
        assert_eq!(content_type("/index.html"), "text/html");
        assert_eq!(content_type("/font.woff2"), "font/woff2");
        assert_eq!(content_type("/noext"), "application/octet-stream");
    }
}
