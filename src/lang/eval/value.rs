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
    /// An object or a nested list.
    Other,
}

impl<'a> Sc<'a> {
    /// View a JSON value.
    pub fn of(v: &'a Json) -> Sc<'a> {
        match v {
            Json::Null => Sc::Null,
            Json::Bool(b) => Sc::Bool(*b),
            Json::Number(n) => n.as_f64().map(Sc::Num).unwrap_or(Sc::Other),
            Json::String(s) => Sc::Str(s),
            Json::Array(_) | Json::Object(_) => Sc::Other,
        }
    }

    /// The text `like` / `regexMatch` look at: strings, numbers and booleans as written.
    pub fn text(&self) -> Option<String> {
        match self {
            Sc::Str(s) => Some((*s).to_string()),
            Sc::Num(n) => Some(number(*n)),
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

/// A string that is a number (`'14'`, ` 2.5 `).
pub fn numeric(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() {
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
            Sc::Str(s) => {
                if s == t {
                    return true;
                }
                if let (Some(x), Some(y)) = (bool_word(s), bool_word(t)) {
                    return x == y;
                }
                matches!((numeric(s), numeric(t)), (Some(x), Some(y)) if x == y)
            }
            Sc::Num(x) => numeric(t) == Some(x),
            Sc::Bool(x) => bool_word(t) == Some(x),
            Sc::Null | Sc::Other => false,
        },
        LiteralKind::Tuple(items) => items.iter().any(|l| equals(a, &l.kind)),
        // The checker replaces parameters by their values: never compared.
        LiteralKind::Regex { .. } | LiteralKind::Param(_) => false,
    }
}

/// Ordering between a scalar and a literal: numbers (and numeric strings) numerically,
/// other strings by code point (so RFC 3339 timestamps order by time); anything else
/// (null, booleans, objects, mixed) is unordered.
pub fn order(a: Sc<'_>, lit: &LiteralKind) -> Option<Ordering> {
    let num_a = match a {
        Sc::Num(x) => Some(x),
        Sc::Str(s) => numeric(s),
        _ => None,
    };
    let num_b = match lit {
        LiteralKind::Number(n) => Some(*n),
        LiteralKind::String(s) => numeric(s),
        _ => None,
    };
    if let (Some(x), Some(y)) = (num_a, num_b) {
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
}
