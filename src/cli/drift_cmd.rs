//! `diff old.json new.json`, and `--baseline`/`--fail-on-new` on `scan`: drift between runs.

use super::exit::Exit;
use super::usage_error;
use crate::drift;
use std::path::PathBuf;

/// Baseline flags of `scan` and `demo`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct BaselineArgs {
    /// A previous JSON report of the same site: adds a `changes` section (new/removed services,
    /// hosts, cookies, findings).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// With --baseline: exit 1 only for findings that are new since the baseline.
    #[arg(long, requires = "baseline")]
    pub fail_on_new: bool,
}

/// Arguments of `diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The older report (JSON).
    pub old: PathBuf,
    /// The newer report (JSON).
    pub new: PathBuf,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json", "md"])]
    pub format: String,
}

/// Run `diff`: exit 0 when nothing changed, 1 when something did, 2 on unreadable input.
pub fn run(args: DiffArgs) -> Exit {
    let (old, new) = match (drift::load_report(&args.old), drift::load_report(&args.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return usage_error(e),
    };
    let changes = drift::compare(&old, &new);
    let text = match args.format.as_str() {
        "json" => serde_json::to_string_pretty(&changes).expect("changes serialise") + "\n",
        "md" => drift::render_markdown(&changes),
        _ => drift::render_text(&changes),
    };
    super::output::print_stdout(&text);
    if drift::is_empty(&changes) {
        Exit::Ok
    } else {
        Exit::Findings
    }
}
