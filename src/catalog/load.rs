//! Reading catalog files: the data embedded at compile time and user files, parsed with spans so
//! every problem names its file, line and field; merged by id (later files win).

use super::model::{Company, Service};
use super::{validate, Catalog};
use include_dir::{include_dir, Dir};
use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use toml::Spanned;

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

/// One problem in a catalog file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CatalogIssue {
    /// File name (`data/catalog/google.toml` for built-in files).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Where in the entry, e.g. `service "google-analytics" hosts`.
    pub field: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for CatalogIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.file, self.line, self.column, self.field, self.message
        )
    }
}

/// Every problem found in a set of catalog files, sorted by file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogErrors(pub Vec<CatalogIssue>);

impl fmt::Display for CatalogErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, i) in self.0.iter().enumerate() {
            if n > 0 {
                writeln!(f)?;
            }
            write!(f, "{i}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CatalogErrors {}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFile {
    #[serde(default)]
    pub(crate) company: Vec<Spanned<RawCompany>>,
    #[serde(default)]
    pub(crate) service: Vec<Spanned<RawService>>,
    #[serde(default)]
    pub(crate) first_party: Vec<Spanned<RawFirstParty>>,
}

pub(crate) type S = Spanned<String>;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCompany {
    pub(crate) id: S,
    pub(crate) name: S,
    #[serde(default)]
    pub(crate) parent: Option<S>,
    #[serde(default)]
    pub(crate) country: Option<S>,
    #[serde(default)]
    pub(crate) aliases: Vec<S>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawService {
    pub(crate) id: S,
    pub(crate) name: S,
    pub(crate) company: S,
    pub(crate) categories: Spanned<Vec<S>>,
    #[serde(default)]
    pub(crate) hosts: Vec<S>,
    #[serde(default)]
    pub(crate) cookies: Vec<S>,
    #[serde(default)]
    pub(crate) signatures: Vec<S>,
    #[serde(default)]
    pub(crate) paths: Vec<S>,
    #[serde(default)]
    pub(crate) urls: Vec<S>,
    #[serde(default)]
    pub(crate) aliases: Vec<S>,
    #[serde(default)]
    pub(crate) family: Option<S>,
    #[serde(default)]
    pub(crate) shared_hosts: bool,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFirstParty {
    pub(crate) domain: S,
}

/// A parsed file and the text its spans point into.
pub(crate) struct SourceFile {
    pub(crate) name: String,
    pub(crate) text: Cow<'static, str>,
    pub(crate) raw: RawFile,
    /// Built-in files share one id namespace; each user file is its own layer.
    pub(crate) builtin: bool,
}

impl SourceFile {
    /// An issue at byte offset `at` of this file.
    pub(crate) fn issue(
        &self,
        at: usize,
        field: impl Into<String>,
        msg: impl Into<String>,
    ) -> CatalogIssue {
        let (line, column) = line_col(&self.text, at);
        CatalogIssue {
            file: self.name.clone(),
            line,
            column,
            field: field.into(),
            message: msg.into(),
        }
    }
}

/// 1-based line and column of byte offset `at`.
pub(crate) fn line_col(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = &text.as_bytes()[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = at
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    (line, col)
}

/// Parse one file; a syntax or shape error becomes one issue with the span toml reports.
pub(crate) fn parse(
    name: &str,
    text: Cow<'static, str>,
    builtin: bool,
) -> Result<SourceFile, CatalogIssue> {
    match toml::from_str::<RawFile>(&text) {
        Ok(raw) => Ok(SourceFile {
            name: name.to_string(),
            text,
            raw,
            builtin,
        }),
        Err(e) => {
            let (line, column) = e.span().map_or((1, 1), |s| line_col(&text, s.start));
            Err(CatalogIssue {
                file: name.to_string(),
                line,
                column,
                field: "toml".into(),
                message: e.message().trim().to_string(),
            })
        }
    }
}

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
