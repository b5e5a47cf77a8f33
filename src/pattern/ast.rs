//! The syntax tree of a filter pattern. Independent of the parser library;
//! every node carries the [`Span`] it was written at (compared by `==`; see
//! [`Pattern::shape`] for a comparison that ignores where nodes were written).

use std::fmt;

use crate::span::Span;

/// A parsed filter pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// Blank, `""` or `" "`: every event matches.
    MatchAll(Span),
    /// Unstructured terms (`ERROR "bad thing" ?WARN -DEBUG %re%`).
    Terms(Vec<Term>),
    /// `{ ... }`.
    Json(JsonExpr),
    /// `[ ... ]`.
    Delimited(Vec<Slot>),
}

impl Pattern {
    /// The tree as written, without the spans, as text: equal for two texts that
    /// differ only in layout (blanks, line breaks) or in what the tree does not keep,
    /// different whenever the trees differ in anything else, order included.
    /// Whatever is computed from the tree alone (the proofs and their
    /// counterexamples) is the same for texts with the same shape.
    pub(crate) fn shape(&self) -> String {
        let mut p = self.clone();
        p.clear_spans();
        format!("{p:?}")
    }

    fn clear_spans(&mut self) {
        fn json(e: &mut JsonExpr) {
            match e {
                JsonExpr::And(v, s) | JsonExpr::Or(v, s) => {
                    *s = Span::default();
                    v.iter_mut().for_each(json);
                }
                JsonExpr::Cond(c) => {
                    c.span = Span::default();
                    c.selector.span = Span::default();
                }
            }
        }
        fn field(e: &mut FieldExpr) {
            match e {
                FieldExpr::And(v) | FieldExpr::Or(v) => v.iter_mut().for_each(field),
                FieldExpr::Cmp(_, _, s) => *s = Span::default(),
            }
        }
        match self {
            Pattern::MatchAll(s) => *s = Span::default(),
            Pattern::Terms(t) => t.iter_mut().for_each(|t| t.span = Span::default()),
            Pattern::Json(e) => json(e),
            Pattern::Delimited(slots) => {
                for slot in slots {
                    match slot {
                        Slot::Ellipsis(s) | Slot::Blank(s) => *s = Span::default(),
                        Slot::Field(f) => {
                            f.span = Span::default();
                            if let Some(c) = &mut f.cond {
                                field(c);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// How a term takes part in an unstructured pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TermMode {
    /// Plain term: must occur.
    Required,
    /// `?term`: any of the optional terms must occur (ignored next to plain or `-` terms).
    Optional,
    /// `-term`: must not occur.
    Excluded,
}

/// What a term looks for.
#[derive(Debug, Clone, PartialEq)]
pub enum TermBody {
    /// A case-sensitive substring (bare word or quoted phrase, quotes removed).
    Text(String),
    /// `%regex%`.
    Regex(PatRegex),
}

/// One term of an unstructured pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// Required, optional or excluded.
    pub mode: TermMode,
    /// Text or regex.
    pub body: TermBody,
    /// Where it was written.
    pub span: Span,
}

/// A boolean expression of a JSON pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonExpr {
    /// `a && b && ...` (two or more operands).
    And(Vec<JsonExpr>, Span),
    /// `a || b || ...` (two or more operands).
    Or(Vec<JsonExpr>, Span),
    /// One condition on one selector.
    Cond(Condition),
}

impl JsonExpr {
    /// Where the expression was written.
    pub fn span(&self) -> Span {
        match self {
            JsonExpr::And(_, s) | JsonExpr::Or(_, s) => *s,
            JsonExpr::Cond(c) => c.span,
        }
    }
}

/// `selector test`, e.g. `$.eventName = "ConsoleLogin"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The property selector.
    pub selector: Selector,
    /// What is checked on the selected value.
    pub test: Test,
    /// Where the condition was written.
    pub span: Span,
}

/// A property selector such as `$.userIdentity.type` or `$.items[*].name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    /// The steps after `$`.
    pub steps: Vec<Step>,
    /// Where the selector was written.
    pub span: Span,
}

/// One step of a selector.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    /// `.name` or `.['name']`.
    Key(String),
    /// `[N]`.
    Index(u64),
    /// `.*`: any field of an object.
    AnyKey,
    /// `[*]`: any element of an array.
    AnyIndex,
}

impl Selector {
    /// Number of wildcard steps (`.*`, `[*]`).
    pub fn wildcards(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| matches!(s, Step::AnyKey | Step::AnyIndex))
            .count()
    }
}

/// Is `name` legal as a `.name` selector step?
pub(crate) fn is_plain_key(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("$")?;
        for s in &self.steps {
            match s {
                Step::Key(k) if is_plain_key(k) => write!(f, ".{k}")?,
                Step::Key(k) => write!(f, ".['{k}']")?,
                Step::Index(i) => write!(f, "[{i}]")?,
                Step::AnyKey => f.write_str(".*")?,
                Step::AnyIndex => f.write_str("[*]")?,
            }
        }
        Ok(())
    }
}

/// The test a condition applies to the selected value.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// `op value`.
    Compare(CmpOp, Value),
    /// `IS NULL`.
    IsNull,
    /// `IS TRUE`.
    IsTrue,
    /// `IS FALSE`.
    IsFalse,
    /// `NOT EXISTS`.
    NotExists,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A value on the right of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string (quoted, or bare and not a number), with its wildcard reading.
    Str(StrMatch),
    /// A bare number (`1000`, `1e3`, `+1000`, `-5.5`).
    Num(Num),
    /// `%regex%`.
    Regex(PatRegex),
}

