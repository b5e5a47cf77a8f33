//! Regular languages of string tests (wildcard values, `%regex%`, terms),
//! decided exactly with DFAs (`regex-automata`) and an on-the-fly product
//! construction: which combinations of tests some string satisfies, each with
//! the shortest such string.

use std::sync::{Arc, LazyLock, Mutex};

use foldhash::{HashMap, HashMapExt};

use regex_automata::dfa::{dense, Automaton};
use regex_automata::util::primitives::StateID;
use regex_automata::util::start;
use regex_automata::{Anchored, MatchKind};

use super::ast::StrMatch;

/// Most product states explored for one field before giving up.
const MAX_PRODUCT_STATES: usize = 50_000;
/// Most automaton transitions taken for one field before giving up (a product state
/// costs one per byte class and automaton): a bound on work, not time, so the answer
/// is the same on every machine; about 100 ms of a release build here.
const MAX_TRANSITIONS: usize = 10_000_000;
/// Memory bound for one DFA (bytes).
const DFA_LIMIT: usize = 8 << 20;

/// A compiled language: the set of whole strings a test accepts.
pub(crate) struct Lang {
    dfa: dense::DFA<Vec<u32>>,
}

/// The full-match language of a wildcard string value (`abc`, `abc*`, `*abc`, `*abc*`, `*`).
pub(crate) fn str_lang_source(m: &StrMatch) -> String {
    let q = |s: &str| regex_syntax::escape(s);
    match m {
        StrMatch::Any => r"(?s:.)*".to_string(),
        StrMatch::Exact(s) => q(s),
        StrMatch::Prefix(s) => format!(r"{}(?s:.)*", q(s)),
        StrMatch::Suffix(s) => format!(r"(?s:.)*{}", q(s)),
        StrMatch::Contains(s) => format!(r"(?s:.)*{}(?s:.)*", q(s)),
    }
}

/// The full-match language of "contains `s`" (a text term).
pub(crate) fn contains_source(s: &str) -> String {
    str_lang_source(&StrMatch::Contains(s.to_string()))
}

/// The full-match language of an unanchored `%regex%` search (CloudWatch syntax).
pub(crate) fn regex_search_source(source: &str) -> String {
    format!(r"(?s:.)*(?:{})(?s:.)*", source.replace("{,", "{0,"))
}

/// Every valid UTF-8 string (the domain of text values).
pub(crate) const UTF8_SOURCE: &str = r"(?s:.)*";

/// Strings that numeric comparisons read as a number (see `eval::text_number`).
pub(crate) const NUMERIC_SOURCE: &str =
    r"\s*[+\-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+\-]?[0-9]+)?\s*";

/// Why the languages of some tests could not be explored (the decision then knows
/// nothing about them, which is sound).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AutomatonError {
    /// A source the automaton builder rejects (e.g. a Unicode `\b`, or over the size
    /// limit).
    #[error("cannot build an automaton for `{regex}`: {message}")]
    Build {
        /// The full-match source.
        regex: String,
        /// The builder's words.
        message: String,
    },
    /// No anchored start state.
    #[error("{0}")]
    Start(String),
    /// The product grew past [`MAX_TRANSITIONS`].
    #[error(
        "the combined automaton needs more than {} transitions",
        MAX_TRANSITIONS
    )]
    Transitions,
    /// The product grew past [`MAX_PRODUCT_STATES`].
    #[error("the combined automaton has more than {} states", MAX_PRODUCT_STATES)]
    States,
}

impl Lang {
    /// Compile a full-match language; `Err` says why (e.g. a Unicode `\b`).
    pub(crate) fn new(source: &str) -> Result<Lang, AutomatonError> {
        let dfa = dense::Builder::new()
            .configure(
                dense::Config::new()
                    .start_kind(regex_automata::dfa::StartKind::Anchored)
                    .match_kind(MatchKind::All)
                    .dfa_size_limit(Some(DFA_LIMIT))
                    .determinize_size_limit(Some(DFA_LIMIT)),
            )
            .build(&format!(r"\A(?:{source})\z"))
            .map_err(|e| AutomatonError::Build {
                regex: source.to_string(),
                message: e.to_string(),
            })?;
        Ok(Lang { dfa })
    }

    fn start(&self) -> Result<StateID, AutomatonError> {
        self.dfa
            .start_state(&start::Config::new().anchored(Anchored::Yes))
            .map_err(|e| AutomatonError::Start(e.to_string()))
    }

    fn accepts_at(&self, s: StateID) -> bool {
        self.dfa.is_match_state(self.dfa.next_eoi_state(s))
    }
}

