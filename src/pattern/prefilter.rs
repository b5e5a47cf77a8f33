//! Matching raw event text without parsing what cannot match: from each compiled
//! JSON pattern, the literals an event's text must contain for the pattern to match
//! it (`$.eventName = "ConsoleLogin"` needs `"ConsoleLogin"` somewhere in the text),
//! found in the raw bytes with one Aho-Corasick pass; only the events in which some
//! pattern's literals all occur are parsed, and then only the top-level properties
//! the patterns read ([`super::PatternSet::matches`]).
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
//! The literals are JSON-escaped the way every encoder writes the characters that
//! must be escaped (`\"`, `\\`, `\n`, ...). An event whose text has a `\u` or `\/`
//! escape (which can spell any character) skips the prefilter and is evaluated
//! whole, so results are always those of the full matcher.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use super::ast::{CmpOp, JsonExpr, Pattern, StrMatch, Test, Value};
use super::FilterPattern;

/// A conjunction of clauses; each clause lists literal ids of which one must occur.
type Cnf = Vec<Vec<u32>>;

/// The literals of a set of patterns and what each pattern requires of them.
#[derive(Debug)]
pub(crate) struct Prefilter {
    /// Every distinct literal, found in one pass.
    search: Option<AhoCorasick>,
    /// The literals, by id.
    literals: Vec<Vec<u8>>,
    /// Per pattern: what it requires; `None`: it is evaluated on every event.
    required: Vec<Option<Cnf>>,
    /// Per literal: the patterns whose requirement names it.
    users: Vec<Vec<u32>>,
    /// The patterns evaluated on every event.
    always: Vec<u32>,
}

/// The literals one event's text contains, as a set of literal ids.
#[derive(Debug, Default)]
pub(crate) struct Hits {
    words: Vec<u64>,
    ids: Vec<u32>,
}

impl Hits {
    fn clear(&mut self) {
        for &i in &self.ids {
            self.words[(i / 64) as usize] = 0;
        }
        self.ids.clear();
    }
    fn insert(&mut self, i: u32) {
        let (w, b) = ((i / 64) as usize, 1u64 << (i % 64));
        if self.words[w] & b == 0 {
            self.words[w] |= b;
            self.ids.push(i);
        }
    }
    fn contains(&self, i: u32) -> bool {
        self.words[(i / 64) as usize] & (1u64 << (i % 64)) != 0
    }
}

/// Which patterns an event could match, after the literal search.
pub(crate) enum Candidates {
    /// Every pattern must be evaluated (an escape the literals cannot see through).
    All,
    /// Only these (sorted, without repeats); empty: the event matches none.
    Some(Vec<u32>),
}

impl Prefilter {
    pub(crate) fn new(patterns: &[FilterPattern]) -> Prefilter {
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut required = Vec::with_capacity(patterns.len());
        for p in patterns {
            required.push(match p.ast() {
                Pattern::Json(e) => requirement(e, &mut literals),
                _ => None,
            });
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
        let search = (!literals.is_empty())
            .then(|| {
                // A DFA: one table lookup per byte, whatever the number of literals.
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&literals)
                    .ok()
            })
            .flatten();
        if search.is_none() {
            // Without a searcher no requirement can be checked.
            always = (0..patterns.len() as u32).collect();
            required.iter_mut().for_each(|r| *r = None);
        }
        Prefilter {
            search,
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
            ids: Vec::new(),
        }
    }

    /// Does no pattern have a requirement (every event is evaluated in full)?
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.always.len() == self.required.len()
    }

    /// The literals (for tests and documentation).
    pub(crate) fn literals(&self) -> impl Iterator<Item = &[u8]> {
        self.literals.iter().map(Vec::as_slice)
    }

    /// The patterns evaluated on every event.
    pub(crate) fn unfiltered(&self) -> &[u32] {
        &self.always
    }

    /// The patterns `text` could match.
    pub(crate) fn candidates(&self, text: &[u8], hits: &mut Hits) -> Candidates {
        let Some(search) = &self.search else {
            return Candidates::All;
        };
        if has_opaque_escape(text) {
            return Candidates::All;
        }
        hits.clear();
        for m in search.find_overlapping_iter(text) {
            hits.insert(m.pattern().as_u32());
        }
        let mut out = self.always.clone();
        for &l in &hits.ids {
            for &p in &self.users[l as usize] {
                if !out.contains(&p) {
                    if let Some(cnf) = &self.required[p as usize] {
                        if cnf.iter().all(|c| c.iter().any(|l| hits.contains(*l))) {
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

/// The id of `lit`, added if new.
fn intern(lit: Vec<u8>, literals: &mut Vec<Vec<u8>>) -> u32 {
    match literals.iter().position(|l| *l == lit) {
        Some(i) => i as u32,
        None => {
            literals.push(lit);
            (literals.len() - 1) as u32
        }
    }
}

/// What an expression requires of an event's text; `None`: nothing (it may match
/// an event without any literal).
fn requirement(e: &JsonExpr, literals: &mut Vec<Vec<u8>>) -> Option<Cnf> {
    match e {
        JsonExpr::Cond(c) => literal(&c.test).map(|l| vec![vec![intern(l, literals)]]),
        JsonExpr::And(v, _) => {
            let all: Cnf = v
                .iter()
                .filter_map(|x| requirement(x, literals))
                .flatten()
                .collect();
            (!all.is_empty()).then_some(all)
        }
        JsonExpr::Or(v, _) => {
            let mut clause: Vec<u32> = Vec::new();
            for x in v {
                let cnf = requirement(x, literals)?;
                // The clause whose shortest literal is longest: the most selective.
                let best = cnf.into_iter().max_by_key(|c| {
                    c.iter()
                        .map(|l| literals[*l as usize].len())
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

/// The literal a condition's test requires of the event's text, if any.
fn literal(test: &Test) -> Option<Vec<u8>> {
    match test {
        Test::IsTrue => Some(b"true".to_vec()),
        Test::IsFalse => Some(b"false".to_vec()),
        Test::IsNull => Some(b"null".to_vec()),
        Test::NotExists => None,
        Test::Compare(CmpOp::Eq, Value::Str(m)) => {
            let (s, open, close) = match m {
                StrMatch::Any => return None,
                StrMatch::Exact(s) => (s, true, true),
                StrMatch::Prefix(s) => (s, true, false),
                StrMatch::Suffix(s) => (s, false, true),
                StrMatch::Contains(s) => (s, false, false),
            };
            // A number's text could be this string: the raw bytes may spell it otherwise.
            if s.bytes()
                .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
            {
                return None;
            }
            let mut out = Vec::with_capacity(s.len() + 2);
            if open {
                out.push(b'"');
            }
            escape_into(s, &mut out);
            if close {
                out.push(b'"');
            }
            Some(out)
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

    #[test]
    fn escapes_that_can_spell_anything_skip_the_prefilter() {
        assert!(has_opaque_escape(br#"{"a":"\u0041"}"#));
        assert!(has_opaque_escape(br#"{"a":"x\/y"}"#));
        assert!(!has_opaque_escape(br#"{"a":"x\\u"}"#));
        assert!(!has_opaque_escape(br#"{"a":"x\"u"}"#));
        assert!(!has_opaque_escape(br#"{"a":"x\\"}"#));
    }
}
