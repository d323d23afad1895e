//! Validation rules for catalog files. Each rule reports at the span of the offending value, so a
//! user sees `file:line:column: service "x" hosts: …` and a sentence on how to fix it.

use super::model::{is_category, Company, Service};
use super::raw::{line_col, CatalogIssue, RawCompany, RawFirstParty, RawService, SourceFile};
use std::collections::{BTreeMap, HashMap};
use toml::Spanned;

/// Kebab-case: lowercase ASCII letters and digits in groups joined by single `-`.
pub fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Why `host` is not a valid catalog host (lowercase punycode, no scheme, port, path or wildcard).
pub fn host_problem(host: &str) -> Option<String> {
    if host.contains("://") {
        return Some("write the bare hostname without a scheme, e.g. \"cdn.example.com\"".into());
    }
    if host.contains('/') || host.contains('?') || host.contains('#') {
        return Some("write the bare hostname without a path".into());
    }
    if host.contains(':') {
        return Some("write the hostname without a port".into());
    }
    if host.contains('*') {
        return Some(
            "hosts are suffixes already: write \"example.com\", not \"*.example.com\"".into(),
        );
    }
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        return Some(format!(
            "hosts are lowercase: write \"{}\"",
            host.to_ascii_lowercase()
        ));
    }
    if !host.is_ascii() {
        return Some("write internationalised names in punycode (xn--…)".into());
    }
    if host.starts_with('.') || host.ends_with('.') || host.contains("..") {
        return Some("no leading, trailing or doubled dots".into());
    }
    if !host.contains('.') {
        return Some("a host needs at least two labels, e.g. \"example.com\"".into());
    }
    let ok_label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    };
    if !host.split('.').all(ok_label) {
        return Some(
            "only a-z, 0-9, '-' (not at a label's ends) and '_' are allowed in host labels".into(),
        );
    }
    None
}

fn cookie_problem(p: &str) -> Option<&'static str> {
    if p.is_empty() || p == "*" {
        return Some("a cookie pattern needs a name or a prefix before '*'");
    }
    if p.trim_end_matches('*').contains('*') || p.ends_with("**") {
        return Some("'*' is only allowed once, at the end (a prefix pattern like \"_ga_*\")");
    }
    if p.bytes()
        .any(|b| b.is_ascii_whitespace() || b == b';' || b == b'=' || b == b',')
    {
        return Some("cookie names cannot contain whitespace, ';', ',' or '='");
    }
    None
}

fn at<T>(s: &Spanned<T>) -> usize {
    s.span().start
}

/// Ids must be unique across built-in files and within each user file.
pub(crate) fn duplicates(sources: &[SourceFile], issues: &mut Vec<CatalogIssue>) {
    let mut layer: Vec<Vec<usize>> = vec![sources
        .iter()
        .enumerate()
        .filter(|(_, f)| f.builtin)
        .map(|(i, _)| i)
        .collect()];
    layer.extend(
        sources
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.builtin)
            .map(|(i, _)| vec![i]),
    );
    for files in layer {
        let mut seen_s: HashMap<&str, (usize, usize)> = HashMap::new();
        let mut seen_c: HashMap<&str, (usize, usize)> = HashMap::new();
        for &fi in &files {
            let f = &sources[fi];
            for s in &f.raw.service {
                let id = s.get_ref().id.get_ref().as_str();
                if let Some(&(pf, pat)) = seen_s.get(id) {
                    let (line, _) = line_col(&sources[pf].text, pat);
                    issues.push(f.issue(
                        at(&s.get_ref().id),
                        format!("service \"{id}\" id"),
                        format!(
                            "id already used by the service at {}:{line}; ids must be unique",
                            sources[pf].name
                        ),
                    ));
                } else {
                    seen_s.insert(id, (fi, at(&s.get_ref().id)));
                }
            }
            for c in &f.raw.company {
                let id = c.get_ref().id.get_ref().as_str();
                if let Some(&(pf, pat)) = seen_c.get(id) {
                    let (line, _) = line_col(&sources[pf].text, pat);
                    issues.push(f.issue(
                        at(&c.get_ref().id),
                        format!("company \"{id}\" id"),
                        format!(
                            "id already used by the company at {}:{line}; ids must be unique",
                            sources[pf].name
                        ),
                    ));
                } else {
                    seen_c.insert(id, (fi, at(&c.get_ref().id)));
                }
            }
        }
    }
}

