//! Many patterns matched against the same events: each distinct selector is
//! resolved once per event and shared by every pattern that names it.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value as Json;

use super::ast::{CmpOp, JsonExpr, Pattern, Step, Test, Value};
use super::eval::eval_test;
use super::prefilter::{Candidates, Hits, Prefilter};
use super::scan;
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
    /// The literals each pattern requires in an event's text, worked out on first use
    /// ([`PatternSet::raw_matcher`]).
    prefilter: std::sync::OnceLock<Prefilter>,
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
            prefilter: std::sync::OnceLock::new(),
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

/// Matches a [`PatternSet`] against raw event texts, parsing only what can match
/// (see [`PatternSet::raw_matcher`]). Holds the scratch space of one thread.
pub struct RawMatcher<'s> {
    set: &'s PatternSet,
    prefilter: &'s Prefilter,
    hits: Hits,
    /// Are some patterns not JSON patterns (they see the whole parsed event)?
    textual: bool,
    /// The event whose literals `hits` holds from a reader's walk (its address and
    /// length), if any: see [`scan::RecordScan`].
    scanned: Option<(usize, usize)>,
}

/// The literal search rides on a reader's walk of each record.
impl scan::RecordScan for RawMatcher<'_> {
    fn begin(&mut self) -> bool {
        self.hits.clear();
        self.scanned = None;
        self.prefilter.enters()
    }
    fn key(&mut self, frame: u32, key: &[u8], escaped: bool) -> scan::Want {
        self.prefilter.key(&mut self.hits, frame, key, escaped)
    }
    fn value(&mut self, text: &[u8], id: u32, start: usize, end: usize) {
        self.prefilter.value(&mut self.hits, id, &text[start..end]);
    }
    fn end(&mut self, text: &[u8], start: usize, end: usize) {
        self.prefilter.value(&mut self.hits, 0, &text[start..end]);
        self.scanned = Some((text[start..].as_ptr() as usize, end - start));
    }
}

impl PatternSet {
    /// A matcher of raw event texts: the literals each pattern requires (see
    /// `src/pattern/prefilter.rs`) are searched in the bytes first; an event in which
    /// no pattern's literals occur is not parsed, and the others are parsed for the
    /// top-level properties the patterns read only. The result is always that of
    /// [`PatternSet::matches_json`] on the parsed event (all `false` when the text is
    /// not JSON).
    pub fn raw_matcher(&self) -> RawMatcher<'_> {
        let prefilter = self
            .prefilter
            .get_or_init(|| Prefilter::new(&self.patterns));
        RawMatcher {
            set: self,
            prefilter,
            hits: prefilter.hits(),
            textual: self.compiled.iter().any(Option::is_none),
            scanned: None,
        }
    }

    /// The literals the patterns require, as text (what the prefilter searches).
    pub fn required_literals(&self) -> Vec<String> {
        self.prefilter
            .get_or_init(|| Prefilter::new(&self.patterns))
            .literals()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect()
    }

    /// How many patterns have no literal requirement (evaluated on every event).
    pub fn unfiltered(&self) -> usize {
        self.prefilter
            .get_or_init(|| Prefilter::new(&self.patterns))
            .unfiltered()
            .len()
    }
}

impl RawMatcher<'_> {
    /// For each pattern of the set, does it match this event text? Written to `out`
    /// (resized to the number of patterns). Returns whether the text was parsed.
    pub fn matches_into(&mut self, event: &str, out: &mut Vec<bool>) -> bool {
        self.scanned = None;
        self.matched(event, out)
    }

    /// [`RawMatcher::matches_into`] of the record a reader's walk has just carried
    /// this matcher's search over ([`scan::RecordScan`]): the literals are not
    /// searched again. Any other text is searched as by `matches_into`.
    pub(crate) fn matches_scanned(&mut self, event: &str, out: &mut Vec<bool>) -> bool {
        self.matched(event, out)
    }

    fn matched(&mut self, event: &str, out: &mut Vec<bool>) -> bool {
        let n = self.set.patterns.len();
        out.clear();
        out.resize(n, false);
        let scanned = self.scanned.take() == Some((event.as_ptr() as usize, event.len()));
        let found = if scanned {
            self.prefilter.found(&mut self.hits)
        } else {
            self.prefilter.candidates(event.as_bytes(), &mut self.hits)
        };
        let which = match found {
            Candidates::Some([]) => return false,
            Candidates::Some(c) => Some(c),
            Candidates::All => None,
        };
        let set = self.set;
        let parsed = match (&set.top_keys, self.textual) {
            (Some(keys), false) => parse_selective(event, keys),
            _ => super::eval::parse_event(event),
        };
        let Some(j) = parsed else {
            return true;
        };
        let mut cache = Cache {
            event: &j,
            values: vec![None; set.paths.len()],
        };
        let mut one = |i: usize| match &set.compiled[i] {
            Some(c) => j.is_object() && eval(c, &set.paths, &mut cache),
            None => set.patterns[i].matches_json(&j),
        };
        match which {
            Some(c) => c.iter().for_each(|&i| out[i as usize] = one(i as usize)),
            None => (0..n).for_each(|i| out[i] = one(i)),
        }
        true
    }

    /// For each pattern of the set, does it match this event text?
    pub fn matches(&mut self, event: &str) -> Vec<bool> {
        let mut out = Vec::new();
        self.matches_into(event, &mut out);
        out
    }
}
