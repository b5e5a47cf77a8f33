//! Values seen by the evaluator: borrowed entity JSON with its path, lists of such
//! values, and the few small values the evaluator computes (numbers, booleans).

use super::render;
use crate::lang::ast::{Ident, LiteralKind};
use serde_json::Value as Json;
use std::cmp::Ordering;

/// A borrowed JSON value and its path inside the test object (`metricFilters[2]`).
#[derive(Debug, Clone)]
pub struct Item<'a> {
    /// The value.
    pub v: &'a Json,
    /// Its JSON path relative to the test object; empty for the object itself.
    pub path: String,
}

/// The context a path is resolved against.
#[derive(Debug, Clone)]
pub enum Ctx<'a> {
    /// An entity or a list element.
    Item(Item<'a>),
    /// The test object of a `List<X>` rule: `{ "items": [..] }` without building it.
    Items(Vec<Item<'a>>),
}

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

pub(crate) fn join(base: &str, seg: &str) -> String {
    if base.is_empty() {
        seg.to_string()
    } else {
        format!("{base}.{seg}")
    }
}

pub(crate) fn index(base: &str, i: usize) -> String {
    format!("{base}[{i}]")
}

/// Push `v` (reached at `path`) onto a projection: arrays are flattened one level,
/// nulls are skipped.
fn push_flat<'a>(out: &mut Vec<Item<'a>>, v: &'a Json, path: String) {
    match v {
        Json::Null => {}
        Json::Array(a) => {
            for (i, e) in a.iter().enumerate() {
                if !e.is_null() {
                    out.push(Item {
                        v: e,
                        path: index(&path, i),
                    });
                }
            }
        }
        _ => out.push(Item { v, path }),
    }
}

/// A property name close to `name` among `keys`: first a case-insensitive match,
/// then a small edit distance.
pub(crate) fn near_key<'k>(name: &str, keys: impl Iterator<Item = &'k String>) -> Option<String> {
    crate::text::closest(name, keys.map(String::as_str)).map(str::to_string)
}

/// Resolve a dotted path against a context.
///
/// Through an object a segment selects the property; through a list it maps over the
/// elements (flattening list-valued properties, skipping elements without it), giving a
/// [`Val::List`]. A miss on an object is [`Val::Missing`] with a near-miss hint.
pub fn resolve<'a>(ctx: &Ctx<'a>, segs: &[Ident]) -> Val<'a> {
    let (mut cur, mut projected, mut desc, rest) = match ctx {
        Ctx::Item(it) => (vec![it.clone()], false, it.path.clone(), segs),
        Ctx::Items(items) => match segs.first() {
            Some(first) if first.name == "items" => {
                (items.clone(), true, "items[]".to_string(), &segs[1..])
            }
            Some(first) => {
                let hint = ["items".to_string()];
                return Val::Missing {
                    path: first.name.clone(),
                    hint: near_key(&first.name, hint.iter()).or(Some("items".into())),
                };
            }
            None => (items.clone(), true, "items[]".to_string(), segs),
        },
    };
    if matches!(ctx, Ctx::Items(_)) && rest.is_empty() {
        return Val::List {
            items: cur,
            path: "items".into(),
            projection: false,
        };
    }
    for seg in rest {
        let name = seg.name.as_str();
        if !projected && cur.len() == 1 && cur[0].v.is_array() {
            let it = cur.remove(0);
            let mut next = Vec::new();
            push_flat(&mut next, it.v, it.path);
            cur = next;
            projected = true;
            desc.push_str("[]");
        }
        if !projected {
            let it = &cur[0];
            let path = join(&it.path, name);
            match it.v.as_object() {
                Some(o) => match o.get(name) {
                    Some(v) => {
                        cur = vec![Item { v, path }];
                        desc = cur[0].path.clone();
                    }
                    None => {
                        return Val::Missing {
                            path,
                            hint: near_key(name, o.keys()),
                        }
                    }
                },
                None => return Val::Missing { path, hint: None },
            }
        } else {
            let mut next = Vec::new();
            for it in &cur {
                if let Some(v) = it.v.as_object().and_then(|o| o.get(name)) {
                    push_flat(&mut next, v, join(&it.path, name));
                }
            }
            desc = join(&desc, name);
            if next.is_empty() {
                let hint = cur
                    .iter()
                    .filter_map(|it| it.v.as_object())
                    .find_map(|o| near_key(name, o.keys()));
                if hint.is_some() {
                    return Val::Missing { path: desc, hint };
                }
            }
            cur = next;
        }
    }
    if projected {
        Val::List {
            items: cur,
            path: desc,
            projection: true,
        }
    } else {
        match cur.pop() {
            Some(it) => Val::Json(it),
            None => Val::Missing {
                path: desc,
                hint: None,
            },
        }
    }
}