/// How a string value matches text. Leading and trailing `*` are wildcards; a `*`
/// anywhere else is a literal character (the AWS "`Ev*ent` only matches `Ev*ent`" rule).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StrMatch {
    /// `*` (or `**`): any string or number.
    Any,
    /// `abc`: exactly this text.
    Exact(String),
    /// `abc*`: text starting with this.
    Prefix(String),
    /// `*abc`: text ending with this.
    Suffix(String),
    /// `*abc*`: text containing this.
    Contains(String),
}

impl StrMatch {
    /// Read wildcards out of the written text of a string value.
    pub fn from_text(text: &str) -> StrMatch {
        let lead = text.starts_with('*');
        let trail = text.len() > 1 && text.ends_with('*');
        let inner_start = usize::from(lead);
        let inner_end = text.len() - usize::from(trail);
        let inner = text
            .get(inner_start..inner_end.max(inner_start))
            .unwrap_or("");
        match (lead, trail) {
            (true, _) if inner.is_empty() => StrMatch::Any,
            (true, true) => StrMatch::Contains(inner.to_string()),
            (true, false) => StrMatch::Suffix(inner.to_string()),
            (false, true) => StrMatch::Prefix(inner.to_string()),
            (false, false) => StrMatch::Exact(inner.to_string()),
        }
    }

    /// The text that spells this value (inverse of [`StrMatch::from_text`]).
    pub fn to_text(&self) -> String {
        match self {
            StrMatch::Any => "*".to_string(),
            StrMatch::Exact(s) => s.clone(),
            StrMatch::Prefix(s) => format!("{s}*"),
            StrMatch::Suffix(s) => format!("*{s}"),
            StrMatch::Contains(s) => format!("*{s}*"),
        }
    }

    /// Does `text` match?
    pub fn is_match(&self, text: &str) -> bool {
        match self {
            StrMatch::Any => true,
            StrMatch::Exact(s) => text == s,
            StrMatch::Prefix(s) => text.starts_with(s.as_str()),
            StrMatch::Suffix(s) => text.ends_with(s.as_str()),
            StrMatch::Contains(s) => text.contains(s.as_str()),
        }
    }
}

/// A number literal, normalised (`1e3` = `1000` = `+1000`; `-0` = `0`).
#[derive(Clone, Copy)]
pub struct Num(f64);

impl Num {
    /// A number from a finite float (`-0.0` becomes `0.0`).
    pub fn new(v: f64) -> Option<Num> {
        if v.is_finite() {
            Some(Num(if v == 0.0 { 0.0 } else { v }))
        } else {
            None
        }
    }

    /// The value.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl PartialEq for Num {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}
impl Eq for Num {}
impl std::hash::Hash for Num {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state)
    }
}
impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Num {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}
impl fmt::Debug for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.0.abs();
        if self.0.fract() == 0.0 && a < 1e15 {
            write!(f, "{}", self.0 as i64)
        } else if !(1e-6..1e15).contains(&a) {
            write!(f, "{:e}", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// A `%regex%` with its compiled, linear-time matcher. Compared by source text.
#[derive(Clone)]
pub struct PatRegex {
    /// The text between the `%` signs, as written.
    pub source: String,
    pub(crate) re: regex::Regex,
}

impl PatRegex {
    /// Does the regex match somewhere in `text`?
    pub fn is_match(&self, text: &str) -> bool {
        self.re.is_match(text)
    }
}

impl PartialEq for PatRegex {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}
impl fmt::Debug for PatRegex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "%{}%", self.source)
    }
}

/// One slot of a space-delimited pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Slot {
    /// `...`: any number of fields.
    Ellipsis(Span),
    /// An unnamed, unconstrained field (an empty slot such as the one after a trailing comma).
    Blank(Span),
    /// A named field with an optional condition.
    Field(Field),
}

/// A named field of a space-delimited pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The name (reported as `$name` in extracted values).
    pub name: String,
    /// The condition on the field's text, if any.
    pub cond: Option<FieldExpr>,
    /// Where the slot was written.
    pub span: Span,
}

/// A condition on one field of a space-delimited pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldExpr {
    /// `a && b`.
    And(Vec<FieldExpr>),
    /// `a || b`.
    Or(Vec<FieldExpr>),
    /// `name op value`.
    Cmp(CmpOp, Value, Span),
}

#[cfg(test)]
mod tests {
    use crate::pattern::FilterPattern;

    fn shape(text: &str) -> String {
        FilterPattern::parse(text).expect("valid").ast().shape()
    }

    #[test]
    fn shape_ignores_layout_and_keeps_everything_else() {
        let a = shape(r#"{ $.eventName = "CreateTrail" || $.eventName = "DeleteTrail" }"#);
        assert_eq!(
            a,
            shape(r#"{$.eventName="CreateTrail"||$.eventName="DeleteTrail"}"#)
        );
        assert_eq!(
            a,
            shape("{\n  $.eventName = \"CreateTrail\"\n  || $.eventName = \"DeleteTrail\"\n}")
        );
        assert!(!a.replace("0..0", "").contains(".."), "no spans left: {a}");
        for other in [
            r#"{ $.eventName = "DeleteTrail" || $.eventName = "CreateTrail" }"#,
            r#"{ $.eventName = "CreateTrail" && $.eventName = "DeleteTrail" }"#,
            r#"{ $.eventName = "CreateTrail*" || $.eventName = "DeleteTrail" }"#,
            r#"{ $.eventSource = "CreateTrail" || $.eventName = "DeleteTrail" }"#,
        ] {
            assert_ne!(a, shape(other), "{other}");
        }
        assert_eq!(shape("ERROR  -DEBUG"), shape("ERROR -DEBUG"));
        assert_ne!(shape("ERROR -DEBUG"), shape("-DEBUG ERROR"));
        assert_eq!(shape("[ip, user = bob , ...]"), shape("[ip,user=bob,...]"));
    }
}
