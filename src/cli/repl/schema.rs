//! What the REPL knows about the loaded snapshot: entity types, the properties seen
//! on each type (for `:schema` and completion), and walking a property path over an
//! entity's JSON.

use crate::entity::Snapshot;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// One entity of the snapshot with the account it came from.
#[derive(Debug, Clone, Copy)]
pub struct EntityRef<'a> {
    /// The entity's JSON object.
    pub json: &'a Json,
}

impl<'a> EntityRef<'a> {
    /// The entity's `name`, or its `id`, or `?`.
    pub fn label(&self) -> String {
        for key in ["name", "id"] {
            if let Some(s) = self.json.get(key).and_then(Json::as_str) {
                return s.to_string();
            }
        }
        "?".to_string()
    }

    /// The entity's `id`, when it has one.
    pub fn id(&self) -> Option<&'a str> {
        self.json.get("id").and_then(Json::as_str)
    }
}

/// Entity type names and counts over all accounts, sorted by name.
pub fn type_counts(snapshot: &Snapshot) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for account in &snapshot.accounts {
        for (ty, list) in &account.entities {
            *counts.entry(ty.as_str()).or_default() += list.len();
        }
    }
    counts
        .into_iter()
        .map(|(t, n)| (t.to_string(), n))
        .collect()
}

/// Resolve a type name as written (`CloudTrail`, `cloudtrail`, `aws_cloudtrail`) to a
/// type present in the snapshot.
pub fn resolve_type(snapshot: &Snapshot, written: &str) -> Option<String> {
    let norm = |s: &str| s.to_ascii_lowercase().replace('_', "");
    let wanted = norm(written);
    let wanted = wanted.strip_prefix("aws").unwrap_or(&wanted).to_string();
    type_counts(snapshot)
        .into_iter()
        .map(|(t, _)| t)
        .find(|t| norm(t) == wanted || norm(t) == norm(written))
}

/// Every entity of a (resolved) type, in snapshot order.
pub fn entities_of<'a>(snapshot: &'a Snapshot, ty: &str) -> Vec<EntityRef<'a>> {
    snapshot
        .accounts
        .iter()
        .filter_map(|a| a.entities.get(ty))
        .flatten()
        .map(|json| EntityRef { json })
        .collect()
}

/// The JSON kind of a value, as shown by `:schema`.
pub fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "list",
        Json::Object(_) => "object",
    }
}

/// One property seen on an entity type.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// Dotted path; list elements are written `[]`: `metricFilters[].filterPattern`.
    pub path: String,
    /// The JSON kinds seen, sorted (`null` last).
    pub kinds: Vec<&'static str>,
    /// A non-null example value, when one was seen.
    pub example: Option<Json>,
}

/// The properties seen on the entities of a type, sorted by path.
pub fn schema(snapshot: &Snapshot, ty: &str) -> Vec<Property> {
    let mut props: BTreeMap<String, Property> = BTreeMap::new();
    for e in entities_of(snapshot, ty) {
        if let Json::Object(map) = e.json {
            for (k, v) in map {
                collect(&mut props, k.clone(), v);
            }
        }
    }
    let mut out: Vec<Property> = props.into_values().collect();
    for p in &mut out {
        p.kinds.sort_by_key(|k| (*k == "null", *k));
    }
    out
}

fn collect(props: &mut BTreeMap<String, Property>, path: String, v: &Json) {
    let entry = props.entry(path.clone()).or_insert_with(|| Property {
        path: path.clone(),
        kinds: Vec::new(),
        example: None,
    });
    let k = kind(v);
    if !entry.kinds.contains(&k) {
        entry.kinds.push(k);
    }
    if entry.example.is_none() && !v.is_null() {
        entry.example = Some(example(v));
    }
    match v {
        Json::Object(map) => {
            for (key, child) in map {
                collect(props, format!("{path}.{key}"), child);
            }
        }
        Json::Array(items) => {
            for item in items {
                match item {
                    Json::Object(map) => {
                        for (key, child) in map {
                            collect(props, format!("{path}[].{key}"), child);
                        }
                    }
                    // Lists of scalars: the element is `$`.
                    other => collect(props, format!("{path}[]"), other),
                }
            }
        }
        _ => {}
    }
}

/// A short example: scalars as they are, containers summarised.
fn example(v: &Json) -> Json {
    match v {
        Json::Array(items) => Json::String(format!("[{} items]", items.len())),
        Json::Object(map) => Json::String(format!("{{{} keys}}", map.len())),
        other => other.clone(),
    }
}

/// The property names that can follow `prefix` (dotted, relative to the entity;
/// list properties step into their elements). `prefix` empty: top-level names.
pub fn children(props: &[Property], prefix: &[String]) -> Vec<String> {
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

/// One step of a bare path: a property name or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `.name` (on a list: every element's `name`).
    Key(String),
    /// `[n]`.
    Index(usize),
}

/// The values a path reaches in an entity, each with its JSON path
/// (`metricFilters[0].filterPattern`). Lists are stepped into when a name follows.
pub fn walk<'a>(root: &'a Json, steps: &[Step]) -> Vec<(String, &'a Json)> {
    let mut cur: Vec<(String, &Json)> = vec![(String::new(), root)];
    for step in steps {
        let mut next = Vec::new();
        for (path, v) in cur {
            step_into(&path, v, step, &mut next);
        }
        cur = next;
    }
    cur
}

fn step_into<'a>(path: &str, v: &'a Json, step: &Step, out: &mut Vec<(String, &'a Json)>) {
    match (step, v) {
        (Step::Key(k), Json::Object(map)) => {
            if let Some(child) = map.get(k) {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                out.push((p, child));
            }
        }
        (Step::Key(_), Json::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                step_into(&format!("{path}[{i}]"), item, step, out);
            }
        }
        (Step::Index(i), Json::Array(items)) => {
            if let Some(item) = items.get(*i) {
                out.push((format!("{path}[{i}]"), item));
            }
        }
        _ => {}
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
        let props = vec![
            Property {
                path: "a".into(),
                kinds: vec!["list"],
                example: None,
            },
            Property {
                path: "a[].b".into(),
                kinds: vec!["string"],
                example: None,
            },
            Property {
                path: "a[].c".into(),
                kinds: vec!["object"],
                example: None,
            },
            Property {
                path: "a[].c.d".into(),
                kinds: vec!["number"],
                example: None,
            },
            Property {
                path: "e".into(),
                kinds: vec!["string"],
                example: None,
            },
        ];
        assert_eq!(children(&props, &[]), vec!["a", "e"]);
        assert_eq!(children(&props, &["a".into()]), vec!["b", "c"]);
        assert_eq!(children(&props, &["a".into(), "c".into()]), vec!["d"]);
    }
}
