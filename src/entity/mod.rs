//! The entity graph: snapshot files, loading and validation, and the read-only view
//! the evaluator walks.
//!
//! Entity model (properties, types and AWS sources): `docs/entities.md`.
//! Snapshot format: `docs/snapshot.md`.

pub mod snapshot;

pub use snapshot::{Account, CollectionError, Generator, Snapshot, SCHEMA_VERSION};

/// The sample account shipped in `examples/` and embedded in the binary: the default
/// `--snapshot` of `gsl eval`, `gsl check` and `gsl repl`.
pub const SAMPLE_SNAPSHOT: &str = include_str!("../../examples/sample-account.json");

/// The name used in messages for the embedded sample snapshot.
pub const SAMPLE_SNAPSHOT_NAME: &str = "examples/sample-account.json (built in)";

pub mod graph;
pub mod load;
pub mod schema;
pub mod stream;
mod strict;
