//! `privacy-inventory demo`: serve the bundled demo site (`crate::demo`) on 127.0.0.1 and scan it
//! with the ordinary scan path, offline.

use super::crawl_args::{build_config, CrawlArgs};
use super::drift_cmd::BaselineArgs;
use super::exit::Exit;
use super::output::OutputArgs;
use super::scan::run_config;
use super::usage_error;
use crate::demo::server::FixtureServer;
use crate::demo::site::SiteSource;
use crate::demo::{DEMO_HOST, DEMO_SITE};

/// Arguments of `demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    #[command(flatten)]
    /// Output settings.
    pub out: OutputArgs,
    /// Scan the demo site with a real browser.
    #[arg(long)]
    pub browser: bool,
    #[command(flatten)]
    /// Baseline comparison.
    pub baseline: BaselineArgs,
}

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
