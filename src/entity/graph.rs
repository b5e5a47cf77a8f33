//! STUB — owned by the evaluator work (branch `lang-eval`). Keep the public
//! signatures below (the CLI and REPL use them); replace the bodies.

use super::Snapshot;

/// A read-only view of a snapshot, indexed for evaluation.
#[derive(Debug, Clone)]
pub struct EntityGraph {
    snapshot: Snapshot,
}

impl EntityGraph {
    /// Index a snapshot.
    pub fn new(snapshot: Snapshot) -> Self {
        EntityGraph { snapshot }
    }

    /// The underlying snapshot.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// Entity type names present, with counts, sorted by name.
    pub fn types(&self) -> Vec<(String, usize)> {
        Vec::new()
    }
}
