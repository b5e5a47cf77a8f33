//! The evaluator: a [`CheckedRule`](super::CheckedRule)'s expressions over borrowed
//! entity JSON, producing a boolean and a small trace of what decided it (the words
//! are the explainer's job, see `explain`).

use super::builtins::{Arg, ArgValue, Builtin, CallCx, Computed, NotePart};
use super::cache::DecisionCache;
use super::checked::{CExpr, CExprKind, COp, CTerm, CTest};
use super::error::EvalError;
use super::path::{index, resolve, resolve_hinted, Ctx, Group, Item};
use super::value::{display_json, equals, order, truthy, Val};
use crate::lang::ast::{CmpOp, ListOp, LiteralKind};
use crate::span::Span;
use chrono::{DateTime, Utc};
use serde_json::Value as Json;
use std::cmp::Ordering;

/// Most evidence entries kept per decision.
const MAX_EVIDENCE: usize = 12;
/// Most list elements whose evidence is kept per list operator.
const MAX_ELEMENTS: usize = 3;
/// Ranking weight of a term whose builtin reports closeness (filter-pattern
/// comparisons) against 1 for any other term. It outweighs the other conditions of a
/// CIS chain together (the filter's subscriber, its alarm), so the filter that
/// watches nearly the right events is shown rather than one with a good alarm on
/// unrelated events.
const IDENTIFYING_WEIGHT: f64 = 4.0;

/// What one term saw and decided, before it is put into words.
#[derive(Debug, Clone)]
pub(crate) struct TermTrace<'c> {
    pub term: &'c CTerm,
    /// The JSON path of the subject, when it came from the entity.
    pub path: Option<String>,
    /// The subject's value, compacted for evidence.
    pub seen: Json,
    pub result: bool,
    pub notes: Vec<Note<'c>>,
    /// The list element the term looked at, by name and position
    /// (`filter "cis-4.3-root" (items[0].metricFilters[7])`), inside list predicates,
    /// and the element's path (which the words then leave out).
    pub owner: Option<(String, String)>,
}

/// One fact of a term's trace, in the order it is told.
#[derive(Debug, Clone)]
pub(crate) enum Note<'c> {
    /// The subject's path does not exist.
    Missing { path: String, hint: Option<String> },
    /// A list operator matched `k` of `n` elements.
    List {
        op: ListOp,
        what: String,
        n: usize,
        k: usize,
        pred: &'c str,
        /// Every element missed, and each compared a filter pattern about other
        /// events than the rule's pattern (given): no element is a near miss.
        unwatched: Option<&'c str>,
    },
    /// A term without comparison: what its value is.
    Is { what: String, value: String },
    /// The comparison.
    Test {
        /// `x is 'a'` / `x has 2 value(s): ..`.
        shown: String,
        test: &'c CTest,
        /// The result was the one that makes the object pass.
        as_wanted: bool,
        want: bool,
        missing: bool,
        hint: Option<String>,
    },
    /// Why a derived flag has its value, from the sibling `<flag>Reason` property the
    /// collectors write (`hasSNSSubscriberReason`: the broken link of the alarm chain).
    Because(String),
    /// A builtin's own note.
    Call {
        builtin: &'static str,
        parts: Vec<NotePart>,
    },
}

/// One evidence entry with its nesting depth (0: a term of the rule's own expression;
/// n: inside n list-operator predicates).
#[derive(Debug, Clone)]
pub(crate) struct Ev<'c> {
    pub depth: u32,
    pub trace: TermTrace<'c>,
}

/// The value of an expression and the trace that decided it.
#[derive(Debug, Clone)]
pub(crate) struct Res<'c> {
    pub value: bool,
    /// The value is not decided (a builtin could not decide, e.g. a filter-pattern
    /// question the engine cannot answer): `value` is then the pessimistic reading
    /// and means nothing. Three-valued: `false and ?` is false, `true or ?` is true,
    /// anything else with an undecided part is undecided.
    pub unknown: bool,
    pub ev: Vec<Ev<'c>>,
    /// How far the expression got: satisfied conditions count 1 each, a failed one
    /// counts its partial progress (below 1). Only used to show the nearest misses of
    /// a list operator first; never affects a verdict.
    pub progress: f64,
    /// The nearest a filter-pattern comparison of the expression came to the
    /// rule's pattern (`None`: the expression compares none). A list operator
    /// whose every miss watches other events (closeness 0) names no element as
    /// the near miss. Never affects a verdict.
    pub watch: Option<Watch<'c>>,
}

/// How near a filter-pattern comparison came, and the rule's pattern it compared
/// with (for the words "no filter watches these events").
#[derive(Debug, Clone, Copy)]
pub(crate) struct Watch<'c> {
    pub closeness: f64,
    pub required: &'c str,
}

