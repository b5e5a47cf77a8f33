//! The GSL parser: text → [`Rule`].
//!
//! Three stages, all private to this module (pest's types do not leak out):
//!
//! 1. a lexical pre-scan (`lex`) for unterminated literals, unbalanced brackets,
//!    wrong quotes, invalid regular expressions and excessive nesting;
//! 2. the pest grammar (`grammar/gsl.pest`); a failure is turned into words and,
//!    where a likely repair exists (a keyword typo, a missing space), the repaired text
//!    is parsed again to find further errors (`diagnose`);
//! 3. building the AST from pest pairs, with `and`/`or`/`not` precedence from a Pratt
//!    parser.
//!
//! Every error of a text is returned together in [`ParseErrors`].

mod diagnose;

/// Every GSL keyword (all lowercase but `List`), for suggestions and completion:
/// derived from the AST's operator enums and keyword lists.
pub const KEYWORDS: &[&str] = &KEYWORD_LIST;

const KEYWORD_COUNT: usize = STRUCTURE_KEYWORDS.len()
    + ListOp::KEYWORDS.len()
    + CmpOp::WORDS.len()
    + LITERAL_KEYWORDS.len()
    + 1;

const KEYWORD_LIST: [&str; KEYWORD_COUNT] = {
    let parts: [&[&str]; 5] = [
        &STRUCTURE_KEYWORDS,
        &ListOp::KEYWORDS,
        &CmpOp::WORDS,
        &LITERAL_KEYWORDS,
        &[LIST_KEYWORD],
    ];
    let mut out = [""; KEYWORD_COUNT];
    let mut k = 0;
    let mut p = 0;
    while p < parts.len() {
        let mut i = 0;
        while i < parts[p].len() {
            out[k] = parts[p][i];
            k += 1;
            i += 1;
        }
        p += 1;
    }
    out
};
mod lex;

use crate::lang::ast::{
    CmpOp, Expr, ExprKind, Ident, ListOp, Literal, LiteralKind, Path, Postfix, Rule, Subject,
    Target, Term, Test, Verdict, LIST_KEYWORD, LITERAL_KEYWORDS, STRUCTURE_KEYWORDS,
};
use crate::lang::error::{ParseError, ParseErrors};
use crate::span::Span;
use pest::iterators::{Pair, Pairs};
use pest::Parser as _;

mod grammar {
    #![allow(missing_docs)]
    /// The pest parser generated from `grammar/gsl.pest`.
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/gsl.pest"]
    pub(crate) struct GslParser;
}

use grammar::{GslParser, Rule as R};

/// The source name used by [`parse_rule`].
pub const DEFAULT_SOURCE_NAME: &str = "<rule>";

/// How many times a repaired (or resynchronised) text is parsed again to find further
/// errors.
const MAX_REPAIRS: usize = 16;

/// A chain of more operands than this (of one connective, at one level) is built as a
/// balanced tree rather than a left-leaning one, so that no pass over the tree recurses
/// deeply. Shorter chains lean left, as `and` and `or` associate.
pub const LEFT_CHAIN: usize = 64;

/// Parse one rule (or query). Spans index into `src`.
pub fn parse_rule(src: &str) -> Result<Rule, ParseErrors> {
    parse_rule_named(src, DEFAULT_SOURCE_NAME)
}

/// Parse one rule, naming the source `name` (e.g. a file path) in diagnostics.
pub fn parse_rule_named(src: &str, name: &str) -> Result<Rule, ParseErrors> {
    parse_with(src, name, R::rule, |b, pair| b.rule(pair))
}

/// Parse a lone condition, such as `items with [isLogging] length() > 0` (for the
/// REPL, which evaluates conditions against an entity).
pub fn parse_expr(src: &str) -> Result<Expr, ParseErrors> {
    parse_expr_named(src, DEFAULT_SOURCE_NAME)
}

/// Parse a lone condition, naming the source `name` in diagnostics.
pub fn parse_expr_named(src: &str, name: &str) -> Result<Expr, ParseErrors> {
    parse_with(src, name, R::expression, |b, pair| {
        match pair.into_inner().find(|p| p.as_rule() == R::expr) {
            Some(e) => b.expr(e),
            None => empty_expr(Span::default()),
        }
    })
}

