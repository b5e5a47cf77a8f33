//! The static pass: builtin names, arity, literal argument kinds, time units, filter
//! patterns, regexes and comparison literal types, all reported at once. A rule
//! without errors comes out as a [`CheckedRule`], the only form the evaluator runs.

use super::builtins::TIME_UNITS;
use super::builtins::{self, Arg, ArgKind, ArgValue, ResultKind, RulePattern, TimeUnit};
use super::checked::{CExpr, CExprKind, COp, CTerm, CTest, CVerdict, CheckedRule};
use crate::lang::ast::{
    CmpOp, Expr, ExprKind, ListOp, Literal, LiteralKind, Postfix, Rule, Subject, Term,
};
use crate::lang::printer::{print_expr, print_literal, print_term, short};
use crate::params::Params;
use crate::span::Span;
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use regex::Regex;
use std::fmt;
use std::sync::Arc;

/// Why a regular expression (or a `like` pattern) cannot be built.
#[derive(Debug, Clone, thiserror::Error, Diagnostic)]
pub enum RegexError {
    /// A flag other than `i`, `m`, `s`, `x`.
    #[error("unknown regex flag `{flag}` (flags: i, m, s, x)")]
    #[diagnostic(
        code(gsl::eval::bad_regex),
        help(
            "flags are i (ignore case), m (multi-line), s (dot matches a line end), x (extended)"
        )
    )]
    UnknownFlag {
        /// The flag.
        flag: char,
    },
    /// The `regex` crate's syntax error, or a pattern over the size limit.
    #[error("{0}")]
    #[diagnostic(
        code(gsl::eval::bad_regex),
        help("the regex syntax is Rust's `regex` crate (no look-around or backreferences)")
    )]
    Invalid(#[from] regex::Error),
}

/// Build a regex from GSL flags (`i`, `m`, `s`, `x`).
pub fn build_regex(pattern: &str, flags: &str) -> Result<Regex, RegexError> {
    let mut b = regex::RegexBuilder::new(pattern);
    for f in flags.chars() {
        match f {
            'i' => b.case_insensitive(true),
            'm' => b.multi_line(true),
            's' => b.dot_matches_new_line(true),
            'x' => b.ignore_whitespace(true),
            flag => return Err(RegexError::UnknownFlag { flag }),
        };
    }
    Ok(b.size_limit(1 << 20).build()?)
}

/// The regex a `like` pattern means: `%` matches any run of characters, everything
/// else literally; whole string; case-insensitive.
pub fn like_regex(pattern: &str) -> Result<Regex, RegexError> {
    let body = pattern
        .split('%')
        .map(regex::escape)
        .collect::<Vec<_>>()
        .join(".*");
    build_regex(&format!("^{body}$"), "is")
}

/// Stable codes of check errors.
pub mod codes {
    /// The function is not a builtin.
    pub const UNKNOWN_FUNCTION: &str = "gsl::eval::unknown_function";
    /// Wrong number of arguments.
    pub const ARITY: &str = "gsl::eval::arity";
    /// An argument literal of the wrong kind (or an unknown time unit).
    pub const ARGUMENT_TYPE: &str = "gsl::eval::argument_type";
    /// An invalid filter pattern literal.
    pub const BAD_PATTERN: &str = "gsl::eval::bad_pattern";
    /// An invalid regex literal or flag.
    pub const BAD_REGEX: &str = "gsl::eval::bad_regex";
    /// A comparison whose literal cannot match what the left side yields.
    pub const TYPE_MISMATCH: &str = "gsl::eval::type_mismatch";
    /// A `List<X>` rule reading a property other than `items` of the list object.
    pub const LIST_PROPERTY: &str = "gsl::eval::list_property";
    /// A `groupBy` key that is not a property path, or groups used other than by a
    /// list operator, `length()` or `isEmpty()`.
    pub const GROUP_BY: &str = "gsl::eval::group_by";
    /// A type name that is not a known entity type but close to one (`CloudTrial`).
    pub const UNKNOWN_TYPE: &str = "gsl::eval::unknown_type";
    /// A property path that the schema of a known entity type does not have.
    pub const UNKNOWN_PROPERTY: &str = "gsl::eval::unknown_property";
    /// A `$Name` that no parameter defines (gsl's defaults, `gsl.toml`, `--params`).
    pub const UNKNOWN_PARAMETER: &str = "gsl::eval::unknown_parameter";
    /// The checker could not build the checked form (a defect, never expected).
    pub const INTERNAL: &str = "gsl::eval::internal";
}

