//! Meaning of a pattern as a boolean function over normalised atoms, plus the
//! facts that hold between atoms on every event.
//!
//! An atom is a yes/no question about one event. Atoms are grouped into
//! *domains* (one JSON property, one delimited field position, the message
//! text); the possible combinations of a domain's atoms are computed exactly
//! (see `facts`), and facts between domains (nesting, wildcards, field
//! counts) are added as implications. Two patterns are equal when their
//! functions agree on every assignment that satisfies the facts; every fact is
//! true of every event, so "equal" is never said wrongly.

use foldhash::{HashMap, HashMapExt};

use super::ast::*;
use super::bdd::{Bdd, Exceeded, Node, FALSE, TRUE};
use super::facts::{self, Cell, DTest, Regexes};

/// A test on one value (JSON property or delimited field).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum ATest {
    Cmp(CmpOp, AVal),
    IsNull,
    IsTrue,
    IsFalse,
    NotExists,
    /// The value is an object (implied by a property below it).
    IsObject,
    /// The value is an array (implied by an element below it).
    IsArray,
}

/// A normalised value; regexes are keyed by their source text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum AVal {
    Str(StrMatch),
    Num(Num),
    Regex(String),
}

/// Which field of a space-delimited line a slot reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Pos {
    /// Field `i` from the start (0-based).
    Start(usize),
    /// Field `j` from the end (0 = last).
    End(usize),
    /// The rest of the line from field `i` (the last slot of a pattern without `...`).
    Rest(usize),
}

impl Pos {
    /// Fields a line needs for this position to exist.
    pub(crate) fn needs(self) -> usize {
        match self {
            Pos::Start(i) | Pos::End(i) | Pos::Rest(i) => i + 1,
        }
    }
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
    /// A condition on one field (false when the line has too few fields).
    Field(Pos, ATest),
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

fn field_formula(e: &FieldExpr, pos: Pos) -> Formula {
    match e {
        FieldExpr::And(v) => Formula::And(v.iter().map(|x| field_formula(x, pos)).collect()),
        FieldExpr::Or(v) => Formula::Or(v.iter().map(|x| field_formula(x, pos)).collect()),
        FieldExpr::Cmp(op, v, _) => Formula::Atom(Atom::Field(pos, ATest::Cmp(*op, aval(v)))),
    }
}

/// The field each slot of a space-delimited pattern reads.
pub(crate) fn positions(slots: &[Slot]) -> Vec<Option<Pos>> {
    let ell = slots.iter().position(|s| matches!(s, Slot::Ellipsis(_)));
    let k = slots.len();
    (0..k)
        .map(|i| match ell {
            Some(e) if i == e => None,
            Some(e) if i < e => Some(Pos::Start(i)),
            Some(_) => Some(Pos::End(k - 1 - i)),
            None if i + 1 == k => Some(Pos::Rest(i)),
            None => Some(Pos::Start(i)),
        })
        .collect()
}

/// Minimum number of fields a line needs to fit a pattern.
pub(crate) fn min_fields(slots: &[Slot]) -> usize {
    let ell = slots.iter().any(|s| matches!(s, Slot::Ellipsis(_)));
    slots.len() - usize::from(ell)
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
            let min = min_fields(slots);
            let mut parts = Vec::new();
            if min > 0 {
                parts.push(Formula::Atom(Atom::MinFields(min)));
            }
            for (s, pos) in slots.iter().zip(positions(slots)) {
                if let (Slot::Field(Field { cond: Some(c), .. }), Some(pos)) = (s, pos) {
                    parts.push(field_formula(c, pos));
                }
            }
            Formula::And(parts)
        }
    }
}

/// Atoms in order of first occurrence.
pub(crate) fn collect_atoms(f: &Formula, out: &mut Vec<Atom>) {
    match f {
        Formula::Const(_) => {}
        Formula::Atom(a) => {
            if !out.contains(a) {
                out.push(a.clone());
            }
        }
        Formula::Not(x) => collect_atoms(x, out),
        Formula::And(v) | Formula::Or(v) => v.iter().for_each(|x| collect_atoms(x, out)),
    }
}

/// What one group of atoms is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Domain {
    /// The message text.
    Message,
    /// A JSON property reached by a selector without wildcards.
    Json(Vec<Step>),
    /// The values a selector with a wildcard reaches.
    Wild(Vec<Step>),
    /// A field of a space-delimited line.
    Field(Pos),
}

pub(crate) fn has_wild(p: &[Step]) -> bool {
    p.iter().any(|s| matches!(s, Step::AnyKey | Step::AnyIndex))
}

