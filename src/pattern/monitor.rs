//! Does a configured metric filter *monitor* what a benchmark requires? It must
//! catch every required event (coverage), and none of its clauses that
//! overlaps the required pattern may be wider than it: a filter that counts
//! every console login does not monitor failed console logins, although it
//! catches them. Clauses are taken canonically, as the prime implicants of the
//! filter under the field facts (so how the filter is written does not
//! matter), and a clause that does not overlap the required pattern at all
//! (another event name) is allowed.

use foldhash::{HashSet, HashSetExt};

use super::ast::{CmpOp, StrMatch};
use super::bdd::{Exceeded, Node, FALSE};
use super::cover::{describe_atom, prefer, prepare_with, undecided_reason, witness, Prepared};
use super::sem::{collect_atoms, formula, has_wild, ATest, AVal, Atom, Formula, Undecided};
use super::FilterPattern;

/// Most clauses examined.
const MAX_CLAUSES: usize = 512;

/// The answer of [`monitors`].
#[derive(Debug, Clone, PartialEq)]
pub enum Monitoring {
    /// The filter catches every required event, and each of its clauses that
    /// overlaps the required pattern lies within it.
    Yes,
    /// It does not, shown by a verified event.
    No {
        /// The event.
        event: String,
        /// `true`: the required pattern matches the event and the filter misses
        /// it; `false`: the filter counts it and the required pattern does not.
        missed: bool,
        /// What is wrong, in one or two sentences.
        explanation: String,
    },
    /// The engine could not decide.
    Unknown {
        /// Why.
        reason: String,
    },
}

type Cube = Vec<(u32, bool)>;

/// Disjunctive normal form of a formula, as lists of literals (bounded).
fn dnf(f: &Formula, positive: bool, limit: usize) -> Option<Vec<Vec<(Atom, bool)>>> {
    let product = |parts: Vec<Vec<Vec<(Atom, bool)>>>| {
        let mut acc: Vec<Vec<(Atom, bool)>> = vec![vec![]];
        for p in parts {
            let mut next = Vec::new();
            for a in &acc {
                for b in &p {
                    let mut c = a.clone();
                    c.extend(b.iter().cloned());
                    next.push(c);
                    if next.len() > limit {
                        return None;
                    }
                }
            }
            acc = next;
        }
        Some(acc)
    };
    match (f, positive) {
        (Formula::Const(b), p) => Some(if *b == p { vec![vec![]] } else { vec![] }),
        (Formula::Atom(a), p) => Some(vec![vec![(a.clone(), p)]]),
        (Formula::Not(x), p) => dnf(x, !p, limit),
        (Formula::And(v), true) | (Formula::Or(v), false) => product(
            v.iter()
                .map(|x| dnf(x, positive, limit))
                .collect::<Option<Vec<_>>>()?,
        ),
        (Formula::Or(v), true) | (Formula::And(v), false) => {
            let mut out = Vec::new();
            for x in v {
                out.extend(dnf(x, positive, limit)?);
                if out.len() > limit {
                    return None;
                }
            }
            Some(out)
        }
    }
}

struct Checker<'a> {
    prep: &'a mut Prepared,
    /// `facts ∧ ¬actual`: a cube is a clause of the filter when it misses this.
    outside_actual: Node,
    /// `facts ∧ ¬required`.
    outside_required: Node,
    required: Node,
}

impl Checker<'_> {
    fn cube(&mut self, c: &Cube) -> Result<Node, Exceeded> {
        self.prep.space.bdd.cube(c)
    }

    fn is_clause(&mut self, c: &Cube) -> Result<bool, Exceeded> {
        let n = self.cube(c)?;
        Ok(self.prep.space.bdd.and(n, self.outside_actual)? == FALSE)
    }

    /// Widen a clause to a prime implicant: drop literals while it stays a clause.
    fn widen(&mut self, mut c: Cube) -> Result<Cube, Exceeded> {
        let mut i = 0;
        while i < c.len() {
            let mut shorter = c.clone();
            shorter.remove(i);
            if self.is_clause(&shorter)? {
                c = shorter;
            } else {
                i += 1;
            }
        }
        Ok(c)
    }
}

