//! STUB — owned by the filter-pattern work (branch `pattern`).
fn main() {}
