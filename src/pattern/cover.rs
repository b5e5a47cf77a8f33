//! Equality with a description of the difference, and coverage with
//! counterexamples. Both work on the boolean meaning of the patterns (see
//! `sem`); every distinguishing event is checked with the matcher before it is
//! shown.

use foldhash::{HashMap, HashMapExt};

use serde_json::{Map, Value as Json};

use super::ast::*;
use super::bdd::{Node, FALSE};
use super::canon::quote;
use super::facts::{Cell, Regexes};
use super::sem::{formula, ATest, AVal, Atom, Domain, DomainFacts, Formula, Pos, Space, Undecided};
use super::FilterPattern;

/// How many satisfying assignments are tried when looking for a distinguishing event.
const MAX_PATHS: usize = 256;

/// How two patterns compare (see [`Comparison`] for the three-way answer).
#[derive(Debug, Clone, PartialEq)]
pub enum Difference {
    /// They match exactly the same events.
    Equal,
    /// They differ, or the engine could not decide (then `witness` is `None`
    /// and `explanation` starts with "cannot decide").
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

/// How two patterns compare, with "cannot decide" kept apart.
#[derive(Debug, Clone, PartialEq)]
pub enum Comparison {
    /// Proven: they match exactly the same events.
    Equal,
    /// Proven by a verified event one matches and the other does not.
    Different {
        /// Human-readable description of the difference.
        explanation: String,
        /// The event, and `true` when the first pattern is the one that matches it.
        witness: (String, bool),
    },
    /// Neither proven equal nor told apart by an event.
    Unknown {
        /// Which conditions the engine could not decide, and why.
        reason: String,
    },
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

fn collect_regexes(p: &Pattern, out: &mut Regexes) {
    fn value(v: &Value, out: &mut Regexes) {
        if let Value::Regex(r) = v {
            out.insert(r.source.clone(), r.clone());
        }
    }
    fn json(e: &JsonExpr, out: &mut Regexes) {
        match e {
            JsonExpr::And(v, _) | JsonExpr::Or(v, _) => v.iter().for_each(|x| json(x, out)),
            JsonExpr::Cond(c) => {
                if let Test::Compare(_, v) = &c.test {
                    value(v, out)
                }
            }
        }
    }
    fn field(e: &FieldExpr, out: &mut Regexes) {
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

/// The shared atom space and BDDs of several patterns (facts applied).
pub(crate) struct Prepared {
    pub space: Space,
    /// Each pattern's meaning, facts applied.
    pub nodes: Vec<Node>,
    /// The facts.
    pub axioms: Node,
}

pub(crate) fn prepare(patterns: &[&FilterPattern]) -> Result<Prepared, Undecided> {
    prepare_with(patterns, &[])
}

/// Like [`prepare`], with `extra` atoms in the space (not in any pattern).
pub(crate) fn prepare_with(
    patterns: &[&FilterPattern],
    extra: &[Atom],
) -> Result<Prepared, Undecided> {
    let formulas: Vec<_> = patterns.iter().map(|p| formula(&p.ast)).collect();
    let mut regexes = Regexes::new();
    for p in patterns {
        collect_regexes(&p.ast, &mut regexes);
    }
    let more = Formula::And(extra.iter().cloned().map(Formula::Atom).collect());
    let mut refs: Vec<&_> = formulas.iter().collect();
    refs.push(&more);
    let mut space = Space::new(&refs, regexes);
    let axioms = space.axioms()?;
    let mut nodes = Vec::new();
    for f in &formulas {
        let n = space.build(f)?;
        nodes.push(space.bdd.and(n, axioms)?);
    }
    Ok(Prepared {
        space,
        nodes,
        axioms,
    })
}

/// Look for a verified event matched by `yes` and not by `no` among the
/// satisfying assignments of `node`.
pub(crate) fn witness(
    space: &Space,
    node: Node,
    yes: &FilterPattern,
    no: &FilterPattern,
) -> Option<String> {
    for path in space.bdd.paths(node, MAX_PATHS, &|v| prefer(space, v)) {
        let assign: HashMap<u32, bool> = path.into_iter().collect();
        for ev in generate(space, &assign) {
            if yes.matches(&ev) && !no.matches(&ev) {
                return Some(ev);
            }
        }
    }
    None
}

/// The value of an atom tried first: absent properties and unmet conditions
/// make smaller, more readable events.
pub(crate) fn prefer(space: &Space, v: u32) -> bool {
    matches!(
        space.atoms.get(v as usize),
        Some(Atom::Json(_, ATest::NotExists) | Atom::JsonEvent)
    )
}

/// Why no event was found although the diagrams differ.
pub(crate) fn undecided_reason(space: &Space) -> String {
    let mut why: Vec<String> = space
        .domains
        .iter()
        .filter_map(|d| {
            d.approx
                .as_ref()
                .map(|a| format!("{}: {a}", describe_domain(&d.domain)))
        })
        .collect();
    let has_json = space.atoms.contains(&Atom::JsonEvent);
    let has_text = space.domains.iter().any(|d| d.domain == Domain::Message);
    let has_fields = space.atoms.iter().any(|a| matches!(a, Atom::MinFields(_)));
    if has_text && (has_json || has_fields) {
        why.push(
            "text terms against a JSON or space-delimited pattern: how the event's text spells its values is not modelled".to_string(),
        );
    }
    if has_fields {
        why.push("space-delimited fields read from the start, from the end and to the end of the line are only related through the field count".to_string());
    }
    if space
        .domains
        .iter()
        .any(|d| matches!(d.domain, Domain::Wild(_)))
    {
        why.push(
            "wildcard selectors are related to named properties only through identical conditions"
                .to_string(),
        );
    }
    if why.is_empty() {
        why.push("the engine's facts do not cover this combination".to_string());
    }
    format!(
        "no event found that tells them apart, and no proof that none exists ({})",
        why.join("; ")
    )
}

pub(crate) fn compare(a: &FilterPattern, b: &FilterPattern) -> Comparison {
    // Same canonical text: both mean what that text means.
    if a.canonical() == b.canonical() {
        return Comparison::Equal;
    }
    let prep = match prepare(&[a, b]) {
        Ok(p) => p,
        Err(Undecided(reason)) => return Comparison::Unknown { reason },
    };
    let Prepared {
        mut space, nodes, ..
    } = prep;
    let (na, nb) = (nodes[0], nodes[1]);
    if na == nb {
        return Comparison::Equal;
    }
    let diffs = (space.bdd.diff(na, nb), space.bdd.diff(nb, na));
    let (a_only, b_only) = match diffs {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) | (_, Err(e)) => return Comparison::Unknown { reason: e.reason() },
    };
    let mut lines = Vec::new();
    let found = if let Some(ev) = witness(&space, a_only, a, b) {
        lines.push(format!(
            "the first pattern matches this event, the second does not:\n  {ev}"
        ));
        (ev, true)
    } else if let Some(ev) = witness(&space, b_only, b, a) {
        lines.push(format!(
            "the second pattern matches this event, the first does not:\n  {ev}"
        ));
        (ev, false)
    } else {
        return Comparison::Unknown {
            reason: undecided_reason(&space),
        };
    };
    let atoms_of = |p: &FilterPattern| {
        let mut s = Vec::new();
        super::sem::collect_atoms(&formula(&p.ast), &mut s);
        s
    };
    let (sa, sb) = (atoms_of(a), atoms_of(b));
    let only_a: Vec<String> = sa
        .iter()
        .filter(|x| !sb.contains(x))
        .map(describe_atom)
        .collect();
    let only_b: Vec<String> = sb
        .iter()
        .filter(|x| !sa.contains(x))
        .map(describe_atom)
        .collect();
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
    Comparison::Different {
        explanation: lines.join("\n"),
        witness: found,
    }
}

pub(crate) fn difference(a: &FilterPattern, b: &FilterPattern) -> Difference {
    match compare(a, b) {
        Comparison::Equal => Difference::Equal,
        Comparison::Different {
            explanation,
            witness,
        } => Difference::Different {
            explanation,
            witness: Some(witness),
        },
        Comparison::Unknown { reason } => Difference::Different {
            explanation: format!("cannot decide: {reason}"),
            witness: None,
        },
    }
}

pub(crate) fn coverage(required: &FilterPattern, actual: &FilterPattern) -> Coverage {
    if required.canonical() == actual.canonical() {
        return Coverage::Covered;
    }
    let Prepared {
        mut space, nodes, ..
    } = match prepare(&[required, actual]) {
        Ok(p) => p,
        Err(Undecided(reason)) => return Coverage::Unknown { reason },
    };
    let gap = match space.bdd.diff(nodes[0], nodes[1]) {
        Ok(g) => g,
        Err(e) => return Coverage::Unknown { reason: e.reason() },
    };
    if gap == FALSE {
        return Coverage::Covered;
    }
    match witness(&space, gap, required, actual) {
        Some(counterexample) => Coverage::NotCovered { counterexample },
        None => Coverage::Unknown {
            reason: undecided_reason(&space),
        },
    }
}

fn describe_domain(d: &Domain) -> String {
    match d {
        Domain::Message => "the message text".to_string(),
        Domain::Json(p) | Domain::Wild(p) => selector_text(p),
        Domain::Field(pos) => pos_text(*pos),
    }
}

fn selector_text(p: &[Step]) -> String {
    Selector {
        steps: p.to_vec(),
        span: Default::default(),
    }
    .to_string()
}

fn pos_text(p: Pos) -> String {
    match p {
        Pos::Start(i) => format!("field #{}", i + 1),
        Pos::End(0) => "the last field".to_string(),
        Pos::End(j) => format!("field #{} from the end", j + 1),
        Pos::Rest(i) => format!("field #{} to the end of the line", i + 1),
    }
}

/// A short human description of an atom.
pub(crate) fn describe_atom(a: &Atom) -> String {
    let test = |subject: &str, t: &ATest| match t {
        ATest::Cmp(op, v) => format!("{subject} {} {}", op.as_str(), aval_text(v)),
        ATest::IsNull => format!("{subject} IS NULL"),
        ATest::IsTrue => format!("{subject} IS TRUE"),
        ATest::IsFalse => format!("{subject} IS FALSE"),
        ATest::NotExists => format!("{subject} NOT EXISTS"),
        ATest::IsObject => format!("{subject} is an object"),
        ATest::IsArray => format!("{subject} is an array"),
    };
    match a {
        Atom::Text(s) => format!("term {}", quote(s)),
        Atom::TextRegex(r) => format!("term %{r}%"),
        Atom::JsonEvent => "the event is JSON".to_string(),
        Atom::Json(steps, t) => test(&selector_text(steps), t),
        Atom::MinFields(n) => format!("at least {n} space-delimited fields"),
        Atom::Field(pos, t) => test(&pos_text(*pos), t),
    }
}

fn aval_text(v: &AVal) -> String {
    match v {
        AVal::Str(m) => quote(&m.to_text()),
        AVal::Num(n) => n.to_string(),
        AVal::Regex(r) => format!("%{r}%"),
    }
}

/// The first cell of a domain consistent with the assignment, with a value
/// (a present one first when `present`).
fn pick<'s>(d: &'s DomainFacts, assign: &HashMap<u32, bool>) -> Option<&'s Cell> {
    pick_as(d, assign, false)
}

fn pick_as<'s>(d: &'s DomainFacts, assign: &HashMap<u32, bool>, present: bool) -> Option<&'s Cell> {
    let ok = |c: &&Cell| {
        c.value.is_some()
            && d.vars
                .iter()
                .zip(&c.bits)
                .all(|(v, b)| assign.get(v).is_none_or(|x| x == b))
    };
    let first = d.cells.iter().find(ok);
    if present {
        d.cells
            .iter()
            .filter(ok)
            .find(|c| !matches!(c.value, Some(None)))
            .or(first)
    } else {
        first
    }
}

