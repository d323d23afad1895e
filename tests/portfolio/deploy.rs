//! The deploy examples are documentation that runs: the manifests parse as YAML, and the binary is
//! run with the exact arguments each example gives it (mount points mapped to a temp directory,
//! the scheduler's variables set as the scheduler would), against loopback fixture sites.

use crate::harness::site;
use crate::{index_sites, read_json, SHOP};
use serde_norway::Value as Yaml;
use std::path::{Path, PathBuf};
use std::process::Command;

fn deploy(rel: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deploy")
        .join(rel);
    assert!(p.exists(), "{} is missing", p.display());
    p
}

fn yaml(rel: &str) -> Yaml {
    let text = std::fs::read_to_string(deploy(rel)).unwrap();
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("deploy/{rel} is not YAML: {e}"))
}

fn strings(v: &Yaml) -> Vec<String> {
    v.as_sequence()
        .unwrap_or_else(|| panic!("expected a list, got {v:?}"))
        .iter()
        .map(|s| match s {
            Yaml::String(s) => s.clone(),
            Yaml::Number(n) => n.to_string(),
            other => panic!("not a string: {other:?}"),
        })
        .collect()
}

/// Run the binary with `args` in `cwd` and extra environment; (exit code, stderr).
fn run(args: &[String], cwd: &Path, env: &[(&str, String)]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_privacy-inventory"))
        .args(args)
        .current_dir(cwd)
        .env_remove("PRIVACY_INVENTORY_SHARD")
        .env_remove("JOB_COMPLETION_INDEX")
        .env_remove("CI_NODE_INDEX")
        .env_remove("CI_NODE_TOTAL")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .expect("run privacy-inventory");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), stderr)
}

/// A portfolio of six loopback sites (more sites than shards, so every shard has work in all
/// likelihood, and the hash decides which).
fn portfolio(port_v1: u16, port_v2: u16) -> String {
    let mut text = String::from("fail_on = \"high\"\nparallel = 2\n\n");
    for (i, name) in ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
        .iter()
        .enumerate()
    {
        let port = if i % 2 == 0 { port_v1 } else { port_v2 };
        text.push_str(&format!(
            "[[site]]\nname = \"{name}\"\nurl = \"{SHOP}\"\nresolve = [\"*:{port}:127.0.0.1\"]\nmax_pages = 5\n\n"
        ));
    }
    text
}

const NAMES: [&str; 6] = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];

#[test]
fn every_manifest_parses_as_yaml() {
    for rel in [
        "kubernetes/configmap.yaml",
        "kubernetes/cronjob.yaml",
        "kubernetes/merge-cronjob.yaml",
        "kubernetes/pvc.yaml",
        "github-actions/privacy-inventory.yml",
    ] {
        let doc = yaml(rel);
        assert!(doc.is_mapping(), "deploy/{rel}: not a YAML mapping");
    }
    // The portfolio in the ConfigMap is a config file the binary accepts.
    let cm = yaml("kubernetes/configmap.yaml");
    let toml = cm["data"]["privacy-inventory.toml"]
        .as_str()
        .expect("toml in data");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("privacy-inventory.toml");
    std::fs::write(&path, toml).unwrap();
    let file = privacy_inventory::cli::config_file::load(&path).expect("ConfigMap config loads");
    let sites = privacy_inventory::cli::config_file::plan(&file, true).expect("and plans");
    assert!(sites.len() >= 2, "{sites:?}");
}

