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

impl Exit {
    /// The process exit status.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// How much a run's outcome outweighs another's when several sites make one exit status:
    /// a site that could not be fetched outweighs findings, findings outweigh a site that could
    /// not run at all, and an interruption outweighs everything.
    fn weight(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Usage => 1,
            Exit::Findings => 2,
            Exit::StartFailed => 3,
            Exit::Interrupted => 4,
        }
    }

    /// The worse of two outcomes (see [`Exit::weight`]): 3 over 1 over 2 over 0.
    pub fn worst(self, other: Exit) -> Exit {
        if other.weight() > self.weight() {
            other
        } else {
            self
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
  130  interrupted";

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
    }
}