/// The nearer of two comparisons (the first on a tie).
fn nearer<'c>(a: Option<Watch<'c>>, b: Option<Watch<'c>>) -> Option<Watch<'c>> {
    match (a, b) {
        (Some(x), Some(y)) if y.closeness > x.closeness => Some(y),
        (Some(x), _) => Some(x),
        (None, y) => y,
    }
}

/// Evidence that says only that the subject is missing (`undeliveredMetricFilters is
/// missing`): an alternative whose data is not there, next to one whose data is.
fn only_missing(r: &Res<'_>, depth: u32) -> bool {
    let mut own = r.ev.iter().filter(|e| e.depth == depth).peekable();
    own.peek().is_some() && own.all(|e| matches!(e.trace.notes.first(), Some(Note::Missing { .. })))
}

/// The JSON paths the evidence of `r` read.
fn paths_read<'r>(r: &'r Res<'_>) -> Vec<&'r str> {
    r.ev.iter()
        .filter_map(|e| e.trace.path.as_deref())
        .collect()
}

/// Evaluation state: "now", the run's decision cache, and whether evidence is wanted.
#[derive(Clone, Copy)]
pub(crate) struct Engine<'o> {
    pub now: DateTime<Utc>,
    pub cache: &'o DecisionCache,
    /// The verdict-only pass: values, undecidedness and progress exactly as with
    /// evidence, but no evidence (`ev` empty, no words formatted, no hints looked up).
    /// A list operator runs its predicate quietly on every element and again, with
    /// evidence, only on the elements whose evidence it keeps.
    pub quiet: bool,
}

