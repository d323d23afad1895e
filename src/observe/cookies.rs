//! `Set-Cookie` parsing into report cookies, keeping the raw header when it is malformed.
//!
//! Parsed by hand after RFC 6265 §5.2 (and 6265bis for nameless cookies) rather than with the
//! `cookie` crate, which rejects `foo` and `=bar` (browsers store both as nameless cookies) and
//! silently drops bad `Expires`/`SameSite` values: a DPO must see what the site actually sent.

use super::cookie_date::parse_cookie_date;
use super::SetCookieHeader;
use crate::domain::{host_within, normalize_host, FirstParty};
use crate::model::Cookie;
use crate::model::{Party, SetBy};
use std::time::{SystemTime, UNIX_EPOCH};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use url::Url;

/// Lifetimes are reported as sent (not capped at the 400 days browsers now apply, so a DPO sees
/// what the site asked for), only clamped at 2^40 s (~35,000 years) against overflow.
const MAX_SECONDS: i64 = 1 << 40;

/// Parse one header. Never fails: a malformed header becomes a cookie with `raw` and `warning` set.
pub fn parse_set_cookie(header: &SetCookieHeader, first_party: &FirstParty) -> Cookie {
    let mut warnings: Vec<String> = Vec::new();
    let raw = header.raw.as_str();
    let (pair, attributes) = match raw.find(';') {
        Some(i) => (&raw[..i], &raw[i + 1..]),
        None => (raw, ""),
    };
    // The value itself is not reported (it can be an identifier of the visitor).
    let (name, value) = match pair.find('=') {
        Some(i) => (trim(&pair[..i]), trim(&pair[i + 1..])),
        None => {
            warnings.push("no '=' in the name-value pair: browsers store a nameless cookie".into());
            ("", trim(pair))
        }
    };
    if name.is_empty() && value.is_empty() {
        warnings.push("empty name and value: browsers ignore this cookie".into());
    } else if name.is_empty() && pair.contains('=') {
        warnings.push("empty name: browsers store a nameless cookie".into());
    }
    if pair.chars().any(|c| c.is_control() && c != '\t') {
        warnings.push("control character in name or value: browsers ignore this cookie".into());
    }

    let host = header
        .response_url
        .host_str()
        .map(normalize_host)
        .unwrap_or_default();
    let date = header.date.unwrap_or_else(SystemTime::now);
    let date_secs = unix_seconds(date);

    let mut cookie = Cookie {
        name: name.to_string(),
        set_by: SetBy::Header,
        setter_url: Some(header.response_url.to_string()),
        ..Default::default()
    };
    let mut domain_attr: Option<String> = None;
    let mut path_attr: Option<String> = None;
    let mut expires: Option<OffsetDateTime> = None;
    let mut max_age: Option<i64> = None;

    for attr in attributes.split(';') {
        let (key, val) = match attr.find('=') {
            Some(i) => (trim(&attr[..i]), trim(&attr[i + 1..])),
            None => (trim(attr), ""),
        };
        match key.to_ascii_lowercase().as_str() {
            "" => {}
            "expires" => match parse_cookie_date(val) {
                Some(t) => expires = Some(t),
                None => warnings.push(format!("invalid Expires {val:?}: ignored, as browsers do")),
            },
            "max-age" => match parse_max_age(val) {
                Some(v) => max_age = Some(v),
                None => warnings.push(format!("invalid Max-Age {val:?}: ignored, as browsers do")),
            },
            "domain" => {
                let d = val.trim_start_matches('.').to_ascii_lowercase();
                if !d.is_empty() {
                    domain_attr = Some(normalize_host(&d));
                }
            }
            // A Path not starting with '/' means the default path (RFC 6265 §5.2.4).
            "path" if val.starts_with('/') => path_attr = Some(val.to_string()),
            "secure" => cookie.secure = true,
            "httponly" => cookie.http_only = true,
            "samesite" => match val.to_ascii_lowercase().as_str() {
                v @ ("lax" | "strict" | "none") => cookie.same_site = Some(v.to_string()),
                _ => warnings.push(format!(
                    "invalid SameSite {val:?}: browsers treat the cookie as SameSite=Lax"
                )),
            },
            _ => {}
        }
    }

    cookie.domain = match &domain_attr {
        Some(d) => {
            if !host_within(&host, d) {
                warnings.push(format!(
                    "Domain={d} does not cover the response host {host}: browsers reject this cookie"
                ));
            } else if psl_suffix(d) && *d != host {
                warnings.push(format!(
                    "Domain={d} is a public suffix: browsers reject this cookie"
                ));
            }
            format!(".{d}")
        }
        None => host.clone(),
    };
    cookie.path = path_attr.unwrap_or_else(|| default_path(&header.response_url));
    cookie.expires = expires.and_then(|t| t.format(&Rfc3339).ok());
    cookie.lifetime_seconds = match (max_age, expires) {
        (Some(m), _) => Some(m),
        (None, Some(t)) => Some((t.unix_timestamp() - date_secs).clamp(-MAX_SECONDS, MAX_SECONDS)),
        (None, None) => None,
    };
    cookie.session = max_age.is_none() && expires.is_none();
    cookie.deletion = cookie.lifetime_seconds.is_some_and(|l| l <= 0);
    let cookie_host = cookie.domain.trim_start_matches('.');
    cookie.party = if first_party.contains(cookie_host) {
        Party::First
    } else {
        Party::Third
    };
    if !warnings.is_empty() {
        cookie.raw = Some(raw.to_string());
        cookie.warning = Some(warnings.join("; "));
    }
    cookie
}

/// `d` is itself a public suffix (`co.uk`, `github.io`): its registrable domain is longer.
fn psl_suffix(d: &str) -> bool {
    psl::suffix_str(d) == Some(d)
}

