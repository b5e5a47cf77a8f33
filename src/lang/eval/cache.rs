//! The run-wide cache of filter-pattern decisions, shared by every policy and every
//! account of a run (and by threads: it is `Send + Sync`).
//!
//! - Patterns are interned: each distinct text of the data is parsed once, and
//!   decisions are keyed by **canonical form**, so the same filter spelled differently
//!   in each account is decided once per required pattern.
//! - A decision is a function of the two canonical forms alone, never of which
//!   spelling came first, of other accounts or of the number of threads: the proof
//!   is made on the canonical forms (so the decision diagram's variables, which
//!   follow the text, are in the canonical order and the work budget is spent the
//!   same way), and the fast path below uses events derived from the required
//!   pattern's canonical form only.
//! - A fast path rejects a filter without a proof when it misses one of the required
//!   pattern's **witness events** (events the required pattern matches: one per
//!   top-level clause of its canonical form, computed once). Unrelated filters cost
//!   one match per witness. Counterexamples found by proofs are not added: which
//!   proofs run first depends on the data and the threads, and a witness can turn an
//!   `unknown` (a proof out of budget) into a `no`.
//! - The words of a failed comparison (a counterexample, a difference) are computed
//!   only when an explanation shows them, from the pattern as written, and cached by
//!   its shape (the tree as written, without layout: a proof reads nothing else).
//!
//! Create one [`DecisionCache`] per run ([`EvalOptions::default`](super::EvalOptions)
//! does) and clone the options: clones share the cache.

use super::builtins::{PatternCheck, RulePattern};
use crate::pattern::ast::{JsonExpr, Pattern};
use crate::pattern::{monitors, Comparison, Coverage, FilterPattern, Monitoring};
use foldhash::fast::RandomState;
use foldhash::{HashMap, HashMapExt};
use serde_json::Value as Json;
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

/// Why a spelling is judged different when its canonical form's decision was made on
/// another spelling.
const SAME_CANON: &str =
    "equal as written here; another spelling with the same canonical form is not";
/// Most answers remembered on one pattern of the data (per kind); past it, it starts
/// afresh (a long REPL session asks new rule patterns).
const MEMO_KEPT: usize = 64;
/// Lock shards of each map.
const SHARDS: usize = 16;

/// A filter pattern found in the data, parsed once per run.
#[derive(Debug)]
pub struct DataPattern {
    /// The text as written in the data.
    pub text: Arc<str>,
    /// The pattern.
    pub pattern: FilterPattern,
    text_id: u32,
    canon_id: u32,
    /// The id of [`Pattern::shape`] (worked out when first needed): the words of a
    /// failure are a proof's, and a proof reads only the tree, so texts of one shape
    /// share them.
    shape_id: OnceLock<u32>,
    /// The answers about this text, by rule pattern ([`RulePattern::serial`]): each
    /// filter is asked the same questions by every policy, and a scan of these few
    /// is cheaper than hashing the texts again.
    memo: Mutex<Memo>,
}

/// What one pattern of the data has been told, by rule pattern.
#[derive(Debug, Default)]
struct Memo {
    decisions: Vec<(u64, PatternCheck, Decision)>,
    closeness: Vec<(u64, f64)>,
}

/// An event a required pattern matches.
#[derive(Debug)]
struct Witness {
    text: String,
    json: Option<Json>,
}

impl DataPattern {
    fn matches(&self, w: &Witness) -> bool {
        match (self.pattern.ast(), &w.json) {
            (Pattern::Json(_), Some(j)) => self.pattern.matches_json(j),
            _ => self.pattern.matches(&w.text),
        }
    }
}

/// A decision of a filter-pattern builtin: proven yes, proven no (by a verified
/// event), or undecided with the precise reason. An undecided call makes the
/// entity's outcome `unknown`, never a pass and never a plain failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Proven.
    Yes,
    /// Disproven by a verified event.
    No,
    /// The engine could not decide; why.
    Unknown(Arc<str>),
}

