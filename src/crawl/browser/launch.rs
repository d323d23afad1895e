//! Finding and starting Chromium: quiet flags, a fresh profile per scan, loopback-only resolver
//! rules in tests, and cleanup that happens even when the scan is interrupted.

use crate::config::{ResolveRule, ScanConfig};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Executable names tried on PATH, in order.
const CANDIDATES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
];

/// Flags that keep Chromium headless, quiet and off the network except for the pages we ask for
/// (see the field notes: without the background-networking flags it calls Google at start).
const QUIET_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--mute-audio",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
];

/// Process groups and profile directories of the browsers alive now, for [`kill_all`].
static LIVE: std::sync::Mutex<Vec<(i32, PathBuf)>> = std::sync::Mutex::new(Vec::new());

/// Kill every live browser's process group and remove its profile at once: the last resort when
/// the process must exit without unwinding (a second Ctrl-C).
pub fn kill_all() {
    let live = std::mem::take(&mut *LIVE.lock().unwrap_or_else(|p| p.into_inner()));
    for (pgid, dir) in live {
        // SAFETY: kill(2) on the browser's own process group; no memory is touched.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// A running browser. Dropping it kills the process and deletes the profile.
pub struct Browser {
    child: Child,
    /// The DevTools WebSocket URL.
    pub ws_url: String,
    /// Kept alive so the profile directory is removed on drop.
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    /// Kill the browser with all its helper processes (renderers, zygote, network service: they
    /// share its process group), wait for it (bounded), then remove the profile: a helper still
    /// running writes into the profile again and makes the removal fail.
    fn drop(&mut self) {
        let group = self.child.id().and_then(|p| i32::try_from(p).ok());
        if let Some(pid) = group {
            LIVE.lock()
                .unwrap_or_else(|p| p.into_inner())
                .retain(|(g, _)| *g != pid);
        }
        if let Some(pid) = group {
            // SAFETY: kill(2) with a negative pid signals the process group the browser leads
            // (it was started with process_group(0)); no memory is touched.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
        let _ = self.child.start_kill();
        let wait = std::time::Duration::from_millis(20);
        for _ in 0..100 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(wait);
        }
        // Until the last helper of the group is gone (signal 0 only probes), it may still
        // recreate files in the profile.
        if let Some(pid) = group {
            for _ in 0..100 {
                // SAFETY: as above; signal 0 checks for existence and sends nothing.
                if unsafe { libc::kill(-pid, 0) } != 0 {
                    break;
                }
                std::thread::sleep(wait);
            }
        }
        for _ in 0..100 {
            if std::fs::remove_dir_all(self._profile.path()).is_ok()
                || !self._profile.path().exists()
            {
                break;
            }
            std::thread::sleep(wait);
        }
    }
}

/// How to get a browser, appended to every "no browser" message.
const INSTALL_HINT: &str =
    "install Chromium (Debian/Ubuntu: `sudo apt-get install -y chromium`) or pass --chrome PATH";

/// Where the browser is: `--chrome PATH`, else the first candidate on PATH.
pub fn find_chrome(explicit: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(p) = explicit {
        return if p.is_file() {
            Ok(p.to_path_buf())
        } else {
            Err(format!(
                "--chrome {}: no such file; browser mode needs Chromium or Chrome: {INSTALL_HINT}",
                p.display()
            ))
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in CANDIDATES {
            let p = dir.join(name);
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    Err(format!(
        "browser mode needs Chromium or Chrome and none was found on PATH (chromium, \
         chromium-browser, google-chrome): {INSTALL_HINT}"
    ))
}

/// `--host-resolver-rules` for the scan's `--resolve` rules (exact hosts first, then `*`).
pub fn host_resolver_rules(rules: &[ResolveRule]) -> Option<String> {
    if rules.is_empty() {
        return None;
    }
    let mut parts: Vec<String> = Vec::new();
    let mut sorted: Vec<&ResolveRule> = rules.iter().collect();
    sorted.sort_by_key(|r| r.host == "*");
    for r in sorted {
        let addr = match r.addr {
            std::net::IpAddr::V6(a) => format!("[{a}]"),
            a => a.to_string(),
        };
        parts.push(format!("MAP {} {}:{}", r.host, addr, r.port));
    }
    parts.push("EXCLUDE localhost".into());
    Some(parts.join(", "))
}

/// Start the browser and wait for its DevTools endpoint.
pub async fn launch(config: &ScanConfig) -> Result<Browser, String> {
    let exe = find_chrome(config.chrome.as_deref())?;
    let profile = tempfile::Builder::new()
        .prefix("privacy-inventory-chrome-")
        .tempdir()
        .map_err(|e| format!("cannot create a browser profile directory: {e}"))?;
    // Chromium keeps shared memory as `org.chromium.Chromium.*` files in TMPDIR (with
    // --disable-dev-shm-usage) and a killed browser leaves them behind: give it a TMPDIR inside
    // the profile, removed with it.
    let own_tmp = profile.path().join("tmp");
    std::fs::create_dir_all(&own_tmp)
        .map_err(|e| format!("cannot create a browser temp directory: {e}"))?;
    let mut cmd = Command::new(&exe);
    cmd.args(QUIET_FLAGS)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .env("TMPDIR", &own_tmp)
        .arg(format!("--user-agent={}", config.user_agent))
        .arg("--window-size=1280,900");
    if let Some(rules) = host_resolver_rules(&config.resolve) {
        cmd.arg(format!("--host-resolver-rules={rules}"));
    }
    if let Some(proxy) = &config.proxy {
        cmd.arg(format!("--proxy-server={proxy}"));
    }
    if config.insecure {
        cmd.arg("--ignore-certificate-errors");
    }
    cmd.arg("about:blank")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        // Its own process group: Drop kills every helper at once, and a Ctrl-C in the terminal
        // reaches only us, so the cleanup runs in order instead of racing a dying browser.
        .process_group(0)
        .kill_on_drop(true);
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    // Owned by a Browser from here on: whatever ends this function (an error, a timeout, Ctrl-C
    // dropping the future while Chromium starts), Drop kills it and removes the profile.
    if let Some(pid) = child.id().and_then(|p| i32::try_from(p).ok()) {
        LIVE.lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((pid, profile.path().to_path_buf()));
    }
    let mut browser = Browser {
        child,
        ws_url: String::new(),
        _profile: profile,
    };
    let stderr = browser
        .child
        .stderr
        .take()
        .ok_or("no stderr from the browser")?;
    let mut lines = BufReader::new(stderr).lines();
    let find = async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(i) = line.find("ws://") {
                return Some(line[i..].trim().to_string());
            }
        }
        None
    };
    browser.ws_url = match tokio::time::timeout(Duration::from_secs(20), find).await {
        Ok(Some(u)) => u,
        Ok(None) => {
            return Err(format!(
                "{} exited before opening its DevTools endpoint",
                exe.display()
            ))
        }
        Err(_) => {
            return Err(format!(
                "{} did not open its DevTools endpoint within 20 s",
                exe.display()
            ))
        }
    };
    // Keep draining stderr so the browser never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok(browser)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolver_rules_put_wildcard_last_and_exclude_localhost() {
        let rules = vec![
            ResolveRule::parse("*:8080:127.0.0.1").unwrap(),
            ResolveRule::parse("www.example.com:443:::1")
                .unwrap_or_else(|_| ResolveRule::parse("www.example.com:443:[::1]").unwrap()),
        ];
        assert_eq!(
            host_resolver_rules(&rules).unwrap(),
            "MAP www.example.com [::1]:443, MAP * 127.0.0.1:8080, EXCLUDE localhost"
        );
        assert!(host_resolver_rules(&[]).is_none());
    }

    #[test]
    fn missing_explicit_chrome_is_a_clear_error() {
        let e = find_chrome(Some(Path::new("/nonexistent/chrome"))).unwrap_err();
        assert!(e.contains("--chrome"), "{e}");
        assert!(e.contains("apt-get install -y chromium"), "{e}");
        assert!(!e.contains('\n'), "one line: {e}");
    }
}
