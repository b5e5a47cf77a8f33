//! The JSON-path walker: how a dotted property path reads entity JSON, the same for
//! rules and for tools (the REPL's bare paths and schema).
//!
//! Through an object a segment selects the property; through a list it maps over the
//! elements (flattening list-valued properties, skipping elements without it and
//! nulls). A miss on an object names a near miss (`did you mean`).

use super::value::Val;
use crate::lang::ast::Ident;
use serde_json::Value as Json;

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
    /// One group made by `groupBy [..]`: `{ "key": .., "values": [..] }` without
    /// building it.
    Group(Group<'a>),
}

/// One group of `groupBy [key]`: the elements whose key has the same value.
#[derive(Debug, Clone)]
pub struct Group<'a> {
    /// The key's value (as read from the group's first element).
    pub key: Val<'a>,
    /// The elements of the group, in list order, each with its own path.
    pub values: Vec<Item<'a>>,
    /// How the group is named in evidence (`items groupBy [..][0]`).
    pub path: String,
}

/// The names a group context exposes.
pub const GROUP_FIELDS: [&str; 2] = ["key", "values"];

pub(crate) fn join(base: &str, seg: &str) -> String {
    if base.is_empty() {
        seg.to_string()
    } else {
        format!("{base}.{seg}")
    }
}

/// The property `name` of an object. Entity objects are small, and a scan of their
/// keys (lengths first) is cheaper than hashing the name with serde_json's SipHash;
/// large objects are looked up by hash.
fn field<'a>(o: &'a serde_json::Map<String, Json>, name: &str) -> Option<&'a Json> {
    const SCAN: usize = 16;
    if o.len() > SCAN {
        return o.get(name);
    }
    o.iter()
        .find(|(k, _)| k.len() == name.len() && k.as_str() == name)
        .map(|(_, v)| v)
}

pub(crate) fn index(base: &str, i: usize) -> String {
    format!("{base}[{i}]")
}

/// The steps of a JSON path as [`join`] and [`index`] write it (`items[0].status.isLogging`),
/// e.g. an evidence's path; `None` when the text is not one.
pub fn parse_json_path(path: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(at) => part.split_at(at),
            None => (part, ""),
        };
        if key.is_empty() && steps.is_empty() && rest.is_empty() {
            return None;
        }
        if !key.is_empty() {
            steps.push(Step::Key(key.to_string()));
        }
        while !rest.is_empty() {
            let close = rest.find(']')?;
            let n: usize = rest.get(1..close)?.parse().ok()?;
            steps.push(Step::Index(n));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return None;
            }
        }
    }
    Some(steps)
}

/// Push `v` (reached at `path`) onto a projection: arrays are flattened one level,
/// nulls are skipped.
fn push_flat<'a>(out: &mut Vec<Item<'a>>, v: &'a Json, path: String, paths: bool) {
    match v {
        Json::Null => {}
        Json::Array(a) => {
            for (i, e) in a.iter().enumerate() {
                if !e.is_null() {
                    out.push(Item {
                        v: e,
                        path: if paths {
                            index(&path, i)
                        } else {
                            String::new()
                        },
                    });
                }
            }
        }
        _ => out.push(Item { v, path }),
    }
}

/// A property name close to `name` among `keys`: first a case-insensitive match,
/// then a small edit distance.
///
/// Remembered per thread for the last [`HINTS_KEPT`] questions ([`crate::memo`]): the
/// same miss on objects with the same keys (one per account in an organization) is
/// answered once.
pub(crate) fn near_key<'k>(
    name: &str,
    keys: impl Iterator<Item = &'k String> + Clone,
) -> Option<String> {
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut h = HINT_SEED.build_hasher();
    name.hash(&mut h);
    keys.clone().for_each(|k| k.hash(&mut h));
    let fingerprint = h.finish();
    let same = |(n, ks, _): &(String, Vec<String>, Option<String>)| {
        n == name && ks.iter().eq(keys.clone())
    };
    let generation = crate::memo::generation();
    if let Some(hit) = HINTS.with(|m| {
        let m = m.borrow();
        (m.0 == generation)
            .then(|| {
                m.1.get(&fingerprint)
                    .filter(|e| same(e))
                    .map(|e| e.2.clone())
            })
            .flatten()
    }) {
        return hit;
    }
    let hint = crate::text::closest(name, keys.clone().map(String::as_str)).map(str::to_string);
    HINTS.with(|m| {
        let mut m = m.borrow_mut();
        if m.0 != generation || m.1.len() >= HINTS_KEPT {
            *m = (generation, HintMemo::default());
        }
        m.1.insert(
            fingerprint,
            (name.to_string(), keys.cloned().collect(), hint.clone()),
        );
    });
    hint
}

/// How many near-miss answers each thread remembers.
const HINTS_KEPT: usize = 4096;
/// The fingerprint of a question (name and keys); any collision is checked.
const HINT_SEED: foldhash::fast::FixedState = foldhash::fast::FixedState::with_seed(0x9e37);

