//! The cookie-date algorithm of RFC 6265 §5.1.1, which is what browsers accept in `Expires`.
//!
//! `httpdate` only takes the three HTTP formats; real sites send `Thu, 01-Jan-2030 00:00:00 GMT`,
//! `Wednesday, 09 Jun 2027 10:18:14 GMT`, two-digit years and worse, and browsers read them all.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// Parse an `Expires` value the way browsers do; `None` when they would ignore it.
pub fn parse_cookie_date(s: &str) -> Option<OffsetDateTime> {
    let mut time: Option<(u8, u8, u8)> = None;
    let mut day: Option<u8> = None;
    let mut month: Option<Month> = None;
    let mut year: Option<i32> = None;
    for token in s.split(is_delimiter).filter(|t| !t.is_empty()) {
        if time.is_none() {
            if let Some(t) = parse_time(token) {
                time = Some(t);
                continue;
            }
        }
        if day.is_none() {
            if let Some(d) = leading_digits(token, 1, 2) {
                day = Some(d as u8);
                continue;
            }
        }
        if month.is_none() {
            if let Some(m) = parse_month(token) {
                month = Some(m);
                continue;
            }
        }
        if year.is_none() {
            if let Some(y) = leading_digits(token, 2, 4) {
                year = Some(y as i32);
                continue;
            }
        }
    }
    let mut year = year?;
    if (70..=99).contains(&year) {
        year += 1900;
    } else if (0..=69).contains(&year) {
        year += 2000;
    }
    let (h, m, sec) = time?;
    let (day, month) = (day?, month?);
    if year < 1601 || !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 59 {
        return None;
    }
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let t = Time::from_hms(h, m, sec).ok()?;
    Some(PrimitiveDateTime::new(date, t).assume_utc())
}

/// %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E
fn is_delimiter(c: char) -> bool {
    matches!(c, '\x09' | '\x20'..='\x2F' | '\x3B'..='\x40' | '\x5B'..='\x60' | '\x7B'..='\x7E')
}

/// `min..=max` digits at the start of `token`, followed by nothing or a non-digit.
fn leading_digits(token: &str, min: usize, max: usize) -> Option<u32> {
    let n = token.bytes().take_while(u8::is_ascii_digit).count();
    if n < min || n > max {
        return None;
    }
    token[..n].parse().ok()
}

/// `h:m:s`, each one or two digits; anything after the seconds' digits is allowed.
fn parse_time(token: &str) -> Option<(u8, u8, u8)> {
    let mut parts = token.splitn(3, ':');
    let h = parts.next()?;
    let m = parts.next()?;
    let s = parts.next()?;
    let digits = |p: &str, whole: bool| -> Option<u8> {
        let n = p.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || n > 2 || (whole && n != p.len()) {
            return None;
        }
        p[..n].parse().ok()
    };
    Some((digits(h, true)?, digits(m, true)?, digits(s, false)?))
}

fn parse_month(token: &str) -> Option<Month> {
    let prefix = token.get(..3)?.to_ascii_lowercase();
    Some(match prefix.as_str() {
        "jan" => Month::January,
        "feb" => Month::February,
        "mar" => Month::March,
        "apr" => Month::April,
        "may" => Month::May,
        "jun" => Month::June,
        "jul" => Month::July,
        "aug" => Month::August,
        "sep" => Month::September,
        "oct" => Month::October,
        "nov" => Month::November,
        "dec" => Month::December,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Option<i64> {
        parse_cookie_date(s).map(OffsetDateTime::unix_timestamp)
    }

    #[test]
    fn formats_browsers_accept() {
        let want = Some(1_893_456_000); // 2030-01-01T00:00:00Z
        assert_eq!(ts("Tue, 01 Jan 2030 00:00:00 GMT"), want);
        assert_eq!(ts("Tue, 01-Jan-2030 00:00:00 GMT"), want);
        assert_eq!(ts("Tuesday, 01-Jan-30 00:00:00 GMT"), want);
        assert_eq!(ts("Tue Jan  1 00:00:00 2030"), want);
        assert_eq!(ts("1 jan 2030 00:00:00"), want);
        assert_eq!(ts("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
    }

    #[test]
    fn rejects_what_browsers_ignore() {
        assert_eq!(ts("never"), None);
        assert_eq!(ts("Tue, 31 Feb 2030 00:00:00 GMT"), None);
        assert_eq!(ts("Tue, 01 Jan 2030"), None);
        assert_eq!(ts("Tue, 01 Jan 1600 00:00:00 GMT"), None);
        assert_eq!(ts("Tue, 01 Jan 2030 24:00:00 GMT"), None);
        assert_eq!(ts(""), None);
    }
}
