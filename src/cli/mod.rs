//! Command line: clap definitions (what was typed) and the glue that runs each subcommand.

pub mod catalog_cmd;
pub mod config_file;
pub mod crawl_args;
pub mod demo_cmd;
pub mod drift_cmd;
pub mod exit;
pub mod merge_cmd;
pub mod output;
pub mod policy_cmd;
pub mod portfolio;
pub mod precedence;
pub mod scan;
pub mod shard;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
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
    #[command(after_help = precedence::SCAN_HELP, after_long_help = precedence::SCAN_HELP)]
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
    /// Merge the output directories of sharded portfolio scans into one index and overview.
    #[command(after_help = merge_cmd::MERGE_HELP, after_long_help = merge_cmd::MERGE_HELP)]
    Merge(merge_cmd::MergeArgs),
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
    let parsed = Opts::command()
        .try_get_matches()
        .and_then(|m| Opts::from_arg_matches(&m).map(|o| (o, m)));
    let opts = match parsed {
        Ok((mut o, m)) => {
            // Which flags were typed, not defaulted: they win over a config file.
            if let (Command::Scan(args), Some(sub)) = (&mut o.command, m.subcommand_matches("scan"))
            {
                args.given = precedence::Given::from_matches(sub);
            }
            o
        }
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
            Command::Merge(args) => merge_cmd::run(args),
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
    // Ctrl-C and SIGTERM stop the scan: it drops the crawl (the browser and its temp profile, the
    // PDF child and its file are cleaned up by their Drop impls), writes the partial report and
    // exits 130 / 143 (see `crawl::interrupt`). A second signal, or a scan that does not wrap up
    // within the grace period, ends the process at once.
    let code = runtime.block_on(async {
        tokio::spawn(watch_signals());
        run.await
    });
    code.into()
}

/// Time a stopped scan has to write its partial report before the process exits without it.
const INTERRUPT_GRACE: std::time::Duration = std::time::Duration::from_secs(15);

async fn watch_signals() {
    use crate::crawl::interrupt::{self, SIGINT, SIGTERM};
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return;
    };
    let first = tokio::select! {
        _ = term.recv() => SIGTERM,
        _ = int.recv() => SIGINT,
    };
    eprintln!("privacy-inventory: interrupted: stopping and writing the partial report");
    interrupt::request(first);
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
        _ = tokio::time::sleep(INTERRUPT_GRACE) => {}
    }
    eprintln!("privacy-inventory: interrupted again: exiting without a report");
    crate::crawl::browser::launch::kill_all();
    std::process::exit(Exit::for_signal(first) as i32);
}