/// How often each path was taken (for benchmarks and tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Decisions answered from the cache.
    pub hits: u64,
    /// Decisions made by a witness event, without a proof.
    pub fast_rejects: u64,
    /// Decisions that needed a proof.
    pub proofs: u64,
    /// Explanations worded (each needs a proof of the pattern as written).
    pub explained: u64,
}

/// A map split into independently locked shards.
struct Sharded<K, V> {
    hasher: RandomState,
    shards: Vec<RwLock<HashMap<K, V>>>,
}

impl<K: Hash + Eq, V: Clone> Sharded<K, V> {
    fn new() -> Self {
        Sharded {
            hasher: RandomState::default(),
            shards: (0..SHARDS).map(|_| RwLock::new(HashMap::new())).collect(),
        }
    }

    fn shard<Q: Hash + ?Sized>(&self, key: &Q) -> &RwLock<HashMap<K, V>> {
        let i = self.hasher.hash_one(key) as usize % SHARDS;
        &self.shards[i]
    }

    fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let shard = self.shard(key).read().unwrap_or_else(|p| p.into_inner());
        shard.get(key).cloned()
    }

    /// Insert unless present; returns the value kept.
    fn insert(&self, key: K, value: V) -> V {
        let mut shard = self.shard(&key).write().unwrap_or_else(|p| p.into_inner());
        shard.entry(key).or_insert(value).clone()
    }
}

struct Inner {
    ids: Sharded<Arc<str>, u32>,
    next_id: AtomicU64,
    data: Sharded<Arc<str>, Result<Arc<DataPattern>, String>>,
    decisions: Sharded<(PatternCheck, u32, u32), Decision>,
    witnesses: Sharded<u32, Arc<Vec<Witness>>>,
    /// The canonical forms parsed, by the id of their text: what proofs are made on.
    canonical: Sharded<u32, Arc<Result<FilterPattern, String>>>,
    closeness: Sharded<(u32, u32), f64>,
    why: Sharded<(PatternCheck, u32, u32), Arc<str>>,
    hits: AtomicU64,
    fast_rejects: AtomicU64,
    proofs: AtomicU64,
    explained: AtomicU64,
    /// The reference evaluator: every question proved afresh, as written.
    reference: bool,
    /// Unique in the process (never reused): which cache an entry of [`FRONT`] is of.
    serial: u64,
}

/// A pattern of the data as last looked up on this thread, by the address of the
/// text in the snapshot: each filter is looked up by every policy, and comparing the
/// text once is cheaper than hashing it again. An entry counts only for its cache and
/// only when the text there is the same (an address is reused once a batch of
/// accounts is dropped).
struct Front {
    cache: u64,
    at: usize,
    text: Arc<str>,
    pattern: Result<Arc<DataPattern>, String>,
}

/// Entries of [`FRONT`] per thread.
const FRONT_SLOTS: usize = 1024;

thread_local! {
    static FRONT: std::cell::RefCell<Vec<Option<Front>>> =
        std::cell::RefCell::new((0..FRONT_SLOTS).map(|_| None).collect());
}

/// The run-wide, thread-safe cache of filter-pattern work. Cloning shares it.
#[derive(Clone)]
pub struct DecisionCache {
    inner: Arc<Inner>,
}

impl Default for DecisionCache {
    fn default() -> Self {
        DecisionCache::new()
    }
}

impl fmt::Debug for DecisionCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecisionCache")
            .field("stats", &self.stats())
            .finish()
    }
}

impl DecisionCache {
    /// An empty cache (one per run).
    pub fn new() -> Self {
        DecisionCache::with_reference(false)
    }

    /// The reference evaluator's "cache", which keeps nothing: every decision is a
    /// proof of the pattern as written (no canonical-form sharing, no witness fast
    /// path, no memo). Slow; for tests that check the fast path gives the same
    /// verdicts and explanations.
    pub fn reference() -> Self {
        DecisionCache::with_reference(true)
    }

