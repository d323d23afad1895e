//! `privacy-inventory catalog …`: look up, list, check and import catalog entries.

use super::exit::Exit;
use super::output::print_stdout;
use crate::catalog::{self, Catalog, HostAttribution, Service};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Catalog subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum CatalogCmd {
    /// Why is a host, cookie, URL, response header or DNS name attributed the way it is?
    Lookup {
        /// A hostname, cookie name, URL, inline-script snippet, response header ("cf-ray",
        /// "server: cloudflare") or DNS name (a CNAME, PTR, MX or SPF include target).
        query: String,
        /// Extra catalog file merged over the built-in one (repeatable).
        #[arg(long, value_name = "FILE")]
        catalog: Vec<PathBuf>,
    },
    /// List catalog services (or the category vocabulary, or companies).
    List {
        /// Only services in this category.
        #[arg(long, value_name = "C")]
        category: Option<String>,
        /// Output format.
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
        /// List the category vocabulary instead of services.
        #[arg(long, conflicts_with_all = ["category", "companies"])]
        categories: bool,
        /// List companies instead of services.
        #[arg(long, conflicts_with = "category")]
        companies: bool,
        /// Extra catalog file merged over the built-in one (repeatable).
        #[arg(long, value_name = "FILE")]
        catalog: Vec<PathBuf>,
    },
    /// Validate a user catalog file, or the built-in catalog when no file is given: exit 0 when
    /// fine, 2 with `file:line:column: field: problem` lines (duplicate ids, unknown companies, hosts
    /// claimed twice, built-in entries without a source note).
    Check {
        /// The catalog file (TOML); omit it to check the built-in catalog.
        file: Option<PathBuf>,
    },
    /// Convert a third-party cookie list into a catalog file for `--catalog`.
    #[command(subcommand)]
    Import(ImportSource),
}

/// Lists `catalog import` understands.
#[derive(Debug, clap::Subcommand)]
pub enum ImportSource {
    /// The Open Cookie Database CSV (Apache-2.0; download open-cookie-database.csv yourself).
    OpenCookieDatabase {
        /// The CSV file.
        file: PathBuf,
        /// Where to write the catalog file (TOML).
        #[arg(long, short = 'o', value_name = "FILE")]
        output: PathBuf,
    },
}

/// Run a catalog subcommand.
pub fn run(cmd: CatalogCmd) -> Exit {
    match cmd {
        CatalogCmd::Lookup { query, catalog } => with_catalog(&catalog, |c| {
            print_stdout(&lookup_text(c, &query));
            Exit::Ok
        }),
        CatalogCmd::List {
            category,
            format,
            categories,
            companies,
            catalog,
        } => with_catalog(&catalog, |c| {
            if let Some(cat) = &category {
                if !catalog::is_category(cat) {
                    return super::usage_error(format!(
                        "unknown category \"{cat}\"; see `privacy-inventory catalog list --categories`"
                    ));
                }
            }
            print_stdout(&list(
                c,
                category.as_deref(),
                &format,
                categories,
                companies,
            ));
            Exit::Ok
        }),
        CatalogCmd::Check { file: None } => match catalog::check_builtin() {
            Ok(c) => {
                print_stdout(&format!(
                    "built-in catalog: ok ({} services, {} companies, {} files)\n",
                    c.services().len(),
                    c.companies().len(),
                    catalog::BUILTIN_FILES.len()
                ));
                Exit::Ok
            }
            Err(e) => {
                eprintln!("{e}");
                eprintln!(
                    "privacy-inventory: error: {} problem(s) in the built-in catalog",
                    e.0.len()
                );
                Exit::Usage
            }
        },
        CatalogCmd::Check { file: Some(file) } => match catalog::check_file(&file) {
            Ok(c) => {
                // Not an error in a user file, but worth a line: a shared catalog gets reviewed.
                for note in catalog::unsourced_entries(&file) {
                    eprintln!("note: {note}");
                }
                print_stdout(&format!(
                    "{}: ok ({} services, {} companies after merging with the built-in catalog)\n",
                    file.display(),
                    c.services().len(),
                    c.companies().len()
                ));
                Exit::Ok
            }
            Err(e) => {
                eprintln!("{e}");
                eprintln!(
                    "privacy-inventory: error: {} problem(s) in the catalog",
                    e.0.len()
                );
                Exit::Usage
            }
        },
        CatalogCmd::Import(ImportSource::OpenCookieDatabase { file, output }) => {
            import(&file, &output)
        }
    }
}

