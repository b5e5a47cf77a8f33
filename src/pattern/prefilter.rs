//! Matching raw event text without parsing what cannot match: from each compiled
//! JSON pattern, the literals an event's text must contain, and where, for the
//! pattern to match it (`$.eventName = "ConsoleLogin"` needs the value of the
//! top-level `eventName` to be the string `"ConsoleLogin"`). One structural scan of
//! the event ([`super::scan`]) finds the values the literals are about, descending
//! only into the properties some selector names, and each literal is checked on its
//! value alone; only the events in which some pattern's literals all occur are
//! parsed, and then only the top-level properties the patterns read
//! ([`super::PatternSet::matches`]).
//!
//! A pattern's requirement is a conjunction of clauses, each a set of literals of
//! which one must occur: a condition gives one literal, `&&` joins its operands'
//! clauses, `||` needs a requirement from every operand and keeps one clause of each
//! (their union). Only an equality with a string gives a literal (`"abc"`, `"abc`,
//! `abc"`, `abc` for an exact, prefix, suffix, contains match; `true`, `false`,
//! `null` for `IS TRUE`, `IS FALSE`, `IS NULL`); what matches by absence or by
//! difference (`!=`, `NOT EXISTS`, `*`), a number, a regex, or a string a number's
//! text could equal (digits, `.`, `e`, `+`, `-`: the matcher compares a number by its
//! normalised text, which the raw bytes need not contain) gives none. A pattern with
//! no requirement, or a pattern that is not JSON, is evaluated on every event.
//!
//! Where a literal is checked: a selector of property names only (`$.a.b`) selects
//! one value (or one per repeated key: each is checked), and the literal is compared
//! with that value's raw text (a string's, with its quotes, or a `true`, `false`,
//! `null`); a selector with an index or a wildcard is checked by finding the literal
//! anywhere in the text of the value its leading names select (the whole event when
//! it starts with one). A selected value that is not an object where the selector goes
//! on, or not a scalar where it ends, cannot match.
//!
//! The literals are JSON-escaped the way every encoder writes the characters that
//! must be escaped (`\"`, `\\`, `\n`, ...). A checked value whose text has a `\u` or
//! `\/` escape (which can spell any character), and an event with such an escape in a
//! property name the scan descends by, count as containing every literal, so results
//! are always those of the full matcher.

use super::ast::{CmpOp, JsonExpr, Pattern, Step, StrMatch, Test, Value};
use foldhash::HashMap;

use super::scan;
use super::FilterPattern;

/// A conjunction of clauses; each clause lists literal ids of which one must occur.
type Cnf = Vec<Vec<u32>>;

/// How a literal is compared with the text of its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum How {
    /// The value's whole text (a string with its quotes, or `true`, `false`, `null`).
    Whole,
    /// The start of a string's text (from its opening quote).
    Start,
    /// The end of a string's text (up to its closing quote).
    End,
    /// Inside a string's text.
    Inside,
    /// Anywhere in the value's text (a selector with an index or a wildcard).
    Anywhere,
}

/// One literal: its text, the value it is checked on (a node of the selector tree) and
/// how.
#[derive(Debug)]
struct Literal {
    text: Vec<u8>,
    node: usize,
    how: How,
    /// The searcher of `text`, for a literal found inside a value.
    finder: Option<memchr::memmem::Finder<'static>>,
}

/// The selectors' leading property names as a tree: the root is the event.
#[derive(Debug, Default)]
struct Node {
    /// The named properties the scan descends into: raw name, node.
    children: Vec<(Name, usize)>,
    /// The children by [`Name::slot`] (open addressing, at most half full): an index
    /// into `children`, or [`EMPTY`].
    slots: Vec<u32>,
    /// The literals compared with this node's whole value, by text.
    whole: HashMap<Vec<u8>, u32>,
    /// The other literals checked on this node's value.
    literals: Vec<u32>,
}

/// A property name, with its first eight bytes as a word: most names differ in their
/// length or there, so most comparisons of a key with a name are two of integers.
#[derive(Debug)]
struct Name {
    head: u64,
    text: Vec<u8>,
}

/// A free slot of [`Node::slots`].
const EMPTY: u32 = u32::MAX;

