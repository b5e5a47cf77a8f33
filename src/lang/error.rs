//! STUB — owned by the parser work (branch `lang-parser`). Replaced wholesale.

/// All syntax errors of one source text.
#[derive(Debug, Default, thiserror::Error, miette::Diagnostic)]
#[error("invalid rule")]
pub struct ParseErrors {}