/// Does `actual` monitor what `required` asks for? See the module docs.
pub fn monitors(actual: &FilterPattern, required: &FilterPattern) -> Monitoring {
    match run(actual, required) {
        Ok(m) => m,
        Err(Undecided(reason)) => Monitoring::Unknown { reason },
    }
}

fn run(actual: &FilterPattern, required: &FilterPattern) -> Result<Monitoring, Undecided> {
    // `$.x = *` for every property: "any value" is a clause as natural as the
    // values written, so `$.e = "x" || $.e != "x"` widens to `$.e = *`.
    let mut atoms = Vec::new();
    collect_atoms(&formula(required.ast()), &mut atoms);
    collect_atoms(&formula(actual.ast()), &mut atoms);
    let extra: Vec<Atom> = atoms
        .iter()
        .filter_map(|a| match a {
            Atom::Json(p, _) if !has_wild(p) => Some(Atom::Json(
                p.clone(),
                ATest::Cmp(CmpOp::Eq, AVal::Str(StrMatch::Any)),
            )),
            _ => None,
        })
        .collect();
    let mut prep = prepare_with(&[required, actual], &extra)?;
    let (nr, na, ax) = (prep.nodes[0], prep.nodes[1], prep.axioms);
    let bdd = &mut prep.space.bdd;
    let missed = bdd.diff(nr, na)?;
    if missed != FALSE {
        return Ok(match witness(&prep.space, missed, required, actual) {
            Some(event) => Monitoring::No {
                event,
                missed: true,
                explanation: "the filter misses this event, which the required pattern matches"
                    .to_string(),
            },
            None => Monitoring::Unknown {
                reason: undecided_reason(&prep.space),
            },
        });
    }
    let outside_actual = bdd.diff(ax, na)?;
    let outside_required = bdd.diff(ax, nr)?;
    // Candidate clauses: the filter's clauses as written, and the paths of its diagram.
    let mut candidates: Vec<Cube> = Vec::new();
    if let Some(terms) = dnf(&formula(actual.ast()), true, MAX_CLAUSES) {
        for t in terms {
            let c: Option<Cube> = t
                .iter()
                .map(|(a, b)| prep.space.var_of(a).map(|v| (v, *b)))
                .collect();
            candidates.extend(c);
        }
    }
    let space = &prep.space;
    candidates.extend(space.bdd.paths(na, MAX_CLAUSES, &|v| prefer(space, v)));
    let mut ck = Checker {
        prep: &mut prep,
        outside_actual,
        outside_required,
        required: nr,
    };
    let mut seen: HashSet<Cube> = HashSet::new();
    for c in candidates {
        if !ck.is_clause(&c)? {
            continue;
        }
        let mut prime = ck.widen(c)?;
        prime.sort_unstable();
        if !seen.insert(prime.clone()) {
            continue;
        }
        let n = ck.cube(&prime)?;
        let overlap = ck.prep.space.bdd.and(n, ck.required)?;
        if overlap == FALSE {
            continue;
        }
        let wider = ck.prep.space.bdd.and(n, ck.outside_required)?;
        if wider == FALSE {
            continue;
        }
        let clause = describe_clause(&ck.prep.space.atoms, &prime);
        return Ok(match witness(&ck.prep.space, wider, actual, required) {
            Some(event) => Monitoring::No {
                event,
                missed: false,
                explanation: format!(
                    "the filter's clause `{clause}` overlaps the required pattern but is wider: it also counts this event, which the required pattern does not match"
                ),
            },
            None => Monitoring::Unknown {
                reason: format!(
                    "the filter's clause `{clause}` may be wider than the required pattern: {}",
                    undecided_reason(&ck.prep.space)
                ),
            },
        });
    }
    Ok(Monitoring::Yes)
}

fn describe_clause(atoms: &[Atom], c: &Cube) -> String {
    let mut parts: Vec<String> = c
        .iter()
        .filter_map(|&(v, b)| {
            let a = atoms.get(v as usize)?;
            if *a == Atom::JsonEvent {
                return None;
            }
            Some(if b {
                describe_atom(a)
            } else {
                format!("not ({})", describe_atom(a))
            })
        })
        .collect();
    if parts.is_empty() {
        parts.push("every event".to_string());
    }
    parts.join(" && ")
}
