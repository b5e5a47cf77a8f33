//! The documentation the type declarations generate: each type's section of
//! `docs/entities.md` (its paragraph and property tables), the table of failed calls →
//! entity types there, the table of calls in `docs/collect.md`, and the whole of
//! `docs/iam-policy.json`. In the Markdown files the generated parts sit between
//! `<!-- BEGIN generated: KEY -->` and `<!-- END generated: KEY -->`; the prose around
//! them is written by hand. A unit test fails when a file differs from what the
//! declarations generate; `GSL_BLESS=1 cargo test --lib docs_are_generated` rewrites
//! them.

use super::{EntityType, RunCall, Scope, Statement, RUN_CALLS, TYPES};
use crate::collect::Service;
use crate::entity::schema::{PropType, Property};

/// A property's name cell: `` `name` ``, `` `list[]` ``.
fn name_cell(p: &Property) -> String {
    match p.ty {
        PropType::List(_) => format!("`{}[]`", p.name),
        _ => format!("`{}`", p.name),
    }
}

/// A property's type cell: `string`, `list of object / null`, `string / absent`.
fn type_cell(p: &Property) -> String {
    let mut out = p.ty.describe();
    if p.nullable {
        out.push_str(" / null");
    }
    if p.optional {
        out.push_str(" / absent");
    }
    out
}

fn table(props: &[Property]) -> String {
    let mut out = String::from("| Property | Type | AWS source |\n|---|---|---|\n");
    for p in props {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            name_cell(p),
            type_cell(p),
            p.source
        ));
    }
    out
}

/// The section of `docs/entities.md` for `t`: heading, paragraph, the property table,
/// and a table for each nested object it documents so.
pub fn entity_section(t: &EntityType) -> String {
    let mut out = format!("## {}\n\n{}\n\n", t.name, t.about);
    out.push_str(&table(t.properties));
    for (path, heading) in t.tables {
        let segs: Vec<&str> = path.split('.').collect();
        let props = crate::entity::schema::EntitySchema {
            name: t.name,
            properties: t.properties,
        }
        .properties_at(&segs)
        .unwrap_or_default();
        out.push_str(&format!("\n{heading}\n\n"));
        out.push_str(&table(props));
    }
    out
}

/// `service:operation`, as the snapshot's errors and `--stats` name the call.
fn action(service: Service, operation: &str) -> String {
    format!("{}:{operation}", service.as_str())
}

/// The call, with the IAM action that allows it when that is named otherwise.
fn call_cell(service: Service, operation: &str) -> String {
    let call = action(service, operation);
    let iam = service.iam_action(operation);
    if iam == call {
        format!("`{call}`")
    } else {
        format!("`{call}` (IAM `{iam}`)")
    }
}

fn join_names(names: &[&str]) -> String {
    if names.is_empty() {
        "—".into()
    } else {
        names.join(", ")
    }
}

/// The table of failed calls → the entity types they leave incomplete.
pub fn errors_table() -> String {
    let mut out = String::from(
        "| Failed call | `entityTypes` | also, when the call was for a trail's alarm chain |\n|---|---|---|\n",
    );
    let mut seen: Vec<(Service, &str)> = Vec::new();
    for t in TYPES {
        for c in t.calls {
            if seen.contains(&(c.service, c.operation)) {
                continue;
            }
            seen.push((c.service, c.operation));
            let mut always: Vec<&str> = Vec::new();
            let mut chain: Vec<&str> = Vec::new();
            for u in TYPES {
                if u.affected_by(c.service, c.operation, false) {
                    always.push(u.name);
                } else if u.affected_by(c.service, c.operation, true) {
                    chain.push(u.name);
                }
            }
            always.sort_unstable();
            chain.sort_unstable();
            out.push_str(&format!(
                "| `{}` | {} | {} |\n",
                action(c.service, c.operation),
                join_names(&always),
                join_names(&chain)
            ));
        }
    }
    for r in RUN_CALLS {
        if r.service == Service::Sts && r.operation == "AssumeRole" {
            out.push_str(&format!(
                "| `{}` | {} | — |\n",
                action(r.service, r.operation),
                r.failure
            ));
        }
    }
    out
}

fn scope_cell(s: Scope) -> String {
    match s {
        Scope::Region => "in every collected region".into(),
        Scope::Account => "once per account".into(),
        Scope::Each(what) => format!("per {what}"),
    }
}

/// The table of every call: which type makes it, where, and whether it is paged;
/// then the run's own calls.
pub fn calls_table() -> String {
    let mut out = String::from("| Type | Call | Made | Paged |\n|---|---|---|---|\n");
    for t in TYPES {
        for c in t.calls {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                t.name,
                call_cell(c.service, c.operation),
                scope_cell(c.scope),
                if c.paged { "yes" } else { "no" }
            ));
        }
    }
    for r in RUN_CALLS {
        out.push_str(&format!(
            "| (the run) | `{}` | failure: {} | no |\n",
            action(r.service, r.operation),
            r.failure
        ));
    }
    out
}