/// Scan, parse from `start` (repairing and re-parsing to find further errors), and
/// build with `build`.
fn parse_with<T>(
    src: &str,
    name: &str,
    start: R,
    build: impl Fn(&mut Builder, Pair<'_, R>) -> T,
) -> Result<T, ParseErrors> {
    let mut errors = Vec::new();
    let scan = lex::scan(src);
    errors.extend(scan.errors);
    if scan.fatal {
        return Err(finish(name, src, errors));
    }

    // Apply the scan's repairs, last first, so earlier offsets stay valid.
    let mut text = src.to_string();
    let mut log = EditLog::default();
    let mut edits = scan.edits;
    edits.sort_by_key(|e| std::cmp::Reverse(e.start));
    for e in edits {
        log.apply(&mut text, e);
    }

    let mut last_fix: Option<usize> = None;
    for _ in 0..=MAX_REPAIRS {
        match GslParser::parse(start, &text) {
            Ok(mut pairs) => {
                let Some(pair) = pairs.next() else { break };
                let mut builder = Builder { errors: Vec::new() };
                let rule = build(&mut builder, pair);
                for mut e in builder.errors {
                    e.map_spans(&|p| log.to_original(p));
                    errors.push(e);
                }
                if errors.is_empty() {
                    return Ok(rule);
                }
                break;
            }
            Err(err) => {
                let d = diagnose::diagnose(&text, &err);
                if scan.unclosed && d.at_end {
                    // The unclosed bracket already explains an early end.
                    break;
                }
                let mut e = d.error;
                e.map_spans(&|p| log.to_original(p));
                let at = e.span().offset();
                if !errors.iter().any(|x: &ParseError| x.span().offset() == at) {
                    errors.push(e);
                }
                match d.fix.or(d.resync) {
                    Some(fix) if last_fix.is_none_or(|l| fix.start > l) => {
                        last_fix = Some(fix.start);
                        log.apply(&mut text, fix);
                    }
                    _ => break,
                }
            }
        }
    }
    if errors.is_empty() {
        // Unreachable in practice (a failed parse always yields an error); stay total.
        errors.push(ParseError::Empty {
            span: (src.len(), 0).into(),
        });
    }
    Err(finish(name, src, errors))
}

fn finish(name: &str, src: &str, mut errors: Vec<ParseError>) -> ParseErrors {
    errors.sort_by_key(|e| e.span().offset());
    errors.dedup();
    ParseErrors::new(name, src, errors)
}

/// Repairs applied to the text, to map offsets back to the original source.
#[derive(Default)]
struct EditLog {
    /// `(start, old_len, new_len)` in the text as it was when applied.
    applied: Vec<(usize, usize, usize)>,
}

impl EditLog {
    fn apply(&mut self, text: &mut String, e: lex::Edit) {
        if e.start > e.end
            || e.end > text.len()
            || !text.is_char_boundary(e.start)
            || !text.is_char_boundary(e.end)
        {
            return;
        }
        text.replace_range(e.start..e.end, &e.text);
        self.applied.push((e.start, e.end - e.start, e.text.len()));
    }

    fn to_original(&self, mut pos: usize) -> usize {
        for &(start, old_len, new_len) in self.applied.iter().rev() {
            if pos < start {
                continue;
            }
            pos = if pos >= start + new_len {
                pos - new_len + old_len
            } else {
                start + (pos - start).min(old_len)
            };
        }
        pos
    }
}

/// The span of a pair without the whitespace and comments pest lets trail a
/// non-atomic rule.
fn span_of(p: &Pair<'_, R>) -> Span {
    Span::new(p.as_span().start(), end_of(p))
}

fn end_of(p: &Pair<'_, R>) -> usize {
    let composite = matches!(
        p.as_rule(),
        R::rule
            | R::entity
            | R::list_entity
            | R::filter
            | R::verdict
            | R::expr
            | R::paren_expr
            | R::term
            | R::list_op
            | R::call
            | R::test
            | R::tuple
    );
    match p.clone().into_inner().last() {
        Some(last) if composite && last.as_rule() != R::EOI => end_of(&last),
        _ => p.as_span().end(),
    }
}

fn ident(p: &Pair<'_, R>) -> Ident {
    Ident {
        name: p.as_str().to_string(),
        span: span_of(p),
    }
}

/// Builds the AST from pest pairs, collecting semantic errors.
struct Builder {
    errors: Vec<ParseError>,
}

impl Builder {
    fn rule(&mut self, pair: Pair<'_, R>) -> Rule {
        let mut entity = None;
        let mut entity_span = Span::default();
        let mut list = false;
        let mut filter = None;
        let mut verdict = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                R::entity => {
                    entity_span = span_of(&p);
                    let e = p.into_inner().next();
                    match e {
                        Some(e) if e.as_rule() == R::list_entity => {
                            list = true;
                            entity = e
                                .into_inner()
                                .find(|x| x.as_rule() == R::entity_name)
                                .map(|x| ident(&x));
                        }
                        Some(e) => entity = Some(ident(&e)),
                        None => {}
                    }
                }
                R::filter => filter = p.into_inner().find(|x| x.as_rule() == R::expr),
                R::verdict => verdict = Some(p),
                _ => {}
            }
        }
        let entity = entity.unwrap_or_else(|| Ident {
            name: String::new(),
            span: Span::default(),
        });
        let filter = filter.map(|f| self.expr(f));
        let verdict = verdict.map(|v| self.verdict(v));
        let target_end = filter.as_ref().map_or(entity_span.end, |f| f.span.end);
        let target = Target {
            span: Span::new(entity_span.start, target_end),
            entity,
            list,
            filter,
        };
        let end = verdict.as_ref().map_or(target.span.end, |v| v.span.end);
        Rule {
            span: Span::new(target.span.start, end),
            target,
            verdict,
        }
    }

    fn verdict(&mut self, pair: Pair<'_, R>) -> Verdict {
        let span = span_of(&pair);
        let mut negated = false;
        let mut condition = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                R::op_not => negated = true,
                R::expr => condition = Some(self.expr(p)),
                _ => {}
            }
        }
        Verdict {
            negated,
            condition: condition.unwrap_or_else(|| empty_expr(span)),
            span,
        }
    }

    fn expr(&mut self, pair: Pair<'_, R>) -> Expr {
        self.expr_pairs(pair.into_inner())
    }

    /// `not* primary ((and | or) not* primary)*` → a tree: `not` binds tightest, then
    /// `and`, then `or`. A flat chain of one connective is built without recursion
    /// (see [`chain`]), so a rule of thousands of `or`s is fine.
    fn expr_pairs(&mut self, pairs: Pairs<'_, R>) -> Expr {
        // The `or` groups, each a list of `and` operands.
        let mut ors: Vec<Vec<Expr>> = vec![Vec::new()];
        let mut nots: Vec<Span> = Vec::new();
        for p in pairs {
            match p.as_rule() {
                R::op_not => nots.push(span_of(&p)),
                R::op_and => {}
                R::op_or => ors.push(Vec::new()),
                _ => {
                    let mut e = self.primary(p);
                    for s in nots.drain(..).rev() {
                        e = Expr {
                            span: s.join(e.span),
                            kind: ExprKind::Not(Box::new(e)),
                        };
                    }
                    if let Some(group) = ors.last_mut() {
                        group.push(e);
                    }
                }
            }
        }
        let ands: Vec<Expr> = ors
            .into_iter()
            .filter(|g| !g.is_empty())
            .map(|g| chain(Connective::And, g))
            .collect();
        if ands.is_empty() {
            return empty_expr(Span::default());
        }
        chain(Connective::Or, ands)
    }

    fn primary(&mut self, pair: Pair<'_, R>) -> Expr {
        let span = span_of(&pair);
        match pair.as_rule() {
            R::paren_expr => match pair.into_inner().find(|x| x.as_rule() == R::expr) {
                Some(inner) => Expr {
                    kind: self.expr(inner).kind,
                    span,
                },
                None => empty_expr(span),
            },
            _ => Expr {
                kind: ExprKind::Term(self.term(pair)),
                span,
            },
        }
    }

    fn term(&mut self, pair: Pair<'_, R>) -> Term {
        let span = span_of(&pair);
        let mut subject = Subject::Element(span);
        let mut postfix = Vec::new();
        let mut test = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                R::element => subject = Subject::Element(span_of(&p)),
                R::path => {
                    let pspan = span_of(&p);
                    let segments = p
                        .into_inner()
                        .filter(|x| x.as_rule() == R::segment)
                        .map(|x| ident(&x))
                        .collect();
                    subject = Subject::Path(Path {
                        segments,
                        span: pspan,
                    });
                }
                R::list_op => postfix.push(self.list_op(p)),
                R::call => postfix.push(self.call(p)),
                R::test => test = Some(self.test(p)),
                _ => {}
            }
        }
        Term {
            subject,
            postfix,
            test,
            span,
        }
    }

    fn list_op(&mut self, pair: Pair<'_, R>) -> Postfix {
        let span = span_of(&pair);
        let mut op = ListOp::With;
        let mut predicate = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                R::list_kw => {
                    op = ListOp::ALL
                        .into_iter()
                        .find(|o| o.keyword() == p.as_str())
                        .unwrap_or(ListOp::With);
                }
                R::expr => predicate = Some(self.expr(p)),
                R::element_value => {
                    predicate = p.into_inner().next().map(|v| element_test(self.literal(v)))
                }
                _ => {}
            }
        }
        Postfix::ListOp {
            op,
            predicate: Box::new(predicate.unwrap_or_else(|| empty_expr(span))),
            span,
        }
    }

    fn call(&mut self, pair: Pair<'_, R>) -> Postfix {
        let span = span_of(&pair);
        let mut name = Ident {
            name: String::new(),
            span,
        };
        let mut args = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                R::call_head => {
                    let text = p.as_str().trim_end_matches('(').trim_end();
                    let start = p.as_span().start();
                    name = Ident {
                        name: text.to_string(),
                        span: Span::new(start, start + text.len()),
                    };
                }
                R::comma | R::rparen => {}
                _ => args.push(self.literal(p)),
            }
        }
        Postfix::Call { name, args, span }
    }

    fn test(&mut self, pair: Pair<'_, R>) -> Test {
        let span = span_of(&pair);
        let mut op = CmpOp::Eq;
        let mut value = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                R::op_eq => op = CmpOp::Eq,
                R::op_ne => op = CmpOp::Ne,
                R::op_lt => op = CmpOp::Lt,
                R::op_gt => op = CmpOp::Gt,
                R::op_le => op = CmpOp::Le,
                R::op_ge => op = CmpOp::Ge,
                R::op_like => op = CmpOp::Like,
                R::op_unlike => op = CmpOp::Unlike,
                R::op_regex_match => op = CmpOp::RegexMatch,
                R::op_in => op = CmpOp::In,
                _ => value = Some(self.literal(p)),
            }
        }
        // `in $X` is `in ($X)`: the value of `in` is always a tuple, so that it prints
        // (with parentheses) and parses back the same.
        if let (CmpOp::In, Some(v)) = (op, &mut value) {
            if matches!(v.kind, LiteralKind::Param(_)) {
                let one = v.clone();
                *v = Literal {
                    span: one.span,
                    kind: LiteralKind::Tuple(vec![one]),
                };
            }
        }
        Test {
            op,
            value: value.unwrap_or(Literal {
                kind: LiteralKind::Null,
                span,
            }),
            span,
        }
    }

    fn literal(&mut self, pair: Pair<'_, R>) -> Literal {
        let span = span_of(&pair);
        let kind = match pair.as_rule() {
            R::string => {
                let body = pair.into_inner().next().map_or("", |b| b.as_str());
                LiteralKind::String(unescape_string(body))
            }
            R::number => match pair.as_str().parse::<f64>() {
                // A mantissa with a non-zero digit that reads as 0 underflowed.
                Ok(n)
                    if n == 0.0
                        && pair
                            .as_str()
                            .split(['e', 'E'])
                            .next()
                            .is_some_and(|m| m.bytes().any(|b| (b'1'..=b'9').contains(&b))) =>
                {
                    self.errors
                        .push(ParseError::NumberUnderflow { span: span.into() });
                    LiteralKind::Number(0.0)
                }
                Ok(n) if n.is_finite() => LiteralKind::Number(n),
                _ => {
                    self.errors
                        .push(ParseError::BadNumber { span: span.into() });
                    LiteralKind::Number(0.0)
                }
            },
            R::param => LiteralKind::Param(pair.as_str().trim_start_matches('$').to_string()),
            R::kw_true => LiteralKind::Bool(true),
            R::kw_false => LiteralKind::Bool(false),
            R::regex => {
                let mut pattern = String::new();
                let mut flags = String::new();
                for p in pair.into_inner() {
                    match p.as_rule() {
                        R::regex_body => pattern = lex::unescape_regex(p.as_str()).0,
                        R::regex_flags => flags = p.as_str().to_string(),
                        _ => {}
                    }
                }
                LiteralKind::Regex { pattern, flags }
            }
            R::tuple => LiteralKind::Tuple(
                pair.into_inner()
                    .filter(|x| !matches!(x.as_rule(), R::comma | R::rparen))
                    .map(|x| self.literal(x))
                    .collect(),
            ),
            _ => LiteralKind::Null,
        };
        Literal { kind, span }
    }
}

