//! Portfolios past one machine, end to end with the real binary: shards of a config file
//! (`scan --config … --shard K/N`), `merge` of their output directories into one overview, and
//! the deploy examples (Kubernetes, GitHub Actions, Dockerfile) run with their exact arguments.
//!
//! Fixtures: `nightly-v1` is a shop with Google Fonts (medium) and Hotjar (high);
//! `nightly-v2` is the same shop with the Meta Pixel added (a new high finding).

#[path = "../harness/mod.rs"]
mod harness;

mod deploy;
mod flags;
mod merge;

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
    format!("[[site]]\nname = \"{name}\"\nurl = \"{url}\"\nresolve = [\"*:{port}:127.0.0.1\"]\n\n")
}

/// `(name, exit_code, report)` of every site of an index.json.
pub fn index_sites(index: &Value) -> Vec<(String, u64, String)> {
    index["sites"]
        .as_array()
        .expect("index.json has sites")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["exit_code"].as_u64().unwrap(),
                s["report"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}
