//! Flags next to `--config`: what the user typed applies to every site and wins over the file,
//! the way cargo lets `--config`/flags override `.cargo/config.toml`. A flag that cannot mean
//! anything for the run at hand is a usage error — a flag that silently does nothing is worse.
//!
//! "Typed" is decided by clap's value source, not by comparing with defaults: `--max-pages 100`
//! given explicitly still beats a file's `max_pages = 20`.

use super::crawl_args::CrawlArgs;
use clap::parser::ValueSource;
use clap::ArgMatches;
use std::collections::BTreeSet;

/// `scan --help`: how flags and a config file combine, and where shards come from.
pub const SCAN_HELP: &str =
    "With --config: crawl flags typed on the command line apply to every site and win over the
file's values (lists such as --resolve replace the file's; --catalog adds to its catalogs; --fail-on
replaces fail_on). --policy, --baseline, --fail-on-new, --output and --format need a single site
(--site NAME); --site, --shard and --output-dir need --config. Anything else is an error (exit 2).

Shards: --shard K/N (1-based) or PRIVACY_INVENTORY_SHARD=K/N; --shard N reads the index from
JOB_COMPLETION_INDEX (Kubernetes Indexed Job, 0-based) or CI_NODE_INDEX (GitLab parallel, 1-based).
Put shard directories together with `privacy-inventory merge DIR... --output-dir OUT`.";

/// The clap ids (field names, e.g. `max_pages`) of the flags given on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Given(BTreeSet<String>);

impl Given {
    /// The flags of `matches` (one subcommand's) that came from the command line.
    pub fn from_matches(matches: &ArgMatches) -> Given {
        Given(
            matches
                .ids()
                .filter(|id| matches.value_source(id.as_str()) == Some(ValueSource::CommandLine))
                .map(|id| id.as_str().to_string())
                .collect(),
        )
    }

    /// From a list of ids (tests, and callers that build arguments themselves).
    pub fn of(ids: &[&str]) -> Given {
        Given(ids.iter().map(|s| s.to_string()).collect())
    }

    /// Was the flag with this id typed?
    pub fn contains(&self, id: &str) -> bool {
        self.0.contains(id)
    }

    /// The typed flags among `ids`, as `--flag-name` for a message.
    pub fn flags_among(&self, ids: &[&str]) -> Vec<String> {
        ids.iter()
            .filter(|id| self.contains(id))
            .map(|id| format!("--{}", id.replace('_', "-")))
            .collect()
    }
}

/// One list of the per-site crawl flags makes both [`PER_SITE`] (their ids, checked against clap
/// by a test) and the overlay that copies them, so a flag cannot be in one and not the other.
macro_rules! per_site_flags {
    ($($field:ident),* $(,)?) => {
        /// Crawl flags that apply to every site of a config file, replacing the file's value
        /// (lists included: `--resolve` given once replaces every site's `resolve`).
        pub const PER_SITE: &[&str] = &[$(stringify!($field)),*];

        /// Copy each typed per-site flag of `cli` over `site`.
        fn take_per_site(site: &mut CrawlArgs, cli: &CrawlArgs, given: &Given) {
            $( if given.contains(stringify!($field)) { site.$field = cli.$field.clone(); } )*
        }
    };
}

// The crawl flags that apply to every site of a config file.
per_site_flags!(
    scope,
    include,
    exclude,
    first_party,
    max_pages,
    max_depth,
    concurrency,
    rate,
    timeout,
    max_body,
    user_agent,
    ignore_robots,
    resolve,
    proxy,
    insecure,
    no_subresources,
    browser,
    mode,
    chrome,
    page_timeout,
    consent,
    allow_private,
    dns_server,
    no_dns,
);

/// Crawl flags handled elsewhere: `--catalog` adds to the file's `catalogs` (one catalog serves
/// the whole run), `--policy` names one site's policy (see [`check_portfolio`]).
pub const WHOLE_RUN: &[&str] = &["catalog", "policy"];

/// Put the typed crawl flags of `cli` over one site's settings from the file.
pub fn overlay(site: &mut CrawlArgs, cli: &CrawlArgs, given: &Given) {
    take_per_site(site, cli, given);
    if given.contains("browser") && !given.contains("mode") {
        // `--browser` is `--mode browser`: a file's `mode = "static"` must not win over it.
        site.browser = true;
    }
    if given.contains("mode") && !given.contains("browser") {
        site.browser = false;
    }
    if given.contains("no_dns") && !given.contains("dns_server") {
        // `--no-dns` must not lose to a file's `dns_server` (which wins over `no_dns` in a site).
        site.dns_server = None;
    }
    if given.contains("dns_server") {
        site.no_dns = false;
    }
    if given.contains("policy") {
        site.policy = cli.policy.clone();
    }
}

