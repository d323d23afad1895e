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

    /// The process exit status.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The outcome an `index.json` records as a number (an unknown number counts as a run that
    /// could not happen).
    pub fn from_code(code: u8) -> Exit {
        match code {
            0 => Exit::Ok,
            1 => Exit::Findings,
            3 => Exit::StartFailed,
            130 => Exit::Interrupted,
            143 => Exit::Terminated,
            _ => Exit::Usage,
        }
    }

    /// How much a run's outcome outweighs another's when several sites make one exit status:
    /// a site that could not be fetched outweighs findings, findings outweigh a site that could
    /// not run at all, and an interruption outweighs everything (a run stops on its first signal,
    /// so SIGTERM over Ctrl-C only orders the two).
    fn weight(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Usage => 1,
            Exit::Findings => 2,
            Exit::StartFailed => 3,
            Exit::Interrupted => 4,
            Exit::Terminated => 5,
        }
    }

    /// The worse of two outcomes (see [`Exit::weight`]): 143 over 130 over 3 over 1 over 2 over 0.
    pub fn worst(self, other: Exit) -> Exit {
        if other.weight() > self.weight() {
            other
        } else {
            self
        }
    }
}

/// The exit status of a whole portfolio (a config run or a merge): the worst site by
/// [`Exit::worst`], where a site that could not run at all counts as unreachable (3) as long as
/// another site ran, so that 2 keeps meaning "nothing could run". No site at all (an empty
/// shard) is 0.
pub fn portfolio(codes: &[Exit]) -> Exit {
    let all_unusable = !codes.is_empty() && codes.iter().all(|&c| c == Exit::Usage);
    codes
        .iter()
        .map(|&c| {
            if c == Exit::Usage && !all_unusable {
                Exit::StartFailed
            } else {
                c
            }
        })
        .fold(Exit::Ok, Exit::worst)
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

#[cfg(test)]
mod tests {
    use super::Exit;

    #[test]
    fn worst_ranks_unreachable_over_findings_over_unusable() {
        let fold = |codes: &[Exit]| codes.iter().copied().fold(Exit::Ok, Exit::worst);
        assert_eq!(fold(&[]), Exit::Ok);
        assert_eq!(fold(&[Exit::Ok, Exit::Findings, Exit::Ok]), Exit::Findings);
        assert_eq!(
            fold(&[Exit::Findings, Exit::StartFailed]),
            Exit::StartFailed
        );
        assert_eq!(
            fold(&[Exit::StartFailed, Exit::Findings]),
            Exit::StartFailed
        );
        assert_eq!(fold(&[Exit::Usage, Exit::Findings]), Exit::Findings);
        assert_eq!(fold(&[Exit::Usage, Exit::Ok]), Exit::Usage);
        assert_eq!(
            fold(&[Exit::StartFailed, Exit::Interrupted, Exit::Findings]),
            Exit::Interrupted
        );
        assert_eq!(
            fold(&[Exit::Interrupted, Exit::Terminated]),
            Exit::Terminated
        );
    }

    #[test]
    fn a_signal_maps_to_its_shell_exit_status() {
        assert_eq!(
            Exit::for_signal(crate::crawl::interrupt::SIGTERM).code(),
            143
        );
        assert_eq!(
            Exit::for_signal(crate::crawl::interrupt::SIGINT).code(),
            130
        );
    }
}
