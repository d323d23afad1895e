//! Reconcile: what was observed vs what the policy declares → findings.

use crate::catalog::Catalog;
use crate::report::model::Report;

/// Fill `findings` and `disclosed` from the report's observed parts and its policy.
pub fn reconcile(report: &mut Report, catalog: &Catalog) {
    let _ = (report, catalog);
}
