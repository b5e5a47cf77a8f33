//! A small reduced ordered binary decision diagram over numbered variables,
//! with a node and step budget: past it every operation fails with
//! [`Exceeded`] instead of growing without bound. The budget counts work, not time,
//! so a decision is the same on every machine and build (a debug build, a loaded CI
//! runner): what one proves, all prove.

use foldhash::{HashMap, HashMapExt};

/// A BDD node id. `FALSE` and `TRUE` are the terminals.
pub(crate) type Node = u32;
pub(crate) const FALSE: Node = 0;
pub(crate) const TRUE: Node = 1;
const TERMINAL_VAR: u32 = u32::MAX;

/// Most nodes one decision may build.
pub(crate) const MAX_NODES: usize = 1 << 18;
/// Most steps (operations that are not answered from a memo) one decision may take:
/// about 100 ms of a release build on this project's 2-core machine.
pub(crate) const MAX_STEPS: u64 = 500_000;

/// The budget of a decision ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exceeded {
    /// More than [`MAX_NODES`] nodes.
    Nodes,
    /// More than [`MAX_STEPS`].
    Steps,
}

impl Exceeded {
    pub(crate) fn reason(self) -> String {
        match self {
            Exceeded::Nodes => format!(
                "the decision needs more than {MAX_NODES} decision-diagram nodes (the patterns combine very many independent conditions)"
            ),
            Exceeded::Steps => format!(
                "the decision needs more than {MAX_STEPS} steps (the patterns combine very many independent conditions)"
            ),
        }
    }
}

pub(crate) type R = Result<Node, Exceeded>;

/// A binary operator [`Bdd::apply`] builds.
#[derive(Clone, Copy)]
enum Op {
    And,
    Or,
}

pub(crate) struct Bdd {
    nodes: Vec<(u32, Node, Node)>,
    unique: HashMap<(u32, Node, Node), Node>,
    and_cache: HashMap<(Node, Node), Node>,
    or_cache: HashMap<(Node, Node), Node>,
    not_cache: HashMap<Node, Node>,
    max_nodes: usize,
    max_steps: u64,
    steps: u64,
}

impl Bdd {
    pub(crate) fn new() -> Bdd {
        Bdd::with_budget(MAX_NODES, MAX_STEPS)
    }

    pub(crate) fn with_budget(max_nodes: usize, max_steps: u64) -> Bdd {
        Bdd {
            nodes: vec![(TERMINAL_VAR, FALSE, FALSE), (TERMINAL_VAR, TRUE, TRUE)],
            unique: HashMap::new(),
            and_cache: HashMap::new(),
            or_cache: HashMap::new(),
            not_cache: HashMap::new(),
            max_nodes,
            max_steps,
            steps: 0,
        }
    }

    /// Count one step; fail when the budget is spent.
    pub(crate) fn tick(&mut self) -> Result<(), Exceeded> {
        self.steps += 1;
        if self.steps > self.max_steps {
            return Err(Exceeded::Steps);
        }
        Ok(())
    }

    fn mk(&mut self, var: u32, lo: Node, hi: Node) -> R {
        if lo == hi {
            return Ok(lo);
        }
        if let Some(&n) = self.unique.get(&(var, lo, hi)) {
            return Ok(n);
        }
        if self.nodes.len() >= self.max_nodes {
            return Err(Exceeded::Nodes);
        }
        self.tick()?;
        let n = self.nodes.len() as Node;
        self.nodes.push((var, lo, hi));
        self.unique.insert((var, lo, hi), n);
        Ok(n)
    }

    pub(crate) fn var(&mut self, v: u32) -> R {
        self.mk(v, FALSE, TRUE)
    }

    fn top(&self, n: Node) -> u32 {
        self.nodes[n as usize].0
    }

    pub(crate) fn not(&mut self, a: Node) -> R {
        match a {
            FALSE => return Ok(TRUE),
            TRUE => return Ok(FALSE),
            _ => {}
        }
        if let Some(&r) = self.not_cache.get(&a) {
            return Ok(r);
        }
        let (v, lo, hi) = self.nodes[a as usize];
        let l = self.not(lo)?;
        let h = self.not(hi)?;
        let r = self.mk(v, l, h)?;
        self.not_cache.insert(a, r);
        Ok(r)
    }

    /// The top variable of `a` and `b` and the cofactors of each on it.
    fn split(&self, a: Node, b: Node) -> (u32, (Node, Node), (Node, Node)) {
        let (va, vb) = (self.top(a), self.top(b));
        let v = va.min(vb);
        let cof = |n: Node, vn: u32| {
            if vn == v {
                (self.nodes[n as usize].1, self.nodes[n as usize].2)
            } else {
                (n, n)
            }
        };
        (v, cof(a, va), cof(b, vb))
    }

    pub(crate) fn and(&mut self, a: Node, b: Node) -> R {
        self.apply(Op::And, a, b)
    }

    /// `a ∨ b`, applied directly (the same diagram as `¬(¬a ∧ ¬b)`, without building
    /// the negations).
    pub(crate) fn or(&mut self, a: Node, b: Node) -> R {
        self.apply(Op::Or, a, b)
    }

