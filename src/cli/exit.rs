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
    /// Interrupted by Ctrl-C (SIGINT); the partial report was written.
    Interrupted = 130,
    /// Stopped by SIGTERM (CI cancel, `timeout`, `docker stop`); the partial report was written.
    Terminated = 143,
}

impl Exit {
    /// The exit code for a scan stopped by `signal` (128 + its number, as shells report it).
    pub fn for_signal(signal: i32) -> Exit {
        if signal == crate::crawl::interrupt::SIGTERM {
            Exit::Terminated
        } else {
            Exit::Interrupted
        }
    }
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
  130  interrupted by Ctrl-C (the partial report, marked \"incomplete\": true, is still written)
  143  stopped by SIGTERM (likewise)";
