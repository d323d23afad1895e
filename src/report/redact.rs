//! Credentials out of reports: a start URL like `https://user:password@staging.example.com/`
//! authenticates the crawl, but every URL derived from it (pages, errors, the target, evidence)
//! would carry the password into a JSON file that CI uploads as an artifact. The finished report
//! goes through [`credentials`] once, every string in it.

use super::model::Report;
use crate::domain::redact_credentials;
use std::borrow::Cow;

/// Replace the user-info of every URL in every string of `report` by `***`.
pub fn credentials(report: &mut Report) {
    let Ok(mut value) = serde_json::to_value(&*report) else {
        return;
    };
    if !redact_value(&mut value) {
        return;
    }
    if let Ok(r) = serde_json::from_value(value) {
        *report = r;
    }
}

/// Redact in place; whether anything changed.
fn redact_value(v: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::String(s) => match redact_credentials(s) {
            Cow::Owned(r) if r != *s => {
                *s = r;
                true
            }
            _ => false,
        },
        Value::Array(items) => items.iter_mut().fold(false, |c, i| redact_value(i) | c),
        Value::Object(map) => {
            // Keys too (maps keyed by URL).
            let changed_keys: Vec<(String, String)> = map
                .keys()
                .filter_map(|k| match redact_credentials(k) {
                    Cow::Owned(r) if r != *k => Some((k.clone(), r)),
                    _ => None,
                })
                .collect();
            let mut changed = !changed_keys.is_empty();
            for (old, new) in changed_keys {
                if let Some(val) = map.remove(&old) {
                    map.insert(new, val);
                }
            }
            for val in map.values_mut() {
                changed |= redact_value(val);
            }
            changed
        }
        _ => false,
    }
}
