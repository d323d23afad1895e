//! Import of the Open Cookie Database (Apache-2.0, <https://github.com/jkwakman/Open-Cookie-Database>)
//! into a user catalog file: the user downloads the CSV, we never ship it.
//!
//! Choices, so the output always passes `catalog check` and never fights the built-in catalog:
//! - One service per `Platform`, id `ocd-<platform>`; its company is the built-in company whose name or
//!   alias equals `Data Controller`, else a new `ocd-<controller>` company.
//! - A platform whose name equals a built-in service's name or alias becomes an override of that
//!   service (same id, built-in fields kept) with the extra cookies added. Such an entry freezes the
//!   built-in one: re-run the import after upgrading.
//! - Cookies the built-in catalog already attributes the same way are dropped; wildcard rows become
//!   prefix patterns (`_gac_` → `_gac_*`).
//! - `Domain` is free text ("cookiebot.com (3rd party)"); a clean hostname becomes a host only when the
//!   built-in catalog does not attribute it and no other imported platform claimed it first.
//! - Categories: Analytics → analytics, Marketing → advertising, Security → security,
//!   Personalization/Preferences → personalization, Functional and anything else → other.

use super::validate::{host_problem, is_kebab};
use super::{Catalog, Company, Service};
use std::collections::{BTreeMap, BTreeSet};

/// What an import produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The catalog file (TOML), ready for `--catalog`.
    pub toml: String,
    /// Services written (new and overrides).
    pub services: usize,
    /// Of those, overrides of built-in services.
    pub overrides: usize,
    /// Cookie patterns written.
    pub cookies: usize,
    /// Rows skipped because the built-in catalog already attributes the cookie to that platform.
    pub known: usize,
    /// Rows skipped because the name is empty or not a valid cookie name.
    pub invalid: usize,
}

/// One row, by column name (order in the file does not matter).
struct Row {
    platform: String,
    category: String,
    name: String,
    domain: String,
    controller: String,
    wildcard: bool,
}

/// Convert Open Cookie Database CSV text into a catalog file merged over `builtin`.
pub fn open_cookie_database(csv_text: &str, builtin: &Catalog) -> Result<Imported, String> {
    let rows = read_rows(csv_text)?;
    let mut by_platform: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for r in rows {
        by_platform.entry(r.platform.clone()).or_default().push(r);
    }
    let mut out = Imported {
        toml: String::new(),
        services: 0,
        overrides: 0,
        cookies: 0,
        known: 0,
        invalid: 0,
    };
    let mut companies: BTreeMap<String, Company> = BTreeMap::new();
    let mut services: Vec<Service> = Vec::new();
    let mut claimed_hosts: BTreeSet<String> = BTreeSet::new();
    let mut used_ids: BTreeSet<String> = BTreeSet::new();
    for (platform, rows) in by_platform {
        let base = find_service(builtin, &platform);
        let mut cookies: BTreeSet<String> = BTreeSet::new();
        let mut categories: BTreeSet<&'static str> = BTreeSet::new();
        let mut hosts: BTreeSet<String> = BTreeSet::new();
        for r in &rows {
            let Some(pattern) = cookie_pattern(&r.name, r.wildcard) else {
                out.invalid += 1;
                continue;
            };
            let exact_probe = pattern.trim_end_matches('*');
            let known = builtin
                .cookie_matches(exact_probe, true)
                .iter()
                .any(|m| base.is_none_or(|b| b.id == m.service.id) && m.pattern == pattern);
            if known {
                out.known += 1;
                continue;
            }
            categories.insert(map_category(&r.category));
            cookies.insert(pattern);
            if let Some(h) = clean_host(&r.domain) {
                if base.is_none()
                    && builtin.lookup_host(&h).is_none()
                    && !claimed_hosts.contains(&h)
                {
                    hosts.insert(h);
                }
            }
        }
        if cookies.is_empty() {
            continue;
        }
        if let Some(b) = base {
            let mut s = b.clone();
            for c in cookies {
                if !s.cookies.contains(&c) {
                    s.cookies.push(c);
                    out.cookies += 1;
                }
            }
            out.overrides += 1;
            services.push(s);
            continue;
        }
        let controller = rows
            .iter()
            .map(|r| r.controller.trim())
            .find(|c| !c.is_empty())
            .unwrap_or(&platform)
            .to_string();
        let company = match find_company(builtin, &controller) {
            Some(c) => c.id.clone(),
            None => {
                let id = format!("ocd-{}", slug(&controller));
                companies.entry(id.clone()).or_insert_with(|| Company {
                    id: id.clone(),
                    name: controller.clone(),
                    parent: None,
                    country: None,
                    aliases: Vec::new(),
                    formerly: Vec::new(),
                    source: Some(OCD_SOURCE.into()),
                });
                id
            }
        };
        let mut id = format!("ocd-{}", slug(&platform));
        let mut n = 2;
        while used_ids.contains(&id) || builtin.service(&id).is_some() {
            id = format!("ocd-{}-{n}", slug(&platform));
            n += 1;
        }
        used_ids.insert(id.clone());
        claimed_hosts.extend(hosts.iter().cloned());
        out.cookies += cookies.len();
        services.push(Service {
            id,
            name: platform.clone(),
            company,
            categories: categories.into_iter().map(String::from).collect(),
            hosts: hosts.into_iter().collect(),
            cookies: cookies.into_iter().collect(),
            signatures: Vec::new(),
            paths: Vec::new(),
            urls: Vec::new(),
            aliases: Vec::new(),
            family: None,
            shared_hosts: false,
            source: Some(OCD_SOURCE.into()),
        });
    }
    services.sort_by(|a, b| a.id.cmp(&b.id));
    out.services = services.len();
    #[derive(serde::Serialize)]
    struct File {
        company: Vec<Company>,
        service: Vec<Service>,
    }
    let body = toml::to_string(&File {
        company: companies.into_values().collect(),
        service: services,
    })
    .map_err(|e| format!("cannot write the catalog as TOML: {e}"))?;
    out.toml = format!(
        "# Imported from the Open Cookie Database (Apache-2.0, https://github.com/jkwakman/Open-Cookie-Database)\n\
         # by `privacy-inventory catalog import open-cookie-database`. Entries whose id is a built-in\n\
         # service replace it; re-run the import after upgrading privacy-inventory.\n\n{body}"
    );
    Ok(out)
}

