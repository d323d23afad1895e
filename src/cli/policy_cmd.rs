//! `privacy-inventory policy <URL|FILE>...`: analyse a policy without crawling.
//!
//! Prints what the policy declares (name as written, service, company, section, excerpt,
//! negated) and the free-text providers, so a DPO can check a draft and a docs pipeline can check a
//! policy change. `--format json` prints the report's `policy` object (same `declarations`).

use super::exit::Exit;
use crate::catalog::Catalog;
use crate::config::ScanConfig;
use crate::crawl::Fetcher;
use crate::model::{Declaration, Policy};
use crate::policy::{pdf, source};
use std::fmt::Write as _;

/// Arguments of `policy`.
#[derive(Debug, clap::Args)]
pub struct PolicyArgs {
    /// Policy URLs or files (HTML, PDF, plain text); several parts are read as one policy.
    #[arg(required = true)]
    pub sources: Vec<String>,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json", "md"])]
    pub format: String,
    /// Extra catalog files merged over the built-in catalog.
    #[arg(long = "catalog", value_name = "FILE")]
    pub catalogs: Vec<std::path::PathBuf>,
}

/// Run `policy`.
pub async fn run(args: PolicyArgs) -> Exit {
    for s in &args.sources {
        if !source::is_url(s) && !std::path::Path::new(s).exists() {
            return super::usage_error(format!(
                "policy file {s} does not exist (give a file path or an http(s):// URL)"
            ));
        }
    }
    let catalog = match Catalog::load(&args.catalogs) {
        Ok(c) => c,
        Err(e) => return super::usage_error(e),
    };
    let fetcher = match args.sources.iter().find(|s| source::is_url(s)) {
        Some(u) => match url::Url::parse(u) {
            Ok(url) => match Fetcher::new(&ScanConfig::new(url)) {
                Ok(f) => Some(f),
                Err(e) => return super::usage_error(e),
            },
            Err(e) => return super::usage_error(format!("{u} is not a valid URL: {e}")),
        },
        None => None,
    };
    let policy = source::read_sources(
        &args.sources,
        fetcher.as_ref(),
        &catalog,
        &source::current_exe(),
    )
    .await;
    let out = match args.format.as_str() {
        "json" => serde_json::to_string_pretty(&policy).unwrap_or_default() + "\n",
        "md" => render_md(&policy),
        _ => render_text(&policy),
    };
    print!("{out}");
    Exit::Ok
}

fn target(d: &Declaration) -> String {
    match (&d.service, &d.company) {
        (Some(s), Some(c)) => format!("{s} ({c})"),
        (Some(s), None) => s.clone(),
        (None, Some(c)) => format!("company: {c}"),
        (None, None) => "free text".to_string(),
    }
}

/// Terminal rendering: declarations, then free-text providers, then negated names.
pub fn render_text(p: &Policy) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "Policy: {}", p.urls.join(", "));
    let _ = writeln!(
        o,
        "Language: {}",
        p.language.as_deref().unwrap_or("unknown")
    );
    if let Some(e) = &p.error {
        let _ = writeln!(o, "Error: {e}");
    }
    let (negated, declared): (Vec<&Declaration>, Vec<&Declaration>) =
        p.declarations.iter().partition(|d| d.negated);
    let (providers, named): (Vec<&Declaration>, Vec<&Declaration>) = declared
        .into_iter()
        .partition(|d| d.matched_as == "provider");
    let _ = writeln!(o, "\nDeclared ({}):", named.len());
    for d in named {
        let _ = writeln!(o, "  {}  → {}  [{}]", d.name, target(d), d.matched_as);
        let _ = writeln!(
            o,
            "      § {}",
            if d.section.is_empty() {
                "-"
            } else {
                &d.section
            }
        );
        let _ = writeln!(o, "      \"{}\"", d.excerpt);
    }
    let _ = writeln!(
        o,
        "\nFree-text providers, not in the catalog ({}):",
        providers.len()
    );
    for d in providers {
        let _ = writeln!(o, "  {}  § {}", d.name, d.section);
        let _ = writeln!(o, "      \"{}\"", d.excerpt);
    }
    let _ = writeln!(o, "\nNegated, disclose nothing ({}):", negated.len());
    for d in negated {
        let _ = writeln!(o, "  {}  → {}  § {}", d.name, target(d), d.section);
        let _ = writeln!(o, "      \"{}\"", d.excerpt);
    }
    o
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Markdown rendering for a ticket: one table of all declarations.
pub fn render_md(p: &Policy) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Privacy policy declarations\n");
    let _ = writeln!(o, "- Documents: {}", p.urls.join(", "));
    let _ = writeln!(
        o,
        "- Language: {}",
        p.language.as_deref().unwrap_or("unknown")
    );
    if let Some(e) = &p.error {
        let _ = writeln!(o, "- Error: {}", md_cell(e));
    }
    let _ = writeln!(
        o,
        "\n| Name | Service | Company | Matched as | Section | Negated | Excerpt |"
    );
    let _ = writeln!(o, "|---|---|---|---|---|---|---|");
    for d in &p.declarations {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} |",
            md_cell(&d.name),
            d.service.as_deref().unwrap_or(""),
            md_cell(d.company.as_deref().unwrap_or("")),
            d.matched_as,
            md_cell(&d.section),
            if d.negated { "yes" } else { "no" },
            md_cell(&d.excerpt)
        );
    }
    o
}

/// Hidden child-process entry for PDF extraction: limits its own memory, prints
/// [`pdf::TEXT_MARKER`] and the text on stdout; on failure a one-line reason on stderr, exit 2.
pub fn extract_pdf_child(path: &std::path::Path) -> Exit {
    pdf::limit_memory(pdf::PDF_MEMORY_LIMIT);
    match pdf::extract_in_process(path) {
        Ok(text) => {
            print!("{}{}", pdf::TEXT_MARKER, text);
            Exit::Ok
        }
        Err(e) => {
            eprintln!("{e}");
            Exit::Usage
        }
    }
}
