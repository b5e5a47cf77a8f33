//! Data-driven parse cases: each construct parses to the expected AST shape.

use gsl::lang::ast::{Expr, ExprKind, Postfix, Rule, SameShape, Subject, Term};
use gsl::lang::parser::parse_rule;
use gsl::lang::printer::{print_literal, print_rule};

fn shape_rule(r: &Rule) -> String {
    let t = &r.target;
    let mut out = String::from("(rule ");
    if t.list {
        out.push_str(&format!("List<{}>", t.entity.name));
    } else {
        out.push_str(&t.entity.name);
    }
    if let Some(f) = &t.filter {
        out.push_str(&format!(" (where {})", shape_expr(f)));
    }
    if let Some(v) = &r.verdict {
        let kw = if v.negated { "should-not" } else { "should" };
        out.push_str(&format!(" ({kw} {})", shape_expr(&v.condition)));
    }
    out.push(')');
    out
}

fn shape_expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Or(a, b) => format!("(or {} {})", shape_expr(a), shape_expr(b)),
        ExprKind::And(a, b) => format!("(and {} {})", shape_expr(a), shape_expr(b)),
        ExprKind::Not(a) => format!("(not {})", shape_expr(a)),
        ExprKind::Term(t) => shape_term(t),
    }
}

fn shape_term(t: &Term) -> String {
    let subject = match &t.subject {
        Subject::Path(p) => p.dotted(),
        Subject::Element(_) => "$".to_string(),
    };
    if t.postfix.is_empty() && t.test.is_none() {
        return subject;
    }
    let mut out = format!("(term {subject}");
    for p in &t.postfix {
        match p {
            Postfix::ListOp { op, predicate, .. } => {
                out.push_str(&format!(" ({} {})", op.keyword(), shape_expr(predicate)))
            }
            Postfix::Call { name, args, .. } => {
                out.push_str(&format!(" (call {}", name.name));
                for a in args {
                    out.push(' ');
                    out.push_str(&print_literal(a));
                }
                out.push(')');
            }
        }
    }
    if let Some(test) = &t.test {
        out.push_str(&format!(
            " ({} {})",
            test.op.symbol(),
            print_literal(&test.value)
        ));
    }
    out.push(')');
    out
}

#[test]
fn shapes() {
    let text = include_str!("../data/gsl/shapes.txt");
    let mut n = 0;
    let mut failures = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some((input, want)) = line
            .split_once(" ==> ")
            .filter(|_| !line.starts_with("## "))
        else {
            assert!(
                line.trim().is_empty() || line.starts_with("## "),
                "line {}: no ` ==> `: {line}",
                i + 1
            );
            continue;
        };
        n += 1;
        let input = input.replace("\\n", "\n");
        match parse_rule(&input) {
            Ok(rule) => {
                let got = shape_rule(&rule);
                if got != want {
                    failures.push(format!(
                        "line {}: {input}\n  want {want}\n  got  {got}",
                        i + 1
                    ));
                }
                let again = parse_rule(&print_rule(&rule));
                if !again.ok().is_some_and(|a| a.same_shape(&rule)) {
                    failures.push(format!("line {}: round trip of {input}", i + 1));
                }
            }
            Err(e) => failures.push(format!("line {}: {input}\n  {:?}", i + 1, e.codes())),
        }
    }
    assert!(n >= 60, "only {n} cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
