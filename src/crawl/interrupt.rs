//! Ctrl-C and SIGTERM stop the scan but keep what it saw.
//!
//! CI cancellation, `timeout`, `docker stop` and Kubernetes send SIGTERM; a person presses Ctrl-C.
//! Either way the crawl stops at once (its futures are dropped, which kills Chromium's process
//! group and the PDF child and removes their temporary files), the pages already seen become a
//! report marked `"incomplete": true` with an error of kind `interrupted`, and the process exits
//! 128 + the signal number (130, 143). A signal is process-wide, so the flag is too.

use std::sync::atomic::{AtomicI32, Ordering};
use tokio::sync::Notify;

/// SIGINT's number (Ctrl-C).
pub const SIGINT: i32 = 2;
/// SIGTERM's number.
pub const SIGTERM: i32 = 15;

static SIGNAL: AtomicI32 = AtomicI32::new(0);
static NOTIFY: Notify = Notify::const_new();

/// Ask every running scan to stop, because of `signal`. The first signal wins.
pub fn request(signal: i32) {
    let _ = SIGNAL.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
    NOTIFY.notify_waiters();
}

/// The signal that stopped the scan, if one did.
pub fn requested() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// Resolves once a stop was requested (at once if it already was).
pub async fn wait() {
    loop {
        let notified = NOTIFY.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if requested().is_some() {
            return;
        }
        notified.await;
    }
}

/// The report error that marks where a scan was stopped.
pub fn error(target: &str, signal: i32) -> crate::model::ScanError {
    let name = if signal == SIGTERM {
        "SIGTERM"
    } else {
        "SIGINT (Ctrl-C)"
    };
    crate::model::ScanError {
        url: target.to_string(),
        kind: crate::model::ErrorKind::Interrupted,
        message: format!(
            "the scan was stopped by {name}: this report holds only what was seen until then"
        ),
    }
}
