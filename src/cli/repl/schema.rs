//! Walking a bare path over an entity's JSON. What can follow a path is the library's
//! ([`gsl::complete::children`]).

use gsl::lang::eval::path::Reached;
use serde_json::Value as Json;

/// The steps of a bare path: the evaluator's own, so the REPL's paths and rules agree.
pub use gsl::lang::eval::path::Step;

/// The values a path reaches in an entity, each with its JSON path
/// (`metricFilters[0].filterPattern`), walked by the evaluator's path walker
/// ([`gsl::lang::eval::path::walk`]).
pub fn walk<'a>(root: &'a Json, steps: &[Step]) -> Vec<(String, &'a Json)> {
    match gsl::lang::eval::path::walk(root, steps) {
        Reached::Missing { .. } => Vec::new(),
        Reached::One(path, v) => vec![(path, v)],
        Reached::Many(values) => values,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn walk_steps_into_lists_and_keeps_indices() {
        let v = json!({"mf": [{"p": "a"}, {"q": 1}, {"p": "c"}], "s": {"on": true}});
        let got: Vec<(String, Json)> = walk(&v, &[Step::Key("mf".into()), Step::Key("p".into())])
            .into_iter()
            .map(|(p, v)| (p, v.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("mf[0].p".to_string(), json!("a")),
                ("mf[2].p".to_string(), json!("c"))
            ]
        );
        let got = walk(&v, &[Step::Key("mf".into()), Step::Index(1)]);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "mf[1]");
        assert!(walk(&v, &[Step::Key("nope".into())]).is_empty());
        assert_eq!(
            walk(&v, &[Step::Key("s".into()), Step::Key("on".into())])[0].0,
            "s.on"
        );
    }
}
