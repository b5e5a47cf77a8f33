//! STUB — owned by the parser work (branch `lang-parser`). Replaced wholesale.
use super::ast::Rule;
use super::error::ParseErrors;

/// Parse one rule.
pub fn parse_rule(_src: &str) -> Result<Rule, ParseErrors> {
    Err(ParseErrors::default())
}
