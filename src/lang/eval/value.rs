//! Values seen by the evaluator: borrowed entity JSON with its path, lists of such
//! values, and the few small values the evaluator computes (numbers, booleans).

use super::path::{index, Item};
use crate::lang::ast::LiteralKind;
use crate::lang::printer::{number, short};
use serde_json::Value as Json;
use std::cmp::Ordering;

/// What a subject and its postfix operations evaluate to.
#[derive(Debug, Clone)]
pub enum Val<'a> {
    /// The path does not exist. `hint` names a near miss (`did you mean`).
    Missing {
        /// Where it was looked for.
        path: String,
        /// A near-miss property name.
        hint: Option<String>,
    },
    /// One JSON value.
    Json(Item<'a>),
    /// Several values: a path through a list, or the result of `with [..]`.
    List {
        /// The values.
        items: Vec<Item<'a>>,
        /// How they were reached (`metricFilters[].filterPattern`).
        path: String,
        /// Values of a path through a list (as a condition: any value is true), rather
        /// than a collection such as `with`'s result (as a condition: non-empty).
        projection: bool,
    },
    /// A computed number (`length()`).
    Num(f64),
    /// A computed boolean (`isEmpty()`, `contain [..]`, `before(..)`).
    Bool(bool),
}

impl<'a> Val<'a> {
    /// The path the value was read from, if it came from the entity.
    pub fn path(&self) -> Option<&str> {
        match self {
            Val::Missing { path, .. } | Val::List { path, .. } => Some(path),
            Val::Json(it) => Some(&it.path),
            Val::Num(_) | Val::Bool(_) => None,
        }
    }

    /// The elements a list operator iterates over: a list's elements; nothing for a
    /// missing or null value; any other JSON value is a one-element list. `None` for a
    /// computed number or boolean.
    pub fn elements(&self) -> Option<Vec<Item<'a>>> {
        self.elements_with(true)
    }

    /// [`Val::elements`]; each element's path left empty unless `paths`.
    pub(crate) fn elements_with(&self, paths: bool) -> Option<Vec<Item<'a>>> {
        match self {
            Val::Missing { .. } => Some(Vec::new()),
            Val::Json(it) => Some(match it.v {
                Json::Null => Vec::new(),
                Json::Array(a) => a
                    .iter()
                    .enumerate()
                    .map(|(i, v)| Item {
                        v,
                        path: if paths {
                            index(&it.path, i)
                        } else {
                            String::new()
                        },
                    })
                    .collect(),
                _ => vec![it.clone()],
            }),
            Val::List { items, .. } => Some(items.clone()),
            Val::Num(_) | Val::Bool(_) => None,
        }
    }

    /// The scalars a comparison looks at (any of them may satisfy it): the elements of
    /// a list or JSON array, else the value itself.
    pub fn scalars(&self) -> Vec<Sc<'a>> {
        match self {
            Val::Missing { .. } => vec![Sc::Null],
            Val::Json(it) => match it.v {
                Json::Array(a) => a.iter().map(Sc::of).collect(),
                v => vec![Sc::of(v)],
            },
            Val::List { items, .. } => items.iter().map(|it| Sc::of(it.v)).collect(),
            Val::Num(n) => vec![Sc::Num(*n)],
            Val::Bool(b) => vec![Sc::Bool(*b)],
        }
    }

    /// True when the value is a list of values (a list, a JSON array, a projection).
    pub fn is_many(&self) -> bool {
        matches!(self, Val::List { .. }) || matches!(self, Val::Json(it) if it.v.is_array())
    }

    /// The value as compact JSON for evidence: scalars as they are (long strings
    /// cut), small lists and objects copied, bigger ones summarised.
    pub fn evidence(&self) -> Json {
        match self {
            Val::Missing { .. } => Json::Null,
            Val::Json(it) => compact(it.v, 0),
            Val::List { items, .. } => {
                let mut v: Vec<Json> = items.iter().take(5).map(|it| compact(it.v, 1)).collect();
                if items.len() > 5 {
                    v.push(Json::String(format!("… {} more", items.len() - 5)));
                }
                Json::Array(v)
            }
            Val::Num(n) => number_json(*n),
            Val::Bool(b) => Json::Bool(*b),
        }
    }

    /// A short human rendering for notes.
    pub fn display(&self) -> String {
        match self {
            Val::Missing { .. } => "missing".into(),
            Val::Json(it) => display_json(it.v),
            Val::List { items, .. } => format!("{} value(s)", items.len()),
            Val::Num(n) => number(*n),
            Val::Bool(b) => b.to_string(),
        }
    }
}

