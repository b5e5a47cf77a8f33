//! STUB — owned by the filter-pattern work (branch `pattern`). Replaced wholesale.
//!
//! Contract the language relies on (keep these two signatures):
//! `equal(a, b)` and `covers(required, actual)`.

/// An invalid filter pattern.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("invalid filter pattern")]
pub struct PatternError {}

/// Do two filter patterns mean the same thing?
pub fn equal(a: &str, b: &str) -> Result<bool, PatternError> {
    Ok(a == b)
}

/// Does `actual` catch every event that `required` catches?
pub fn covers(required: &str, actual: &str) -> Result<bool, PatternError> {
    Ok(required == actual)
}