/// What a check error says, and where.
#[derive(Debug, Clone)]
pub struct Detail {
    /// The message.
    pub message: String,
    /// What to do about it.
    pub help: String,
    /// Where.
    pub span: Span,
    /// The label under the span.
    pub label: String,
}

/// One semantic error of a rule; the variant is its kind, with a stable code (see
/// [`codes`]).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// [`codes::UNKNOWN_FUNCTION`].
    #[error("{}", .0.message)]
    UnknownFunction(Detail),
    /// [`codes::ARITY`].
    #[error("{}", .0.message)]
    Arity(Detail),
    /// [`codes::ARGUMENT_TYPE`].
    #[error("{}", .0.message)]
    ArgumentType(Detail),
    /// [`codes::BAD_PATTERN`], with the pattern engine's own diagnostic.
    #[error("{}", .0.message)]
    BadPattern(Detail, crate::pattern::PatternError),
    /// [`codes::BAD_REGEX`].
    #[error("{}", .0.message)]
    BadRegex(Detail),
    /// [`codes::TYPE_MISMATCH`].
    #[error("{}", .0.message)]
    TypeMismatch(Detail),
    /// [`codes::LIST_PROPERTY`].
    #[error("{}", .0.message)]
    ListProperty(Detail),
    /// [`codes::GROUP_BY`].
    #[error("{}", .0.message)]
    GroupBy(Detail),
    /// [`codes::UNKNOWN_TYPE`].
    #[error("{}", .0.message)]
    UnknownType(Detail),
    /// [`codes::UNKNOWN_PROPERTY`].
    #[error("{}", .0.message)]
    UnknownProperty(Detail),
    /// [`codes::UNKNOWN_PARAMETER`].
    #[error("{}", .0.message)]
    UnknownParameter(Detail),
    /// [`codes::INTERNAL`].
    #[error("{}", .0.message)]
    Internal(Detail),
}

impl CheckError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            CheckError::UnknownFunction(_) => codes::UNKNOWN_FUNCTION,
            CheckError::Arity(_) => codes::ARITY,
            CheckError::ArgumentType(_) => codes::ARGUMENT_TYPE,
            CheckError::BadPattern(..) => codes::BAD_PATTERN,
            CheckError::BadRegex(_) => codes::BAD_REGEX,
            CheckError::TypeMismatch(_) => codes::TYPE_MISMATCH,
            CheckError::ListProperty(_) => codes::LIST_PROPERTY,
            CheckError::GroupBy(_) => codes::GROUP_BY,
            CheckError::UnknownType(_) => codes::UNKNOWN_TYPE,
            CheckError::UnknownProperty(_) => codes::UNKNOWN_PROPERTY,
            CheckError::UnknownParameter(_) => codes::UNKNOWN_PARAMETER,
            CheckError::Internal(_) => codes::INTERNAL,
        }
    }

    /// What it says and where.
    pub fn detail(&self) -> &Detail {
        match self {
            CheckError::UnknownFunction(d)
            | CheckError::Arity(d)
            | CheckError::ArgumentType(d)
            | CheckError::BadPattern(d, _)
            | CheckError::BadRegex(d)
            | CheckError::TypeMismatch(d)
            | CheckError::ListProperty(d)
            | CheckError::GroupBy(d)
            | CheckError::UnknownType(d)
            | CheckError::UnknownProperty(d)
            | CheckError::UnknownParameter(d)
            | CheckError::Internal(d) => d,
        }
    }

    /// Where.
    pub fn span(&self) -> Span {
        self.detail().span
    }
}

