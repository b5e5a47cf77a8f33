//! The GSL abstract syntax tree.
//!
//! Plain data: no pest types, no evaluation. Every node carries a [`Span`] into the
//! source it was parsed from. `==` compares everything, spans included; to compare
//! two trees while ignoring where they were written (`parse(print(ast))` against
//! `ast`), use [`SameShape::same_shape`].
//!
//! Shape of a rule:
//!
//! ```text
//! [List<]Entity[>] [where <expr>] [should [not] have <expr>]
//! ```
//!
//! An expression is `or` / `and` / `not` over *terms*. A term is a subject (a property
//! path or `$`), a chain of postfix operations (`with [..]`, `contain-all [..]`,
//! `length()`, `isFilterPatternEqual('..')`, ...), and an optional test
//! (`= 'x'`, `> 0`, `like '%a'`, `in ('a','b')`, `regexMatch /re/i`).

use crate::span::Span;

/// A complete rule or query.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// What the rule is about: the entity type, list form and `where` filter.
    pub target: Target,
    /// `should [not] have <expr>`; `None` for the query form (`cloudtrail where ...`).
    pub verdict: Option<Verdict>,
    /// The whole rule.
    pub span: Span,
}

/// `Entity`, `List<Entity>`, optionally followed by `where <expr>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The entity type name as written (`CloudTrail`, `cloudtrail`, `aws_cloudtrail`).
    pub entity: Ident,
    /// `List<Entity>`: the whole collection of an account is one test object whose
    /// `items` property holds the entities.
    pub list: bool,
    /// The `where` qualifier; entities for which it is false are *not relevant*.
    pub filter: Option<Expr>,
    /// From the entity name to the end of the `where` expression.
    pub span: Span,
}

/// `should have <expr>` or `should not have <expr>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// `should not have`.
    pub negated: bool,
    /// The condition every relevant entity must satisfy (or must not, when negated).
    pub condition: Expr,
    /// From `should` to the end of the condition.
    pub span: Span,
}

/// An identifier (entity type, property name or function name) with its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The text as written; property names are case-sensitive.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// A boolean expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// The whole expression (including parentheses when it was parenthesised).
    pub span: Span,
}

/// The kinds of [`Expr`]. `and` binds tighter than `or`; both are left-associative.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `a or b`.
    Or(Box<Expr>, Box<Expr>),
    /// `a and b`.
    And(Box<Expr>, Box<Expr>),
    /// `not a`.
    Not(Box<Expr>),
    /// A single test on a property.
    Term(Term),
}

/// `subject postfix* [test]`, e.g. `metricFilters with [..] length() > 0`.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// What is being looked at.
    pub subject: Subject,
    /// Operations applied left to right to the subject's value.
    pub postfix: Vec<Postfix>,
    /// The final comparison. Without one, the value is tested for truth/presence:
    /// booleans as themselves, other values as "present and not empty".
    pub test: Option<Test>,
    /// The whole term.
    pub span: Span,
}

/// The start of a term.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    /// A dotted property path relative to the current context (the entity, or the
    /// list element inside `[ .. ]`).
    Path(Path),
    /// `$`: the current element itself (for lists of scalars).
    Element(Span),
}

/// A dotted property path: `status.isLogging`, `metricFilters`.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// The segments, in order; never empty.
    pub segments: Vec<Ident>,
    /// The whole path.
    pub span: Span,
}

impl Path {
    /// The path as written, segments joined by `.`.
    pub fn dotted(&self) -> String {
        self.segments
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// A postfix operation in a term.
#[derive(Debug, Clone, PartialEq)]
pub enum Postfix {
    /// `with [p]`, `contain [p]`, `contain-any [p]`, ...: a list operator whose predicate
    /// is evaluated with each element as the context.
    ListOp {
        /// Which operator.
        op: ListOp,
        /// The predicate inside the brackets.
        predicate: Box<Expr>,
        /// From the operator keyword to the closing bracket.
        span: Span,
    },
    /// A builtin call: `length()`, `isEmpty()`, `after(-1, 'days')`,
    /// `isFilterPatternEqual('...')`. Arguments are literals.
    Call {
        /// The function name as written.
        name: Ident,
        /// The arguments.
        args: Vec<Literal>,
        /// From the name to the closing parenthesis.
        span: Span,
    },
}

impl Postfix {
    /// The span of the operation.
    pub fn span(&self) -> Span {
        match self {
            Postfix::ListOp { span, .. } | Postfix::Call { span, .. } => *span,
        }
    }
}

/// List operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListOp {
    /// `with [p]`: the elements satisfying `p` (a list; as a condition: non-empty).
    With,
    /// `contain [p]`: some element satisfies `p`.
    Contain,
    /// `contain-any [p]`: some element satisfies `p`.
    ContainAny,
    /// `contain-all [p]`: every element satisfies `p` (true on an empty list).
    ContainAll,
    /// `contain-none [p]`: no element satisfies `p`.
    ContainNone,
    /// `contain-single [p]`: exactly one element satisfies `p`.
    ContainSingle,
    /// `groupBy [key]`: the elements grouped by the value of the path `key`; each group
    /// exposes its `key` and its `values` (our reading: the vendor does not publish
    /// the semantics).
    GroupBy,
}

impl ListOp {
    /// Every list operator, in keyword order.
    pub const ALL: [ListOp; 7] = [
        ListOp::With,
        ListOp::Contain,
        ListOp::ContainAny,
        ListOp::ContainAll,
        ListOp::ContainNone,
        ListOp::ContainSingle,
        ListOp::GroupBy,
    ];

