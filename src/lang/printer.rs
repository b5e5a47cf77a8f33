//! STUB — owned by the parser work (branch `lang-parser`). Replaced wholesale.
use super::ast::Rule;

/// Print a rule in canonical form.
pub fn print_rule(_rule: &Rule) -> String {
    String::new()
}
