//! `--shard K/N`: which sites of a portfolio this process scans, so a scheduler we do not run
//! (a Kubernetes Indexed Job, a CI matrix, GitLab `parallel:`) can spread a portfolio over
//! machines with nothing but the same config file and a shard number.
//!
//! A site's shard depends on its name alone (a hash of it), never on its position in the file or
//! on the other sites: adding or removing a site moves no other site, so each site's reports
//! and baselines stay with the same job from night to night.

use sha2::{Digest, Sha256};

/// Environment variable read when `--shard` is not given (`K/N` or `N`, like the flag).
pub const SHARD_ENV: &str = "PRIVACY_INVENTORY_SHARD";

/// One shard of N, 1-based as users count (`--shard 1/4` … `--shard 4/4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1 ≤ index ≤ total.
    pub index: u32,
    /// Number of shards.
    pub total: u32,
}

impl Shard {
    /// Does the site named `name` belong to this shard? Exactly one shard of N says yes.
    pub fn contains(&self, name: &str) -> bool {
        shard_of(name, self.total) == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.total)
    }
}

/// The shard (1-based) of the site named `name` among `total`: the first 8 bytes of the name's
/// SHA-256 modulo `total`. SHA-256 rather than std's hasher because the split must be the same
/// on every machine, platform and Rust version that runs a shard.
pub fn shard_of(name: &str, total: u32) -> u32 {
    let digest = Sha256::digest(name.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % u64::from(total.max(1))) as u32 + 1
}

fn number(what: &str, s: &str) -> Result<u32, String> {
    s.trim()
        .parse::<u32>()
        .map_err(|_| format!("{what} {s:?} is not a whole number"))
}

/// Where the index comes from when only the total is given (`--shard N`): the variables that
/// schedulers set in each parallel job. Kubernetes counts from 0, GitLab from 1.
fn index_from_scheduler(total: u32, env: &dyn Fn(&str) -> Option<String>) -> Result<u32, String> {
    if let Some(i) = env("JOB_COMPLETION_INDEX") {
        // Kubernetes Indexed Job: 0 … completions-1.
        let i = number("JOB_COMPLETION_INDEX", &i)?;
        if i >= total {
            return Err(format!(
                "JOB_COMPLETION_INDEX={i} but --shard says {total} shards: set the Job's completions to {total}"
            ));
        }
        return Ok(i + 1);
    }
    if let Some(i) = env("CI_NODE_INDEX") {
        // GitLab `parallel: N`: 1 … CI_NODE_TOTAL.
        let i = number("CI_NODE_INDEX", &i)?;
        if let Some(t) = env("CI_NODE_TOTAL") {
            let t = number("CI_NODE_TOTAL", &t)?;
            if t != total {
                return Err(format!(
                    "CI_NODE_TOTAL={t} but --shard says {total} shards: make `parallel:` and --shard agree"
                ));
            }
        }
        return Ok(i);
    }
    Err(format!(
        "--shard {total} gives only the number of shards and no scheduler index was found: \
         set JOB_COMPLETION_INDEX (Kubernetes Indexed Job, 0-based) or CI_NODE_INDEX (GitLab parallel, 1-based), \
         or give --shard K/{total}"
    ))
}