fn with_catalog(files: &[PathBuf], f: impl FnOnce(&Catalog) -> Exit) -> Exit {
    match Catalog::load(files) {
        Ok(c) => f(&c),
        Err(e) => {
            eprintln!("{e}");
            super::usage_error(
                "the catalog has errors; fix them (see `privacy-inventory catalog check FILE`)",
            )
        }
    }
}

fn import(file: &std::path::Path, output: &std::path::Path) -> Exit {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return super::usage_error(format!("cannot read {}: {e}", file.display())),
    };
    let builtin = match Catalog::builtin() {
        Ok(c) => c,
        Err(e) => return super::usage_error(format!("the built-in catalog is invalid:\n{e}")),
    };
    let imported = match catalog::import::open_cookie_database(&text, &builtin) {
        Ok(i) => i,
        Err(e) => return super::usage_error(format!("{}: {e}", file.display())),
    };
    if let Err(e) = crate::report::json::write_atomic(output, &imported.toml) {
        return super::usage_error(format!("cannot write {}: {e}", output.display()));
    }
    eprintln!(
        "wrote {}: {} services ({} overriding built-in ones), {} cookie patterns; skipped {} rows the built-in catalog already knows and {} invalid names",
        output.display(),
        imported.services,
        imported.overrides,
        imported.cookies,
        imported.known,
        imported.invalid
    );
    Exit::Ok
}

fn describe(out: &mut String, c: &Catalog, s: &Service) {
    let _ = writeln!(out, "  service:    {} ({})", s.id, s.name);
    match c.company_of(s) {
        Some(co) => {
            let mut extra = Vec::new();
            if let Some(p) = &co.parent {
                extra.push(format!("parent {p}"));
            }
            if let Some(cc) = &co.country {
                extra.push(cc.clone());
            }
            let extra = if extra.is_empty() {
                String::new()
            } else {
                format!(", {}", extra.join(", "))
            };
            let _ = writeln!(out, "  company:    {} ({}{extra})", co.name, co.id);
        }
        None => {
            let _ = writeln!(out, "  company:    {} (not in the catalog)", s.company);
        }
    }
    let _ = writeln!(out, "  categories: {}", s.categories.join(", "));
}

