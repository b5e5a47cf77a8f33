//! The canonical text of a GSL rule.
//!
//! Single spaces between tokens, no spaces inside brackets, the fewest parentheses that
//! keep the tree (`and` binds tighter than `or`, both associate to the left), strings
//! re-escaped, numbers in their shortest form. Parsing the output gives back an equal
//! tree: `parse_rule(&print_rule(&r)) == Ok(r)` (spans aside).

use super::ast::{CmpOp, Expr, ExprKind, Literal, LiteralKind, Postfix, Rule, Subject, Term, Test};
use std::fmt::Write as _;

/// Print a rule in canonical form.
pub fn print_rule(rule: &Rule) -> String {
    let mut out = String::new();
    let t = &rule.target;
    if t.list {
        let _ = write!(out, "List<{}>", t.entity.name);
    } else {
        out.push_str(&t.entity.name);
    }
    if let Some(f) = &t.filter {
        out.push_str(" where ");
        write_expr(&mut out, f, 0);
    }
    if let Some(v) = &rule.verdict {
        out.push_str(if v.negated {
            " should not have "
        } else {
            " should have "
        });
        write_expr(&mut out, &v.condition, 0);
    }
    out
}

/// Print an expression in canonical form.
pub fn print_expr(expr: &Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, expr, 0);
    out
}

/// Print a term (`subject postfix* [test]`) in canonical form.
pub fn print_term(term: &Term) -> String {
    let mut out = String::new();
    write_term(&mut out, term);
    out
}

/// Print a literal in canonical form (`'x'`, `2.5`, `/re/i`, `('a', 'b')`).
pub fn print_literal(lit: &Literal) -> String {
    let mut out = String::new();
    write_literal(&mut out, lit);
    out
}

/// Binding strength, by which the printer parenthesises: or 1, and 2, not 3, term 4.
pub(crate) fn strength(e: &Expr) -> u8 {
    match e.kind {
        ExprKind::Or(..) => 1,
        ExprKind::And(..) => 2,
        ExprKind::Not(..) => 3,
        ExprKind::Term(_) => 4,
    }
}

/// Write `e`, parenthesised when it binds looser than `min`.
fn write_expr(out: &mut String, e: &Expr, min: u8) {
    let paren = strength(e) < min;
    if paren {
        out.push('(');
    }
    match &e.kind {
        ExprKind::Or(l, r) => {
            write_expr(out, l, 1);
            out.push_str(" or ");
            write_expr(out, r, 2);
        }
        ExprKind::And(l, r) => {
            write_expr(out, l, 2);
            out.push_str(" and ");
            write_expr(out, r, 3);
        }
        ExprKind::Not(x) => {
            out.push_str("not ");
            write_expr(out, x, 3);
        }
        ExprKind::Term(t) => write_term(out, t),
    }
    if paren {
        out.push(')');
    }
}

fn write_term(out: &mut String, t: &Term) {
    match &t.subject {
        Subject::Path(p) => out.push_str(&p.dotted()),
        Subject::Element(_) => out.push('$'),
    }
    for p in &t.postfix {
        out.push(' ');
        match p {
            Postfix::ListOp { op, predicate, .. } => {
                out.push_str(op.keyword());
                out.push_str(" [");
                write_expr(out, predicate, 0);
                out.push(']');
            }
            Postfix::Call { name, args, .. } => {
                out.push_str(&name.name);
                out.push('(');
                write_list(out, args);
                out.push(')');
            }
        }
    }
    if let Some(Test { op, value, .. }) = &t.test {
        out.push(' ');
        out.push_str(op.symbol());
        out.push(' ');
        match (op, &value.kind) {
            // `in` takes a list; a hand-built tree with a single value prints as `('x')`.
            (CmpOp::In, kind) if !matches!(kind, LiteralKind::Tuple(_)) => {
                out.push('(');
                write_literal(out, value);
                out.push(')');
            }
            _ => write_literal(out, value),
        }
    }
}

fn write_list(out: &mut String, items: &[Literal]) {
    for (i, a) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_literal(out, a);
    }
}

fn write_literal(out: &mut String, lit: &Literal) {
    match &lit.kind {
        LiteralKind::String(s) => {
            out.push('\'');
            for c in s.chars() {
                if c == '\'' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('\'');
        }
        LiteralKind::Number(n) => {
            // `Display` for f64 is the shortest text that parses back to the same value.
            let _ = write!(out, "{n}");
        }
        LiteralKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        LiteralKind::Null => out.push_str("null"),
        LiteralKind::Regex { pattern, flags } => {
            out.push('/');
            let mut it = pattern.chars();
            while let Some(c) = it.next() {
                match c {
                    '/' => out.push_str("\\/"),
                    '\\' => {
                        out.push('\\');
                        if let Some(d) = it.next() {
                            out.push(d);
                        }
                    }
                    _ => out.push(c),
                }
            }
            out.push('/');
            out.push_str(flags);
        }
        LiteralKind::Tuple(items) => {
            out.push('(');
            write_list(out, items);
            out.push(')');
        }
        LiteralKind::Param(name) => {
            out.push('$');
            out.push_str(name);
        }
    }
}

/// Render a number without a trailing `.0` when it is whole (notes and evidence).
pub fn number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Shorten text to about `max` characters, marking the cut with `…`.
pub fn short(s: &str, max: usize) -> String {
    crate::text::clip(s, max)
}