    /// Every list operator keyword, in [`ListOp::ALL`] order.
    pub const KEYWORDS: [&'static str; Self::ALL.len()] = {
        let mut out = [""; Self::ALL.len()];
        let mut i = 0;
        while i < Self::ALL.len() {
            out[i] = Self::ALL[i].keyword();
            i += 1;
        }
        out
    };

    /// The keyword as written in GSL.
    pub const fn keyword(self) -> &'static str {
        match self {
            ListOp::With => "with",
            ListOp::Contain => "contain",
            ListOp::ContainAny => "contain-any",
            ListOp::ContainAll => "contain-all",
            ListOp::ContainNone => "contain-none",
            ListOp::ContainSingle => "contain-single",
            ListOp::GroupBy => "groupBy",
        }
    }
}

/// The final comparison of a term: `op value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    /// The operator.
    pub op: CmpOp,
    /// The right-hand side.
    pub value: Literal,
    /// From the operator to the end of the value.
    pub span: Span,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `like 'a%b'` (`%` matches any run of characters; case-insensitive).
    Like,
    /// `unlike 'a%b'`: the negation of `like` on a present value.
    Unlike,
    /// `regexMatch /re/flags`.
    RegexMatch,
    /// `in ('a', 'b')`.
    In,
}

impl CmpOp {
    /// Every comparison operator: the symbols, then the words.
    pub const ALL: [CmpOp; 10] = [
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Gt,
        CmpOp::Le,
        CmpOp::Ge,
        CmpOp::Like,
        CmpOp::Unlike,
        CmpOp::In,
        CmpOp::RegexMatch,
    ];

    /// The operators written as words (`like`, `unlike`, `in`, `regexMatch`), which
    /// are keywords.
    pub const WORDS: [&'static str; 4] = {
        let mut out = [""; 4];
        let mut i = 0;
        let mut k = 0;
        while i < Self::ALL.len() {
            let s = Self::ALL[i].symbol();
            if s.as_bytes()[0].is_ascii_alphabetic() {
                out[k] = s;
                k += 1;
            }
            i += 1;
        }
        out
    };

    /// The operator as written in GSL.
    pub const fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Gt => ">",
            CmpOp::Le => "<=",
            CmpOp::Ge => ">=",
            CmpOp::Like => "like",
            CmpOp::Unlike => "unlike",
            CmpOp::RegexMatch => "regexMatch",
            CmpOp::In => "in",
        }
    }
}

/// The keywords that structure a rule: `should`, `have`, `not`, `where`, `and`, `or`.
pub const STRUCTURE_KEYWORDS: [&str; 6] = ["should", "have", "not", "where", "and", "or"];

/// The keyword of the list form of a target (`List<X>`).
pub const LIST_KEYWORD: &str = "List";

/// The literal keywords: `true`, `false`, `null`.
pub const LITERAL_KEYWORDS: [&str; 3] = ["true", "false", "null"];

/// A literal value with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    /// The value.
    pub kind: LiteralKind,
    /// Where it was written (including quotes or slashes).
    pub span: Span,
}

/// Literal values.
#[derive(Debug, Clone, PartialEq)]
pub enum LiteralKind {
    /// `'text'` (escapes already resolved: `\'` is `'`, `\\` is `\`).
    String(String),
    /// `42`, `-1`, `2.5`.
    Number(f64),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// `/pattern/flags` (flags: any of `i`, `m`, `s`, `x`).
    Regex {
        /// The pattern between the slashes (with `\/` resolved to `/`).
        pattern: String,
        /// The flags after the closing slash.
        flags: String,
    },
    /// `('a', 'b', 3)`.
    Tuple(Vec<Literal>),
    /// `$Name`: a ruleset parameter (the name without `$`). The checker replaces it with
    /// the value the parameters give it (`gsl::params`): a scalar, or a list of values
    /// (spliced into a surrounding tuple).
    Param(String),
}

