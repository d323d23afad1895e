//! `merge DIR... --output-dir OUT`: put the shards of a portfolio back together — one
//! `index.json` for every site (sorted by name), the reports copied next to it so its paths
//! resolve from OUT, and `index.md` / `index.html` overviews.
//!
//! Shards run on machines that fail independently, so a missing or broken shard directory
//! never hides the others: it is named on stderr and in the overview, and only makes the
//! merge exit 2 when nothing at all could be merged.

use super::exit::Exit;
use super::output::{effective_fail_on, findings_exit, FailOn};
use super::usage_error;
use crate::report::json::write_atomic;
use crate::report::model::Report;
use crate::report::overview::{render_html, render_markdown, PortfolioIndex, SiteEntry};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `merge --help`: the exit codes, which are those of a portfolio scan.
pub const MERGE_HELP: &str = "Exit codes:
  0    no merged site has a finding at or above --fail-on
  1    a site has findings at or above --fail-on (with --fail-on-new: new ones)
  2    nothing could be merged (every shard directory missing or broken), or a bad invocation
  3    a site's start URL could not be fetched
Missing or broken shard directories are named on stderr and under `problems` in index.json.";

/// Arguments of `merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Output directories of `scan --config … --shard K/N` runs (each with an index.json).
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Where to write index.json, index.md, index.html and the copied reports.
    #[arg(long, value_name = "OUT")]
    pub output_dir: PathBuf,
    /// Exit 1 when a site has findings at or above this severity [default: high].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// A previous merge's OUT: compare each site's report with `<DIR>/<name>.json` and add
    /// its `changes` (new since baseline) to the copied report and the overview.
    #[arg(long, value_name = "DIR")]
    pub baseline: Option<PathBuf>,
    /// With --baseline: only findings new since the baseline count for the exit code.
    #[arg(long, requires = "baseline")]
    pub fail_on_new: bool,
    /// Nothing on stderr but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// A site taken from a shard, before its report is copied.
struct Found {
    entry: SiteEntry,
    /// The report file inside the shard directory.
    source: Option<PathBuf>,
    shard: PathBuf,
}

/// Read one shard's `index.json`; the error is one sentence naming the directory.
fn read_shard(dir: &Path) -> Result<PortfolioIndex, String> {
    if !dir.is_dir() {
        return Err(format!("shard {}: no such directory", dir.display()));
    }
    let path = dir.join("index.json");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "shard {}: cannot read index.json ({e}); did its scan finish?",
            dir.display()
        )
    })?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "shard {}: index.json is not a privacy-inventory index ({e})",
            dir.display()
        )
    })
}