impl<'o> Engine<'o> {
    fn quietly(&self) -> Engine<'o> {
        Engine {
            quiet: true,
            ..*self
        }
    }

    /// Evaluate an expression. `want` is the value that makes the object pass (it only
    /// shapes the wording of notes).
    pub fn expr<'c>(
        &self,
        e: &'c CExpr,
        ctx: &Ctx<'_>,
        depth: u32,
        want: bool,
    ) -> Result<Res<'c>, EvalError> {
        match &e.kind {
            CExprKind::Or(a, b) => {
                let ra = self.expr(a, ctx, depth, want)?;
                if ra.value && !ra.unknown {
                    return Ok(ra);
                }
                let rb = self.expr(b, ctx, depth, want)?;
                if rb.value && !rb.unknown {
                    return Ok(rb);
                }
                // Show the alternative that came closer first. One that got nowhere
                // (a missing or empty list, a first condition false) says nothing the
                // closer one does not, unless neither got anywhere.
                let progress = ra.progress.max(rb.progress);
                let unknown = ra.unknown || rb.unknown;
                let watch = nearer(ra.watch, rb.watch);
                let (near, far) = if rb.progress > ra.progress
                    || (rb.progress == ra.progress && only_missing(&ra, depth))
                {
                    (rb, ra)
                } else {
                    (ra, rb)
                };
                // The farther alternative is left out when it says nothing the nearer
                // one does not: it got nowhere while the nearer got somewhere; its
                // data is missing while the nearer's is there (a property the
                // collector did not build); or it compared the same filter pattern
                // with another pattern of the rule (one line per broken link).
                let says_nothing_new = !far.unknown
                    && ((near.progress > 0.0 && far.progress == 0.0)
                        || (only_missing(&far, depth) && !only_missing(&near, depth))
                        || (near.watch.is_some()
                            && far.watch.is_some()
                            && near.progress > 0.0
                            && paths_read(&far)
                                .iter()
                                .all(|p| paths_read(&near).contains(p))));
                let ev = if says_nothing_new {
                    near.ev
                } else {
                    near.ev.into_iter().chain(far.ev).collect()
                };
                Ok(Res {
                    value: false,
                    unknown,
                    ev: cap(ev),
                    progress,
                    watch,
                })
            }
            CExprKind::And(a, b) => {
                let ra = self.expr(a, ctx, depth, want)?;
                let fails = |r: &Res<'_>| !r.value && !r.unknown;
                if fails(&ra) {
                    // The verdict is decided. The other conjuncts are evaluated anyway:
                    // every failing condition is reported, not only the first, and
                    // inside a list predicate the nearest misses are ranked by all of
                    // them (errors of this extra evaluation are ignored).
                    return Ok(match self.expr(b, ctx, depth, want) {
                        Ok(rb) if fails(&rb) => Res {
                            progress: ra.progress + rb.progress,
                            watch: nearer(ra.watch, rb.watch),
                            ev: cap(ra.ev.into_iter().chain(rb.ev).collect()),
                            ..ra
                        },
                        Ok(rb) => Res {
                            progress: ra.progress + rb.progress,
                            watch: nearer(ra.watch, rb.watch),
                            ..ra
                        },
                        Err(_) => ra,
                    });
                }
                let rb = self.expr(b, ctx, depth, want)?;
                if fails(&rb) {
                    return Ok(Res {
                        progress: ra.progress + rb.progress,
                        watch: nearer(ra.watch, rb.watch),
                        ..rb
                    });
                }
                if ra.unknown || rb.unknown {
                    // Nothing failed, something is undecided: show the undecided part.
                    let ev = [&ra, &rb]
                        .into_iter()
                        .filter(|r| r.unknown)
                        .flat_map(|r| r.ev.iter().cloned())
                        .collect();
                    return Ok(Res {
                        value: false,
                        unknown: true,
                        ev: cap(ev),
                        progress: ra.progress + rb.progress,
                        watch: nearer(ra.watch, rb.watch),
                    });
                }
                Ok(Res {
                    value: true,
                    unknown: false,
                    ev: cap(ra.ev.into_iter().chain(rb.ev).collect()),
                    progress: ra.progress + rb.progress,
                    watch: nearer(ra.watch, rb.watch),
                })
            }
            CExprKind::Not(a) => {
                let r = self.expr(a, ctx, depth, !want)?;
                Ok(Res {
                    value: !r.value,
                    unknown: r.unknown,
                    ev: r.ev,
                    progress: if r.value { 0.0 } else { 1.0 },
                    watch: r.watch,
                })
            }
            CExprKind::Term(t) => self.term(t, ctx, depth, want),
        }
    }

    /// The subject's value.
    fn subject<'a>(&self, t: &CTerm, ctx: &Ctx<'a>) -> Val<'a> {
        match &t.path {
            Some(segments) => resolve_hinted(ctx, segments, !self.quiet),
            None => match ctx {
                Ctx::Item(it) => Val::Json(it.clone()),
                Ctx::Group(g) => Val::List {
                    items: g.values.clone(),
                    path: format!("{}.values", g.path),
                    projection: false,
                },
                Ctx::Items(items) => Val::List {
                    items: items.clone(),
                    path: "items".into(),
                    projection: false,
                },
            },
        }
    }

    /// A term, three-valued: when a list predicate or a builtin inside it is
    /// undecided, the term is evaluated at both extremes (every undecided part false,
    /// then true); it is decided only when both agree (and the term is monotone in
    /// its undecided parts: `contain-single` and `=`/`!=` on a count are not).
    fn term<'c>(
        &self,
        t: &'c CTerm,
        ctx: &Ctx<'_>,
        depth: u32,
        want: bool,
    ) -> Result<Res<'c>, EvalError> {
        let (mut r, u) = self.term_at(t, ctx, depth, want, false)?;
        if u.uncertain {
            let high = if u.non_monotone {
                None
            } else {
                self.quietly()
                    .term_at(t, ctx, depth, want, true)
                    .ok()
                    .map(|(h, _)| h.value)
            };
            if high != Some(r.value) {
                r.unknown = true;
            }
        }
        Ok(r)
    }

    /// A term with each undecided part read as `optimistic`: its subject, then its
    /// list operators and calls left to right ([`Engine::list_op`], [`Engine::call`]),
    /// then its comparison ([`Engine::finish_term`]).
    fn term_at<'c, 'a>(
        &self,
        t: &'c CTerm,
        ctx: &Ctx<'a>,
        depth: u32,
        want: bool,
        optimistic: bool,
    ) -> Result<(Res<'c>, Uncertainty), EvalError> {
        let val = self.subject(t, ctx);
        let subject_path = val.path().filter(|_| !self.quiet).map(str::to_string);
        let mut notes: Vec<Note<'c>> = Vec::new();
        if let (Val::Missing { path, hint }, false) = (&val, self.quiet) {
            notes.push(Note::Missing {
                path: path.clone(),
                hint: hint.clone(),
            });
        }
        let seen = if self.quiet {
            Json::Null
        } else {
            val.evidence()
        };
        let mut run = TermRun {
            val,
            u: Uncertainty::default(),
            notes,
            sub: Vec::new(),
            nested_progress: 0.0,
            weight: 1.0,
            watch: None,
            call_notes: Vec::new(),
            groups: None,
        };
        let at = At {
            depth,
            want,
            optimistic,
        };
        for op in &t.ops {
            match op {
                COp::List {
                    op,
                    predicate,
                    shown,
                    span,
                } => self.list_op(&mut run, *op, predicate, shown, *span, at)?,
                COp::Call {
                    builtin,
                    args,
                    span,
                } => self.call(&mut run, builtin, args, *span, optimistic)?,
            }
        }
        Ok(self.finish_term(t, ctx, at, run, subject_path, seen))
    }

    /// A list operator: its predicate on every element (or group), the elements whose
    /// evidence is told, and the value it leaves (the matching elements, or a boolean).
    fn list_op<'c, 'a>(
        &self,
        run: &mut TermRun<'c, 'a>,
        op: ListOp,
        predicate: &'c CExpr,
        shown: &'c str,
        span: Span,
        at: At,
    ) -> Result<(), EvalError> {
        let what = run.val.path().unwrap_or("value").to_string();
        // Inside a predicate, the nearest miss says what is missing; every item of a
        // `List<X>` rule (depth 0) gets its own reason.
        let shown_misses = if at.depth == 0 { MAX_ELEMENTS } else { 1 };
        let elems = self.elements(run, op, span, shown_misses)?;
        if op == ListOp::GroupBy {
            return self.group(run, elems, predicate, shown, span, what);
        }
        let pred_want = if op == ListOp::ContainNone {
            !at.want
        } else {
            at.want
        };
        let inner = At {
            depth: at.depth + 1,
            want: pred_want,
            optimistic: at.optimistic,
        };
        if op == ListOp::ContainSingle {
            run.u.non_monotone = true;
        }
        let mut tally = self.tally(&elems, predicate, inner, shown_misses, &mut run.u)?;
        // The nearest misses first (stable: ties keep document order).
        tally.unmatched.sort_by(|a, b| b.0.total_cmp(&a.0));
        let best_miss = tally.unmatched.first().map_or(0.0, |(p, _)| *p);
        run.nested_progress = run.nested_progress.max(best_miss / (best_miss + 1.0));
        let n = elems.len();
        let k = tally.matched.len();
        let keep_matched = match op {
            ListOp::With
            | ListOp::Contain
            | ListOp::ContainAny
            | ListOp::ContainNone
            | ListOp::ContainSingle
            | ListOp::GroupBy => k > 0,
            ListOp::ContainAll => k == n,
        };
        if !self.quiet {
            // No element is a near miss when each compared its filter pattern and each
            // is about other events: the words say so and show the rule's pattern
            // instead of blaming one.
            let unwatched = if keep_matched || !tally.undecided_at.is_empty() {
                None
            } else {
                tally
                    .missed_watch
                    .iter()
                    .map(|w| w.filter(|w| w.closeness <= 0.0).map(|w| w.required))
                    .collect::<Option<Vec<&str>>>()
                    .and_then(|r| r.first().copied())
            };
            run.notes.push(Note::List {
                op,
                what: what.clone(),
                n,
                k,
                pred: shown,
                unwatched,
            });
            let told: Vec<usize> = if keep_matched {
                std::mem::take(&mut tally.matched_at)
            } else if unwatched.is_some() {
                Vec::new()
            } else {
                std::mem::take(&mut tally.undecided_at)
                    .into_iter()
                    .chain(tally.unmatched.iter().take(shown_misses).map(|(_, i)| *i))
                    .collect()
            };
            for i in told {
                let mut ev = match tally.direct_ev.get_mut(i) {
                    Some(ev) => std::mem::take(ev),
                    None => {
                        self.expr(predicate, &elems.told_ctx(i), inner.depth, pred_want)?
                            .ev
                    }
                };
                name_the_owner(&mut ev, &elems.told_ctx(i));
                run.sub.extend(ev);
            }
        }
        run.val = match op {
            ListOp::With | ListOp::GroupBy => {
                let (val, groups) = kept(elems, tally.matched, &what);
                run.groups = groups;
                val
            }
            ListOp::Contain | ListOp::ContainAny => Val::Bool(k > 0),
            ListOp::ContainAll => Val::Bool(k == n),
            ListOp::ContainNone => Val::Bool(k == 0),
            ListOp::ContainSingle => Val::Bool(k == 1),
        };
        Ok(())
    }

    /// `groupBy [key]`: the elements grouped by their key; the value is one
    /// representative a group, the groups wait for the next list operator.
    fn group<'c, 'a>(
        &self,
        run: &mut TermRun<'c, 'a>,
        elems: Elems<'a>,
        key: &CExpr,
        shown: &'c str,
        span: Span,
        what: String,
    ) -> Result<(), EvalError> {
        let op = ListOp::GroupBy;
        let Elems::Items(items) = elems.told() else {
            return Err(EvalError::NotAList {
                op: op.keyword(),
                found: "groups".into(),
                span,
            });
        };
        let n = items.len();
        let made = group_by(key, items, &what);
        if !self.quiet {
            run.notes.push(Note::List {
                op,
                what: what.clone(),
                n,
                k: made.len(),
                pred: shown,
                unwatched: None,
            });
        }
        run.val = representatives(&made, format!("{what} groupBy [..]"));
        run.groups = Some(made);
        Ok(())
    }

    /// What a list operator walks: the groups of a preceding `groupBy`, or the
    /// elements of the value (those of a long JSON array without their paths yet: they
    /// are evaluated quietly, and only those told get their path, `metricFilters[7]`).
    fn elements<'a>(
        &self,
        run: &mut TermRun<'_, 'a>,
        op: ListOp,
        span: Span,
        shown_misses: usize,
    ) -> Result<Elems<'a>, EvalError> {
        let later = match &run.val {
            Val::Json(it) if !self.quiet => {
                it.v.as_array()
                    .filter(|a| a.len() > shown_misses)
                    .map(|_| it.path.clone())
            }
            _ => None,
        };
        if let Some(g) = run.groups.take() {
            return Ok(Elems::Groups(g));
        }
        match run.val.elements_with(!self.quiet && later.is_none()) {
            Some(items) => Ok(match later {
                Some(base) => Elems::Indexed(items, base),
                None => Elems::Items(items),
            }),
            None => Err(EvalError::NotAList {
                op: op.keyword(),
                found: run.val.display(),
                span,
            }),
        }
    }

    /// The predicate on every element. A list this short is evaluated with evidence at
    /// once (all of it may be told); a longer one quietly, then again with evidence for
    /// the elements told (the same values: only the words are added).
    fn tally<'c>(
        &self,
        elems: &Elems<'_>,
        predicate: &'c CExpr,
        inner: At,
        shown_misses: usize,
        u: &mut Uncertainty,
    ) -> Result<Tally<'c>, EvalError> {
        let n = elems.len();
        let mut tally = Tally::default();
        let direct = !self.quiet && n <= shown_misses;
        let pass = if direct { *self } else { self.quietly() };
        for i in 0..n {
            let r = match pass.expr(predicate, &elems.ctx(i), inner.depth, inner.want) {
                Ok(r) => r,
                // The error as the pass with words gives it (its paths).
                Err(e) if pass.quiet && !self.quiet => {
                    return Err(self
                        .expr(predicate, &elems.told_ctx(i), inner.depth, inner.want)
                        .err()
                        .unwrap_or(e))
                }
                Err(e) => return Err(e),
            };
            let (value, unknown, progress, watch) = (r.value, r.unknown, r.progress, r.watch);
            if direct {
                tally.direct_ev.push(r.ev);
            }
            if unknown {
                u.uncertain = true;
                if inner.optimistic {
                    tally.matched.push(i);
                } else if tally.undecided_at.len() < MAX_ELEMENTS {
                    tally.undecided_at.push(i);
                }
                continue;
            }
            if value {
                if tally.matched_at.len() < MAX_ELEMENTS {
                    tally.matched_at.push(i);
                }
                tally.matched.push(i);
            } else {
                tally.unmatched.push((progress, i));
                tally.missed_watch.push(watch);
            }
        }
        Ok(tally)
    }

    /// A builtin applied to the value so far.
    fn call<'c>(
        &self,
        run: &mut TermRun<'c, '_>,
        builtin: &'static Builtin,
        args: &'c [Arg],
        span: Span,
        optimistic: bool,
    ) -> Result<(), EvalError> {
        run.groups = None;
        let applied = (builtin.func)(
            &CallCx {
                builtin,
                args,
                span,
                now: self.now,
                cache: self.cache,
            },
            &run.val,
        )?;
        let undecided = applied.note.iter().any(NotePart::is_undecided);
        if undecided {
            run.u.uncertain = true;
        }
        if !applied.note.is_empty() && !self.quiet {
            run.call_notes.push(Note::Call {
                builtin: builtin.name,
                parts: applied.note,
            });
        }
        if let Some(c) = applied.closeness {
            run.nested_progress = run.nested_progress.max(c.clamp(0.0, 1.0) * 0.99);
            run.weight = IDENTIFYING_WEIGHT;
            if let Some(ArgValue::Pattern(rule)) = args.first().map(|a| &a.value) {
                run.watch = nearer(
                    run.watch,
                    Some(Watch {
                        closeness: c,
                        required: rule.text(),
                    }),
                );
            }
        }
        run.val = match applied.value {
            Computed::Num(n) => Val::Num(n),
            Computed::Bool(x) => Val::Bool(x || (undecided && optimistic)),
        };
        Ok(())
    }

    /// The term's comparison on the value its operations left, and its evidence.
    fn finish_term<'c>(
        &self,
        t: &'c CTerm,
        ctx: &Ctx<'_>,
        at: At,
        run: TermRun<'c, '_>,
        subject_path: Option<String>,
        seen: Json,
    ) -> (Res<'c>, Uncertainty) {
        let TermRun {
            val,
            mut u,
            notes,
            sub,
            nested_progress,
            weight,
            watch,
            call_notes,
            groups: _,
        } = run;
        if let Some(test) = &t.test {
            if u.uncertain
                && matches!(val, Val::Num(_))
                && !matches!(test.op, CmpOp::Lt | CmpOp::Gt | CmpOp::Le | CmpOp::Ge)
            {
                u.non_monotone = true;
            }
        }
        let value = match &t.test {
            None => truthy(&val),
            Some(test) => compare(&val, test),
        };
        let ev = if self.quiet {
            Vec::new()
        } else {
            let told = Told {
                t,
                ctx,
                depth: at.depth,
                want: at.want,
                val: &val,
                value,
                subject_path,
                seen,
                notes,
                call_notes,
            };
            let mut ev = vec![told.ev()];
            ev.extend(sub);
            ev
        };
        (
            Res {
                value,
                unknown: false,
                ev: cap(ev),
                progress: weight
                    * if value {
                        1.0
                    } else {
                        nested_progress.min(0.99)
                    },
                watch,
            },
            u,
        )
    }
}

