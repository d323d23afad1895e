//! `privacy-inventory policy <URL|FILE>...`: analyse a policy without crawling.

use super::exit::Exit;

/// Arguments of `policy`.
#[derive(Debug, clap::Args)]
pub struct PolicyArgs {
    /// Policy URLs or files (HTML, PDF, plain text); several parts are read as one policy.
    #[arg(required = true)]
    pub sources: Vec<String>,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json", "md"])]
    pub format: String,
}

/// Run `policy`.
pub async fn run(args: PolicyArgs) -> Exit {
    let _ = args;
    Exit::Ok
}

/// Hidden child-process entry for PDF extraction: prints the text on stdout.
pub fn extract_pdf_child(path: &std::path::Path) -> Exit {
    let _ = path;
    Exit::Ok
}