/// Gather every site of every shard; a name seen twice keeps its first shard.
fn collect(dirs: &[PathBuf], problems: &mut Vec<String>) -> BTreeMap<String, Found> {
    let mut sites: BTreeMap<String, Found> = BTreeMap::new();
    for dir in dirs {
        let index = match read_shard(dir) {
            Ok(i) => i,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        for entry in index.sites {
            // Names and report paths become file names in OUT: only what `scan` itself writes
            // (a plain, file-name-safe name) may pass, so no index can write outside OUT.
            let plain = |s: &str| {
                !s.is_empty()
                    && !s.starts_with('.')
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            };
            if !plain(&entry.name) || !entry.report.as_deref().is_none_or(plain) {
                problems.push(format!(
                    "shard {}: site {:?} (report {:?}) is not a name `scan` writes; skipped",
                    dir.display(),
                    entry.name,
                    entry.report
                ));
                continue;
            }
            if let Some(first) = sites.get(&entry.name) {
                problems.push(format!(
                    "site {:?} is in both {} and {}; kept {}",
                    entry.name,
                    first.shard.display(),
                    dir.display(),
                    first.shard.display()
                ));
                continue;
            }
            let source = entry.report.as_ref().map(|r| dir.join(r));
            sites.insert(
                entry.name.clone(),
                Found {
                    entry,
                    source,
                    shard: dir.clone(),
                },
            );
        }
    }
    sites
}

/// Severity counts of a list of findings, every severity present.
fn by_severity(findings: &[crate::report::model::Finding]) -> BTreeMap<String, usize> {
    let mut m: BTreeMap<String, usize> = crate::report::describe::SEVERITIES
        .iter()
        .map(|s| (s.as_str().to_string(), 0))
        .collect();
    for f in findings
        .iter()
        .filter(|f| !crate::report::describe::is_accepted(f))
    {
        *m.entry(f.severity.as_str().to_string()).or_default() += 1;
    }
    m
}

/// Copy one site's report (and its .md/.html siblings) into OUT, adding `changes` against the
/// baseline when there is one; recompute its exit status under `fail_on`.
fn merge_site(
    found: Found,
    out: &Path,
    args: &MergeArgs,
    fail_on: FailOn,
) -> Result<SiteEntry, String> {
    let mut entry = found.entry;
    let Some(source) = found.source else {
        // The shard could not scan this site; its entry already says why.
        return Ok(entry);
    };
    let mut report: Report = crate::drift::load_report(&source)
        .map_err(|e| format!("shard {}: {e}", found.shard.display()))?;
    let name = format!("{}.json", entry.name);
    if let Some(base) = &args.baseline {
        let old = base.join(&name);
        if old.is_file() {
            match crate::drift::load_report(&old) {
                Ok(old) => report.changes = Some(crate::drift::compare(&old, &report)),
                Err(e) => eprintln!("privacy-inventory: baseline for {}: {e}", entry.name),
            }
        }
    }
    write_atomic(&out.join(&name), &crate::report::json::to_string(&report))
        .map_err(|e| format!("cannot write {}: {e}", out.join(&name).display()))?;
    for ext in ["md", "html"] {
        let sibling = source.with_extension(ext);
        if sibling.is_file() {
            let to = out.join(format!("{}.{ext}", entry.name));
            if sibling != to {
                std::fs::copy(&sibling, &to)
                    .map_err(|e| format!("cannot copy {}: {e}", sibling.display()))?;
            }
        }
    }
    entry.report = Some(name);
    entry.new_findings_by_severity = report
        .changes
        .as_ref()
        .map(|c| by_severity(&c.new_findings));
    // An unreachable start URL stays unreachable; otherwise the merge's --fail-on decides, as
    // in a single run.
    if entry.exit_code != Exit::StartFailed.code() {
        entry.exit_code = match (&report.changes, args.fail_on_new) {
            (Some(c), true) => {
                let only_new = Report {
                    findings: c.new_findings.clone(),
                    ..Default::default()
                };
                findings_exit(&only_new, fail_on)
            }
            _ => findings_exit(&report, fail_on),
        }
        .code();
    }
    Ok(entry)
}

/// `merge`.
pub fn run(args: MergeArgs) -> Exit {
    let out = args.output_dir.clone();
    if let Err(e) = std::fs::create_dir_all(&out) {
        return usage_error(format!(
            "cannot create output directory {}: {e}",
            out.display()
        ));
    }
    let fail_on = effective_fail_on(args.fail_on, None);
    if let Some(base) = args.baseline.as_ref().filter(|b| !b.is_dir()) {
        // The first night has no previous overview: say so, and compare nothing.
        eprintln!(
            "privacy-inventory: merge: baseline {} does not exist yet; no site is compared",
            base.display()
        );
    }
    let mut problems = Vec::new();
    let found = collect(&args.dirs, &mut problems);
    let mut sites = Vec::with_capacity(found.len());
    let mut merged = 0usize;
    for (name, f) in found {
        let fallback = SiteEntry {
            name: name.clone(),
            target: f.entry.target.clone(),
            exit_code: Exit::StartFailed.code(),
            ..Default::default()
        };
        match merge_site(f, &out, &args, fail_on) {
            Ok(e) => {
                merged += usize::from(e.report.is_some());
                sites.push(e);
            }
            Err(e) => {
                problems.push(e.clone());
                sites.push(SiteEntry {
                    error: Some(e),
                    ..fallback
                });
            }
        }
    }
    for p in &problems {
        eprintln!("privacy-inventory: merge: {p}");
    }
    if sites.is_empty() {
        return usage_error(format!(
            "nothing to merge: no site in {} shard directories ({} problems above)",
            args.dirs.len(),
            problems.len()
        ));
    }
    let index = PortfolioIndex {
        schema_version: crate::report::model::SCHEMA_VERSION.to_string(),
        sites,
        problems,
    };
    let json = serde_json::to_string_pretty(&index).expect("index serialises") + "\n";
    for (file, text) in [
        ("index.json", json),
        ("index.md", render_markdown(&index)),
        ("index.html", render_html(&index)),
    ] {
        if let Err(e) = write_atomic(&out.join(file), &text) {
            return usage_error(format!("cannot write {}: {e}", out.join(file).display()));
        }
    }
    let codes: Vec<Exit> = index
        .sites
        .iter()
        .map(|e| Exit::from_code(e.exit_code))
        .collect();
    let exit = super::exit::portfolio(&codes);
    if !args.quiet {
        let shards: BTreeSet<&PathBuf> = args.dirs.iter().collect();
        eprintln!(
            "privacy-inventory: merged {} sites ({merged} reports) from {} shard directories → {}",
            index.sites.len(),
            shards.len(),
            out.join("index.html").display()
        );
    }
    exit
}
