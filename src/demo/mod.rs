//! The demo site and the loopback fixture server: `privacy-inventory demo` (wired in
//! `cli/demo_cmd.rs`) serves the bundled site on 127.0.0.1 and scans it, offline; the same server
//! plays fixture sites (and all their third parties) in the tests. Nothing here depends on the CLI.
//!
//! The demo site (`fixtures/demo-site`, compiled into the binary) is Brightwater Outdoor, an
//! invented outdoor-gear shop with the usual stack: Cookiebot, Google Analytics, a session-replay
//! tag, a consent-gated Meta Pixel, Google Fonts via CSS `@import`, a YouTube embed and a Formspree
//! contact form. Its privacy policy deliberately misses some of them, so the demo shows findings.

pub mod bodies;
pub mod dns;
pub mod routes;
pub mod server;
pub mod site;

/// The demo site, embedded at compile time (`build.rs` makes Cargo rebuild when it changes).
pub static DEMO_SITE: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/fixtures/demo-site");

/// Hostname of the demo company's website.
pub const DEMO_HOST: &str = "www.brightwater-outdoor.test";