/// RFC 6265 whitespace: SP and HTAB.
fn trim(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

/// Max-Age: an optional `-` and digits; anything else is ignored by browsers.
fn parse_max_age(v: &str) -> Option<i64> {
    let digits = v.strip_prefix('-').unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = digits.parse().unwrap_or(MAX_SECONDS).min(MAX_SECONDS);
    Some(if v.starts_with('-') { -n } else { n })
}

/// RFC 6265 §5.1.4 default-path: the request path up to, not including, its last `/`.
pub fn default_path(url: &Url) -> String {
    let path = url.path();
    match path.rfind('/') {
        Some(0) | None => "/".into(),
        Some(i) if path.starts_with('/') => path[..i].to_string(),
        Some(_) => "/".into(),
    }
}

fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs().min(MAX_SECONDS as u64) as i64,
        Err(e) => -(e.duration().as_secs().min(MAX_SECONDS as u64) as i64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// 2026-01-01T00:00:00Z
    const DATE: u64 = 1_767_225_600;

    fn parse_at(raw: &str, url: &str) -> Cookie {
        let header = SetCookieHeader {
            raw: raw.into(),
            response_url: Url::parse(url).unwrap(),
            date: Some(UNIX_EPOCH + Duration::from_secs(DATE)),
        };
        parse_set_cookie(&header, &FirstParty::new(["example.com".to_string()]))
    }

    fn parse(raw: &str) -> Cookie {
        parse_at(raw, "https://www.example.com/shop/cart")
    }

    #[test]
    fn full_first_party_cookie() {
        let c = parse(
            "_ga=GA1.2.3; Domain=.Example.com; Path=/; Max-Age=63072000; Secure; SameSite=LAX",
        );
        assert_eq!(c.name, "_ga");
        assert_eq!(c.domain, ".example.com");
        assert_eq!(c.path, "/");
        assert_eq!(c.lifetime_seconds, Some(63_072_000));
        assert!(!c.session && c.secure && !c.http_only && !c.deletion);
        assert_eq!(c.same_site.as_deref(), Some("lax"));
        assert_eq!(c.party, "first");
        assert_eq!(c.set_by, "header");
        assert_eq!(
            c.setter_url.as_deref(),
            Some("https://www.example.com/shop/cart")
        );
        assert_eq!((c.raw, c.warning), (None, None));
    }

    #[test]
    fn host_only_session_cookie_gets_default_path() {
        let c = parse("sid=abc; HttpOnly");
        assert_eq!(c.domain, "www.example.com");
        assert_eq!(c.path, "/shop");
        assert!(c.session && c.http_only);
        assert_eq!(c.lifetime_seconds, None);
        assert_eq!(
            parse_at("a=b; Path=relative", "https://example.com/x").path,
            "/"
        );
    }

    #[test]
    fn expires_gives_rfc3339_and_lifetime_from_response_date() {
        let c = parse("id=1; Expires=Fri, 01-Jan-2027 00:00:00 GMT");
        assert_eq!(c.expires.as_deref(), Some("2027-01-01T00:00:00Z"));
        assert_eq!(c.lifetime_seconds, Some(365 * 86_400));
        assert!(!c.session && !c.deletion);
        // Max-Age wins over Expires.
        let c = parse("id=1; Expires=Fri, 01-Jan-2027 00:00:00 GMT; Max-Age=60");
        assert_eq!(c.lifetime_seconds, Some(60));
    }

    #[test]
    fn deletions() {
        assert!(parse("id=; Max-Age=0").deletion);
        assert!(parse("id=; Max-Age=-1").deletion);
        assert!(parse("id=; Expires=Thu, 01 Jan 1970 00:00:00 GMT").deletion);
        assert!(!parse("id=1; Max-Age=1").deletion);
    }

    #[test]
    fn third_party_cookie() {
        let c = parse_at(
            "IDE=x; Domain=doubleclick.net; SameSite=None; Secure",
            "https://ad.doubleclick.net/pixel",
        );
        assert_eq!(c.domain, ".doubleclick.net");
        assert_eq!(c.party, "third");
        assert_eq!(c.same_site.as_deref(), Some("none"));
    }

    #[test]
    fn malformed_headers_keep_raw_and_warn() {
        let c = parse("foo");
        assert_eq!((c.name.as_str(), c.raw.as_deref()), ("", Some("foo")));
        assert!(c.warning.unwrap().contains("nameless"));
        let c = parse("=bar; Path=/");
        assert_eq!(c.name, "");
        assert!(c.warning.unwrap().contains("empty name"));
        let c = parse("a=b; Expires=someday; SameSite=sometimes; Max-Age=12abc");
        let w = c.warning.unwrap();
        assert!(
            w.contains("Expires") && w.contains("SameSite") && w.contains("Max-Age"),
            "{w}"
        );
        assert!(c.session, "ignored Expires/Max-Age leave a session cookie");
        assert_eq!(c.same_site, None);
        assert_eq!(
            c.raw.as_deref(),
            Some("a=b; Expires=someday; SameSite=sometimes; Max-Age=12abc")
        );
        let c = parse("a=b; Domain=other.example");
        assert!(c.warning.unwrap().contains("reject"));
        let c = parse_at("a=b; Domain=co.uk", "https://shop.example.co.uk/");
        assert!(c.warning.unwrap().contains("public suffix"));
    }

    #[test]
    fn default_paths() {
        let p = |s: &str| default_path(&Url::parse(s).unwrap());
        assert_eq!(p("https://e.com"), "/");
        assert_eq!(p("https://e.com/a"), "/");
        assert_eq!(p("https://e.com/a/b/c"), "/a/b");
        assert_eq!(p("https://e.com/a/"), "/a");
    }
}
