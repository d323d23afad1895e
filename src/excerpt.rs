//! Excerpts: how long site-controlled text is cut, the same for the evidence sentences the
//! reconcile stage writes and for every report writer.

/// Cut `s` to at most `max` characters, ending with `…` when cut (counts chars, not bytes, so
/// it never splits a UTF-8 sequence).
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}