impl Name {
    /// The first slot of a key of length `len` and [`Name::head`] `head`, in a table of
    /// `mask + 1` slots.
    fn slot(len: usize, head: u64, mask: usize) -> usize {
        ((head ^ len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & mask
    }

    fn new(key: &[u8]) -> Name {
        Name {
            head: Name::head(key),
            text: key.to_vec(),
        }
    }

    /// The first eight bytes of `key` (zeros after its end) as a word.
    fn head(key: &[u8]) -> u64 {
        let mut w = [0u8; 8];
        let n = key.len().min(8);
        w[..n].copy_from_slice(&key[..n]);
        u64::from_le_bytes(w)
    }
    /// Is this name `key`, whose [`Name::head`] is `head`?
    fn is(&self, key: &[u8], head: u64) -> bool {
        self.head == head
            && self.text.len() == key.len()
            && (key.len() <= 8 || self.text[8..] == key[8..])
    }
}

/// The literals of a set of patterns and what each pattern requires of them.
#[derive(Debug)]
pub(crate) struct Prefilter {
    /// The selector tree; node 0 is the event.
    nodes: Vec<Node>,
    /// The literals, by id.
    literals: Vec<Literal>,
    /// Per pattern: what it requires; `None`: it is evaluated on every event.
    required: Vec<Option<Cnf>>,
    /// Per literal: the patterns whose requirement names it.
    users: Vec<Vec<u32>>,
    /// The patterns evaluated on every event.
    always: Vec<u32>,
}

/// The literals one event's text contains, as a set of literal ids, and the scratch
/// space of its scan.
#[derive(Debug, Default)]
pub(crate) struct Hits {
    words: Vec<u64>,
    ids: Vec<u32>,
    /// A property name the scan descends by is escaped: the literals cannot tell.
    escaped: bool,
    /// The candidates of the last event.
    out: Vec<u32>,
    frames: Vec<scan::Frame>,
}

impl Hits {
    /// Forget the last event's literals.
    pub(crate) fn clear(&mut self) {
        for &i in &self.ids {
            self.words[(i / 64) as usize] = 0;
        }
        self.ids.clear();
        self.escaped = false;
    }
    fn insert(&mut self, i: u32) {
        let (w, b) = ((i / 64) as usize, 1u64 << (i % 64));
        if self.words[w] & b == 0 {
            self.words[w] |= b;
            self.ids.push(i);
        }
    }
}

/// Which patterns an event could match, after the literal search.
pub(crate) enum Candidates<'h> {
    /// Every pattern must be evaluated (an escape the literals cannot see through).
    All,
    /// Only these (sorted, without repeats); empty: the event matches none.
    Some(&'h [u32]),
}

/// The literal search of one event's text as a [`scan::Visitor`]: the property names
/// the selectors descend by are entered, and each selected value's literals checked.
struct Search<'a> {
    prefilter: &'a Prefilter,
    hits: &'a mut Hits,
    text: &'a [u8],
}

impl scan::Visitor for Search<'_> {
    fn key(&mut self, frame: u32, key: &[u8], escaped: bool) -> scan::Want {
        self.prefilter.key(self.hits, frame, key, escaped)
    }
    fn value(&mut self, id: u32, start: usize, end: usize) {
        self.prefilter.value(self.hits, id, &self.text[start..end]);
    }
}

impl Prefilter {
    pub(crate) fn new(patterns: &[FilterPattern]) -> Prefilter {
        let mut tree = Tree {
            nodes: vec![Node::default()],
            literals: Vec::new(),
        };
        let mut required = Vec::with_capacity(patterns.len());
        for p in patterns {
            required.push(match p.ast() {
                Pattern::Json(e) => requirement(e, &mut tree),
                _ => None,
            });
        }
        let Tree {
            mut nodes,
            literals,
        } = tree;
        for node in &mut nodes {
            let size = (2 * node.children.len()).next_power_of_two().max(2);
            node.slots = vec![EMPTY; size];
            for (i, (name, _)) in node.children.iter().enumerate() {
                let mut at = Name::slot(name.text.len(), name.head, size - 1);
                while node.slots[at] != EMPTY {
                    at = (at + 1) & (size - 1);
                }
                node.slots[at] = i as u32;
            }
        }
        for (i, l) in literals.iter().enumerate() {
            let node = &mut nodes[l.node];
            match l.how {
                How::Whole => {
                    node.whole.insert(l.text.clone(), i as u32);
                }
                _ => node.literals.push(i as u32),
            }
        }
        let mut users = vec![Vec::new(); literals.len()];
        let mut always = Vec::new();
        for (i, r) in required.iter().enumerate() {
            match r {
                None => always.push(i as u32),
                Some(cnf) => {
                    for l in cnf.iter().flatten() {
                        let u: &mut Vec<u32> = &mut users[*l as usize];
                        if u.last() != Some(&(i as u32)) {
                            u.push(i as u32);
                        }
                    }
                }
            }
        }
        Prefilter {
            nodes,
            literals,
            required,
            users,
            always,
        }
    }