/// `and` or `or`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Connective {
    And,
    Or,
}

impl Connective {
    fn join(self, l: Expr, r: Expr) -> Expr {
        let span = l.span.join(r.span);
        let kind = match self {
            Connective::And => ExprKind::And(Box::new(l), Box::new(r)),
            Connective::Or => ExprKind::Or(Box::new(l), Box::new(r)),
        };
        Expr { kind, span }
    }

    /// The operands of `e` when it is this connective.
    fn split(self, e: Expr) -> Split {
        match (self, e.kind) {
            (Connective::And, ExprKind::And(l, r)) | (Connective::Or, ExprKind::Or(l, r)) => {
                Split::Pair(*l, *r)
            }
            (_, kind) => Split::Leaf(Expr { kind, span: e.span }),
        }
    }

    fn is(self, e: &Expr) -> bool {
        matches!(
            (self, &e.kind),
            (Connective::And, ExprKind::And(..)) | (Connective::Or, ExprKind::Or(..))
        )
    }
}

/// An expression taken apart by [`Connective::split`].
enum Split {
    /// The two operands of the connective.
    Pair(Expr, Expr),
    /// Another expression.
    Leaf(Expr),
}

/// The operands `c` joins along the left edge of `e` (1 when `e` is not a `c`).
fn spine_len(c: Connective, e: &Expr) -> usize {
    let mut n = 1;
    let mut cur = e;
    while let (true, ExprKind::And(l, _) | ExprKind::Or(l, _)) = (c.is(cur), &cur.kind) {
        n += 1;
        cur = l;
    }
    n
}

