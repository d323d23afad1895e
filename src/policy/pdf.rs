//! PDF policies. pdf-extract panics on purpose on some malformed files and one path aborts the
//! process (field notes), so extraction runs in a child process: the current binary re-executed as
//! `privacy-inventory __extract-pdf FILE`, under a wall-clock timeout and (on Unix) an address-space
//! limit the child sets on itself. Whatever the child does, the caller gets text or an error.
//!
//! pdf-extract also prints diagnostics on stdout, so the child writes [`TEXT_MARKER`] before the
//! text and the parent keeps only what follows the last marker.

use std::path::Path;
use std::time::Duration;

/// Wall-clock limit for one PDF.
pub const PDF_TIMEOUT: Duration = Duration::from_secs(20);
/// Address-space limit of the child (bytes): generous for policies, fatal for decompression bombs.
pub const PDF_MEMORY_LIMIT: u64 = 1024 * 1024 * 1024;
/// Separates pdf-extract's own stdout noise from the text.
pub const TEXT_MARKER: &str = "\n\u{1}privacy-inventory-pdf-text\u{1}\n";

/// Most text read from the child, in bytes: a 64 KB PDF can inflate to 500 MB of text (issue 11),
/// and a policy is far shorter. Beyond it the child is stopped and the text is cut.
pub const MAX_PDF_TEXT_BYTES: usize = 16 * 1024 * 1024;
/// Most of the child's stderr kept (the reason of a failure is its last line).
const MAX_PDF_STDERR_BYTES: u64 = 64 * 1024;

/// Extract the text of `pdf` by running `exe __extract-pdf pdf` with `timeout`.
/// `exe` is the privacy-inventory binary (`std::env::current_exe()` in the product,
/// `env!("CARGO_BIN_EXE_privacy-inventory")` in integration tests). Text beyond
/// [`MAX_PDF_TEXT_BYTES`] is dropped; [`extract_text_capped`] says when.
pub async fn extract_text(exe: &Path, pdf: &Path, timeout: Duration) -> Result<String, String> {
    extract_text_capped(exe, pdf, timeout, MAX_PDF_TEXT_BYTES)
        .await
        .map(|(text, _)| text)
}

/// [`extract_text`] reading at most `cap` bytes of the child's output; `true` when the text was
/// cut there (the child is killed as soon as it passes the cap).
pub async fn extract_text_capped(
    exe: &Path,
    pdf: &Path,
    timeout: Duration,
    cap: usize,
) -> Result<(String, bool), String> {
    use tokio::io::AsyncReadExt;
    let mut child = tokio::process::Command::new(exe)
        .arg("__extract-pdf")
        .arg(pdf)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start PDF extraction ({}): {e}", exe.display()))?;
    let (Some(mut stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err("PDF extraction: no output pipe".to_string());
    };
    let pid = child.id();
    let read_out = async {
        let mut buf = Vec::new();
        let r = (&mut stdout)
            .take(cap as u64 + 1)
            .read_to_end(&mut buf)
            .await;
        let cut = buf.len() > cap;
        if cut {
            buf.truncate(cap);
            // Stop the child now rather than reading (or waiting for) the rest.
            #[cfg(unix)]
            if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
                // SAFETY: kill(2) on our own child, not yet reaped, so the pid is still ours.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
            }
        }
        r.map(|_| (buf, cut))
    };
    let read_err = async {
        let mut buf = Vec::new();
        let _ = (&mut stderr)
            .take(MAX_PDF_STDERR_BYTES)
            .read_to_end(&mut buf)
            .await;
        // Keep draining so a chatty child never blocks on a full pipe.
        let _ = tokio::io::copy(&mut stderr, &mut tokio::io::sink()).await;
        buf
    };
    let work = async {
        let (out, err) = tokio::join!(read_out, read_err);
        let status = child.wait().await;
        (out, err, status)
    };
    let (out, err, status) = match tokio::time::timeout(timeout, work).await {
        Ok(r) => r,
        // Dropping the future drops the child, which kill_on_drop kills.
        Err(_) => {
            return Err(format!(
                "PDF extraction took longer than {} s and was stopped",
                timeout.as_secs()
            ))
        }
    };
    let (stdout, cut) = out.map_err(|e| format!("PDF extraction failed: {e}"))?;
    let status = status.map_err(|e| format!("PDF extraction failed: {e}"))?;
    let stdout = String::from_utf8_lossy(&stdout);
    if status.success() || cut {
        if let Some(i) = stdout.rfind(TEXT_MARKER) {
            return Ok((stdout[i + TEXT_MARKER.len()..].to_string(), cut));
        }
    }
    let stderr = String::from_utf8_lossy(&err);
    let reason = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty() && !l.starts_with("note:"))
        .map(str::trim)
        .unwrap_or("no output")
        .to_string();
    Err(match status.code() {
        Some(_) => format!("cannot read PDF {}: {reason}", pdf.display()),
        None if cut => format!(
            "PDF {} yields more than {cap} bytes of text before any policy text",
            pdf.display()
        ),
        None => format!("PDF parser crashed on {} ({reason})", pdf.display()),
    })
}

/// In the child: extract the text of `path`, turning a parser panic into an error.
pub fn extract_in_process(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !bytes.starts_with(b"%PDF-") {
        return Err(format!("{} is not a PDF (no %PDF- header)", path.display()));
    }
    match std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(&bytes)) {
        Ok(Ok(text)) => Ok(text),
        Ok(Err(e)) => Err(format!("not a readable PDF: {e}")),
        Err(_) => Err("the PDF parser gave up on this file (malformed PDF)".to_string()),
    }
}

/// In the child: cap the address space so a hostile PDF cannot exhaust the machine's memory.
/// Failure to set the limit is ignored (the timeout still applies).
pub fn limit_memory(bytes: u64) {
    #[cfg(unix)]
    {
        let lim = libc::rlimit {
            rlim_cur: bytes as libc::rlim_t,
            rlim_max: bytes as libc::rlim_t,
        };
        // SAFETY: setrlimit only reads the struct we pass; it affects this (child) process only.
        unsafe {
            libc::setrlimit(libc::RLIMIT_AS, &lim);
        }
    }
    #[cfg(not(unix))]
    let _ = bytes;
}