    /// Scratch space for [`Prefilter::candidates`].
    pub(crate) fn hits(&self) -> Hits {
        Hits {
            words: vec![0; self.literals.len().div_ceil(64)],
            ..Hits::default()
        }
    }

    /// Does no pattern have a requirement (every event is evaluated in full)?
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.always.len() == self.required.len()
    }

    /// The literals (for tests and documentation).
    pub(crate) fn literals(&self) -> impl Iterator<Item = &[u8]> {
        self.literals.iter().map(|l| l.text.as_slice())
    }

    /// The patterns evaluated on every event.
    pub(crate) fn unfiltered(&self) -> &[u32] {
        &self.always
    }

    /// Does the search descend into the event's members (some selector names one)?
    /// Where it does not, the event's own literals are all there is to check.
    pub(crate) fn enters(&self) -> bool {
        !self.literals.is_empty() && !self.nodes[0].children.is_empty()
    }

    /// The search's answer for a member of an object entered as `frame` (node 0: the
    /// event): the child node its name leads to, entered when selectors go on below it.
    /// An escaped name (`escaped`) where the selectors descend leaves the literals
    /// unable to tell.
    pub(crate) fn key(&self, hits: &mut Hits, frame: u32, key: &[u8], escaped: bool) -> scan::Want {
        let node = &self.nodes[frame as usize];
        if node.children.is_empty() {
            return scan::Want::Skip;
        }
        if escaped {
            hits.escaped = true;
            return scan::Want::Skip;
        }
        let head = Name::head(key);
        let mask = node.slots.len() - 1;
        let mut at = Name::slot(key.len(), head, mask);
        loop {
            let Some((name, c)) = node.children.get(node.slots[at] as usize) else {
                return scan::Want::Skip;
            };
            if name.is(key, head) {
                return if self.nodes[*c].children.is_empty() {
                    scan::Want::Extent(*c as u32)
                } else {
                    scan::Want::Enter(*c as u32)
                };
            }
            at = (at + 1) & mask;
        }
    }

    /// Record in `hits` the literals of node `id` (0: the event) that its value's raw
    /// text has.
    pub(crate) fn value(&self, hits: &mut Hits, id: u32, value: &[u8]) {
        let node = &self.nodes[id as usize];
        if node.whole.is_empty() && node.literals.is_empty() {
            return;
        }
        let string = value.len() >= 2 && value[0] == b'"';
        if string && has_opaque_escape(value) {
            // The value may spell any of its literals.
            node.whole.values().for_each(|l| hits.insert(*l));
            node.literals.iter().for_each(|l| hits.insert(*l));
            return;
        }
        let whole = if string {
            value
        } else {
            value.trim_ascii_end()
        };
        if let Some(l) = node.whole.get(whole) {
            hits.insert(*l);
        }
        for &l in &node.literals {
            if self.literals[l as usize].found_in(value, string) {
                hits.insert(l);
            }
        }
    }

    /// The patterns `text` could match: its literals searched in one walk of it.
    pub(crate) fn candidates<'h>(&self, text: &[u8], hits: &'h mut Hits) -> Candidates<'h> {
        if self.literals.is_empty() {
            return Candidates::All;
        }
        hits.clear();
        let start = scan::skip_space(text, 0);
        self.value(hits, 0, &text[start..]);
        if self.enters() && text.get(start) == Some(&b'{') {
            let mut frames = std::mem::take(&mut hits.frames);
            // A value the event's own scan found balanced; damage here means the
            // text is not JSON, which the parser refuses: nothing more to find.
            let mut search = Search {
                prefilter: self,
                hits,
                text,
            };
            let _ = scan::walk(text, start, 0, &mut search, &mut frames);
            hits.frames = frames;
        }
        self.found(hits)
    }

    /// The patterns an event could match, from the literals found in it (by
    /// [`Prefilter::candidates`], or by a walk that asked [`Prefilter::key`] and told
    /// [`Prefilter::value`]).
    pub(crate) fn found<'h>(&self, hits: &'h mut Hits) -> Candidates<'h> {
        if self.literals.is_empty() || hits.escaped {
            return Candidates::All;
        }
        let Hits {
            ids, words, out, ..
        } = hits;
        let has = |l: u32| words[(l / 64) as usize] & (1u64 << (l % 64)) != 0;
        out.clear();
        out.extend_from_slice(&self.always);
        for &l in ids.iter() {
            for &p in &self.users[l as usize] {
                if !out.contains(&p) {
                    if let Some(cnf) = &self.required[p as usize] {
                        if cnf.iter().all(|c| c.iter().any(|l| has(*l))) {
                            out.push(p);
                        }
                    }
                }
            }
        }
        out.sort_unstable();
        Candidates::Some(out)
    }
}

