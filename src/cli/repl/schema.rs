//! Property paths: what can follow a path (completion, "did you mean"), and walking
//! a bare path over an entity's JSON. The properties themselves come from
//! [`EntityGraph::schema`](gsl::entity::graph::EntityGraph::schema).

use gsl::entity::graph::PropertyInfo;
use gsl::lang::eval::path::Reached;
use serde_json::Value as Json;

/// The property names that can follow `prefix` (dotted, relative to the entity;
/// list properties step into their elements). `prefix` empty: top-level names.
pub fn children(props: &[PropertyInfo], prefix: &[String]) -> Vec<String> {
    // `a.b` as written in GSL is `a.b`, `a[].b` or `a.b[]...` in schema paths.
    let mut out: Vec<String> = Vec::new();
    for p in props {
        let segs: Vec<&str> = p
            .path
            .split('.')
            .map(|s| s.trim_end_matches("[]"))
            .collect();
        if segs.len() == prefix.len() + 1 && segs.iter().zip(prefix).all(|(a, b)| *a == b) {
            let name = segs[prefix.len()].to_string();
            if !name.is_empty() && !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

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

    #[test]
    fn children_follow_lists() {
        let prop = |path: &str| PropertyInfo {
            path: path.into(),
            types: Default::default(),
            example: Json::Null,
            entities: 1,
        };
        let props = vec![
            prop("a"),
            prop("a[].b"),
            prop("a[].c"),
            prop("a[].c.d"),
            prop("e"),
        ];
        assert_eq!(children(&props, &[]), vec!["a", "e"]);
        assert_eq!(children(&props, &["a".into()]), vec!["b", "c"]);
        assert_eq!(children(&props, &["a".into(), "c".into()]), vec!["d"]);
    }
}
