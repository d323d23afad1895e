//! Precision and recall of `undisclosed_service` over the fixture sites whose truth is known:
//! every `fixtures/sites/*/_truth.toml` lists, per start URL, the services that are really used
//! and not named by the policy. Each site is scanned in static mode and in browser mode after
//! "accept all"; a reported service that is not in the truth is a false alarm, a truth that is
//! not reported a miss. The figures are printed (`cargo test --test precision -- --nocapture`,
//! or `bench/precision.sh`) and held to the goals of issue 10.

mod harness;

use std::collections::BTreeSet;

#[derive(serde::Deserialize)]
struct TruthFile {
    site: Vec<TruthSite>,
}

#[derive(serde::Deserialize)]
struct TruthSite {
    start: String,
    undisclosed: Vec<String>,
}

/// Every (case, start, truth) of the corpus, sorted by case.
fn corpus() -> Vec<(String, String, BTreeSet<String>)> {
    let dir = harness::fixture_path("sites");
    let mut out = Vec::new();
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("_truth.toml").is_file())
        .collect();
    cases.sort();
    for case in cases {
        let text = std::fs::read_to_string(case.join("_truth.toml")).unwrap();
        let truth: TruthFile = toml::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", case.join("_truth.toml").display()));
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        for s in truth.site {
            out.push((name.clone(), s.start, s.undisclosed.into_iter().collect()));
        }
    }
    assert!(
        out.len() >= 20,
        "the corpus lost sites: {} found under {}",
        out.len(),
        dir.display()
    );
    out
}

struct Tally {
    tp: usize,
    fp: usize,
    missed: usize,
    /// False alarms that are only a low "possible" (cookie name only) finding.
    fp_possible: usize,
    lines: Vec<String>,
}

impl Tally {
    fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.missed)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

fn tally(mode_args: &[&str]) -> Tally {
    let mut t = Tally {
        tp: 0,
        fp: 0,
        missed: 0,
        fp_possible: 0,
        lines: Vec::new(),
    };
    for (case, start, truth) in corpus() {
        let site = harness::site(&case);
        let r = site
            .scan(&start)
            .args(&["--max-pages", "5"])
            .args(mode_args)
            .run();
        r.expect_code_in(&[0, 1]);
        let reported: Vec<_> = r
            .report()
            .findings
            .iter()
            .filter(|f| f.kind == "undisclosed_service")
            .collect();
        let ids: BTreeSet<String> = reported.iter().filter_map(|f| f.service.clone()).collect();
        let fps: Vec<&String> = ids.difference(&truth).collect();
        let missed: Vec<&String> = truth.difference(&ids).collect();
        t.tp += ids.intersection(&truth).count();
        t.fp += fps.len();
        t.missed += missed.len();
        t.fp_possible += reported
            .iter()
            .filter(|f| {
                f.evidence_strength.as_deref() == Some("cookie_name_only")
                    && f.service.as_ref().is_some_and(|s| !truth.contains(s))
            })
            .count();
        t.lines.push(format!(
            "{case:<22} {start:<40} reported {ids:?} false {fps:?} missed {missed:?}"
        ));
    }
    t
}

fn report(mode: &str, t: &Tally) {
    eprintln!("\n== undisclosed_service, {mode} ==");
    for l in &t.lines {
        eprintln!("{l}");
    }
    eprintln!(
        "{mode}: TP {} FP {} (of which low \"possible\" {}) FN {} -> precision {:.3}, recall {:.3}",
        t.tp,
        t.fp,
        t.fp_possible,
        t.missed,
        t.precision(),
        t.recall()
    );
}

#[test]
fn static_mode_precision_and_recall() {
    let t = tally(&[]);
    report("static", &t);
    assert_eq!(
        t.recall(),
        1.0,
        "recall must stay 1.00:\n{}",
        t.lines.join("\n")
    );
    assert!(
        t.precision() >= 0.95,
        "precision {:.3}:\n{}",
        t.precision(),
        t.lines.join("\n")
    );
}

#[test]
fn browser_mode_after_accept_all_precision_and_recall() {
    let t = tally(&["--browser", "--consent", "accept", "--page-timeout", "5"]);
    report("browser, after accept-all", &t);
    assert_eq!(
        t.recall(),
        1.0,
        "recall must stay 1.00:\n{}",
        t.lines.join("\n")
    );
    assert!(
        t.precision() >= 0.90,
        "precision {:.3}:\n{}",
        t.precision(),
        t.lines.join("\n")
    );
}