fn looks_like_host(q: &str) -> bool {
    q.contains('.')
        && !q.starts_with('.')
        && q.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

/// Explain every way `query` can be read (host, URL, cookie name, script snippet).
pub fn lookup_text(c: &Catalog, query: &str) -> String {
    let q = query.trim();
    let mut out = String::new();
    let mut found = false;
    if q.contains("://") {
        match url::Url::parse(q) {
            Ok(u) => {
                let host = u.host_str().unwrap_or_default().to_string();
                found |= explain_host(&mut out, c, &host, Some(&u));
                for (s, marker) in c.path_matches(u.path()) {
                    found = true;
                    let _ = writeln!(out, "path {}: matched path marker \"{marker}\" (a self-hosted tool when the host is the site's own)", u.path());
                    describe(&mut out, c, s);
                }
            }
            Err(e) => {
                let _ = writeln!(out, "not a valid URL ({e})");
            }
        }
    } else if looks_like_host(q) {
        found |= explain_host(&mut out, c, q, None);
    }
    if !q.contains("://") && !q.is_empty() {
        let fp = c.cookie_matches(q, true);
        let tp = c.lookup_cookie(q, false);
        for (n, m) in fp.iter().enumerate() {
            found = true;
            let rank = if n == 0 { "best match" } else { "also matches" };
            let _ = writeln!(out, "cookie {q}: {rank}, pattern \"{}\"", m.pattern);
            describe(&mut out, c, m.service);
        }
        if let (Some(first), Some(third)) = (fp.first(), tp) {
            if first.service.id != third.id {
                let _ = writeln!(
                    out,
                    "  (as a third-party cookie on an unknown domain: {})",
                    third.id
                );
            }
        }
        for (s, sig) in c.script_matches(q) {
            found = true;
            let _ = writeln!(out, "script: contains signature \"{sig}\"");
            describe(&mut out, c, s);
        }
    }
    for line in catalog::infrastructure::explain(q) {
        found = true;
        let _ = writeln!(out, "infrastructure: {line}");
    }
    if !found {
        let _ = writeln!(out, "{q}: not in the catalog (no host suffix, cookie pattern, path marker or signature matches)");
    }
    out
}

fn explain_host(out: &mut String, c: &Catalog, host: &str, url: Option<&url::Url>) -> bool {
    if c.is_marked_first_party(host) {
        let _ = writeln!(out, "host {host}: first party (marked in a user catalog)");
        return true;
    }
    match c.attribute_host(host) {
        HostAttribution::Service {
            service, suffix, ..
        } => {
            let service = url.and_then(|u| c.lookup_url(u)).unwrap_or(service);
            let shared = c.lookup_host_all(host);
            let _ = writeln!(out, "host {host}: matched host suffix \"{suffix}\"");
            if shared.len() > 1 {
                let ids: Vec<&str> = shared.iter().map(|s| s.id.as_str()).collect();
                let _ = writeln!(
                    out,
                    "  shared host: {} (a path marker in the URL decides, else the first)",
                    ids.join(", ")
                );
            }
            describe(out, c, service);
            true
        }
        HostAttribution::Company {
            company, domain, ..
        } => {
            let _ = writeln!(
                out,
                "host {host}: no service matches; its parent domain \"{domain}\" belongs to one company"
            );
            let _ = writeln!(out, "  company:    {} ({})", company.name, company.id);
            true
        }
        HostAttribution::Unattributed { registrable_domain } => {
            let _ = writeln!(
                out,
                "host {host}: unattributed (registrable domain \"{registrable_domain}\")"
            );
            false
        }
    }
}

#[derive(serde::Serialize)]
struct ListedService<'a> {
    #[serde(flatten)]
    service: &'a Service,
    company_name: Option<&'a str>,
}

fn list(
    c: &Catalog,
    category: Option<&str>,
    format: &str,
    categories: bool,
    companies: bool,
) -> String {
    let json = format == "json";
    if categories {
        let cats = catalog::categories();
        if json {
            return serde_json::to_string_pretty(cats).unwrap_or_default() + "\n";
        }
        return cats
            .iter()
            .map(|k| format!("{:<24} {}\n", k.id, k.description))
            .collect();
    }
    if companies {
        if json {
            return serde_json::to_string_pretty(c.companies()).unwrap_or_default() + "\n";
        }
        return c
            .companies()
            .iter()
            .map(|k| {
                format!(
                    "{:<28} {} [{}]\n",
                    k.id,
                    k.name,
                    k.country.as_deref().unwrap_or("-")
                )
            })
            .collect();
    }
    let services: Vec<&Service> = c
        .services()
        .iter()
        .filter(|s| category.is_none_or(|cat| s.categories.iter().any(|x| x == cat)))
        .collect();
    if json {
        let listed: Vec<ListedService> = services
            .iter()
            .map(|s| ListedService {
                service: s,
                company_name: c.company_of(s).map(|k| k.name.as_str()),
            })
            .collect();
        return serde_json::to_string_pretty(&listed).unwrap_or_default() + "\n";
    }
    services
        .iter()
        .map(|s| {
            let company = c
                .company_of(s)
                .map_or(s.company.as_str(), |k| k.name.as_str());
            format!(
                "{:<32} {:<36} {:<40} {}\n",
                s.id,
                s.name,
                company,
                s.categories.join(",")
            )
        })
        .collect()
}
