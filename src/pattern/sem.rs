//! Meaning of a pattern as a boolean function over normalised atoms, plus the
//! facts ("axioms") that hold between atoms on every event.
//!
//! An atom is a yes/no question about one event. Two patterns are equal when
//! their functions agree on every assignment that satisfies the axioms; since
//! every axiom is true of every event, this is sound (never "equal" wrongly).

use std::collections::{BTreeMap, BTreeSet};

use super::ast::*;
use super::bdd::{Bdd, Node, FALSE, TRUE};
use super::eval::{compare_text, text_number};

/// The shape of a space-delimited pattern: number of slots and position of `...`.
pub(crate) type Shape = (usize, Option<usize>);

/// A test on one value (JSON property or delimited field).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum ATest {
    Cmp(CmpOp, AVal),
    IsNull,
    IsTrue,
    IsFalse,
    NotExists,
}

/// A normalised value; regexes are keyed by their source text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum AVal {
    Str(StrMatch),
    Num(Num),
    Regex(String),
}

/// A yes/no question about an event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Atom {
    /// The message contains this text.
    Text(String),
    /// The message matches this regex.
    TextRegex(String),
    /// The event is a JSON object.
    JsonEvent,
    /// A JSON condition (false on non-JSON events).
    Json(Vec<Step>, ATest),
    /// The line has at least this many space-delimited fields.
    MinFields(usize),
    /// A condition on slot `i` of a space-delimited pattern of this shape
    /// (false when the line does not fit the shape).
    Slot(Shape, usize, ATest),
}

/// A boolean formula over atoms.
#[derive(Debug, Clone)]
pub(crate) enum Formula {
    Const(bool),
    Atom(Atom),
    Not(Box<Formula>),
    And(Vec<Formula>),
    Or(Vec<Formula>),
}

fn aval(v: &Value) -> AVal {
    match v {
        Value::Str(m) => AVal::Str(m.clone()),
        Value::Num(n) => AVal::Num(*n),
        Value::Regex(r) => AVal::Regex(r.source.clone()),
    }
}

fn atest(t: &Test) -> ATest {
    match t {
        Test::Compare(op, v) => ATest::Cmp(*op, aval(v)),
        Test::IsNull => ATest::IsNull,
        Test::IsTrue => ATest::IsTrue,
        Test::IsFalse => ATest::IsFalse,
        Test::NotExists => ATest::NotExists,
    }
}

fn json_formula(e: &JsonExpr) -> Formula {
    match e {
        JsonExpr::And(v, _) => Formula::And(v.iter().map(json_formula).collect()),
        JsonExpr::Or(v, _) => Formula::Or(v.iter().map(json_formula).collect()),
        JsonExpr::Cond(c) => Formula::Atom(Atom::Json(c.selector.steps.clone(), atest(&c.test))),
    }
}

fn field_formula(e: &FieldExpr, shape: Shape, i: usize) -> Formula {
    match e {
        FieldExpr::And(v) => Formula::And(v.iter().map(|x| field_formula(x, shape, i)).collect()),
        FieldExpr::Or(v) => Formula::Or(v.iter().map(|x| field_formula(x, shape, i)).collect()),
        FieldExpr::Cmp(op, v, _) => Formula::Atom(Atom::Slot(shape, i, ATest::Cmp(*op, aval(v)))),
    }
}

/// Minimum number of fields a line needs to fit a shape.
pub(crate) fn min_fields(shape: Shape) -> usize {
    match shape.1 {
        Some(_) => shape.0 - 1,
        None => shape.0,
    }
}

pub(crate) fn shape_of(slots: &[Slot]) -> Shape {
    (
        slots.len(),
        slots.iter().position(|s| matches!(s, Slot::Ellipsis(_))),
    )
}