/// What a term saw, to be put into its evidence entry (the pass with evidence only).
struct Told<'t, 'c, 'a> {
    t: &'c CTerm,
    ctx: &'t Ctx<'a>,
    depth: u32,
    want: bool,
    val: &'t Val<'a>,
    value: bool,
    subject_path: Option<String>,
    seen: Json,
    notes: Vec<Note<'c>>,
    call_notes: Vec<Note<'c>>,
}

impl<'c> Told<'_, 'c, '_> {
    fn ev(self) -> Ev<'c> {
        let Told {
            t,
            ctx,
            depth,
            want,
            val,
            value,
            subject_path,
            seen,
            mut notes,
            mut call_notes,
        } = self;
        let what = if t.ops.is_empty() {
            val.path().unwrap_or("value").to_string()
        } else {
            format!("{}{}", subject_path.as_deref().unwrap_or("$"), t.chain)
        };
        // A missing subject is the whole story: what its operators made of nothing
        // (an empty list, a length of 0) would only repeat it.
        let subject_missing =
            !t.ops.is_empty() && matches!(notes.first(), Some(Note::Missing { .. }));
        if subject_missing {
            notes.truncate(1);
            call_notes.clear();
        }
        match &t.test {
            _ if subject_missing => {}
            None => {
                let ends_in_list_op = matches!(t.ops.last(), Some(COp::List { .. }));
                let plain = t.ops.is_empty() && !matches!(val, Val::Missing { .. });
                let computed = !t.ops.is_empty()
                    && !ends_in_list_op
                    && matches!(val, Val::Bool(_) | Val::Num(_));
                if plain || computed {
                    notes.push(Note::Is {
                        what,
                        value: val.display(),
                    });
                }
            }
            Some(test) => {
                let shown = if val.is_many() {
                    format!("{what} has {}", count_values(val))
                } else {
                    format!("{what} is {}", val.display())
                };
                let missing = matches!(val, Val::Missing { .. });
                if missing {
                    notes.clear();
                }
                notes.push(Note::Test {
                    shown,
                    test,
                    as_wanted: value == want,
                    want,
                    missing,
                    hint: match val {
                        Val::Missing { hint, .. } => hint.clone(),
                        _ => None,
                    },
                });
            }
        }
        notes.append(&mut call_notes);
        let owner = match ctx {
            Ctx::Item(it) if depth > 0 => {
                owner_label(it.v, &it.path).map(|l| (l, format!("{}.", it.path)))
            }
            _ => None,
        };
        if value != want {
            if let (Ctx::Item(it), Some(p)) = (ctx, subject_path.as_deref()) {
                let key = p.rsplit('.').next().unwrap_or(p);
                if let Some(Json::String(why)) = it.v.get(format!("{key}Reason")) {
                    notes.push(Note::Because(why.clone()));
                }
            }
        }
        Ev {
            depth,
            trace: TermTrace {
                term: t,
                path: subject_path,
                seen,
                result: value,
                notes,
                owner,
            },
        }
    }
}