/// A number as JSON: whole numbers as integers (`1`, not `1.0`).
pub fn number_json(n: f64) -> Json {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 9.0e15 {
        Json::from(n as i64)
    } else {
        serde_json::Number::from_f64(n)
            .map(Json::Number)
            .unwrap_or(Json::Null)
    }
}

/// A short human rendering of a JSON value.
pub fn display_json(v: &Json) -> String {
    match v {
        Json::String(s) => format!("'{}'", short(s, 80)),
        Json::Array(a) => format!("a list of {}", a.len()),
        Json::Object(o) => format!("an object with {} properties", o.len()),
        other => other.to_string(),
    }
}

fn compact(v: &Json, depth: usize) -> Json {
    match v {
        Json::String(s) if s.chars().count() > 200 => Json::String(short(s, 200)),
        Json::Array(a)
            if depth >= 1 || a.len() > 5 || a.iter().any(|e| e.is_array() || e.is_object()) =>
        {
            Json::String(format!("[… {} elements]", a.len()))
        }
        Json::Object(o)
            if depth >= 1 || o.len() > 8 || o.values().any(|e| e.is_array() || e.is_object()) =>
        {
            Json::String(format!("{{… {} properties}}", o.len()))
        }
        Json::Array(a) => Json::Array(a.iter().map(|e| compact(e, depth + 1)).collect()),
        other => other.clone(),
    }
}

