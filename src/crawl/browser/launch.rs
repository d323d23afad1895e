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

/// A running browser. Dropping it kills the process and deletes the profile.
pub struct Browser {
    child: Child,
    /// The DevTools WebSocket URL.
    pub ws_url: String,
    /// Kept alive so the profile directory is removed on drop.
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    /// Kill the browser and wait for it (bounded), so the profile directory can be removed after:
    /// a still-running Chromium recreates files in it.
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        for _ in 0..60 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        // Renderer processes exit right after the browser; retry the removal briefly.
        for _ in 0..10 {
            if std::fs::remove_dir_all(self._profile.path()).is_ok()
                || !self._profile.path().exists()
            {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

/// Where the browser is: `--chrome PATH`, else the first candidate on PATH.
pub fn find_chrome(explicit: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(p) = explicit {
        return if p.is_file() {
            Ok(p.to_path_buf())
        } else {
            Err(format!("--chrome {}: no such file", p.display()))
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
    Err(
        "browser mode needs Chromium or Chrome and none was found on PATH: install it \
         (Debian/Ubuntu: `sudo apt-get install -y chromium`) or pass --chrome PATH"
            .into(),
    )
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
    let mut cmd = Command::new(&exe);
    cmd.args(QUIET_FLAGS)
        .arg(format!("--user-data-dir={}", profile.path().display()))
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
        .kill_on_drop(true);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    let stderr = child.stderr.take().ok_or("no stderr from the browser")?;
    let mut lines = BufReader::new(stderr).lines();
    let find = async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(i) = line.find("ws://") {
                return Some(line[i..].trim().to_string());
            }
        }
        None
    };
    let ws_url = match tokio::time::timeout(Duration::from_secs(20), find).await {
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
    Ok(Browser {
        child,
        ws_url,
        _profile: profile,
    })
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
    }
}
