//! `scan` (and the crawl flags `demo` shares): flags → [`ScanConfig`] → pipeline → outputs → exit code.

use super::crawl_args::{build_config, CrawlArgs};
use super::drift_cmd::BaselineArgs;
use super::exit::Exit;
use super::output::{effective_fail_on, findings_exit, write_outputs, OutputArgs};
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
            return match build_config(url, &args.crawl, args.out.quiet) {
                Ok(cfg) => run_config(cfg, &args.out, &args.baseline).await,
                Err(e) => usage_error(e),
            }
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
    let file = match super::config_file::load(&config_path) {
        Ok(f) => f,
        Err(e) => return usage_error(e),
    };
    let mut sites = match super::config_file::plan(&file, args.out.quiet) {
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
    if sites.len() == 1 && args.out.output.is_some() {
        let site = sites.remove(0);
        let mut out = args.out.clone();
        out.fail_on = Some(effective_fail_on(out.fail_on, file.fail_on));
        return run_config(site.config, &out, &args.baseline).await;
    }
    super::portfolio::run(&file, sites, args.output_dir.clone(), &args.out).await
}
