//! The ground floor: the report model (schema v1) and its closed vocabularies. Every stage —
//! crawl, observe, catalog, policy, reconcile, report, cli — builds on these types; this module
//! imports from none of them, so no arrow runs back up.

pub mod consent;
pub mod report;
pub mod vocab;

pub use consent::*;
pub use report::*;
pub use vocab::{
    ConsentState, ErrorKind, EvidenceStrength, FindingKind, Mode, Party, Phase, SetBy, Severity,
    SignalSource,
};