/// Join `items` with `c`. Up to [`LEFT_CHAIN`] operands (counting those along the left
/// edge of a parenthesised first operand of the same connective, which print as part of
/// the chain) lean left: `((a or b) or c)`. Longer chains are balanced over all their
/// operands (parenthesised groups of the same connective flattened: `and` and `or` are
/// associative), so their depth is logarithmic; the printer parenthesises their right
/// halves, and parsing the printed text gives the same tree back.
fn chain(c: Connective, items: Vec<Expr>) -> Expr {
    let total = items.first().map_or(0, |f| spine_len(c, f)) + items.len().saturating_sub(1);
    let mut it = items.into_iter();
    let Some(first) = it.next() else {
        return empty_expr(Span::default());
    };
    if total <= LEFT_CHAIN {
        return it.fold(first, |l, r| c.join(l, r));
    }
    // Every operand of this connective, parenthesised groups of it included (so that
    // the leaves of the balanced tree print and parse back the same), in order.
    let mut leaves = Vec::new();
    for item in std::iter::once(first).chain(it) {
        let mut stack = vec![item];
        while let Some(e) = stack.pop() {
            match c.split(e) {
                Split::Pair(l, r) => {
                    stack.push(r);
                    stack.push(l);
                }
                Split::Leaf(leaf) => leaves.push(leaf),
            }
        }
    }
    balance(c, leaves)
}

