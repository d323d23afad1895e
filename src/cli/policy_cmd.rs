//! `privacy-inventory policy <URL|FILE>...`: analyse a policy without crawling.
//!
//! Prints what the policy declares (name as written, service, company, section, excerpt,
//! negated) and the free-text providers, so a DPO can check a draft and a docs pipeline can check a
//! policy change. `--format json` prints the report's `policy` object (same `declarations`).

use super::exit::Exit;
use crate::catalog::Catalog;
use crate::config::ScanConfig;
use crate::crawl::Fetcher;
use crate::policy::{pdf, source};
use crate::report::policy::{render_md, render_text};

/// What `policy --format` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PolicyFormat {
    /// A readable listing for the terminal.
    Text,
    /// The report's `policy` object.
    Json,
    /// One Markdown table for a ticket.
    Md,
}

/// Arguments of `policy`.
#[derive(Debug, clap::Args)]
pub struct PolicyArgs {
    /// Policy URLs or files (HTML, PDF, plain text); several parts are read as one policy.
    #[arg(required = true)]
    pub sources: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PolicyFormat::Text)]
    pub format: PolicyFormat,
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
    let out = match args.format {
        PolicyFormat::Json => serde_json::to_string_pretty(&policy).unwrap_or_default() + "\n",
        PolicyFormat::Md => render_md(&policy),
        PolicyFormat::Text => render_text(&policy),
    };
    super::output::print_stdout(&out);
    Exit::Ok
}

/// Hidden child-process entry for PDF extraction: limits its own memory, prints
/// [`pdf::TEXT_MARKER`] and the text on stdout; on failure a one-line reason on stderr, exit 2.
pub fn extract_pdf_child(path: &std::path::Path) -> Exit {
    pdf::limit_memory(pdf::PDF_MEMORY_LIMIT);
    match pdf::extract_in_process(path) {
        Ok(text) => {
            super::output::print_stdout(&format!("{}{}", pdf::TEXT_MARKER, text));
            Exit::Ok
        }
        Err(e) => {
            eprintln!("{e}");
            Exit::Usage
        }
    }
}