/// Evidence about an element of a list element that has no name of its own
/// (`items[1].eventSelectors[0]`) is named after the nearest element that has one
/// (`trail "legacy-eu" (items[1]): eventSelectors[0].readWriteType …`), so every line
/// says which entity it is about.
fn name_the_owner(ev: &mut [Ev<'_>], element: &Ctx<'_>) {
    let Ctx::Item(it) = element else { return };
    if it.path.is_empty() || !ev.iter().any(|e| e.trace.owner.is_none()) {
        return;
    }
    let Some(label) = owner_label(it.v, &it.path) else {
        return;
    };
    let prefix = format!("{}.", it.path);
    for e in ev.iter_mut().filter(|e| e.trace.owner.is_none()) {
        if e.trace
            .path
            .as_deref()
            .is_some_and(|p| p.starts_with(&prefix))
        {
            e.trace.owner = Some((label.clone(), prefix.clone()));
        }
    }
}

/// A list element named by what it is and its name, with its position:
/// `filter "cis-4.3-root" (items[0].metricFilters[7])`, `alarm "root-usage" (…)`,
/// `topic arn:aws:sns:… (…)`, `trail "main" (items[1])`. `None` for an element
/// without a name.
fn owner_label(v: &Json, path: &str) -> Option<String> {
    let s = |k: &str| v.get(k).and_then(Json::as_str);
    let named = if let Some(f) = s("filterName") {
        format!("filter \"{f}\"")
    } else if let Some(a) = s("action").filter(|a| a.starts_with("arn:") && a.contains(":sns:")) {
        // An alarm's action; a network ACL entry's `action` is `ALLOW`/`DENY`.
        format!("topic {a}")
    } else if let Some(a) = s("alarmName") {
        format!("alarm \"{a}\"")
    } else if let Some(n) = s("name") {
        let arn = s("arn").or(s("id")).or(s("trailARN")).unwrap_or_default();
        let kind = if arn.contains(":cloudwatch:") || v.get("metricName").is_some() {
            "alarm"
        } else if arn.contains(":cloudtrail:") || v.get("isMultiRegionTrail").is_some() {
            "trail"
        } else if arn.contains(":sns:") {
            "topic"
        } else {
            ""
        };
        if kind.is_empty() {
            format!("\"{n}\"")
        } else {
            format!("{kind} \"{n}\"")
        }
    } else if let Some(arn) = s("subscriptionArn").filter(|a| a.starts_with("arn:")) {
        format!("subscription {arn}")
    } else if let Some(endpoint) = s("endpoint") {
        format!("subscription of {endpoint}")
    } else {
        return None;
    };
    Some(format!("{named} ({path})"))
}

/// Where a term is evaluated: its nesting in list predicates, the value that makes the
/// object pass, and how undecided parts are read.
#[derive(Debug, Clone, Copy)]
struct At {
    depth: u32,
    want: bool,
    optimistic: bool,
}

/// What a term has found so far, as its operations run left to right.
struct TermRun<'c, 'a> {
    /// The value so far.
    val: Val<'a>,
    u: Uncertainty,
    /// The notes of the subject and the list operators.
    notes: Vec<Note<'c>>,
    /// The evidence of the elements told.
    sub: Vec<Ev<'c>>,
    /// Partial progress of a failing term: the nearest miss inside its list
    /// operators, or how close a builtin came.
    nested_progress: f64,
    /// Terms that compare filter patterns identify which element a person means, so
    /// they weigh more when ranking near misses.
    weight: f64,
    /// The term's filter-pattern comparison, when it makes one.
    watch: Option<Watch<'c>>,
    /// Builtin notes follow the statement of the term's result.
    call_notes: Vec<Note<'c>>,
    /// The groups of a `groupBy` awaiting the next list operator (`val` then holds one
    /// representative element per group, for `length()`).
    groups: Option<Vec<Group<'a>>>,
}

/// A list operator's predicate on every element: the positions matched, undecided and
/// missed (with how near), and the evidence of a list evaluated with words at once.
#[derive(Default)]
struct Tally<'c> {
    matched: Vec<usize>,
    /// The matched elements whose evidence may be told.
    matched_at: Vec<usize>,
    unmatched: Vec<(f64, usize)>,
    /// Each miss's filter-pattern comparison, when it made one (as `unmatched`).
    missed_watch: Vec<Option<Watch<'c>>>,
    undecided_at: Vec<usize>,
    direct_ev: Vec<Vec<Ev<'c>>>,
}

