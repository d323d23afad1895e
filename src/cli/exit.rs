//! Exit codes: part of the contract (README "Exit codes", `--help`).

/// What the process exit status means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Scan done, no finding at or above `--fail-on`.
    Ok = 0,
    /// Scan done, findings at or above `--fail-on` exist.
    Findings = 1,
    /// Bad invocation or config: nothing was scanned.
    Usage = 2,
    /// The start URL could not be fetched at all (a report was still written).
    StartFailed = 3,
    /// Interrupted (Ctrl-C).
    Interrupted = 130,
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e as u8)
    }
}

/// Text for `--help`.
pub const EXIT_CODES_HELP: &str = "Exit codes:
  0    scan done, no finding at or above --fail-on
  1    scan done, findings at or above --fail-on (default: high)
  2    bad invocation or config (one-line message on stderr)
  3    the start URL could not be fetched at all (the report is still written)
  130  interrupted";
