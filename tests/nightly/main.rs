//! The nightly compliance run, end to end with the real binary: `privacy-inventory.toml` (init,
//! portfolio of several sites, `--site`, config errors), accepted exceptions, and drift against a
//! baseline (`--baseline`, `--fail-on-new`, `diff`).
//!
//! Fixtures: `nightly-v1` is a shop with Google Fonts (medium) and Hotjar (high: an undisclosed
//! session recorder, also `tracking_before_consent`); `nightly-v2` is the same shop after the
//! marketing team added the Meta Pixel (and its `_fbp` cookie). No policy names anything, so
//! every service is undisclosed.

#[path = "../harness/mod.rs"]
mod harness;

mod config;
mod drift;
mod exceptions;

use serde_json::Value;
use std::path::Path;

/// Start URL of both shop versions.
pub const SHOP: &str = "http://www.shop.test/";

/// Write `text` to `dir/name`; the path as a string for an argument list.
pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// Read and parse a JSON file the binary wrote.
pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// A `[[site]]` block that sends every host of the scan to `port` on loopback.
pub fn site_block(name: &str, url: &str, port: u16) -> String {
    format!("[[site]]\nname = \"{name}\"\nurl = \"{url}\"\nresolve = [\"*:{port}:127.0.0.1\"]\ninsecure = true\n\n")
}

/// `(kind, service, severity)` of every finding, in report order.
pub fn finding_services(report: &Value) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap_or("").to_string(),
                f["service"].as_str().unwrap_or("").to_string(),
                f["severity"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}