/// Rules for one company entry.
pub(crate) fn company(f: &SourceFile, c: &Spanned<RawCompany>, issues: &mut Vec<CatalogIssue>) {
    let c = c.get_ref();
    let id = c.id.get_ref();
    let field = |name: &str| format!("company \"{id}\" {name}");
    if !is_kebab(id) {
        issues.push(f.issue(
            at(&c.id),
            field("id"),
            "ids are kebab-case: lowercase letters, digits and single '-'",
        ));
    }
    if c.name.get_ref().trim().is_empty() {
        issues.push(f.issue(
            at(&c.name),
            field("name"),
            "name the legal entity, e.g. \"Google Ireland Limited\"",
        ));
    }
    source_note(f, at(&c.id), c.source.as_ref(), field("source"), issues);
    if let Some(cc) = &c.country {
        let v = cc.get_ref();
        if !(v.len() == 2 && v.bytes().all(|b| b.is_ascii_uppercase())) {
            issues.push(f.issue(
                at(cc),
                field("country"),
                "use an ISO 3166 two-letter code in capitals, e.g. \"IE\" (\"EU\" for EU-wide)",
            ));
        }
    }
}

/// Rules for one service entry that need no other entry.
pub(crate) fn service(f: &SourceFile, s: &Spanned<RawService>, issues: &mut Vec<CatalogIssue>) {
    let table = at(s);
    let s = s.get_ref();
    let id = s.id.get_ref();
    let field = |name: &str| format!("service \"{id}\" {name}");
    if !is_kebab(id) {
        issues.push(f.issue(
            at(&s.id),
            field("id"),
            "ids are kebab-case: lowercase letters, digits and single '-'",
        ));
    }
    if s.name.get_ref().trim().is_empty() {
        issues.push(f.issue(
            at(&s.name),
            field("name"),
            "give the display name, e.g. \"Google Analytics\"",
        ));
    }
    source_note(f, at(&s.id), s.source.as_ref(), field("source"), issues);
    if s.categories.get_ref().is_empty() {
        issues.push(f.issue(
            at(&s.categories),
            field("categories"),
            "name at least one category from data/catalog/categories.toml",
        ));
    }
    for c in s.categories.get_ref() {
        if !is_category(c.get_ref()) {
            issues.push(f.issue(at(c), field("categories"), format!("unknown category \"{}\"; use one of `privacy-inventory catalog list --categories`", c.get_ref())));
        }
    }
    if s.hosts.is_empty() && s.cookies.is_empty() && s.signatures.is_empty() && s.paths.is_empty() {
        issues.push(f.issue(
            table,
            field("hosts"),
            "a service needs at least one host, cookie, signature or path to be recognised",
        ));
    }
    for h in &s.hosts {
        if let Some(p) = host_problem(h.get_ref()) {
            issues.push(f.issue(at(h), field("hosts"), format!("\"{}\": {p}", h.get_ref())));
        }
    }
    for c in &s.cookies {
        if let Some(p) = cookie_problem(c.get_ref()) {
            issues.push(f.issue(at(c), field("cookies"), format!("\"{}\": {p}", c.get_ref())));
        }
    }
    for sig in &s.signatures {
        if sig.get_ref().trim().len() < 4 {
            issues.push(f.issue(
                at(sig),
                field("signatures"),
                format!(
                    "\"{}\" is too short to be distinctive; use at least 4 characters",
                    sig.get_ref()
                ),
            ));
        }
    }
    for p in &s.paths {
        let v = p.get_ref();
        if !v.starts_with('/') || v.len() < 3 || v.contains("://") {
            issues.push(f.issue(
                at(p),
                field("paths"),
                format!("\"{v}\": a path marker starts with '/', e.g. \"/matomo.js\""),
            ));
        }
    }
    for u in &s.urls {
        let v = u.get_ref();
        let ok = v.split_once('/').is_some_and(|(host, path)| {
            !path.is_empty() && host_problem(host).is_none() && !v.contains("://")
        });
        if !ok {
            issues.push(f.issue(
                at(u),
                field("urls"),
                format!("\"{v}\": a URL rule is a host and a path without scheme, e.g. \"facebook.com/tr\""),
            ));
        }
    }
    if let Some(fam) = &s.family {
        if !is_kebab(fam.get_ref()) {
            issues.push(f.issue(at(fam), field("family"), "family ids are kebab-case"));
        }
    }
}

/// Built-in entries must say where their facts come from, so a reviewer can re-check a host claim
/// or a legal name; user files may leave it out (their author is the source). An empty note is
/// wrong in both.
fn source_note(
    f: &SourceFile,
    entry_at: usize,
    source: Option<&Spanned<String>>,
    field: String,
    issues: &mut Vec<CatalogIssue>,
) {
    match source {
        Some(s) if s.get_ref().trim().is_empty() => issues.push(f.issue(
            at(s),
            field,
            "the source note is empty; say where the facts come from, e.g. \"vendor docs: cdn.example.com serves the tag\"",
        )),
        None if f.builtin => issues.push(f.issue(entry_at, field, MISSING_SOURCE)),
        _ => {}
    }
}

