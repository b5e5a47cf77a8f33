//! A compact printer for expressions, used in evidence (`Evidence::expr`) and notes.
//! Independent of the canonical printer so explanations never depend on source text.

use crate::lang::ast::{Expr, ExprKind, Literal, LiteralKind, Postfix, Subject, Term};

/// Render a literal as GSL source.
pub fn literal(l: &Literal) -> String {
    match &l.kind {
        LiteralKind::String(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        LiteralKind::Number(n) => number(*n),
        LiteralKind::Bool(b) => b.to_string(),
        LiteralKind::Null => "null".into(),
        LiteralKind::Regex { pattern, flags } => {
            format!("/{}/{flags}", pattern.replace('/', "\\/"))
        }
        LiteralKind::Tuple(items) => format!(
            "({})",
            items.iter().map(literal).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Render a number without a trailing `.0` when it is whole.
pub fn number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Render an expression.
pub fn expr(e: &Expr) -> String {
    expr_prec(e, 0)
}

fn expr_prec(e: &Expr, outer: u8) -> String {
    let (s, prec) = match &e.kind {
        ExprKind::Or(a, b) => (format!("{} or {}", expr_prec(a, 1), expr_prec(b, 1)), 1),
        ExprKind::And(a, b) => (format!("{} and {}", expr_prec(a, 2), expr_prec(b, 2)), 2),
        ExprKind::Not(a) => (format!("not {}", expr_prec(a, 3)), 3),
        ExprKind::Term(t) => (term(t), 4),
    };
    if prec < outer {
        format!("({s})")
    } else {
        s
    }
}

/// Render a term.
pub fn term(t: &Term) -> String {
    let mut out = match &t.subject {
        Subject::Path(p) => p.dotted(),
        Subject::Element(_) => "$".into(),
    };
    for pf in &t.postfix {
        out.push(' ');
        out.push_str(&postfix(pf));
    }
    if let Some(test) = &t.test {
        out.push(' ');
        out.push_str(test.op.symbol());
        out.push(' ');
        out.push_str(&literal(&test.value));
    }
    out
}

/// Render a term without its final comparison (`metricFilters with [..] length()`).
pub fn term_without_test(t: &Term) -> String {
    let mut out = match &t.subject {
        Subject::Path(p) => p.dotted(),
        Subject::Element(_) => "$".into(),
    };
    for pf in &t.postfix {
        out.push(' ');
        out.push_str(&postfix(pf));
    }
    out
}

/// Render one postfix operation.
pub fn postfix(p: &Postfix) -> String {
    match p {
        Postfix::ListOp { op, predicate, .. } => format!("{} [{}]", op.keyword(), expr(predicate)),
        Postfix::Call { name, args, .. } => format!(
            "{}({})",
            name.name,
            args.iter().map(literal).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Shorten text to about `max` characters, marking the cut with `…`.
pub fn short(s: &str, max: usize) -> String {
    crate::text::clip(s, max)
}
