//! Formatting a policy file (`gsl fmt`, the language server's formatting): the
//! metadata header and every comment kept, the rule in the canonical printer's text
//! ([`crate::lang::printer`]), broken over lines when it is long or holds comments.
//!
//! A rule that fits in [`WIDTH`] columns and holds no comment is one line, exactly
//! [`print_rule`]. Otherwise `and`/`or` chains put one operand a line, and a list
//! operator's predicate goes on indented lines between `op [` and `]`; every piece on a
//! line is the canonical printer's text. Comments stay in order: a comment that
//! followed code on its line stays at the end of that line, others get a line of their
//! own before what followed them. The result parses to the same tree as the input
//! ([`SameShape`](crate::lang::ast::SameShape)), and formatting it again changes nothing.

use crate::lang::ast::{Expr, ExprKind, Postfix, Rule, Subject, Term, Test};
use crate::lang::error::ParseErrors;
use crate::lang::lexer::{Lexer, TokenKind};
use crate::lang::parser::parse_rule_named;
use crate::lang::printer::{print_expr, print_rule, print_term, strength};
use crate::span::Span;

/// The width a formatted line aims to stay within.
pub const WIDTH: usize = 100;

/// One indentation step.
const INDENT: &str = "  ";

/// The formatted text of a policy file (or a lone rule); a text that does not parse is
/// returned as its parse errors, and nothing is formatted.
pub fn format_source(src: &str, name: &str) -> Result<String, ParseErrors> {
    // A file of comments alone (a `manual:` policy, which has no rule): its lines as
    // written, trailing spaces and repeated blank lines dropped.
    let only_comments = crate::lang::lexer::tokens(src).all(|t| {
        matches!(
            t.kind,
            crate::lang::lexer::TokenKind::Comment | crate::lang::lexer::TokenKind::Space
        )
    });
    if only_comments && !src.trim().is_empty() {
        let mut out = String::new();
        header_lines(src, &mut out);
        while out.ends_with("\n\n") {
            out.pop();
        }
        return Ok(out);
    }
    let rule = parse_rule_named(src, name)?;
    let mut out = format_rule(src, &rule);
    // A comment is written at the end of a line or on its own, so one inside a term
    // that is written on one line moves to that line's end, and where it lands can
    // change whether its expression breaks. Formatting the result again settles it:
    // the output is a fixed point (tests/it/lexer_props.rs checks it on generated
    // rules), so `gsl fmt --check` agrees with `gsl fmt`.
    for _ in 0..3 {
        let Ok(again) = parse_rule_named(&out, name) else {
            break;
        };
        let next = format_rule(&out, &again);
        if next == out {
            break;
        }
        out = next;
    }
    Ok(out)
}

/// The lines of `header` (metadata and comments) as written, with trailing spaces
/// dropped and a run of blank lines kept as one.
fn header_lines(header: &str, out: &mut String) {
    let mut blank = 0;
    for line in header.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if blank > 0 && !out.is_empty() {
            out.push('\n');
        }
        blank = 0;
        out.push_str(line);
        out.push('\n');
    }
    if blank > 0 && !out.is_empty() {
        out.push('\n');
    }
}

