//! The generation of the process-wide memos: answers of pure functions remembered
//! across runs (the explored combinations of string languages, "did you mean"
//! hints). Each memo keeps the generation it was filled in and starts afresh when
//! the generation has moved on, so [`forget`] empties all of them, on every thread.
//!
//! A memo never changes an answer, only how long it takes: benchmarks call
//! [`forget`] so that each iteration costs what a fresh `gsl check` process does.

use std::sync::atomic::{AtomicU64, Ordering};

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// The current generation.
pub(crate) fn generation() -> u64 {
    GENERATION.load(Ordering::Relaxed)
}

/// Forget everything the process-wide memos remember.
pub fn forget() {
    GENERATION.fetch_add(1, Ordering::Relaxed);
}
