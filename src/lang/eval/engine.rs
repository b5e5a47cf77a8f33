//! The evaluator core: expressions over borrowed entity JSON, producing a boolean and
//! the evidence that decided it.

use super::builtins::{self, CallCx, Computed};
use super::render;
use super::value::{self, equals, order, resolve, truthy, Ctx, Item, Val};
use super::Evidence;
use crate::lang::ast::{
    CmpOp, Expr, ExprKind, ListOp, Literal, LiteralKind, Postfix, Subject, Term, Test,
};
use crate::span::Span;
use chrono::{DateTime, Utc};
use regex::Regex;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashMap;

/// Most evidence entries kept per decision.
const MAX_EVIDENCE: usize = 12;
/// Most list elements whose evidence is kept per list operator.
const MAX_ELEMENTS: usize = 3;
/// Ranking weight of a term whose builtin reports closeness (filter-pattern
/// comparisons) against 1 for any other term.
const IDENTIFYING_WEIGHT: f64 = 2.0;

/// A runtime failure: the object's outcome becomes `error`.
#[derive(Debug, Clone)]
pub struct Fail {
    pub message: String,
    pub span: Span,
}

/// One evidence entry with its nesting depth (0: a term of the rule's own expression;
/// n: inside n list-operator predicates).
#[derive(Debug, Clone)]
pub struct Ev {
    pub depth: u32,
    pub evidence: Evidence,
}

/// The value of an expression and the evidence that decided it.
#[derive(Debug, Clone)]
pub struct Res {
    pub value: bool,
    pub ev: Vec<Ev>,
    /// How far the expression got: satisfied conditions count 1 each, a failed one
    /// counts its partial progress (below 1). Only used to show the nearest misses of
    /// a list operator first; never affects a verdict.
    pub progress: f64,
}

/// Build a regex from GSL flags (`i`, `m`, `s`, `x`).
pub fn build_regex(pattern: &str, flags: &str) -> Result<Regex, String> {
    let mut b = regex::RegexBuilder::new(pattern);
    for f in flags.chars() {
        match f {
            'i' => b.case_insensitive(true),
            'm' => b.multi_line(true),
            's' => b.dot_matches_new_line(true),
            'x' => b.ignore_whitespace(true),
            other => return Err(format!("unknown regex flag `{other}` (flags: i, m, s, x)")),
        };
    }
    b.size_limit(1 << 20).build().map_err(|e| e.to_string())
}

/// The regex a `like` pattern means: `%` matches any run of characters, everything
/// else literally; whole string; case-insensitive.
pub fn like_regex(pattern: &str) -> Result<Regex, String> {
    let body = pattern
        .split('%')
        .map(regex::escape)
        .collect::<Vec<_>>()
        .join(".*");
    build_regex(&format!("^{body}$"), "is")
}

/// Evaluation state for one rule run: options and compiled-regex caches.
pub struct Engine {
    now: DateTime<Utc>,
    memo: builtins::Memo,
    regexes: RefCell<HashMap<usize, Result<Regex, String>>>,
}

impl Engine {
    pub fn new(now: DateTime<Utc>) -> Self {
        Engine {
            now,
            memo: builtins::Memo::default(),
            regexes: RefCell::new(HashMap::new()),
        }
    }

    fn regex_for(&self, lit: &Literal, like: bool) -> Result<Regex, String> {
        let key = lit as *const Literal as usize;
        if let Some(r) = self.regexes.borrow().get(&key) {
            return r.clone();
        }
        let r = match (&lit.kind, like) {
            (LiteralKind::String(s), true) => like_regex(s),
            (LiteralKind::String(s), false) => build_regex(s, ""),
            (LiteralKind::Regex { pattern, flags }, false) => build_regex(pattern, flags),
            _ => Err(format!(
                "expected a {} here, found {}",
                if like { "string pattern" } else { "regex" },
                render::literal(lit)
            )),
        };
        self.regexes.borrow_mut().insert(key, r.clone());
        r
    }

