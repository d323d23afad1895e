//! One-line evidence sentences a DPO can paste into a ticket.
//!
//! Sentences are built from report data only (hosts, pages, resource types, declarations), so
//! they are deterministic. They contain site-controlled strings unescaped: every writer escapes
//! the whole sentence for its own format.

use super::Seen;
use crate::model::{Declaration, ServiceUse};
use std::collections::BTreeSet;

/// Pages listed in a finding.
pub const MAX_PAGES: usize = 20;

/// Excerpts quoted inside an evidence sentence are cut to this many characters.
const QUOTE_CHARS: usize = 160;

/// "www.googletagmanager.com (Google Tag Manager, Google Ireland Limited)"; with several hosts
/// the service leads, so the verb that follows stays singular: "Google Fonts
/// (fonts.googleapis.com and 1 other host, Google Ireland Limited)"; without hosts "Google
/// Analytics (Google Ireland Limited)".
pub fn who(svc: &ServiceUse) -> String {
    let mut company = svc.company.clone();
    if company.is_empty() {
        company = "unknown company".into();
    }
    match svc.hosts.as_slice() {
        [] => format!("{} ({company})", svc.name),
        [h] => format!("{h} ({}, {company})", svc.name),
        [h, rest @ ..] => format!(
            "{} ({h} and {} other host{}, {company})",
            svc.name,
            rest.len(),
            plural(rest.len()),
        ),
    }
}

/// What the site does with these hosts: "loads a script and fonts", "embeds an iframe and sets
/// cookie _vuid", "receives form submissions".
pub fn activity(report: &Seen<'_>, hosts: &[String], cookies: &[String]) -> String {
    let mut types: BTreeSet<&str> = BTreeSet::new();
    for tp in report
        .third_parties
        .iter()
        .filter(|t| hosts.contains(&t.host))
    {
        types.extend(tp.resource_types.iter().map(String::as_str));
    }
    // A `<noscript>` entry is not a script that runs; its resource type (image) speaks for it.
    for s in report.scripts.iter().filter(|s| !s.noscript) {
        if s.host.as_ref().is_some_and(|h| hosts.contains(h)) {
            types.insert("script");
        }
    }
    const PHRASES: &[(&str, &str, &str)] = &[
        ("script", "loads", "a script"),
        ("font", "loads", "fonts"),
        ("stylesheet", "loads", "a stylesheet"),
        ("image", "loads", "an image or pixel"),
        ("media", "loads", "media"),
        ("document", "loads", "a document"),
        ("iframe", "embeds", "an iframe"),
        ("object", "embeds", "an object"),
        ("xhr", "receives", "requests"),
        ("beacon", "receives", "beacons"),
        ("websocket", "receives", "WebSocket connections"),
        ("form", "receives", "form data on submit"),
        ("preload", "is", "preloaded"),
        ("preconnect", "is", "preconnected"),
        ("dns-prefetch", "is", "DNS-prefetched"),
    ];
    let mut verbs: Vec<(&str, Vec<&str>)> = Vec::new();
    for (t, verb, object) in PHRASES {
        if !types.contains(t) {
            continue;
        }
        match verbs.iter_mut().find(|(v, _)| v == verb) {
            Some((_, objects)) => objects.push(object),
            None => verbs.push((verb, vec![object])),
        }
    }
    let mut clauses: Vec<String> = verbs
        .iter()
        .map(|(verb, objects)| format!("{verb} {}", join_and(objects)))
        .collect();
    if clauses.is_empty() && !types.is_empty() {
        clauses.push("is contacted".into());
    }
    if !cookies.is_empty() {
        clauses.push(format!(
            "sets cookie{} {}",
            plural(cookies.len()),
            list(cookies, 3)
        ));
    }
    if clauses.is_empty() {
        return "is used".into();
    }
    let refs: Vec<&str> = clauses.iter().map(String::as_str).collect();
    join_and(&refs)
}

/// "on 12 pages, e.g. https://example.com/" / "on https://example.com/" / "" (no page known).
pub fn where_seen(pages: &[String]) -> String {
    match pages {
        [] => String::new(),
        [p] => format!(" on {p}"),
        [p, ..] => format!(" on {} pages, e.g. {p}", pages.len()),
    }
}

/// What the policy says about a name: "the privacy policy does not name X or Y", or why there is
/// no policy to compare against.
pub fn policy_silence(report: &Seen<'_>, names: &[&str]) -> String {
    // A policy URL that failed (404, broken PDF) is listed in `urls` too: with nothing declared
    // and an error, the policy was not read, which is not the same as "does not name".
    if report.policy.declarations.is_empty()
        && (report.policy.urls.is_empty() || report.policy.error.is_some())
    {
        return match &report.policy.error {
            Some(e) => format!("no privacy policy could be read ({e})"),
            None => "no privacy policy was found".into(),
        };
    }
    let mut seen: Vec<&str> = Vec::new();
    for n in names {
        if !n.is_empty() && !seen.iter().any(|s| s.eq_ignore_ascii_case(n)) {
            seen.push(n);
        }
    }
    format!("the privacy policy does not name {}", join_or(&seen))
}

/// `"excerpt"` (section "A > B"), cut to a readable length.
pub fn quote(d: &Declaration) -> String {
    let excerpt = crate::excerpt::truncate(d.excerpt.trim(), QUOTE_CHARS);
    if d.section.is_empty() {
        format!("\"{excerpt}\"")
    } else {
        format!("\"{excerpt}\" (section \"{}\")", d.section)
    }
}

/// Sorted, deduplicated, at most [`MAX_PAGES`].
pub fn cap_pages(pages: impl IntoIterator<Item = String>) -> Vec<String> {
    let set: BTreeSet<String> = pages.into_iter().collect();
    set.into_iter().take(MAX_PAGES).collect()
}

/// "a, b, c and 2 more".
pub fn list(items: &[String], max: usize) -> String {
    let shown: Vec<&str> = items.iter().take(max).map(String::as_str).collect();
    let mut s = shown.join(", ");
    if items.len() > max {
        s.push_str(&format!(" and {} more", items.len() - max));
    }
    s
}

/// "s" unless exactly one.
pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn join_with(items: &[&str], word: &str) -> String {
    match items {
        [] => String::new(),
        [a] => a.to_string(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

fn join_and(items: &[&str]) -> String {
    join_with(items, "and")
}

fn join_or(items: &[&str]) -> String {
    join_with(items, "or")
}