/// Values reached by a wildcard selector: one per test the assignment makes true.
fn pick_elements<'s>(d: &'s DomainFacts, assign: &HashMap<u32, bool>) -> Option<Vec<&'s Json>> {
    let mut out: Vec<&Json> = Vec::new();
    let mut covered = vec![false; d.vars.len()];
    for (i, v) in d.vars.iter().enumerate() {
        if assign.get(v) != Some(&true) || covered[i] {
            continue;
        }
        let c = d.cells.iter().find(|c| {
            c.bits[i]
                && !matches!(c.value, None | Some(None))
                && d.vars
                    .iter()
                    .zip(&c.bits)
                    .all(|(v, b)| !b || assign.get(v) != Some(&false))
        })?;
        for (k, b) in c.bits.iter().enumerate() {
            covered[k] |= *b;
        }
        if let Some(Some(j)) = &c.value {
            out.push(j);
        }
    }
    Some(out)
}

/// Put `value` at `steps` in `root`, creating containers; false on conflict.
fn insert(root: &mut Json, steps: &[Step], value: Json) -> bool {
    let Some((first, rest)) = steps.split_first() else {
        let container = |v: &Json| v.is_object() || v.is_array();
        if root.is_null() {
            *root = value;
            return true;
        }
        // A container already made by a value below it.
        return (root.is_object() && value.is_object())
            || (root.is_array() && value.is_array())
            || (!container(root) && *root == value);
    };
    match first {
        Step::Key(k) => {
            if root.is_null() {
                *root = Json::Object(Map::new());
            }
            let Json::Object(m) = root else { return false };
            insert(m.entry(k.clone()).or_insert(Json::Null), rest, value)
        }
        Step::AnyKey => {
            if root.is_null() {
                *root = Json::Object(Map::new());
            }
            let Json::Object(m) = root else { return false };
            let key = format!("example{}", m.len() + 1);
            insert(m.entry(key).or_insert(Json::Null), rest, value)
        }
        Step::Index(i) => {
            if root.is_null() {
                *root = Json::Array(Vec::new());
            }
            let Json::Array(a) = root else { return false };
            let Ok(i) = usize::try_from(*i) else {
                return false;
            };
            if i > 64 {
                return false;
            }
            while a.len() <= i {
                a.push(Json::Null);
            }
            insert(&mut a[i], rest, value)
        }
        Step::AnyIndex => {
            if root.is_null() {
                *root = Json::Array(Vec::new());
            }
            let Json::Array(a) = root else { return false };
            a.push(Json::Null);
            let last = a.len() - 1;
            insert(&mut a[last], rest, value)
        }
    }
}

