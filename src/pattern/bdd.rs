//! A small reduced ordered binary decision diagram over numbered variables.

use std::collections::HashMap;

/// A BDD node id. `FALSE` and `TRUE` are the terminals.
pub(crate) type Node = u32;
pub(crate) const FALSE: Node = 0;
pub(crate) const TRUE: Node = 1;
const TERMINAL_VAR: u32 = u32::MAX;

#[derive(Default)]
pub(crate) struct Bdd {
    nodes: Vec<(u32, Node, Node)>,
    unique: HashMap<(u32, Node, Node), Node>,
    and_cache: HashMap<(Node, Node), Node>,
    not_cache: HashMap<Node, Node>,
}

impl Bdd {
    pub(crate) fn new() -> Bdd {
        let mut b = Bdd::default();
        b.nodes.push((TERMINAL_VAR, FALSE, FALSE));
        b.nodes.push((TERMINAL_VAR, TRUE, TRUE));
        b
    }

    fn mk(&mut self, var: u32, lo: Node, hi: Node) -> Node {
        if lo == hi {
            return lo;
        }
        if let Some(&n) = self.unique.get(&(var, lo, hi)) {
            return n;
        }
        let n = self.nodes.len() as Node;
        self.nodes.push((var, lo, hi));
        self.unique.insert((var, lo, hi), n);
        n
    }

    pub(crate) fn var(&mut self, v: u32) -> Node {
        self.mk(v, FALSE, TRUE)
    }

    fn top(&self, n: Node) -> u32 {
        self.nodes[n as usize].0
    }

    pub(crate) fn not(&mut self, a: Node) -> Node {
        match a {
            FALSE => return TRUE,
            TRUE => return FALSE,
            _ => {}
        }
        if let Some(&r) = self.not_cache.get(&a) {
            return r;
        }
        let (v, lo, hi) = self.nodes[a as usize];
        let (l, h) = (self.not(lo), self.not(hi));
        let r = self.mk(v, l, h);
        self.not_cache.insert(a, r);
        r
    }

    pub(crate) fn and(&mut self, a: Node, b: Node) -> Node {
        if a == FALSE || b == FALSE {
            return FALSE;
        }
        if a == TRUE {
            return b;
        }
        if b == TRUE || a == b {
            return a;
        }
        let key = if a < b { (a, b) } else { (b, a) };
        if let Some(&r) = self.and_cache.get(&key) {
            return r;
        }
        let (va, vb) = (self.top(a), self.top(b));
        let v = va.min(vb);
        let (alo, ahi) = if va == v {
            (self.nodes[a as usize].1, self.nodes[a as usize].2)
        } else {
            (a, a)
        };
        let (blo, bhi) = if vb == v {
            (self.nodes[b as usize].1, self.nodes[b as usize].2)
        } else {
            (b, b)
        };
        let lo = self.and(alo, blo);
        let hi = self.and(ahi, bhi);
        let r = self.mk(v, lo, hi);
        self.and_cache.insert(key, r);
        r
    }

    pub(crate) fn or(&mut self, a: Node, b: Node) -> Node {
        let (na, nb) = (self.not(a), self.not(b));
        let n = self.and(na, nb);
        self.not(n)
    }

    pub(crate) fn implies(&mut self, a: Node, b: Node) -> Node {
        let na = self.not(a);
        self.or(na, b)
    }

    /// Up to `limit` paths to `TRUE`, each a list of `(variable, value)`.
    pub(crate) fn paths(&self, root: Node, limit: usize) -> Vec<Vec<(u32, bool)>> {
        let mut out = Vec::new();
        let mut cur = Vec::new();
        self.walk(root, &mut cur, &mut out, limit);
        out
    }

    fn walk(
        &self,
        n: Node,
        cur: &mut Vec<(u32, bool)>,
        out: &mut Vec<Vec<(u32, bool)>>,
        limit: usize,
    ) {
        if out.len() >= limit || n == FALSE {
            return;
        }
        if n == TRUE {
            out.push(cur.clone());
            return;
        }
        let (v, lo, hi) = self.nodes[n as usize];
        cur.push((v, true));
        self.walk(hi, cur, out, limit);
        cur.pop();
        cur.push((v, false));
        self.walk(lo, cur, out, limit);
        cur.pop();
    }
}
