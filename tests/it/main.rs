//! The integration tests: one binary, a module per area (see docs/architecture.md).

mod cli;
mod cli_live;
mod cli_snapshots;
mod collect_cli;
mod collect_graph;
mod collect_moto;
mod collect_run;
mod conformance;
mod eval_diagnostics;
mod eval_explain;
mod eval_near_miss;
mod eval_proptest;
mod eval_sample;
mod facade;
mod hostile;
mod parse_corpus;
mod parse_docs;
mod parse_printer;
mod parse_props;
mod parse_shapes;
mod parse_snapshots;
mod parse_spans;
mod pattern_diagnostics;
mod pattern_props;
mod pattern_semantics;
mod pattern_vectors;
mod policies;
mod repl_piped;
mod repl_pty;
#[cfg(feature = "aws")]
mod support;