/// A scalar view of a value, for comparisons.
#[derive(Debug, Clone, Copy)]
pub enum Sc<'a> {
    /// Missing or JSON null.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Num(f64),
    /// A string.
    Str(&'a str),
    /// A JSON integer a 64-bit float does not hold exactly (beyond ±2^53): it equals
    /// and orders against no number, and is matched by `like` as written.
    Inexact(&'a serde_json::Number),
    /// An object or a nested list.
    Other,
}

/// The largest integer every smaller one of which a 64-bit float holds exactly.
const EXACT_INT: u64 = 1 << 53;

impl<'a> Sc<'a> {
    /// View a JSON value.
    pub fn of(v: &'a Json) -> Sc<'a> {
        match v {
            Json::Null => Sc::Null,
            Json::Bool(b) => Sc::Bool(*b),
            Json::Number(n) => {
                let exact = match (n.as_u64(), n.as_i64()) {
                    (Some(u), _) => u <= EXACT_INT,
                    (None, Some(i)) => i.unsigned_abs() <= EXACT_INT,
                    (None, None) => true,
                };
                match n.as_f64() {
                    Some(x) if exact => Sc::Num(x),
                    _ => Sc::Inexact(n),
                }
            }
            Json::String(s) => Sc::Str(s),
            Json::Array(_) | Json::Object(_) => Sc::Other,
        }
    }

    /// The text `like` / `regexMatch` look at: strings, numbers and booleans as written.
    pub fn text(&self) -> Option<String> {
        match self {
            Sc::Str(s) => Some((*s).to_string()),
            Sc::Num(n) => Some(number(*n)),
            Sc::Inexact(n) => Some(n.to_string()),
            Sc::Bool(b) => Some(b.to_string()),
            Sc::Null | Sc::Other => None,
        }
    }
}

/// `'true'` / `'false'` in any case.
pub fn bool_word(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Most significant digits of a string read as a number: every decimal of 15 digits
/// survives the trip through a 64-bit float and back.
pub const MAX_NUMERIC_DIGITS: usize = 15;

/// A string that is a number (`'14'`, ` 2.5 `, `-3e2`), exactly: decimal notation with
/// an optional sign, fraction and exponent, surrounding spaces ignored, no leading zero
/// (`'012'` is an identifier such as an account id, not twelve), and at most
/// [`MAX_NUMERIC_DIGITS`] significant digits (`'12345678901234567890'` is not a number
/// a float holds). See docs/language.md, "Comparisons".
pub fn numeric(s: &str) -> Option<f64> {
    let t = s.trim();
    let b = t.as_bytes();
    // The end of the run of digits from `i`.
    let digits_from = |i: usize| {
        i + b[i.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let int_start = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let mut i = digits_from(int_start);
    let int = &b[int_start..i];
    if int.is_empty() || (int.len() > 1 && int[0] == b'0') {
        return None;
    }
    let mut digits: Vec<u8> = int.to_vec();
    if b.get(i) == Some(&b'.') {
        let frac_start = i + 1;
        i = digits_from(frac_start);
        if i == frac_start {
            return None;
        }
        digits.extend_from_slice(&b[frac_start..i]);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_start = i;
        i = digits_from(exp_start);
        if i == exp_start {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    let first = digits.iter().position(|d| *d != b'0');
    let last = digits.iter().rposition(|d| *d != b'0');
    let significant = match (first, last) {
        (Some(f), Some(l)) => l - f + 1,
        _ => 0,
    };
    if significant > MAX_NUMERIC_DIGITS {
        return None;
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// `=` between a scalar and a literal (see docs/language.md, "Comparisons").
pub fn equals(a: Sc<'_>, lit: &LiteralKind) -> bool {
    match lit {
        LiteralKind::Null => matches!(a, Sc::Null),
        LiteralKind::Bool(b) => match a {
            Sc::Bool(x) => x == *b,
            Sc::Str(s) => bool_word(s) == Some(*b),
            _ => false,
        },
        LiteralKind::Number(n) => match a {
            Sc::Num(x) => x == *n,
            Sc::Str(s) => numeric(s) == Some(*n),
            _ => false,
        },
        LiteralKind::String(t) => match a {
            // Two strings are equal as text (or as the same boolean word), never as
            // numbers: '1.10' is not '1.1', '012345678901' is not '12345678901'.
            Sc::Str(s) => {
                if s == t {
                    return true;
                }
                matches!((bool_word(s), bool_word(t)), (Some(x), Some(y)) if x == y)
            }
            Sc::Num(x) => numeric(t) == Some(x),
            Sc::Bool(x) => bool_word(t) == Some(x),
            Sc::Null | Sc::Inexact(_) | Sc::Other => false,
        },
        LiteralKind::Tuple(items) => items.iter().any(|l| equals(a, &l.kind)),
        // The checker replaces parameters by their values: never compared.
        LiteralKind::Regex { .. } | LiteralKind::Param(_) => false,
    }
}

/// Ordering between a scalar and a literal: a number against a number or a numeric
/// string ([`numeric`]) numerically, two strings by code point (so RFC 3339 timestamps
/// order by time); anything else (null, booleans, objects, mixed) is unordered.
pub fn order(a: Sc<'_>, lit: &LiteralKind) -> Option<Ordering> {
    let nums = match (a, lit) {
        (Sc::Num(x), LiteralKind::Number(y)) => Some((x, *y)),
        (Sc::Num(x), LiteralKind::String(t)) => numeric(t).map(|y| (x, y)),
        (Sc::Str(s), LiteralKind::Number(y)) => numeric(s).map(|x| (x, *y)),
        _ => None,
    };
    if let Some((x, y)) = nums {
        return x.partial_cmp(&y);
    }
    match (a, lit) {
        (Sc::Str(s), LiteralKind::String(t)) => Some(s.cmp(t.as_str())),
        _ => None,
    }
}

/// Truth of a value used as a condition without a comparison: booleans (and
/// `'true'`/`'false'`) as themselves; missing, null, `''`, `[]`, `{}` false; other
/// strings, numbers, non-empty lists and objects true; a computed number is true when
/// non-zero. The values of a path through a list are true when any of them is; a
/// collection (`with`'s result, `items`) when it is non-empty.
pub fn truthy(v: &Val<'_>) -> bool {
    match v {
        Val::Missing { .. } => false,
        Val::Json(it) => match it.v {
            Json::Null => false,
            Json::Bool(b) => *b,
            Json::String(s) => bool_word(s).unwrap_or(!s.is_empty()),
            Json::Number(_) => true,
            Json::Array(a) => !a.is_empty(),
            Json::Object(o) => !o.is_empty(),
        },
        Val::List {
            items, projection, ..
        } => {
            if *projection {
                items.iter().any(|it| {
                    truthy(&Val::Json(Item {
                        v: it.v,
                        path: String::new(),
                    }))
                })
            } else {
                !items.is_empty()
            }
        }
        Val::Num(n) => *n != 0.0,
        Val::Bool(b) => *b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_equality() {
        assert!(equals(Sc::Str("TRUE"), &LiteralKind::Bool(true)));
        assert!(equals(Sc::Bool(true), &LiteralKind::String("True".into())));
        assert!(equals(Sc::Str("14"), &LiteralKind::Number(14.0)));
        assert!(equals(Sc::Num(14.0), &LiteralKind::String("14".into())));
        assert!(!equals(Sc::Str("Abc"), &LiteralKind::String("abc".into())));
        assert!(!equals(Sc::Null, &LiteralKind::String("".into())));
        assert_eq!(
            order(Sc::Str("9"), &LiteralKind::Number(10.0)),
            Some(Ordering::Less)
        );
        assert_eq!(order(Sc::Bool(true), &LiteralKind::Number(1.0)), None);
    }

    #[test]
    fn numeric_strings_are_exact_decimals() {
        for (s, n) in [
            ("14", Some(14.0)),
            (" 2.5 ", Some(2.5)),
            ("-3e2", Some(-300.0)),
            ("0", Some(0.0)),
            ("0.5", Some(0.5)),
            ("123456789012345", Some(123_456_789_012_345.0)),
            ("1.500000000000000000", Some(1.5)),
            ("012", None),
            ("012345678901", None),
            ("1234567890123456", None),
            ("12345678901234567890", None),
            (".5", None),
            ("5.", None),
            ("1e", None),
            ("0x10", None),
            ("inf", None),
            ("NaN", None),
            ("", None),
            ("1e400", None),
        ] {
            assert_eq!(numeric(s), n, "{s:?}");
        }
    }

    #[test]
    fn distinct_strings_are_not_equal_as_numbers() {
        let s = |t: &str| LiteralKind::String(t.into());
        assert!(!equals(
            Sc::Str("12345678901234567890"),
            &s("12345678901234567891")
        ));
        assert!(!equals(Sc::Str("012345678901"), &s("12345678901")));
        assert!(!equals(Sc::Str("1.10"), &s("1.1")));
        assert!(!equals(
            Sc::Str("012345678901"),
            &LiteralKind::Number(12_345_678_901.0)
        ));
        assert!(equals(Sc::Str("1.10"), &LiteralKind::Number(1.1)));
        let big: Json = serde_json::from_str("12345678901234567891").unwrap();
        assert!(!equals(
            Sc::of(&big),
            &LiteralKind::Number(12_345_678_901_234_567_890.0)
        ));
        assert_eq!(Sc::of(&big).text().as_deref(), Some("12345678901234567891"));
        assert_eq!(order(Sc::Str("9"), &s("10")), Some(Ordering::Greater));
    }
}
