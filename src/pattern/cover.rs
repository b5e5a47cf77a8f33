//! Equality with a description of the difference, and coverage with
//! counterexamples. Both work on the boolean meaning of the patterns (see
//! `sem`); every counterexample is checked with the matcher before it is shown.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value as Json};

use super::ast::*;
use super::bdd::{Node, FALSE};
use super::canon::quote;
use super::eval::{compare_text, text_number};
use super::sem::{formula, min_fields, shape_of, ATest, AVal, Atom, Shape, Space};
use super::FilterPattern;

/// How many satisfying assignments are tried when looking for a counterexample.
const MAX_PATHS: usize = 256;

/// How two patterns compare.
#[derive(Debug, Clone, PartialEq)]
pub enum Difference {
    /// They match exactly the same events.
    Equal,
    /// They differ; `explanation` says how.
    Different {
        /// Human-readable description of the difference.
        explanation: String,
        /// A verified event that one pattern matches and the other does not,
        /// with `true` when the first pattern is the one that matches it.
        witness: Option<(String, bool)>,
    },
}

impl Difference {
    /// True for [`Difference::Equal`].
    pub fn is_equal(&self) -> bool {
        matches!(self, Difference::Equal)
    }
}

/// Whether one pattern catches every event another catches.
#[derive(Debug, Clone, PartialEq)]
pub enum Coverage {
    /// Proven: every event the required pattern matches, the actual pattern matches.
    Covered,
    /// Disproven by a verified counterexample event.
    NotCovered {
        /// An event the required pattern matches and the actual pattern does not.
        counterexample: String,
    },
    /// The engine found neither a proof nor a counterexample.
    Unknown {
        /// Why.
        reason: String,
    },
}

struct Ctx<'a> {
    regexes: HashMap<String, PatRegex>,
    shape_slots: Option<&'a [Slot]>,
}

fn collect_regexes(p: &Pattern, out: &mut HashMap<String, PatRegex>) {
    fn value(v: &Value, out: &mut HashMap<String, PatRegex>) {
        if let Value::Regex(r) = v {
            out.insert(r.source.clone(), r.clone());
        }
    }
    fn json(e: &JsonExpr, out: &mut HashMap<String, PatRegex>) {
        match e {
            JsonExpr::And(v, _) | JsonExpr::Or(v, _) => v.iter().for_each(|x| json(x, out)),
            JsonExpr::Cond(c) => {
                if let Test::Compare(_, v) = &c.test {
                    value(v, out)
                }
            }
        }
    }
    fn field(e: &FieldExpr, out: &mut HashMap<String, PatRegex>) {
        match e {
            FieldExpr::And(v) | FieldExpr::Or(v) => v.iter().for_each(|x| field(x, out)),
            FieldExpr::Cmp(_, v, _) => value(v, out),
        }
    }
    match p {
        Pattern::MatchAll(_) => {}
        Pattern::Terms(t) => {
            for t in t {
                if let TermBody::Regex(r) = &t.body {
                    out.insert(r.source.clone(), r.clone());
                }
            }
        }
        Pattern::Json(e) => json(e, out),
        Pattern::Delimited(s) => {
            for s in s {
                if let Slot::Field(Field { cond: Some(c), .. }) = s {
                    field(c, out)
                }
            }
        }
    }
}

/// Build the shared atom space and BDDs of two patterns (with axioms applied).
fn prepare(a: &FilterPattern, b: &FilterPattern) -> (Space, Node, Node) {
    let fa = formula(&a.ast);
    let fb = formula(&b.ast);
    let mut space = Space::new(&[&fa, &fb]);
    let ax = space.axioms();
    let na = space.build(&fa);
    let nb = space.build(&fb);
    let na = space.bdd.and(na, ax);
    let nb = space.bdd.and(nb, ax);
    (space, na, nb)
}

/// Look for a verified event matched by `yes` and not by `no` among the
/// satisfying assignments of `node`.
fn witness(space: &Space, node: Node, yes: &FilterPattern, no: &FilterPattern) -> Option<String> {
    let mut regexes = HashMap::new();
    collect_regexes(&yes.ast, &mut regexes);
    collect_regexes(&no.ast, &mut regexes);
    let shape_slots = match &yes.ast {
        Pattern::Delimited(s) => Some(s.as_slice()),
        _ => match &no.ast {
            Pattern::Delimited(s) => Some(s.as_slice()),
            _ => None,
        },
    };
    let ctx = Ctx {
        regexes,
        shape_slots,
    };
    for path in space.bdd.paths(node, MAX_PATHS) {
        let assign: Vec<(&Atom, bool)> = path
            .iter()
            .filter_map(|&(v, b)| space.atoms.get(v as usize).map(|a| (a, b)))
            .collect();
        for ev in generate(&assign, &ctx) {
            if yes.matches(&ev) && !no.matches(&ev) {
                return Some(ev);
            }
        }
    }
    None
}