/// JSON text in which every string holding one of `avoid` is spelled with
/// `\uXXXX` escapes, so that the event's text does not contain those terms.
fn escaped_json(v: &Json, avoid: &[&str], out: &mut String) {
    let s = |t: &str, out: &mut String| {
        if !avoid.iter().any(|a| t.contains(a)) {
            out.push_str(&Json::String(t.to_string()).to_string());
            return;
        }
        out.push('"');
        for u in t.encode_utf16() {
            out.push_str(&format!("\\u{u:04x}"));
        }
        out.push('"');
    };
    match v {
        Json::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                s(k, out);
                out.push(':');
                escaped_json(x, avoid, out);
            }
            out.push('}');
        }
        Json::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                escaped_json(x, avoid, out);
            }
            out.push(']');
        }
        Json::String(t) => s(t, out),
        other => out.push_str(&other.to_string()),
    }
}

fn token(s: &str) -> String {
    if s.is_empty() || s.contains([' ', '\t']) || s.starts_with(['"', '[']) {
        format!("\"{s}\"")
    } else {
        s.to_string()
    }
}

fn text_of(c: &Cell) -> Option<String> {
    match &c.value {
        Some(Some(Json::String(s))) => Some(s.clone()),
        Some(Some(Json::Number(n))) => Some(n.to_string()),
        _ => None,
    }
}