/// Flags that name one report or one site's inputs cannot apply to a run of several sites.
/// `sites` is the number of sites this process will scan.
pub fn check_portfolio(given: &Given, sites: usize) -> Result<(), String> {
    if sites <= 1 {
        return Ok(());
    }
    let one_site = given.flags_among(&["policy", "baseline", "fail_on_new", "output", "format"]);
    if one_site.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{} cannot apply to a portfolio of {sites} sites (each site has its own policy, baseline \
         and report): pick one with --site NAME, set `policy` per [[site]] in the file, or compare \
         a whole portfolio with `privacy-inventory merge DIR... --baseline PREVIOUS_OUT --fail-on-new`",
        one_site.join(", ")
    ))
}

/// Flags that only mean something with a config file.
pub fn check_single_url(given: &Given) -> Result<(), String> {
    let config_only = given.flags_among(&["site", "output_dir", "shard"]);
    if config_only.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} only apply with --config (a portfolio); a single URL writes one report (--output FILE)",
            config_only.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Args, Command};

    #[test]
    fn every_crawl_flag_is_either_per_site_or_whole_run() {
        // A new crawl flag that is in neither list would be silently ignored next to --config.
        let cmd = CrawlArgs::augment_args(Command::new("x"));
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            assert!(
                PER_SITE.contains(&id) || WHOLE_RUN.contains(&id),
                "crawl flag {id} is neither applied per site nor handled for the whole run"
            );
        }
    }

    #[test]
    fn typed_flags_win_and_others_keep_the_file() {
        let mut site = CrawlArgs {
            max_pages: 20,
            resolve: vec!["a:1:127.0.0.1".into()],
            insecure: false,
            ..CrawlArgs::default()
        };
        let cli = CrawlArgs {
            max_pages: 100,
            resolve: vec!["*:2:127.0.0.1".into()],
            insecure: true,
            timeout: 99.0,
            ..CrawlArgs::default()
        };
        overlay(
            &mut site,
            &cli,
            &Given::of(&["max_pages", "resolve", "insecure"]),
        );
        assert_eq!(site.max_pages, 100, "an explicit default still wins");
        assert_eq!(site.resolve, ["*:2:127.0.0.1"]);
        assert!(site.insecure);
        assert_eq!(
            site.timeout,
            CrawlArgs::default().timeout,
            "not typed: file value kept"
        );
    }

    #[test]
    fn browser_flag_beats_a_static_file() {
        let mut site = CrawlArgs::default();
        let cli = CrawlArgs {
            browser: true,
            ..CrawlArgs::default()
        };
        overlay(&mut site, &cli, &Given::of(&["browser"]));
        assert!(site.browser);
    }

    #[test]
    fn no_dns_flag_beats_a_files_dns_server() {
        let mut site = CrawlArgs {
            dns_server: Some("192.0.2.53".into()),
            ..Default::default()
        };
        let cli = CrawlArgs {
            no_dns: true,
            ..Default::default()
        };
        overlay(&mut site, &cli, &Given::of(&["no_dns"]));
        assert!(site.no_dns);
        assert_eq!(site.dns_server, None);
        let mut site = CrawlArgs {
            no_dns: true,
            ..Default::default()
        };
        let cli = CrawlArgs {
            dns_server: Some("192.0.2.53".into()),
            ..Default::default()
        };
        overlay(&mut site, &cli, &Given::of(&["dns_server"]));
        assert!(!site.no_dns);
        assert_eq!(site.dns_server.as_deref(), Some("192.0.2.53"));
    }

    #[test]
    fn one_site_flags_are_refused_for_a_portfolio() {
        assert!(check_portfolio(&Given::of(&["policy"]), 1).is_ok());
        let e = check_portfolio(&Given::of(&["baseline", "max_pages"]), 3).unwrap_err();
        assert!(
            e.contains("--baseline") && !e.contains("--max-pages"),
            "{e}"
        );
        assert!(check_portfolio(&Given::of(&["max_pages"]), 3).is_ok());
        let e = check_single_url(&Given::of(&["shard"])).unwrap_err();
        assert!(e.contains("--shard"), "{e}");
    }
}
