//! Output flags shared by `scan` and `demo`, and the exit-code rule for findings.

use super::exit::Exit;
use crate::model::{Report, Severity};
use crate::report::{html, json, markdown, terminal};
use std::path::PathBuf;

/// A report format for `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The versioned JSON contract.
    Json,
    /// Markdown for a ticket.
    Md,
    /// One self-contained HTML file.
    Html,
    /// The terminal table, without colour.
    Text,
}

/// The `--fail-on` threshold: a severity, or `never`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Fail on high findings.
    High,
    /// Fail on medium or worse.
    Medium,
    /// Fail on low or worse.
    Low,
    /// Fail on any finding.
    Info,
    /// Never fail because of findings.
    Never,
}

impl FailOn {
    /// The least severity that fails the run; `None` for `never`.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// Where and how to write the report.
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// Write the report to FILE ('-' for stdout), atomically. Without it, a terminal table goes to stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Format of --output: json (the versioned contract), md (Markdown for a ticket), html (one
    /// self-contained file) or text (the terminal table, without colour).
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Also write a Markdown report (for a ticket) to FILE.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Also write a self-contained HTML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Exit 1 when findings at or above this severity exist [default: high, or the config's
    /// `fail_on`; the flag wins over the config].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// No progress or summary on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Render `report` in `format`. Text is the terminal table without colour, as written to a file.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Md => markdown::render(report),
        Format::Html => html::render(report),
        Format::Text => terminal::render(report, false),
        Format::Json => json::to_string(report),
    }
}

/// Print `text` on stdout. A reader that went away (`privacy-inventory catalog list | head`) ends
/// the output quietly: `print!` would panic on the closed pipe, and there is no one left to tell.
pub fn print_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// The terminal table for stdout: colour only when stdout is a terminal and NO_COLOR is unset,
/// width from `COLUMNS` when the shell exports it.
pub fn render_stdout(report: &Report) -> String {
    terminal::render_width(report, terminal::should_color(), terminal::width_from_env())
}

/// Write every requested output; an unwritable path is reported and makes the run exit 2.
pub fn write_outputs(report: &Report, args: &OutputArgs) -> Result<(), String> {
    match &args.output {
        Some(path) => json::write_atomic(path, &render(report, args.format))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => {
            // A closed pipe (`| head`) is not an error worth exit code 2.
            print_stdout(&render_stdout(report));
        }
    }
    if let Some(path) = &args.markdown {
        json::write_atomic(path, &render(report, Format::Md))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if let Some(path) = &args.html {
        json::write_atomic(path, &render(report, Format::Html))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// The `--fail-on` threshold in effect: the flag, else the config file's, else high.
pub fn effective_fail_on(flag: Option<FailOn>, config: Option<FailOn>) -> FailOn {
    flag.or(config).unwrap_or(FailOn::High)
}

/// Exit code for a finished report under `--fail-on`. Accepted (unexpired) findings do not count.
pub fn findings_exit(report: &Report, fail_on: FailOn) -> Exit {
    let Some(threshold) = fail_on.threshold() else {
        return Exit::Ok;
    };
    let failing = report
        .findings
        .iter()
        .any(|f| f.accepted.as_ref().is_none_or(|a| a.expired) && f.severity >= threshold);
    if failing {
        Exit::Findings
    } else {
        Exit::Ok
    }
}