impl Literal {
    /// Is this literal in `value` (the raw text of the value it is checked on, a
    /// `string` or not, without an escape that could spell anything), or could it be?
    /// Literals compared whole are looked up by text instead.
    fn found_in(&self, value: &[u8], string: bool) -> bool {
        let t = self.text.as_slice();
        let find = |h: &[u8]| match &self.finder {
            Some(f) => f.find(h).is_some(),
            None => memchr::memmem::find(h, t).is_some(),
        };
        match self.how {
            How::Anywhere => has_opaque_escape(value) || find(value),
            _ if !string => false,
            How::Whole => value == t,
            How::Start => value.starts_with(t),
            How::End => value.ends_with(t),
            How::Inside => find(&value[1..value.len() - 1]),
        }
    }
}

/// Does the text have a `\u` or `\/` escape (which may spell a literal's characters
/// differently)? An escaped backslash (`\\`) is not one.
fn has_opaque_escape(text: &[u8]) -> bool {
    let mut from = 0;
    while let Some(i) = memchr::memchr(b'\\', &text[from..]) {
        let at = from + i;
        match text.get(at + 1) {
            Some(b'u') | Some(b'/') => return true,
            Some(_) => from = at + 2,
            None => return false,
        }
        if from >= text.len() {
            return false;
        }
    }
    false
}

/// The selector tree and the literals, while they are being built.
struct Tree {
    nodes: Vec<Node>,
    literals: Vec<Literal>,
}

impl Tree {
    /// The node of the property names `path` leads by from the event.
    fn node(&mut self, path: &[&str]) -> usize {
        let mut n = 0;
        for key in path {
            let name = Name::new(key.as_bytes());
            n = match self.nodes[n]
                .children
                .iter()
                .find(|(k, _)| k.is(&name.text, name.head))
            {
                Some((_, c)) => *c,
                None => {
                    self.nodes.push(Node::default());
                    let c = self.nodes.len() - 1;
                    self.nodes[n].children.push((name, c));
                    c
                }
            };
        }
        n
    }

    /// The id of the literal `text` checked on `node` as `how`, added if new.
    fn intern(&mut self, text: Vec<u8>, node: usize, how: How) -> u32 {
        let same = |l: &Literal| l.text == text && l.node == node && l.how == how;
        match self.literals.iter().position(same) {
            Some(i) => i as u32,
            None => {
                // Searched for inside a value: its searcher is built once.
                let finder = matches!(how, How::Anywhere | How::Inside)
                    .then(|| memchr::memmem::Finder::new(&text).into_owned());
                self.literals.push(Literal {
                    text,
                    node,
                    how,
                    finder,
                });
                (self.literals.len() - 1) as u32
            }
        }
    }
}

