//! gsl: an interpreter for GSL-style cloud governance policies.
//!
//! - [`lang`]: the GSL language: grammar, AST, printer, evaluator with explanations.
//! - [`pattern`]: the CloudWatch Logs filter-pattern engine (parse, canonicalize,
//!   compare by meaning, match events, coverage).
//! - [`entity`]: snapshot files and the entity graph the evaluator walks.
//! - [`policy`]: policy files (`.gsl` with metadata) and the shipped policy packs.
//! - [`report`]: rendering results as text or JSON.
//! - [`collect`]: the collectors' records, graph joins and call plan (always); the
//!   AWS SDK collectors themselves with the feature `aws`.
//! - [`cli`]: the `gsl` command line and REPL.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]
#![warn(missing_docs)]

pub mod cli;
pub mod collect;
pub mod entity;
pub mod lang;
pub mod pattern;
pub mod policy;
pub mod report;
pub mod span;
