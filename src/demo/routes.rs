//! Per-site special responses for the fixture server, read from `<site>/_routes.toml`.
//!
//! A fixture site is mostly plain files; the few responses a file cannot express (a status code,
//! several `Set-Cookie` headers, a redirect, a delay before headers, a slow-drip body, a body of
//! 30 MB that must not live in git, an endless calendar) are rules:
//!
//! ```toml
//! [[route]]
//! host = "www.site.test"        # optional: absent or "*" = every host
//! path = "/calendar/*"          # exact path, or a prefix ending in "*"; the query is ignored
//! status = 200                  # default 200 (302 when `location` is set)
//! headers = [["Set-Cookie", "sid=1; Path=/"], ["Set-Cookie", "lang=en"]]
//! location = "/elsewhere"       # Location header
//! delay_ms = 3000               # wait before sending headers
//! content_type = "text/html; charset=windows-1252"
//! body = "<p>inline body</p>"   # or: file = "www.site.test/other.html" (relative to the site)
//! generate = { kind = "calendar" }   # filler | nested | repeat | garbage | calendar | sitemap
//! drip = { bytes = 16, interval_ms = 200 }   # send the body in small pieces
//! ```
//!
//! The first rule that matches wins. A rule without `body`, `file` or `generate` serves the
//! static file at the request path (so a rule can just add headers to a real page).

use serde::Deserialize;

/// File name of the rules file at the root of a site source.
pub const ROUTES_FILE: &str = "_routes.toml";

/// The parsed rules file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Routes {
    /// Rules in file order.
    #[serde(default)]
    pub route: Vec<Route>,
}

/// One special response.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Host (port stripped, lowercase); `None` or `"*"` matches every host.
    #[serde(default)]
    pub host: Option<String>,
    /// Exact path, or a prefix when it ends in `*`.
    pub path: String,
    /// Status code; default 302 with `location`, else 200.
    #[serde(default)]
    pub status: Option<u16>,
    /// Extra headers in order; a name may repeat (several `Set-Cookie`).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// `Location` header for redirects.
    #[serde(default)]
    pub location: Option<String>,
    /// Wait this long before sending the status line and headers.
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Send the body slowly.
    #[serde(default)]
    pub drip: Option<Drip>,
    /// Body generated at request time instead of stored.
    #[serde(default)]
    pub generate: Option<Generate>,
    /// Content-Type override.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Literal body.
    #[serde(default)]
    pub body: Option<String>,
    /// Serve this file (path relative to the site root, e.g. `www.site.test/a.html`).
    #[serde(default)]
    pub file: Option<String>,
}

/// A body sent a few bytes at a time (slowloris in reverse: tests timeouts that cover the body).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drip {
    /// Bytes per piece (at least 1).
    pub bytes: usize,
    /// Pause before each piece.
    pub interval_ms: u64,
}

/// Bodies made at request time, so big or endless fixtures never live in git.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Generate {
    /// An HTML page of exactly `bytes` bytes (a heading, then repeated paragraphs).
    Filler {
        /// Total size.
        bytes: u64,
    },
    /// About `bytes` bytes of `<div>` nested ever deeper, then a third-party script and a link at
    /// the bottom: html5ever is quadratic in depth, a streaming extractor is not.
    Nested {
        /// Approximate total size.
        bytes: u64,
        /// Optional external script placed at the deepest point.
        #[serde(default)]
        script: Option<String>,
    },
    /// `text` repeated up to exactly `bytes` bytes, served as text/plain (a huge robots.txt).
    Repeat {
        /// The text to repeat (must not be empty).
        text: String,
        /// Total size.
        bytes: u64,
    },
    /// `bytes` bytes of non-text noise (a binary robots.txt, a corrupt page).
    Garbage {
        /// Total size.
        bytes: u64,
    },
    /// `/calendar/YYYY-MM-DD` (or `/events?date=YYYY-MM-DD`) pages, each linking to the next
    /// day: a crawler trap without end.
    Calendar,
    /// A sitemap listing `urls` URLs `<base><n>` (a huge sitemap when `urls` is large).
    Sitemap {
        /// How many `<url>` entries.
        urls: usize,
        /// URL prefix of each entry.
        base: String,
    },
}

impl Routes {
    /// Parse a rules file; the error names the file and says what is wrong.
    pub fn parse(text: &str) -> Result<Routes, String> {
        let routes: Routes = toml::from_str(text).map_err(|e| format!("{ROUTES_FILE}: {e}"))?;
        for r in &routes.route {
            if !r.path.starts_with('/') {
                return Err(format!(
                    "{ROUTES_FILE}: path {:?} must start with '/'",
                    r.path
                ));
            }
            if matches!(&r.generate, Some(Generate::Repeat { text, .. }) if text.is_empty()) {
                return Err(format!(
                    "{ROUTES_FILE}: generate.text must not be empty (path {:?})",
                    r.path
                ));
            }
            if matches!(r.drip, Some(d) if d.bytes == 0) {
                return Err(format!(
                    "{ROUTES_FILE}: drip.bytes must be at least 1 (path {:?})",
                    r.path
                ));
            }
        }
        Ok(routes)
    }

    /// The first rule for `host` (lowercase, no port) and `path` (no query).
    pub fn find(&self, host: &str, path: &str) -> Option<&Route> {
        self.route.iter().find(|r| r.matches(host, path))
    }
}

impl Route {
    /// Whether this rule applies to `host` and `path`.
    pub fn matches(&self, host: &str, path: &str) -> bool {
        let host_ok = match self.host.as_deref() {
            None | Some("*") => true,
            Some(h) => h.eq_ignore_ascii_case(host),
        };
        let path_ok = match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => self.path == path,
        };
        host_ok && path_ok
    }

    /// Status to send.
    pub fn status(&self) -> u16 {
        self.status
            .unwrap_or(if self.location.is_some() { 302 } else { 200 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
[[route]]
host = "www.site.test"
path = "/"
headers = [["Set-Cookie", "a=1"], ["Set-Cookie", "b=2"]]

[[route]]
path = "/calendar/*"
generate = { kind = "calendar" }

[[route]]
path = "/old"
location = "/new"

[[route]]
path = "/slow"
drip = { bytes = 4, interval_ms = 10 }
generate = { kind = "filler", bytes = 100 }
"#;

    #[test]
    fn parses_and_matches_in_order() {
        let r = Routes::parse(SAMPLE).unwrap();
        assert_eq!(r.route.len(), 4);
        let home = r.find("www.site.test", "/").unwrap();
        assert_eq!(home.headers.len(), 2);
        assert!(r.find("other.test", "/").is_none());
        let cal = r.find("any.test", "/calendar/2026-11-29").unwrap();
        assert_eq!(cal.generate, Some(Generate::Calendar));
        assert_eq!(r.find("x.test", "/old").unwrap().status(), 302);
        assert_eq!(r.find("x.test", "/slow").unwrap().status(), 200);
        assert!(r.find("x.test", "/calendar").is_none());
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        let e = Routes::parse("[[route]]\npath = \"x\"\n").unwrap_err();
        assert!(e.contains("must start with '/'"), "{e}");
        let e = Routes::parse("[[route]]\npath = \"/\"\nstauts = 1\n").unwrap_err();
        assert!(e.contains("stauts"), "{e}");
        let e = Routes::parse("[[route]]\npath = \"/\"\ndrip = { bytes = 0, interval_ms = 1 }\n")
            .unwrap_err();
        assert!(e.contains("drip.bytes"), "{e}");
    }
}
