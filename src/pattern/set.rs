//! Many patterns matched against the same events: each distinct selector is
//! resolved once per event and shared by every pattern that names it.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value as Json;

use super::ast::{CmpOp, JsonExpr, Pattern, Step, Test, Value};
use super::eval::eval_test;
use super::FilterPattern;

#[derive(Debug)]
enum Compiled {
    And(Vec<Compiled>),
    Or(Vec<Compiled>),
    /// A condition on a selector without wildcards: index into the path table.
    Cached(usize, Test),
    /// A condition on a wildcard selector, resolved on each use.
    Direct(Vec<Step>, Test),
}

/// One JSON pattern compiled: each selector without wildcards resolved once per event.
#[derive(Debug)]
pub(crate) struct Program {
    compiled: Compiled,
    paths: Vec<Vec<Step>>,
}

impl Program {
    pub(crate) fn new(e: &JsonExpr) -> Program {
        let mut paths = Vec::new();
        let compiled = compile(e, &mut paths, &mut HashMap::new());
        Program { compiled, paths }
    }

    /// Does the pattern match this parsed event (which must be a JSON object)?
    pub(crate) fn eval(&self, event: &Json) -> bool {
        let mut cache = Cache {
            event,
            values: vec![None; self.paths.len()],
        };
        event.is_object() && eval(&self.compiled, &self.paths, &mut cache)
    }
}

/// A set of patterns compiled for matching the same events together.
pub struct PatternSet {
    patterns: Vec<FilterPattern>,
    compiled: Vec<Option<Compiled>>,
    paths: Vec<Vec<Step>>,
    /// Top-level properties any JSON pattern of the set can look at; `None` when
    /// some selector starts with a wildcard (then events are parsed whole).
    top_keys: Option<HashSet<String>>,
}

/// Deserialize only the top-level properties a set of patterns can look at;
/// everything else is checked for syntax and skipped. Non-objects become `null`.
struct Selective<'a>(&'a HashSet<String>);

struct KeySeed<'a>(&'a HashSet<String>);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<String>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<String>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a property name")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.0.contains(v).then(|| v.to_string()))
    }
}

impl<'de> DeserializeSeed<'de> for Selective<'_> {
    type Value = Json;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Selective<'_> {
    type Value = Json;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key_seed(KeySeed(self.0))? {
            match key {
                Some(k) => {
                    let v: Json = map.next_value()?;
                    out.insert(k, v);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Json::Object(out))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_str<E>(self, _: &str) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
}

fn parse_selective(event: &str, keys: &HashSet<String>) -> Option<Json> {
    let once = |text: &str| {
        let mut de = serde_json::Deserializer::from_str(text);
        let v = Selective(keys).deserialize(&mut de).ok()?;
        de.end().ok()?;
        Some(v)
    };
    // The same reading of huge numbers and deep nesting as `parse_event`.
    once(event).or_else(|| once(&super::eval::sanitize_event(event)?))
}

fn compile(
    e: &JsonExpr,
    paths: &mut Vec<Vec<Step>>,
    index: &mut HashMap<Vec<Step>, usize>,
) -> Compiled {
    match e {
        JsonExpr::And(v, _) => Compiled::And(v.iter().map(|x| compile(x, paths, index)).collect()),
        JsonExpr::Or(v, _) => Compiled::Or(v.iter().map(|x| compile(x, paths, index)).collect()),
        JsonExpr::Cond(c) => {
            let steps = &c.selector.steps;
            if c.selector.wildcards() > 0 {
                return Compiled::Direct(steps.clone(), c.test.clone());
            }
            let i = *index.entry(steps.clone()).or_insert_with(|| {
                paths.push(steps.clone());
                paths.len() - 1
            });
            Compiled::Cached(i, c.test.clone())
        }
    }
}

fn direct_paths(c: &Compiled, f: &mut dyn FnMut(&[Step])) {
    match c {
        Compiled::And(v) | Compiled::Or(v) => v.iter().for_each(|x| direct_paths(x, f)),
        Compiled::Direct(steps, _) => f(steps),
        Compiled::Cached(..) => {}
    }
}

/// Follow a selector without wildcards to its single value.
fn lookup<'v>(mut v: &'v Json, steps: &[Step]) -> Option<&'v Json> {
    for s in steps {
        v = match (s, v) {
            (Step::Key(k), Json::Object(m)) => m.get(k.as_str())?,
            (Step::Index(i), Json::Array(a)) => a.get(usize::try_from(*i).ok()?)?,
            _ => return None,
        };
    }
    Some(v)
}

