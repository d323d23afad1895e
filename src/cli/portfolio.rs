//! Scanning the sites of a config file: one report per site plus an index, one site failing never
//! loses the others. Each site is an independent, stateless scan, so large portfolios scale out
//! as one process per shard (README "Scaling out"), not with a scheduler of our own.

use super::config_file::{ConfigFile, PlannedSite};
use super::exit::Exit;
use super::output::{effective_fail_on, findings_exit, render, FailOn, Format, OutputArgs};
use crate::catalog::Catalog;
use crate::report::json::write_atomic;
use crate::report::overview::{PortfolioIndex, SiteEntry};
use futures_util::stream::{self, StreamExt};
use std::path::{Path, PathBuf};

async fn scan_site(
    site: &PlannedSite,
    catalog: &Catalog,
    dir: &Path,
    out: &OutputArgs,
    fail_on: FailOn,
) -> SiteEntry {
    let mut entry = SiteEntry {
        name: site.name.clone(),
        target: site.config.start.to_string(),
        report: None,
        exit_code: Exit::Ok.code(),
        error: None,
        summary: None,
        new_findings_by_severity: None,
    };
    // After Ctrl-C / SIGTERM the sites not started yet are not scanned (the index says so).
    if let Some(signal) = crate::crawl::interrupt::requested() {
        entry.error = Some("not scanned: the run was interrupted".into());
        entry.exit_code = Exit::for_signal(signal).code();
        return entry;
    }
    let outcome = match crate::scan(&site.config, catalog, &crate::crawl::NoProgress).await {
        Ok(o) => o,
        Err(e) => {
            entry.error = Some(e.to_string());
            entry.exit_code = Exit::Usage.code();
            return entry;
        }
    };
    let json_path = dir.join(format!("{}.json", site.name));
    let mut writes = vec![(json_path.clone(), render(&outcome.report, Format::Json))];
    if out.markdown.is_some() {
        writes.push((
            dir.join(format!("{}.md", site.name)),
            render(&outcome.report, Format::Md),
        ));
    }
    if out.html.is_some() {
        writes.push((
            dir.join(format!("{}.html", site.name)),
            render(&outcome.report, Format::Html),
        ));
    }
    for (path, text) in writes {
        if let Err(e) = write_atomic(&path, &text) {
            entry.error = Some(format!("cannot write {}: {e}", path.display()));
        }
    }
    entry.report = Some(
        json_path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned(),
    );
    entry.summary = Some(outcome.report.summary.clone());
    if outcome.start_failed {
        entry.exit_code = Exit::StartFailed.code();
        // The index is what a CI job reads first: say why, not only that the site failed.
        let why = outcome
            .report
            .errors
            .iter()
            .find(|e| e.url == outcome.report.target)
            .map(|e| format!(" ({}: {})", e.kind, e.message))
            .unwrap_or_default();
        entry.error.get_or_insert(format!(
            "the start URL could not be fetched{why}; see errors in {}.json",
            site.name
        ));
    } else {
        entry.exit_code = findings_exit(&outcome.report, fail_on).code();
    }
    // A site whose scan was stopped part-way has a partial report: its status says so.
    if let (true, Some(signal)) = (
        outcome.report.incomplete,
        crate::crawl::interrupt::requested(),
    ) {
        entry.exit_code = Exit::from_code(entry.exit_code)
            .worst(Exit::for_signal(signal))
            .code();
    }
    if !out.quiet {
        match &entry.error {
            Some(e) => eprintln!(
                "privacy-inventory: {} ({}): {e}",
                site.name, site.config.start
            ),
            None => eprintln!(
                "privacy-inventory: {} ({}): {} pages, {} services, {} findings → {}",
                site.name,
                site.config.start,
                outcome.report.summary.pages,
                outcome.report.summary.services,
                outcome.report.findings.len(),
                json_path.display()
            ),
        }
    }
    entry
}

/// Scan every planned site; write `<dir>/<name>.json` (and .md/.html when asked) and `<dir>/index.json`.
/// The exit code is the worst over all sites (143 > 130 > 3 > 1 > 0; 2 only when nothing could run).
pub async fn run(
    file: &ConfigFile,
    sites: Vec<PlannedSite>,
    dir: PathBuf,
    out: &OutputArgs,
) -> Exit {
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return super::usage_error(format!(
            "cannot create output directory {}: {e}",
            dir.display()
        ));
    }
    let catalog = match Catalog::load(&file.catalogs) {
        Ok(c) => c,
        Err(e) => return super::usage_error(e),
    };
    let fail_on = effective_fail_on(out.fail_on, file.fail_on);
    let parallel = file.parallel.unwrap_or(1).max(1);
    // Sites finish in any order (a slow site must not hold back the ones behind it); the index
    // keeps the file's order. Each finished site leaves only its index line in memory.
    let mut entries: Vec<(usize, SiteEntry)> = stream::iter(sites.iter().enumerate())
        .map(|(i, s)| {
            let (catalog, dir) = (&catalog, &dir);
            async move { (i, scan_site(s, catalog, dir, out, fail_on).await) }
        })
        .buffer_unordered(parallel)
        .collect()
        .await;
    entries.sort_by_key(|(i, _)| *i);
    let index = PortfolioIndex {
        schema_version: crate::model::SCHEMA_VERSION.to_string(),
        sites: entries.into_iter().map(|(_, e)| e).collect(),
        problems: Vec::new(),
    };
    let text = serde_json::to_string_pretty(&index).expect("index serialises") + "\n";
    if let Err(e) = write_atomic(&dir.join("index.json"), &text) {
        return super::usage_error(format!("cannot write index: {e}"));
    }
    let codes: Vec<Exit> = index
        .sites
        .iter()
        .map(|e| Exit::from_code(e.exit_code))
        .collect();
    super::exit::portfolio(&codes)
        // A signal that came after the last site finished still makes the run's status 130/143.
        .worst(
            crate::crawl::interrupt::requested()
                .map(Exit::for_signal)
                .unwrap_or(Exit::Ok),
        )
}