/// Parse a shard spec: `K/N` (1 ≤ K ≤ N), or `N` alone with K from the scheduler's environment
/// (see [`index_from_scheduler`]). `env` is the environment, passed in so tests need not set it.
pub fn parse(spec: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Shard, String> {
    let (index, total) = match spec.split_once('/') {
        Some((k, n)) => (number("--shard index", k)?, number("--shard total", n)?),
        None => {
            let n = number("--shard", spec)?;
            if n == 0 {
                return Err("--shard needs at least 1 shard".into());
            }
            (index_from_scheduler(n, env)?, n)
        }
    };
    if total == 0 || index == 0 || index > total {
        return Err(format!(
            "--shard {index}/{total}: expected K/N with 1 ≤ K ≤ N (shards count from 1)"
        ));
    }
    Ok(Shard { index, total })
}

/// The shard in effect: the flag, else [`SHARD_ENV`], else none (every site).
pub fn resolve(
    flag: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Shard>, String> {
    let spec = match flag {
        Some(s) => s.to_string(),
        None => match env(SHARD_ENV).filter(|s| !s.trim().is_empty()) {
            Some(s) => s,
            None => return Ok(None),
        },
    };
    parse(&spec, env).map(Some).map_err(|e| match flag {
        Some(_) => e,
        None => format!("{SHARD_ENV}={spec}: {e}"),
    })
}

/// The process environment, for [`resolve`].
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("site-{i:03}.example")).collect()
    }

    #[test]
    fn every_site_lands_in_exactly_one_shard() {
        for total in 1..=7 {
            for name in names(300) {
                let hits = (1..=total)
                    .filter(|&k| Shard { index: k, total }.contains(&name))
                    .count();
                assert_eq!(hits, 1, "{name} in {hits} of {total} shards");
            }
        }
    }

    #[test]
    fn split_is_roughly_even() {
        let total = 4;
        let mut counts = [0usize; 4];
        for name in names(400) {
            counts[(shard_of(&name, total) - 1) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (60..=140).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn a_site_keeps_its_shard_when_others_come_and_go() {
        let before: Vec<(String, u32)> = names(50)
            .into_iter()
            .map(|n| {
                let s = shard_of(&n, 5);
                (n, s)
            })
            .collect();
        // The assignment is a function of the name alone: recomputing it after other names were
        // added or removed (here: in a different order, among other names) gives the same shard.
        let mut others = names(80);
        others.reverse();
        for (n, s) in &before {
            assert!(others.contains(n));
            assert_eq!(shard_of(n, 5), *s);
        }
        // Pinned values (computed independently with Python's hashlib): a change of hash would
        // move every site of every user's portfolio to another job.
        assert_eq!(shard_of("www", 4), WWW);
        assert_eq!(shard_of("shop.example", 4), SHOP);
        assert!(names(20).iter().all(|n| shard_of(n, 1) == 1));
    }

    const WWW: u32 = 1;
    const SHOP: u32 = 3;

    #[test]
    fn explicit_spec_is_one_based_and_checked() {
        let none = env(&[]);
        assert_eq!(parse("2/4", &none).unwrap(), Shard { index: 2, total: 4 });
        for bad in ["0/4", "5/4", "1/0", "a/4", "2/", "-1/3"] {
            let e = parse(bad, &none).unwrap_err();
            assert!(e.contains("--shard"), "{bad}: {e}");
        }
    }

    #[test]
    fn kubernetes_index_is_zero_based_gitlab_one_based() {
        let k8s = env(&[("JOB_COMPLETION_INDEX", "0")]);
        assert_eq!(parse("3", &k8s).unwrap(), Shard { index: 1, total: 3 });
        let k8s_last = env(&[("JOB_COMPLETION_INDEX", "2")]);
        assert_eq!(parse("3", &k8s_last).unwrap(), Shard { index: 3, total: 3 });
        let k8s_over = env(&[("JOB_COMPLETION_INDEX", "3")]);
        assert!(parse("3", &k8s_over).unwrap_err().contains("completions"));
        let gitlab = env(&[("CI_NODE_INDEX", "1"), ("CI_NODE_TOTAL", "3")]);
        assert_eq!(parse("3", &gitlab).unwrap(), Shard { index: 1, total: 3 });
        let gitlab_mismatch = env(&[("CI_NODE_INDEX", "1"), ("CI_NODE_TOTAL", "2")]);
        assert!(parse("3", &gitlab_mismatch)
            .unwrap_err()
            .contains("parallel"));
        let e = parse("3", &env(&[])).unwrap_err();
        assert!(
            e.contains("JOB_COMPLETION_INDEX") && e.contains("--shard K/3"),
            "{e}"
        );
    }

    #[test]
    fn flag_wins_over_environment() {
        let e = env(&[(SHARD_ENV, "2/3")]);
        assert_eq!(
            resolve(None, &e).unwrap(),
            Some(Shard { index: 2, total: 3 })
        );
        assert_eq!(
            resolve(Some("1/2"), &e).unwrap(),
            Some(Shard { index: 1, total: 2 })
        );
        assert_eq!(resolve(None, &env(&[])).unwrap(), None);
        let bad = env(&[(SHARD_ENV, "9/3")]);
        assert!(resolve(None, &bad).unwrap_err().starts_with(SHARD_ENV));
    }
}
