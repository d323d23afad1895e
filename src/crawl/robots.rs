//! robots.txt, fetched once per origin and shared by every worker.
//!
//! RFC 9309: a 4xx means no restrictions, a 5xx means "assume everything is disallowed". A body
//! over 512 KiB or over 5,000 lines is cut (the RFC asks crawlers to read at least 500 KiB) so a
//! huge or garbage file cannot stall the scan; the cut is recorded.

use super::fetch::Fetcher;
use crate::model::ErrorKind;
use crate::model::ScanError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use texting_robots::Robot;
use tokio::sync::OnceCell;
use url::Url;

/// Bytes of robots.txt read.
pub const MAX_ROBOTS_BYTES: u64 = 512 * 1024;
/// Lines of robots.txt parsed (texting_robots checks every rule per URL).
pub const MAX_ROBOTS_LINES: usize = 5_000;

/// What robots.txt says for one origin.
#[derive(Debug)]
pub enum RobotsRules {
    /// No robots.txt (4xx), unreadable, or `--ignore-robots`.
    AllowAll,
    /// robots.txt answered 5xx: RFC 9309 says assume complete disallow.
    DisallowAll,
    /// Parsed rules.
    Rules(Box<Robot>),
}

impl RobotsRules {
    /// Whether `url` may be fetched.
    pub fn allowed(&self, url: &Url) -> bool {
        match self {
            RobotsRules::AllowAll => true,
            RobotsRules::DisallowAll => false,
            RobotsRules::Rules(r) => r.allowed(url.as_str()),
        }
    }

    /// `Sitemap:` lines.
    pub fn sitemaps(&self) -> &[String] {
        match self {
            RobotsRules::Rules(r) => &r.sitemaps,
            _ => &[],
        }
    }
}

/// robots.txt per origin, each fetched once.
pub struct RobotsCache {
    agent: String,
    ignore: bool,
    cells: Mutex<HashMap<String, Arc<OnceCell<Arc<RobotsRules>>>>>,
}

impl RobotsCache {
    /// `user_agent`'s product token (before the first `/`) is matched against `User-agent:` lines.
    pub fn new(user_agent: &str, ignore: bool) -> Self {
        let agent = user_agent
            .split(['/', ' '])
            .next()
            .filter(|a| !a.is_empty())
            .unwrap_or("privacy-inventory")
            .to_string();
        RobotsCache {
            agent,
            ignore,
            cells: Mutex::new(HashMap::new()),
        }
    }

    /// The rules for `url`'s origin, fetching robots.txt the first time; problems go to `errors`.
    pub async fn rules_for(
        &self,
        fetcher: &Fetcher,
        url: &Url,
        errors: &mut Vec<ScanError>,
    ) -> Arc<RobotsRules> {
        if self.ignore {
            return Arc::new(RobotsRules::AllowAll);
        }
        let origin = url.origin().ascii_serialization();
        let cell = {
            let mut map = self.cells.lock().unwrap_or_else(|p| p.into_inner());
            map.entry(origin.clone()).or_default().clone()
        };
        cell.get_or_init(|| async {
            let robots_url = match Url::parse(&format!("{origin}/robots.txt")) {
                Ok(u) => u,
                Err(_) => return Arc::new(RobotsRules::AllowAll),
            };
            Arc::new(self.load(fetcher, &robots_url, errors).await)
        })
        .await
        .clone()
    }

    async fn load(&self, fetcher: &Fetcher, url: &Url, errors: &mut Vec<ScanError>) -> RobotsRules {
        let mut err = |message: String| {
            errors.push(ScanError {
                url: url.to_string(),
                kind: ErrorKind::Robots,
                message,
            })
        };
        let f = match fetcher.fetch(url, None, MAX_ROBOTS_BYTES).await {
            Ok(f) => f,
            Err(e) => {
                err(format!(
                    "robots.txt could not be fetched ({}); crawling as if it allowed everything",
                    e.error
                ));
                return RobotsRules::AllowAll;
            }
        };
        match f.status {
            200..=299 => {}
            500..=599 => {
                err(format!(
                    "robots.txt answered HTTP {}: RFC 9309 says to assume everything is disallowed (use --ignore-robots to scan anyway)",
                    f.status
                ));
                return RobotsRules::DisallowAll;
            }
            _ => return RobotsRules::AllowAll,
        }
        let mut body: &[u8] = &f.body;
        if f.truncated {
            err(format!(
                "robots.txt is larger than {MAX_ROBOTS_BYTES} bytes: only the first part was read"
            ));
        }
        if let Some(cut) = body
            .iter()
            .enumerate()
            .filter(|(_, &b)| b == b'\n')
            .nth(MAX_ROBOTS_LINES - 1)
            .map(|(i, _)| i)
        {
            err(format!("robots.txt has more than {MAX_ROBOTS_LINES} lines: only the first {MAX_ROBOTS_LINES} were read"));
            body = &body[..cut];
        }
        if looks_like_garbage(body) {
            err("robots.txt is not a text file of directives (binary or unreadable content); crawling as if it allowed everything".into());
            return RobotsRules::AllowAll;
        }
        match Robot::new(&self.agent, body) {
            Ok(r) => RobotsRules::Rules(Box::new(r)),
            Err(e) => {
                err(format!(
                    "robots.txt could not be parsed ({e}); crawling as if it allowed everything"
                ));
                RobotsRules::AllowAll
            }
        }
    }
}

/// A robots.txt that is not text: invalid UTF-8 or mostly control bytes, and no directive line.
/// A lenient parser reads such noise as "allow everything" without a word; the report should say.
fn looks_like_garbage(body: &[u8]) -> bool {
    if body.is_empty() {
        return false;
    }
    let sample = &body[..body.len().min(8192)];
    let control = sample
        .iter()
        .filter(|&&b| b < 0x09 || (0x0e..0x20).contains(&b) || b == 0x7f)
        .count();
    let text = String::from_utf8_lossy(sample);
    let has_directive = text.lines().any(|l| {
        let l = l.trim_start().to_ascii_lowercase();
        [
            "user-agent:",
            "disallow:",
            "allow:",
            "sitemap:",
            "crawl-delay:",
        ]
        .iter()
        .any(|d| l.starts_with(d))
    });
    !has_directive && (std::str::from_utf8(sample).is_err() || control * 20 > sample.len())
}

#[cfg(test)]
mod garbage_tests {
    use super::looks_like_garbage;

    #[test]
    fn binary_noise_is_garbage_but_odd_text_is_not() {
        let noise: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert!(looks_like_garbage(&noise));
        assert!(!looks_like_garbage(b"User-agent: *\nDisallow: /private\n"));
        assert!(!looks_like_garbage(b"# nothing here\n"));
    }
}
