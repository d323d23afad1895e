//! `privacy-inventory demo`: serve the bundled demo site on 127.0.0.1 and scan it, offline.
//! The same loopback server plays fixture sites (and all their third parties) in the tests.

pub mod bodies;
pub mod routes;
pub mod server;
pub mod site;

use crate::cli::exit::Exit;
use crate::cli::scan::DemoArgs;

/// `privacy-inventory demo`.
pub async fn run(args: DemoArgs) -> Exit {
    let _ = args;
    crate::cli::usage_error("demo: not built yet")
}