struct Cache<'v> {
    event: &'v Json,
    values: Vec<Option<Option<&'v Json>>>,
}

impl<'v> Cache<'v> {
    fn get(&mut self, paths: &[Vec<Step>], i: usize) -> Option<&'v Json> {
        if let Some(v) = self.values[i] {
            return v;
        }
        let v = lookup(self.event, &paths[i]);
        self.values[i] = Some(v);
        v
    }
}

fn eval(c: &Compiled, paths: &[Vec<Step>], cache: &mut Cache<'_>) -> bool {
    match c {
        Compiled::And(v) => v.iter().all(|x| eval(x, paths, cache)),
        Compiled::Or(v) => v.iter().any(|x| eval(x, paths, cache)),
        Compiled::Cached(i, test) => match (cache.get(paths, *i), test) {
            (None, _) => matches!(test, Test::NotExists),
            // The hot path of CloudTrail patterns: a string compared with a string value.
            (Some(Json::String(s)), Test::Compare(CmpOp::Eq, Value::Str(m))) => m.is_match(s),
            (Some(Json::String(s)), Test::Compare(CmpOp::Ne, Value::Str(m))) => !m.is_match(s),
            (Some(v), _) => eval_test(&[], test, v),
        },
        Compiled::Direct(steps, test) => eval_test(steps, test, cache.event),
    }
}

impl PatternSet {
    /// Compile a set of patterns.
    pub fn new(patterns: Vec<FilterPattern>) -> PatternSet {
        let mut paths = Vec::new();
        let mut index = HashMap::new();
        let compiled: Vec<Option<Compiled>> = patterns
            .iter()
            .map(|p| match p.ast() {
                Pattern::Json(e) => Some(compile(e, &mut paths, &mut index)),
                _ => None,
            })
            .collect();
        let mut top = Some(HashSet::new());
        let mut note = |steps: &[Step]| match (steps.first(), top.as_mut()) {
            (Some(Step::Key(k)), Some(set)) => {
                set.insert(k.clone());
            }
            _ => top = None,
        };
        for p in &paths {
            note(p);
        }
        for c in compiled.iter().flatten() {
            direct_paths(c, &mut note);
        }
        PatternSet {
            patterns,
            compiled,
            paths,
            top_keys: top,
        }
    }

    /// The patterns, in the order given.
    pub fn patterns(&self) -> &[FilterPattern] {
        &self.patterns
    }

    /// For each pattern, does it match this parsed event?
    pub fn matches_json(&self, event: &Json) -> Vec<bool> {
        let mut cache = Cache {
            event,
            values: vec![None; self.paths.len()],
        };
        self.patterns
            .iter()
            .zip(&self.compiled)
            .map(|(p, c)| match c {
                Some(c) => event.is_object() && eval(c, &self.paths, &mut cache),
                None => p.matches_json(event),
            })
            .collect()
    }

    /// For each pattern, does it match this event text? JSON is parsed once, and
    /// only the top-level properties the patterns look at are materialised.
    pub fn matches(&self, event: &str) -> Vec<bool> {
        if self.compiled.iter().any(Option::is_some) {
            let parsed = match &self.top_keys {
                Some(keys) => parse_selective(event, keys),
                None => super::eval::parse_event(event),
            };
            if let Some(j) = parsed {
                let mut cache = Cache {
                    event: &j,
                    values: vec![None; self.paths.len()],
                };
                return self
                    .patterns
                    .iter()
                    .zip(&self.compiled)
                    .map(|(p, c)| match c {
                        Some(c) => j.is_object() && eval(c, &self.paths, &mut cache),
                        None => p.matches(event),
                    })
                    .collect();
            }
        }
        self.patterns.iter().map(|p| p.matches(event)).collect()
    }
}