/// What a dotted path yields on one JSON value (for the REPL and tools).
#[derive(Debug, Clone, PartialEq)]
pub enum PathValues<'a> {
    /// The path does not exist; `hint` is a near-miss property name.
    Missing {
        /// Where it was looked for.
        path: String,
        /// A case-insensitive or near match, if any.
        hint: Option<String>,
    },
    /// One value and its JSON path.
    One(String, &'a Json),
    /// A path through a list: every value reached, each with its JSON path.
    Many(Vec<(String, &'a Json)>),
}

/// Resolve `a.b.c` (already split into segments) on a JSON value with the evaluator's
/// rules: through lists the path maps over the elements (flattening list values).
pub fn lookup<'a>(value: &'a Json, segments: &[&str]) -> PathValues<'a> {
    let idents: Vec<Ident> = segments
        .iter()
        .map(|s| Ident {
            name: (*s).to_string(),
            span: crate::span::Span::default(),
        })
        .collect();
    let ctx = Ctx::Item(Item {
        v: value,
        path: String::new(),
    });
    match resolve(&ctx, &idents) {
        Val::Missing { path, hint } => PathValues::Missing { path, hint },
        Val::Json(it) => PathValues::One(it.path, it.v),
        Val::List { items, .. } => {
            PathValues::Many(items.into_iter().map(|it| (it.path, it.v)).collect())
        }
        Val::Num(_) | Val::Bool(_) => PathValues::Many(Vec::new()),
    }
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
        match self {
            Val::Missing { .. } => Some(Vec::new()),
            Val::Json(it) => Some(match it.v {
                Json::Null => Vec::new(),
                Json::Array(a) => a
                    .iter()
                    .enumerate()
                    .map(|(i, v)| Item {
                        v,
                        path: index(&it.path, i),
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
            Val::Num(n) => render::number(*n),
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
        Json::String(s) => format!("'{}'", render::short(s, 80)),
        Json::Array(a) => format!("a list of {}", a.len()),
        Json::Object(o) => format!("an object with {} properties", o.len()),
        other => other.to_string(),
    }
}

fn compact(v: &Json, depth: usize) -> Json {
    match v {
        Json::String(s) if s.chars().count() > 200 => Json::String(render::short(s, 200)),
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
            Sc::Num(n) => Some(render::number(*n)),
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
        LiteralKind::Regex { .. } => false,
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
    use crate::span::Span;
    use serde_json::json;

    fn segs(p: &str) -> Vec<Ident> {
        p.split('.')
            .map(|s| Ident {
                name: s.into(),
                span: Span::default(),
            })
            .collect()
    }

    #[test]
    fn resolve_paths() {
        let e = json!({"a": {"b": 1}, "l": [{"x": 1}, {"y": 2}, {"x": [3, 4]}], "Status": 1});
        let ctx = Ctx::Item(Item {
            v: &e,
            path: String::new(),
        });
        match resolve(&ctx, &segs("a.b")) {
            Val::Json(it) => assert_eq!(it.path, "a.b"),
            other => panic!("{other:?}"),
        }
        match resolve(&ctx, &segs("l.x")) {
            Val::List { items, path, .. } => {
                assert_eq!(path, "l[].x");
                let paths: Vec<_> = items.iter().map(|i| i.path.as_str()).collect();
                assert_eq!(paths, ["l[0].x", "l[2].x[0]", "l[2].x[1]"]);
            }
            other => panic!("{other:?}"),
        }
        match resolve(&ctx, &segs("status")) {
            Val::Missing { path, hint } => {
                assert_eq!(path, "status");
                assert_eq!(hint.as_deref(), Some("Status"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(resolve(&ctx, &segs("a.b.c")), Val::Missing { .. }));
    }

    #[test]
    fn lookup_for_tools() {
        let e = json!({"m": [{"p": "a"}, {"q": 1}, {"p": "b"}], "Name": "x"});
        assert_eq!(
            lookup(&e, &["m", "p"]),
            PathValues::Many(vec![
                ("m[0].p".into(), &json!("a")),
                ("m[2].p".into(), &json!("b"))
            ])
        );
        assert_eq!(
            lookup(&e, &["Name"]),
            PathValues::One("Name".into(), &json!("x"))
        );
        assert_eq!(
            lookup(&e, &["name"]),
            PathValues::Missing {
                path: "name".into(),
                hint: Some("Name".into())
            }
        );
    }

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