#[test]
fn kubernetes_indexed_job_and_merge_run_with_their_exact_arguments() {
    let (v1, v2) = (site("nightly-v1"), site("nightly-v2"));
    let scan_job = yaml("kubernetes/cronjob.yaml");
    let job = &scan_job["spec"]["jobTemplate"]["spec"];
    assert_eq!(job["completionMode"].as_str(), Some("Indexed"));
    let completions = job["completions"].as_u64().expect("completions: N");
    let container = &job["template"]["spec"]["containers"][0];
    let args = strings(&container["args"]);
    // --shard N must equal completions: JOB_COMPLETION_INDEX runs 0 … completions-1.
    let shard_at = args.iter().position(|a| a == "--shard").expect("--shard");
    assert_eq!(args[shard_at + 1], completions.to_string(), "{args:?}");
    let merge_job = yaml("kubernetes/merge-cronjob.yaml");
    let merge_args = strings(
        &merge_job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["initContainers"][0]["args"],
    );
    let merged_shards = merge_args
        .iter()
        .filter(|a| a.starts_with("/reports/shards/shard-"))
        .count() as u64;
    assert_eq!(
        merged_shards, completions,
        "merge every shard: {merge_args:?}"
    );

    // Mount points → a temp directory; the ConfigMap's file → a loopback portfolio.
    let root = tempfile::tempdir().unwrap();
    let map = |a: &str| -> String {
        if a.starts_with("/config/") || a.starts_with("/reports/") {
            format!("{}{a}", root.path().display())
        } else {
            a.to_string()
        }
    };
    std::fs::create_dir_all(root.path().join("config")).unwrap();
    std::fs::write(
        root.path().join("config/privacy-inventory.toml"),
        portfolio(v1.port(), v2.port()),
    )
    .unwrap();
    let mut scanned = Vec::new();
    for index in 0..completions {
        let args: Vec<String> = args
            .iter()
            .map(|a| map(a).replace("$(JOB_COMPLETION_INDEX)", &index.to_string()))
            .collect();
        let (code, stderr) = run(
            &args,
            root.path(),
            &[("JOB_COMPLETION_INDEX", index.to_string())],
        );
        assert_eq!(code, 0, "shard {index} ({args:?}): {stderr}");
        let shard = read_json(
            &root
                .path()
                .join(format!("reports/shards/shard-{index}/index.json")),
        );
        scanned.extend(index_sites(&shard).into_iter().map(|s| s.0));
    }
    // Each site in exactly one shard.
    scanned.sort();
    assert_eq!(scanned, NAMES);

    let args: Vec<String> = merge_args.iter().map(|a| map(a)).collect();
    let (code, stderr) = run(&args, root.path(), &[]);
    assert_eq!(code, 0, "merge ({args:?}): {stderr}");
    let overview = root.path().join("reports/overview");
    let names: Vec<String> = index_sites(&read_json(&overview.join("index.json")))
        .into_iter()
        .map(|s| s.0)
        .collect();
    assert_eq!(names, NAMES);
    assert!(overview.join("index.html").is_file() && overview.join("alpha.json").is_file());
}