/// The meaning of a pattern.
pub(crate) fn formula(p: &Pattern) -> Formula {
    match p {
        Pattern::MatchAll(_) => Formula::Const(true),
        Pattern::Terms(terms) => {
            let atom = |b: &TermBody| match b {
                TermBody::Text(s) => Formula::Atom(Atom::Text(s.clone())),
                TermBody::Regex(r) => Formula::Atom(Atom::TextRegex(r.source.clone())),
            };
            let has_plain = terms.iter().any(|t| t.mode != TermMode::Optional);
            if has_plain {
                Formula::And(
                    terms
                        .iter()
                        .filter_map(|t| match t.mode {
                            TermMode::Required => Some(atom(&t.body)),
                            TermMode::Excluded => Some(Formula::Not(Box::new(atom(&t.body)))),
                            TermMode::Optional => None,
                        })
                        .collect(),
                )
            } else {
                Formula::Or(terms.iter().map(|t| atom(&t.body)).collect())
            }
        }
        Pattern::Json(e) => Formula::And(vec![Formula::Atom(Atom::JsonEvent), json_formula(e)]),
        Pattern::Delimited(slots) => {
            let shape = shape_of(slots);
            let min = min_fields(shape);
            let mut parts = Vec::new();
            if min > 0 {
                parts.push(Formula::Atom(Atom::MinFields(min)));
            }
            for (i, s) in slots.iter().enumerate() {
                if let Slot::Field(Field { cond: Some(c), .. }) = s {
                    parts.push(field_formula(c, shape, i));
                }
            }
            Formula::And(parts)
        }
    }
}

pub(crate) fn collect_atoms(f: &Formula, out: &mut BTreeSet<Atom>) {
    match f {
        Formula::Const(_) => {}
        Formula::Atom(a) => {
            out.insert(a.clone());
        }
        Formula::Not(x) => collect_atoms(x, out),
        Formula::And(v) | Formula::Or(v) => v.iter().for_each(|x| collect_atoms(x, out)),
    }
}

/// Atoms, their variable numbers, and the BDD they live in.
pub(crate) struct Space {
    pub atoms: Vec<Atom>,
    index: BTreeMap<Atom, u32>,
    pub bdd: Bdd,
}

impl Space {
    /// A space over all atoms of these formulas (ordered, so the BDD is canonical).
    pub(crate) fn new(formulas: &[&Formula]) -> Space {
        let mut set = BTreeSet::new();
        for f in formulas {
            collect_atoms(f, &mut set);
        }
        let atoms: Vec<Atom> = set.into_iter().collect();
        let index = atoms
            .iter()
            .enumerate()
            .map(|(i, a)| (a.clone(), i as u32))
            .collect();
        Space {
            atoms,
            index,
            bdd: Bdd::new(),
        }
    }

    pub(crate) fn build(&mut self, f: &Formula) -> Node {
        match f {
            Formula::Const(true) => TRUE,
            Formula::Const(false) => FALSE,
            Formula::Atom(a) => {
                let v = self.index.get(a).copied().unwrap_or(0);
                self.bdd.var(v)
            }
            Formula::Not(x) => {
                let n = self.build(x);
                self.bdd.not(n)
            }
            Formula::And(v) => {
                let mut acc = TRUE;
                for x in v {
                    let n = self.build(x);
                    acc = self.bdd.and(acc, n);
                }
                acc
            }
            Formula::Or(v) => {
                let mut acc = FALSE;
                for x in v {
                    let n = self.build(x);
                    acc = self.bdd.or(acc, n);
                }
                acc
            }
        }
    }