impl Diagnostic for CheckError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(CheckError::code(self)))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.detail().help))
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let d = self.detail();
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(d.label.clone()),
            d.span,
        ))))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        let CheckError::BadPattern(_, cause) = self else {
            return None;
        };
        Some(Box::new(std::iter::once(cause as &dyn Diagnostic)))
    }
}

/// Semantic errors found before evaluation (unknown function, wrong arity, bad regex,
/// bad argument type). All of them are reported, each with a span.
#[derive(Debug)]
pub struct CheckErrors {
    /// Every error, in source order.
    pub errors: Vec<CheckError>,
    src: NamedSource<String>,
}

impl CheckErrors {
    /// Attach the rule source (and its name, e.g. a file path) so the errors render
    /// with the rule text underlined.
    pub fn with_source(mut self, src: &str, name: &str) -> Self {
        self.src = NamedSource::new(name, src.to_string());
        self
    }

    /// The codes of the errors, in order.
    pub fn codes(&self) -> Vec<&'static str> {
        self.errors.iter().map(CheckError::code).collect()
    }
}

impl fmt::Display for CheckErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.len() {
            1 => write!(f, "rule cannot be evaluated: {}", self.errors[0]),
            n => write!(f, "rule cannot be evaluated: {n} errors"),
        }
    }
}

impl std::error::Error for CheckErrors {}

impl Diagnostic for CheckErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("gsl::eval::check"))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        // Without the rule text (plain `check_rule`), render messages without snippets.
        if self.src.inner().is_empty() {
            None
        } else {
            Some(&self.src)
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(self.errors.iter().map(|e| e as &dyn Diagnostic)))
    }
}

/// What a term's value is, as far as the checker can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Entity data (anything).
    Data,
    /// A list (`with [..]`).
    List,
    /// A computed number.
    Number,
    /// A computed boolean.
    Bool,
    /// The groups of `groupBy [..]` (for a list operator, `length()` or `isEmpty()`).
    Groups,
}

struct Checker<'p> {
    errors: Vec<CheckError>,
    list_rule: bool,
    params: &'p Params,
}