/// The actions of `statement`: for the read-only one, every type's calls grouped by
/// service (in [`Service::ALL`] order, first declared first), then the run's.
fn actions(statement: Statement) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |a: String| {
        if !out.contains(&a) {
            out.push(a);
        }
    };
    if statement == Statement::ReadOnly {
        for service in Service::ALL {
            for t in TYPES {
                for c in t.calls.iter().filter(|c| c.service == service) {
                    push(c.service.iam_action(c.operation));
                }
            }
        }
    }
    let run: Vec<&RunCall> = RUN_CALLS
        .iter()
        .filter(|r| r.statement == statement)
        .collect();
    for r in run {
        push(r.service.iam_action(r.operation));
    }
    out
}

/// `docs/iam-policy.json`.
pub fn iam_policy() -> String {
    let list = |statement: Statement| -> String {
        actions(statement)
            .iter()
            .map(|a| format!("        \"{a}\""))
            .collect::<Vec<_>>()
            .join(",\n")
    };
    let assume = actions(Statement::AssumeRole)
        .iter()
        .map(|a| format!("\"{a}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"{{
  "Version": "2012-10-17",
  "Statement": [
    {{
      "Sid": "GslCollectReadOnly",
      "Effect": "Allow",
      "Action": [
{}
      ],
      "Resource": "*"
    }},
    {{
      "Sid": "GslCollectOrganization",
      "Effect": "Allow",
      "Action": [
{}
      ],
      "Resource": "*"
    }},
    {{
      "Sid": "GslAssumeAuditRole",
      "Effect": "Allow",
      "Action": [{assume}],
      "Resource": "arn:aws:iam::*:role/gsl-audit"
    }}
  ]
}}
"#,
        list(Statement::ReadOnly),
        list(Statement::Organization)
    )
}

fn begin(key: &str) -> String {
    format!("<!-- BEGIN generated: {key} (from src/collect/types; GSL_BLESS=1 cargo test --lib docs_are_generated rewrites it) -->\n")
}

fn end(key: &str) -> String {
    format!("<!-- END generated: {key} -->")
}

/// `doc` with the block `key` holding `body`; a missing block is inserted before the
/// line `before` (or at the end).
fn splice(doc: &str, key: &str, body: &str, before: &str) -> String {
    let (b, e) = (begin(key), end(key));
    let marker = format!("<!-- BEGIN generated: {key} ");
    let block = format!("{b}{body}{e}");
    if let Some(start) = doc.find(&marker) {
        if let Some(len) = doc[start..].find(&e) {
            return format!("{}{block}{}", &doc[..start], &doc[start + len + e.len()..]);
        }
    }
    match doc.find(before) {
        Some(at) => format!("{}{block}\n\n{}", &doc[..at], &doc[at..]),
        None => format!("{doc}\n{block}\n"),
    }
}

/// `docs/entities.md` with every generated block as the declarations say.
pub fn entities_md(doc: &str) -> String {
    let mut out = doc.to_string();
    for t in TYPES {
        out = splice(
            &out,
            &format!("type {}", t.name),
            &entity_section(t),
            "\n## Errors → entity types\n",
        );
    }
    splice(
        &out,
        "errors",
        &errors_table(),
        "\n## Rules over entities of any type\n",
    )
}

/// `docs/collect.md` with its table of calls as the declarations say.
pub fn collect_md(doc: &str) -> String {
    splice(doc, "calls", &calls_table(), "\n## Failures\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn docs_are_generated_from_the_declarations() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let bless = std::env::var_os("GSL_BLESS").is_some();
        let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_default();
        let files = [
            ("docs/entities.md", entities_md(&read("docs/entities.md"))),
            ("docs/collect.md", collect_md(&read("docs/collect.md"))),
            ("docs/iam-policy.json", iam_policy()),
        ];
        let mut stale = Vec::new();
        for (path, expected) in files {
            let current = read(path);
            if current == expected {
                continue;
            }
            if bless {
                std::fs::write(root.join(path), &expected)
                    .unwrap_or_else(|e| panic!("{path}: {e}"));
                continue;
            }
            let line = current
                .lines()
                .zip(expected.lines())
                .position(|(a, b)| a != b)
                .map_or(current.lines().count().min(expected.lines().count()), |i| i)
                + 1;
            stale.push(format!(
                "{path} differs from what src/collect/types declares (first at line {line}: {:?})",
                expected.lines().nth(line - 1).unwrap_or("")
            ));
        }
        assert!(
            stale.is_empty(),
            "{}\nrun `GSL_BLESS=1 cargo test --lib docs_are_generated` to rewrite them",
            stale.join("\n")
        );
    }

    #[test]
    fn the_policy_is_json_and_lists_every_call() {
        let policy: serde_json::Value = serde_json::from_str(&iam_policy()).expect("JSON");
        let read_only = policy["Statement"][0]["Action"]
            .as_array()
            .expect("actions");
        for t in TYPES {
            for c in t.calls {
                let a = c.service.iam_action(c.operation);
                assert!(read_only.iter().any(|x| x == a.as_str()), "{a}");
            }
        }
    }

    #[test]
    fn splice_replaces_or_inserts() {
        let doc = "# T\n\n## Errors → entity types\n";
        let once = splice(doc, "k", "body\n", "## Errors");
        assert!(
            once.contains("body\n<!-- END generated: k -->\n\n## Errors"),
            "{once}"
        );
        let twice = splice(&once, "k", "other\n", "## Errors");
        assert!(!twice.contains("body"), "{twice}");
        assert_eq!(twice.matches("BEGIN generated: k").count(), 1);
    }
}
