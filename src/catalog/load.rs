//! Reading catalog files: the data embedded at compile time and user files, parsed with spans so
//! every problem names its file, line and field; merged by id (later files win).

use super::model::{Company, Service};
use super::raw::{parse, CatalogErrors, CatalogIssue, RawCompany, RawService, SourceFile, S};
use super::{validate, Catalog};
use include_dir::{include_dir, Dir};
use std::borrow::Cow;
use std::path::PathBuf;

static DATA: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/data/catalog");

/// File in `data/catalog/` that holds the category vocabulary, not services.
const CATEGORIES_FILE: &str = "categories.toml";

/// The embedded data files (name, text), sorted by name; `categories.toml` excluded.
pub static BUILTIN_FILES: std::sync::LazyLock<Vec<(&'static str, &'static str)>> =
    std::sync::LazyLock::new(|| {
        let mut files: Vec<(&str, &str)> = DATA
            .files()
            .filter(|f| f.path().extension().is_some_and(|e| e == "toml"))
            .filter(|f| f.path().file_name().is_some_and(|n| n != CATEGORIES_FILE))
            .filter_map(|f| Some((f.path().to_str()?, f.contents_utf8()?)))
            .collect();
        files.sort();
        files
    });

/// The embedded files, parsed.
pub(crate) fn builtin_sources() -> (Vec<SourceFile>, Vec<CatalogIssue>) {
    let mut ok = Vec::new();
    let mut issues = Vec::new();
    for (name, text) in BUILTIN_FILES.iter() {
        match parse(&format!("data/catalog/{name}"), Cow::Borrowed(text), true) {
            Ok(f) => ok.push(f),
            Err(i) => issues.push(i),
        }
    }
    (ok, issues)
}

/// Read and parse user files.
pub(crate) fn user_sources(paths: &[PathBuf]) -> (Vec<SourceFile>, Vec<CatalogIssue>) {
    let mut ok = Vec::new();
    let mut issues = Vec::new();
    for p in paths {
        let name = p.display().to_string();
        match std::fs::read_to_string(p) {
            Ok(text) => match parse(&name, Cow::Owned(text), false) {
                Ok(f) => ok.push(f),
                Err(i) => issues.push(i),
            },
            Err(e) => issues.push(CatalogIssue {
                file: name,
                line: 0,
                column: 0,
                field: "file".into(),
                message: format!("cannot read the catalog file ({e}); check the --catalog path"),
            }),
        }
    }
    (ok, issues)
}

/// Built-in catalog plus user files, validated and merged.
pub(crate) fn load(user_files: &[PathBuf]) -> Result<Catalog, CatalogErrors> {
    let (mut sources, mut issues) = builtin_sources();
    let (user, user_issues) = user_sources(user_files);
    sources.extend(user);
    issues.extend(user_issues);
    merged(&sources, issues)
}

/// The merged catalog, or every issue (read, parse and merge alike), sorted and deduplicated.
fn merged(sources: &[SourceFile], mut issues: Vec<CatalogIssue>) -> Result<Catalog, CatalogErrors> {
    let catalog = merge(sources, &mut issues);
    if issues.is_empty() {
        Ok(catalog)
    } else {
        issues.sort();
        issues.dedup();
        Err(CatalogErrors(issues))
    }
}

/// Merge sources in order (later ids replace earlier), validate, and build the catalog.
pub(crate) fn merge(sources: &[SourceFile], issues: &mut Vec<CatalogIssue>) -> Catalog {
    validate::duplicates(sources, issues);
    let mut companies: std::collections::BTreeMap<String, Company> = Default::default();
    let mut services: Vec<(usize, usize, Service)> = Vec::new(); // (file, entry, service)
    let mut first_party = Vec::new();
    for (fi, f) in sources.iter().enumerate() {
        for c in &f.raw.company {
            validate::company(f, c, issues);
            companies.insert(c.get_ref().id.get_ref().clone(), to_company(c.get_ref()));
        }
        for (si, s) in f.raw.service.iter().enumerate() {
            validate::service(f, s, issues);
            let svc = to_service(s.get_ref());
            services.retain(|(_, _, old)| old.id != svc.id);
            services.push((fi, si, svc));
        }
        for d in &f.raw.first_party {
            validate::first_party(f, d, issues);
            first_party.push(d.get_ref().domain.get_ref().clone());
        }
    }
    validate::company_refs(sources, &services, &companies, issues);
    validate::host_claims(sources, &mut services, issues);
    Catalog::from_parts(
        services.into_iter().map(|(_, _, s)| s).collect(),
        companies.into_values().collect(),
    )
    .with_first_party(first_party)
}

fn strings(v: &[S]) -> Vec<String> {
    v.iter().map(|s| s.get_ref().clone()).collect()
}

fn to_company(c: &RawCompany) -> Company {
    Company {
        id: c.id.get_ref().clone(),
        name: c.name.get_ref().clone(),
        parent: c.parent.as_ref().map(|p| p.get_ref().clone()),
        country: c.country.as_ref().map(|p| p.get_ref().clone()),
        aliases: strings(&c.aliases),
        formerly: strings(&c.formerly),
        source: c.source.as_ref().map(|p| p.get_ref().clone()),
    }
}

fn to_service(s: &RawService) -> Service {
    Service {
        id: s.id.get_ref().clone(),
        name: s.name.get_ref().clone(),
        company: s.company.get_ref().clone(),
        categories: strings(s.categories.get_ref()),
        hosts: strings(&s.hosts),
        cookies: strings(&s.cookies),
        signatures: strings(&s.signatures),
        paths: strings(&s.paths),
        urls: strings(&s.urls),
        aliases: strings(&s.aliases),
        family: s.family.as_ref().map(|p| p.get_ref().clone()),
        shared_hosts: s.shared_hosts,
        source: s.source.as_ref().map(|p| p.get_ref().clone()),
    }
}

/// Only the given files, without the built-in catalog (tests, and tools that ship their own catalog).
pub(crate) fn load_files_only(paths: &[PathBuf]) -> Result<Catalog, CatalogErrors> {
    let (sources, issues) = user_sources(paths);
    merged(&sources, issues)
}

/// Validate one user file against the built-in catalog (`catalog check`): the errors it would cause
/// when passed as `--catalog`.
pub fn check_file(path: &std::path::Path) -> Result<Catalog, CatalogErrors> {
    load(&[path.to_path_buf()])
}

/// Validate the built-in catalog alone (`catalog check` without a file): duplicate ids, unknown
/// companies, hosts claimed by two services and entries without a source note.
pub fn check_builtin() -> Result<Catalog, CatalogErrors> {
    load(&[])
}

/// Entries of a user file without a `source` note (notes for `catalog check FILE`; the file still
/// loads). Empty when the file cannot be read or parsed: `check_file` reports that.
pub fn unsourced_entries(path: &std::path::Path) -> Vec<CatalogIssue> {
    let (sources, _) = user_sources(&[path.to_path_buf()]);
    sources.iter().flat_map(validate::unsourced).collect()
}
