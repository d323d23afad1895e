//! Every command ends quietly when the reader of its output goes away (`… | head`): no panic
//! message, no failure exit status.

use std::io::Read;
use std::process::{Command, Stdio};

/// Run `args`, read the first bytes of stdout, close the pipe, and return (exit code, stderr).
fn run_and_close_early(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_privacy-inventory"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the binary");
    let mut stdout = child.stdout.take().expect("stdout pipe");
    let mut first = [0u8; 16];
    let n = stdout.read(&mut first).expect("read the first bytes");
    assert!(n > 0, "{args:?} printed nothing");
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr pipe")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    (child.wait().expect("wait").code(), stderr)
}

#[test]
fn closed_stdout_ends_quietly() {
    // `catalog list` prints more than a pipe buffer (64 KiB), so its write hits the closed pipe
    // whatever the timing.
    let (code, stderr) = run_and_close_early(&["catalog", "list"]);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(code, Some(0), "{stderr}");
}
