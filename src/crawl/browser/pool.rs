//! A pool of browser tabs: up to `--concurrency` visits run at once, and the moment one ends the
//! next URL starts in a new tab, so one slow page holds up one tab, not a whole batch.
//!
//! Each visit opens a fresh tab and closes it at the end (a tab is recycled after every page):
//! no page's scripts, listeners or memory outlive it, a page whose scripts never yield is
//! simply closed, and Chromium's memory stays that of `--concurrency` pages. Visits run as tasks
//! of their own; a panic in one becomes that page's error, never a dead scan. When the browser
//! itself dies, it is restarted once and the pages it took with it are retried.

use super::cdp::Cdp;
use super::egress::Egress;
use super::visit::{self, Visit, VisitPlan, GRACE};
use super::{start, Session};
use crate::config::ScanConfig;
use crate::model::ErrorKind;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::task::{Id, JoinSet};
use url::Url;

/// One URL to visit.
#[derive(Debug, Clone)]
pub struct Job {
    /// Discovery index (the order results are released in).
    pub idx: usize,
    /// The page.
    pub url: Url,
    /// Depth from the start page.
    pub depth: usize,
    /// Why the first attempt failed, on the retry.
    first_error: Option<String>,
}

impl Job {
    /// A first attempt at `url`.
    pub fn new(idx: usize, url: Url, depth: usize) -> Job {
        Job {
            idx,
            url,
            depth,
            first_error: None,
        }
    }
}

/// A finished visit: what it captured, or why the browser could not visit at all.
pub struct Done {
    /// The job.
    pub job: Job,
    /// The capture, or a browser-level error.
    pub result: Result<Visit, String>,
}

type Outcome = (Job, Arc<VisitPlan>, u64, Result<Visit, String>);

/// The browser and the visits running in it.
pub struct Pool<'a> {
    session: Session,
    config: &'a ScanConfig,
    tasks: JoinSet<Outcome>,
    running: HashMap<Id, Job>,
    /// Bumped at every browser restart: a failure from an older browser needs no new restart.
    generation: u64,
}

impl<'a> Pool<'a> {
    /// A pool over a started browser.
    pub fn new(session: Session, config: &'a ScanConfig) -> Self {
        Pool {
            session,
            config,
            tasks: JoinSet::new(),
            running: HashMap::new(),
            generation: 0,
        }
    }

    /// The DevTools connection of the current browser.
    pub fn cdp(&self) -> &Cdp {
        &self.session.cdp
    }

    /// Tabs at most (`--concurrency`).
    pub fn concurrency(&self) -> usize {
        self.config.concurrency.max(1)
    }

    /// The browser, once the crawl is over (to render the policy).
    pub fn into_session(self) -> Session {
        self.session
    }

    /// Visits running.
    pub fn in_flight(&self) -> usize {
        self.running.len()
    }

    /// Discovery indexes of the visits running.
    pub fn running_indexes(&self) -> Vec<usize> {
        self.running.values().map(|j| j.idx).collect()
    }

    /// Start visiting `job` with `plan` in a tab of its own.
    pub fn spawn(&mut self, job: Job, plan: &VisitPlan) {
        self.spawn_arc(job, Arc::new(plan.clone()));
    }

    fn spawn_arc(&mut self, job: Job, plan: Arc<VisitPlan>) {
        // Every tab, including a retry in a restarted browser, is guarded by the internal-address
        // rule of the browser it opens in.
        let plan = if same_egress(&plan.egress, &self.session.egress) {
            plan
        } else {
            Arc::new(VisitPlan {
                egress: self.session.egress.clone(),
                ..(*plan).clone()
            })
        };
        let cdp = self.session.cdp.clone();
        let timeout = self.config.page_timeout;
        let generation = self.generation;
        let (j, p, p2) = (job.clone(), plan.clone(), plan.clone());
        // The visit bounds itself; this is the backstop should a step ever fail to.
        let budget = visit::visit_budget(timeout, &plan) + GRACE;
        let handle = self.tasks.spawn(async move {
            let url = j.url.to_string();
            let result = match tokio::time::timeout(budget, visit::visit(&cdp, &url, timeout, &p2))
                .await
            {
                Ok(r) => r,
                Err(_) => Ok(Visit {
                    timed_out: true,
                    problems: vec![(
                        ErrorKind::PageUnresponsive,
                        format!(
                            "the visit did not end within {:.0} s: the tab was closed and the scan went on",
                            budget.as_secs_f64()
                        ),
                    )],
                    ..Default::default()
                }),
            };
            (j, p, generation, result)
        });
        self.running.insert(handle.id(), job);
    }

    /// The next visit to finish, in completion order; None when none runs. A visit that failed
    /// because the browser went away is retried once in a restarted browser before it is
    /// reported.
    pub async fn next(&mut self) -> Option<Done> {
        loop {
            let joined = self.tasks.join_next_with_id().await?;
            let (job, plan, generation, result) = match joined {
                Ok((id, outcome)) => {
                    self.running.remove(&id);
                    outcome
                }
                Err(e) => {
                    let Some(job) = self.running.remove(&e.id()) else {
                        continue;
                    };
                    let what = if e.is_panic() {
                        "the visit panicked (a bug: please report it with the page)"
                    } else {
                        "the visit was cancelled"
                    };
                    return Some(Done {
                        job,
                        result: Ok(Visit {
                            problems: vec![(ErrorKind::Internal, what.into())],
                            ..Default::default()
                        }),
                    });
                }
            };
            let Err(err) = result else {
                return Some(Done { job, result });
            };
            if let Some(first) = &job.first_error {
                let result = Err(format!("{first}; retried: {err}"));
                return Some(Done { job, result });
            }
            if generation == self.generation && self.session.cdp.is_closed() {
                match start(self.config).await {
                    Ok(s) => {
                        self.session = s;
                        self.generation += 1;
                    }
                    Err(e) => {
                        let result = Err(format!("{err}; the browser could not be restarted: {e}"));
                        return Some(Done { job, result });
                    }
                }
            }
            // A restarted browser has lost the phase's context: retry in the default one.
            let plan = if generation == self.generation {
                plan
            } else {
                Arc::new(VisitPlan {
                    context: None,
                    ..(*plan).clone()
                })
            };
            let mut retry = job;
            retry.first_error = Some(err);
            self.spawn_arc(retry, plan);
        }
    }

    /// The cookie jar of `context` (None: the default context).
    pub async fn jar(&self, context: Option<&str>) -> Result<serde_json::Value, String> {
        let params = match context {
            Some(c) => json!({ "browserContextId": c }),
            None => json!({}),
        };
        self.session
            .cdp
            .call("Storage.getCookies", params, None)
            .await
    }
}

/// Whether two plans' guards are the same handler (or both absent).
fn same_egress(a: &Option<Arc<Egress>>, b: &Option<Arc<Egress>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}