/// What an expression requires of an event's text; `None`: nothing (it may match
/// an event without any literal).
fn requirement(e: &JsonExpr, tree: &mut Tree) -> Option<Cnf> {
    match e {
        JsonExpr::Cond(c) => {
            let (text, how) = literal(&c.test)?;
            // The leading property names: a literal is checked on their value.
            let names: Vec<&str> = c
                .selector
                .steps
                .iter()
                .map_while(|s| match s {
                    Step::Key(k) => Some(k.as_str()),
                    _ => None,
                })
                .collect();
            let how = if names.len() < c.selector.steps.len() {
                How::Anywhere
            } else {
                how
            };
            let node = tree.node(&names);
            Some(vec![vec![tree.intern(text, node, how)]])
        }
        JsonExpr::And(v, _) => {
            let all: Cnf = v
                .iter()
                .filter_map(|x| requirement(x, tree))
                .flatten()
                .collect();
            (!all.is_empty()).then_some(all)
        }
        JsonExpr::Or(v, _) => {
            let mut clause: Vec<u32> = Vec::new();
            for x in v {
                let cnf = requirement(x, tree)?;
                // The clause whose shortest literal is longest: the most selective.
                let best = cnf.into_iter().max_by_key(|c| {
                    c.iter()
                        .map(|l| tree.literals[*l as usize].text.len())
                        .min()
                        .unwrap_or(0)
                })?;
                clause.extend(best);
            }
            clause.sort_unstable();
            clause.dedup();
            Some(vec![clause])
        }
    }
}

/// The literal a condition's test requires of the selected value's text, if any, and
/// how it is compared when the selector is names only.
fn literal(test: &Test) -> Option<(Vec<u8>, How)> {
    match test {
        Test::IsTrue => Some((b"true".to_vec(), How::Whole)),
        Test::IsFalse => Some((b"false".to_vec(), How::Whole)),
        Test::IsNull => Some((b"null".to_vec(), How::Whole)),
        Test::NotExists => None,
        Test::Compare(CmpOp::Eq, Value::Str(m)) => {
            let (s, how) = match m {
                StrMatch::Any => return None,
                StrMatch::Exact(s) => (s, How::Whole),
                StrMatch::Prefix(s) => (s, How::Start),
                StrMatch::Suffix(s) => (s, How::End),
                StrMatch::Contains(s) => (s, How::Inside),
            };
            // A number's text could be this string: the raw bytes may spell it otherwise.
            if s.bytes()
                .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
            {
                return None;
            }
            let mut out = Vec::with_capacity(s.len() + 2);
            if matches!(how, How::Whole | How::Start) {
                out.push(b'"');
            }
            escape_into(s, &mut out);
            if matches!(how, How::Whole | How::End) {
                out.push(b'"');
            }
            Some((out, how))
        }
        Test::Compare(..) => None,
    }
}