fn domain_of(a: &Atom) -> Option<(Domain, Option<&ATest>)> {
    match a {
        Atom::Text(_) | Atom::TextRegex(_) => Some((Domain::Message, None)),
        Atom::Json(p, t) if has_wild(p) => Some((Domain::Wild(p.clone()), Some(t))),
        Atom::Json(p, t) => Some((Domain::Json(p.clone()), Some(t))),
        Atom::Field(pos, t) => Some((Domain::Field(*pos), Some(t))),
        Atom::JsonEvent | Atom::MinFields(_) => None,
    }
}

/// The facts of one domain.
pub(crate) struct DomainFacts {
    pub domain: Domain,
    /// Variables of the domain's atoms, in the order of `cells[..].bits`.
    pub vars: Vec<u32>,
    /// Possible combinations (for `Wild`, of one reached value).
    pub cells: Vec<Cell>,
    /// Why the cells are not exact, when they are not.
    pub approx: Option<String>,
}

/// The decision could not be made.
#[derive(Debug, Clone)]
pub(crate) struct Undecided(pub String);

impl From<Exceeded> for Undecided {
    fn from(e: Exceeded) -> Self {
        Undecided(e.reason())
    }
}

/// Atoms, their variable numbers, their facts, and the BDD they live in.
pub(crate) struct Space {
    pub atoms: Vec<Atom>,
    index: HashMap<Atom, u32>,
    pub bdd: Bdd,
    pub domains: Vec<DomainFacts>,
    pub regexes: Regexes,
}

fn parent_fact(steps: &[Step]) -> Option<(Vec<Step>, ATest)> {
    let (last, parent) = steps.split_last()?;
    if parent.is_empty() {
        return None;
    }
    let kind = match last {
        Step::Key(_) | Step::AnyKey => ATest::IsObject,
        Step::Index(_) | Step::AnyIndex => ATest::IsArray,
    };
    Some((parent.to_vec(), kind))
}

impl Space {
    /// A space over all atoms of these formulas, ordered by first occurrence
    /// (clause by clause), with the atoms the facts need.
    pub(crate) fn new(formulas: &[&Formula], regexes: Regexes) -> Space {
        let mut atoms = Vec::new();
        for f in formulas {
            collect_atoms(f, &mut atoms);
        }
        // Synthetic atoms: existence of every JSON path and of its parents (as
        // containers), and the field count each field position needs.
        let mut i = 0;
        while i < atoms.len() {
            let extra: Vec<Atom> = match &atoms[i] {
                Atom::Json(p, _) => {
                    let mut v = vec![Atom::JsonEvent, Atom::Json(p.clone(), ATest::NotExists)];
                    let wild_at = p
                        .iter()
                        .position(|s| matches!(s, Step::AnyKey | Step::AnyIndex));
                    let concrete = match wild_at {
                        Some(w) => &p[..=w],
                        None => &p[..],
                    };
                    if let Some((parent, kind)) = parent_fact(concrete) {
                        v.push(Atom::Json(parent, kind));
                    }
                    v
                }
                Atom::Field(pos, _) => vec![Atom::MinFields(pos.needs())],
                _ => vec![],
            };
            let mut at = i + 1;
            for a in extra {
                if !atoms.contains(&a) {
                    atoms.insert(at, a);
                    at += 1;
                }
            }
            i += 1;
        }
        // The atoms of one domain side by side (at the domain's first
        // occurrence), so that its facts stay local in the diagram.
        let mut first: HashMap<Domain, usize> = HashMap::new();
        let keys: Vec<usize> = atoms
            .iter()
            .enumerate()
            .map(|(i, a)| match domain_of(a) {
                Some((d, _)) => *first.entry(d).or_insert(i),
                None => i,
            })
            .collect();
        let mut order: Vec<usize> = (0..atoms.len()).collect();
        order.sort_by_key(|&i| keys[i]);
        let atoms: Vec<Atom> = order.into_iter().map(|i| atoms[i].clone()).collect();
        let index = atoms
            .iter()
            .enumerate()
            .map(|(i, a)| (a.clone(), i as u32))
            .collect();
        Space {
            atoms,
            index,
            bdd: Bdd::new(),
            domains: Vec::new(),
            regexes,
        }
    }

    pub(crate) fn var_of(&self, a: &Atom) -> Option<u32> {
        self.index.get(a).copied()
    }