pub(crate) fn difference(a: &FilterPattern, b: &FilterPattern) -> Difference {
    // Same canonical text: both mean what that text means.
    if a.canonical() == b.canonical() {
        return Difference::Equal;
    }
    let (mut space, na, nb) = prepare(a, b);
    if na == nb {
        return Difference::Equal;
    }
    let nnb = space.bdd.not(nb);
    let a_only = space.bdd.and(na, nnb);
    let nna = space.bdd.not(na);
    let b_only = space.bdd.and(nb, nna);
    let mut lines = Vec::new();
    let mut found = None;
    if let Some(ev) = witness(&space, a_only, a, b) {
        lines.push(format!(
            "the first pattern matches this event, the second does not:\n  {ev}"
        ));
        found = Some((ev, true));
    } else if let Some(ev) = witness(&space, b_only, b, a) {
        lines.push(format!(
            "the second pattern matches this event, the first does not:\n  {ev}"
        ));
        found = Some((ev, false));
    }
    let atoms_of = |p: &FilterPattern| {
        let mut s = std::collections::BTreeSet::new();
        super::sem::collect_atoms(&formula(&p.ast), &mut s);
        s
    };
    let (sa, sb) = (atoms_of(a), atoms_of(b));
    let only_a: Vec<String> = sa.difference(&sb).map(describe_atom).collect();
    let only_b: Vec<String> = sb.difference(&sa).map(describe_atom).collect();
    if !only_a.is_empty() {
        lines.push(format!("only in the first: {}", only_a.join("; ")));
    }
    if !only_b.is_empty() {
        lines.push(format!("only in the second: {}", only_b.join("; ")));
    }
    if only_a.is_empty() && only_b.is_empty() {
        lines.push(
            "same conditions, combined differently (check `&&` / `||` and parentheses)".to_string(),
        );
    }
    if a_only == FALSE {
        lines.push(
            "every event the first matches, the second matches too (the second is wider)"
                .to_string(),
        );
    } else if b_only == FALSE {
        lines.push(
            "every event the second matches, the first matches too (the first is wider)"
                .to_string(),
        );
    }
    Difference::Different {
        explanation: lines.join("\n"),
        witness: found,
    }
}

pub(crate) fn coverage(required: &FilterPattern, actual: &FilterPattern) -> Coverage {
    if required.canonical() == actual.canonical() {
        return Coverage::Covered;
    }
    let (mut space, nr, na) = prepare(required, actual);
    let nna = space.bdd.not(na);
    let gap = space.bdd.and(nr, nna);
    if gap == FALSE {
        return Coverage::Covered;
    }
    match witness(&space, gap, required, actual) {
        Some(counterexample) => Coverage::NotCovered { counterexample },
        None => Coverage::Unknown {
            reason: format!(
                "no proof that every required event is caught, and no counterexample among the first {MAX_PATHS} candidate events; the patterns may differ only in ways the engine does not model (overlapping wildcards or regexes)"
            ),
        },
    }
}

/// A short human description of an atom.
fn describe_atom(a: &Atom) -> String {
    let test = |subject: &str, t: &ATest| match t {
        ATest::Cmp(op, v) => format!("{subject} {} {}", op.as_str(), aval_text(v)),
        ATest::IsNull => format!("{subject} IS NULL"),
        ATest::IsTrue => format!("{subject} IS TRUE"),
        ATest::IsFalse => format!("{subject} IS FALSE"),
        ATest::NotExists => format!("{subject} NOT EXISTS"),
    };
    match a {
        Atom::Text(s) => format!("term {}", quote(s)),
        Atom::TextRegex(r) => format!("term %{r}%"),
        Atom::JsonEvent => "the event is JSON".to_string(),
        Atom::Json(steps, t) => test(
            &Selector {
                steps: steps.clone(),
                span: Default::default(),
            }
            .to_string(),
            t,
        ),
        Atom::MinFields(n) => format!("at least {n} space-delimited fields"),
        Atom::Slot(_, i, t) => test(&format!("field #{}", i + 1), t),
    }
}

fn aval_text(v: &AVal) -> String {
    match v {
        AVal::Str(m) => quote(&m.to_text()),
        AVal::Num(n) => n.to_string(),
        AVal::Regex(r) => format!("%{r}%"),
    }
}

fn to_value(v: &AVal, ctx: &Ctx<'_>) -> Option<Value> {
    Some(match v {
        AVal::Str(m) => Value::Str(m.clone()),
        AVal::Num(n) => Value::Num(*n),
        AVal::Regex(r) => Value::Regex(ctx.regexes.get(r)?.clone()),
    })
}