/// One realizable combination: which languages accept, and a shortest string.
#[derive(Debug, Clone)]
pub(crate) struct Combo {
    pub accepts: Vec<bool>,
    pub witness: String,
}

/// Bytes worth trying, one per equivalence class of all automata, letters first.
fn alphabet(langs: &[&Lang]) -> Vec<u8> {
    let mut seen: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut reps: Vec<u8> = Vec::new();
    let rank = |b: u8| -> u8 {
        if b.is_ascii_alphabetic() {
            0
        } else if b.is_ascii_digit() {
            1
        } else if b.is_ascii_graphic() || b == b' ' {
            2
        } else {
            3
        }
    };
    let mut bytes: Vec<u8> = (0..=255).collect();
    bytes.sort_by_key(|&b| (rank(b), b));
    for b in bytes {
        let sig: Vec<u8> = langs.iter().map(|l| l.dfa.byte_classes().get(b)).collect();
        if let std::collections::hash_map::Entry::Vacant(e) = seen.entry(sig) {
            e.insert(reps.len());
            reps.push(b);
        }
    }
    reps
}

/// Most answers [`combos`] (and automata [`compiled`]) remembers; past it, it starts
/// afresh.
const COMBOS_KEPT: usize = 4096;

/// The generation filled in ([`crate::memo`]) and the answers.
type CombosMemo = (
    u64,
    HashMap<Vec<String>, Arc<Result<Vec<Combo>, AutomatonError>>>,
);

/// [`explore`] of the languages of `sources` (full-match regex sources) on valid UTF-8
/// text ([`UTF8_SOURCE`]): every realizable acceptance vector, with a shortest string.
///
/// A pure function of `sources`, remembered process-wide ([`crate::memo`]): every proof that tests a
/// field the same way (the required pattern's values and the filter's, an
/// organization's worth of times) asks it again, and compiling the automata is most
/// of its cost. The answer is the same remembered or not.
pub(crate) fn combos(sources: &[String]) -> Arc<Result<Vec<Combo>, AutomatonError>> {
    static MEMO: LazyLock<Mutex<CombosMemo>> = LazyLock::new(Mutex::default);
    let generation = crate::memo::generation();
    {
        let memo = MEMO.lock().unwrap_or_else(|p| p.into_inner());
        if memo.0 == generation {
            if let Some(hit) = memo.1.get(sources) {
                return Arc::clone(hit);
            }
        }
    }
    let answer = Arc::new(explore_sources(sources));
    let mut memo = MEMO.lock().unwrap_or_else(|p| p.into_inner());
    if memo.0 != generation || memo.1.len() >= COMBOS_KEPT {
        *memo = (generation, HashMap::new());
    }
    Arc::clone(memo.1.entry(sources.to_vec()).or_insert(answer))
}

fn explore_sources(sources: &[String]) -> Result<Vec<Combo>, AutomatonError> {
    let langs: Vec<Arc<Lang>> = sources
        .iter()
        .map(|s| compiled(s))
        .collect::<Result<_, _>>()?;
    let refs: Vec<&Lang> = langs.iter().map(|l| l.as_ref()).collect();
    explore(compiled(UTF8_SOURCE)?.as_ref(), &refs)
}

/// The generation filled in ([`crate::memo`]), the bytes kept and the automata by source.
type LangMemo = (
    u64,
    usize,
    HashMap<String, Result<Arc<Lang>, AutomatonError>>,
);

/// Most bytes of automata [`compiled`] keeps (a regex may compile to megabytes); past
/// it, it starts afresh.
const LANGS_BYTES: usize = 64 << 20;

/// [`Lang::new`], remembered process-wide ([`crate::memo`]) by source: the domain of
/// text values and the required patterns' values come back in every combination.
fn compiled(source: &str) -> Result<Arc<Lang>, AutomatonError> {
    static MEMO: LazyLock<Mutex<LangMemo>> = LazyLock::new(Mutex::default);
    let generation = crate::memo::generation();
    {
        let memo = MEMO.lock().unwrap_or_else(|p| p.into_inner());
        if memo.0 == generation {
            if let Some(hit) = memo.2.get(source) {
                return hit.clone();
            }
        }
    }
    let lang = Lang::new(source).map(Arc::new);
    let bytes = lang.as_ref().map_or(0, |l| l.dfa.memory_usage()) + source.len();
    let mut memo = MEMO.lock().unwrap_or_else(|p| p.into_inner());
    if memo.0 != generation || memo.2.len() >= COMBOS_KEPT || memo.1 + bytes > LANGS_BYTES {
        *memo = (generation, 0, HashMap::new());
    }
    memo.1 += bytes;
    memo.2.entry(source.to_string()).or_insert(lang).clone()
}