type HintMemo = foldhash::HashMap<u64, (String, Vec<String>, Option<String>)>;

thread_local! {
    /// The generation filled in ([`crate::memo`]) and the answers.
    static HINTS: std::cell::RefCell<(u64, HintMemo)> = std::cell::RefCell::default();
}

/// Resolve a dotted path against a context.
///
/// Through an object a segment selects the property; through a list it maps over the
/// elements (flattening list-valued properties, skipping elements without it), giving a
/// [`Val::List`]. A miss on an object is [`Val::Missing`] with a near-miss hint.
pub fn resolve<'a>(ctx: &Ctx<'a>, segs: &[Ident]) -> Val<'a> {
    resolve_hinted(ctx, segs, true)
}

/// [`resolve`], with the words left out unless `hints`: the "did you mean" of a miss
/// and the paths of what is reached (empty). The evaluator's verdict-only pass: the
/// value is the same, only the words differ.
pub(crate) fn resolve_hinted<'a>(ctx: &Ctx<'a>, segs: &[Ident], hints: bool) -> Val<'a> {
    if let Ctx::Item(it) = ctx {
        if let Some(v) = through_objects(it.v, segs) {
            let path = if hints {
                segs.iter()
                    .fold(it.path.clone(), |base, seg| join(&base, &seg.name))
            } else {
                String::new()
            };
            return Val::Json(Item { v, path });
        }
    }
    resolve_general(ctx, segs, hints)
}

/// The common case of a path, without building anything: every segment names a
/// property present on an object (no list on the way). `None` otherwise.
fn through_objects<'a>(mut v: &'a Json, segs: &[Ident]) -> Option<&'a Json> {
    for seg in segs {
        v = field(v.as_object()?, &seg.name)?;
    }
    Some(v)
}

