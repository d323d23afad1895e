//! Running our own JavaScript in a page where the page cannot tamper with it.
//!
//! Why an isolated world: a page's scripts can replace `Array.from`, `Object.keys` or
//! `JSON.stringify` in its own JavaScript world, and a DOM probe evaluated there would then see
//! no links and no storage. An isolated world (`Page.createIsolatedWorld`, the mechanism
//! extensions' content scripts use) shares the DOM and storage with the page but has pristine
//! built-ins of its own. Window globals a page defines (a CMP's config, the TCF API) live only in
//! the page's world: read those with [`eval_main`].

use super::cdp::Cdp;
use serde_json::{json, Value};
use std::time::Instant;

/// Name of our isolated world (shows in DevTools).
pub const WORLD_NAME: &str = "privacy-inventory";

/// Evaluate `expression` (awaited, returned by value) in a fresh isolated world of `frame_id` (a
/// tab's main frame id is its target id), giving up at `deadline`. Errors say why: no answer
/// (the page's scripts never yield), the frame is gone, or the expression threw.
pub async fn eval_isolated(
    cdp: &Cdp,
    session: &str,
    frame_id: &str,
    expression: &str,
    deadline: Instant,
) -> Result<Value, String> {
    let world = cdp
        .call_until(
            "Page.createIsolatedWorld",
            json!({ "frameId": frame_id, "worldName": WORLD_NAME }),
            Some(session),
            deadline,
        )
        .await?;
    let context = world["executionContextId"]
        .as_i64()
        .ok_or("the browser gave no execution context for the isolated world")?;
    let r = cdp
        .call_until(
            "Runtime.evaluate",
            json!({ "expression": expression, "contextId": context,
                    "awaitPromise": true, "returnByValue": true }),
            Some(session),
            deadline,
        )
        .await?;
    result_value(r)
}

/// Evaluate `expression` (awaited, by value) in the page's own world, giving up at `deadline`.
pub async fn eval_main(
    cdp: &Cdp,
    session: &str,
    expression: &str,
    deadline: Instant,
) -> Result<Value, String> {
    let r = cdp
        .call_until(
            "Runtime.evaluate",
            json!({ "expression": expression, "awaitPromise": true, "returnByValue": true }),
            Some(session),
            deadline,
        )
        .await?;
    result_value(r)
}

/// The value of a `Runtime.evaluate` answer, or the exception it reports.
fn result_value(r: Value) -> Result<Value, String> {
    if let Some(ex) = r.get("exceptionDetails") {
        let what = ex["exception"]["description"]
            .as_str()
            .or_else(|| ex["text"].as_str())
            .unwrap_or("exception");
        let first = what.lines().next().unwrap_or(what);
        return Err(format!("the script threw: {first}"));
    }
    Ok(r["result"]["value"].clone())
}
