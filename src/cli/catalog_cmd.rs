//! `privacy-inventory catalog …`: look up, list, check and import catalog entries.

use super::exit::Exit;

/// Catalog subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum CatalogCmd {
    /// Why is a host, cookie or URL attributed the way it is?
    Lookup {
        /// A hostname, cookie name or URL.
        query: String,
    },
}

/// Run a catalog subcommand.
pub fn run(cmd: CatalogCmd) -> Exit {
    let _ = cmd;
    Exit::Ok
}