/// Whether a term met undecided parts, and whether its value can change other than
/// monotonically with them.
#[derive(Debug, Default, Clone, Copy)]
struct Uncertainty {
    uncertain: bool,
    non_monotone: bool,
}

/// The final comparison of a term (the checker compiled its regex and checked its
/// literal's kind).
fn compare(val: &Val<'_>, test: &CTest) -> bool {
    let lit = &test.value;
    let scalars = val.scalars();
    let matches = |s: &super::value::Sc<'_>| {
        test.regex
            .as_ref()
            .is_some_and(|re| s.text().is_some_and(|t| re.is_match(&t)))
    };
    match test.op {
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
        CmpOp::Like => scalars.iter().any(matches),
        CmpOp::Unlike => {
            let present = scalars.iter().any(|s| s.text().is_some());
            present && !scalars.iter().any(matches)
        }
        CmpOp::RegexMatch => scalars.iter().any(matches),
        CmpOp::In => match &lit.kind {
            LiteralKind::Tuple(_) => scalars.iter().any(|s| equals(*s, &lit.kind)),
            other => scalars.iter().any(|s| equals(*s, other)),
        },
    }
}

fn count_values(v: &Val<'_>) -> String {
    let n = v.scalars().len();
    let shown: Vec<String> = match v {
        Val::List { items, .. } => items.iter().take(3).map(|it| display_json(it.v)).collect(),
        Val::Json(it) => {
            it.v.as_array()
                .map(|a| a.iter().take(3).map(display_json).collect())
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

fn cap(mut ev: Vec<Ev<'_>>) -> Vec<Ev<'_>> {
    ev.truncate(MAX_EVIDENCE);
    ev
}

/// What a list operator iterates over.
enum Elems<'a> {
    Items(Vec<Item<'a>>),
    /// The elements of a JSON array at the path given, without their paths yet: the
    /// quiet pass does not need them, and only the elements told get one.
    Indexed(Vec<Item<'a>>, String),
    Groups(Vec<Group<'a>>),
}

impl<'a> Elems<'a> {
    fn len(&self) -> usize {
        match self {
            Elems::Items(v) | Elems::Indexed(v, _) => v.len(),
            Elems::Groups(v) => v.len(),
        }
    }

    /// Element `i` as the quiet pass reads it (its path may be left out).
    fn ctx(&self, i: usize) -> Ctx<'a> {
        match self {
            Elems::Items(v) | Elems::Indexed(v, _) => Ctx::Item(v[i].clone()),
            Elems::Groups(v) => Ctx::Group(v[i].clone()),
        }
    }

    /// Element `i` with its path, for evidence.
    fn told_ctx(&self, i: usize) -> Ctx<'a> {
        match self {
            Elems::Items(v) => Ctx::Item(v[i].clone()),
            Elems::Indexed(v, base) => Ctx::Item(indexed(v, base, i)),
            Elems::Groups(v) => Ctx::Group(v[i].clone()),
        }
    }

    /// Every element with its path.
    fn told(self) -> Elems<'a> {
        match self {
            Elems::Indexed(v, base) => {
                Elems::Items((0..v.len()).map(|i| indexed(&v, &base, i)).collect())
            }
            other => other,
        }
    }
}

/// What `with [..]` (or a `groupBy` followed by a list operator) keeps: the matched
/// elements, or the matched groups (their representatives, and the groups themselves).
fn kept<'a>(
    elems: Elems<'a>,
    matched: Vec<usize>,
    what: &str,
) -> (Val<'a>, Option<Vec<Group<'a>>>) {
    let path = format!("{what} with [..]");
    match elems {
        Elems::Items(items) => (
            Val::List {
                items: matched.into_iter().map(|i| items[i].clone()).collect(),
                path,
                projection: false,
            },
            None,
        ),
        Elems::Indexed(items, base) => (
            Val::List {
                items: matched
                    .into_iter()
                    .map(|i| indexed(&items, &base, i))
                    .collect(),
                path,
                projection: false,
            },
            None,
        ),
        Elems::Groups(g) => {
            let kept: Vec<Group<'_>> = matched.into_iter().map(|i| g[i].clone()).collect();
            (representatives(&kept, path), Some(kept))
        }
    }
}

/// Element `i` of the array at `base`, with its path.
fn indexed<'a>(items: &[Item<'a>], base: &str, i: usize) -> Item<'a> {
    Item {
        v: items[i].v,
        path: crate::lang::eval::path::index(base, i),
    }
}

