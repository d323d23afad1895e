//! The privacy policy: discover it, extract its text (HTML, PDF, plain text), find the services
//! and companies it declares.
//!
//! Public API:
//! - [`read_for_site`]: the scan's policy stage (`--policy` sources, else discovery from crawled
//!   links, else well-known paths). Never fails: problems go into `Policy.error`.
//! - [`read_sources`]: read given URLs/files as one policy (the `policy` subcommand).
//! - [`analyze_text`]: declarations of a [`PolicyText`] against a catalog (pure, no I/O).
//! - Readers: [`html::parse_html`], [`plain::parse_plain`], [`pdf::extract_text`].

pub mod analyze;
pub mod discover;
/// Text folding lives on the ground floor (observe uses it too); `policy::fold` stays its path here.
pub use crate::fold;
pub mod html;
mod html_stream;
pub mod language;
pub mod lexicon;
pub mod matcher;
pub mod mention;
pub mod negation;
pub mod pdf;
pub mod plain;
pub mod provider;
pub mod rendered;
pub mod source;
pub mod text;
pub mod variants;

pub use analyze::{analyze_text, analyze_with};
pub use source::{read_for_site, read_sources};
pub use text::{Block, BlockKind, PolicyText};
