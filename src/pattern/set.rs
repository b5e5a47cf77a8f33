//! Many patterns matched against the same events: each distinct selector is
//! resolved once per event and shared by every pattern that names it.

use std::collections::HashMap;

use serde_json::Value as Json;

use super::ast::{CmpOp, JsonExpr, Pattern, Step, Test, Value};
use super::eval::eval_test;
use super::FilterPattern;

enum Compiled {
    And(Vec<Compiled>),
    Or(Vec<Compiled>),
    /// A condition on a selector without wildcards: index into the path table.
    Cached(usize, Test),
    /// A condition on a wildcard selector, resolved on each use.
    Direct(Vec<Step>, Test),
}

/// A set of patterns compiled for matching the same events together.
pub struct PatternSet {
    patterns: Vec<FilterPattern>,
    compiled: Vec<Option<Compiled>>,
    paths: Vec<Vec<Step>>,
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
        let compiled = patterns
            .iter()
            .map(|p| match p.ast() {
                Pattern::Json(e) => Some(compile(e, &mut paths, &mut index)),
                _ => None,
            })
            .collect();
        PatternSet {
            patterns,
            compiled,
            paths,
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

    /// For each pattern, does it match this event text? (JSON is parsed once.)
    pub fn matches(&self, event: &str) -> Vec<bool> {
        if self.compiled.iter().any(Option::is_some) {
            if let Ok(j) = serde_json::from_str::<Json>(event) {
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
