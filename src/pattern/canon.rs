//! The canonical printer. Layout, quoting of bare-legal strings, redundant
//! parentheses, number spelling, operand order, duplicates and term order do
//! not change the canonical text.

use std::collections::BTreeSet;

use super::ast::*;

/// Quote a string value: `"` and `\` are escaped with a backslash.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn term_text(s: &str) -> String {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        s.to_string()
    } else {
        quote(s)
    }
}

/// A value as the canonical form writes it.
pub(crate) fn value_text(v: &Value) -> String {
    match v {
        Value::Str(m) => quote(&m.to_text()),
        Value::Num(n) => n.to_string(),
        Value::Regex(r) => format!("%{}%", r.source),
    }
}

/// A JSON condition as the canonical form writes it.
pub(crate) fn cond_text(sel: &Selector, test: &Test) -> String {
    match test {
        Test::Compare(op, v) => format!("{sel} {} {}", op.as_str(), value_text(v)),
        Test::IsNull => format!("{sel} IS NULL"),
        Test::IsTrue => format!("{sel} IS TRUE"),
        Test::IsFalse => format!("{sel} IS FALSE"),
        Test::NotExists => format!("{sel} NOT EXISTS"),
    }
}

/// A term as the canonical form writes it.
pub(crate) fn term_body_text(b: &TermBody) -> String {
    match b {
        TermBody::Text(s) => term_text(s),
        TermBody::Regex(r) => format!("%{}%", r.source),
    }
}

/// The effective terms of an unstructured pattern: `?` terms are dropped when a
/// plain or `-` term is present; duplicates removed; sorted (plain, then `-`, or `?`).
pub(crate) fn effective_terms(terms: &[Term]) -> Vec<(TermMode, String)> {
    let has_plain = terms.iter().any(|t| t.mode != TermMode::Optional);
    let set: BTreeSet<(TermMode, String)> = terms
        .iter()
        .filter(|t| !has_plain || t.mode != TermMode::Optional)
        .map(|t| (t.mode, term_body_text(&t.body)))
        .collect();
    set.into_iter().collect()
}

/// Normal form of a boolean JSON expression, used for printing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Norm {
    Leaf(String),
    And(Vec<Norm>),
    Or(Vec<Norm>),
}

fn norm_json(e: &JsonExpr) -> Norm {
    match e {
        JsonExpr::Cond(c) => Norm::Leaf(cond_text(&c.selector, &c.test)),
        JsonExpr::And(v, _) => combine(true, v.iter().map(norm_json).collect()),
        JsonExpr::Or(v, _) => combine(false, v.iter().map(norm_json).collect()),
    }
}

fn norm_field(e: &FieldExpr, name: &str) -> Norm {
    match e {
        FieldExpr::Cmp(op, v, _) => Norm::Leaf(format!("{name} {} {}", op.as_str(), value_text(v))),
        FieldExpr::And(v) => combine(true, v.iter().map(|x| norm_field(x, name)).collect()),
        FieldExpr::Or(v) => combine(false, v.iter().map(|x| norm_field(x, name)).collect()),
    }
}

fn combine(and: bool, items: Vec<Norm>) -> Norm {
    let mut set = BTreeSet::new();
    for it in items {
        match (and, it) {
            (true, Norm::And(v)) | (false, Norm::Or(v)) => set.extend(v),
            (_, x) => {
                set.insert(x);
            }
        }
    }
    let mut v: Vec<Norm> = set.into_iter().collect();
    if v.len() == 1 {
        return v.remove(0);
    }
    if and {
        Norm::And(v)
    } else {
        Norm::Or(v)
    }
}

fn print_norm(n: &Norm, out: &mut String) {
    match n {
        Norm::Leaf(s) => out.push_str(s),
        Norm::And(v) => {
            for (i, x) in v.iter().enumerate() {
                if i > 0 {
                    out.push_str(" && ");
                }
                if matches!(x, Norm::Or(_)) {
                    out.push('(');
                    print_norm(x, out);
                    out.push(')');
                } else {
                    print_norm(x, out);
                }
            }
        }
        Norm::Or(v) => {
            // `&&` binds tighter, but the parentheses keep the reading obvious
            // (the CIS 4.1 v2.0 precedence trap).
            for (i, x) in v.iter().enumerate() {
                if i > 0 {
                    out.push_str(" || ");
                }
                if matches!(x, Norm::And(_)) {
                    out.push('(');
                    print_norm(x, out);
                    out.push(')');
                } else {
                    print_norm(x, out);
                }
            }
        }
    }
}

/// The canonical text of a pattern.
pub fn canonical(p: &Pattern) -> String {
    match p {
        Pattern::MatchAll(_) => "\" \"".to_string(),
        Pattern::Terms(terms) => effective_terms(terms)
            .into_iter()
            .map(|(m, t)| match m {
                TermMode::Required => t,
                TermMode::Optional => format!("?{t}"),
                TermMode::Excluded => format!("-{t}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        Pattern::Json(e) => {
            let mut s = String::from("{ ");
            print_norm(&norm_json(e), &mut s);
            s.push_str(" }");
            s
        }
        Pattern::Delimited(slots) => {
            let parts: Vec<String> = slots
                .iter()
                .map(|s| match s {
                    Slot::Ellipsis(_) => "...".to_string(),
                    Slot::Blank(_) => String::new(),
                    Slot::Field(f) => match &f.cond {
                        None => f.name.clone(),
                        Some(c) => {
                            let mut s = String::new();
                            print_norm(&norm_field(c, &f.name), &mut s);
                            s
                        }
                    },
                })
                .collect();
            format!("[{}]", parts.join(", "))
        }
    }
}