    fn with_reference(reference: bool) -> Self {
        DecisionCache {
            inner: Arc::new(Inner {
                ids: Sharded::new(),
                next_id: AtomicU64::new(0),
                data: Sharded::new(),
                decisions: Sharded::new(),
                witnesses: Sharded::new(),
                canonical: Sharded::new(),
                closeness: Sharded::new(),
                why: Sharded::new(),
                hits: AtomicU64::new(0),
                fast_rejects: AtomicU64::new(0),
                proofs: AtomicU64::new(0),
                explained: AtomicU64::new(0),
                reference,
                serial: {
                    static SERIAL: AtomicU64 = AtomicU64::new(0);
                    SERIAL.fetch_add(1, Ordering::Relaxed)
                },
            }),
        }
    }

    /// How the decisions so far were made.
    pub fn stats(&self) -> CacheStats {
        let i = &self.inner;
        CacheStats {
            hits: i.hits.load(Ordering::Relaxed),
            fast_rejects: i.fast_rejects.load(Ordering::Relaxed),
            proofs: i.proofs.load(Ordering::Relaxed),
            explained: i.explained.load(Ordering::Relaxed),
        }
    }

    /// The id of an interned text.
    fn id(&self, text: &str) -> u32 {
        if let Some(id) = self.inner.ids.get(text) {
            return id;
        }
        let fresh = self.inner.next_id.fetch_add(1, Ordering::Relaxed) as u32;
        self.inner.ids.insert(Arc::from(text), fresh)
    }

    /// The id of the shape of a pattern of the data.
    fn shape_id(&self, data: &DataPattern) -> u32 {
        *data
            .shape_id
            .get_or_init(|| self.id(&data.pattern.ast().shape()))
    }