/// Explore the product of `langs` (the first one is the domain: only strings
/// it accepts count) and return every realizable acceptance vector of the
/// others, with a shortest witness each.
pub(crate) fn explore(domain: &Lang, langs: &[&Lang]) -> Result<Vec<Combo>, AutomatonError> {
    let mut all: Vec<&Lang> = vec![domain];
    all.extend_from_slice(langs);
    let sigma = alphabet(&all);
    let start: Vec<StateID> = all.iter().map(|l| l.start()).collect::<Result<_, _>>()?;
    let mut index: HashMap<Vec<StateID>, usize> = HashMap::new();
    // (state, parent, byte)
    let mut states: Vec<(Vec<StateID>, usize, u8)> = Vec::new();
    index.insert(start.clone(), 0);
    states.push((start, usize::MAX, 0));
    let mut found: HashMap<Vec<bool>, usize> = HashMap::new();
    let mut order: Vec<Vec<bool>> = Vec::new();
    let mut i = 0;
    let mut transitions = 0usize;
    while i < states.len() {
        let cur = states[i].0.clone();
        if domain.accepts_at(cur[0]) {
            let v: Vec<bool> = all[1..]
                .iter()
                .zip(&cur[1..])
                .map(|(l, &s)| l.accepts_at(s))
                .collect();
            if !found.contains_key(&v) {
                found.insert(v.clone(), i);
                order.push(v);
            }
        }
        transitions += sigma.len() * all.len();
        if transitions > MAX_TRANSITIONS {
            return Err(AutomatonError::Transitions);
        }
        for &b in &sigma {
            let next: Vec<StateID> = all
                .iter()
                .zip(&cur)
                .map(|(l, &s)| l.dfa.next_state(s, b))
                .collect();
            if all[0].dfa.is_dead_state(next[0]) {
                continue;
            }
            if !index.contains_key(&next) {
                if states.len() >= MAX_PRODUCT_STATES {
                    return Err(AutomatonError::States);
                }
                index.insert(next.clone(), states.len());
                states.push((next, i, b));
            }
        }
        i += 1;
    }
    let path = |mut at: usize| {
        let mut bytes = Vec::new();
        while at != 0 && at != usize::MAX {
            bytes.push(states[at].2);
            at = states[at].1;
        }
        bytes.reverse();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    Ok(order
        .into_iter()
        .map(|v| {
            let at = found[&v];
            Combo {
                accepts: v,
                witness: path(at),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(texts: &[&str]) -> Vec<String> {
        texts
            .iter()
            .map(|t| str_lang_source(&StrMatch::from_text(t)))
            .collect()
    }

    #[test]
    fn a_remembered_answer_is_the_answer() {
        let s = sources(&["*UnauthorizedOperation", "AccessDenied*", "Access*Denied"]);
        let fresh = explore_sources(&s).expect("explores");
        for _ in 0..2 {
            let memo = combos(&s);
            let memo = memo.as_ref().as_ref().expect("explores");
            let pairs = |v: &[Combo]| -> Vec<(Vec<bool>, String)> {
                v.iter()
                    .map(|c| (c.accepts.clone(), c.witness.clone()))
                    .collect()
            };
            assert_eq!(pairs(memo), pairs(&fresh));
        }
        // Neither, each alone (`Access*Denied` is exact: an inner `*` is literal), and
        // both wildcards at once.
        assert_eq!(fresh.len(), 5, "{fresh:?}");
    }

    #[test]
    fn forgetting_empties_the_memo_and_keeps_the_answer() {
        let s = sources(&["gslForgetProbe*", "*Denied"]);
        let first = combos(&s);
        assert!(Arc::ptr_eq(&first, &combos(&s)), "remembered");
        crate::memo::forget();
        let again = combos(&s);
        assert!(!Arc::ptr_eq(&first, &again), "worked out afresh");
        let words = |c: &Arc<Result<Vec<Combo>, AutomatonError>>| format!("{c:?}");
        assert_eq!(words(&first), words(&again));
    }

    #[test]
    fn order_of_the_sources_is_part_of_the_question() {
        let ab = combos(&sources(&["a*", "*b"]));
        let ba = combos(&sources(&["*b", "a*"]));
        let first = |c: &Arc<Result<Vec<Combo>, AutomatonError>>| {
            c.as_ref().as_ref().expect("explores")[1].accepts.clone()
        };
        assert_ne!(first(&ab), first(&ba));
    }
}