/// `s` as the inside of a JSON string, with the escapes every encoder uses.
fn escape_into(s: &str, out: &mut Vec<u8>) {
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            // Only ever written as `\u00XX`: events with `\u` are evaluated whole.
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes())
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(p: &str) -> Vec<String> {
        let set = Prefilter::new(&[FilterPattern::parse(p).expect("pattern")]);
        set.literals()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect()
    }

    fn required(p: &str) -> bool {
        !Prefilter::new(&[FilterPattern::parse(p).expect("pattern")]).is_empty()
    }

    #[test]
    fn literals_are_what_a_match_needs_in_the_text() {
        assert_eq!(
            lits(r#"{ $.eventName = "ConsoleLogin" }"#),
            [r#""ConsoleLogin""#]
        );
        assert_eq!(
            lits(r#"{ $.errorCode = "*UnauthorizedOperation" || $.errorCode = "AccessDenied*" }"#),
            [r#"UnauthorizedOperation""#, r#""AccessDenied"#]
        );
        assert_eq!(lits(r#"{ $.a = "*x\"y*" }"#), [r#"x\"y"#]);
        assert_eq!(lits("{ $.a IS TRUE }"), ["true"]);
        // Absence, difference, numbers, regexes and number-like strings give none.
        for p in [
            "{ $.a NOT EXISTS }",
            r#"{ $.a != "x" }"#,
            "{ $.a = 1 }",
            r#"{ $.a = "12*" }"#,
            r#"{ $.a = "1e3" }"#,
            "{ $.a = %ab+% }",
            r#"{ $.a = "*" }"#,
            r#"{ $.a = "x" || $.b != "y" }"#,
            "ERROR",
            "[a, b]",
        ] {
            assert!(!required(p), "{p}");
        }
        // One positive operand of `&&` is enough.
        assert!(required(r#"{ $.a = "x" && $.b NOT EXISTS }"#));
    }

    /// The candidates of `event` for `pattern`; `None`: every pattern.
    fn candidates(pattern: &str, event: &str) -> Option<Vec<u32>> {
        let set = Prefilter::new(&[FilterPattern::parse(pattern).expect("pattern")]);
        match set.candidates(event.as_bytes(), &mut set.hits()) {
            Candidates::All => None,
            Candidates::Some(c) => Some(c.to_vec()),
        }
    }

    #[test]
    fn literals_are_checked_on_the_values_their_selectors_pick() {
        let p = r#"{ $.eventName = "ConsoleLogin" || $.userIdentity.type = "Root*" }"#;
        for event in [
            r#"{"eventName": "ConsoleLogin"}"#,
            r#"{"userIdentity": {"arn": "x", "type" : "RootUser"}}"#,
            // A repeated key: each of its values is checked.
            r#"{"eventName": "ConsoleLogin", "eventName": "x"}"#,
            r#"{"eventName": "x", "eventName": "ConsoleLogin"}"#,
            // An escape that can spell the literal.
            r#"{"eventName": "\u0043onsoleLogin"}"#,
        ] {
            assert_eq!(candidates(p, event), Some(vec![0]), "{event}");
        }
        for event in [
            r#"{"requestParameters": {"eventName": "ConsoleLogin"}}"#,
            r#"{"userIdentity": {"arn": "Root"}, "type": "Root"}"#,
            r#"{"eventName": ["ConsoleLogin"]}"#,
            r#"{"userIdentity": "Root"}"#,
            r#"{"eventName": "ConsoleLoginX"}"#,
            // Names that share the selector's first eight bytes, or its length.
            r#"{"eventNamX": "ConsoleLogin", "eventNames": "ConsoleLogin"}"#,
            r#"{"eventXame": "ConsoleLogin", "eventNam": "ConsoleLogin"}"#,
        ] {
            assert_eq!(candidates(p, event), Some(vec![]), "{event}");
        }
        // A property name with an escape the scan would descend by: the scan cannot tell.
        assert_eq!(candidates(p, r#"{"event\u004eame": "x"}"#), None);
        // Index and wildcard steps: found anywhere in the value their names pick.
        let p = r#"{ $.resources[0].ARN = "*bucket*" }"#;
        assert_eq!(
            candidates(p, r#"{"resources": [{"ARN": "a:bucket"}]}"#),
            Some(vec![0])
        );
        assert_eq!(
            candidates(p, r#"{"other": "bucket", "resources": []}"#),
            Some(vec![])
        );
        assert_eq!(
            candidates(r#"{ $.a IS TRUE }"#, r#"{"a": true }"#),
            Some(vec![0])
        );
        assert_eq!(
            candidates(r#"{ $.a IS TRUE }"#, r#"{"a": "true"}"#),
            Some(vec![])
        );
    }

    #[test]
    fn every_name_of_a_wide_selector_tree_is_found() {
        // Forty names under the event and under one member: the slot table's probes.
        let patterns: Vec<FilterPattern> = (0..40)
            .flat_map(|i| {
                [
                    format!(r#"{{ $.name{i} = "v" }}"#),
                    format!(r#"{{ $.inner.longer_name_{i} = "v" }}"#),
                ]
            })
            .map(|p| FilterPattern::parse(&p).expect("pattern"))
            .collect();
        let set = Prefilter::new(&patterns);
        let mut hits = set.hits();
        let mut candidates = |event: String| match set.candidates(event.as_bytes(), &mut hits) {
            Candidates::All => None,
            Candidates::Some(c) => Some(c.to_vec()),
        };
        for i in 0..40u32 {
            let event = format!(r#"{{"name{i}": "v", "inner": {{"longer_name_{i}": "v"}}}}"#);
            assert_eq!(candidates(event), Some(vec![2 * i, 2 * i + 1]), "{i}");
        }
        for event in [
            r#"{"name40": "v", "inner": {"longer_name_40": "v", "name1": "v"}}"#,
            r#"{"longer_name_1": "v", "inner": {"longer_name_1x": "v"}}"#,
        ] {
            assert_eq!(candidates(event.to_string()), Some(vec![]), "{event}");
        }
    }

    #[test]
    fn escapes_that_can_spell_anything_skip_the_prefilter() {
        assert!(has_opaque_escape(br#"{"a":"\u0041"}"#));
        assert!(has_opaque_escape(br#"{"a":"x\/y"}"#));
        assert!(!has_opaque_escape(br#"{"a":"x\\u"}"#));
        assert!(!has_opaque_escape(br#"{"a":"x\"u"}"#));
        assert!(!has_opaque_escape(br#"{"a":"x\\"}"#));
    }
}
