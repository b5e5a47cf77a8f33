//! The checked form of a rule: what the evaluator runs. Built by the static pass
//! ([`check_rule`](super::check_rule)) from a parsed [`Rule`]: builtins resolved to
//! their table entry, arguments resolved (numbers, time units, filter patterns parsed
//! and canonicalized), regexes and `like` patterns compiled, and the texts shown in
//! explanations printed once.

use super::builtins::{Arg, Builtin};
use crate::lang::ast::{CmpOp, Ident, ListOp, Literal, Rule};
use crate::span::Span;
use regex::Regex;

/// A rule that passed the static pass, ready to evaluate.
#[derive(Debug, Clone)]
pub struct CheckedRule {
    pub(crate) rule: Rule,
    /// The checked `where` filter.
    pub(crate) filter_expr: Option<CExpr>,
    /// The checked `should [not] have` condition.
    pub(crate) verdict_expr: Option<CVerdict>,
}

/// A checked rule reads as the rule it was checked from.
impl std::ops::Deref for CheckedRule {
    type Target = Rule;
    fn deref(&self) -> &Rule {
        &self.rule
    }
}

impl CheckedRule {
    /// The parsed rule it was checked from.
    pub fn rule(&self) -> &Rule {
        &self.rule
    }

    /// The entity type as written.
    pub fn entity(&self) -> &str {
        &self.rule.target.entity.name
    }

    /// A `List<X>` rule.
    pub fn is_list(&self) -> bool {
        self.rule.target.list
    }
}

/// `should [not] have <condition>`.
#[derive(Debug, Clone)]
pub(crate) struct CVerdict {
    pub negated: bool,
    pub condition: CExpr,
}

/// A checked expression; `text` is its printed form.
#[derive(Debug, Clone)]
pub(crate) struct CExpr {
    pub kind: CExprKind,
    pub text: String,
}

#[derive(Debug, Clone)]
pub(crate) enum CExprKind {
    Or(Box<CExpr>, Box<CExpr>),
    And(Box<CExpr>, Box<CExpr>),
    Not(Box<CExpr>),
    Term(Box<CTerm>),
}

/// A checked term.
#[derive(Debug, Clone)]
pub(crate) struct CTerm {
    /// The property path; `None` for `$`.
    pub path: Option<Vec<Ident>>,
    pub ops: Vec<COp>,
    pub test: Option<CTest>,
    pub span: Span,
    /// The printed term (`Evidence::expr`), shared by every result's evidence.
    pub text: std::sync::Arc<str>,
    /// The operations with predicates elided (` with [..] length()`), shown after the
    /// subject's path.
    pub chain: String,
}

/// A checked postfix operation.
#[derive(Debug, Clone)]
pub(crate) enum COp {
    List {
        op: ListOp,
        predicate: Box<CExpr>,
        /// The predicate as shown in notes (printed, shortened).
        shown: String,
        span: Span,
    },
    Call {
        builtin: &'static Builtin,
        args: Vec<Arg>,
        span: Span,
    },
}

/// A checked comparison.
#[derive(Debug, Clone)]
pub(crate) struct CTest {
    pub op: CmpOp,
    pub value: Literal,
    /// The literal as printed.
    pub shown: String,
    /// The compiled regex of `like`, `unlike` and `regexMatch`.
    pub regex: Option<Regex>,
}
