//! How close one pattern is to another, for ranking near-misses in explanations.
//!
//! This is a heuristic, never used for a verdict: `equal` and `covers` decide. When a
//! rule requires a pattern and none of an account's filters has it, the filter that
//! watches the same fields with a different value (`$.errorMessage = "Failed"` instead
//! of `"Failed authentication"`) is the one a person wants to see first.

use super::ast::{Condition, FieldExpr, JsonExpr, Pattern, Slot, Step, Term};
use std::collections::BTreeSet;

/// Features of a pattern: its conditions and the fields they read.
#[derive(Debug, Clone, Default)]
pub(crate) struct Features {
    atoms: BTreeSet<String>,
    fields: BTreeSet<String>,
}

fn steps(s: &[Step]) -> String {
    format!("{s:?}")
}

fn json(e: &JsonExpr, f: &mut Features) {
    match e {
        JsonExpr::And(v, _) | JsonExpr::Or(v, _) => v.iter().for_each(|x| json(x, f)),
        JsonExpr::Cond(Condition { selector, test, .. }) => {
            let field = steps(&selector.steps);
            f.atoms.insert(format!("{field} {test:?}"));
            f.fields.insert(field);
        }
    }
}

fn field_expr(name: usize, e: &FieldExpr, f: &mut Features) {
    match e {
        FieldExpr::And(v) | FieldExpr::Or(v) => v.iter().for_each(|x| field_expr(name, x, f)),
        FieldExpr::Cmp(op, value, _) => {
            f.atoms.insert(format!("#{name} {op:?} {value:?}"));
            f.fields.insert(format!("#{name}"));
        }
    }
}

pub(crate) fn features(p: &Pattern) -> Features {
    let mut f = Features::default();
    match p {
        Pattern::MatchAll(_) => {}
        Pattern::Terms(terms) => {
            for Term { mode, body, .. } in terms {
                f.atoms.insert(format!("{mode:?} {body:?}"));
                f.fields.insert(format!("{body:?}"));
            }
        }
        Pattern::Json(e) => json(e, &mut f),
        Pattern::Delimited(slots) => {
            for (i, slot) in slots.iter().enumerate() {
                if let Slot::Field(field) = slot {
                    if let Some(e) = &field.cond {
                        field_expr(i, e, &mut f);
                    }
                }
            }
        }
    }
    f
}

fn overlap(required: &BTreeSet<String>, actual: &BTreeSet<String>) -> f64 {
    if required.is_empty() {
        return if actual.is_empty() { 1.0 } else { 0.0 };
    }
    required.intersection(actual).count() as f64 / required.len() as f64
}

/// A score in `0.0..=1.0`: half for the required pattern's conditions that `actual`
/// also has, half for the fields both read. 1.0 for the same conditions.
pub(crate) fn score(required: &Features, actual: &Features) -> f64 {
    let (r, a) = (required, actual);
    0.5 * overlap(&r.atoms, &a.atoms) + 0.5 * overlap(&r.fields, &a.fields)
}

#[cfg(test)]
mod tests {
    use super::super::FilterPattern;
    use super::*;

    fn sim(a: &str, b: &str) -> f64 {
        let a = FilterPattern::parse(a).unwrap();
        let b = FilterPattern::parse(b).unwrap();
        score(&features(a.ast()), &features(b.ast()))
    }

    #[test]
    fn ranks_same_fields_above_unrelated() {
        let cis =
            r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#;
        let near = r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed") }"#;
        let far = r#"{ $.userIdentity.type = "Root" }"#;
        assert_eq!(sim(cis, cis), 1.0);
        assert!((sim(cis, near) - 0.75).abs() < 1e-9, "{}", sim(cis, near));
        assert_eq!(sim(cis, far), 0.0);
        assert!(sim(cis, near) > sim(cis, far));
    }
}