/// Source note of imported entries (`catalog check` lists entries without one).
const OCD_SOURCE: &str = "Open Cookie Database (Apache-2.0), imported by privacy-inventory";

fn read_rows(csv_text: &str) -> Result<Vec<Row>, String> {
    let mut rd = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(csv_text.as_bytes());
    let headers = rd
        .headers()
        .map_err(|e| format!("cannot read the CSV header: {e}"))?
        .clone();
    let col = |want: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(want))
    };
    let need = |want: &str| {
        col(want).ok_or_else(|| format!("the CSV has no \"{want}\" column; is this the Open Cookie Database CSV (open-cookie-database.csv)?"))
    };
    let (platform, category, name, wildcard) = (
        need("Platform")?,
        need("Category")?,
        need("Cookie / Data Key name")?,
        need("Wildcard match")?,
    );
    let (domain, controller) = (col("Domain"), col("Data Controller"));
    let mut rows = Vec::new();
    for (n, rec) in rd.records().enumerate() {
        let rec = rec.map_err(|e| format!("CSV row {}: {e}", n + 2))?;
        let get = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or("").trim().to_string();
        let platform = get(Some(platform));
        if platform.is_empty() {
            continue;
        }
        rows.push(Row {
            platform,
            category: get(Some(category)),
            name: get(Some(name)),
            domain: get(domain),
            controller: get(controller),
            wildcard: get(Some(wildcard)) == "1",
        });
    }
    Ok(rows)
}

fn cookie_pattern(name: &str, wildcard: bool) -> Option<String> {
    let base = name.trim().trim_end_matches('*');
    if base.is_empty()
        || base.contains('*')
        || base
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b == b';' || b == b'=' || b == b',')
    {
        return None;
    }
    Some(if wildcard {
        format!("{base}*")
    } else {
        base.to_string()
    })
}

fn map_category(c: &str) -> &'static str {
    match c.trim().to_ascii_lowercase().as_str() {
        "analytics" => "analytics",
        "marketing" => "advertising",
        "security" => "security",
        "personalization" | "personalisation" | "preferences" => "personalization",
        _ => "other",
    }
}

fn clean_host(domain: &str) -> Option<String> {
    let d = domain
        .split('(')
        .next()?
        .trim()
        .trim_start_matches('.')
        .to_ascii_lowercase();
    (host_problem(&d).is_none()).then_some(d)
}

/// Kebab-case id from a free-text name (ASCII letters and digits; anything else separates).
fn slug(name: &str) -> String {
    let mut s = String::new();
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            s.push(ch.to_ascii_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    let s = s.trim_end_matches('-').to_string();
    if is_kebab(&s) {
        s
    } else {
        "unnamed".into()
    }
}

fn find_service<'c>(catalog: &'c Catalog, platform: &str) -> Option<&'c Service> {
    catalog.services().iter().find(|s| {
        s.name.eq_ignore_ascii_case(platform)
            || s.aliases.iter().any(|a| a.eq_ignore_ascii_case(platform))
    })
}

fn find_company<'c>(catalog: &'c Catalog, controller: &str) -> Option<&'c Company> {
    catalog.companies().iter().find(|c| {
        c.name.eq_ignore_ascii_case(controller)
            || c.aliases.iter().any(|a| a.eq_ignore_ascii_case(controller))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_patterns() {
        assert_eq!(slug("Google Analytics 4"), "google-analytics-4");
        assert_eq!(slug("  Hubspot (CRM) "), "hubspot-crm");
        assert_eq!(slug("„“"), "unnamed");
        assert_eq!(cookie_pattern("_gac_", true).as_deref(), Some("_gac_*"));
        assert_eq!(cookie_pattern("_ga", false).as_deref(), Some("_ga"));
        assert_eq!(cookie_pattern("a b", false), None);
        assert_eq!(
            clean_host("cookiebot.com (3rd party)").as_deref(),
            Some("cookiebot.com")
        );
        assert_eq!(clean_host("advertiser's website domain"), None);
    }
}