    pub(crate) fn build(&mut self, f: &Formula) -> Result<Node, Exceeded> {
        match f {
            Formula::Const(true) => Ok(TRUE),
            Formula::Const(false) => Ok(FALSE),
            Formula::Atom(a) => {
                let v = self.index.get(a).copied().unwrap_or(0);
                self.bdd.var(v)
            }
            Formula::Not(x) => {
                let n = self.build(x)?;
                self.bdd.not(n)
            }
            Formula::And(v) => {
                let mut acc = TRUE;
                for x in v {
                    let n = self.build(x)?;
                    acc = self.bdd.and(acc, n)?;
                }
                Ok(acc)
            }
            Formula::Or(v) => {
                let mut acc = FALSE;
                for x in v {
                    let n = self.build(x)?;
                    acc = self.bdd.or(acc, n)?;
                }
                Ok(acc)
            }
        }
    }

    /// The conjunction of every fact between the atoms of this space.
    pub(crate) fn axioms(&mut self) -> Result<Node, Undecided> {
        // Group atoms by domain, in order.
        let mut groups: Vec<(Domain, Vec<u32>)> = Vec::new();
        for (i, a) in self.atoms.iter().enumerate() {
            if let Some((d, _)) = domain_of(a) {
                match groups.iter_mut().find(|(g, _)| *g == d) {
                    Some((_, v)) => v.push(i as u32),
                    None => groups.push((d, vec![i as u32])),
                }
            }
        }
        let mut acc = TRUE;
        let json_event = self.var_of(&Atom::JsonEvent);
        for (domain, vars) in groups {
            let atoms: Vec<Atom> = vars
                .iter()
                .map(|&v| self.atoms[v as usize].clone())
                .collect();
            let tests: Vec<DTest<'_>> = atoms
                .iter()
                .map(|a| match a {
                    Atom::Text(s) => DTest::Contains(s),
                    Atom::TextRegex(r) => DTest::Search(r),
                    Atom::Json(_, t) | Atom::Field(_, t) => DTest::Value(t),
                    Atom::JsonEvent | Atom::MinFields(_) => DTest::Contains(""),
                })
                .collect();
            let root_index = matches!(&domain, Domain::Json(p) | Domain::Wild(p)
                if matches!(p.first(), Some(Step::Index(_) | Step::AnyIndex)));
            let (cells, approx) = if root_index {
                // The event is an object: `$[0]` reaches nothing.
                let bits = tests
                    .iter()
                    .map(|t| facts::eval(*t, None, &self.regexes))
                    .collect();
                (
                    vec![Cell {
                        bits,
                        value: Some(None),
                    }],
                    None,
                )
            } else {
                let json = matches!(domain, Domain::Json(_) | Domain::Wild(_));
                let elem_tests: Vec<DTest<'_>> = tests.clone();
                match facts::cells(&elem_tests, json, &self.regexes) {
                    Ok(c) => {
                        let approx = c.iter().any(|c| c.value.is_none()).then(|| {
                            "a numeric comparison and a text wildcard or regex on the same value".to_string()
                        });
                        (c, approx)
                    }
                    // Unknown combinations: no facts about this domain (sound).
                    Err(e) => (Vec::new(), Some(e.to_string())),
                }
            };
            let constraint = match &domain {
                _ if cells.is_empty() => TRUE,
                Domain::Wild(_) => self.wild_constraint(&vars, &tests, &cells)?,
                _ => {
                    let mut c = FALSE;
                    for cell in &cells {
                        let lits: Vec<(u32, bool)> = vars
                            .iter()
                            .copied()
                            .zip(cell.bits.iter().copied())
                            .collect();
                        let cube = self.bdd.cube(&lits)?;
                        c = self.bdd.or(c, cube)?;
                    }
                    c
                }
            };
            // The guard: facts about JSON values hold on JSON events; about a
            // field, on lines that have it. Outside the guard every atom is false.
            let guard = match &domain {
                Domain::Json(_) | Domain::Wild(_) => json_event,
                Domain::Field(pos) => self.var_of(&Atom::MinFields(pos.needs())),
                Domain::Message => None,
            };
            let fact = match guard {
                Some(g) => {
                    let gv = self.bdd.var(g)?;
                    let inside = self.bdd.implies(gv, constraint)?;
                    let mut any = FALSE;
                    for &v in &vars {
                        let x = self.bdd.var(v)?;
                        any = self.bdd.or(any, x)?;
                    }
                    let outside = self.bdd.implies(any, gv)?;
                    self.bdd.and(inside, outside)?
                }
                None => constraint,
            };
            acc = self.bdd.and(acc, fact)?;
            self.domains.push(DomainFacts {
                domain,
                vars,
                cells,
                approx,
            });
        }
        // Facts between domains.
        let n = self.atoms.len();
        for i in 0..n {
            let a = self.atoms[i].clone();
            // Nesting: a value below `p` exists only if `p` is an object / array.
            if let Atom::Json(p, ATest::NotExists) = &a {
                let wild_at = p
                    .iter()
                    .position(|s| matches!(s, Step::AnyKey | Step::AnyIndex));
                let concrete = match wild_at {
                    Some(w) => &p[..=w],
                    None => &p[..],
                };
                if let Some((parent, kind)) = parent_fact(concrete) {
                    if let Some(pv) = self.var_of(&Atom::Json(parent, kind)) {
                        let ne = self.bdd.var(i as u32)?;
                        let exists = self.bdd.not(ne)?;
                        let jv = match json_event {
                            Some(j) => self.bdd.var(j)?,
                            None => TRUE,
                        };
                        let exists = self.bdd.and(exists, jv)?;
                        let pc = self.bdd.var(pv)?;
                        let f = self.bdd.implies(exists, pc)?;
                        acc = self.bdd.and(acc, f)?;
                    }
                }
            }
            for j in 0..n {
                if i == j {
                    continue;
                }
                let b = &self.atoms[j];
                if cross_implies(&a, b) {
                    let (x, y) = (self.bdd.var(i as u32)?, self.bdd.var(j as u32)?);
                    let f = self.bdd.implies(x, y)?;
                    acc = self.bdd.and(acc, f)?;
                }
            }
        }
        Ok(acc)
    }