    /// A pattern of the data, parsed once per run; `Err` holds the parse error's words.
    pub fn data_pattern(&self, text: &str) -> Result<Arc<DataPattern>, String> {
        let at = text.as_ptr() as usize;
        let slot =
            ((at as u64 >> 3).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize % FRONT_SLOTS;
        let serial = self.inner.serial;
        let front = FRONT.with(|f| {
            f.borrow()[slot]
                .as_ref()
                .filter(|e| e.cache == serial && e.at == at && *e.text == *text)
                .map(|e| e.pattern.clone())
        });
        if let Some(p) = front {
            return p;
        }
        let p = self.data_pattern_shared(text);
        FRONT.with(|f| {
            f.borrow_mut()[slot] = Some(Front {
                cache: serial,
                at,
                text: match &p {
                    Ok(d) => Arc::clone(&d.text),
                    Err(_) => Arc::from(text),
                },
                pattern: p.clone(),
            })
        });
        p
    }

    /// [`DecisionCache::data_pattern`] without the per-thread front.
    fn data_pattern_shared(&self, text: &str) -> Result<Arc<DataPattern>, String> {
        if let Some(p) = self.inner.data.get(text) {
            return p;
        }
        let parsed = FilterPattern::parse(text)
            .map(|pattern| {
                Arc::new(DataPattern {
                    text: Arc::from(text),
                    text_id: self.id(text),
                    canon_id: self.id(&pattern.canonical()),
                    pattern,
                    shape_id: OnceLock::new(),
                    memo: Mutex::default(),
                })
            })
            .map_err(|e| e.to_string());
        self.inner.data.insert(Arc::from(text), parsed)
    }

    /// Does the data's pattern satisfy the rule's (`check`)? Cached by canonical forms.
    pub fn decide(&self, check: PatternCheck, data: &DataPattern, rule: &RulePattern) -> Decision {
        if self.inner.reference {
            self.inner.proofs.fetch_add(1, Ordering::Relaxed);
            return prove(check, &data.pattern, &rule.pattern).0;
        }
        let told = |v: Decision| {
            let mut memo = data.memo.lock().unwrap_or_else(|p| p.into_inner());
            if memo.decisions.len() >= MEMO_KEPT {
                memo.decisions.clear();
            }
            memo.decisions.push((rule.serial, check, v.clone()));
            v
        };
        let known = {
            let memo = data.memo.lock().unwrap_or_else(|p| p.into_inner());
            memo.decisions
                .iter()
                .find(|(r, c, _)| *r == rule.serial && *c == check)
                .map(|(_, _, v)| v.clone())
        };
        if let Some(v) = known {
            self.inner.hits.fetch_add(1, Ordering::Relaxed);
            return v;
        }
        let key = (check, data.canon_id, self.id(&rule.canonical));
        if let Some(v) = self.inner.decisions.get(&key) {
            self.inner.hits.fetch_add(1, Ordering::Relaxed);
            return told(v);
        }
        let rule_canon = self.canonical_pattern(key.2, &rule.canonical);
        let witnesses = self.witnesses(key.2, &rule_canon);
        if witnesses.iter().any(|w| !data.matches(w)) {
            // The rule's pattern matches this event and the data's does not: the data's
            // pattern neither covers, nor monitors, nor equals it.
            self.inner.fast_rejects.fetch_add(1, Ordering::Relaxed);
            return told(self.inner.decisions.insert(key, Decision::No));
        }
        self.inner.proofs.fetch_add(1, Ordering::Relaxed);
        let data_canon = self.canonical_pattern(data.canon_id, &data.pattern.canonical());
        let value = match (&*data_canon, &*rule_canon) {
            (Ok(d), Ok(r)) => prove(check, d, r).0,
            (Err(e), _) | (_, Err(e)) => Decision::Unknown(Arc::from(
                format!("cannot decide: a canonical form does not read back: {e}").as_str(),
            )),
        };
        told(self.inner.decisions.insert(key, value))
    }

    /// The canonical form with the id `id` (of the text `text`), parsed once.
    fn canonical_pattern(&self, id: u32, text: &str) -> Arc<Result<FilterPattern, String>> {
        if let Some(p) = self.inner.canonical.get(&id) {
            return p;
        }
        let parsed = FilterPattern::parse_canonical(text).map_err(|e| e.to_string());
        self.inner.canonical.insert(id, Arc::new(parsed))
    }

    /// How close the data's pattern comes to the rule's (0.0 to 1.0), for ranking.
    pub fn closeness(&self, data: &DataPattern, rule: &RulePattern) -> f64 {
        if self.inner.reference {
            return data.pattern.similarity_to(&rule.pattern);
        }
        let known = {
            let memo = data.memo.lock().unwrap_or_else(|p| p.into_inner());
            memo.closeness
                .iter()
                .find(|(r, _)| *r == rule.serial)
                .map(|(_, c)| *c)
        };
        if let Some(c) = known {
            return c;
        }
        let key = (data.text_id, self.id(rule.text()));
        let c = match self.inner.closeness.get(&key) {
            Some(c) => c,
            None => {
                let c = data.pattern.similarity_to(&rule.pattern);
                self.inner.closeness.insert(key, c)
            }
        };
        let mut memo = data.memo.lock().unwrap_or_else(|p| p.into_inner());
        if memo.closeness.len() >= MEMO_KEPT {
            memo.closeness.clear();
        }
        memo.closeness.push((rule.serial, c));
        c
    }

    /// Why the data's pattern (as written) does not satisfy the rule's, in words.
    pub fn why_not(&self, check: PatternCheck, data: &str, rule: &RulePattern) -> String {
        let parsed = match self.data_pattern(data) {
            Ok(p) => p,
            Err(e) => return format!("the filter pattern in the data is invalid: {e}"),
        };
        if self.inner.reference {
            return prove(check, &parsed.pattern, &rule.pattern)
                .1
                .unwrap_or_else(|| SAME_CANON.into());
        }
        let key = (check, self.shape_id(&parsed), self.id(rule.text()));
        if let Some(w) = self.inner.why.get(&key) {
            return w.to_string();
        }
        self.inner.explained.fetch_add(1, Ordering::Relaxed);
        let why = prove(check, &parsed.pattern, &rule.pattern)
            .1
            .unwrap_or_else(|| SAME_CANON.into());
        self.inner.why.insert(key, Arc::from(why)).to_string()
    }

    /// The witness events of a required pattern, from its canonical form (computed on
    /// first use; none when the canonical form does not read back).
    fn witnesses(
        &self,
        rule_id: u32,
        canonical: &Result<FilterPattern, String>,
    ) -> Arc<Vec<Witness>> {
        if let Some(w) = self.inner.witnesses.get(&rule_id) {
            return w;
        }
        let list = match canonical {
            Ok(p) => clause_witnesses(p),
            Err(_) => Vec::new(),
        };
        self.inner.witnesses.insert(rule_id, Arc::new(list))
    }
}

/// Prove `check` of the data's pattern against the rule's: the decision, and the
/// words when it is not `Yes`.
fn prove(
    check: PatternCheck,
    data: &FilterPattern,
    rule: &FilterPattern,
) -> (Decision, Option<String>) {
    let undecided = |what: &str, reason: &str| {
        let why = format!("cannot decide {what}: {}", clip(reason, 240));
        (Decision::Unknown(Arc::from(why.as_str())), Some(why))
    };
    match check {
        PatternCheck::Equal => match data.compare(rule) {
            Comparison::Equal => (Decision::Yes, None),
            Comparison::Different {
                witness: (event, data_matches),
                ..
            } => {
                let why = if data_matches {
                    format!(
                        "also matches events the rule's pattern does not, e.g. {}",
                        clip(&event, 200)
                    )
                } else {
                    format!(
                        "misses events the rule's pattern matches, e.g. {}",
                        clip(&event, 200)
                    )
                };
                (Decision::No, Some(why))
            }
            Comparison::Unknown { reason } => undecided("equality", &reason),
        },
        PatternCheck::Covers => match data.covers(rule) {
            Coverage::Covered => (Decision::Yes, None),
            Coverage::NotCovered { counterexample } => (
                Decision::No,
                Some(format!(
                    "misses events the rule requires, e.g. {}",
                    clip(&counterexample, 200)
                )),
            ),
            Coverage::Unknown { reason } => undecided("coverage", &reason),
        },
        PatternCheck::Monitors => match monitors(data, rule) {
            Monitoring::Yes => (Decision::Yes, None),
            Monitoring::No {
                event,
                missed: true,
                ..
            } => (
                Decision::No,
                Some(format!(
                    "misses events the rule requires, e.g. {}",
                    clip(&event, 200)
                )),
            ),
            Monitoring::No {
                event,
                missed: false,
                explanation,
            } => (
                Decision::No,
                Some(format!(
                    "{}, e.g. {}",
                    clip(
                        &explanation.replace("this event, which", "events that"),
                        240
                    ),
                    clip(&event, 200)
                )),
            ),
            Monitoring::Unknown { reason } => {
                undecided("whether the filter monitors the pattern", &reason)
            }
        },
    }
}

fn witness(text: String) -> Witness {
    let json = serde_json::from_str::<Json>(&text)
        .ok()
        .filter(Json::is_object);
    Witness { text, json }
}

/// One event per top-level clause of a required pattern (`a || b`: one for `a`, one
/// for `b`), each checked against the whole pattern. `rule` is the canonical form, so
/// the events are the same for every spelling.
fn clause_witnesses(rule: &FilterPattern) -> Vec<Witness> {
    let text = rule.as_str();
    let clauses: Vec<FilterPattern> = match rule.ast() {
        Pattern::Json(JsonExpr::Or(items, _)) => items
            .iter()
            .filter_map(|c| {
                let s = c.span();
                let body = text.get(s.start..s.end)?;
                FilterPattern::parse_canonical(&format!("{{ {body} }}")).ok()
            })
            .collect(),
        _ => vec![rule.clone()],
    };
    let probe = match rule.ast() {
        Pattern::Json(_) => FilterPattern::parse("{ $.gslWitnessProbe = \"none\" }"),
        _ => FilterPattern::parse("gslWitnessProbe"),
    };
    let Ok(probe) = probe else {
        return Vec::new();
    };
    let mut out: Vec<Witness> = Vec::new();
    for clause in clauses {
        if let Coverage::NotCovered { counterexample } = probe.covers(&clause) {
            if rule.matches(&counterexample) && !out.iter().any(|w| w.text == counterexample) {
                out.push(witness(counterexample));
            }
        }
    }
    out
}

/// The first line of `text`, cut to about `max` characters.
fn clip(text: &str, max: usize) -> String {
    crate::text::clip(text.lines().next().unwrap_or("").trim(), max + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str) -> RulePattern {
        RulePattern::parse(text).expect("valid")
    }

    #[test]
    fn spellings_share_one_decision() {
        let cache = DecisionCache::new();
        let required = rule(r#"{ $.eventName = ConsoleLogin }"#);
        let a = cache
            .data_pattern(r#"{ $.eventName = ConsoleLogin }"#)
            .unwrap();
        let b = cache
            .data_pattern(r#"{($.eventName="ConsoleLogin")}"#)
            .unwrap();
        assert_eq!(
            cache.decide(PatternCheck::Covers, &a, &required),
            Decision::Yes
        );
        assert_eq!(
            cache.decide(PatternCheck::Covers, &b, &required),
            Decision::Yes
        );
        let s = cache.stats();
        assert_eq!((s.proofs, s.hits), (1, 1), "{s:?}");
    }

    #[test]
    fn witnesses_reject_unrelated_filters_without_a_proof() {
        let cache = DecisionCache::new();
        let required = rule(r#"{ ($.eventName = ConsoleLogin) || ($.eventName = "CreateUser") }"#);
        let unrelated = cache
            .data_pattern(r#"{ $.errorCode = "AccessDenied" }"#)
            .unwrap();
        assert_eq!(
            cache.decide(PatternCheck::Covers, &unrelated, &required),
            Decision::No
        );
        assert_eq!(
            cache.decide(PatternCheck::Equal, &unrelated, &required),
            Decision::No
        );
        assert_eq!(
            cache.decide(PatternCheck::Monitors, &unrelated, &required),
            Decision::No
        );
        let s = cache.stats();
        assert_eq!((s.proofs, s.fast_rejects), (0, 3), "{s:?}");
        // The words still come from a proof of the pattern as written.
        let why = cache.why_not(PatternCheck::Covers, &unrelated.text, &required);
        assert!(
            why.starts_with("misses events the rule requires, e.g. "),
            "{why}"
        );
        assert_eq!(cache.stats().explained, 1);
        // A filter matching only one clause's witness is still rejected.
        let half = cache
            .data_pattern(r#"{ $.eventName = ConsoleLogin }"#)
            .unwrap();
        assert_eq!(
            cache.decide(PatternCheck::Covers, &half, &required),
            Decision::No
        );
        assert_eq!(cache.stats().proofs, 0);
    }

    #[test]
    fn a_covering_filter_is_proved() {
        let cache = DecisionCache::new();
        let required = rule(r#"{ $.eventName = ConsoleLogin && $.errorCode = "x" }"#);
        let wider = cache
            .data_pattern(r#"{ $.eventName = ConsoleLogin }"#)
            .unwrap();
        assert_eq!(
            cache.decide(PatternCheck::Covers, &wider, &required),
            Decision::Yes
        );
        assert_eq!(
            cache.decide(PatternCheck::Equal, &wider, &required),
            Decision::No
        );
        // Wider on the very events the rule is about: it does not monitor them.
        assert_eq!(
            cache.decide(PatternCheck::Monitors, &wider, &required),
            Decision::No
        );
        let why = cache.why_not(PatternCheck::Monitors, &wider.text, &required);
        assert!(why.contains("wider"), "{why}");
        assert_eq!(cache.stats().proofs, 3);
    }

    #[test]
    fn shared_across_threads() {
        fn assert_sync<T: Send + Sync>() {}
        assert_sync::<DecisionCache>();
        let cache = DecisionCache::new();
        let required = Arc::new(rule(r#"{ $.eventName = ConsoleLogin }"#));
        std::thread::scope(|s| {
            for i in 0..4 {
                let cache = cache.clone();
                let required = Arc::clone(&required);
                s.spawn(move || {
                    let spaced = format!("{{{} $.eventName = ConsoleLogin }}", " ".repeat(i));
                    let p = cache.data_pattern(&spaced).unwrap();
                    assert_eq!(
                        cache.decide(PatternCheck::Covers, &p, &required),
                        Decision::Yes
                    );
                });
            }
        });
        let s = cache.stats();
        assert_eq!(s.hits + s.proofs, 4, "{s:?}");
    }

    #[test]
    fn a_text_read_again_at_a_reused_address_is_the_new_text() {
        // The per-thread front is keyed by where the text is; a text freed and another
        // allocated in its place must not get the old one's pattern.
        let cache = DecisionCache::new();
        for i in 0..200 {
            let text = format!("{{ $.eventName = Event{i} }}");
            let p = cache.data_pattern(&text).expect("valid");
            assert_eq!(&*p.text, text.as_str());
            assert!(p.pattern.matches(&format!(r#"{{"eventName":"Event{i}"}}"#)));
        }
    }

    #[test]
    fn each_cache_has_its_own_patterns() {
        let text = String::from("{ $.eventName = ConsoleLogin }");
        let (a, b) = (DecisionCache::new(), DecisionCache::new());
        let in_a = a.data_pattern(&text).expect("valid");
        let in_b = b.data_pattern(&text).expect("valid");
        assert!(
            !Arc::ptr_eq(&in_a, &in_b),
            "a pattern of one run leaked into another"
        );
        assert!(Arc::ptr_eq(&in_a, &a.data_pattern(&text).expect("valid")));
    }

    #[test]
    fn words_are_shared_by_texts_of_one_shape_only() {
        let cache = DecisionCache::new();
        let required = rule(r#"{ ($.eventName = ConsoleLogin) || ($.eventName = "CreateUser") }"#);
        let words = |text: &str| cache.why_not(PatternCheck::Covers, text, &required);
        let first = words(r#"{ $.eventName = "DeleteUser" || $.errorCode = "x" }"#);
        // Layout only: the same tree, the same proof.
        let respaced = words(r#"{$.eventName="DeleteUser"   ||   $.errorCode="x"}"#);
        assert_eq!(first, respaced);
        assert_eq!(cache.stats().explained, 1);
        // Another order is another tree: proved afresh (its words may differ).
        words(r#"{ $.errorCode = "x" || $.eventName = "DeleteUser" }"#);
        assert_eq!(cache.stats().explained, 2);
        // Every answer equals the reference's, which proves each text as written.
        let reference = DecisionCache::reference();
        for text in [
            r#"{$.eventName="DeleteUser"   ||   $.errorCode="x"}"#,
            r#"{ $.errorCode = "x" || $.eventName = "DeleteUser" }"#,
        ] {
            assert_eq!(
                words(text),
                reference.why_not(PatternCheck::Covers, text, &required)
            );
        }
    }

    #[test]
    fn remembered_answers_are_the_answers() {
        let cache = DecisionCache::new();
        let rules = [
            rule(r#"{ $.eventName = ConsoleLogin }"#),
            rule(r#"{ $.eventName = ConsoleLogin || $.eventName = CreateUser }"#),
        ];
        let data = cache
            .data_pattern(r#"{ $.eventName = "ConsoleLogin" }"#)
            .expect("valid");
        let checks = [
            PatternCheck::Equal,
            PatternCheck::Covers,
            PatternCheck::Monitors,
        ];
        let first: Vec<(Decision, f64)> = rules
            .iter()
            .flat_map(|r| checks.map(|c| (cache.decide(c, &data, r), cache.closeness(&data, r))))
            .collect();
        let again: Vec<(Decision, f64)> = rules
            .iter()
            .flat_map(|r| checks.map(|c| (cache.decide(c, &data, r), cache.closeness(&data, r))))
            .collect();
        assert_eq!(first, again);
        assert_eq!(first[0].0, Decision::Yes);
        assert_eq!(
            first[3].0,
            Decision::No,
            "one alternative is not equal to two"
        );
        assert_eq!(first[4].0, Decision::No, "nor covers them");
        assert_eq!(cache.stats().hits, 6, "{:?}", cache.stats());
    }
}
