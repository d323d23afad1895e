//! Command line: clap definitions (what was typed) and the glue that runs each subcommand.

pub mod catalog_cmd;
pub mod config_file;
pub mod crawl_args;
pub mod demo_cmd;
pub mod drift_cmd;
pub mod exit;
pub mod output;
pub mod policy_cmd;
pub mod portfolio;
pub mod scan;

use clap::{Parser, Subcommand};
use exit::Exit;

/// Does our privacy policy name every service our website actually talks to?
#[derive(Debug, Parser)]
#[command(name = "privacy-inventory", version, after_long_help = exit::EXIT_CODES_HELP, after_help = exit::EXIT_CODES_HELP)]
pub struct Opts {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Crawl a site, inventory cookies and third parties, read its privacy policy, report the gaps.
    Scan(Box<scan::ScanArgs>),
    /// Serve the bundled demo site on 127.0.0.1 and scan it (offline).
    Demo(demo_cmd::DemoArgs),
    /// Analyse a privacy policy (URL or file) without crawling: list what it declares.
    Policy(policy_cmd::PolicyArgs),
    /// Inspect and extend the service catalog.
    #[command(subcommand)]
    Catalog(catalog_cmd::CatalogCmd),
    /// Write a commented starter privacy-inventory.toml in the working directory.
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Compare two stored JSON reports: new/removed services, hosts, cookies, findings.
    Diff(drift_cmd::DiffArgs),
    /// Print the JSON Schema of the report (schema version 1).
    Schema,
    /// Internal: extract text from a PDF in an isolated child process.
    #[command(hide = true, name = "__extract-pdf")]
    ExtractPdf {
        /// PDF file.
        path: std::path::PathBuf,
    },
}

/// Print a one-line error for a bad invocation and return exit code 2. Multi-line messages (a
/// regex error draws a caret diagram) are folded onto one line, so scripts can rely on it.
pub fn usage_error(msg: impl std::fmt::Display) -> Exit {
    let msg = msg.to_string();
    let one_line = msg
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    eprintln!("privacy-inventory: error: {one_line}");
    Exit::Usage
}

fn init(force: bool) -> Exit {
    let path = std::path::Path::new(config_file::DEFAULT_CONFIG);
    if path.exists() && !force {
        return usage_error(format!(
            "{} exists; use --force to overwrite it",
            path.display()
        ));
    }
    match std::fs::write(path, config_file::STARTER) {
        Ok(()) => {
            eprintln!(
                "wrote {}: edit the [[site]] url, then run `privacy-inventory scan`",
                path.display()
            );
            Exit::Ok
        }
        Err(e) => usage_error(format!("cannot write {}: {e}", path.display())),
    }
}

/// Parse arguments and run.
pub fn main() -> std::process::ExitCode {
    let opts = match Opts::try_parse() {
        Ok(o) => o,
        Err(e) => {
            let code = if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Ok
            };
            let _ = e.print();
            return code.into();
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return usage_error(format!("cannot start the async runtime: {e}")).into(),
    };
    let run = async move {
        match opts.command {
            Command::Scan(args) => scan::run_scan(*args).await,
            Command::Demo(args) => demo_cmd::run(args).await,
            Command::Policy(args) => policy_cmd::run(args).await,
            Command::Catalog(cmd) => catalog_cmd::run(cmd),
            Command::Diff(args) => drift_cmd::run(args),
            Command::Init { force } => init(force),
            Command::Schema => {
                let schema = schemars::schema_for!(crate::model::Report);
                output::print_stdout(
                    &(serde_json::to_string_pretty(&schema).expect("schema serialises") + "\n"),
                );
                Exit::Ok
            }
            Command::ExtractPdf { path } => policy_cmd::extract_pdf_child(&path),
        }
    };
    // Ctrl-C drops the running scan, and with it the browser and its temp profile (their Drop
    // impls clean up), then exits 130.
    let code = runtime.block_on(async {
        tokio::select! {
            code = run => code,
            _ = tokio::signal::ctrl_c() => {
                eprintln!("privacy-inventory: interrupted");
                Exit::Interrupted
            }
        }
    });
    code.into()
}