    /// Facts for a wildcard selector: some reached value satisfies each true
    /// test, and no reached value satisfies a false one.
    fn wild_constraint(
        &mut self,
        vars: &[u32],
        tests: &[DTest<'_>],
        cells: &[Cell],
    ) -> Result<Node, Exceeded> {
        let ne = tests
            .iter()
            .position(|t| matches!(t, DTest::Value(ATest::NotExists)));
        let present: Vec<&Cell> = cells
            .iter()
            .filter(|c| !matches!(c.value, Some(None)))
            .collect();
        let mut acc = TRUE;
        for (i, &v) in vars.iter().enumerate() {
            if Some(i) == ne {
                continue;
            }
            let mut some = FALSE;
            for c in present.iter().filter(|c| c.bits[i]) {
                let lits: Vec<(u32, bool)> = vars
                    .iter()
                    .zip(&c.bits)
                    .enumerate()
                    .filter(|(k, (_, &b))| b && Some(*k) != ne)
                    .map(|(_, (&var, _))| (var, true))
                    .collect();
                let cube = self.bdd.cube(&lits)?;
                some = self.bdd.or(some, cube)?;
            }
            let x = self.bdd.var(v)?;
            let f = self.bdd.implies(x, some)?;
            acc = self.bdd.and(acc, f)?;
            if let Some(k) = ne {
                // Nothing reached: every other test is false.
                let nv = self.bdd.var(vars[k])?;
                let not_x = self.bdd.not(x)?;
                let f = self.bdd.implies(nv, not_x)?;
                acc = self.bdd.and(acc, f)?;
            }
        }
        Ok(acc)
    }
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

/// Facts between atoms of different domains: `a ⇒ b`.
fn cross_implies(a: &Atom, b: &Atom) -> bool {
    use Atom::*;
    match (a, b) {
        (Json(..), JsonEvent) => true,
        (MinFields(m), MinFields(n)) => m > n,
        (Field(pos, _), MinFields(n)) => pos.needs() >= *n,
        (Json(pa, ta), Json(pb, tb)) if pa != pb => {
            // A value of `$.a[0]` is a value of `$.a[*]`.
            if generalizes(pb, pa) && !matches!(ta, ATest::NotExists) && ta == tb {
                return true;
            }
            if !matches!((ta, tb), (ATest::NotExists, ATest::NotExists)) {
                return false;
            }
            // Nothing reached by `$.a[*]`: nothing at `$.a[0]` either.
            if generalizes(pa, pb) {
                return true;
            }
            // Arrays have no holes: no `$.a[1]` without `$.a[0]`, nor `$.a[*]`.
            match (pa.split_last(), pb.split_last()) {
                (Some((Step::Index(i), p)), Some((Step::Index(j), q))) => p == q && i < j,
                (Some((Step::Index(0), p)), Some((Step::AnyIndex, q))) => p == q,
                _ => false,
            }
        }
        _ => false,
    }
}
