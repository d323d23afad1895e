//! Crawl progress on stderr: an indicatif bar on a terminal, a plain line at most once a second
//! otherwise (CI logs), nothing with `--quiet`.

use super::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often a plain progress line is written when stderr is not a terminal.
const LINE_INTERVAL: Duration = Duration::from_secs(1);

/// The scan's progress reporter.
pub enum ScanProgress {
    /// `--quiet`.
    Quiet,
    /// A terminal: a redrawn bar.
    Bar(ProgressBar),
    /// Not a terminal: a line now and then.
    Lines(Mutex<LineState>),
}

/// Throttle state of plain-line progress.
pub struct LineState {
    last: Option<Instant>,
    pending: Option<(usize, usize, usize)>,
}

impl ScanProgress {
    /// Pick the form for this process's stderr.
    pub fn for_stderr(quiet: bool) -> Self {
        if quiet {
            ScanProgress::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(10));
            bar.set_style(
                ProgressStyle::with_template("{spinner} {pos} pages, {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            ScanProgress::Bar(bar)
        } else {
            ScanProgress::Lines(Mutex::new(LineState {
                last: None,
                pending: None,
            }))
        }
    }
}

/// Keep the bar one line wide: long URLs are cut in the middle.
fn short(url: &str) -> String {
    const MAX: usize = 60;
    if url.chars().count() <= MAX {
        return url.to_string();
    }
    let head: String = url.chars().take(MAX / 2).collect();
    let tail: String = url
        .chars()
        .rev()
        .take(MAX / 2 - 1)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{head}…{tail}")
}

impl Progress for ScanProgress {
    fn page_done(&self, url: &str, done: usize, queued: usize, errors: usize) {
        // No start-URL password in a CI log.
        let url = &*crate::domain::redact_credentials(url);
        match self {
            ScanProgress::Quiet => {}
            ScanProgress::Bar(bar) => {
                bar.set_position(done as u64);
                bar.set_message(format!("{queued} queued, {errors} errors, {}", short(url)));
            }
            ScanProgress::Lines(state) => {
                let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                if s.last
                    .is_none_or(|t| now.duration_since(t) >= LINE_INTERVAL)
                {
                    s.last = Some(now);
                    s.pending = None;
                    eprintln!("crawl: {done} pages done, {queued} queued, {errors} errors ({url})");
                } else {
                    s.pending = Some((done, queued, errors));
                }
            }
        }
    }

    fn finish(&self) {
        match self {
            ScanProgress::Quiet => {}
            ScanProgress::Bar(bar) => bar.finish_and_clear(),
            ScanProgress::Lines(state) => {
                let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
                if let Some((done, queued, errors)) = s.pending.take() {
                    eprintln!("crawl: {done} pages done, {queued} queued, {errors} errors");
                }
            }
        }
    }
}
