//! Scanning the sites of a config file: one report per site plus an index, one site failing never
//! loses the others. Each site is an independent, stateless scan, so large portfolios scale out
//! as one process per shard (README "Scaling out"), not with a scheduler of our own.

use super::config_file::{ConfigFile, PlannedSite};
use super::exit::Exit;
use super::output::{effective_fail_on, findings_exit, render, FailOn, Format, OutputArgs};
use crate::catalog::Catalog;
use crate::report::json::write_atomic;
use futures_util::stream::{self, StreamExt};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One line of `index.json`.
#[derive(Debug, Serialize)]
struct IndexEntry {
    name: String,
    target: String,
    report: Option<String>,
    #[serde(serialize_with = "exit_code")]
    exit_code: Exit,
    error: Option<String>,
    summary: Option<crate::model::Summary>,
}

/// `index.json` keeps the numeric exit status a shell script compares against.
fn exit_code<S: serde::Serializer>(e: &Exit, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u8(e.code())
}

async fn scan_site(
    site: &PlannedSite,
    catalog: &Catalog,
    dir: &Path,
    out: &OutputArgs,
    fail_on: FailOn,
) -> IndexEntry {
    let mut entry = IndexEntry {
        name: site.name.clone(),
        target: site.config.start.to_string(),
        report: None,
        exit_code: Exit::Ok,
        error: None,
        summary: None,
    };
    let outcome = match crate::scan(&site.config, catalog, &crate::crawl::NoProgress).await {
        Ok(o) => o,
        Err(e) => {
            entry.error = Some(e.to_string());
            entry.exit_code = Exit::Usage;
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
        entry.exit_code = Exit::StartFailed;
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
        entry.exit_code = findings_exit(&outcome.report, fail_on);
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
/// The exit code is the worst over all sites (3 > 1 > 0; 2 only when nothing could run).
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
    let entries: Vec<IndexEntry> = stream::iter(sites.iter())
        .map(|s| scan_site(s, &catalog, &dir, out, fail_on))
        .buffered(parallel)
        .collect()
        .await;
    let index =
        serde_json::json!({ "schema_version": crate::model::SCHEMA_VERSION, "sites": entries });
    let text = serde_json::to_string_pretty(&index).expect("index serialises") + "\n";
    if let Err(e) = write_atomic(&dir.join("index.json"), &text) {
        return super::usage_error(format!("cannot write index: {e}"));
    }
    // A site that could not be scanned at all (e.g. no browser) counts like an unreachable start
    // URL as long as some other site ran: 2 is kept for "nothing could run".
    let all_unusable = entries.iter().all(|e| e.exit_code == Exit::Usage);
    entries
        .iter()
        .map(|e| {
            if e.exit_code == Exit::Usage && !all_unusable {
                Exit::StartFailed
            } else {
                e.exit_code
            }
        })
        .fold(Exit::Ok, Exit::worst)
}
