//! `privacy-inventory demo`: serve the bundled demo site on 127.0.0.1 and scan it, offline.
//! The same loopback server plays fixture sites (and all their third parties) in the tests.
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

use crate::cli::exit::Exit;
use crate::cli::scan::{build_config, run_config, CrawlArgs, DemoArgs};
use crate::cli::usage_error;
use server::FixtureServer;
use site::SiteSource;

/// The demo site, embedded at compile time (`build.rs` makes Cargo rebuild when it changes).
pub static DEMO_SITE: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/fixtures/demo-site");

/// Hostname of the demo company's website.
pub const DEMO_HOST: &str = "www.brightwater-outdoor.test";

/// The scan settings the demo uses for a server on `port`: every host resolved to the loopback
/// server, `--insecure` because the demo's third parties are https with a self-signed certificate
/// (the report records that it was on).
pub fn demo_crawl_args(port: u16, browser: bool) -> CrawlArgs {
    CrawlArgs {
        resolve: vec![format!("*:{port}:127.0.0.1")],
        insecure: true,
        browser,
        // The demo site is invented: its names exist in no DNS, and the demo stays offline.
        no_dns: true,
        ..CrawlArgs::default()
    }
}

/// `privacy-inventory demo`.
pub async fn run(args: DemoArgs) -> Exit {
    let server = match FixtureServer::start(SiteSource::Embedded(&DEMO_SITE)).await {
        Ok(s) => s,
        Err(e) => {
            return usage_error(format!(
                "demo: cannot start the loopback server on 127.0.0.1: {e}"
            ))
        }
    };
    let port = server.port();
    let start = format!("http://{DEMO_HOST}/");
    let config = match build_config(&start, &demo_crawl_args(port, args.browser), args.out.quiet) {
        Ok(c) => c,
        Err(e) => return usage_error(format!("demo: {e}")),
    };
    if !args.out.quiet {
        eprintln!(
            "privacy-inventory demo: serving the bundled demo site (Brightwater Outdoor, an invented shop) \
             and its third parties on 127.0.0.1:{port}"
        );
        eprintln!(
            "privacy-inventory demo: scanning {start} in {} mode with --resolve '*:{port}:127.0.0.1' --insecure \
             (nothing leaves this machine)",
            config.mode.as_str()
        );
    }
    let exit = run_config(config, &args.out, &args.baseline).await;
    drop(server);
    exit
}
