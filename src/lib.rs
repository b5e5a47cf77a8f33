//! gsl: an interpreter for GSL-style cloud governance policies.
//!
//! - [`lang`]: the GSL language: grammar, AST, printer, evaluator with explanations.
//! - [`pattern`]: the CloudWatch Logs filter-pattern engine (parse, canonicalize,
//!   compare by meaning, match events, coverage).
//! - [`entity`]: snapshot files and the entity graph the evaluator walks.
//! - [`policy`]: policy files (`.gsl` with metadata) and the shipped policy packs.
//! - [`run`]: the facade: [`check`] runs policies over a graph and returns a
//!   [`CheckRun`] (the result model of [`report`]).
//! - [`params`]: ruleset parameters (`$Name` in rules): gsl's defaults and
//!   parameters files.
//! - [`report`]: the result model and its versioned JSON document.
//! - [`collect`]: the collectors' records, graph joins and call plan (always); the
//!   AWS SDK collectors themselves with the feature `aws`.
//! - [`fix`]: `gsl fix`: the changes that mend a failing finding, derived from its
//!   evidence ([`fix::plan`]), as data and as AWS CLI commands.
//! - [`complete`]: the completion engine and hover of the REPL and the language server.
//! - [`format`]: policy files formatted (`gsl fmt`): the canonical printer, comments kept.
//! - [`text`]: "did you mean", clipping and escaping, shared by every diagnostic.
//! - [`source`]: reading input files (regular files only, size limits, UTF-8 with
//!   positions).
//! - [`shown`]: diagnostics made safe to render (long lines windowed, hidden characters
//!   escaped, related diagnostics capped).
//!
//! The `gsl` command line (clap, the REPL, rendering, exit codes) is the binary's, in
//! `src/cli/`, and uses only this library. Map of the pipeline: `docs/architecture.md`.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod authoring;
pub mod collect;
pub mod complete;
pub mod entity;
pub mod fix;
pub mod format;
pub mod lang;
pub mod memo;
pub mod params;
pub mod pattern;
pub mod policy;
pub mod replay;
pub mod report;
pub mod run;
pub mod shown;
pub mod source;
pub mod span;
pub mod text;

pub use lang::eval::EvalOptions;
pub use run::{check, CheckRun};