/// A balanced tree over `items` (in order): the left half joined with the right half.
fn balance(c: Connective, mut items: Vec<Expr>) -> Expr {
    if items.len() <= 1 {
        return items.pop().unwrap_or_else(|| empty_expr(Span::default()));
    }
    let right = items.split_off(items.len().div_ceil(2));
    let l = balance(c, items);
    let r = balance(c, right);
    c.join(l, r)
}

/// `['x']`: a lone value as a list predicate is the element test `$ = 'x'`, or
/// `$ like 'x'` when the string holds a `%` wildcard (`['%*%']`); a lone parameter
/// (`[$Ports]`, which may hold a list) is `$ in ($Ports)`.
fn element_test(mut value: Literal) -> Expr {
    let span = value.span;
    let op = match &value.kind {
        LiteralKind::String(s) if s.contains('%') => CmpOp::Like,
        LiteralKind::Param(_) => {
            value = Literal {
                span,
                kind: LiteralKind::Tuple(vec![value]),
            };
            CmpOp::In
        }
        _ => CmpOp::Eq,
    };
    Expr {
        kind: ExprKind::Term(Term {
            subject: Subject::Element(span),
            postfix: Vec::new(),
            test: Some(Test { op, value, span }),
            span,
        }),
        span,
    }
}

fn empty_expr(span: Span) -> Expr {
    Expr {
        kind: ExprKind::Term(Term {
            subject: Subject::Element(span),
            postfix: Vec::new(),
            test: None,
            span,
        }),
        span,
    }
}

/// Resolve `\'` and `\\`; any other backslash is kept as written.
fn unescape_string(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut it = body.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.peek() {
                Some(&d @ ('\'' | '\\')) => {
                    it.next();
                    out.push(d);
                }
                _ => out.push(c),
            }
        } else {
            out.push(c);
        }
    }
    out
}