/// `groupBy [key]`: the elements grouped by the JSON value of `key` (a path or `$`;
/// a missing key is null, a path through a list is the list of its values), in the
/// order the groups first occur.
fn group_by<'a>(key: &CExpr, items: Vec<Item<'a>>, what: &str) -> Vec<Group<'a>> {
    let segs = match &key.kind {
        CExprKind::Term(t) => t.path.as_deref(),
        _ => None,
    };
    let mut keys: Vec<Json> = Vec::new();
    let mut out: Vec<Group<'a>> = Vec::new();
    for it in items {
        let k = match segs {
            Some(segs) => resolve(&Ctx::Item(it.clone()), segs),
            None => Val::Json(it.clone()),
        };
        let kj = match &k {
            Val::Json(x) => x.v.clone(),
            Val::List { items, .. } => Json::Array(items.iter().map(|x| x.v.clone()).collect()),
            _ => Json::Null,
        };
        match keys.iter().position(|x| *x == kj) {
            Some(g) => out[g].values.push(it),
            None => {
                keys.push(kj);
                out.push(Group {
                    key: k,
                    values: vec![it],
                    path: format!("{what} groupBy [..][{}]", out.len()),
                });
            }
        }
    }
    out
}

/// One element per group, so that `length()` and `isEmpty()` count groups.
fn representatives<'a>(groups: &[Group<'a>], path: String) -> Val<'a> {
    Val::List {
        items: groups
            .iter()
            .filter_map(|g| g.values.first().cloned())
            .collect(),
        path,
        projection: false,
    }
}

/// Plain items for a `List<X>` test object.
pub(crate) fn list_items<'a>(values: impl Iterator<Item = &'a Json>) -> Vec<Item<'a>> {
    values
        .enumerate()
        .map(|(i, v)| Item {
            v,
            path: index("items", i),
        })
        .collect()
}