impl Checker<'_> {
    fn err(
        &mut self,
        kind: fn(Detail) -> CheckError,
        span: Span,
        message: String,
        label: &str,
        help: String,
    ) {
        self.errors.push(kind(Detail {
            message,
            help,
            span,
            label: label.to_string(),
        }));
    }

    fn expr(&mut self, e: &Expr, top: bool) -> Option<CExpr> {
        let kind = match &e.kind {
            ExprKind::Or(a, b) => {
                let (a, b) = (self.expr(a, top), self.expr(b, top));
                CExprKind::Or(Box::new(a?), Box::new(b?))
            }
            ExprKind::And(a, b) => {
                let (a, b) = (self.expr(a, top), self.expr(b, top));
                CExprKind::And(Box::new(a?), Box::new(b?))
            }
            ExprKind::Not(a) => CExprKind::Not(Box::new(self.expr(a, top)?)),
            ExprKind::Term(t) => CExprKind::Term(Box::new(self.term(t, top)?)),
        };
        Some(CExpr {
            kind,
            text: print_expr(e),
        })
    }

    fn term(&mut self, t: &Term, top: bool) -> Option<CTerm> {
        let before = self.errors.len();
        if top && self.list_rule {
            if let Subject::Path(p) = &t.subject {
                if p.segments.first().is_some_and(|s| s.name != "items") {
                    self.err(
                        CheckError::ListProperty,
                        p.span,
                        format!("a List<..> test object has no property `{}`", p.dotted()),
                        "not a property of the list object",
                        "in a List<X> rule the test object is { items: [...] }: write `items with [...]`, `items contain [...]` or `items length()`".into(),
                    );
                }
            }
        }
        let mut kind = Kind::Data;
        let mut last_call: Option<String> = None;
        let mut ops = Vec::new();
        for pf in &t.postfix {
            match pf {
                Postfix::ListOp {
                    op,
                    predicate,
                    span,
                } => {
                    if matches!(kind, Kind::Number | Kind::Bool) {
                        self.err(
                            CheckError::TypeMismatch,
                            *span,
                            format!(
                                "`{}` needs a list, but {} yields a {}",
                                op.keyword(),
                                last_call.as_deref().unwrap_or("the expression"),
                                kind_name(kind)
                            ),
                            "not a list",
                            "apply list operators to a property holding a list".into(),
                        );
                    }
                    if *op == ListOp::GroupBy {
                        self.group_key(predicate, kind);
                    }
                    if let Some(p) = self.expr(predicate, false) {
                        ops.push(COp::List {
                            op: *op,
                            shown: short(&p.text, 60),
                            predicate: Box::new(p),
                            span: *span,
                        });
                    }
                    kind = match op {
                        ListOp::GroupBy => Kind::Groups,
                        ListOp::With if kind == Kind::Groups => Kind::Groups,
                        ListOp::With => Kind::List,
                        _ => Kind::Bool,
                    };
                    last_call = Some(format!("`{}`", op.keyword()));
                }
                Postfix::Call { name, args, span } => {
                    if kind == Kind::Groups && !GROUP_COUNTS.contains(&name.name.as_str()) {
                        self.err(
                            CheckError::GroupBy,
                            name.span,
                            format!("`{}()` applied to the groups of `groupBy`", name.name),
                            "not applicable to groups",
                            group_help(),
                        );
                    }
                    if let Some(op) = self.call(
                        &name.name,
                        name.span,
                        args,
                        *span,
                        kind,
                        last_call.as_deref(),
                    ) {
                        ops.push(op);
                    }
                    kind = match builtins::lookup(&name.name).map(|b| b.returns) {
                        Some(ResultKind::Number) => Kind::Number,
                        Some(ResultKind::Bool) => Kind::Bool,
                        None => Kind::Data,
                    };
                    last_call = Some(format!("`{}()`", name.name));
                }
            }
        }
        if let (Kind::Groups, Some(test)) = (kind, &t.test) {
            self.err(
                CheckError::GroupBy,
                test.span,
                "a comparison applied to the groups of `groupBy`".into(),
                "groups are not a value",
                group_help(),
            );
            return None;
        }
        let test = match &t.test {
            Some(test) => {
                let value = self.resolve(&test.value)?;
                Some(self.test(test.op, &value, &test.value, kind, last_call.as_deref())?)
            }
            None => None,
        };
        if self.errors.len() > before {
            return None;
        }
        Some(CTerm {
            path: match &t.subject {
                Subject::Path(p) => Some(p.segments.clone()),
                Subject::Element(_) => None,
            },
            ops,
            test,
            span: t.span,
            text: print_term(t),
            chain: chain(&t.postfix),
        })
    }

    /// The literal with every `$Name` replaced by its value (a list parameter inside a
    /// tuple is spliced into it); `None` after reporting an unknown parameter.
    fn resolve(&mut self, lit: &Literal) -> Option<Literal> {
        match &lit.kind {
            LiteralKind::Param(name) => match self.params.get(name) {
                Some(p) => Some(p.value.literal(lit.span)),
                None => {
                    let known: Vec<&str> = self.params.names().collect();
                    let listed = if known.is_empty() {
                        "no parameters are defined".to_string()
                    } else {
                        let more = known.len().saturating_sub(8);
                        let mut l = known
                            .iter()
                            .take(8)
                            .map(|n| format!("${n}"))
                            .collect::<Vec<_>>()
                            .join(", ");
                        if more > 0 {
                            l.push_str(&format!(" and {more} more"));
                        }
                        format!("parameters: {l}")
                    };
                    let near = self
                        .params
                        .suggest(name)
                        .map(|n| format!("did you mean `${n}`? "))
                        .unwrap_or_default();
                    self.err(
                        CheckError::UnknownParameter,
                        lit.span,
                        format!("unknown parameter `${name}`"),
                        "not a defined parameter",
                        format!("{near}{listed}; define it in a parameters file (`--params FILE`, or `[params]` in gsl.toml; docs/params.md)"),
                    );
                    None
                }
            },
            LiteralKind::Tuple(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for it in items {
                    match (self.resolve(it), &it.kind) {
                        (
                            Some(Literal {
                                kind: LiteralKind::Tuple(values),
                                ..
                            }),
                            LiteralKind::Param(_),
                        ) => out.extend(values),
                        (Some(v), _) => out.push(v),
                        (None, _) => ok = false,
                    }
                }
                ok.then_some(Literal {
                    kind: LiteralKind::Tuple(out),
                    span: lit.span,
                })
            }
            _ => Some(lit.clone()),
        }
    }

    /// The key of `groupBy [key]` must be a property path or `$`, applied to a list.
    fn group_key(&mut self, key: &Expr, kind: Kind) {
        let plain =
            matches!(&key.kind, ExprKind::Term(t) if t.postfix.is_empty() && t.test.is_none());
        if !plain {
            self.err(
                CheckError::GroupBy,
                key.span,
                "`groupBy` takes a property path".into(),
                "not a property path",
                "group by the value of a path: `items groupBy [properties.category] contain-all [values length() > 1]`".into(),
            );
        }
        if kind == Kind::Groups {
            self.err(
                CheckError::GroupBy,
                key.span,
                "`groupBy` applied to groups".into(),
                "already grouped",
                "group a list once; inside the groups' predicate, `values groupBy [..]` groups a group's elements".into(),
            );
        }
    }

    fn call(
        &mut self,
        name: &str,
        name_span: Span,
        args: &[Literal],
        span: Span,
        kind: Kind,
        prev: Option<&str>,
    ) -> Option<COp> {
        let before = self.errors.len();
        let Some(b) = builtins::lookup(name) else {
            let help = match builtins::suggest(name) {
                Some(s) => format!("did you mean `{s}`? builtins: {}", names()),
                None => format!("builtins: {}", names()),
            };
            self.err(
                CheckError::UnknownFunction,
                name_span,
                format!("unknown function `{name}`"),
                "not a builtin",
                help,
            );
            return None;
        };
        if matches!(kind, Kind::Number | Kind::Bool) {
            self.err(
                CheckError::TypeMismatch,
                span,
                format!(
                    "`{}()` applied to the {} that {} yields",
                    b.name,
                    kind_name(kind),
                    prev.unwrap_or("the expression")
                ),
                "applied to a computed value",
                format!("apply `{}()` to a property", b.name),
            );
        }
        let written = args;
        let resolved: Vec<Option<Literal>> = written.iter().map(|a| self.resolve(a)).collect();
        let args = resolved.into_iter().collect::<Option<Vec<Literal>>>()?;
        let args = args.as_slice();
        if args.len() != b.params.len() {
            self.err(
                CheckError::Arity,
                span,
                format!(
                    "`{}` takes {} argument(s), got {}",
                    b.name,
                    b.params.len(),
                    args.len()
                ),
                &format!("expected {}", b.signature()),
                format!("usage: {}; e.g. {}", b.signature(), b.example),
            );
            return None;
        }
        let mut count: Option<f64> = None;
        let mut checked = Vec::new();
        for ((arg, p), as_written) in args.iter().zip(b.params).zip(written) {
            let mut push = |value: ArgValue| {
                checked.push(Arg {
                    value,
                    span: arg.span,
                })
            };
            match (p.kind, &arg.kind) {
                (ArgKind::Number, LiteralKind::Number(n)) => {
                    count = Some(*n);
                    push(ArgValue::Number(*n));
                }
                (ArgKind::String, LiteralKind::String(s)) => push(ArgValue::String(s.clone())),
                (ArgKind::TimeUnit, LiteralKind::String(u)) => match TimeUnit::parse(u) {
                    Some(unit) => {
                        push(ArgValue::TimeUnit(unit, u.clone()));
                        if unit.is_calendar() && count.is_some_and(|n| n.fract() != 0.0) {
                            self.err(
                                CheckError::ArgumentType,
                                args[0].span,
                                format!("`{}` with '{u}' needs a whole number", b.name),
                                "not a whole number",
                                "months and years are calendar units: use a whole number, or days"
                                    .into(),
                            );
                        }
                    }
                    None => {
                        let near = crate::text::closest(
                            u,
                            TIME_UNITS.iter().copied().filter(|t| t.ends_with('s')),
                        )
                        .map(|t| format!("did you mean '{t}'? "))
                        .unwrap_or_default();
                        self.err(
                            CheckError::ArgumentType,
                            arg.span,
                            format!("unknown time unit '{u}'"),
                            "not a time unit",
                            format!("{near}units: minutes, hours, days, weeks, months, years (singular forms too)"),
                        );
                    }
                },
                (ArgKind::FilterPattern, LiteralKind::String(pat)) => match RulePattern::parse(pat)
                {
                    Ok(p) => push(ArgValue::Pattern(Arc::new(p))),
                    Err(e) => {
                        let detail = Detail {
                            message: format!("invalid filter pattern in `{}`: {e}", b.name),
                            help: "write a CloudWatch Logs filter pattern, e.g. '{ $.eventName = ConsoleLogin }'; `gsl pattern canon` shows how a pattern parses".into(),
                            span: arg.span,
                            label: "invalid filter pattern".into(),
                        };
                        self.errors.push(CheckError::BadPattern(detail, e));
                    }
                },
                (want, _) => self.err(
                    CheckError::ArgumentType,
                    arg.span,
                    format!(
                        "argument `{}` of `{}` must be {}{}",
                        p.name,
                        b.name,
                        want.describe(),
                        param_value_note(as_written, arg)
                    ),
                    &format!("expected {}", want.describe()),
                    format!("usage: {}; e.g. {}", b.signature(), b.example),
                ),
            }
        }
        (self.errors.len() == before).then_some(COp::Call {
            builtin: b,
            args: checked,
            span,
        })
    }

    /// The checked comparison with `lit` (the value `written` stands for, once its
    /// parameters are resolved).
    fn test(
        &mut self,
        op: CmpOp,
        lit: &Literal,
        written: &Literal,
        kind: Kind,
        prev: Option<&str>,
    ) -> Option<CTest> {
        let before = self.errors.len();
        let mut regex = None;
        let mismatch = |c: &mut Checker, msg: String, help: &str| {
            c.err(
                CheckError::TypeMismatch,
                lit.span,
                msg,
                "cannot match",
                help.to_string(),
            );
        };
        let lit_text = format!(
            "{}{}",
            print_literal(written),
            param_value_note(written, lit)
        );
        match op {
            CmpOp::Like | CmpOp::Unlike => match &lit.kind {
                LiteralKind::String(s) => match like_regex(s) {
                    Ok(r) => regex = Some(r),
                    Err(e) => {
                        self.err(
                            CheckError::BadRegex,
                            lit.span,
                            format!("pattern too large: {e}"),
                            "pattern",
                            "use a shorter pattern".into(),
                        );
                    }
                },
                _ => mismatch(
                    self,
                    format!("`{}` needs a string pattern, found {lit_text}", op.symbol()),
                    "write e.g. name like 'prod-%' (`%` matches any run of characters)",
                ),
            },
            CmpOp::RegexMatch => {
                let r = match &lit.kind {
                    LiteralKind::Regex { pattern, flags } => build_regex(pattern, flags),
                    LiteralKind::String(s) => build_regex(s, ""),
                    _ => {
                        mismatch(
                            self,
                            format!("`regexMatch` needs a regex like /^a.*$/i, found {lit_text}"),
                            "write e.g. name regexMatch /^prod-/i",
                        );
                        return None;
                    }
                };
                match r {
                    Ok(r) => regex = Some(r),
                    Err(e) => {
                        let e = e.to_string();
                        self.err(CheckError::BadRegex, lit.span, "invalid regular expression".into(), &short(e.lines().last().unwrap_or(""), 60), format!("the regex syntax is Rust's `regex` crate (no look-around or backreferences): {}", short(&e.replace('\n', " "), 200)))
                    }
                }
            }
            CmpOp::In => {
                let items: Vec<&Literal> = match &lit.kind {
                    LiteralKind::Tuple(items) => items.iter().collect(),
                    _ => vec![lit],
                };
                for it in items {
                    if matches!(it.kind, LiteralKind::Regex { .. } | LiteralKind::Tuple(_)) {
                        self.err(
                            CheckError::TypeMismatch,
                            it.span,
                            "`in` takes plain values".into(),
                            "not a plain value",
                            "write e.g. protocol in ('TCP', 'ALL')".into(),
                        );
                    }
                }
            }
            CmpOp::Lt | CmpOp::Gt | CmpOp::Le | CmpOp::Ge => match &lit.kind {
                LiteralKind::Number(_) => {
                    if kind == Kind::Bool {
                        mismatch(
                            self,
                            format!(
                                "`{}` compares numbers, but {} yields a boolean",
                                op.symbol(),
                                prev.unwrap_or("the expression")
                            ),
                            "use the boolean as a condition, without a comparison",
                        );
                    }
                }
                LiteralKind::String(s) => {
                    if kind == Kind::Number && super::value::numeric(s).is_none() {
                        mismatch(
                            self,
                            format!(
                                "{} yields a number; it cannot be compared with {lit_text}",
                                prev.unwrap_or("the expression")
                            ),
                            "compare with a number, e.g. length() > 0",
                        );
                    }
                }
                _ => mismatch(
                    self,
                    format!(
                        "`{}` needs a number or a string, found {lit_text}",
                        op.symbol()
                    ),
                    "ordered comparisons take numbers (or strings, compared by code point)",
                ),
            },
            CmpOp::Eq | CmpOp::Ne => match &lit.kind {
                LiteralKind::Regex { .. } => mismatch(
                    self,
                    format!("`{}` with a regex never matches", op.symbol()),
                    "use regexMatch /re/ to match a regex",
                ),
                LiteralKind::Tuple(_) => mismatch(
                    self,
                    format!(
                        "`{}` with a list of values{}",
                        op.symbol(),
                        param_value_note(written, lit)
                    ),
                    &match &written.kind {
                        LiteralKind::Param(name) => {
                            format!("use `in (${name})` to test membership")
                        }
                        _ => "use `in ('a', 'b')` to test membership".to_string(),
                    },
                ),
                LiteralKind::String(s)
                    if kind == Kind::Number && super::value::numeric(s).is_none() =>
                {
                    mismatch(
                        self,
                        format!(
                            "{} yields a number; it never equals {lit_text}",
                            prev.unwrap_or("the expression")
                        ),
                        "compare with a number, e.g. length() = 0",
                    )
                }
                LiteralKind::Bool(_) | LiteralKind::Null if kind == Kind::Number => mismatch(
                    self,
                    format!(
                        "{} yields a number; it never equals {lit_text}",
                        prev.unwrap_or("the expression")
                    ),
                    "compare with a number, e.g. length() = 0",
                ),
                LiteralKind::Number(_) | LiteralKind::Null if kind == Kind::Bool => mismatch(
                    self,
                    format!(
                        "{} yields a boolean; it never equals {lit_text}",
                        prev.unwrap_or("the expression")
                    ),
                    "compare with true or false, or use the boolean as a condition",
                ),
                LiteralKind::String(s)
                    if kind == Kind::Bool && super::value::bool_word(s).is_none() =>
                {
                    mismatch(
                        self,
                        format!(
                            "{} yields a boolean; it never equals {lit_text}",
                            prev.unwrap_or("the expression")
                        ),
                        "compare with true or false, or use the boolean as a condition",
                    )
                }
                _ => {}
            },
        }
        (self.errors.len() == before).then(|| CTest {
            op,
            value: lit.clone(),
            shown: shown_with_params(written, self.params),
            regex,
        })
    }
}