/// Evaluate a test on a single (possibly absent) JSON value.
fn eval_single(t: &ATest, v: Option<&Json>, ctx: &Ctx<'_>) -> bool {
    let Some(v) = v else {
        return matches!(t, ATest::NotExists);
    };
    match t {
        ATest::NotExists => false,
        ATest::IsNull => v.is_null(),
        ATest::IsTrue => *v == Json::Bool(true),
        ATest::IsFalse => *v == Json::Bool(false),
        ATest::Cmp(op, val) => {
            let Some(val) = to_value(val, ctx) else {
                return false;
            };
            match v {
                Json::String(s) => compare_text(*op, &val, s, text_number(s)),
                Json::Number(n) => compare_text(*op, &val, &n.to_string(), n.as_f64()),
                _ => false,
            }
        }
    }
}

/// A short string the regex matches (first alternative, minimum repetitions).
fn regex_sample(source: &str) -> Option<String> {
    use regex_syntax::hir::{Class, HirKind};
    fn walk(h: &regex_syntax::hir::Hir, out: &mut String) -> Option<()> {
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => {}
            HirKind::Literal(l) => out.push_str(std::str::from_utf8(&l.0).ok()?),
            HirKind::Class(Class::Unicode(c)) => out.push(c.ranges().first()?.start()),
            HirKind::Class(Class::Bytes(c)) => out.push(char::from(c.ranges().first()?.start())),
            HirKind::Repetition(r) => {
                for _ in 0..r.min.min(64) {
                    walk(&r.sub, out)?;
                }
            }
            HirKind::Capture(c) => walk(&c.sub, out)?,
            HirKind::Concat(v) => {
                for x in v {
                    walk(x, out)?;
                }
            }
            HirKind::Alternation(v) => walk(v.first()?, out)?,
        }
        Some(())
    }
    let hir = regex_syntax::Parser::new()
        .parse(&source.replace("{,", "{0,"))
        .ok()?;
    let mut s = String::new();
    walk(&hir, &mut s)?;
    Some(s)
}

/// Candidate values for one property or field, from the tests applied to it.
fn candidates(tests: &[(&ATest, bool)], ctx: &Ctx<'_>) -> Vec<Json> {
    let mut out: Vec<Json> = Vec::new();
    let num = |f: f64| serde_json::Number::from_f64(f).map(Json::Number);
    for (t, _) in tests {
        match t {
            ATest::IsNull => out.push(Json::Null),
            ATest::IsTrue => out.push(Json::Bool(true)),
            ATest::IsFalse => out.push(Json::Bool(false)),
            ATest::NotExists => {}
            ATest::Cmp(_, v) => match v {
                AVal::Str(m) => match m {
                    StrMatch::Any => out.push(Json::String("gsl".into())),
                    StrMatch::Exact(s) => {
                        out.push(Json::String(s.clone()));
                        out.push(Json::String(format!("{s}x")));
                    }
                    StrMatch::Prefix(s) => out.push(Json::String(format!("{s}x"))),
                    StrMatch::Suffix(s) => out.push(Json::String(format!("x{s}"))),
                    StrMatch::Contains(s) => out.push(Json::String(format!("x{s}x"))),
                },
                AVal::Num(n) => {
                    let n = n.get();
                    for d in [0.0, 1.0, -1.0, 0.5, -0.5] {
                        if let Some(j) = num(n + d) {
                            out.push(j);
                        }
                    }
                    // Other spellings of the same number.
                    let text = Num::new(n).map(|x| x.to_string()).unwrap_or_default();
                    out.push(Json::String(format!("+{text}")));
                    out.push(Json::String(format!("{text}.0")));
                }
                AVal::Regex(r) => {
                    if let Some(s) = ctx.regexes.get(r).and_then(|r| regex_sample(&r.source)) {
                        out.push(Json::String(s));
                    }
                }
            },
        }
    }
    out.extend([
        Json::String("gsl".into()),
        Json::from(0),
        Json::Null,
        Json::Bool(true),
        Json::Bool(false),
        Json::Object(Map::new()),
        Json::Array(Vec::new()),
    ]);
    out
}

/// A value (or absence) satisfying every `(test, wanted)` pair, if one is found.
fn choose(tests: &[(&ATest, bool)], ctx: &Ctx<'_>) -> Option<Option<Json>> {
    if tests
        .iter()
        .all(|(t, want)| eval_single(t, None, ctx) == *want)
    {
        return Some(None);
    }
    candidates(tests, ctx)
        .into_iter()
        .find(|v| {
            tests
                .iter()
                .all(|(t, want)| eval_single(t, Some(v), ctx) == *want)
        })
        .map(Some)
}