/// Format `src`, whose parsed rule is `rule`.
pub fn format_rule(src: &str, rule: &Rule) -> String {
    let start = rule.span.start.min(src.len());
    let mut out = String::new();
    // The header (metadata and any comments before the rule), line by line as written.
    header_lines(src.get(..start).unwrap_or(""), &mut out);
    let mut f = Fmt {
        src,
        comments: comments(src, start),
        next: 0,
        lines: vec![String::new()],
        last_end: start,
    };
    f.rule(rule);
    f.flush(usize::MAX, 0);
    while f.lines.last().is_some_and(|l| l.trim().is_empty()) {
        f.lines.pop();
    }
    for line in &f.lines {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A comment: where it starts, and its text (`# ...` or `// ...`, trailing blanks cut).
#[derive(Debug)]
struct Comment {
    at: usize,
    text: String,
}

/// The comments of `src` from `from` on (a token start): `#` or `//` to the end of the
/// line, as [`crate::lang::lexer`] finds them.
fn comments(src: &str, from: usize) -> Vec<Comment> {
    let mut lexer = Lexer::new(src);
    lexer.seek(from);
    lexer
        .filter(|t| t.kind == TokenKind::Comment)
        .map(|t| Comment {
            at: t.start,
            text: t.text(src).trim_end().to_string(),
        })
        .collect()
}

struct Fmt<'a> {
    src: &'a str,
    comments: Vec<Comment>,
    /// The first comment not yet written.
    next: usize,
    /// The output lines; the last is being written.
    lines: Vec<String>,
    /// Where the code last written ends in `src`.
    last_end: usize,
}

impl Fmt<'_> {
    fn push(&mut self, s: &str) {
        if let Some(last) = self.lines.last_mut() {
            last.push_str(s);
        }
    }

    fn column(&self) -> usize {
        self.lines.last().map(|l| l.chars().count()).unwrap_or(0)
    }

    /// Is a comment not yet written inside `span`?
    fn has_comment(&self, span: Span) -> bool {
        self.comments[self.next..]
            .iter()
            .any(|c| c.at >= span.start && c.at < span.end)
    }

    /// Would `text` fit on the current line?
    fn fits(&self, text: &str) -> bool {
        self.column() + text.chars().count() <= WIDTH
    }

    /// Write the comments before byte `before`: one that followed code on its line at
    /// the end of the current line, the others on lines of their own at `indent`.
    fn flush(&mut self, before: usize, indent: usize) {
        while let Some(c) = self.comments.get(self.next) {
            if c.at >= before {
                break;
            }
            let gap = self.src.get(self.last_end.min(c.at)..c.at).unwrap_or("");
            let open = self.lines.last().is_some_and(|l| !l.trim().is_empty());
            let text = c.text.clone();
            self.last_end = c.at + c.text.len();
            self.next += 1;
            if open && !gap.contains('\n') {
                self.push("  ");
                self.push(&text);
            } else {
                self.start_line(indent);
                self.push(&text);
            }
        }
    }

    /// Make the current line an empty one at `indent` (a new one unless it is empty).
    fn start_line(&mut self, indent: usize) {
        match self.lines.last_mut() {
            Some(last) if last.trim().is_empty() => *last = INDENT.repeat(indent),
            _ => self.lines.push(INDENT.repeat(indent)),
        }
    }

    /// Start a new line at `indent`, after the comments before byte `before`.
    fn newline(&mut self, indent: usize, before: usize) {
        self.flush(before, indent);
        self.lines.push(INDENT.repeat(indent));
    }

    fn rule(&mut self, rule: &Rule) {
        let flat = print_rule(rule);
        let span = Span::new(rule.span.start, self.src.len());
        if !self.has_comment(span) && self.fits(&flat) {
            self.push(&flat);
            self.last_end = rule.span.end;
            return;
        }
        let t = &rule.target;
        if t.list {
            self.push(&format!("List<{}>", t.entity.name));
        } else {
            self.push(&t.entity.name);
        }
        self.last_end = t.entity.span.end;
        let lines_before = self.lines.len();
        if let Some(filter) = &t.filter {
            self.push(" where ");
            self.expr(filter, 0, 0, true);
        }
        if let Some(v) = &rule.verdict {
            let word = if v.negated {
                "should not have "
            } else {
                "should have "
            };
            if self.lines.len() > lines_before
                || self.has_comment(Span::new(self.last_end, v.condition.span.start))
            {
                self.newline(0, v.condition.span.start);
            } else {
                self.push(" ");
            }
            self.push(word);
            self.expr(&v.condition, 0, 0, true);
        }
    }

    /// Write `e`, parenthesised when it binds looser than `min`. `indent`: that of the
    /// line `e` starts on; `top`: the rule's own condition (its chains indent once).
    fn expr(&mut self, e: &Expr, min: u8, indent: usize, top: bool) {
        let paren = strength(e) < min;
        let flat = print_expr(e);
        let shown = if paren { format!("({flat})") } else { flat };
        if !self.has_comment(e.span) && self.fits(&shown) {
            self.push(&shown);
            self.last_end = e.span.end;
            return;
        }
        let indent = if paren { indent + 1 } else { indent };
        if paren {
            self.push("(");
        }
        match &e.kind {
            ExprKind::Or(..) | ExprKind::And(..) => {
                let (word, first_min, rest_min) = match e.kind {
                    ExprKind::Or(..) => ("or ", 1, 2),
                    _ => ("and ", 2, 3),
                };
                let mut operands = Vec::new();
                chain(e, &mut operands);
                let cont = if top { indent + 1 } else { indent };
                let mut ops = operands.into_iter();
                if let Some(first) = ops.next() {
                    self.expr(first, first_min, indent, false);
                }
                for o in ops {
                    self.newline(cont, o.span.start);
                    self.push(word);
                    self.expr(o, rest_min, cont, false);
                }
            }
            ExprKind::Not(x) => {
                self.push("not ");
                self.expr(x, 3, indent, false);
            }
            ExprKind::Term(t) => self.term(t, indent),
        }
        if paren {
            self.push(")");
        }
    }

    fn term(&mut self, t: &Term, indent: usize) {
        let piece = |postfix: Vec<Postfix>, test: Option<Test>| {
            let text = print_term(&Term {
                subject: Subject::Element(t.span),
                postfix,
                test,
                span: t.span,
            });
            text.strip_prefix('$').unwrap_or(&text).to_string()
        };
        let subject = print_term(&Term {
            subject: t.subject.clone(),
            postfix: Vec::new(),
            test: None,
            span: t.span,
        });
        self.push(&subject);
        for p in &t.postfix {
            match p {
                Postfix::ListOp {
                    op,
                    predicate,
                    span,
                } => {
                    let flat = piece(vec![p.clone()], None);
                    if !self.has_comment(*span) && self.fits(&flat) {
                        self.push(&flat);
                        self.last_end = span.end;
                        continue;
                    }
                    self.push(&format!(" {} [", op.keyword()));
                    self.last_end = predicate.span.start.min(span.end);
                    self.newline(indent + 1, predicate.span.start);
                    self.expr(predicate, 0, indent + 1, false);
                    let close = span.end.saturating_sub(1);
                    self.newline(indent, close);
                    self.push("]");
                    self.last_end = span.end;
                }
                Postfix::Call { span, .. } => {
                    self.push(&piece(vec![p.clone()], None));
                    self.last_end = span.end;
                }
            }
        }
        if let Some(test) = &t.test {
            self.push(&piece(Vec::new(), Some(test.clone())));
        }
        self.last_end = t.span.end;
    }
}