/// `with [..] length()`: the operations of a term with predicates elided, each
/// preceded by a space (shown after the subject's path).
fn chain(postfix: &[Postfix]) -> String {
    let mut out = String::new();
    for pf in postfix {
        out.push(' ');
        match pf {
            Postfix::ListOp { op, .. } => {
                out.push_str(op.keyword());
                out.push_str(" [..]");
            }
            Postfix::Call { name, args, .. } => {
                out.push_str(&name.name);
                out.push_str(if args.is_empty() { "()" } else { "(..)" });
            }
        }
    }
    out
}

/// `; $Name is (1, 2)` for a literal written as a parameter, else nothing.
fn param_value_note(written: &Literal, value: &Literal) -> String {
    match &written.kind {
        LiteralKind::Param(name) => {
            format!(" (`${name}` is {})", short(&print_literal(value), 60))
        }
        _ => String::new(),
    }
}

/// The literal as explanations show it: as written, followed by the values of the
/// parameters it names (`($Ports), where $Ports = (53, 123)`).
fn shown_with_params(written: &Literal, params: &Params) -> String {
    let mut shown = print_literal(written);
    let mut names: Vec<&str> = Vec::new();
    let mut stack = vec![written];
    while let Some(l) = stack.pop() {
        match &l.kind {
            LiteralKind::Param(n) if !names.contains(&n.as_str()) => names.push(n),
            LiteralKind::Tuple(items) => stack.extend(items.iter().rev()),
            _ => {}
        }
    }
    let values: Vec<String> = names
        .iter()
        .filter_map(|n| params.get(n))
        .map(|p| format!("${} = {}", p.name, short(&p.value.to_string(), 60)))
        .collect();
    if !values.is_empty() {
        shown.push_str(", where ");
        shown.push_str(&values.join(", "));
    }
    shown
}

