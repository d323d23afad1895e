//! `scan` (and the crawl flags `demo` shares): flags → [`ScanConfig`] → pipeline → outputs → exit code.

use super::crawl_args::{build_config, CrawlArgs};
use super::drift_cmd::BaselineArgs;
use super::exit::Exit;
use super::output::{effective_fail_on, findings_exit, write_outputs, OutputArgs};
use super::precedence::{check_portfolio, check_single_url, Given};
use super::usage_error;
use crate::catalog::Catalog;
use crate::config::ScanConfig;
use crate::crawl::ScanProgress;
use std::path::PathBuf;

/// Arguments of `scan`.
#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Start URL, e.g. https://www.example.com (without it: the sites of the config file).
    pub url: Option<String>,
    /// Config file with one or many sites (default: ./privacy-inventory.toml when no URL is given).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// With a config file: scan only the site with this name.
    #[arg(long, value_name = "NAME")]
    pub site: Option<String>,
    /// With a config file of several sites: directory for one report per site and index.json.
    #[arg(long, value_name = "DIR", default_value = "privacy-reports")]
    pub output_dir: PathBuf,
    /// With a config file: scan only shard K of N (1-based; a site's shard is a hash of its name).
    /// `--shard N` takes K from JOB_COMPLETION_INDEX (Kubernetes Indexed Job, 0-based) or
    /// CI_NODE_INDEX (GitLab parallel, 1-based). Without the flag: $PRIVACY_INVENTORY_SHARD.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Which flags were typed (filled from clap's matches): they win over the config file.
    #[arg(skip)]
    pub given: Given,
    #[command(flatten)]
    /// Crawl settings.
    pub crawl: CrawlArgs,
    #[command(flatten)]
    /// Output settings.
    pub out: OutputArgs,
    #[command(flatten)]
    /// Baseline comparison.
    pub baseline: BaselineArgs,
}

/// Run a configured scan and write its outputs.
pub async fn run_config(cfg: ScanConfig, out: &OutputArgs, baseline: &BaselineArgs) -> Exit {
    let catalog = match Catalog::load(&cfg.catalogs) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    // Read the baseline before crawling: a typo in its path must not cost a whole scan.
    let baseline_report = match &baseline.baseline {
        Some(path) => match crate::drift::load_report(path) {
            Ok(r) => Some(r),
            Err(e) => return usage_error(e),
        },
        None => None,
    };
    let progress = ScanProgress::for_stderr(cfg.quiet);
    let mut outcome = match crate::scan(&cfg, &catalog, &progress).await {
        Ok(o) => o,
        Err(e) => return usage_error(e),
    };
    if let Some(old) = &baseline_report {
        outcome.report.changes = Some(crate::drift::compare(old, &outcome.report));
    }
    if let Err(e) = write_outputs(&outcome.report, out) {
        return usage_error(e);
    }
    if let Some(signal) = crate::crawl::interrupt::requested() {
        return Exit::for_signal(signal);
    }
    if outcome.start_failed {
        if !out.quiet {
            eprintln!("privacy-inventory: the start URL {} could not be fetched (see errors in the report)", cfg.start);
        }
        return Exit::StartFailed;
    }
    match (&outcome.report.changes, baseline.fail_on_new) {
        (Some(changes), true) => {
            let only_new = crate::model::Report {
                findings: changes.new_findings.clone(),
                ..Default::default()
            };
            findings_exit(&only_new, effective_fail_on(out.fail_on, None))
        }
        _ => findings_exit(&outcome.report, effective_fail_on(out.fail_on, None)),
    }
}

/// `scan`: one URL, or the sites of a config file.
pub async fn run_scan(args: ScanArgs) -> Exit {
    let config_path = match (&args.url, &args.config) {
        (Some(url), None) => {
            if let Err(e) = check_single_url(&args.given) {
                return usage_error(e);
            }
            return match build_config(url, &args.crawl, args.out.quiet) {
                Ok(cfg) => run_config(cfg, &args.out, &args.baseline).await,
                Err(e) => usage_error(e),
            };
        }
        (Some(_), Some(_)) => return usage_error("give either a start URL or --config, not both"),
        (None, Some(p)) => p.clone(),
        (None, None) => {
            let p = PathBuf::from(super::config_file::DEFAULT_CONFIG);
            if !p.exists() {
                return usage_error(
                    "no start URL and no privacy-inventory.toml here: run `privacy-inventory scan https://www.example.com` or `privacy-inventory init`",
                );
            }
            p
        }
    };
    let shard = match super::shard::resolve(args.shard.as_deref(), &super::shard::process_env) {
        Ok(s) => s,
        Err(e) => return usage_error(e),
    };
    if shard.is_some() && args.site.is_some() {
        return usage_error(
            "--site picks one site and --shard a share of them: give one of the two",
        );
    }
    let mut file = match super::config_file::load(&config_path) {
        Ok(f) => f,
        Err(e) => return usage_error(e),
    };
    // Checked against the whole file, not this shard's share: a flag that cannot apply to the
    // portfolio must fail on every machine, not only on those whose shard has several sites.
    let planned = if args.site.is_some() {
        1
    } else {
        file.sites.len()
    };
    if let Err(e) = check_portfolio(&args.given, planned) {
        return usage_error(e);
    }
    // One catalog serves the whole run: --catalog adds to the file's.
    file.catalogs.extend(args.crawl.catalog.iter().cloned());
    let mut sites =
        match super::config_file::plan_with(&file, args.out.quiet, &args.crawl, &args.given) {
            Ok(s) => s,
            Err(e) => return usage_error(e),
        };
    if let Some(name) = &args.site {
        sites.retain(|s| &s.name == name);
        if sites.is_empty() {
            return usage_error(format!(
                "no site named {name:?} in {}",
                config_path.display()
            ));
        }
    }
    if let Some(shard) = shard {
        let total = sites.len();
        sites.retain(|s| shard.contains(&s.name));
        if !args.out.quiet {
            eprintln!(
                "privacy-inventory: shard {shard}: {} of {total} sites",
                sites.len()
            );
        }
    }
    let one_site_flags = args.out.output.is_some() || args.baseline.baseline.is_some();
    if sites.len() == 1 && one_site_flags && shard.is_none() {
        let site = sites.remove(0);
        let mut out = args.out.clone();
        out.fail_on = Some(effective_fail_on(out.fail_on, file.fail_on));
        return run_config(site.config, &out, &args.baseline).await;
    }
    super::portfolio::run(&file, sites, args.output_dir.clone(), &args.out).await
}