    /// Evaluate an expression. `want` is the value that makes the object pass (it only
    /// shapes the wording of notes).
    pub fn expr<'a>(&self, e: &Expr, ctx: &Ctx<'a>, depth: u32, want: bool) -> Result<Res, Fail> {
        match &e.kind {
            ExprKind::Or(a, b) => {
                let ra = self.expr(a, ctx, depth, want)?;
                if ra.value {
                    return Ok(ra);
                }
                let rb = self.expr(b, ctx, depth, want)?;
                if rb.value {
                    return Ok(rb);
                }
                // Show the alternative that came closer first.
                let progress = ra.progress.max(rb.progress);
                let ev = if rb.progress > ra.progress {
                    rb.ev.into_iter().chain(ra.ev).collect()
                } else {
                    ra.ev.into_iter().chain(rb.ev).collect()
                };
                Ok(Res {
                    value: false,
                    ev: cap(ev),
                    progress,
                })
            }
            ExprKind::And(a, b) => {
                let ra = self.expr(a, ctx, depth, want)?;
                if !ra.value {
                    // The verdict is decided. Inside a list predicate (depth > 0), score
                    // the other conjuncts anyway so the nearest misses can be ranked
                    // (errors and evidence of this extra evaluation are ignored); at the
                    // top level nothing is ranked, so skip the work.
                    let rest = if depth > 0 {
                        self.expr(b, ctx, depth, want).map_or(0.0, |r| r.progress)
                    } else {
                        0.0
                    };
                    return Ok(Res {
                        progress: ra.progress + rest,
                        ..ra
                    });
                }
                let rb = self.expr(b, ctx, depth, want)?;
                if !rb.value {
                    return Ok(Res {
                        progress: ra.progress + rb.progress,
                        ..rb
                    });
                }
                Ok(Res {
                    value: true,
                    ev: cap(ra.ev.into_iter().chain(rb.ev).collect()),
                    progress: ra.progress + rb.progress,
                })
            }
            ExprKind::Not(a) => {
                let r = self.expr(a, ctx, depth, !want)?;
                Ok(Res {
                    value: !r.value,
                    ev: r.ev,
                    progress: if r.value { 0.0 } else { 1.0 },
                })
            }
            ExprKind::Term(t) => self.term(t, ctx, depth, want),
        }
    }

    fn term<'a>(&self, t: &Term, ctx: &Ctx<'a>, depth: u32, want: bool) -> Result<Res, Fail> {
        let mut val: Val<'a> = match &t.subject {
            Subject::Path(p) => resolve(ctx, &p.segments),
            Subject::Element(_) => match ctx {
                Ctx::Item(it) => Val::Json(it.clone()),
                Ctx::Items(items) => Val::List {
                    items: items.clone(),
                    path: "items".into(),
                    projection: false,
                },
            },
        };
        let subject_path = val.path().map(str::to_string);
        let mut notes: Vec<String> = Vec::new();
        if let Val::Missing { path, hint } = &val {
            notes.push(missing_note(path, hint.as_deref()));
        }
        let mut sub: Vec<Ev> = Vec::new();
        // Partial progress of a failing term: the nearest miss inside its list
        // operators, or how close a builtin came.
        let mut nested_progress: f64 = 0.0;
        // Terms that compare filter patterns identify which element a person means,
        // so they weigh more when ranking near misses.
        let mut weight: f64 = 1.0;
        // Builtin notes follow the statement of the term's result.
        let mut call_notes: Vec<String> = Vec::new();
        let seen = val.evidence();
        for pf in &t.postfix {
            match pf {
                Postfix::ListOp {
                    op,
                    predicate,
                    span,
                } => {
                    let what = val.path().unwrap_or("value").to_string();
                    let Some(elems) = val.elements() else {
                        return Err(Fail {
                            message: format!(
                                "`{}` needs a list, found the computed value {}",
                                op.keyword(),
                                val.display()
                            ),
                            span: *span,
                        });
                    };
                    let pred_want = if *op == ListOp::ContainNone {
                        !want
                    } else {
                        want
                    };
                    let n = elems.len();
                    let mut matched = Vec::new();
                    let mut matched_ev: Vec<Vec<Ev>> = Vec::new();
                    let mut unmatched_ev: Vec<(f64, Vec<Ev>)> = Vec::new();
                    for el in elems {
                        let r =
                            self.expr(predicate, &Ctx::Item(el.clone()), depth + 1, pred_want)?;
                        if r.value {
                            if matched_ev.len() < MAX_ELEMENTS {
                                matched_ev.push(r.ev);
                            }
                            matched.push(el);
                        } else {
                            unmatched_ev.push((r.progress, r.ev));
                        }
                    }
                    // The nearest misses first (stable: ties keep document order).
                    unmatched_ev.sort_by(|a, b| b.0.total_cmp(&a.0));
                    let best_miss = unmatched_ev.first().map_or(0.0, |(p, _)| *p);
                    nested_progress = nested_progress.max(best_miss / (best_miss + 1.0));
                    // Inside a predicate, the nearest miss says what is missing; every
                    // item of a `List<X>` rule (depth 0) gets its own reason.
                    let shown = if depth == 0 { MAX_ELEMENTS } else { 1 };
                    let unmatched_ev: Vec<Vec<Ev>> = unmatched_ev
                        .into_iter()
                        .take(shown)
                        .map(|(_, ev)| ev)
                        .collect();
                    let k = matched.len();
                    let pred = render::short(&render::expr(predicate), 60);
                    let kw = op.keyword();
                    let (keep_matched, note) = match op {
                        ListOp::With | ListOp::Contain | ListOp::ContainAny => (
                            k > 0,
                            if n == 0 {
                                format!("{what} is empty: no element to match [{pred}]")
                            } else if k == 0 {
                                format!("none of {n} {what} matched [{pred}]")
                            } else {
                                format!("{k} of {n} {what} matched [{pred}]")
                            },
                        ),
                        ListOp::ContainAll => (
                            k == n,
                            if n == 0 {
                                format!("{what} is empty: contain-all is vacuously true")
                            } else if k == n {
                                format!("all {n} {what} matched [{pred}]")
                            } else {
                                format!(
                                    "{} of {n} {what} did not match [{pred}] (contain-all)",
                                    n - k
                                )
                            },
                        ),
                        ListOp::ContainNone => (
                            k > 0,
                            if k == 0 {
                                format!("none of {n} {what} matched [{pred}] (contain-none)")
                            } else {
                                format!("{k} of {n} {what} matched [{pred}] (contain-none expects none)")
                            },
                        ),
                        ListOp::ContainSingle => (
                            k >= 1,
                            format!(
                                "{k} of {n} {what} matched [{pred}] ({kw} expects exactly one)"
                            ),
                        ),
                    };
                    notes.push(note);
                    let kept = if keep_matched {
                        matched_ev
                    } else {
                        unmatched_ev
                    };
                    for ev in kept {
                        sub.extend(ev);
                    }
                    val = match op {
                        ListOp::With => Val::List {
                            items: matched,
                            path: format!("{what} with [..]"),
                            projection: false,
                        },
                        ListOp::Contain | ListOp::ContainAny => Val::Bool(k > 0),
                        ListOp::ContainAll => Val::Bool(k == n),
                        ListOp::ContainNone => Val::Bool(k == 0),
                        ListOp::ContainSingle => Val::Bool(k == 1),
                    };
                }
                Postfix::Call { name, args, span } => {
                    let Some(b) = builtins::lookup(&name.name) else {
                        return Err(Fail {
                            message: format!("unknown function `{}`", name.name),
                            span: name.span,
                        });
                    };
                    if args.len() != b.params.len() {
                        return Err(Fail {
                            message: format!(
                                "{} takes {} argument(s), got {}",
                                b.signature(),
                                b.params.len(),
                                args.len()
                            ),
                            span: *span,
                        });
                    }
                    let applied = (b.func)(
                        &CallCx {
                            args,
                            now: self.now,
                            memo: &self.memo,
                        },
                        &val,
                    )
                    .map_err(|m| Fail {
                        message: format!("{}: {m}", b.name),
                        span: *span,
                    })?;
                    if let Some(n) = applied.note {
                        call_notes.push(format!("{}(): {n}", b.name));
                    }
                    if let Some(c) = applied.closeness {
                        nested_progress = nested_progress.max(c.clamp(0.0, 1.0) * 0.99);
                        weight = IDENTIFYING_WEIGHT;
                    }
                    val = match applied.value {
                        Computed::Num(n) => Val::Num(n),
                        Computed::Bool(x) => Val::Bool(x),
                    };
                }
            }
        }
        let what = if t.postfix.is_empty() {
            val.path().unwrap_or("value").to_string()
        } else {
            short_chain(subject_path.as_deref().unwrap_or("$"), &t.postfix)
        };
        let ends_in_list_op = matches!(t.postfix.last(), Some(Postfix::ListOp { .. }));
        let value = match &t.test {
            None => {
                let b = truthy(&val);
                let plain = t.postfix.is_empty() && !matches!(val, Val::Missing { .. });
                let computed = !t.postfix.is_empty()
                    && !ends_in_list_op
                    && matches!(val, Val::Bool(_) | Val::Num(_));
                if plain || computed {
                    notes.push(format!("{what} is {}", val.display()));
                }
                b
            }
            Some(test) => {
                let b = self.test(&val, test)?;
                let expect = format!(
                    "{}{}",
                    if test.op == CmpOp::Eq {
                        String::new()
                    } else {
                        format!("{} ", test.op.symbol())
                    },
                    render::literal(&test.value)
                );
                let shown = if val.is_many() {
                    format!("{what} has {}", count_values(&val))
                } else {
                    format!("{what} is {}", val.display())
                };
                let mut note = if b == want {
                    format!(
                        "{shown} ({}{expect})",
                        if test.op == CmpOp::Eq { "= " } else { "" }
                    )
                } else if want {
                    format!("{shown} (expected {expect})")
                } else {
                    format!("{shown} (expected not {expect})")
                };
                if test.op == CmpOp::Ne && matches!(val, Val::Missing { .. }) {
                    note.push_str("; a missing value is != every non-null literal");
                }
                if matches!(val, Val::Missing { .. }) {
                    notes.clear();
                    if let Val::Missing { hint: Some(h), .. } = &val {
                        note.push_str(&format!("; did you mean `{h}`?"));
                    }
                }
                notes.push(note);
                b
            }
        };
        notes.append(&mut call_notes);
        let mut ev = vec![Ev {
            depth,
            evidence: Evidence {
                expr: render::term(t),
                span: t.span,
                path: subject_path,
                value: Some(seen),
                result: value,
                note: if notes.is_empty() {
                    None
                } else {
                    Some(notes.join("; "))
                },
            },
        }];
        ev.extend(sub);
        Ok(Res {
            value,
            ev: cap(ev),
            progress: weight
                * if value {
                    1.0
                } else {
                    nested_progress.min(0.99)
                },
        })
    }

    fn test(&self, val: &Val<'_>, test: &Test) -> Result<bool, Fail> {
        let lit = &test.value;
        let scalars = val.scalars();
        let fail = |message: String| Fail {
            message,
            span: test.span,
        };
        Ok(match test.op {
            CmpOp::Eq => scalars.iter().any(|s| equals(*s, &lit.kind)),
            CmpOp::Ne => !scalars.iter().any(|s| equals(*s, &lit.kind)),
            CmpOp::Lt | CmpOp::Gt | CmpOp::Le | CmpOp::Ge => scalars.iter().any(|s| {
                order(*s, &lit.kind).is_some_and(|o| match test.op {
                    CmpOp::Lt => o == Ordering::Less,
                    CmpOp::Gt => o == Ordering::Greater,
                    CmpOp::Le => o != Ordering::Greater,
                    _ => o != Ordering::Less,
                })
            }),
            CmpOp::Like | CmpOp::Unlike => {
                let re = self.regex_for(lit, true).map_err(fail)?;
                let any = scalars
                    .iter()
                    .any(|s| s.text().is_some_and(|t| re.is_match(&t)));
                if test.op == CmpOp::Like {
                    any
                } else {
                    let present = scalars.iter().any(|s| s.text().is_some());
                    present && !any
                }
            }
            CmpOp::RegexMatch => {
                let re = self.regex_for(lit, false).map_err(fail)?;
                scalars
                    .iter()
                    .any(|s| s.text().is_some_and(|t| re.is_match(&t)))
            }
            CmpOp::In => match &lit.kind {
                LiteralKind::Tuple(_) => scalars.iter().any(|s| equals(*s, &lit.kind)),
                LiteralKind::Regex { .. } => {
                    return Err(fail("`in` needs a list of values like ('a', 'b')".into()))
                }
                other => scalars.iter().any(|s| equals(*s, other)),
            },
        })
    }
}