/// Message for an entry without a `source` note.
pub(crate) const MISSING_SOURCE: &str = "no source note; add `source = \"…\"` saying where the facts come from, e.g. \"vendor docs: cdn.example.com serves the tag\"";

/// Entries of a user file without a `source` note: not an error there, but `catalog check` lists
/// them so a shared catalog can be reviewed like the built-in one.
pub(crate) fn unsourced(f: &SourceFile) -> Vec<CatalogIssue> {
    let mut out = Vec::new();
    for c in &f.raw.company {
        let c = c.get_ref();
        if c.source.is_none() {
            let field = format!("company \"{}\" source", c.id.get_ref());
            out.push(f.issue(at(&c.id), field, MISSING_SOURCE));
        }
    }
    for s in &f.raw.service {
        let s = s.get_ref();
        if s.source.is_none() {
            let field = format!("service \"{}\" source", s.id.get_ref());
            out.push(f.issue(at(&s.id), field, MISSING_SOURCE));
        }
    }
    out.sort();
    out
}

/// `[[first_party]] domain = "…"`.
pub(crate) fn first_party(
    f: &SourceFile,
    d: &Spanned<RawFirstParty>,
    issues: &mut Vec<CatalogIssue>,
) {
    let d = &d.get_ref().domain;
    if let Some(p) = host_problem(d.get_ref()) {
        issues.push(f.issue(
            at(d),
            "first_party domain",
            format!("\"{}\": {p}", d.get_ref()),
        ));
    }
}

/// Every (merged) service names a company that exists after merging.
pub(crate) fn company_refs(
    sources: &[SourceFile],
    services: &[(usize, usize, Service)],
    companies: &BTreeMap<String, Company>,
    issues: &mut Vec<CatalogIssue>,
) {
    for (fi, si, s) in services {
        if !companies.contains_key(&s.company) {
            let f = &sources[*fi];
            let raw = f.raw.service[*si].get_ref();
            issues.push(f.issue(at(&raw.company), format!("service \"{}\" company", s.id), format!("no company with id \"{}\"; add a [[company]] entry or use an existing id (`catalog list --companies`)", s.company)));
        }
    }
}

/// No host claimed by two services unless both set `shared_hosts`. A user file's claim takes the host
/// away from a built-in service (documented override); any other double claim is an error.
pub(crate) fn host_claims(
    sources: &[SourceFile],
    services: &mut [(usize, usize, Service)],
    issues: &mut Vec<CatalogIssue>,
) {
    let mut owner: HashMap<String, usize> = HashMap::new(); // host → position in `services`
    for pos in 0..services.len() {
        let hosts = services[pos].2.hosts.clone();
        let mut mine: Vec<&str> = Vec::new();
        for h in &hosts {
            if mine.contains(&h.as_str()) {
                let (fi, si, s) = &services[pos];
                issues.push(host_issue(
                    sources,
                    *fi,
                    *si,
                    h,
                    format!("service \"{}\" hosts", s.id),
                    "listed twice in this service".into(),
                ));
                continue;
            }
            mine.push(h);
            let Some(&prev) = owner.get(h) else {
                owner.insert(h.clone(), pos);
                continue;
            };
            let (pfi, psi, _) = services[prev];
            if services[prev].2.shared_hosts && services[pos].2.shared_hosts {
                continue;
            }
            let (fi, si) = (services[pos].0, services[pos].1);
            if sources[pfi].builtin && !sources[fi].builtin {
                services[prev].2.hosts.retain(|x| x != h);
                owner.insert(h.clone(), pos);
                continue;
            }
            let prev_id = services[prev].2.id.clone();
            let prev_at = raw_host_at(sources, pfi, psi, h).unwrap_or(0);
            let (pline, _) = line_col(&sources[pfi].text, prev_at);
            let msg = format!(
                "host \"{h}\" is already claimed by service \"{prev_id}\" ({}:{pline}); keep it in one service, or set shared_hosts = true on both",
                sources[pfi].name
            );
            issues.push(host_issue(
                sources,
                fi,
                si,
                h,
                format!("service \"{}\" hosts", services[pos].2.id),
                msg,
            ));
        }
    }
}

fn raw_host_at(sources: &[SourceFile], fi: usize, si: usize, host: &str) -> Option<usize> {
    let raw = sources[fi].raw.service[si].get_ref();
    raw.hosts.iter().rev().find(|h| h.get_ref() == host).map(at)
}

fn host_issue(
    sources: &[SourceFile],
    fi: usize,
    si: usize,
    host: &str,
    field: String,
    msg: String,
) -> CatalogIssue {
    let f = &sources[fi];
    let pos = raw_host_at(sources, fi, si, host).unwrap_or_else(|| at(&f.raw.service[si]));
    f.issue(pos, field, msg)
}