    /// The conjunction of every axiom between the atoms of this space.
    pub(crate) fn axioms(&mut self) -> Node {
        let n = self.atoms.len();
        let mut acc = TRUE;
        for i in 0..n {
            for j in (i + 1)..n {
                let (a, b) = (&self.atoms[i], &self.atoms[j]);
                let (vi, vj) = (i as u32, j as u32);
                let mut facts = Vec::new();
                match (relation(a, b), relation(b, a)) {
                    (Rel::Excludes, _) | (_, Rel::Excludes) => facts.push((vi, vj, Rel::Excludes)),
                    (ab, ba) => {
                        if ab == Rel::Implies {
                            facts.push((vi, vj, Rel::Implies));
                        }
                        if ba == Rel::Implies {
                            facts.push((vj, vi, Rel::Implies));
                        }
                    }
                }
                for (x, y, rel) in facts {
                    let (vx, vy) = (self.bdd.var(x), self.bdd.var(y));
                    let fact = if rel == Rel::Implies {
                        self.bdd.implies(vx, vy)
                    } else {
                        let both = self.bdd.and(vx, vy);
                        self.bdd.not(both)
                    };
                    acc = self.bdd.and(acc, fact);
                }
            }
        }
        acc
    }
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Rel {
    None,
    Implies,
    Excludes,
}

fn is_prefix(p: &[Step], q: &[Step]) -> bool {
    p.len() < q.len() && q[..p.len()] == *p
}

fn has_wild(p: &[Step]) -> bool {
    p.iter().any(|s| matches!(s, Step::AnyKey | Step::AnyIndex))
}

/// Does `q` select every value `p` selects (and `p != q`)?
fn generalizes(q: &[Step], p: &[Step]) -> bool {
    q.len() == p.len()
        && q != p
        && q.iter().zip(p).all(|(a, b)| {
            a == b
                || matches!(
                    (a, b),
                    (Step::AnyIndex, Step::Index(_)) | (Step::AnyKey, Step::Key(_))
                )
        })
}

fn is_scalar_test(t: &ATest) -> bool {
    !matches!(t, ATest::NotExists)
}

fn kind(t: &ATest) -> u8 {
    match t {
        ATest::Cmp(..) => 0,
        ATest::IsNull => 1,
        ATest::IsTrue => 2,
        ATest::IsFalse => 3,
        ATest::NotExists => 4,
    }
}

/// A set of reals described by a numeric comparison.
fn interval(op: CmpOp, n: f64) -> (f64, bool, f64, bool, Option<f64>) {
    // (lo, lo_inclusive, hi, hi_inclusive, excluded point for `!=`)
    let inf = f64::INFINITY;
    match op {
        CmpOp::Eq => (n, true, n, true, None),
        CmpOp::Lt => (-inf, false, n, false, None),
        CmpOp::Le => (-inf, false, n, true, None),
        CmpOp::Gt => (n, false, inf, false, None),
        CmpOp::Ge => (n, true, inf, false, None),
        CmpOp::Ne => (-inf, false, inf, false, Some(n)),
    }
}

fn contains_point(iv: (f64, bool, f64, bool, Option<f64>), x: f64) -> bool {
    let (lo, li, hi, hi_i, ex) = iv;
    let above = if li { x >= lo } else { x > lo };
    let below = if hi_i { x <= hi } else { x < hi };
    above && below && ex != Some(x)
}

fn subset(a: (f64, bool, f64, bool, Option<f64>), b: (f64, bool, f64, bool, Option<f64>)) -> bool {
    if let Some(x) = b.4 {
        if contains_point(a, x) && !(a.0 == x && a.2 == x && a.4 == Some(x)) {
            return false;
        }
        if a.4.is_some() && a.4 != Some(x) {
            return false;
        }
    }
    let lo_ok = a.0 > b.0 || (a.0 == b.0 && (b.1 || !a.1));
    let hi_ok = a.2 < b.2 || (a.2 == b.2 && (b.3 || !a.3));
    lo_ok && hi_ok
}

fn disjoint(
    a: (f64, bool, f64, bool, Option<f64>),
    b: (f64, bool, f64, bool, Option<f64>),
) -> bool {
    if a.4.is_some() || b.4.is_some() {
        // Only a point against its own exclusion is disjoint.
        let point =
            |x: (f64, bool, f64, bool, Option<f64>)| (x.0 == x.2 && x.1 && x.3).then_some(x.0);
        return matches!((point(a), b.4), (Some(p), Some(q)) if p == q)
            || matches!((point(b), a.4), (Some(p), Some(q)) if p == q);
    }
    let lo = if a.0 > b.0 {
        (a.0, a.1)
    } else if b.0 > a.0 {
        (b.0, b.1)
    } else {
        (a.0, a.1 && b.1)
    };
    let hi = if a.2 < b.2 {
        (a.2, a.3)
    } else if b.2 < a.2 {
        (b.2, b.3)
    } else {
        (a.2, a.3 && b.3)
    };
    lo.0 > hi.0 || (lo.0 == hi.0 && !(lo.1 && hi.1))
}

/// Does every string matched by `a` also match `b`?
fn str_subset(a: &StrMatch, b: &StrMatch) -> bool {
    use StrMatch::*;
    match (a, b) {
        (_, Any) => true,
        (Exact(s), m) => m.is_match(s),
        (Prefix(p), Prefix(q)) => p.starts_with(q.as_str()),
        (Suffix(p), Suffix(q)) => p.ends_with(q.as_str()),
        (Prefix(p) | Suffix(p) | Contains(p), Contains(q)) => p.contains(q.as_str()),
        _ => false,
    }
}

/// Is `ta ⇒ tb` true of every single value? (Lifts to "some value" selectors.)
fn test_implies(ta: &ATest, tb: &ATest) -> bool {
    use ATest::*;
    match (ta, tb) {
        (Cmp(..), Cmp(CmpOp::Eq, AVal::Str(StrMatch::Any))) => true,
        (Cmp(CmpOp::Eq, AVal::Str(StrMatch::Exact(s))), Cmp(op, v)) => {
            let v = match v {
                AVal::Str(m) => Value::Str(m.clone()),
                AVal::Num(n) => Value::Num(*n),
                AVal::Regex(_) => return false,
            };
            compare_text(*op, &v, s, text_number(s))
        }
        (Cmp(CmpOp::Eq, AVal::Str(a)), Cmp(CmpOp::Eq, AVal::Str(b))) => str_subset(a, b),
        (Cmp(CmpOp::Ne, AVal::Str(a)), Cmp(CmpOp::Ne, AVal::Str(b))) => str_subset(b, a),
        (Cmp(oa, AVal::Num(a)), Cmp(ob, AVal::Num(b))) => {
            subset(interval(*oa, a.get()), interval(*ob, b.get()))
        }
        _ => false,
    }
}

/// Can `ta` and `tb` both hold for one single value?
fn test_excludes(ta: &ATest, tb: &ATest) -> bool {
    use ATest::*;
    if kind(ta) != kind(tb) {
        return true;
    }
    match (ta, tb) {
        (Cmp(CmpOp::Eq, AVal::Str(StrMatch::Exact(s))), Cmp(op, v))
        | (Cmp(op, v), Cmp(CmpOp::Eq, AVal::Str(StrMatch::Exact(s)))) => {
            let v = match v {
                AVal::Str(m) => Value::Str(m.clone()),
                AVal::Num(n) => Value::Num(*n),
                AVal::Regex(_) => return false,
            };
            !compare_text(*op, &v, s, text_number(s))
        }
        (Cmp(CmpOp::Eq, AVal::Str(a)), Cmp(CmpOp::Ne, AVal::Str(b)))
        | (Cmp(CmpOp::Ne, AVal::Str(b)), Cmp(CmpOp::Eq, AVal::Str(a))) => str_subset(a, b),
        (Cmp(CmpOp::Eq, AVal::Regex(a)), Cmp(CmpOp::Ne, AVal::Regex(b)))
        | (Cmp(CmpOp::Ne, AVal::Regex(b)), Cmp(CmpOp::Eq, AVal::Regex(a))) => a == b,
        (Cmp(oa, AVal::Num(a)), Cmp(ob, AVal::Num(b))) => {
            disjoint(interval(*oa, a.get()), interval(*ob, b.get()))
        }
        _ => false,
    }
}

fn relation(a: &Atom, b: &Atom) -> Rel {
    use Atom::*;
    match (a, b) {
        (Json(..), JsonEvent) => Rel::Implies,
        (Text(s), Text(t)) if s.contains(t.as_str()) => Rel::Implies,
        (MinFields(m), MinFields(n)) if m > n => Rel::Implies,
        (Slot(shape, ..), MinFields(n)) if min_fields(*shape) >= *n => Rel::Implies,
        (Slot(sa, ia, ta), Slot(sb, ib, tb)) if sa == sb && ia == ib => {
            if test_implies(ta, tb) {
                Rel::Implies
            } else if test_excludes(ta, tb) {
                Rel::Excludes
            } else {
                Rel::None
            }
        }
        (Json(pa, ta), Json(pb, tb)) => {
            if pa == pb {
                if matches!(ta, ATest::NotExists) || matches!(tb, ATest::NotExists) {
                    return Rel::Excludes;
                }
                if test_implies(ta, tb) {
                    return Rel::Implies;
                }
                if !has_wild(pa) && test_excludes(ta, tb) {
                    return Rel::Excludes;
                }
                return Rel::None;
            }
            // NOT EXISTS on a prefix: nothing below it exists either.
            if matches!((ta, tb), (ATest::NotExists, ATest::NotExists)) && is_prefix(pa, pb) {
                return Rel::Implies;
            }
            // A scalar at a single-valued path has nothing below it.
            if is_scalar_test(ta)
                && !has_wild(pa)
                && is_prefix(pa, pb)
                && matches!(tb, ATest::NotExists)
            {
                return Rel::Implies;
            }
            // A value of `$.a[0]` is a value of `$.a[*]`.
            if generalizes(pb, pa) && is_scalar_test(ta) && ta == tb {
                return Rel::Implies;
            }
            if generalizes(pa, pb) && matches!((ta, tb), (ATest::NotExists, ATest::NotExists)) {
                return Rel::Implies;
            }
            Rel::None
        }
        _ => Rel::None,
    }
}