/// The operands of a chain of the same operator (`a and b and c`: left-associative, so
/// the left spine).
fn chain<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::Or(l, r) => {
            if matches!(l.kind, ExprKind::Or(..)) {
                chain(l, out);
            } else {
                out.push(l);
            }
            out.push(r);
        }
        ExprKind::And(l, r) => {
            if matches!(l.kind, ExprKind::And(..)) {
                chain(l, out);
            } else {
                out.push(l);
            }
            out.push(r);
        }
        _ => out.push(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_rule_is_the_canonical_line() {
        let src = "CloudTrail   should have\n  isMultiRegionTrail=true\n";
        assert_eq!(
            format_source(src, "x").unwrap(),
            "CloudTrail should have isMultiRegionTrail = true\n"
        );
    }

    #[test]
    fn comments_and_the_header_are_kept() {
        let src = "# id: X-1\n# title: t\n\nList<CloudTrail> should have items with [ // trails\n  isMultiRegionTrail=true # one\n  // and logging\n  and status.isLogging=true ]\n# the end\n";
        let got = format_source(src, "x").unwrap();
        assert_eq!(
            got,
            "# id: X-1\n# title: t\n\nList<CloudTrail> should have items with [  // trails\n  isMultiRegionTrail = true  # one\n  // and logging\n  and status.isLogging = true\n]\n# the end\n"
        );
        assert_eq!(format_source(&got, "x").unwrap(), got);
    }
}