fn resolve_general<'a>(ctx: &Ctx<'a>, segs: &[Ident], hints: bool) -> Val<'a> {
    let join = |base: &str, seg: &str| {
        if hints {
            join(base, seg)
        } else {
            String::new()
        }
    };
    let (mut cur, mut projected, mut desc, rest) = match ctx {
        Ctx::Group(g) => return resolve_group(g, segs, hints),
        Ctx::Item(it) => (vec![it.clone()], false, it.path.clone(), segs),
        Ctx::Items(items) => match segs.first() {
            Some(first) if first.name == "items" => {
                (items.clone(), true, "items[]".to_string(), &segs[1..])
            }
            Some(first) => {
                let hint = ["items".to_string()];
                return Val::Missing {
                    path: first.name.clone(),
                    hint: hints
                        .then(|| near_key(&first.name, hint.iter()))
                        .flatten()
                        .or(Some("items".into())),
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
            push_flat(&mut next, it.v, it.path, hints);
            cur = next;
            projected = true;
            desc.push_str("[]");
        }
        if !projected {
            let it = &cur[0];
            let path = join(&it.path, name);
            match it.v.as_object() {
                Some(o) => match field(o, name) {
                    Some(v) => {
                        cur = vec![Item { v, path }];
                        desc = cur[0].path.clone();
                    }
                    None => {
                        return Val::Missing {
                            path,
                            hint: hints.then(|| near_key(name, o.keys())).flatten(),
                        }
                    }
                },
                None => return Val::Missing { path, hint: None },
            }
        } else {
            let mut next = Vec::new();
            for it in &cur {
                if let Some(v) = it.v.as_object().and_then(|o| field(o, name)) {
                    push_flat(&mut next, v, join(&it.path, name), hints);
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

/// A path inside a group of `groupBy`: `key[.more]` or `values[.more]`.
fn resolve_group<'a>(g: &Group<'a>, segs: &[Ident], hints: bool) -> Val<'a> {
    let Some((first, rest)) = segs.split_first() else {
        return Val::List {
            items: g.values.clone(),
            path: join(&g.path, "values"),
            projection: false,
        };
    };
    let base = match first.name.as_str() {
        "key" => g.key.clone(),
        "values" => Val::List {
            items: g.values.clone(),
            path: join(&g.path, "values"),
            projection: false,
        },
        other => {
            let names = GROUP_FIELDS.map(String::from);
            return Val::Missing {
                path: join(&g.path, other),
                hint: hints
                    .then(|| near_key(other, names.iter()))
                    .flatten()
                    .or(Some("values".into())),
            };
        }
    };
    if rest.is_empty() {
        base
    } else {
        keys(base, rest)
    }
}

/// One step of a path written by a person (the REPL's bare paths): a property name,
/// or `[n]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `.name`: the property (through a list: every element's).
    Key(String),
    /// `[n]`: the n-th of the values reached so far (a single list counts as its
    /// elements).
    Index(usize),
}

/// What a path reaches in a JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Reached<'a> {
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

/// Walk `steps` over `root` with the rules' semantics (property names as in
/// [`resolve`]), plus list indices.
pub fn walk<'a>(root: &'a Json, steps: &[Step]) -> Reached<'a> {
    let mut val = Val::Json(Item {
        v: root,
        path: String::new(),
    });
    let mut rest = steps;
    while let Some(first) = rest.first() {
        match first {
            Step::Index(i) => {
                let desc = val.path().unwrap_or("").to_string();
                val = match val
                    .elements()
                    .and_then(|mut e| (*i < e.len()).then(|| e.swap_remove(*i)))
                {
                    Some(it) => Val::Json(it),
                    None => Val::Missing {
                        path: index(&desc, *i),
                        hint: None,
                    },
                };
                rest = &rest[1..];
            }
            Step::Key(_) => {
                let n = rest
                    .iter()
                    .take_while(|s| matches!(s, Step::Key(_)))
                    .count();
                let segs: Vec<Ident> = rest[..n]
                    .iter()
                    .filter_map(|s| match s {
                        Step::Key(k) => Some(Ident {
                            name: k.clone(),
                            span: crate::span::Span::default(),
                        }),
                        Step::Index(_) => None,
                    })
                    .collect();
                val = keys(val, &segs);
                rest = &rest[n..];
            }
        }
    }
    match val {
        Val::Missing { path, hint } => Reached::Missing { path, hint },
        Val::Json(it) => Reached::One(it.path, it.v),
        Val::List { items, .. } => {
            Reached::Many(items.into_iter().map(|it| (it.path, it.v)).collect())
        }
        Val::Num(_) | Val::Bool(_) => Reached::Many(Vec::new()),
    }
}

/// Property names from a value reached so far.
fn keys<'a>(val: Val<'a>, segs: &[Ident]) -> Val<'a> {
    match val {
        Val::Json(it) => resolve(&Ctx::Item(it), segs),
        Val::List { items, path, .. } => {
            let mut out = Vec::new();
            let mut hint = None;
            for it in items {
                match resolve(&Ctx::Item(it), segs) {
                    Val::Json(x) => push_flat(&mut out, x.v, x.path, true),
                    Val::List { items, .. } => out.extend(items),
                    Val::Missing { hint: h, .. } => hint = hint.or(h),
                    Val::Num(_) | Val::Bool(_) => {}
                }
            }
            let names: Vec<&str> = segs.iter().map(|s| s.name.as_str()).collect();
            let path = join(&path, &names.join("."));
            match (out.is_empty(), hint) {
                (true, Some(hint)) => Val::Missing {
                    path,
                    hint: Some(hint),
                },
                _ => Val::List {
                    items: out,
                    path,
                    projection: true,
                },
            }
        }
        other => other,
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
    fn walk_keys_and_indices() {
        let e = json!({"m": [{"p": "a"}, {"q": 1}, {"p": ["b", "c"]}], "Name": "x"});
        let key = |k: &str| Step::Key(k.into());
        assert_eq!(
            walk(&e, &[key("m"), key("p")]),
            Reached::Many(vec![
                ("m[0].p".into(), &json!("a")),
                ("m[2].p[0]".into(), &json!("b")),
                ("m[2].p[1]".into(), &json!("c"))
            ])
        );
        assert_eq!(
            walk(&e, &[key("Name")]),
            Reached::One("Name".into(), &json!("x"))
        );
        assert_eq!(
            walk(&e, &[key("name")]),
            Reached::Missing {
                path: "name".into(),
                hint: Some("Name".into())
            }
        );
        assert_eq!(
            walk(&e, &[key("m"), Step::Index(1), key("q")]),
            Reached::One("m[1].q".into(), &json!(1))
        );
        assert_eq!(
            walk(&e, &[key("m"), key("p"), Step::Index(2)]),
            Reached::One("m[2].p[1]".into(), &json!("c"))
        );
        assert!(matches!(
            walk(&e, &[key("m"), Step::Index(7)]),
            Reached::Missing { .. }
        ));
    }

    #[test]
    fn json_paths_parse_back_into_steps() {
        let k = |s: &str| Step::Key(s.to_string());
        assert_eq!(
            parse_json_path(&join(
                &index(&join(&index("items", 0), "metricFilters"), 2),
                "hasSNSSubscriber"
            )),
            Some(vec![
                k("items"),
                Step::Index(0),
                k("metricFilters"),
                Step::Index(2),
                k("hasSNSSubscriber")
            ])
        );
        assert_eq!(
            parse_json_path("status.isLogging"),
            Some(vec![k("status"), k("isLogging")])
        );
        assert_eq!(
            parse_json_path("a[1][2]"),
            Some(vec![k("a"), Step::Index(1), Step::Index(2)])
        );
        for bad in ["", "a[x]", "a[1", "a[1]b"] {
            assert_eq!(parse_json_path(bad), None, "{bad}");
        }
    }
}