/// Put `value` at `steps` in `root`, creating containers; false on conflict.
fn insert(root: &mut Json, steps: &[Step], value: Json) -> bool {
    let Some((first, rest)) = steps.split_first() else {
        if root.is_null() || *root == value {
            *root = value;
            return true;
        }
        return false;
    };
    match first {
        Step::Key(_) | Step::AnyKey => {
            if root.is_null() {
                *root = Json::Object(Map::new());
            }
            let Json::Object(m) = root else { return false };
            let key = match first {
                Step::Key(k) => k.clone(),
                _ => m
                    .keys()
                    .next()
                    .cloned()
                    .unwrap_or_else(|| "gsl".to_string()),
            };
            insert(m.entry(key).or_insert(Json::Null), rest, value)
        }
        Step::Index(_) | Step::AnyIndex => {
            if root.is_null() {
                *root = Json::Array(Vec::new());
            }
            let Json::Array(a) = root else { return false };
            let i = match first {
                Step::Index(i) => usize::try_from(*i).unwrap_or(usize::MAX).min(64),
                _ => 0,
            };
            while a.len() <= i {
                a.push(Json::Null);
            }
            insert(&mut a[i], rest, value)
        }
    }
}

/// Candidate events for one assignment of atoms.
fn generate(assign: &[(&Atom, bool)], ctx: &Ctx<'_>) -> Vec<String> {
    let mut texts: Vec<String> = Vec::new();
    let mut json_event = None;
    let mut json: BTreeMap<&Vec<Step>, Vec<(&ATest, bool)>> = BTreeMap::new();
    let mut slots: BTreeMap<(Shape, usize), Vec<(&ATest, bool)>> = BTreeMap::new();
    let mut min_true = 0;
    let mut shape: Option<Shape> = None;
    for &(a, b) in assign {
        match a {
            Atom::Text(s) if b => texts.push(s.clone()),
            Atom::TextRegex(r) if b => {
                if let Some(s) = ctx.regexes.get(r).and_then(|r| regex_sample(&r.source)) {
                    texts.push(s);
                }
            }
            Atom::JsonEvent => json_event = Some(b),
            Atom::Json(p, t) => {
                if b {
                    json_event = Some(true);
                }
                json.entry(p).or_default().push((t, b));
            }
            Atom::MinFields(n) if b => min_true = min_true.max(*n),
            Atom::Slot(s, i, t) => {
                if b || shape.is_none() {
                    shape = Some(*s);
                }
                slots.entry((*s, *i)).or_default().push((t, b));
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if json_event == Some(true) {
        let mut root = Json::Object(Map::new());
        for (path, tests) in &json {
            match choose(tests, ctx) {
                Some(Some(v)) => {
                    if !insert(&mut root, path, v) {
                        return out;
                    }
                }
                Some(None) => {}
                None => return out,
            }
        }
        if !texts.is_empty() {
            if let Json::Object(m) = &mut root {
                m.insert("gslText".into(), Json::String(texts.join(" ")));
            }
        }
        out.push(root.to_string());
        return out;
    }
    if shape.is_some() || min_true > 0 {
        let shape = shape
            .or_else(|| ctx.shape_slots.map(shape_of))
            .unwrap_or((min_true, None));
        let base = min_fields(shape);
        let extra = min_true.saturating_sub(base);
        let mut fields: Vec<String> = Vec::new();
        for i in 0..shape.0 {
            if shape.1 == Some(i) {
                fields.extend((0..extra).map(|_| "-".to_string()));
                continue;
            }
            let tok = match slots.get(&(shape, i)) {
                Some(tests) => match choose(tests, ctx) {
                    Some(Some(Json::String(s))) => s,
                    Some(Some(Json::Number(n))) => n.to_string(),
                    Some(_) => "-".to_string(),
                    None => return out,
                },
                None => "-".to_string(),
            };
            let tok = if tok.is_empty()
                || tok.contains(' ')
                || tok.starts_with('"')
                || tok.starts_with('[')
            {
                format!("\"{tok}\"")
            } else {
                tok
            };
            fields.push(tok);
        }
        if shape.1.is_none() {
            fields.extend((0..extra).map(|_| "-".to_string()));
        }
        fields.extend(texts.iter().cloned());
        out.push(fields.join(" "));
        return out;
    }
    let joined = texts.join(" ");
    if joined.is_empty() {
        out.extend([
            "gsl".to_string(),
            "0".to_string(),
            "{}".to_string(),
            String::new(),
        ]);
    } else {
        out.push(joined.clone());
        out.push(format!("{joined} gsl"));
    }
    out
}
