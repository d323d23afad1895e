//! The catalog files as written: the serde shapes with spans, the parsed source files, and the
//! issues that point into them. Loading (`load.rs`) and validation (`validate.rs`) both build on
//! this, so neither needs the other's internals.

use std::borrow::Cow;
use std::fmt;
use toml::Spanned;

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
    #[serde(default)]
    pub(crate) formerly: Vec<S>,
    #[serde(default)]
    pub(crate) source: Option<S>,
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
    #[serde(default)]
    pub(crate) source: Option<S>,
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