/// Candidate JSON events for an assignment (`present`: prefer present values
/// where the assignment leaves a property free).
fn json_events(
    space: &Space,
    assign: &HashMap<u32, bool>,
    present: bool,
    message: Option<&str>,
) -> Vec<String> {
    let mut out = Vec::new();
    let truth = |a: &Atom| space.var_of(a).and_then(|v| assign.get(&v).copied());
    let mut root = Json::Object(Map::new());
    let mut doms: Vec<&DomainFacts> = space
        .domains
        .iter()
        .filter(|d| matches!(d.domain, Domain::Json(_)))
        .collect();
    doms.sort_by_key(|d| match &d.domain {
        Domain::Json(p) => p.len(),
        _ => 0,
    });
    for d in doms {
        let Domain::Json(p) = &d.domain else { continue };
        let Some(c) = pick_as(d, assign, present) else {
            return out;
        };
        if let Some(Some(v)) = &c.value {
            if !insert(&mut root, p, v.clone()) {
                return out;
            }
        }
    }
    for d in space
        .domains
        .iter()
        .filter(|d| matches!(d.domain, Domain::Wild(_)))
    {
        let Domain::Wild(p) = &d.domain else { continue };
        let Some(elems) = pick_elements(d, assign) else {
            return out;
        };
        for e in elems {
            if !insert(&mut root, p, e.clone()) {
                return out;
            }
        }
    }
    let mut with_text = root.clone();
    if let (Some(t), Json::Object(m)) = (message, &mut with_text) {
        if !t.is_empty() {
            m.insert("message".into(), Json::String(t.to_string()));
        }
    }
    out.push(with_text.to_string());
    let avoid: Vec<&str> = space
        .atoms
        .iter()
        .filter_map(|a| match a {
            Atom::Text(t) if truth(a) == Some(false) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    let all: Vec<&str> = vec![""];
    for avoid in [&avoid, &all] {
        let mut esc = String::new();
        escaped_json(&with_text, avoid, &mut esc);
        out.push(esc);
    }
    out
}

/// Candidate events for one (partial) assignment of atoms.
fn generate(space: &Space, assign: &HashMap<u32, bool>) -> Vec<String> {
    let mut out = Vec::new();
    let truth = |a: &Atom| space.var_of(a).and_then(|v| assign.get(&v).copied());
    // The message text; embedded in JSON or delimited events only when a term is required.
    let message_domain = space.domains.iter().find(|d| d.domain == Domain::Message);
    let whole_message = message_domain
        .and_then(|d| pick(d, assign))
        .and_then(text_of);
    let message = whole_message.clone().filter(|_| {
        message_domain.is_some_and(|d| d.vars.iter().any(|v| assign.get(v) == Some(&true)))
    });
    let json_wanted = truth(&Atom::JsonEvent) == Some(true);
    if json_wanted {
        for present in [false, true] {
            out.extend(json_events(space, assign, present, message.as_deref()));
        }
        return out;
    }
    let fields: Vec<(Pos, String)> = space
        .domains
        .iter()
        .filter_map(|d| match d.domain {
            Domain::Field(pos) => {
                let needed = space.var_of(&Atom::MinFields(pos.needs()));
                if needed.and_then(|v| assign.get(&v)) == Some(&false) {
                    return None;
                }
                Some(pick(d, assign).and_then(text_of).map(|t| (pos, t)))
            }
            _ => None,
        })
        .collect::<Option<Vec<_>>>()
        .unwrap_or_default();
    let mut lo = 0;
    let mut hi = usize::MAX;
    for (a, v) in space.atoms.iter().filter_map(|a| Some((a, truth(a)?))) {
        if let Atom::MinFields(m) = a {
            if v {
                lo = lo.max(*m);
            } else {
                hi = hi.min(m - 1);
            }
        }
    }
    for (pos, _) in &fields {
        lo = lo.max(pos.needs());
    }
    if lo > 0 || !fields.is_empty() {
        let starts = fields
            .iter()
            .filter_map(|(p, _)| match p {
                Pos::Start(i) | Pos::Rest(i) => Some(i + 1),
                Pos::End(_) => None,
            })
            .max()
            .unwrap_or(0);
        let ends = fields
            .iter()
            .filter_map(|(p, _)| match p {
                Pos::End(j) => Some(j + 1),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let mut ns: Vec<usize> = vec![lo.max(starts + ends), lo];
        ns.extend((lo..lo + 4).filter(|n| *n <= hi));
        ns.retain(|n| *n <= hi && *n >= 1);
        ns.dedup();
        for n in ns {
            let mut toks = vec!["-".to_string(); n];
            let mut rest: Option<(usize, String)> = None;
            for (pos, t) in &fields {
                match pos {
                    Pos::Start(i) if *i < n => toks[*i] = token(t),
                    Pos::End(j) if *j < n => toks[n - 1 - j] = token(t),
                    Pos::Rest(i) if *i < n => {
                        toks[*i] = token(t);
                        rest = Some((*i, t.clone()));
                    }
                    _ => {}
                }
            }
            let mut line = toks.join(" ");
            if let Some(m) = &message {
                if !m.is_empty() {
                    line = format!("{line} {}", token(m));
                }
            }
            out.push(line);
            if let Some((i, t)) = rest {
                let mut raw = toks[..i].to_vec();
                raw.push(t);
                out.push(raw.join(" "));
            }
        }
        return out;
    }
    match whole_message {
        Some(m) => {
            out.push(m.clone());
            out.push(format!("{m} example"));
        }
        None => out.extend([
            "example".to_string(),
            "0".to_string(),
            "{}".to_string(),
            String::new(),
        ]),
    }
    out
}