#[test]
fn github_actions_matrix_and_merge_run_with_their_exact_arguments() {
    let (v1, v2) = (site("nightly-v1"), site("nightly-v2"));
    let wf = yaml("github-actions/privacy-inventory.yml");
    let jobs = &wf["jobs"];
    let shards: Vec<String> = strings(&jobs["scan"]["strategy"]["matrix"]["shard"]);
    let run_line = |job: &str| -> String {
        let steps = jobs[job]["steps"].as_sequence().expect("steps");
        let lines: Vec<&str> = steps
            .iter()
            .filter_map(|s| s["run"].as_str())
            .filter(|r| r.trim_start().starts_with("privacy-inventory"))
            .collect();
        assert_eq!(
            lines.len(),
            1,
            "{job}: one privacy-inventory step: {lines:?}"
        );
        assert!(
            !lines[0].contains(['"', '\'', '\\']),
            "quoting is not emulated here: {}",
            lines[0]
        );
        lines[0].to_string()
    };
    let words =
        |line: &str| -> Vec<String> { line.split_whitespace().skip(1).map(String::from).collect() };
    let scan_args = run_line("scan");
    let merge_args = words(&run_line("merge"));

    let root = tempfile::tempdir().unwrap();
    let merge_dir = root.path().join("merge");
    std::fs::create_dir_all(merge_dir.join("shards")).unwrap();
    let mut scanned = Vec::new();
    for k in &shards {
        // A fresh checkout per matrix job, holding the portfolio.
        let job_dir = root.path().join(format!("scan-{k}"));
        std::fs::create_dir_all(&job_dir).unwrap();
        std::fs::write(
            job_dir.join("privacy-inventory.toml"),
            portfolio(v1.port(), v2.port()),
        )
        .unwrap();
        let args = words(&scan_args.replace("${{ matrix.shard }}", k));
        let (code, stderr) = run(&args, &job_dir, &[]);
        assert_eq!(code, 0, "shard {k} ({args:?}): {stderr}");
        scanned.extend(
            index_sites(&read_json(&job_dir.join("shard/index.json")))
                .into_iter()
                .map(|s| s.0),
        );
        // upload-artifact shard-K + download-artifact pattern shard-* → shards/shard-K/
        std::fs::rename(
            job_dir.join("shard"),
            merge_dir.join(format!("shards/shard-{k}")),
        )
        .unwrap();
    }
    scanned.sort();
    assert_eq!(scanned, NAMES);

    // First night: no previous overview, so every high finding is new and the job fails.
    let (code, stderr) = run(&merge_args, &merge_dir, &[]);
    assert_eq!(code, 1, "{merge_args:?}: {stderr}");
    assert!(stderr.contains("does not exist yet"), "{stderr}");
    // The workflow keeps tonight's overview as tomorrow's baseline: nothing new, the job passes.
    std::fs::rename(merge_dir.join("overview"), merge_dir.join("previous")).unwrap();
    let (code, stderr) = run(&merge_args, &merge_dir, &[]);
    assert_eq!(code, 0, "{merge_args:?}: {stderr}");
    let index = read_json(&merge_dir.join("overview/index.json"));
    assert_eq!(
        index["sites"][0]["new_findings_by_severity"]["high"], 0,
        "{index}"
    );
}

/// Every `privacy-inventory` command of the Dockerfile (RUN lines, and ENTRYPOINT + CMD), with
/// each of its flags.
fn dockerfile_commands() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(deploy("Dockerfile")).unwrap();
    // Join continuation lines first.
    let joined = text.replace("\\\n", " ");
    let mut cmds = Vec::new();
    let mut entry: Vec<String> = Vec::new();
    let mut cmd: Vec<String> = Vec::new();
    for line in joined.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("RUN ") {
            for part in rest.split("&&") {
                let words: Vec<String> = part
                    .split_whitespace()
                    .take_while(|w| !w.starts_with('>') && *w != "|")
                    .map(String::from)
                    .collect();
                if words.first().map(String::as_str) == Some("privacy-inventory") {
                    cmds.push(words[1..].to_vec());
                }
            }
        } else if let Some(rest) = line.strip_prefix("ENTRYPOINT ") {
            entry = serde_json::from_str(rest).expect("ENTRYPOINT in exec form");
        } else if let Some(rest) = line.strip_prefix("CMD ") {
            cmd = serde_json::from_str(rest).expect("CMD in exec form");
        }
    }
    assert_eq!(
        entry.last().map(String::as_str),
        Some("privacy-inventory"),
        "ENTRYPOINT runs the binary: {entry:?}"
    );
    cmds.push(cmd);
    cmds
}

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_privacy-inventory"))
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?} --help failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn every_command_the_dockerfile_runs_exists_in_help() {
    let cmds = dockerfile_commands();
    assert!(cmds.len() >= 3, "{cmds:?}");
    for words in cmds {
        // Subcommands (and their subcommands) must be listed by the level above.
        let mut path: Vec<&str> = Vec::new();
        for w in words
            .iter()
            .take_while(|w| !w.starts_with('-') && !w.starts_with('/'))
        {
            let listing = help(&path);
            assert!(
                listing
                    .lines()
                    .any(|l| l.trim_start().starts_with(&format!("{w} "))),
                "`privacy-inventory {} {w}` is not in --help:\n{listing}",
                path.join(" ")
            );
            path.push(w);
        }
        let text = help(&path);
        for flag in words.iter().filter(|w| w.starts_with("--")) {
            assert!(
                text.contains(flag.as_str()),
                "`privacy-inventory {}` has no {flag}:\n{text}",
                path.join(" ")
            );
        }
    }
}