/// Structural equality that ignores spans: two trees have the same shape when they
/// differ at most in where their nodes were written (layout, parentheses that do not
/// change the tree). `parse(print(r)).same_shape(&r)` holds for every rule `r`.
pub trait SameShape {
    /// True when `self` and `other` differ at most in their spans.
    fn same_shape(&self, other: &Self) -> bool;
}

impl<T: SameShape + ?Sized> SameShape for Box<T> {
    fn same_shape(&self, other: &Self) -> bool {
        (**self).same_shape(other)
    }
}

impl<T: SameShape> SameShape for Option<T> {
    fn same_shape(&self, other: &Self) -> bool {
        match (self, other) {
            (Some(a), Some(b)) => a.same_shape(b),
            (None, None) => true,
            _ => false,
        }
    }
}

impl<T: SameShape> SameShape for [T] {
    fn same_shape(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a.same_shape(b))
    }
}

impl<T: SameShape> SameShape for Vec<T> {
    fn same_shape(&self, other: &Self) -> bool {
        self.as_slice().same_shape(other.as_slice())
    }
}

impl SameShape for Rule {
    fn same_shape(&self, other: &Self) -> bool {
        self.target.same_shape(&other.target) && self.verdict.same_shape(&other.verdict)
    }
}

impl SameShape for Target {
    fn same_shape(&self, other: &Self) -> bool {
        self.entity.same_shape(&other.entity)
            && self.list == other.list
            && self.filter.same_shape(&other.filter)
    }
}

impl SameShape for Verdict {
    fn same_shape(&self, other: &Self) -> bool {
        self.negated == other.negated && self.condition.same_shape(&other.condition)
    }
}

impl SameShape for Ident {
    fn same_shape(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl SameShape for Expr {
    fn same_shape(&self, other: &Self) -> bool {
        match (&self.kind, &other.kind) {
            (ExprKind::Or(a, b), ExprKind::Or(c, d))
            | (ExprKind::And(a, b), ExprKind::And(c, d)) => a.same_shape(c) && b.same_shape(d),
            (ExprKind::Not(a), ExprKind::Not(b)) => a.same_shape(b),
            (ExprKind::Term(a), ExprKind::Term(b)) => a.same_shape(b),
            _ => false,
        }
    }
}

impl SameShape for Term {
    fn same_shape(&self, other: &Self) -> bool {
        let subject = match (&self.subject, &other.subject) {
            (Subject::Path(a), Subject::Path(b)) => a.segments.same_shape(&b.segments),
            (Subject::Element(_), Subject::Element(_)) => true,
            _ => false,
        };
        subject && self.postfix.same_shape(&other.postfix) && self.test.same_shape(&other.test)
    }
}

impl SameShape for Postfix {
    fn same_shape(&self, other: &Self) -> bool {
        match (self, other) {
            (
                Postfix::ListOp {
                    op: a,
                    predicate: p,
                    ..
                },
                Postfix::ListOp {
                    op: b,
                    predicate: q,
                    ..
                },
            ) => a == b && p.same_shape(q),
            (
                Postfix::Call {
                    name: a, args: x, ..
                },
                Postfix::Call {
                    name: b, args: y, ..
                },
            ) => a.same_shape(b) && x.same_shape(y),
            _ => false,
        }
    }
}

impl SameShape for Test {
    fn same_shape(&self, other: &Self) -> bool {
        self.op == other.op && self.value.same_shape(&other.value)
    }
}

impl SameShape for Literal {
    fn same_shape(&self, other: &Self) -> bool {
        match (&self.kind, &other.kind) {
            (LiteralKind::Tuple(a), LiteralKind::Tuple(b)) => a.same_shape(b),
            (LiteralKind::String(a), LiteralKind::String(b)) => a == b,
            (LiteralKind::Number(a), LiteralKind::Number(b)) => a == b,
            (LiteralKind::Bool(a), LiteralKind::Bool(b)) => a == b,
            (LiteralKind::Null, LiteralKind::Null) => true,
            (LiteralKind::Param(a), LiteralKind::Param(b)) => a == b,
            (
                LiteralKind::Regex {
                    pattern: p,
                    flags: f,
                },
                LiteralKind::Regex {
                    pattern: q,
                    flags: g,
                },
            ) => p == q && f == g,
            _ => false,
        }
    }
}