fn count_values(v: &Val<'_>) -> String {
    let n = v.scalars().len();
    let shown: Vec<String> = match v {
        Val::List { items, .. } => items
            .iter()
            .take(3)
            .map(|it| value::display_json(it.v))
            .collect(),
        Val::Json(it) => {
            it.v.as_array()
                .map(|a| a.iter().take(3).map(value::display_json).collect())
                .unwrap_or_default()
        }
        _ => Vec::new(),
    };
    if n == 0 {
        "no values".into()
    } else if n > 3 {
        format!("{n} values: {}, …", shown.join(", "))
    } else {
        format!("{n} value(s): {}", shown.join(", "))
    }
}

/// `metricFilters with [..] length()`: the subject and its operations, predicates elided.
fn short_chain(subject: &str, postfix: &[Postfix]) -> String {
    let mut out = subject.to_string();
    for pf in postfix {
        out.push(' ');
        match pf {
            Postfix::ListOp { op, .. } => {
                out.push_str(op.keyword());
                out.push_str(" [..]");
            }
            Postfix::Call { name, args, .. } => {
                if args.is_empty() {
                    out.push_str(&format!("{}()", name.name));
                } else {
                    out.push_str(&format!("{}(..)", name.name));
                }
            }
        }
    }
    out
}

fn missing_note(path: &str, hint: Option<&str>) -> String {
    match hint {
        Some(h) => format!("{path} is missing (did you mean `{h}`?)"),
        None => format!("{path} is missing"),
    }
}

fn cap(mut ev: Vec<Ev>) -> Vec<Ev> {
    ev.truncate(MAX_EVIDENCE);
    ev
}

/// Plain items for a `List<X>` test object.
pub fn list_items<'a>(values: impl Iterator<Item = &'a serde_json::Value>) -> Vec<Item<'a>> {
    values
        .enumerate()
        .map(|(i, v)| Item {
            v,
            path: value::index("items", i),
        })
        .collect()
}
