//! Output flags shared by `scan` and `demo`, and the exit-code rule for findings.

use super::exit::Exit;
use crate::report::{html, json, markdown, model::Report, terminal};
use std::path::PathBuf;

/// Where and how to write the report.
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// Write the report to FILE ('-' for stdout), atomically. Without it, a terminal table goes to stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Format of --output: json (the versioned contract), md (Markdown for a ticket), html (one
    /// self-contained file) or text (the terminal table, without colour).
    #[arg(long, default_value = "json", value_parser = ["json", "md", "html", "text"])]
    pub format: String,
    /// Also write a Markdown report (for a ticket) to FILE.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Also write a self-contained HTML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Exit 1 when findings at or above this severity exist [default: high, or the config's
    /// `fail_on`; the flag wins over the config].
    #[arg(long, value_parser = ["high", "medium", "low", "info", "never"])]
    pub fail_on: Option<String>,
    /// No progress or summary on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Render `report` in `format` ("json", "md", "html", "text"; anything else is JSON). "text" is
/// the terminal table without colour, as written to a file.
pub fn render(report: &Report, format: &str) -> String {
    match format {
        "md" | "markdown" => markdown::render(report),
        "html" => html::render(report),
        "text" => terminal::render(report, false),
        _ => json::to_string(report),
    }
}

/// The terminal table for stdout: colour only when stdout is a terminal and NO_COLOR is unset,
/// width from `COLUMNS` when the shell exports it.
pub fn render_stdout(report: &Report) -> String {
    terminal::render_width(report, terminal::should_color(), terminal::width_from_env())
}

/// Check every output path before the crawl: a typo must not cost the whole scan.
pub fn check_outputs(args: &OutputArgs) -> Result<(), String> {
    for path in [&args.output, &args.markdown, &args.html]
        .into_iter()
        .flatten()
    {
        json::check_writable(path)?;
    }
    Ok(())
}

/// Write every requested output; an unwritable path is reported and makes the run exit 2.
pub fn write_outputs(report: &Report, args: &OutputArgs) -> Result<(), String> {
    match &args.output {
        Some(path) => json::write_atomic(path, &render(report, &args.format))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth exit code 2.
            let _ = out.write_all(render_stdout(report).as_bytes());
            let _ = out.flush();
        }
    }
    if let Some(path) = &args.markdown {
        json::write_atomic(path, &render(report, "md"))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if let Some(path) = &args.html {
        json::write_atomic(path, &render(report, "html"))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// Severity rank: higher is worse.
pub fn severity_rank(s: &str) -> u8 {
    match s {
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        _ => 0,
    }
}

/// The `--fail-on` threshold in effect: the flag, else the config file's, else "high".
pub fn effective_fail_on(flag: &Option<String>, config: Option<&String>) -> String {
    flag.clone()
        .or_else(|| config.cloned())
        .unwrap_or_else(|| "high".to_string())
}

/// Exit code for a finished report under `--fail-on`. Accepted (unexpired) findings do not count.
pub fn findings_exit(report: &Report, fail_on: &str) -> Exit {
    if fail_on == "never" {
        return Exit::Ok;
    }
    let threshold = severity_rank(fail_on);
    let failing = report.findings.iter().any(|f| {
        f.accepted.as_ref().is_none_or(|a| a.expired) && severity_rank(&f.severity) >= threshold
    });
    if failing {
        Exit::Findings
    } else {
        Exit::Ok
    }
}