/// The builtins that apply to the groups of `groupBy` (they count them).
const GROUP_COUNTS: [&str; 2] = ["length", "isEmpty"];

fn group_help() -> String {
    "after `groupBy [..]` write a list operator over the groups (`contain-all [values length() > 1]`, `with [key = 'x']`), `length()` or `isEmpty()`; inside the brackets a group has `key` and `values`".into()
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Groups => "groups",
        Kind::Data => "value",
        Kind::List => "list",
        Kind::Number => "number",
        Kind::Bool => "boolean",
    }
}

fn names() -> String {
    builtins::names().collect::<Vec<_>>().join(", ")
}

/// An optional part of a rule that was checked: `Some(None)` when absent, `None` when
/// present but not built.
fn built<T>(part: Option<Option<T>>) -> Option<Option<T>> {
    part.map_or(Some(None), |p| p.map(Some))
}

/// Run the static pass, with `params` giving the values of `$Name`. Errors carry no
/// source text; see [`CheckErrors::with_source`].
pub fn check(rule: &Rule, params: &Params) -> Result<CheckedRule, CheckErrors> {
    let mut c = Checker {
        errors: Vec::new(),
        list_rule: rule.target.list,
        params,
    };
    let filter = rule.target.filter.as_ref().map(|f| c.expr(f, true));
    let verdict = rule.verdict.as_ref().map(|v| {
        c.expr(&v.condition, true).map(|condition| CVerdict {
            negated: v.negated,
            condition,
        })
    });
    // The entity type and its properties (`props.rs`): known types are checked against
    // their schema.
    c.errors.extend(super::props::check_errors(rule));
    match (filter, verdict) {
        (f, v) if c.errors.is_empty() => match (built(f), built(v)) {
            (Some(filter), Some(verdict)) => Ok(CheckedRule {
                rule: rule.clone(),
                filter_expr: filter,
                verdict_expr: verdict,
            }),
            // An expression failed to check without recording why: never pass silently.
            _ => Err(CheckErrors {
                errors: vec![CheckError::Internal(Detail {
                    message: "the rule could not be checked".into(),
                    help: "please report this rule".into(),
                    span: rule.span,
                    label: "this rule".into(),
                })],
                src: NamedSource::new("rule", String::new()),
            }),
        },
        _ => {
            c.errors.sort_by_key(|e| e.span().start);
            Err(CheckErrors {
                errors: c.errors,
                src: NamedSource::new("rule", String::new()),
            })
        }
    }
}
