//! Facts about one value: which combinations of the tests applied to a single
//! property, delimited field or message are possible, each with an example
//! value ("cells"). A value has one kind (missing, null, boolean, object,
//! array, string or number) and one text, so `= "x"` and `= "y"` exclude each
//! other, `!= "x" || != "y"` is `= *`, `>= 10 && <= 10` is `= 10`; wildcard
//! and regex tests are decided exactly with automata (see `automata`).

use foldhash::{HashMap, HashSet, HashSetExt};

use serde_json::{Map, Value as Json};

use super::ast::*;
use super::automata;
use super::eval::{compare_text, text_number};
use super::sem::{ATest, AVal};

/// Regexes of the patterns being compared, by source text.
pub(crate) type Regexes = HashMap<String, PatRegex>;

/// A test in a domain.
#[derive(Debug, Clone, Copy)]
pub(crate) enum DTest<'a> {
    /// A JSON property test or a delimited-field test.
    Value(&'a ATest),
    /// The message contains this text.
    Contains(&'a str),
    /// The message matches this regex.
    Search(&'a str),
}

/// One possible combination of the tests of a domain.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    /// The value of each test, in domain order.
    pub bits: Vec<bool>,
    /// A value realizing it (`None` inside: the property is missing); `None`
    /// when the combination could not be excluded but no value was found.
    pub value: Option<Option<Json>>,
}

/// Evaluate a test on a single (possibly absent) value.
pub(crate) fn eval(t: DTest<'_>, v: Option<&Json>, rx: &Regexes) -> bool {
    match t {
        DTest::Contains(s) => matches!(v, Some(Json::String(m)) if m.contains(s)),
        DTest::Search(r) => {
            matches!((v, rx.get(r)), (Some(Json::String(m)), Some(re)) if re.is_match(m))
        }
        DTest::Value(t) => {
            let Some(v) = v else {
                return matches!(t, ATest::NotExists);
            };
            match t {
                ATest::NotExists => false,
                ATest::IsNull => v.is_null(),
                ATest::IsTrue => *v == Json::Bool(true),
                ATest::IsFalse => *v == Json::Bool(false),
                ATest::IsObject => v.is_object(),
                ATest::IsArray => v.is_array(),
                ATest::Cmp(op, val) => {
                    let val = match val {
                        AVal::Str(m) => Value::Str(m.clone()),
                        AVal::Num(n) => Value::Num(*n),
                        AVal::Regex(r) => match rx.get(r) {
                            Some(re) => Value::Regex(re.clone()),
                            None => return false,
                        },
                    };
                    match v {
                        Json::String(s) => compare_text(*op, &val, s, text_number(s)),
                        Json::Number(n) => compare_text(*op, &val, &n.to_string(), n.as_f64()),
                        _ => false,
                    }
                }
            }
        }
    }
}

/// The language a test reads on a string, and whether the test is its negation.
fn language(t: DTest<'_>) -> Option<(String, bool)> {
    match t {
        DTest::Contains(s) => Some((automata::contains_source(s), false)),
        DTest::Search(r) => Some((automata::regex_search_source(r), false)),
        DTest::Value(ATest::Cmp(op, AVal::Str(m))) => {
            Some((automata::str_lang_source(m), *op == CmpOp::Ne))
        }
        DTest::Value(ATest::Cmp(op, AVal::Regex(r))) => {
            Some((automata::regex_search_source(r), *op == CmpOp::Ne))
        }
        _ => None,
    }
}

fn numeric(t: DTest<'_>) -> Option<f64> {
    match t {
        DTest::Value(ATest::Cmp(_, AVal::Num(n))) => Some(n.get()),
        _ => None,
    }
}

/// Readable strings worth trying first, from the constants of the tests.
fn plausible(tests: &[DTest<'_>], rx: &Regexes) -> Vec<String> {
    let mut out = Vec::new();
    for t in tests {
        match t {
            DTest::Contains(s) => out.push(s.to_string()),
            DTest::Search(r) => out.extend(rx.get(*r).and_then(|r| regex_sample(&r.source))),
            DTest::Value(ATest::Cmp(_, AVal::Str(m))) => match m {
                StrMatch::Any => {}
                StrMatch::Exact(s) => out.extend([s.clone(), format!("Not{s}")]),
                StrMatch::Prefix(s) => out.extend([s.clone(), format!("{s}Example")]),
                StrMatch::Suffix(s) => out.extend([s.clone(), format!("Example{s}")]),
                StrMatch::Contains(s) => out.extend([s.clone(), format!("Example{s}")]),
            },
            DTest::Value(ATest::Cmp(_, AVal::Regex(r))) => {
                out.extend(rx.get(r).and_then(|r| regex_sample(&r.source)))
            }
            _ => {}
        }
    }
    out.extend(["example".to_string(), String::new()]);
    out
}

/// Texts of numbers around the constants of numeric tests, in several spellings,
/// and one representative number per region between constants.
fn numeric_regions(tests: &[DTest<'_>]) -> Vec<f64> {
    let mut cs: Vec<f64> = tests.iter().filter_map(|t| numeric(*t)).collect();
    cs.sort_by(|a, b| a.total_cmp(b));
    cs.dedup();
    let mut reps = Vec::new();
    if let Some(first) = cs.first() {
        reps.push(first - 1.0);
    }
    for (i, c) in cs.iter().enumerate() {
        reps.push(*c);
        if let Some(next) = cs.get(i + 1) {
            reps.push(c + (next - c) / 2.0);
        }
    }
    if let Some(last) = cs.last() {
        reps.push(last + 1.0);
    }
    reps.extend([f64::INFINITY, f64::NEG_INFINITY]);
    reps
}

fn spellings(x: f64) -> Vec<String> {
    if x.is_infinite() {
        return vec![if x > 0.0 { "1e400" } else { "-1e400" }.to_string()];
    }
    let canon = Num::new(x).map(|n| n.to_string()).unwrap_or_default();
    let mut out = vec![canon.clone()];
    if let Some(n) = serde_json::Number::from_f64(x) {
        out.push(n.to_string());
    }
    out.extend([
        format!("+{canon}"),
        format!("{canon}.0"),
        format!("{canon}e0"),
        format!("0{canon}"),
        format!(" {canon}"),
        format!("{canon} "),
    ]);
    out
}

/// Every possible combination of `tests` on one value (JSON values when
/// `json`, otherwise strings only).
pub(crate) fn cells(
    tests: &[DTest<'_>],
    json: bool,
    rx: &Regexes,
) -> Result<Vec<Cell>, automata::AutomatonError> {
    let mut out: Vec<Cell> = Vec::new();
    let mut seen: HashSet<Vec<bool>> = HashSet::new();
    let mut add = |v: Option<Json>, out: &mut Vec<Cell>| {
        let bits: Vec<bool> = tests.iter().map(|t| eval(*t, v.as_ref(), rx)).collect();
        if seen.insert(bits.clone()) {
            out.push(Cell {
                bits,
                value: Some(v),
            });
        }
    };
    if json {
        for v in [
            None,
            Some(Json::Null),
            Some(Json::Bool(true)),
            Some(Json::Bool(false)),
            Some(Json::Object(Map::new())),
            Some(Json::Array(Vec::new())),
        ] {
            add(v, &mut out);
        }
    }
    let has_num = tests.iter().any(|t| numeric(*t).is_some());
    let mut sources: Vec<String> = Vec::new();
    let mut lang_of: Vec<Option<(usize, bool)>> = Vec::new();
    let mut exact: Vec<Option<&str>> = Vec::new();
    let mut only_literals = true;
    for t in tests {
        exact.push(match t {
            DTest::Value(ATest::Cmp(CmpOp::Eq, AVal::Str(StrMatch::Exact(s)))) => Some(s.as_str()),
            _ => None,
        });
        match language(*t) {
            Some((src, neg)) => {
                if !matches!(
                    t,
                    DTest::Value(ATest::Cmp(_, AVal::Str(StrMatch::Exact(_) | StrMatch::Any)))
                ) {
                    only_literals = false;
                }
                let i = match sources.iter().position(|s| *s == src) {
                    Some(i) => i,
                    None => {
                        sources.push(src);
                        sources.len() - 1
                    }
                };
                lang_of.push(Some((i, neg)));
            }
            None => lang_of.push(None),
        }
    }
    let mut candidates: Vec<String> = plausible(tests, rx);
    if only_literals && !has_num {
        // Exact strings: each constant is its own cell, and one other string.
        let consts: HashSet<&str> = exact.iter().flatten().copied().collect();
        let mut fresh = candidates
            .iter()
            .find(|c| !consts.contains(c.as_str()) && !c.is_empty())
            .cloned()
            .unwrap_or_else(|| "example".to_string());
        while consts.contains(fresh.as_str()) {
            fresh.push('X');
        }
        candidates.push(fresh);
        for c in candidates {
            add(Some(Json::String(c)), &mut out);
        }
        return Ok(out);
    }
    let combos = if sources.is_empty() {
        // Numbers only: strings that read as a number, and strings that do not.
        vec![
            automata::Combo {
                accepts: vec![true],
                witness: "0".to_string(),
            },
            automata::Combo {
                accepts: vec![false],
                witness: "example".to_string(),
            },
        ]
    } else {
        let mut all = sources.clone();
        if has_num {
            all.push(automata::NUMERIC_SOURCE.to_string());
        }
        automata::combos(&all).as_ref().clone()?
    };
    candidates.extend(combos.iter().map(|c| c.witness.clone()));
    if has_num {
        for x in numeric_regions(tests) {
            candidates.extend(spellings(x));
        }
    }
    for c in candidates {
        add(Some(Json::String(c)), &mut out);
    }
    if has_num {
        // A combination of text tests that some number-like string satisfies,
        // in a numeric region no candidate reached: only exclude it when an
        // exact string pins the text.
        let string_cells: Vec<&Vec<bool>> = out.iter().map(|c| &c.bits).collect();
        let mut assumed = Vec::new();
        for combo in combos.iter().filter(|c| c.accepts.last() == Some(&true)) {
            let text_bits: Vec<Option<bool>> = lang_of
                .iter()
                .map(|l| l.map(|(i, neg)| combo.accepts[i] != neg))
                .collect();
            let pinned = exact
                .iter()
                .zip(&text_bits)
                .any(|(e, b)| e.is_some() && *b == Some(true));
            if pinned {
                continue;
            }
            for x in numeric_regions(tests) {
                let bits: Vec<bool> = tests
                    .iter()
                    .zip(&text_bits)
                    .map(|(t, tb)| match (tb, t) {
                        (Some(b), _) => *b,
                        (None, DTest::Value(ATest::Cmp(op, AVal::Num(n)))) => {
                            compare_text(*op, &Value::Num(*n), "", Some(x))
                        }
                        _ => false,
                    })
                    .collect();
                if !string_cells.contains(&&bits) && !assumed.contains(&bits) {
                    assumed.push(bits);
                }
            }
        }
        out.extend(assumed.into_iter().map(|bits| Cell { bits, value: None }));
    }
    Ok(out)
}

/// A short string the regex matches (first alternative, minimum repetitions).
pub(crate) fn regex_sample(source: &str) -> Option<String> {
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