    /// `a op b`, by Shannon expansion on the top variable, memoized per operator.
    fn apply(&mut self, op: Op, a: Node, b: Node) -> R {
        let (absorbing, neutral) = match op {
            Op::And => (FALSE, TRUE),
            Op::Or => (TRUE, FALSE),
        };
        if a == absorbing || b == absorbing {
            return Ok(absorbing);
        }
        if a == neutral {
            return Ok(b);
        }
        if b == neutral || a == b {
            return Ok(a);
        }
        let key = if a < b { (a, b) } else { (b, a) };
        let memo = match op {
            Op::And => &self.and_cache,
            Op::Or => &self.or_cache,
        };
        if let Some(&r) = memo.get(&key) {
            return Ok(r);
        }
        self.tick()?;
        let (v, (alo, ahi), (blo, bhi)) = self.split(a, b);
        let lo = self.apply(op, alo, blo)?;
        let hi = self.apply(op, ahi, bhi)?;
        let r = self.mk(v, lo, hi)?;
        match op {
            Op::And => self.and_cache.insert(key, r),
            Op::Or => self.or_cache.insert(key, r),
        };
        Ok(r)
    }

    pub(crate) fn implies(&mut self, a: Node, b: Node) -> R {
        let na = self.not(a)?;
        self.or(na, b)
    }

    /// `a ∧ ¬b`.
    pub(crate) fn diff(&mut self, a: Node, b: Node) -> R {
        let nb = self.not(b)?;
        self.and(a, nb)
    }

    /// The conjunction of literals.
    pub(crate) fn cube(&mut self, lits: &[(u32, bool)]) -> R {
        let mut sorted: Vec<(u32, bool)> = lits.to_vec();
        sorted.sort_by_key(|x| std::cmp::Reverse(x.0));
        let mut acc = TRUE;
        for (v, b) in sorted {
            acc = if b {
                self.mk(v, FALSE, acc)?
            } else {
                self.mk(v, acc, FALSE)?
            };
        }
        Ok(acc)
    }

    /// Up to `limit` paths to `TRUE`, each a list of `(variable, value)`;
    /// the branch `prefer(v)` of each variable is walked first.
    pub(crate) fn paths(
        &self,
        root: Node,
        limit: usize,
        prefer: &dyn Fn(u32) -> bool,
    ) -> Vec<Vec<(u32, bool)>> {
        let mut out = Vec::new();
        let mut cur = Vec::new();
        self.walk(root, &mut cur, &mut out, limit, prefer);
        out
    }

    fn walk(
        &self,
        n: Node,
        cur: &mut Vec<(u32, bool)>,
        out: &mut Vec<Vec<(u32, bool)>>,
        limit: usize,
        prefer: &dyn Fn(u32) -> bool,
    ) {
        if out.len() >= limit || n == FALSE {
            return;
        }
        if n == TRUE {
            out.push(cur.clone());
            return;
        }
        let (v, lo, hi) = self.nodes[n as usize];
        let first = prefer(v);
        for value in [first, !first] {
            cur.push((v, value));
            self.walk(if value { hi } else { lo }, cur, out, limit, prefer);
            cur.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pseudo-random function of 6 variables, built from literals with `and`/`not`.
    fn random(bdd: &mut Bdd, seed: &mut u64, depth: u32) -> Node {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let pick = (*seed >> 33) % 4;
        if depth == 0 || pick == 0 {
            let v = ((*seed >> 40) % 6) as u32;
            let n = bdd.var(v).expect("small");
            return if (*seed >> 50) & 1 == 1 {
                bdd.not(n).expect("small")
            } else {
                n
            };
        }
        let a = random(bdd, seed, depth - 1);
        let b = random(bdd, seed, depth - 1);
        match pick {
            1 => bdd.and(a, b).expect("small"),
            2 => bdd.diff(a, b).expect("small"),
            _ => {
                let n = bdd.and(a, b).expect("small");
                bdd.not(n).expect("small")
            }
        }
    }

    /// Evaluate a diagram on an assignment of the 6 variables.
    fn value(bdd: &Bdd, mut n: Node, bits: u32) -> bool {
        while n != TRUE && n != FALSE {
            let (v, lo, hi) = bdd.nodes[n as usize];
            n = if bits >> v & 1 == 1 { hi } else { lo };
        }
        n == TRUE
    }

    #[test]
    fn or_is_the_diagram_of_de_morgan_and_of_the_truth_table() {
        let mut bdd = Bdd::new();
        let mut seed = 7;
        for _ in 0..300 {
            let a = random(&mut bdd, &mut seed, 4);
            let b = random(&mut bdd, &mut seed, 4);
            let or = bdd.or(a, b).expect("small");
            let (na, nb) = (bdd.not(a).expect("small"), bdd.not(b).expect("small"));
            let n = bdd.and(na, nb).expect("small");
            // Reduced and ordered: one function, one node.
            assert_eq!(or, bdd.not(n).expect("small"));
            for bits in 0..64 {
                assert_eq!(
                    value(&bdd, or, bits),
                    value(&bdd, a, bits) || value(&bdd, b, bits)
                );
            }
        }
    }
}
